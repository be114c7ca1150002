-- PAYMENT_MISMATCH (未足额/超额发放): |amount - monthly_benefit of the enrollment of that program in force on the
-- period's first day| > payment.mismatch_tolerance_yuan.
-- Grain: one row per payment. Condition key: PAYMENT_MISMATCH:<payment_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT list(evidence ORDER BY name) AS parameters FROM param_evidence WHERE name IN ('payment.mismatch_tolerance_yuan')
)
SELECT
    p.household_id,
    'PAYMENT_MISMATCH' AS warning_code,
    'PAYMENT_MISMATCH:' || p.payment_id AS condition_key,
    strftime(p.period, '%Y-%m') || ' 的' || program_zh(p.program) || '金实发 ' || fmt_yuan(p.amount) || ' 元，核定月保障金 '
        || fmt_yuan(p.monthly_benefit) || ' 元，' || CASE WHEN p.amount < p.monthly_benefit THEN '少发 ' ELSE '多发 ' END
        || fmt_yuan(abs(p.amount - p.monthly_benefit)) || ' 元。' AS reasons,
    to_json({
        'amount': p.amount,
        'difference': (p.amount - p.monthly_benefit)::DECIMAL(18, 2),
        'enrollment_id': p.enrollment_id,
        'monthly_benefit': p.monthly_benefit,
        'paid_date': strftime(p.paid_date, '%Y-%m-%d'),
        'parameters': u.parameters,
        'payment_id': p.payment_id,
        'period': strftime(p.period, '%Y-%m'),
        'program': p.program
    }) AS evidence
FROM payment_status p
CROSS JOIN ctx
CROSS JOIN used u
WHERE p.enrollment_id IS NOT NULL AND abs(p.amount - p.monthly_benefit) > ctx.payment_mismatch_tolerance
