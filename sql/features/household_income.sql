-- Household income of the members present on D (RULEBOOK "Countable income", "Employment-cost deduction",
-- "Per-capita income"), over the income window and the two INCOME_SHOCK periods.
-- Grain: one row per household with at least one income record (any source) of a present member since income_from.
-- Households without a row have *unknown* income (never zero: no "virtual income").
-- Record ids are not collected here (19 M rows at district scale); the rules list them for the households they raise.
WITH ctx AS (
    SELECT month_of_d, income_from, window_start, recent_start, prior_start, employment_cost_share FROM rule_context
),
excluded AS (
    SELECT DISTINCT unnest(excluded_sources) AS source_type FROM rule_context
),
person_month AS (
    -- one row per person and month: all records, countable amount, earned (wage + business) countable amount
    SELECT
        i.person_id,
        i.month,
        count(*)                                                                      AS records,
        coalesce(sum(i.amount) FILTER (WHERE x.source_type IS NULL), 0)              AS countable,
        coalesce(sum(i.amount) FILTER (WHERE x.source_type IS NULL AND i.source_type IN ('wage', 'business')), 0) AS earned
    FROM income i
    CROSS JOIN ctx
    LEFT JOIN excluded x ON x.source_type = i.source_type
    WHERE i.month >= ctx.income_from AND i.month < ctx.month_of_d
    GROUP BY i.person_id, i.month
),
present AS (
    SELECT m.household_id, m.person_id, s.standard
    FROM member_presence m
    JOIN households h ON h.household_id = m.household_id
    JOIN standard_in_force s ON s.hukou_type = h.hukou_type
    WHERE m.is_present
),
netted AS (
    -- employment-cost deduction: share x standard, capped at this person's wage + business income of the month
    SELECT
        pr.household_id,
        pm.month,
        pm.records,
        pm.countable,
        least(ctx.employment_cost_share * pr.standard, pm.earned)::DECIMAL(18, 2) AS deduction
    FROM person_month pm
    JOIN present pr ON pr.person_id = pm.person_id
    CROSS JOIN ctx
)
SELECT
    n.household_id,
    coalesce(sum(n.records) FILTER (WHERE n.month >= ctx.window_start), 0)::INTEGER          AS window_records,
    coalesce(sum(n.countable) FILTER (WHERE n.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_countable,
    coalesce(sum(n.deduction) FILTER (WHERE n.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_deduction,
    coalesce(sum(n.countable - n.deduction) FILTER (WHERE n.month >= ctx.window_start), 0)::DECIMAL(18, 2) AS window_net,
    coalesce(sum(n.records) FILTER (WHERE n.month >= ctx.recent_start), 0)::INTEGER          AS recent_records,
    coalesce(sum(n.countable - n.deduction) FILTER (WHERE n.month >= ctx.recent_start), 0)::DECIMAL(18, 2) AS recent_net,
    coalesce(sum(n.records) FILTER (WHERE n.month >= ctx.prior_start AND n.month < ctx.recent_start), 0)::INTEGER AS prior_records,
    coalesce(sum(n.countable - n.deduction)
             FILTER (WHERE n.month >= ctx.prior_start AND n.month < ctx.recent_start), 0)::DECIMAL(18, 2)       AS prior_net
FROM netted n
CROSS JOIN ctx
GROUP BY n.household_id
