-- depends: quarantine, stg_applications
-- applications: full extract as of D (the newest drop on or before D), without quarantined rows. Grain: one row per staged row.
SELECT s.* EXCLUDE (_file, _line)
FROM stg_applications AS s
WHERE NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file = s._file AND q.line = s._line)
