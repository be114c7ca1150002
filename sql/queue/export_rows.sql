-- depends: communities, households, persons, progress_in_force, queue_next, run_context, working_days
-- The caseworkers' queue of night D (docs/CONTRACT.md §4, with the v2 column fast_track): warnings still to be worked, with the household head and the
-- working days left. Grain: one row per open or in-progress warning. ID numbers are masked here, before anything leaves:
-- the head's, and any that the reasons or evidence name (first 6 and last 4 characters kept, docs/CONTRACT.md §4), standing
-- alone, not inside a longer id such as an expense record's (the pattern and why it runs twice: checks/id_number.py).
-- v2 columns (docs/CONTRACT.md §4 extensions): the household's address, its community code and name (communities.csv; NULL
-- when not delivered). progress_*: an in-progress warning's latest report (flows/queue/merge.py `progress_in_force`), which
-- the workbook carries into every later night until the warning is closed.
WITH heads AS (
    SELECT household_id, name AS head_name,
           left(person_id, 6) || repeat('*', length(person_id) - 10) || right(person_id, 4) AS head_id_masked
    FROM persons
    QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY (relation = 'head') DESC, person_id) = 1
),
-- days_left counts from the first working day on or after D: on a weekend or holiday night a deadline already passed
-- is negative (overdue, as the summary and the report count it: deadline < D) and one on the next working day is 0
today AS (SELECT min_by(w.working_day_index, w.date) AS working_day_index FROM working_days AS w, run_context AS r
          WHERE w.is_working AND w.date >= r.as_of)
SELECT q.warning_id, q.household_id, q.region_code, q.street_code, q.street_name, q.warning_code, q.category,
       q.label_zh, q.severity, q.score,
       regexp_replace(
           regexp_replace(q.reasons, '(^|[^0-9A-Za-z])(\d{6})\d{7,9}(\d{3}[\dXx])([^0-9A-Za-z]|$)', '\1\2********\3\4', 'g'),
           '(^|[^0-9A-Za-z])(\d{6})\d{7,9}(\d{3}[\dXx])([^0-9A-Za-z]|$)', '\1\2********\3\4', 'g') AS reasons,
       regexp_replace(
           regexp_replace(q.evidence, '(^|[^0-9A-Za-z])(\d{6})\d{7,9}(\d{3}[\dXx])([^0-9A-Za-z]|$)', '\1\2********\3\4', 'g'),
           '(^|[^0-9A-Za-z])(\d{6})\d{7,9}(\d{3}[\dXx])([^0-9A-Za-z]|$)', '\1\2********\3\4', 'g') AS evidence,
       q.raised_date, q.deadline,
       d.working_day_index - (SELECT working_day_index FROM today) AS days_left,
       q.status, h.head_name, h.head_id_masked,
       hh.address, q.region_code AS community_code, c.community_name,
       CASE WHEN q.status = 'in_progress' THEN p.imported_as_of END AS progress_date,
       CASE WHEN q.status = 'in_progress' THEN p.caseworker_id END AS progress_caseworker,
       CASE WHEN q.status = 'in_progress' THEN p.note END AS progress_note,
       -- 免申即享 (docs/CONTRACT.md v2): the flag the rule put in the evidence; false for every other warning
       coalesce(json_extract(q.evidence, '$.fast_track.value')::BOOLEAN, false) AS fast_track
FROM queue_next AS q
LEFT JOIN heads AS h USING (household_id)
LEFT JOIN (SELECT household_id, min(address) AS address FROM households GROUP BY household_id) AS hh USING (household_id)
LEFT JOIN progress_in_force AS p USING (warning_id)
LEFT JOIN communities AS c ON c.community_code = q.region_code
LEFT JOIN working_days AS d ON d.date = q.deadline
WHERE q.status IN ('open', 'in_progress')
