-- depends: care_context, enrollment, fast_track_facts, member_presence
-- AGE_ALLOWANCE_DUE (高龄津贴免申即享): present members aged age_allowance.min_age or more (full years on D) outnumber the
-- persons covered by the household's age_allowance enrollments in force on D (status active, gradual_exit or suspended: a
-- suspended allowance was decided, not forgotten). One row per such member, to be granted without application.
-- Grain: one row per household and person. Condition key: AGE_ALLOWANCE_DUE:<person_id>.
WITH ctx AS (
    SELECT * FROM care_context
),
entitled AS (
    SELECT m.household_id, m.person_id, m.name, m.age, m.birth_date
    FROM member_presence m, ctx
    WHERE m.is_present AND m.age >= ctx.age_allowance_min_age
),
allowances AS (
    SELECT e.household_id, sum(e.covered_persons) AS covered, list_sort(list(e.enrollment_id)) AS enrollment_ids
    FROM enrollment e, ctx
    WHERE e.program = 'age_allowance' AND e.status IN ('active', 'gradual_exit', 'suspended')
      AND e.start_date <= ctx.as_of AND (e.end_date IS NULL OR e.end_date > ctx.as_of)
    GROUP BY e.household_id
),
counted AS (
    SELECT household_id, count(*) AS entitled_n FROM entitled GROUP BY household_id
),
used AS (
    SELECT parameters FROM parameters_cited(['age_allowance.min_age'])
)
SELECT
    e.household_id,
    'AGE_ALLOWANCE_DUE' AS warning_code,
    'AGE_ALLOWANCE_DUE:' || e.person_id AS condition_key,
    e.name || '（' || e.age || ' 岁）已满 ' || ctx.age_allowance_min_age || ' 周岁，'
        || CASE WHEN a.covered IS NULL THEN '本户没有高龄津贴记录'
                ELSE '本户高龄津贴仅覆盖 ' || a.covered || ' 人（满龄 ' || c.entitled_n || ' 人）' END
        || '：高龄津贴应免申即享，请主动发放。'
        || CASE WHEN ft.age_allowance.value THEN '所需事实均来自部门数据，无需本人申请。'
                ELSE '需先核实：' || array_to_string(list_transform(ft.age_allowance.missing, lambda x: x.zh), '；') || '。' END
        AS reasons,
    to_json({
        'age': e.age,
        'age_allowance_enrollment_ids': coalesce(a.enrollment_ids, []),
        'birth_date': strftime(e.birth_date, '%Y-%m-%d'),
        'covered_persons': coalesce(a.covered, 0),
        'entitled_members': c.entitled_n,
        'fast_track': ft.age_allowance,
        'parameters': u.parameters,
        'person_id': e.person_id
    }) AS evidence
FROM entitled e
JOIN counted c ON c.household_id = e.household_id
JOIN fast_track_facts ft ON ft.household_id = e.household_id
CROSS JOIN ctx
CROSS JOIN used u
LEFT JOIN allowances a ON a.household_id = e.household_id
WHERE coalesce(a.covered, 0) < c.entitled_n
