-- depends: household_assets, household_coverage, household_expenses, household_income, households, member_presence, rule_context, standard_in_force
-- As-of household features every income, asset and coverage rule reads.
-- Grain: one row per household in `households` whose hukou_type has a standard in force on D.
WITH ctx AS (
    SELECT * FROM rule_context
),
n AS (
    SELECT household_id, count(*) FILTER (WHERE is_present)::INTEGER AS n
    FROM member_presence
    GROUP BY household_id
),
base AS (
    SELECT
        h.household_id,
        h.hukou_type,
        s.param_name                                       AS standard_param,
        s.label_zh                                         AS standard_label,
        s.standard,
        s.standard_text,
        coalesce(n.n, 0)                                   AS n,
        coalesce(c.is_covered, false)                      AS is_covered,
        coalesce(c.is_on_roster, false)                    AS is_on_roster,
        coalesce(c.is_enrolled_edge, false)                AS is_enrolled_edge,
        coalesce(c.is_enrolled_rigid, false)               AS is_enrolled_rigid,
        coalesce(c.has_dibao_active, false)                AS has_dibao_active,
        coalesce(c.has_dibao_gradual_exit, false)          AS has_dibao_gradual_exit,
        coalesce(c.has_dibao_covered, false)               AS has_dibao_covered,
        coalesce(c.has_tekun_covered, false)               AS has_tekun_covered,
        coalesce(c.covered_persons_total, 0)               AS covered_persons_total,
        c.covered_enrollment_ids,
        c.dibao_active_enrollment_ids,
        coalesce(i.window_records, 0)                      AS window_records,
        coalesce(i.window_records, 0) > 0                  AS income_known,
        coalesce(i.window_countable, 0)                    AS window_countable,
        coalesce(i.window_deduction, 0)                    AS window_deduction,
        coalesce(i.window_net, 0)                          AS window_net,
        coalesce(i.recent_records, 0)                      AS recent_records,
        coalesce(i.recent_net, 0)                          AS recent_net,
        coalesce(i.prior_records, 0)                       AS prior_records,
        coalesce(i.prior_net, 0)                           AS prior_net,
        coalesce(a.financial_total, 0)                     AS financial_total,
        coalesce(a.residential_count, 0)                   AS residential_count,
        coalesce(a.commercial_count, 0)                    AS commercial_count,
        coalesce(a.vehicle_count, 0)                       AS vehicle_count,
        coalesce(a.business_count, 0)                      AS business_count,
        coalesce(x.medical_self_paid, 0)                   AS medical_self_paid,
        coalesce(x.rigid_self_paid, 0)                     AS rigid_self_paid
    FROM households h
    JOIN standard_in_force s ON s.hukou_type = h.hukou_type
    LEFT JOIN n ON n.household_id = h.household_id
    LEFT JOIN household_coverage c ON c.household_id = h.household_id
    LEFT JOIN household_income i ON i.household_id = h.household_id
    LEFT JOIN household_assets a ON a.household_id = h.household_id
    LEFT JOIN household_expenses x ON x.household_id = h.household_id
),
tests AS (
    SELECT
        base.*,
        -- per-capita income over the window, to the cent below (the rules compare exactly, multiplying; this figure is
        -- for reasons and evidence); NULL when unknown (no income record) or n = 0
        CASE WHEN income_known AND n > 0 THEN cents_down(window_net, ctx.window_months * n) END   AS per_capita,
        -- the four asset tests; comparisons multiply instead of divide so thresholds are exact
        financial_total > ctx.financial_limit_months * standard * n                              AS fails_financial,
        vehicle_count > 0                                                                        AS fails_vehicle,
        residential_count > ctx.max_residential_properties OR commercial_count > 0                AS fails_real_estate,
        business_count > 0                                                                       AS fails_business,
        (ctx.financial_limit_months * standard * n)::DECIMAL(18, 2)                              AS financial_limit
    FROM base, ctx
),
assessed AS (
    SELECT
        tests.*,
        NOT (fails_financial OR fails_vehicle OR fails_real_estate OR fails_business)             AS asset_pass,
        list_filter([CASE WHEN fails_business THEN 'business' END, CASE WHEN fails_financial THEN 'financial' END,
                     CASE WHEN fails_real_estate THEN 'real_estate' END, CASE WHEN fails_vehicle THEN 'vehicle' END],
                    lambda t: t IS NOT NULL)                                                            AS failed_tests
    FROM tests
)
SELECT
    assessed.*,
    -- the edge-family test (低保边缘家庭) that EDGE_FAMILY and SEVERE_DISABILITY_SINGLE share: members present, not on
    -- the roster, per-capita income known, at or above the standard and below edge.income_multiple x the standard,
    -- asset tests pass. Registration as edge is not part of it: each rule says what it makes of that.
    (n >= 1 AND NOT is_on_roster AND income_known AND asset_pass
     AND window_net >= standard * ctx.window_months * n
     AND window_net < ctx.edge_income_multiple * standard * ctx.window_months * n)                AS meets_edge_test,
    -- the edge line as the reasons and evidence show it (yuan per person per month)
    (ctx.edge_income_multiple * standard)::DECIMAL(18, 2)                                        AS edge_line
FROM assessed, ctx
