-- depends: events, household_features, member_presence, rule_context
-- INCOME_SHOCK (收入骤降): n >= 1, not on the roster; recent per-capita income (net countable income of the last
-- shock.recent_months complete months / recent_months / n) below edge.income_multiple x the standard, and either a present
-- member registered as unemployed within (D - shock.event_lookback_days, D], or recent per-capita at or below
-- (1 - shock.income_drop_share) x the per-capita of the recent_months before those (which must be > 0).
-- Needs at least one income record in those months (missing data is not zero income). Condition key: INCOME_SHOCK.
-- Grain: one row per household.
WITH ctx AS (
    SELECT * FROM rule_context
),
unemployment AS (
    SELECT m.household_id,
           list({'event_date': strftime(e.event_date, '%Y-%m-%d'), 'event_id': e.event_id, 'person_id': e.person_id}
                ORDER BY e.event_id) AS events,
           max(e.event_date) AS latest
    FROM events e
    JOIN member_presence m ON m.person_id = e.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE e.event_type = 'unemployment_registered' AND e.event_date > ctx.shock_event_after AND e.event_date <= ctx.as_of
    GROUP BY m.household_id
),
base AS (
    SELECT
        f.*,
        u.events AS unemployment_events,
        u.latest AS unemployment_latest,
        cents_down(f.recent_net, ctx.recent_months * f.n)                 AS recent_per_capita,
        round(f.prior_net / (ctx.recent_months * f.n), 2)::DECIMAL(18, 2)  AS prior_per_capita,
        (ctx.edge_income_multiple * f.standard)::DECIMAL(18, 2)           AS low_income_line,
        f.recent_net < ctx.edge_income_multiple * f.standard * ctx.recent_months * f.n AS is_low,
        u.household_id IS NOT NULL                                        AS has_unemployment,
        f.prior_net > 0 AND f.recent_net <= (1 - ctx.shock_income_drop_share) * f.prior_net AS has_drop
    FROM household_features f
    CROSS JOIN ctx
    LEFT JOIN unemployment u ON u.household_id = f.household_id
    WHERE f.n >= 1 AND NOT f.is_on_roster AND f.recent_records + f.prior_records > 0
),
used AS (
    SELECT hukou_type, parameters FROM parameters_cited_with_standard(['edge.income_multiple', 'shock.recent_months', 'shock.event_lookback_days', 'shock.income_drop_share', 'income.excluded_sources', 'income.employment_cost_share'])
)
SELECT
    b.household_id,
    'INCOME_SHOCK' AS warning_code,
    'INCOME_SHOCK' AS condition_key,
    '近 ' || ctx.recent_months || ' 个月家庭月人均收入 ' || fmt_yuan(b.recent_per_capita) || ' 元'
        || CASE WHEN b.recent_records = 0 THEN '（这几个月无收入记录）' ELSE '' END
        || '，低于' || b.standard_label || ' ' || b.standard_text || '的 ' || fmt_num(ctx.edge_income_multiple) || ' 倍（'
        || fmt_yuan(b.low_income_line) || ' 元）；'
        || concat_ws('；',
               CASE WHEN b.has_unemployment THEN '家庭成员于 ' || strftime(b.unemployment_latest, '%Y-%m-%d') || ' 登记失业' END,
               CASE WHEN b.has_drop THEN '较此前 ' || ctx.recent_months || ' 个月人均 ' || fmt_yuan(b.prior_per_capita)
                   || ' 元下降 ' || fmt_yuan(100 * (b.prior_net - b.recent_net) / b.prior_net) || '%' END)
        || '；该户未纳入低保或特困供养。' AS reasons,
    to_json({
        'income_drop': b.has_drop,
        'low_income_line': b.low_income_line,
        'members_present': b.n,
        'parameters': u.parameters,
        'prior': {'income_records': b.prior_records, 'months': month_span_text(ctx.prior_start, ctx.recent_start), 'net': b.prior_net, 'per_capita': b.prior_per_capita},
        'recent': {'income_records': b.recent_records, 'months': month_span_text(ctx.recent_start, ctx.month_of_d), 'net': b.recent_net, 'per_capita': b.recent_per_capita},
        'record_ids': income_record_ids(b.household_id, ctx.prior_start),
        'unemployment_events': coalesce(b.unemployment_events, [])
    }) AS evidence
FROM base b
CROSS JOIN ctx
JOIN used u ON u.hukou_type = b.hukou_type
WHERE b.is_low AND (b.has_unemployment OR b.has_drop)
