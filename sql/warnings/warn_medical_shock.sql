-- depends: household_features, param_evidence, rule_context
-- MEDICAL_SHOCK (大额医疗支出): n >= 1, not on the roster; self-paid medical_* expenses of present members dated in
-- (D - expenses.lookback_days, D] add up to more than medical.shock_threshold_yuan.
-- Grain: one row per household. Condition key: MEDICAL_SHOCK.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT list(evidence ORDER BY name) AS parameters,
           any_value(since_text) FILTER (WHERE name = 'medical.shock_threshold_yuan') AS threshold_since
    FROM param_evidence
    WHERE name IN ('medical.shock_threshold_yuan', 'expenses.lookback_days')
)
SELECT
    f.household_id,
    'MEDICAL_SHOCK' AS warning_code,
    'MEDICAL_SHOCK' AS condition_key,
    '近 ' || ctx.expense_lookback_days || ' 天家庭成员医疗自付费用合计 ' || fmt_yuan(f.medical_self_paid)
        || ' 元，超过大额医疗支出线 ' || fmt_num(ctx.medical_shock_threshold) || ' 元' || u.threshold_since || '；该户未纳入低保或特困供养。' AS reasons,
    to_json({
        'expenses': expense_records(f.household_id, true),
        'members_present': f.n,
        'parameters': u.parameters,
        'period': strftime(ctx.expense_after + INTERVAL 1 DAY, '%Y-%m-%d') || '..' || strftime(ctx.as_of, '%Y-%m-%d'),
        'self_paid_total': f.medical_self_paid
    }) AS evidence
FROM household_features f
CROSS JOIN ctx
CROSS JOIN used u
WHERE f.n >= 1 AND NOT f.is_on_roster AND f.medical_self_paid > ctx.medical_shock_threshold
