-- depends: outcomes_in_force, prev_queue, queue_candidates, run_context, working_days
-- The warning queue after night D (docs/DESIGN.md step 5). Grain: one row per warning (household, condition, raise).
-- prev_queue is the queue after the latest earlier night; outcomes_in_force the caseworkers' latest outcome per warning
-- imported on or before D (confirmed/dismissed close it; in_progress keeps an open warning active, same deadline).
-- A condition still present keeps its warning, deadline and id and takes the new evidence; a condition that disappeared
-- while its warning was open closes it as resolved_by_data; a condition closed by a caseworker is not raised
-- again while its evidence is unchanged; anything else raises a new warning due N working days after D.
WITH as_of AS (SELECT as_of FROM run_context),
after_outcomes AS (
    SELECT p.* REPLACE (   -- in_progress marks an open warning as being worked; it never reopens a closed one
               CASE WHEN o.outcome IS NULL OR (o.outcome = 'in_progress' AND p.status NOT IN ('open', 'in_progress'))
                    THEN p.status ELSE o.outcome END AS status,
               CASE WHEN o.outcome IN ('confirmed', 'dismissed') THEN o.resolved_date ELSE p.resolved_date END
                    AS resolved_date)
    FROM prev_queue AS p
    LEFT JOIN outcomes_in_force AS o USING (warning_id)
),
active AS (SELECT * FROM after_outcomes WHERE status IN ('open', 'in_progress')),
closed AS (SELECT * FROM after_outcomes WHERE status NOT IN ('open', 'in_progress')),
kept AS (   -- still present: same warning, new evidence
    SELECT a.* REPLACE (c.reasons AS reasons, c.evidence AS evidence, c.evidence_hash AS evidence_hash,
                        c.score AS score, (SELECT as_of FROM as_of) AS last_seen_date)
    FROM active AS a JOIN queue_candidates AS c USING (household_id, condition_key)
),
gone AS (   -- no longer present in the data
    SELECT a.* REPLACE ('resolved_by_data' AS status, (SELECT as_of FROM as_of) AS resolved_date)
    FROM active AS a ANTI JOIN queue_candidates AS c USING (household_id, condition_key)
),
latest_closed AS (
    SELECT * FROM closed
    QUALIFY row_number() OVER (PARTITION BY household_id, condition_key ORDER BY raised_date DESC, warning_id DESC) = 1
),
fresh AS (  -- new conditions, and closed ones whose evidence changed (or that were closed by the data itself)
    SELECT c.* FROM queue_candidates AS c
    ANTI JOIN active AS a USING (household_id, condition_key)
    WHERE NOT EXISTS (
        SELECT 1 FROM latest_closed AS l
        WHERE l.household_id = c.household_id AND l.condition_key = c.condition_key
          AND l.status IN ('confirmed', 'dismissed') AND l.evidence_hash = c.evidence_hash)
),
raised AS (
    SELECT 'W' || strftime(d.as_of, '%Y%m%d') || '-' || upper(left(md5(f.household_id || '|' || f.condition_key), 10)) AS warning_id,
           f.household_id, f.condition_key, f.warning_code, f.category, f.label_zh, f.severity,
           f.region_code, f.street_code, f.street_name, f.reasons, f.evidence, f.evidence_hash,
           f.score,
           d.as_of AS raised_date,
           (SELECT min(w.date) FROM working_days AS w
             WHERE w.working_day_index = (SELECT x.working_day_index FROM working_days AS x WHERE x.date = d.as_of) + f.deadline_days
               AND w.is_working) AS deadline,
           d.as_of AS last_seen_date, 'open' AS status, CAST(NULL AS DATE) AS resolved_date
    FROM fresh AS f, as_of AS d
)
SELECT * FROM kept
UNION ALL BY NAME SELECT * FROM gone
UNION ALL BY NAME SELECT * FROM closed
UNION ALL BY NAME SELECT * FROM raised
ORDER BY warning_id
