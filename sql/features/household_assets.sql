-- Assets held on D by present members, sorted into the four asset tests (RULEBOOK "Asset tests").
-- Whether a test fails needs n and the standard, so household_features decides; this relation lists the candidates.
-- Grain: one row per household with at least one asset held on D by a present member.
WITH ctx AS (
    SELECT as_of FROM rule_context
),
exempt AS (
    SELECT DISTINCT unnest(exempt_vehicle_subtypes) AS subtype FROM rule_context
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
        held.household_id, held.asset_id, held.asset_type, held.subtype, held.value,
        CASE
            WHEN held.asset_type IN ('deposit', 'securities') THEN 'financial'
            WHEN held.asset_type = 'vehicle' AND x.subtype IS NULL THEN 'vehicle'
            WHEN held.asset_type = 'real_estate' AND held.subtype = 'residential' THEN 'real_estate_residential'
            WHEN held.asset_type = 'real_estate' AND held.subtype = 'commercial' THEN 'real_estate_commercial'
            WHEN held.asset_type = 'business' THEN 'business'
        END AS test
    FROM held
    LEFT JOIN exempt x ON x.subtype = held.subtype AND held.asset_type = 'vehicle'
)
SELECT
    household_id,
    coalesce(sum(value) FILTER (WHERE test = 'financial'), 0)::DECIMAL(18, 2)               AS financial_total,
    count(*) FILTER (WHERE test = 'real_estate_residential')::INTEGER                       AS residential_count,
    count(*) FILTER (WHERE test = 'real_estate_commercial')::INTEGER                        AS commercial_count,
    count(*) FILTER (WHERE test = 'vehicle')::INTEGER                                       AS vehicle_count,
    count(*) FILTER (WHERE test = 'business')::INTEGER                                      AS business_count,
    -- per test, the assets that would be named if the test fails; keys sorted: asset_id, asset_type, subtype, test, value
    -- (list_sort orders by asset_id, the first key; cheaper than an ordered aggregate)
    list_sort(list({'asset_id': asset_id, 'asset_type': asset_type, 'subtype': subtype,
          'test': CASE WHEN test LIKE 'real_estate%' THEN 'real_estate' ELSE test END, 'value': value::DECIMAL(18, 2)})
         FILTER (WHERE test IS NOT NULL))                                                   AS tested_assets
FROM tested
GROUP BY household_id
