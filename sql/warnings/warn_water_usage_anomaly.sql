-- depends: care_context, meter_feed_notice, meter_status
-- WATER_USAGE_ANOMALY (独居老人用水异常): a metered household (meter_status) that on the judged reading day (D - 1)
-- used no water (no_use), or used less than meter.low_use_share of its baseline median (low_use; only with a baseline),
-- or whose meter sent no reading at all (silent: a distinct reason, never taken as zero use; not raised per household
-- on a night whose meter_feed_notice says the feed itself stopped). A meter too new for a baseline says so.
-- Grain: one row per household. Condition key: WATER_USAGE_ANOMALY:<status>:<since>, the first day of the anomaly going
-- on, so one continuing anomaly stays one warning; `days` (since .. reading day) is a counter.
WITH ctx AS (
    SELECT * FROM care_context
),
fired AS (
    SELECT s.*
    FROM meter_status s
    WHERE s.status IN ('no_use', 'low_use')
       OR (s.status = 'silent' AND NOT EXISTS (SELECT 1 FROM meter_feed_notice))
),
used AS (
    SELECT parameters FROM parameters_cited(['meter.baseline_days', 'meter.low_use_share', 'meter.min_baseline_days', 'meter.silent_share_notice'])
)
SELECT
    f.household_id,
    'WATER_USAGE_ANOMALY' AS warning_code,
    'WATER_USAGE_ANOMALY:' || f.status || ':' || strftime(f.since, '%Y-%m-%d') AS condition_key,
    CASE f.status
        WHEN 'silent' THEN '智能水表自 ' || strftime(f.since, '%Y-%m-%d') || ' 起无读数（最近一次读数为 '
            || strftime(f.last_reading_date, '%Y-%m-%d') || '）：水表无数据，不等于未用水，请核实设备并确认老人安全。'
        WHEN 'no_use' THEN strftime(ctx.reading_day, '%Y-%m-%d') || ' 用水 0 升'
            || CASE WHEN f.since < ctx.reading_day THEN '（自 ' || strftime(f.since, '%Y-%m-%d') || ' 起未用水）' ELSE '' END
            || '，请尽快联系或上门确认老人安全。'
        ELSE strftime(ctx.reading_day, '%Y-%m-%d') || ' 用水 ' || fmt_num(f.litres) || ' 升，低于本户近 '
            || ctx.baseline_days || ' 天日用水中位数 ' || fmt_num(f.baseline_median) || ' 升的 '
            || fmt_num(ctx.low_use_share * 100) || '%（' || fmt_num(f.low_use_limit) || ' 升），请尽快联系或上门确认老人安全。'
    END
    || CASE WHEN NOT f.has_baseline
            THEN '（新装水表：近 ' || ctx.baseline_days || ' 天仅 ' || f.baseline_n || ' 天有读数，少于 '
                 || ctx.min_baseline_days || ' 天，尚无用水基线。）' ELSE '' END AS reasons,
    to_json({
        'baseline': {
            'available': f.has_baseline,
            'days_with_reading': f.baseline_n,
            'low_use_limit': f.low_use_limit,
            'median_litres': f.baseline_median,
            'note': CASE WHEN NOT f.has_baseline THEN 'new meter: too few days with a reading for a baseline' END,
            'window': strftime(ctx.baseline_from, '%Y-%m-%d') || '..' || strftime(ctx.reading_day - INTERVAL 1 DAY, '%Y-%m-%d')
        },
        'days': (ctx.reading_day - f.since) + 1,
        'last_reading_date': strftime(f.last_reading_date, '%Y-%m-%d'),
        'litres': f.litres,
        'parameters': u.parameters,
        'reading_day': strftime(ctx.reading_day, '%Y-%m-%d'),
        'reading_id': f.reading_id,
        'status': f.status
    }) AS evidence
FROM fired f
CROSS JOIN ctx
CROSS JOIN used u
