-- depends: payment_status, rule_context
-- PAYMENT_MISMATCH (未足额/超额发放): the total paid for a household, program and period differs from the monthly_benefit
-- of the enrollment of that program in force on the period's first day by more than payment.mismatch_tolerance_yuan.
-- Summed per period, not per payment: a benefit paid in two instalments is paid in full, and a second payment of the
-- full benefit for the same month is an overpayment.
-- Grain: one row per household, program and period. Condition key: PAYMENT_MISMATCH:<payment_id> of the period's first
-- payment (smallest payment_id), which identifies the period's payments as one event.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT parameters FROM parameters_cited(['payment.mismatch_tolerance_yuan'])
),
periods AS (
    SELECT household_id, program, period, enrollment_id, monthly_benefit,
           sum(amount)::DECIMAL(18, 2) AS amount, min(payment_id) AS first_payment_id
    FROM payment_status
    WHERE enrollment_id IS NOT NULL
    GROUP BY household_id, program, period, enrollment_id, monthly_benefit
),
mismatched AS (
    -- the payments of the few periods that differ, listed for the evidence (not of every period: ~1 M at scale)
    SELECT p.*, list({'amount': s.amount, 'paid_date': strftime(s.paid_date, '%Y-%m-%d'), 'payment_id': s.payment_id}
                     ORDER BY s.payment_id) AS payments
    FROM periods p
    CROSS JOIN ctx
    JOIN payment_status s ON s.household_id = p.household_id AND s.program = p.program AND s.period = p.period
    WHERE abs(p.amount - p.monthly_benefit) > ctx.payment_mismatch_tolerance
    GROUP BY ALL
)
SELECT
    p.household_id,
    'PAYMENT_MISMATCH' AS warning_code,
    'PAYMENT_MISMATCH:' || p.first_payment_id AS condition_key,
    strftime(p.period, '%Y-%m') || ' 的' || program_zh(p.program) || '金实发 ' || fmt_yuan(p.amount) || ' 元'
        || CASE WHEN len(p.payments) > 1 THEN '（' || len(p.payments) || ' 笔合计）' ELSE '' END
        || '，核定月保障金 ' || fmt_yuan(p.monthly_benefit) || ' 元，'
        || CASE WHEN p.amount < p.monthly_benefit THEN '少发 ' ELSE '多发 ' END
        || fmt_yuan(abs(p.amount - p.monthly_benefit)) || ' 元。' AS reasons,
    to_json({
        'amount': p.amount,
        'difference': (p.amount - p.monthly_benefit)::DECIMAL(18, 2),
        'enrollment_id': p.enrollment_id,
        'monthly_benefit': p.monthly_benefit,
        'parameters': u.parameters,
        'payments': p.payments,
        'period': strftime(p.period, '%Y-%m'),
        'program': p.program
    }) AS evidence
FROM mismatched p
CROSS JOIN ctx
CROSS JOIN used u
