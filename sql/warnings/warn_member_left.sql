-- depends: enrollment, events, household_features, member_presence, rule_context
-- MEMBER_LEFT (成员迁出/服刑未调整): as MEMBER_DECEASED, with the hukou_out or incarceration event that makes a listed
-- member away on D (the latest of its kind on or before D, not followed by hukou_in / release).
-- Grain: one row per household and event. Condition key: MEMBER_LEFT:<event_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
covered AS (
    SELECT e.*
    FROM enrollment e, ctx
    WHERE is_covering(e.program, e.status, e.start_date, e.end_date, ctx.as_of)
),
hits AS (
    SELECT
        m.household_id, m.person_id, m.name, ev.event_id, ev.event_type, ev.event_date, ev.source, f.n,
        list({'covered_persons': c.covered_persons, 'enrollment_id': c.enrollment_id, 'program': c.program,
              'start_date': strftime(c.start_date, '%Y-%m-%d')} ORDER BY c.enrollment_id) AS enrollments,
        max(c.covered_persons) AS covered_persons
    FROM events ev
    JOIN member_presence m ON m.person_id = ev.person_id
    JOIN household_features f ON f.household_id = m.household_id
    JOIN covered c ON c.household_id = m.household_id
    CROSS JOIN ctx
    WHERE ev.event_date <= ctx.as_of
      AND ((ev.event_type = 'hukou_out' AND m.is_moved_out AND ev.event_date = m.last_hukou_out)
           OR (ev.event_type = 'incarceration' AND m.is_incarcerated AND ev.event_date = m.last_incarceration))
      AND ev.event_date >= c.start_date AND c.covered_persons > f.n
    GROUP BY ALL
)
SELECT
    household_id,
    'MEMBER_LEFT' AS warning_code,
    'MEMBER_LEFT:' || event_id AS condition_key,
    '家庭成员 ' || name || ' 已于 ' || strftime(event_date, '%Y-%m-%d')
        || CASE event_type WHEN 'hukou_out' THEN ' 户籍迁出' ELSE ' 被收监服刑' END
        || '，但保障人数仍为 ' || covered_persons || ' 人，现共同生活成员 ' || n || ' 人，待遇未调整。' AS reasons,
    to_json({
        'enrollments': enrollments,
        'event_date': strftime(event_date, '%Y-%m-%d'),
        'event_id': event_id,
        'event_type': event_type,
        'members_present': n,
        'parameters': []::JSON[],
        'person_id': person_id,
        'source': source
    }) AS evidence
FROM hits
