-- depends: care_contacts, run_context
-- The dates and parameter values the care rules (CARE_CONTACT_MISSED, CARE_CONCERN, WATER_USAGE_ANOMALY) and
-- AGE_ALLOWANCE_DUE use on D. Grain: exactly one row. Values come from the `params` table (one loader).
-- The judged week (week_start, week_end, iso_week) is the last full ISO week (Monday..Sunday) that ended before D: a
-- week is judged only once it is over, so a Sunday night still judges the week before. CARE_CONTACT_MISSED judges every
-- full week that ended in [D - care.follow_up_days, D) (care_weeks); the care view shows the last one. The judged reading day is D - 1: the drop of night D carries the
-- readings of the day before, a day's use being known only once the day is over (a reading dated D is judged next night).
-- `contacts_evaluated`: the care feed holds a contact dated in or after the (last) judged week; else the week is not
-- judged (a feed not delivered is not a week of missed visits for everyone).
WITH r AS (
    SELECT as_of, date_trunc('week', as_of)::DATE AS monday_of_d FROM run_context
),
delivered AS (
    SELECT count(*) > 0 AS yes
    FROM care_contacts c, r
    WHERE c.contact_date >= r.monday_of_d - INTERVAL 1 WEEK AND c.contact_date <= r.as_of
)
SELECT
    r.as_of,
    param('care.living_alone_min_age')::INTEGER          AS living_alone_min_age,
    param('care.weekly_visits')::INTEGER                 AS weekly_visits,
    param('care.weekly_calls')::INTEGER                  AS weekly_calls,
    param('care.no_answer_run')::INTEGER                 AS no_answer_run,
    param('care.follow_up_days')::INTEGER                AS follow_up_days,
    param('meter.baseline_days')::INTEGER                AS baseline_days,
    param('meter.low_use_share')::DECIMAL(9, 4)          AS low_use_share,
    param('meter.min_baseline_days')::INTEGER            AS min_baseline_days,
    param('meter.silent_share_notice')::DECIMAL(9, 4)    AS silent_share_notice,
    param('age_allowance.min_age')::INTEGER              AS age_allowance_min_age,
    (r.monday_of_d - INTERVAL 1 WEEK)::DATE              AS week_start,
    (r.monday_of_d - INTERVAL 1 DAY)::DATE               AS week_end,
    strftime(r.monday_of_d - INTERVAL 1 WEEK, '%G-W%V')   AS iso_week,
    (r.as_of - INTERVAL 1 DAY)::DATE                     AS reading_day,
    -- the baseline window: the baseline_days days before the reading day
    (r.as_of - INTERVAL 1 DAY - to_days(param('meter.baseline_days')::INTEGER))::DATE AS baseline_from,
    d.yes                                                AS contacts_evaluated
FROM r, delivered d
