-- Assets held on D by present members, sorted into the four asset tests (RULEBOOK "Asset tests").
-- Whether a test fails needs n and the standard, so household_features decides; this relation lists the candidates.
-- Grain: one row per household with at least one asset held on D by a present member.
WITH ctx AS (
    SELECT * FROM rule_context
),
held AS (
    SELECT m.household_id, a.asset_id, a.asset_type, a.subtype, a.value
    FROM assets a
    JOIN member_presence m ON m.person_id = a.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE a.start_date <= ctx.as_of AND (a.end_date IS NULL OR a.end_date > ctx.as_of)
),
tested AS (
    SELECT
        held.*,
        CASE
            WHEN asset_type IN ('deposit', 'securities') THEN 'financial'
            WHEN asset_type = 'vehicle' AND NOT list_contains(ctx.exempt_vehicle_subtypes, subtype) THEN 'vehicle'
            WHEN asset_type = 'real_estate' AND subtype = 'residential' THEN 'real_estate_residential'
            WHEN asset_type = 'real_estate' AND subtype = 'commercial' THEN 'real_estate_commercial'
            WHEN asset_type = 'business' THEN 'business'
        END AS test
    FROM held, ctx
)
SELECT
    household_id,
    coalesce(sum(value) FILTER (WHERE test = 'financial'), 0)::DECIMAL(18, 2)               AS financial_total,
    count(*) FILTER (WHERE test = 'real_estate_residential')::INTEGER                       AS residential_count,
    count(*) FILTER (WHERE test = 'real_estate_commercial')::INTEGER                        AS commercial_count,
    count(*) FILTER (WHERE test = 'vehicle')::INTEGER                                       AS vehicle_count,
    count(*) FILTER (WHERE test = 'business')::INTEGER                                      AS business_count,
    -- per test, the assets that would be named if the test fails; keys sorted: asset_id, asset_type, subtype, test, value
    list({'asset_id': asset_id, 'asset_type': asset_type, 'subtype': subtype,
          'test': CASE WHEN test LIKE 'real_estate%' THEN 'real_estate' ELSE test END, 'value': value::DECIMAL(18, 2)}
         ORDER BY asset_id) FILTER (WHERE test IS NOT NULL)                                 AS tested_assets
FROM tested
GROUP BY household_id
