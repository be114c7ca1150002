-- depends: candidate_scores, candidates, catalogue, households, streets
-- The night's candidate warnings routed through the three-level network and given their catalogue fields.
-- Grain: one row per household and condition (household_id, condition_key).
-- Inputs: candidates (models/rules and models/ml), candidate_scores (models/ml: empty without an active model),
-- households (state), streets and catalogue (written by flows/queue/merge.py). The evidence hash is taken on the rules'
-- evidence before the model's explanation is added, so a new score never counts as changed evidence, and without the
-- code's counters (catalogue.evidence_patch: days elapsed, a look-back period ending on D), which change every night on
-- their own: a warning a caseworker closed comes back when its records change, not because a night has passed.
WITH routed AS (
    SELECT c.*, h.region_code, left(h.region_code, 9) AS street_code
    FROM candidates AS c
    LEFT JOIN households AS h USING (household_id)
)
SELECT r.household_id, r.condition_key, r.warning_code, k.category, k.label_zh, k.severity,
       r.region_code, r.street_code, coalesce(s.street_name, '未知镇街') AS street_name,
       r.reasons,
       CASE WHEN m.explanation IS NULL THEN r.evidence
            ELSE json_merge_patch(r.evidence, json_object('model', m.explanation::JSON))::VARCHAR END AS evidence,
       md5(CASE WHEN k.evidence_patch IS NULL THEN r.evidence
                ELSE json_merge_patch(r.evidence, k.evidence_patch)::VARCHAR END) AS evidence_hash, m.score, k.deadline_days
FROM routed AS r
JOIN catalogue AS k USING (warning_code)
LEFT JOIN streets AS s USING (street_code)
LEFT JOIN candidate_scores AS m USING (household_id, condition_key)
