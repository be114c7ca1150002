-- depends: fast_track_facts, household_features, member_income, member_presence, rule_context
-- TEKUN_CANDIDATE (疑似特困未纳入): in a household with n >= 1 not on the roster, a present member with labor_capacity
-- none, no countable income in the window, and (age >= tekun.min_age, or age < tekun.max_child_age, or a severe
-- disability: grade in disability.severe_grades, or grade disability.severe_typed_grade of a type in
-- disability.severe_grade3_types, as for SEVERE_DISABILITY_SINGLE; docs/POLICY.md §2), where no other present member aged
-- tekun.supporter_min_age .. tekun.min_age - 1 has full labour capacity.
-- Evidence `fast_track`: the 免申即享 flag, its facts and sources, the missing fact when false (fast_track_facts).
-- Grain: one row per household and person. Condition key: TEKUN_CANDIDATE:<person_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
households_in_scope AS (
    SELECT household_id, n FROM household_features WHERE n >= 1 AND NOT is_on_roster
),
supporters AS (
    SELECT m.household_id, m.person_id
    FROM member_presence m, ctx
    WHERE m.is_present AND m.labor_capacity = 'full'
      AND m.age >= ctx.tekun_supporter_min_age AND m.age < ctx.tekun_min_age
),
candidates_in AS (
    SELECT
        m.*,
        m.age >= ctx.tekun_min_age                              AS is_elderly,
        m.age < ctx.tekun_max_child_age                         AS is_child,
        is_severe_disability(m.disability_grade, m.disability_type, ctx.severe_grades, ctx.severe_typed_grade,
                             ctx.severe_grade3_types)             AS is_severely_disabled
    FROM member_presence m
    JOIN households_in_scope h ON h.household_id = m.household_id
    CROSS JOIN ctx
    WHERE m.is_present AND m.labor_capacity = 'none'
      AND (m.age >= ctx.tekun_min_age OR m.age < ctx.tekun_max_child_age
           OR is_severe_disability(m.disability_grade, m.disability_type, ctx.severe_grades, ctx.severe_typed_grade,
                                   ctx.severe_grade3_types))
      -- no supporter among the other members: a candidate has no labour capacity, so a supporter is never the candidate
      -- and an equality anti-join suffices (no join on person_id <> person_id)
      AND NOT EXISTS (SELECT 1 FROM supporters s WHERE s.household_id = m.household_id)
),
countable AS (
    -- the member's own countable income over the income window (member_income)
    SELECT household_id, person_id, window_countable_records AS countable_records, window_countable AS countable_income
    FROM member_income
),
used AS (
    SELECT parameters FROM parameters_cited(['tekun.min_age', 'tekun.max_child_age', 'tekun.supporter_min_age', 'disability.severe_grades', 'disability.severe_typed_grade', 'disability.severe_grade3_types', 'income.window_months', 'income.excluded_sources'])
)
SELECT
    c.household_id,
    'TEKUN_CANDIDATE' AS warning_code,
    'TEKUN_CANDIDATE:' || c.person_id AS condition_key,
    '家庭成员 ' || c.name || '（' || c.age || ' 岁）无劳动能力，近 ' || ctx.window_months || ' 个月无计入收入，'
        || concat_ws('、',
               CASE WHEN c.is_elderly THEN '年满 ' || ctx.tekun_min_age || ' 周岁' END,
               CASE WHEN c.is_child THEN '未满 ' || ctx.tekun_max_child_age || ' 周岁' END,
               CASE WHEN c.is_severely_disabled
                    THEN '持 ' || c.disability_grade || ' 级' || disability_type_zh(c.disability_type) || '残疾人证' END)
        || '；家中没有 ' || ctx.tekun_supporter_min_age || '–' || (ctx.tekun_min_age - 1)
        || ' 岁有劳动能力的成员，疑似符合特困供养条件但未纳入。' AS reasons,
    to_json({
        'age': c.age,
        'conditions': list_filter([CASE WHEN c.is_child THEN 'child' END, CASE WHEN c.is_elderly THEN 'elderly' END,
                                   CASE WHEN c.is_severely_disabled THEN 'severe_disability' END], lambda x: x IS NOT NULL),
        'countable_income': coalesce(i.countable_income, 0)::DECIMAL(18, 2),
        'countable_income_records': coalesce(i.countable_records, 0),
        'disability_grade': c.disability_grade,
        'disability_type': c.disability_type,
        'fast_track': ft.tekun,
        'labor_capacity': c.labor_capacity,
        'parameters': u.parameters,
        'person_id': c.person_id
    }) AS evidence
FROM candidates_in c
CROSS JOIN ctx
CROSS JOIN used u
JOIN fast_track_facts ft ON ft.household_id = c.household_id
LEFT JOIN countable i ON i.household_id = c.household_id AND i.person_id = c.person_id
WHERE coalesce(i.countable_income, 0) = 0
