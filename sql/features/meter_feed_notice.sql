-- depends: care_context, meter_status
-- The meter feed's own failure (docs/rulebook.md "Water meters"): when more than meter.silent_share_notice of the metered
-- households have no reading for the judged day, the feed is taken to have stopped, and the night gives ONE notice (in
-- its summary and the data office's quarantine list) instead of a "meter silent" warning per household.
-- Grain: zero rows, or one.
WITH ctx AS (
    SELECT * FROM care_context
),
counts AS (
    SELECT count(*) AS metered, count(*) FILTER (WHERE status = 'silent') AS silent FROM meter_status
)
SELECT
    ctx.reading_day,
    c.metered,
    c.silent,
    ctx.silent_share_notice,
    format('meter_readings: {} of {} metered households have no reading for {} (more than {} %): the meter feed looks '
           'stopped or incomplete; no per-household "meter silent" warning is raised tonight',
           c.silent, c.metered, strftime(ctx.reading_day, '%Y-%m-%d'), fmt_num(ctx.silent_share_notice * 100)) AS reason_en,
    format('智能水表数据：{} 户已装表家庭中有 {} 户缺少 {} 的读数（超过 {}%），疑似水表数据中断或不完整；今晚不逐户发出“水表无数据”预警，请数据办核查',
           c.metered, c.silent, strftime(ctx.reading_day, '%Y-%m-%d'), fmt_num(ctx.silent_share_notice * 100)) AS reason_zh
FROM counts c, ctx
WHERE c.metered > 0 AND c.silent > c.metered * ctx.silent_share_notice
