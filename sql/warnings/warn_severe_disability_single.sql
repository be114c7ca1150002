-- depends: household_features, member_presence, rule_context
-- SEVERE_DISABILITY_SINGLE (重病重残可单人保): an edge family (n >= 1, not on the roster) with a present member of
-- disability grade in disability.severe_grades, or grade disability.severe_typed_grade with a type in
-- disability.severe_grade3_types: that member may be covered alone. An edge family is one registered as edge, or one
-- that meets the edge-family test that night without being registered (docs/CONTRACT.md §3, v2): the test is
-- household_features.meets_edge_test, the one EDGE_FAMILY reads. A registered family's evidence is as before; an
-- unregistered one's says `edge_basis: income_test` and carries the income, line and parameters of the test.
-- Grain: one row per household and person. Condition key: SEVERE_DISABILITY_SINGLE:<person_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
severe AS (
    SELECT m.household_id, m.person_id, m.name, m.disability_grade, m.disability_type
    FROM member_presence m, ctx
    WHERE m.is_present
      AND is_severe_disability(m.disability_grade, m.disability_type, ctx.severe_grades, ctx.severe_typed_grade,
                               ctx.severe_grade3_types)
),
used AS (
    SELECT parameters FROM parameters_cited(['disability.severe_grades', 'disability.severe_typed_grade', 'disability.severe_grade3_types'])
),
used_test AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['disability.severe_grades', 'disability.severe_typed_grade', 'disability.severe_grade3_types', 'edge.income_multiple', 'income.window_months', 'income.excluded_sources', 'income.employment_cost_share', 'assets.financial_limit_months', 'assets.exempt_vehicle_subtypes', 'assets.max_residential_properties'])
)
SELECT
    m.household_id,
    'SEVERE_DISABILITY_SINGLE' AS warning_code,
    'SEVERE_DISABILITY_SINGLE:' || m.person_id AS condition_key,
    '低保边缘家庭成员 ' || m.name || ' 持 ' || m.disability_grade || ' 级' || disability_type_zh(m.disability_type)
        || '残疾人证，属重度残疾，可按重病重残单人纳入低保。' AS reasons,
    to_json({
        'disability_grade': m.disability_grade,
        'disability_type': m.disability_type,
        'parameters': u.parameters,
        'person_id': m.person_id
    }) AS evidence
FROM severe m
JOIN household_features f ON f.household_id = m.household_id
CROSS JOIN used u
WHERE f.is_enrolled_edge AND f.n >= 1 AND NOT f.is_on_roster

UNION ALL

SELECT
    m.household_id,
    'SEVERE_DISABILITY_SINGLE' AS warning_code,
    'SEVERE_DISABILITY_SINGLE:' || m.person_id AS condition_key,
    '家庭月人均收入 ' || fmt_yuan(f.per_capita) || ' 元，不低于' || f.standard_label || ' ' || f.standard_text
        || '，但低于其 ' || fmt_num(ctx.edge_income_multiple) || ' 倍（'
        || fmt_yuan(f.edge_line) || ' 元），财产符合规定，属低保边缘家庭（尚未登记）；成员 '
        || m.name || ' 持 ' || m.disability_grade || ' 级' || disability_type_zh(m.disability_type)
        || '残疾人证，属重度残疾，可按重病重残单人纳入低保。' AS reasons,
    to_json({
        'disability_grade': m.disability_grade,
        'disability_type': m.disability_type,
        'edge_basis': 'income_test',
        'edge_line': f.edge_line,
        'income': income_evidence(f.household_id, f.window_countable, f.window_deduction, f.window_records, f.window_net,
                                  f.per_capita, ctx.window_start, ctx.month_of_d),
        'members_present': f.n,
        'parameters': u.parameters,
        'person_id': m.person_id,
        'standard': f.standard
    }) AS evidence
FROM severe m
JOIN household_features f ON f.household_id = m.household_id
CROSS JOIN ctx
JOIN used_test u ON u.hukou_type = f.hukou_type
WHERE f.meets_edge_test AND NOT f.is_enrolled_edge
