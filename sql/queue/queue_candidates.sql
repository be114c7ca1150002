-- The night's candidate warnings routed through the three-level network and given their catalogue fields.
-- Grain: one row per household and condition (household_id, condition_key).
-- Inputs: candidates (models/rules), households (state), streets and catalogue (written by flows/queue.py).
WITH routed AS (
    SELECT c.*, h.region_code, left(h.region_code, 9) AS street_code
    FROM candidates AS c
    LEFT JOIN households AS h USING (household_id)
)
SELECT r.household_id, r.condition_key, r.warning_code, k.category, k.label_zh, k.severity,
       r.region_code, r.street_code, coalesce(s.street_name, '未知镇街') AS street_name,
       r.reasons, r.evidence, md5(r.evidence) AS evidence_hash, k.deadline_days
FROM routed AS r
JOIN catalogue AS k USING (warning_code)
LEFT JOIN streets AS s USING (street_code)
