-- depends: quarantine, stg_income
-- income: increment state as of D: the union of all drops on or before D, a later row with the same record_id replacing the
-- earlier one (a correction). Quarantined rows are left out first, so the last valid version of a record stays in force
-- until a valid correction arrives. Grain: one row per record_id.
-- A record_id is unique among a file's valid rows (later duplicates are quarantined: DUPLICATE_IN_FILE), so the version in
-- force is the one of the latest drop that has the record. Only a drop after the first can correct a record: the latest of
-- those versions per record (few rows) is joined to every row, with no window or correlated subquery over the history.
WITH valid AS NOT MATERIALIZED (
    SELECT s.*
    FROM stg_income AS s
    WHERE NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file = s._file AND q.line = s._line)
),
corrected AS (
    SELECT record_id, max(_drop_date) AS last_drop
    FROM valid
    WHERE _drop_date > (SELECT min(_drop_date) FROM stg_income)
    GROUP BY record_id
)
SELECT v.* EXCLUDE (_file, _line)
FROM valid AS v
LEFT JOIN corrected AS c ON c.record_id = v.record_id
WHERE c.last_drop IS NULL OR c.last_drop = v._drop_date
