-- Self-paid expenditure of present members dated in (D - expenses.lookback_days, D]: medical (MEDICAL_SHOCK) and
-- rigid (RIGID_EXPENSE_FAMILY: medical_*, education, disability_rehab).
-- Grain: one row per household with at least one such expense. Record lists are sorted by date (the first key);
-- the rules re-key them in sorted key order for the evidence.
WITH ctx AS (
    SELECT * FROM rule_context
),
x AS (
    SELECT m.household_id, e.record_id, e.category, e.date, e.self_paid_amount
    FROM expenses e
    JOIN member_presence m ON m.person_id = e.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE e.date > ctx.expense_after AND e.date <= ctx.as_of
      AND (e.category LIKE 'medical\_%' ESCAPE '\' OR e.category IN ('education', 'disability_rehab'))
)
SELECT
    household_id,
    coalesce(sum(self_paid_amount) FILTER (WHERE category LIKE 'medical\_%' ESCAPE '\'), 0)::DECIMAL(18, 2) AS medical_self_paid,
    list_sort(list({'date': strftime(date, '%Y-%m-%d'), 'record_id': record_id, 'amount': self_paid_amount::DECIMAL(18, 2),
                    'category': category}) FILTER (WHERE category LIKE 'medical\_%' ESCAPE '\'))          AS medical_records,
    coalesce(sum(self_paid_amount), 0)::DECIMAL(18, 2)                                                    AS rigid_self_paid,
    list_sort(list({'date': strftime(date, '%Y-%m-%d'), 'record_id': record_id, 'amount': self_paid_amount::DECIMAL(18, 2),
                    'category': category}))                                                              AS rigid_records
FROM x
GROUP BY household_id
