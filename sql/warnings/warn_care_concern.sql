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
ranked AS (
    SELECT c.person_id, c.contact_id, c.contact_date, c.mode, c.result,
           row_number() OVER (PARTITION BY c.person_id ORDER BY c.contact_date DESC, c.contact_id DESC) AS k
    FROM care_contacts c, ctx
    WHERE c.contact_date <= ctx.as_of
),
runs AS (
    -- the run of no_answer contacts up to the latest: the contacts before the latest reached one (k = 1 is the latest)
    SELECT person_id,
           coalesce(min(k) FILTER (WHERE result <> 'no_answer') - 1, count(*)) AS run_length
    FROM ranked
    GROUP BY person_id
),
streaks AS (
    SELECT r.person_id, n.run_length,
           list(r.contact_id ORDER BY r.contact_date, r.contact_id)  AS contact_ids,
           arg_max(r.contact_id, r.k)                                AS first_contact_id,
           min(r.contact_date)                                       AS first_date,
           max(r.contact_date)                                       AS last_date
    FROM ranked r
    JOIN runs n ON n.person_id = r.person_id AND r.k <= n.run_length
    CROSS JOIN ctx
    WHERE n.run_length >= ctx.no_answer_run
    GROUP BY r.person_id, n.run_length
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
