-- depends: payment_status, persons
-- ACCOUNT_HOLDER_OUTSIDE (疑似卡折代管): payments in scope to an account holder not listed in `persons` for the household.
-- Grain: one row per household and account holder. Condition key: ACCOUNT_HOLDER_OUTSIDE:<account_holder_id>.
WITH outside AS (
    SELECT p.*
    FROM payment_status p
    WHERE NOT EXISTS (SELECT 1 FROM persons m WHERE m.household_id = p.household_id AND m.person_id = p.account_holder_id)
)
SELECT
    household_id,
    'ACCOUNT_HOLDER_OUTSIDE' AS warning_code,
    'ACCOUNT_HOLDER_OUTSIDE:' || account_holder_id AS condition_key,
    count(*) || ' 笔保障金（合计 ' || fmt_yuan(sum(amount)) || ' 元）发放到非本户成员（身份证 ' || mask_id(account_holder_id)
        || '）的账户，疑似卡折代管。' AS reasons,
    to_json({
        'account_holder_id': account_holder_id,
        'parameters': []::JSON[],
        'payments': list({'amount': amount, 'paid_date': strftime(paid_date, '%Y-%m-%d'), 'payment_id': payment_id,
                          'period': strftime(period, '%Y-%m'), 'program': program} ORDER BY payment_id),
        'total_amount': sum(amount)
    }) AS evidence
FROM outside
GROUP BY household_id, account_holder_id
