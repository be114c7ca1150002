-- depends: enrollment, events, household_features, member_presence, rule_context
-- MEMBER_DECEASED (成员死亡未调整): in a covered household, a listed member's death event dated on or after the start of
-- a covered enrollment and on or before D, while that enrollment's covered_persons > n (the benefit still counts the dead).
-- Grain: one row per household and death event. Condition key: MEMBER_DECEASED:<event_id>.
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
        m.household_id, m.person_id, m.name, ev.event_id, ev.event_date, ev.source, f.n,
        list({'covered_persons': c.covered_persons, 'enrollment_id': c.enrollment_id, 'program': c.program,
              'start_date': strftime(c.start_date, '%Y-%m-%d')} ORDER BY c.enrollment_id) AS enrollments,
        max(c.covered_persons) AS covered_persons
    FROM events ev
    JOIN member_presence m ON m.person_id = ev.person_id
    JOIN household_features f ON f.household_id = m.household_id
    JOIN covered c ON c.household_id = m.household_id
    CROSS JOIN ctx
    WHERE ev.event_type = 'death' AND ev.event_date <= ctx.as_of
      AND ev.event_date >= c.start_date AND c.covered_persons > f.n
    GROUP BY ALL
)
SELECT
    household_id,
    'MEMBER_DECEASED' AS warning_code,
    'MEMBER_DECEASED:' || event_id AS condition_key,
    '家庭成员 ' || name || ' 已于 ' || strftime(event_date, '%Y-%m-%d') || ' 死亡，但保障人数仍为 ' || covered_persons
        || ' 人，现共同生活成员 ' || n || ' 人，待遇未调整。' AS reasons,
    to_json({
        'enrollments': enrollments,
        'event_date': strftime(event_date, '%Y-%m-%d'),
        'event_id': event_id,
        'members_present': n,
        'parameters': []::JSON[],
        'person_id': person_id,
        'source': source
    }) AS evidence
FROM hits
