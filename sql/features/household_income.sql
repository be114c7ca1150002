-- depends: member_income
-- Household income of the members present on D (docs/rulebook.md "Countable income", "Employment-cost deduction",
-- "Per-capita income"), over the income window and the two INCOME_SHOCK periods: the sum of member_income.
-- Grain: one row per household with at least one income record (any source) of a present member since income_from.
-- Households without a row have *unknown* income (never zero: no "virtual income").
-- Record ids are not collected here (19 M rows at district scale); the rules list them for the households they raise.
SELECT
    household_id,
    sum(window_records)::INTEGER            AS window_records,
    sum(window_countable)::DECIMAL(18, 2)   AS window_countable,
    sum(window_deduction)::DECIMAL(18, 2)   AS window_deduction,
    sum(window_net)::DECIMAL(18, 2)         AS window_net,
    sum(recent_records)::INTEGER            AS recent_records,
    sum(recent_net)::DECIMAL(18, 2)         AS recent_net,
    sum(prior_records)::INTEGER             AS prior_records,
    sum(prior_net)::DECIMAL(18, 2)          AS prior_net
FROM member_income
GROUP BY household_id
