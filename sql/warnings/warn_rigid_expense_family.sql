-- depends: household_features, param_evidence, rule_context
-- RIGID_EXPENSE_FAMILY (刚性支出困难家庭): n >= 1, not on the roster, not enrolled as edge or rigid; per-capita income
-- known and below rigid.disposable_income_annual / 12; asset tests pass; rigid spending over the lookback above
-- rigid.expense_share_of_income x household annual income (per-capita x n x 12 = window net x 12 / window months).
-- Grain: one row per household. Condition key: RIGID_EXPENSE_FAMILY.
WITH ctx AS (
    SELECT * FROM rule_context
),
fired AS (
    SELECT
        f.*,
        (f.window_net * 12 / ctx.window_months)::DECIMAL(18, 2)                          AS annual_income,
        (ctx.rigid_expense_share * f.window_net * 12 / ctx.window_months)::DECIMAL(18, 2) AS spending_line,
        (ctx.rigid_disposable_income_annual / 12)::DECIMAL(18, 2)                         AS monthly_income_line,
        -- listed here, not in the final to_json: there DuckDB's plan listed every household's expenses (docs/adr/0013)
        expense_records(f.household_id, false)                                            AS expense_list
    FROM household_features f, ctx
    WHERE f.n >= 1 AND NOT f.is_on_roster AND NOT f.is_enrolled_edge AND NOT f.is_enrolled_rigid
      AND f.income_known AND f.asset_pass
      AND f.window_net * 12 < ctx.rigid_disposable_income_annual * ctx.window_months * f.n
      AND f.rigid_self_paid * ctx.window_months > ctx.rigid_expense_share * f.window_net * 12
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['rigid.disposable_income_annual', 'rigid.expense_share_of_income', 'expenses.lookback_days', 'income.window_months', 'income.excluded_sources', 'income.employment_cost_share', 'assets.financial_limit_months', 'assets.exempt_vehicle_subtypes', 'assets.max_residential_properties'])
),
texts AS (
    SELECT
        (SELECT since_text FROM param_evidence WHERE name = 'rigid.disposable_income_annual') AS income_since,
        (SELECT since_text FROM param_evidence WHERE name = 'rigid.expense_share_of_income')  AS share_since
)
SELECT
    f.household_id,
    'RIGID_EXPENSE_FAMILY' AS warning_code,
    'RIGID_EXPENSE_FAMILY' AS condition_key,
    '近 ' || ctx.expense_lookback_days || ' 天医疗、教育、康复等刚性支出自付 ' || fmt_yuan(f.rigid_self_paid)
        || ' 元，超过家庭年收入 ' || fmt_yuan(f.annual_income) || ' 元的 ' || fmt_num(ctx.rigid_expense_share) || ' 倍（'
        || fmt_yuan(f.spending_line) || ' 元，比例' || texts.share_since || '）；家庭月人均收入 ' || fmt_yuan(f.per_capita)
        || ' 元，低于上年居民人均可支配收入 ' || fmt_num(ctx.rigid_disposable_income_annual) || ' 元' || texts.income_since || '的月均值 ' || fmt_yuan(f.monthly_income_line)
        || ' 元；尚未登记为刚性支出困难家庭。' AS reasons,
    to_json({
        'annual_income': f.annual_income,
        'expenses': {'records': f.expense_list, 'self_paid_total': f.rigid_self_paid},
        'income': {
            'income_records': f.window_records,
            'net': f.window_net,
            'per_capita': f.per_capita,
            'record_ids': income_record_ids(f.household_id, ctx.window_start),
            'window': month_span_text(ctx.window_start, ctx.month_of_d)
        },
        'members_present': f.n,
        'monthly_income_line': f.monthly_income_line,
        'parameters': u.parameters,
        'spending_line': f.spending_line
    }) AS evidence
FROM fired f
CROSS JOIN ctx
CROSS JOIN texts
JOIN used u ON u.hukou_type = f.hukou_type
