-- depends: fast_track_facts, household_features, rule_context
-- ELIGIBLE_NOT_COVERED (疑似漏保): n >= 1, not on the roster; per-capita income below the standard, or unknown (no
-- income record: said in the evidence, never imputed), and the asset tests pass.
-- Evidence `fast_track`: the 免申即享 flag, its facts and sources, the missing fact when false (fast_track_facts).
-- Grain: one row per household. Condition key: ELIGIBLE_NOT_COVERED.
WITH ctx AS (
    SELECT * FROM rule_context
),
fired AS (
    SELECT f.*
    FROM household_features f, ctx
    WHERE f.n >= 1 AND NOT f.is_on_roster AND f.asset_pass
      AND (NOT f.income_known OR f.window_net < f.standard * ctx.window_months * f.n)
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['income.window_months', 'income.excluded_sources', 'income.employment_cost_share', 'assets.financial_limit_months', 'assets.exempt_vehicle_subtypes', 'assets.max_residential_properties'])
)
SELECT
    f.household_id,
    'ELIGIBLE_NOT_COVERED' AS warning_code,
    'ELIGIBLE_NOT_COVERED' AS condition_key,
    CASE WHEN f.income_known
         THEN '家庭月人均收入 ' || fmt_yuan(f.per_capita) || ' 元，低于' || f.standard_label || ' ' || f.standard_text
              || '；财产符合规定，但未纳入低保或特困供养。'
         ELSE '近 ' || ctx.window_months || ' 个月共同生活家庭成员无任何收入记录，收入未知（不以零收入推定）；财产符合规定，'
              || '未纳入低保或特困供养，请入户核实收入（对照' || f.standard_label || ' ' || f.standard_text || '）。'
    END AS reasons,
    to_json({
        'assets': {'failed_tests': f.failed_tests, 'financial_limit': f.financial_limit, 'financial_total': f.financial_total},
        'fast_track': ft.income_rule,
        'income': {
            'countable': f.window_countable,
            'deduction': f.window_deduction,
            'income_known': f.income_known,
            'income_records': f.window_records,
            'net': f.window_net,
            'per_capita': f.per_capita,
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
JOIN fast_track_facts ft ON ft.household_id = f.household_id
