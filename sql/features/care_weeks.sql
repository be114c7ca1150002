-- depends: care_contacts, care_context
-- The full Monday..Sunday weeks CARE_CONTACT_MISSED judges on D: every week that ended before D and on or after
-- D - care.follow_up_days (so a missed week stays a condition, and its warning open, for that long after it ended).
-- `evaluated`: the care feed holds a contact dated in the week (else that week is not judged: a feed that began, or
-- stopped, is not a week of missed visits for everyone).
-- Grain: one row per week.
WITH ctx AS (
    SELECT * FROM care_context
),
weeks AS (
    SELECT unnest(generate_series(date_trunc('week', ctx.as_of - to_days(ctx.follow_up_days)), ctx.week_start::TIMESTAMP,
                                  INTERVAL 1 WEEK))::DATE AS week_start
    FROM ctx
)
SELECT
    w.week_start,
    (w.week_start + INTERVAL 1 WEEK - INTERVAL 1 DAY)::DATE AS week_end,
    strftime(w.week_start, '%G-W%V') AS iso_week,
    EXISTS (SELECT 1 FROM care_contacts c
            WHERE c.contact_date >= w.week_start AND c.contact_date < w.week_start + INTERVAL 1 WEEK) AS evaluated
FROM weeks w, ctx
WHERE w.week_start + INTERVAL 1 WEEK - INTERVAL 1 DAY >= ctx.as_of - to_days(ctx.follow_up_days)
ORDER BY w.week_start
