-- depends: household_features, rule_context
-- EDGE_FAMILY (低保边缘家庭): n >= 1, not on the roster, not enrolled as edge; per-capita income known, at or above the
-- standard and below edge.income_multiple x the standard; asset tests pass.
-- Grain: one row per household. Condition key: EDGE_FAMILY.
WITH ctx AS (
    SELECT * FROM rule_context
),
fired AS (
    SELECT f.*
    FROM household_features f
    WHERE f.meets_edge_test AND NOT f.is_enrolled_edge  -- the test: household_features.meets_edge_test
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['edge.income_multiple', 'income.window_months', 'income.excluded_sources', 'income.employment_cost_share', 'assets.financial_limit_months', 'assets.exempt_vehicle_subtypes', 'assets.max_residential_properties'])
)
SELECT
    f.household_id,
    'EDGE_FAMILY' AS warning_code,
    'EDGE_FAMILY' AS condition_key,
    '家庭月人均收入 ' || fmt_yuan(f.per_capita) || ' 元，不低于' || f.standard_label || ' ' || f.standard_text
        || '，但低于其 ' || fmt_num(ctx.edge_income_multiple) || ' 倍（' || fmt_yuan(f.edge_line)
        || ' 元）；财产符合规定，尚未登记为低保边缘家庭。' AS reasons,
    to_json({
        'assets': {'failed_tests': f.failed_tests, 'financial_limit': f.financial_limit, 'financial_total': f.financial_total},
        'edge_line': f.edge_line,
        'income': income_evidence(f.household_id, f.window_countable, f.window_deduction, f.window_records, f.window_net,
                                  f.per_capita, ctx.window_start, ctx.month_of_d),
        'members_present': f.n,
        'parameters': u.parameters,
        'standard': f.standard
    }) AS evidence
FROM fired f
CROSS JOIN ctx
JOIN used u ON u.hukou_type = f.hukou_type
