-- depends: run_context
-- The as-of date, the date windows the rules use, and every scalar parameter value in force on it.
-- Grain: exactly one row. Values come from the `params` table through `param()` / `param_text()` (one loader).
-- Money and rates are DECIMAL so that thresholds compare exactly (0.3 x 636 = 190.80, not 190.7999...).
WITH r AS (
    SELECT as_of, first_of_month(as_of) AS month_of_d FROM run_context
),
p AS (
    SELECT
        param('income.window_months')::INTEGER                    AS window_months,
        param('shock.recent_months')::INTEGER                     AS recent_months,
        param('income.employment_cost_share')::DECIMAL(9, 4)     AS employment_cost_share,
        from_json(param_text('income.excluded_sources'), '["VARCHAR"]')          AS excluded_sources,
        param('assets.financial_limit_months')::DECIMAL(9, 2)     AS financial_limit_months,
        from_json(param_text('assets.exempt_vehicle_subtypes'), '["VARCHAR"]')   AS exempt_vehicle_subtypes,
        param('assets.max_residential_properties')::INTEGER       AS max_residential_properties,
        param('tekun.min_age')::INTEGER                           AS tekun_min_age,
        param('tekun.max_child_age')::INTEGER                     AS tekun_max_child_age,
        param('tekun.supporter_min_age')::INTEGER                 AS tekun_supporter_min_age,
        from_json(param_text('disability.severe_grades'), '["INTEGER"]')         AS severe_grades,
        param('disability.severe_typed_grade')::INTEGER           AS severe_typed_grade,
        from_json(param_text('disability.severe_grade3_types'), '["VARCHAR"]')   AS severe_grade3_types,
        param('edge.income_multiple')::DECIMAL(9, 4)              AS edge_income_multiple,
        param('shock.event_lookback_days')::INTEGER               AS shock_event_lookback_days,
        param('shock.income_drop_share')::DECIMAL(9, 4)           AS shock_income_drop_share,
        param('medical.shock_threshold_yuan')::DECIMAL(18, 2)     AS medical_shock_threshold,
        param('expenses.lookback_days')::INTEGER                  AS expense_lookback_days,
        param('payment.mismatch_tolerance_yuan')::DECIMAL(18, 2)  AS payment_mismatch_tolerance,
        param('payment.due_offset_days')::INTEGER                 AS payment_due_offset_days,
        param('application.processing_limit_working_days')::INTEGER AS application_limit_working_days,
        param('rigid.disposable_income_annual')::DECIMAL(18, 2)   AS rigid_disposable_income_annual,
        param('rigid.expense_share_of_income')::DECIMAL(9, 4)     AS rigid_expense_share
)
SELECT
    r.as_of,
    r.month_of_d,
    p.*,
    -- income window: the window_months complete calendar months before the month of D
    months_before(r.month_of_d, p.window_months)           AS window_start,
    -- INCOME_SHOCK: recent = the last recent_months complete months; prior = the recent_months before those
    months_before(r.month_of_d, p.recent_months)           AS recent_start,
    months_before(r.month_of_d, 2 * p.recent_months)       AS prior_start,
    -- earliest month any income rule reads
    least(months_before(r.month_of_d, p.window_months), months_before(r.month_of_d, 2 * p.recent_months)) AS income_from,
    -- expenses dated in (D - lookback, D]
    (r.as_of - to_days(p.expense_lookback_days))::DATE          AS expense_after,
    -- unemployment events dated in (D - lookback, D]
    (r.as_of - to_days(p.shock_event_lookback_days))::DATE      AS shock_event_after,
    -- payments whose period is in the 12 months before the month of D, or later
    months_before(r.month_of_d, 12)                        AS payment_from
FROM r, p
