-- depends: events, persons, rule_context
-- Who is present on D (docs/rulebook.md "Member present on D"): listed in `persons`, no death on or before D, not away on D.
-- Away = the latest hukou_out on or before D has no hukou_in on or after its date (up to D), or the latest
-- incarceration has no release on or after its date (up to D). A same-day return counts as returned.
-- Grain: one row per persons row (person_id, household_id).
WITH ctx AS (
    SELECT as_of FROM rule_context
),
person_events AS (
    SELECT
        e.person_id,
        min(e.event_date) FILTER (WHERE e.event_type = 'death')         AS death_date,
        max(e.event_date) FILTER (WHERE e.event_type = 'hukou_out')     AS last_hukou_out,
        max(e.event_date) FILTER (WHERE e.event_type = 'hukou_in')      AS last_hukou_in,
        max(e.event_date) FILTER (WHERE e.event_type = 'incarceration') AS last_incarceration,
        max(e.event_date) FILTER (WHERE e.event_type = 'release')       AS last_release
    FROM events e, ctx
    WHERE e.event_date <= ctx.as_of
      AND e.event_type IN ('death', 'hukou_out', 'hukou_in', 'incarceration', 'release')
    GROUP BY e.person_id
),
flags AS (
    SELECT
        p.person_id,
        p.household_id,
        p.name,
        p.birth_date,
        p.relation,
        p.disability_grade,
        p.disability_type,
        p.labor_capacity,
        -- full years on D
        (year(ctx.as_of) - year(p.birth_date)
            - CASE WHEN month(ctx.as_of) * 100 + day(ctx.as_of) < month(p.birth_date) * 100 + day(p.birth_date) THEN 1 ELSE 0 END
        )::INTEGER                                                                           AS age,
        ev.death_date,
        ev.last_hukou_out,
        ev.last_incarceration,
        ev.death_date IS NOT NULL                                                            AS is_dead,
        coalesce(ev.last_hukou_out IS NOT NULL
                 AND (ev.last_hukou_in IS NULL OR ev.last_hukou_in < ev.last_hukou_out), false)   AS is_moved_out,
        coalesce(ev.last_incarceration IS NOT NULL
                 AND (ev.last_release IS NULL OR ev.last_release < ev.last_incarceration), false) AS is_incarcerated
    FROM persons p
    CROSS JOIN ctx
    LEFT JOIN person_events ev ON ev.person_id = p.person_id
)
SELECT *, NOT (is_dead OR is_moved_out OR is_incarcerated) AS is_present
FROM flags
