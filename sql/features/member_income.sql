-- depends: households, income, member_presence, rule_context, standard_in_force
-- Income of each member present on D over the months the income rules read (docs/rulebook.md "Countable income",
-- "Employment-cost deduction"): records, countable income and the employment-cost deduction of the income window and
-- the two INCOME_SHOCK periods. household_income adds these up per household; TEKUN_CANDIDATE reads a member's own.
-- Grain: one row per present member (household_id, person_id) with at least one income record since income_from.
--
-- The deduction is per person and month: least(share x standard, the month's wage + business income). Grouping ~12 M
-- income rows by person and month cost most of the rule pass, and nearly every month has at most one such record, so
-- members are grouped once and take the per-record deduction; only members with a month holding two or more earned
-- records (found with a bit per month) are regrouped by month. Both give the same sum for a one-record month.
WITH ctx AS (
    SELECT month_of_d, income_from, window_start, recent_start, prior_start, employment_cost_share, excluded_sources
    FROM rule_context
),
present AS (
    SELECT m.rowid AS member_no, m.household_id, m.person_id, s.standard
    FROM member_presence m
    JOIN households h ON h.household_id = m.household_id
    JOIN standard_in_force s ON s.hukou_type = h.hukou_type
    WHERE m.is_present
),
records AS MATERIALIZED (
    -- one row per income record of a present member since income_from, with its deduction cap
    SELECT
        pr.member_no,
        i.month,
        date_diff('month', ctx.income_from, i.month)                                   AS month_no,
        i.amount,
        NOT list_contains(ctx.excluded_sources, i.source_type)                         AS is_countable,
        NOT list_contains(ctx.excluded_sources, i.source_type) AND i.source_type IN ('wage', 'business') AS is_earned,
        ctx.employment_cost_share * pr.standard                                        AS cap,
        -- this record's deduction if it is its month's only earned record
        CASE WHEN NOT list_contains(ctx.excluded_sources, i.source_type) AND i.source_type IN ('wage', 'business')
             THEN least(ctx.employment_cost_share * pr.standard, i.amount)::DECIMAL(18, 2) END AS deduction
    FROM income i
    JOIN present pr ON pr.person_id = i.person_id
    CROSS JOIN ctx
    WHERE i.month >= ctx.income_from AND i.month < ctx.month_of_d
),
member AS (
    SELECT
        r.member_no,
        count(*) FILTER (WHERE r.month >= ctx.window_start)                                           AS window_records,
        count(*) FILTER (WHERE r.is_countable AND r.month >= ctx.window_start)                        AS window_countable_records,
        coalesce(sum(r.amount) FILTER (WHERE r.is_countable AND r.month >= ctx.window_start), 0)      AS window_countable,
        count(*) FILTER (WHERE r.month >= ctx.recent_start)                                           AS recent_records,
        coalesce(sum(r.amount) FILTER (WHERE r.is_countable AND r.month >= ctx.recent_start), 0)      AS recent_countable,
        count(*) FILTER (WHERE r.month >= ctx.prior_start AND r.month < ctx.recent_start)             AS prior_records,
        coalesce(sum(r.amount) FILTER (WHERE r.is_countable AND r.month >= ctx.prior_start AND r.month < ctx.recent_start), 0) AS prior_countable,
        -- per-record deductions: right when no month has two earned records
        coalesce(sum(r.deduction) FILTER (WHERE r.month >= ctx.window_start), 0)                       AS window_deduction,
        coalesce(sum(r.deduction) FILTER (WHERE r.month >= ctx.recent_start), 0)                       AS recent_deduction,
        coalesce(sum(r.deduction) FILTER (WHERE r.month >= ctx.prior_start AND r.month < ctx.recent_start), 0) AS prior_deduction,
        count(*) FILTER (WHERE r.is_earned) > bit_count(coalesce(bit_or(1::UBIGINT << r.month_no) FILTER (WHERE r.is_earned), 0))
                                                                                                       AS has_shared_month
    FROM records r
    CROSS JOIN ctx
    GROUP BY r.member_no
),
regrouped AS (
    -- members with a month of two or more earned records: the deduction of the month's total
    SELECT
        d.member_no,
        coalesce(sum(d.deduction) FILTER (WHERE d.month >= ctx.window_start), 0)                               AS window_deduction,
        coalesce(sum(d.deduction) FILTER (WHERE d.month >= ctx.recent_start), 0)                               AS recent_deduction,
        coalesce(sum(d.deduction) FILTER (WHERE d.month >= ctx.prior_start AND d.month < ctx.recent_start), 0) AS prior_deduction
    FROM (
        SELECT r.member_no, r.month, least(any_value(r.cap), sum(r.amount))::DECIMAL(18, 2) AS deduction
        FROM records r
        WHERE r.is_earned AND r.member_no IN (SELECT member_no FROM member WHERE has_shared_month)
        GROUP BY r.member_no, r.month
    ) d
    CROSS JOIN ctx
    GROUP BY d.member_no
),
settled AS (
    SELECT
        m.* EXCLUDE (window_deduction, recent_deduction, prior_deduction, has_shared_month),
        coalesce(g.window_deduction, m.window_deduction) AS window_deduction,
        coalesce(g.recent_deduction, m.recent_deduction) AS recent_deduction,
        coalesce(g.prior_deduction, m.prior_deduction)   AS prior_deduction
    FROM member m
    LEFT JOIN regrouped g ON g.member_no = m.member_no
)
SELECT
    pr.household_id,
    pr.person_id,
    s.window_records,
    s.window_countable_records,
    s.window_countable,
    s.window_deduction,
    s.window_countable - s.window_deduction AS window_net,
    s.recent_records,
    s.recent_countable - s.recent_deduction AS recent_net,
    s.prior_records,
    s.prior_countable - s.prior_deduction   AS prior_net
FROM settled s
JOIN present pr ON pr.member_no = s.member_no
