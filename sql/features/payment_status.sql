-- depends: enrollment, events, member_presence, payments, rule_context
-- Payments in scope (period in the 12 months before the month of D, or later) with what was in force on the first day
-- of their period: the enrollment of that program (the latest-starting one if several) and whether anyone was present.
-- Grain: one row per payment in scope.
WITH ctx AS (
    SELECT * FROM rule_context
),
pay AS (
    SELECT p.*, last_day(p.period) AS period_end
    FROM payments p, ctx
    WHERE p.period >= ctx.payment_from
),
enrollments AS (
    -- each household's enrollments of a program, latest start first (a short list: aggregating 200 k rows, not 2.4 M)
    SELECT household_id, program,
           list({'end_date': end_date, 'enrollment_id': enrollment_id, 'monthly_benefit': monthly_benefit,
                 'start_date': start_date} ORDER BY start_date DESC, enrollment_id DESC) AS es
    FROM enrollment
    GROUP BY household_id, program
),
matched AS (
    SELECT
        pay.payment_id,
        list_filter(e.es, lambda x: x.start_date <= pay.period AND (x.end_date IS NULL OR x.end_date > pay.period))[1] AS in_force,
        -- the first (part) month of an enrollment that starts inside the period is not "after the end"
        len(list_filter(e.es, lambda x: x.start_date > pay.period AND x.start_date <= pay.period_end)) > 0 AS starts_in_period,
        list_max(list_transform(list_filter(e.es, lambda x: x.end_date <= pay.period), lambda x: x.end_date)) AS ended_on,
        list_sort(list_transform(e.es, lambda x: x.enrollment_id))                                 AS enrollment_ids
    FROM pay
    JOIN enrollments e ON e.household_id = pay.household_id AND e.program = pay.program
),
-- n on the period's first day, only for households where a listed member died on or before D (few)
with_death AS (
    SELECT DISTINCT household_id FROM member_presence WHERE is_dead
),
person_on_period AS (
    SELECT
        pay.payment_id,
        m.person_id,
        -- a death counts from the month after it (docs/rulebook.md: "after the month in which ... died"): one on the period's
        -- first day leaves that month's payment due
        min(ev.event_date) FILTER (WHERE ev.event_type = 'death' AND ev.event_date < pay.period) AS death_date,
        max(ev.event_date) FILTER (WHERE ev.event_type = 'hukou_out')     AS last_out,
        max(ev.event_date) FILTER (WHERE ev.event_type = 'hukou_in')      AS last_in,
        max(ev.event_date) FILTER (WHERE ev.event_type = 'incarceration') AS last_inc,
        max(ev.event_date) FILTER (WHERE ev.event_type = 'release')       AS last_rel
    FROM pay
    JOIN with_death w ON w.household_id = pay.household_id
    JOIN member_presence m ON m.household_id = pay.household_id
    LEFT JOIN events ev ON ev.person_id = m.person_id AND ev.event_date <= pay.period
    GROUP BY pay.payment_id, m.person_id
),
present_on_period AS (
    SELECT
        payment_id,
        count(*) FILTER (WHERE death_date IS NULL
                           AND NOT coalesce(last_out IS NOT NULL AND (last_in IS NULL OR last_in < last_out), false)
                           AND NOT coalesce(last_inc IS NOT NULL AND (last_rel IS NULL OR last_rel < last_inc), false)
        )::INTEGER AS n_on_period,
        max(death_date) AS last_death_date
    FROM person_on_period
    GROUP BY payment_id
)
SELECT
    pay.payment_id,
    pay.household_id,
    pay.program,
    pay.period,
    pay.period_end,
    pay.amount::DECIMAL(18, 2)                                AS amount,
    pay.paid_date,
    pay.account_holder_id,
    m.in_force.enrollment_id                                 AS enrollment_id,
    m.in_force.monthly_benefit::DECIMAL(18, 2)               AS monthly_benefit,
    coalesce(m.starts_in_period, false)                      AS starts_in_period,
    m.ended_on,
    coalesce(m.enrollment_ids, [])                           AS program_enrollment_ids,
    pp.n_on_period,
    pp.last_death_date
FROM pay
LEFT JOIN matched m ON m.payment_id = pay.payment_id
LEFT JOIN present_on_period pp ON pp.payment_id = pay.payment_id
