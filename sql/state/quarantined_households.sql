-- depends: persons, quarantine, stg_applications, stg_assets, stg_care_contacts, stg_enrollment, stg_events, stg_expenses, stg_households, stg_income, stg_meter_readings, stg_payments, stg_persons
-- The households with a row the night quarantined (the 免申即享 fast track, docs/CONTRACT.md v2: "no quarantined row for the
-- household that night"): a fact about them may be missing, so no warning of theirs is marked fast_track.
-- A quarantined row is found in its staging table by file and line; its household is the row's own household_id, or, for
-- a feed about a person, every household of that person in the persons state. A row that could not even be typed is
-- not in staging: it is attributed through its record id where that names the household (households, persons).
-- Grain: one row per household, feed and check code.
WITH q AS (
    SELECT feed, file, line, record_id, check_code FROM quarantine WHERE line IS NOT NULL
),
by_household AS (
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_households s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_persons s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_enrollment s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_payments s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_applications s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.household_id, q.feed, q.check_code FROM q JOIN stg_meter_readings s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT q.record_id AS household_id, q.feed, q.check_code FROM q WHERE q.feed = 'households' AND q.check_code LIKE 'TYPE\_%' ESCAPE '\'
    UNION ALL
    SELECT split_part(q.record_id, '|', 2) AS household_id, q.feed, q.check_code
    FROM q WHERE q.feed = 'persons' AND q.check_code LIKE 'TYPE\_%' ESCAPE '\'
),
by_person AS (
    SELECT s.person_id, q.feed, q.check_code FROM q JOIN stg_income s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.person_id, q.feed, q.check_code FROM q JOIN stg_expenses s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.person_id, q.feed, q.check_code FROM q JOIN stg_assets s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.person_id, q.feed, q.check_code FROM q JOIN stg_events s ON s._file = q.file AND s._line = q.line
    UNION ALL
    SELECT s.person_id, q.feed, q.check_code FROM q JOIN stg_care_contacts s ON s._file = q.file AND s._line = q.line
)
SELECT DISTINCT household_id, feed, check_code
FROM (
    SELECT * FROM by_household
    UNION ALL
    SELECT p.household_id, b.feed, b.check_code FROM by_person b JOIN persons p ON p.person_id = b.person_id
)
WHERE household_id IS NOT NULL AND household_id <> ''
ORDER BY ALL
