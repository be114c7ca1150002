-- depends: quarantine, stg_communities
-- communities: full extract as of D (the newest drop on or before D), without quarantined rows; empty when the feed
-- (optional, docs/CONTRACT.md v2) was never delivered. Grain: one row per community_code (a code repeated in a file is
-- quarantined after its first row: checks/suites/communities.py).
SELECT s.* EXCLUDE (_file, _line)
FROM stg_communities AS s
WHERE NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file = s._file AND q.line = s._line)
