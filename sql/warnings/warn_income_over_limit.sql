-- depends: household_features, rule_context
-- INCOME_OVER_LIMIT (收入超标): a dibao enrollment in force with status active — a household in gradual exit (渐退期)
-- is left alone — and per-capita income known and above the standard.
-- Grain: one row per household. Condition key: INCOME_OVER_LIMIT.
WITH ctx AS (
    SELECT * FROM rule_context
),
fired AS (
    SELECT f.*
    FROM household_features f, ctx
    WHERE f.has_dibao_active AND NOT f.has_dibao_gradual_exit AND f.income_known AND f.n >= 1
      AND f.window_net > f.standard * ctx.window_months * f.n
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['income.window_months', 'income.excluded_sources', 'income.employment_cost_share'])
)
SELECT
    f.household_id,
    'INCOME_OVER_LIMIT' AS warning_code,
    'INCOME_OVER_LIMIT' AS condition_key,
    '家庭月人均收入 ' || fmt_yuan(cents_up(f.window_net, ctx.window_months * f.n)) || ' 元，高于' || f.standard_label || ' ' || f.standard_text
        || '；该户正在享受低保（非渐退期），请核实收入。' AS reasons,
    to_json({
        'enrollment_ids': f.dibao_active_enrollment_ids,
        'income': {
            'countable': f.window_countable,
            'deduction': f.window_deduction,
            'income_records': f.window_records,
            'net': f.window_net,
            'per_capita': cents_up(f.window_net, ctx.window_months * f.n),
            'record_ids': income_record_ids(f.household_id, ctx.window_start),
            'window': month_span_text(ctx.window_start, ctx.month_of_d)
        },
        'members_present': f.n,
        'parameters': u.parameters,
        'standard': f.standard
    }) AS evidence
FROM fired f
CROSS JOIN ctx
JOIN used u ON u.hukou_type = f.hukou_type
