-- Household income of the members present on D (RULEBOOK "Countable income", "Employment-cost deduction",
-- "Per-capita income"), over the income window and the two INCOME_SHOCK periods.
-- Grain: one row per household with at least one income record (any source) of a present member since income_from.
-- Households without a row have *unknown* income (never zero: no "virtual income").
WITH ctx AS (
    SELECT * FROM rule_context
),
present AS (
    SELECT m.household_id, m.person_id, s.standard
    FROM member_presence m
    JOIN households h ON h.household_id = m.household_id
    JOIN standard_in_force s ON s.hukou_type = h.hukou_type
    WHERE m.is_present
),
person_month AS (
    SELECT
        pr.household_id,
        i.person_id,
        i.month,
        count(*)                                                                             AS records,
        coalesce(sum(i.amount) FILTER (WHERE NOT list_contains(ctx.excluded_sources, i.source_type)), 0) AS countable,
        coalesce(sum(i.amount) FILTER (WHERE i.source_type IN ('wage', 'business')
                                         AND NOT list_contains(ctx.excluded_sources, i.source_type)), 0) AS earned,
        -- employment-cost deduction: share x standard, capped at this person's wage + business income of the month
        least(any_value(ctx.employment_cost_share) * any_value(pr.standard),
              coalesce(sum(i.amount) FILTER (WHERE i.source_type IN ('wage', 'business')
                                               AND NOT list_contains(ctx.excluded_sources, i.source_type)), 0)
        )::DECIMAL(18, 2)                                                                    AS deduction,
        list(i.record_id ORDER BY i.record_id)                                               AS record_ids
    FROM income i
    JOIN present pr ON pr.person_id = i.person_id
    CROSS JOIN ctx
    WHERE i.month >= ctx.income_from AND i.month < ctx.month_of_d
    GROUP BY pr.household_id, i.person_id, i.month
)
SELECT
    pm.household_id,
    coalesce(sum(pm.records) FILTER (WHERE pm.month >= ctx.window_start), 0)::INTEGER          AS window_records,
    coalesce(sum(pm.countable) FILTER (WHERE pm.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_countable,
    coalesce(sum(pm.deduction) FILTER (WHERE pm.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_deduction,
    coalesce(sum(pm.countable - pm.deduction) FILTER (WHERE pm.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_net,
    flatten(coalesce(list(pm.record_ids ORDER BY pm.person_id, pm.month)
                     FILTER (WHERE pm.month >= ctx.window_start), []))                         AS window_record_ids,
    coalesce(sum(pm.records) FILTER (WHERE pm.month >= ctx.recent_start), 0)::INTEGER          AS recent_records,
    coalesce(sum(pm.countable - pm.deduction) FILTER (WHERE pm.month >= ctx.recent_start), 0)::DECIMAL(18, 2) AS recent_net,
    coalesce(sum(pm.records) FILTER (WHERE pm.month >= ctx.prior_start AND pm.month < ctx.recent_start), 0)::INTEGER AS prior_records,
    coalesce(sum(pm.countable - pm.deduction)
             FILTER (WHERE pm.month >= ctx.prior_start AND pm.month < ctx.recent_start), 0)::DECIMAL(18, 2)       AS prior_net,
    flatten(coalesce(list(pm.record_ids ORDER BY pm.person_id, pm.month)
                     FILTER (WHERE pm.month >= ctx.prior_start), []))                          AS shock_record_ids
FROM person_month pm
CROSS JOIN ctx
GROUP BY pm.household_id
