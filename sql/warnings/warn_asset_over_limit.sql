-- depends: household_features, rule_context
-- ASSET_OVER_LIMIT (财产超标): a covered household (dibao/tekun, active or gradual exit) fails an asset test.
-- The evidence names the failing tests and the assets that fail them.
-- Grain: one row per household. Condition key: ASSET_OVER_LIMIT.
WITH ctx AS (
    SELECT * FROM rule_context
),
fired AS (
    SELECT
        f.*,
        list_filter(tested_assets(f.household_id), lambda a: list_contains(f.failed_tests, a.test)) AS failing_assets
    FROM household_features f
    WHERE f.is_covered AND NOT f.asset_pass
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['assets.financial_limit_months', 'assets.exempt_vehicle_subtypes', 'assets.max_residential_properties'])
),
texts AS (
    SELECT
        fired.household_id,
        concat_ws('；',
            CASE WHEN fails_financial THEN '存款和有价证券合计 ' || fmt_yuan(financial_total) || ' 元，超过 ' || n
                || ' 人 × ' || fmt_num(ctx.financial_limit_months) || ' 个月' || standard_label || '（' || standard_text
                || '）= ' || fmt_yuan(financial_limit) || ' 元' END,
            CASE WHEN fails_vehicle THEN '有非豁免车辆 ' || array_to_string(list_transform(
                list_filter(failing_assets, lambda a: a.test = 'vehicle'), lambda a: a.asset_id || '（' || a.subtype || '）'), '、') END,
            CASE WHEN fails_real_estate THEN '住房 ' || residential_count || ' 套（限 ' || ctx.max_residential_properties
                || ' 套）、商业用房 ' || commercial_count || ' 处：' || array_to_string(list_transform(
                list_filter(failing_assets, lambda a: a.test = 'real_estate'), lambda a: a.asset_id || '（' || a.subtype || '）'), '、') END,
            CASE WHEN fails_business THEN '有工商登记经营实体 ' || array_to_string(list_transform(
                list_filter(failing_assets, lambda a: a.test = 'business'), lambda a: a.asset_id || '（' || a.subtype || '）'), '、') END
        ) AS detail
    FROM fired, ctx
)
SELECT
    f.household_id,
    'ASSET_OVER_LIMIT' AS warning_code,
    'ASSET_OVER_LIMIT' AS condition_key,
    '在保家庭财产不符合规定：' || t.detail || '。' AS reasons,
    to_json({
        'enrollment_ids': f.covered_enrollment_ids,
        'failed_tests': f.failed_tests,
        'failing_assets': f.failing_assets,
        'financial_limit': f.financial_limit,
        'financial_total': f.financial_total,
        'members_present': f.n,
        'parameters': u.parameters,
        'residential_count': f.residential_count
    }) AS evidence
FROM fired f
JOIN texts t ON t.household_id = f.household_id
JOIN used u ON u.hukou_type = f.hukou_type
