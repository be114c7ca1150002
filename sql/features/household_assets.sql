-- depends: assets, member_presence, rule_context
-- Assets held on D by present members, counted by the four asset tests (docs/rulebook.md "Asset tests", macro asset_test).
-- Whether a test fails needs n and the standard, so household_features decides; the assets a failing test names are
-- listed by the `tested_assets` macro (sql/macros/evidence.sql) for the households ASSET_OVER_LIMIT raises only.
-- Grain: one row per household with at least one asset held on D by a present member.
WITH ctx AS (
    SELECT as_of, exempt_vehicle_subtypes FROM rule_context
),
tested AS (
    SELECT m.household_id, a.value, asset_test(a.asset_type, a.subtype, ctx.exempt_vehicle_subtypes) AS test
    FROM assets a
    JOIN member_presence m ON m.person_id = a.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE a.start_date <= ctx.as_of AND (a.end_date IS NULL OR a.end_date > ctx.as_of)
)
SELECT
    household_id,
    coalesce(sum(value) FILTER (WHERE test = 'financial'), 0)::DECIMAL(18, 2)               AS financial_total,
    count(*) FILTER (WHERE test = 'real_estate_residential')::INTEGER                       AS residential_count,
    count(*) FILTER (WHERE test = 'real_estate_commercial')::INTEGER                        AS commercial_count,
    count(*) FILTER (WHERE test = 'vehicle')::INTEGER                                       AS vehicle_count,
    count(*) FILTER (WHERE test = 'business')::INTEGER                                      AS business_count
FROM tested
GROUP BY household_id
