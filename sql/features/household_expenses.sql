-- depends: expenses, member_presence, rule_context
-- Self-paid expenditure of present members dated in (D - expenses.lookback_days, D]: medical (MEDICAL_SHOCK) and
-- rigid (RIGID_EXPENSE_FAMILY: medical_*, education, disability_rehab).
-- Grain: one row per household with at least one such expense.
-- The records behind the totals are listed by the `expense_records` macro (sql/macros/evidence.sql) for the
-- households a rule raises only: sorting struct lists for every household would dominate the rule pass (docs/adr/0013).
WITH ctx AS (
    SELECT * FROM rule_context
),
x AS (
    SELECT m.household_id, e.category, e.self_paid_amount
    FROM expenses e
    JOIN member_presence m ON m.person_id = e.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE e.date > ctx.expense_after AND e.date <= ctx.as_of
      AND (e.category LIKE 'medical\_%' ESCAPE '\' OR e.category IN ('education', 'disability_rehab'))
)
SELECT
    household_id,
    coalesce(sum(self_paid_amount) FILTER (WHERE category LIKE 'medical\_%' ESCAPE '\'), 0)::DECIMAL(18, 2) AS medical_self_paid,
    coalesce(sum(self_paid_amount), 0)::DECIMAL(18, 2)                                                    AS rigid_self_paid
FROM x
GROUP BY household_id
