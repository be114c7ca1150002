-- depends: care_context, care_persons, care_week_contacts, care_weeks
-- CARE_CONTACT_MISSED (独居老人探访未达标): an older person living alone (care_persons) had fewer than care.weekly_visits
-- home visits, or fewer than care.weekly_calls calls, in a judged full Monday..Sunday week (care_weeks: each that ended
-- before D, within care.follow_up_days), each counted separately (care_week_contacts: a no_answer contact is an
-- attempt, listed in the evidence, not a contact). A week is not judged unless care_weeks.evaluated.
-- Grain: one row per household, person and ISO week. Condition key: CARE_CONTACT_MISSED:<person_id>:<YYYY-Www>.
WITH ctx AS (
    SELECT * FROM care_context
),
used AS (
    SELECT parameters FROM parameters_cited(['care.living_alone_min_age', 'care.weekly_visits', 'care.weekly_calls', 'care.follow_up_days'])
)
SELECT
    p.household_id,
    'CARE_CONTACT_MISSED' AS warning_code,
    'CARE_CONTACT_MISSED:' || p.person_id || ':' || wk.iso_week AS condition_key,
    '独居老人 ' || p.name || '（' || p.age || ' 岁）' || strftime(wk.week_start, '%Y-%m-%d') || ' 至 '
        || strftime(wk.week_end, '%Y-%m-%d') || '（' || wk.iso_week || '）上门探访 ' || coalesce(w.visits, 0)
        || ' 次（每周应至少 ' || ctx.weekly_visits || ' 次）、电话 ' || coalesce(w.calls, 0) || ' 次（每周应至少 '
        || ctx.weekly_calls || ' 次），'
        || CASE WHEN coalesce(w.unanswered, 0) > 0
                THEN '另有 ' || w.unanswered || ' 次未接通/未见到本人，不计入；' ELSE '' END
        || '未达到每周探访关爱要求。' AS reasons,
    to_json({
        'calls': coalesce(w.calls, 0),
        'contact_ids': coalesce(w.contact_ids, []),
        'iso_week': wk.iso_week,
        'missed': list_filter([CASE WHEN coalesce(w.visits, 0) < ctx.weekly_visits THEN 'visits' END,
                               CASE WHEN coalesce(w.calls, 0) < ctx.weekly_calls THEN 'calls' END], lambda x: x IS NOT NULL),
        'parameters': u.parameters,
        'person_id': p.person_id,
        'unanswered_attempts': coalesce(w.unanswered, 0),
        'visits': coalesce(w.visits, 0),
        'week': strftime(wk.week_start, '%Y-%m-%d') || '..' || strftime(wk.week_end, '%Y-%m-%d')
    }) AS evidence
FROM care_persons p
CROSS JOIN ctx
CROSS JOIN used u
JOIN care_weeks wk ON wk.evaluated
LEFT JOIN care_week_contacts w ON w.person_id = p.person_id AND w.week_start = wk.week_start
WHERE (coalesce(w.visits, 0) < ctx.weekly_visits OR coalesce(w.calls, 0) < ctx.weekly_calls)
