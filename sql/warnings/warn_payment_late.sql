-- depends: payment_status, rule_context
-- PAYMENT_LATE (未及时发放): paid_date after the due date of the period = its last day + payment.due_offset_days.
-- Grain: one row per payment. Condition key: PAYMENT_LATE:<payment_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT parameters FROM parameters_cited(['payment.due_offset_days'])
),
due AS (
    SELECT p.*, (p.period_end + to_days(ctx.payment_due_offset_days))::DATE AS due_date
    FROM payment_status p, ctx
)
SELECT
    d.household_id,
    'PAYMENT_LATE' AS warning_code,
    'PAYMENT_LATE:' || d.payment_id AS condition_key,
    strftime(d.period, '%Y-%m') || ' 的' || program_zh(d.program) || '金应于 ' || strftime(d.due_date, '%Y-%m-%d')
        || ' 前发放，实际 ' || strftime(d.paid_date, '%Y-%m-%d') || ' 发放，迟 ' || (d.paid_date - d.due_date) || ' 天。' AS reasons,
    to_json({
        'amount': d.amount,
        'days_late': d.paid_date - d.due_date,
        'due_date': strftime(d.due_date, '%Y-%m-%d'),
        'paid_date': strftime(d.paid_date, '%Y-%m-%d'),
        'parameters': u.parameters,
        'payment_id': d.payment_id,
        'period': strftime(d.period, '%Y-%m'),
        'program': d.program
    }) AS evidence
FROM due d
CROSS JOIN used u
WHERE d.paid_date > d.due_date
