-- depends: care_context, care_persons, care_week_contacts, households, meter_status
-- The care view of the KPI report, per street (the first 9 digits of region_code): older people living alone on D, how
-- many met the weekly visit and call rule in the judged week (care_week_contacts), how many missed it (NULL when the week
-- was not judged: no contact feed), metered households and silent meters on the judged reading day.
-- Grain: one row per street with a person living alone or a metered household.
WITH ctx AS (
    SELECT * FROM care_context
),
people AS (
    SELECT left(h.region_code, 9) AS street_code,
           coalesce(w.visits, 0) >= ctx.weekly_visits AND coalesce(w.calls, 0) >= ctx.weekly_calls AS met
    FROM care_persons p
    JOIN households h ON h.household_id = p.household_id
    CROSS JOIN ctx
    LEFT JOIN care_week_contacts w ON w.person_id = p.person_id AND w.week_start = ctx.week_start
),
by_people AS (
    SELECT street_code, count(*) AS living_alone, count(*) FILTER (WHERE met) AS met FROM people GROUP BY street_code
),
by_meter AS (
    SELECT left(h.region_code, 9) AS street_code, count(*) AS metered, count(*) FILTER (WHERE s.status = 'silent') AS silent
    FROM meter_status s
    JOIN households h ON h.household_id = s.household_id
    GROUP BY 1
)
SELECT
    coalesce(p.street_code, m.street_code)                             AS street_code,
    ctx.iso_week,
    coalesce(p.living_alone, 0)                                        AS living_alone,
    CASE WHEN ctx.contacts_evaluated THEN coalesce(p.met, 0) END       AS met,
    CASE WHEN ctx.contacts_evaluated THEN coalesce(p.living_alone, 0) - coalesce(p.met, 0) END AS missed,
    coalesce(m.metered, 0)                                             AS metered,
    coalesce(m.silent, 0)                                              AS silent
FROM by_people p
FULL OUTER JOIN by_meter m ON m.street_code = p.street_code
CROSS JOIN ctx
ORDER BY street_code
