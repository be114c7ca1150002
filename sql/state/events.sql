-- events: increment state as of D: the union of all drops on or before D, a later row with the same event_id replacing the
-- earlier one (a correction). Quarantined rows are left out first, so the last valid version of a record stays in force
-- until a valid correction arrives. Grain: one row per event_id.
-- A event_id is unique among a file's valid rows (later duplicates are quarantined: DUPLICATE_IN_FILE), so the version in
-- force is the one of the latest drop that has the record. Only a drop after the first can correct a record, which keeps
-- the hashed side of the anti-join small (the first drop carries the whole history); no window over every row.
WITH valid AS NOT MATERIALIZED (
    SELECT s.*
    FROM stg_events AS s
    WHERE NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file = s._file AND q.line = s._line)
)
SELECT v.* EXCLUDE (_file, _line)
FROM valid AS v
WHERE NOT EXISTS (SELECT 1 FROM valid AS n
                  WHERE n._drop_date > (SELECT min(_drop_date) FROM stg_events)
                    AND n.event_id = v.event_id AND n._drop_date > v._drop_date)
