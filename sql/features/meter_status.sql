-- depends: care_context, member_presence, meter_readings
-- Each metered household's water use on the judged reading day (care_context.reading_day, D - 1) against its own
-- baseline (docs/rulebook.md "Water meters"). Metered = a reading in the baseline window or on the reading day, and a member
-- present on D. Baseline = the median of its daily use over the meter.baseline_days days before the reading day, when it
-- has readings on at least meter.min_baseline_days of them (a new meter has none, and says so). A day with no reading is
-- a silent meter, never zero use. Several readings of one day: the largest counts (any use is use).
-- Grain: one row per metered household.
WITH ctx AS (
    SELECT * FROM care_context
),
daily AS (
    SELECT m.household_id, m.reading_date, max(m.litres) AS litres, min(m.reading_id) AS reading_id
    FROM meter_readings m, ctx
    WHERE m.reading_date <= ctx.reading_day
    GROUP BY m.household_id, m.reading_date
),
present AS (
    SELECT DISTINCT household_id FROM member_presence WHERE is_present
),
per_household AS (
    SELECT
        d.household_id,
        max(d.litres) FILTER (WHERE d.reading_date = ctx.reading_day)                          AS litres,
        max(d.reading_id) FILTER (WHERE d.reading_date = ctx.reading_day)                      AS reading_id,
        count(*) FILTER (WHERE d.reading_date >= ctx.baseline_from AND d.reading_date < ctx.reading_day) AS baseline_n,
        median(d.litres) FILTER (WHERE d.reading_date >= ctx.baseline_from AND d.reading_date < ctx.reading_day) AS median_all,
        max(d.reading_date)                                                                    AS last_reading_date,
        max(d.reading_date) FILTER (WHERE d.litres > 0)                                        AS last_use_date,
        min(d.reading_date)                                                                    AS first_reading_date,
        bool_or(d.reading_date >= ctx.baseline_from)                                           AS is_metered
    FROM daily d, ctx
    GROUP BY d.household_id
),
status AS (
    SELECT
        h.*,
        h.baseline_n >= ctx.min_baseline_days                                        AS has_baseline,
        CASE WHEN h.baseline_n >= ctx.min_baseline_days THEN h.median_all::DECIMAL(14, 2) END AS baseline_median,
        CASE WHEN h.baseline_n >= ctx.min_baseline_days
             THEN (h.median_all * ctx.low_use_share)::DECIMAL(14, 2) END            AS low_use_limit
    FROM per_household h, ctx
    WHERE h.is_metered AND h.household_id IN (SELECT household_id FROM present)
),
last_normal AS (
    -- the latest day at or above the low-use limit (today's baseline), for the start of a run of low use
    SELECT d.household_id, max(d.reading_date) AS last_normal_date
    FROM daily d JOIN status s ON s.household_id = d.household_id
    WHERE s.low_use_limit IS NOT NULL AND d.litres >= s.low_use_limit
    GROUP BY d.household_id
)
SELECT
    s.household_id, s.litres, s.reading_id, s.baseline_n, s.has_baseline, s.baseline_median, s.low_use_limit,
    s.last_reading_date, s.first_reading_date,
    CASE WHEN s.litres IS NULL THEN 'silent'
         WHEN s.litres = 0 THEN 'no_use'
         WHEN s.low_use_limit IS NOT NULL AND s.litres < s.low_use_limit THEN 'low_use'
         ELSE 'normal' END                                                           AS status,
    -- the first day of the anomaly going on: after the last reading (silent), the last use (no use), the last day at or
    -- above the limit (low use); the first reading when there is none
    CASE WHEN s.litres IS NULL THEN (s.last_reading_date + INTERVAL 1 DAY)::DATE
         WHEN s.litres = 0 THEN coalesce((s.last_use_date + INTERVAL 1 DAY)::DATE, s.first_reading_date)
         ELSE coalesce((n.last_normal_date + INTERVAL 1 DAY)::DATE, s.first_reading_date) END AS since
FROM status s
LEFT JOIN last_normal n ON n.household_id = s.household_id
