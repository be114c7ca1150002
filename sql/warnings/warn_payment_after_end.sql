-- depends: payment_status
-- PAYMENT_AFTER_END (停保/死亡后仍发放): a payment in scope whose period starts when no enrollment of that program is in
-- force (after its end_date; a first part-month of an enrollment starting inside the period is not counted), or when the
-- household's last listed member had died (n = 0 on the period's first day, a death on or before it).
-- Grain: one row per payment. Condition key: PAYMENT_AFTER_END:<payment_id>.
WITH fired AS (
    SELECT
        p.*,
        p.enrollment_id IS NULL AND NOT p.starts_in_period                  AS after_enrollment,
        coalesce(p.n_on_period = 0 AND p.last_death_date IS NOT NULL, false) AS after_death
    FROM payment_status p
)
SELECT
    household_id,
    'PAYMENT_AFTER_END' AS warning_code,
    'PAYMENT_AFTER_END:' || payment_id AS condition_key,
    strftime(period, '%Y-%m') || ' 的' || program_zh(program) || '金 ' || fmt_yuan(amount) || ' 元于 '
        || strftime(paid_date, '%Y-%m-%d') || ' 发放，但'
        || concat_ws('，且',
               CASE WHEN after_enrollment THEN
                   CASE WHEN ended_on IS NOT NULL THEN '该户' || program_zh(program) || '已于 ' || strftime(ended_on, '%Y-%m-%d') || ' 终止'
                        ELSE '该户在该月没有有效的' || program_zh(program) || '保障记录' END END,
               CASE WHEN after_death THEN '该户最后一名成员已于 ' || strftime(last_death_date, '%Y-%m-%d') || ' 死亡' END)
        || '。' AS reasons,
    to_json({
        'after_death': after_death,
        'after_enrollment_end': after_enrollment,
        'amount': amount,
        'enrollment_ended_on': strftime(ended_on, '%Y-%m-%d'),
        'enrollment_ids': program_enrollment_ids,
        'last_death_date': strftime(last_death_date, '%Y-%m-%d'),
        'paid_date': strftime(paid_date, '%Y-%m-%d'),
        'parameters': []::JSON[],
        'payment_id': payment_id,
        'period': strftime(period, '%Y-%m'),
        'program': program
    }) AS evidence
FROM fired
WHERE after_enrollment OR after_death
