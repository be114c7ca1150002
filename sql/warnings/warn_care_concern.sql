-- depends: care_contacts, care_context, member_presence
-- CARE_CONCERN (探访发现异常): for a person present on D, (a) a contact dated in (D - care.follow_up_days, D] that
-- recorded `concern`: key CARE_CONCERN:<contact_id>; or (b) the person's latest care.no_answer_run contacts on or before
-- D (by date, then contact_id) all recorded `no_answer`: key CARE_CONCERN:<person_id>:no_answer_since:<contact_id>,
-- the first contact of the unbroken run of no_answer contacts up to the latest one (the key stays while the run goes on;
-- a reached contact ends it).
-- Grain: one row per household and condition.
WITH ctx AS (
    SELECT * FROM care_context
),
people AS (
    SELECT person_id, household_id, name FROM member_presence WHERE is_present
),
concerns AS (
    SELECT c.*
    FROM care_contacts c, ctx
    WHERE c.result = 'concern' AND c.contact_date > ctx.as_of - to_days(ctx.follow_up_days)
      AND c.contact_date <= ctx.as_of
),
reached AS (
    -- per person, the latest contact on or before D that reached them (by date, then contact_id; none: NULL): one
    -- grouping instead of a window numbering every contact of the feed
    SELECT c.person_id,
           max({'date': c.contact_date, 'id': c.contact_id}) FILTER (WHERE c.result <> 'no_answer') AS last_reached
    FROM care_contacts c, ctx
    WHERE c.contact_date <= ctx.as_of
    GROUP BY c.person_id
),
runs AS (
    -- the run of no_answer contacts up to the latest: the contacts after the latest reached one (all, when none was)
    SELECT c.person_id, c.contact_id, c.contact_date
    FROM care_contacts c
    JOIN reached r ON r.person_id = c.person_id
    CROSS JOIN ctx
    WHERE c.contact_date <= ctx.as_of
      AND (r.last_reached IS NULL OR {'date': c.contact_date, 'id': c.contact_id} > r.last_reached)
),
streaks AS (
    SELECT r.person_id,
           count(*)                                                                    AS run_length,
           list(r.contact_id ORDER BY r.contact_date, r.contact_id)                    AS contact_ids,
           struct_extract(min({'date': r.contact_date, 'id': r.contact_id}), 'id')     AS first_contact_id,
           min(r.contact_date)                                                         AS first_date,
           max(r.contact_date)                                                         AS last_date
    FROM runs r
    CROSS JOIN ctx
    GROUP BY r.person_id, ctx.no_answer_run
    HAVING count(*) >= ctx.no_answer_run
),
used_concern AS (
    SELECT parameters FROM parameters_cited(['care.follow_up_days'])
),
used_run AS (
    SELECT parameters FROM parameters_cited(['care.no_answer_run'])
)
SELECT
    p.household_id,
    'CARE_CONCERN' AS warning_code,
    'CARE_CONCERN:' || c.contact_id AS condition_key,
    strftime(c.contact_date, '%Y-%m-%d') || CASE c.mode WHEN 'visit' THEN ' 上门探访 ' ELSE ' 电话问候 ' END
        || p.name || ' 时发现异常（如生病、缺少食物、居住不安全），请尽快处置。' AS reasons,
    to_json({
        'contact_date': strftime(c.contact_date, '%Y-%m-%d'),
        'contact_id': c.contact_id,
        'mode': c.mode,
        'parameters': u.parameters,
        'person_id': c.person_id,
        'result': c.result,
        'staff_id': c.staff_id
    }) AS evidence
FROM concerns c
JOIN people p ON p.person_id = c.person_id
CROSS JOIN used_concern u
UNION ALL
SELECT
    p.household_id,
    'CARE_CONCERN' AS warning_code,
    'CARE_CONCERN:' || s.person_id || ':no_answer_since:' || s.first_contact_id AS condition_key,
    p.name || ' 自 ' || strftime(s.first_date, '%Y-%m-%d') || ' 起连续 ' || s.run_length
        || ' 次探访/电话均未接通或未见到本人（最近一次 ' || strftime(s.last_date, '%Y-%m-%d') || '），达到 '
        || ctx.no_answer_run || ' 次，请尽快上门确认老人安全。' AS reasons,
    to_json({
        'contact_ids': s.contact_ids,
        'first_date': strftime(s.first_date, '%Y-%m-%d'),
        'last_date': strftime(s.last_date, '%Y-%m-%d'),
        'no_answer_run': s.run_length,
        'parameters': u.parameters,
        'person_id': s.person_id
    }) AS evidence
FROM streaks s
JOIN people p ON p.person_id = s.person_id
CROSS JOIN ctx
CROSS JOIN used_run u
