-- depends: assets, household_features, households, income, member_presence, quarantined_households, rule_context
-- The 免申即享 fast track (docs/CONTRACT.md v2; docs/rulebook.md "Fast track"): for each household, whether every fact an
-- ELIGIBLE_NOT_COVERED, TEKUN_CANDIDATE or AGE_ALLOWANCE_DUE decision needs comes from an authoritative department feed,
-- the facts with their sources, and the fact missing when not. Needed: no income of a present member in the income
-- window from a `declared` or `survey` provider (income rules only), an asset extract that night (income rules only), no
-- row of the household quarantined that night (quarantined_households), and for ELIGIBLE_NOT_COVERED an income that is
-- known at all (a household with no income record cannot be judged below the standard without asking it).
-- Each of `income_rule`, `tekun`, `age_allowance` is the `fast_track` evidence object of that warning: {facts, missing,
-- value}, lists sorted. The flag tells the street that no application is needed, never that the benefit is granted.
-- Grain: one row per household in `households`.
WITH ctx AS (
    SELECT * FROM rule_context
),
income_sources AS (
    SELECT
        m.household_id,
        list_sort(list(DISTINCT i.provider))                                                      AS providers,
        list_sort(list(i.record_id) FILTER (WHERE i.provider IN ('declared', 'survey')))          AS self_reported_ids
    FROM member_presence m
    JOIN income i ON i.person_id = m.person_id
    CROSS JOIN ctx
    WHERE m.is_present AND i.month >= ctx.window_start AND i.month < ctx.month_of_d
    GROUP BY m.household_id
),
quarantined AS (
    SELECT household_id, list_sort(list(DISTINCT feed || ':' || check_code)) AS checks
    FROM quarantined_households
    GROUP BY household_id
),
asset_extract AS (
    SELECT count(*) > 0 AS present FROM assets
),
parts AS (
    SELECT
        h.household_id,
        coalesce(f.income_known, false) AS income_known,
        s.providers,
        s.self_reported_ids,
        q.checks AS quarantined_checks,
        a.present AS asset_extract_present,
        -- facts every decision reads, with their feed
        [{'fact': 'members_ages', 'source': 'persons'},
         {'fact': 'members_present', 'source': 'events'},
         {'fact': 'not_enrolled', 'source': 'enrollment'}] AS common_facts,
        {'fact': 'assets', 'source': 'assets'} AS asset_fact,
        {'fact': 'income', 'source': 'income: ' || coalesce(array_to_string(s.providers, ', '), 'no record')}
            AS income_fact,
        CASE WHEN q.checks IS NOT NULL
             THEN {'code': 'quarantined_rows', 'zh': '本户今晚有数据被隔离（' || array_to_string(q.checks, '、') || '），相关事实不完整'} END
            AS m_quarantine,
        CASE WHEN len(s.self_reported_ids) > 0
             THEN {'code': 'income_self_reported', 'zh': '收入含家庭申报或调查数据（' || array_to_string(s.self_reported_ids, '、')
                   || '），需核实'} END AS m_self_reported,
        CASE WHEN NOT a.present THEN {'code': 'asset_extract_missing', 'zh': '今晚没有财产数据（assets.csv）'} END
            AS m_assets,
        CASE WHEN NOT coalesce(f.income_known, false)
             THEN {'code': 'income_unknown', 'zh': '收入窗口内无任何收入记录，收入未知'} END AS m_income_unknown
    FROM households h
    CROSS JOIN asset_extract a
    LEFT JOIN household_features f ON f.household_id = h.household_id
    LEFT JOIN income_sources s ON s.household_id = h.household_id
    LEFT JOIN quarantined q ON q.household_id = h.household_id
),
missing AS (
    SELECT
        p.*,
        list_filter([m_assets, m_income_unknown, m_self_reported, m_quarantine], lambda x: x IS NOT NULL) AS missing_income_rule,
        list_filter([m_assets, m_self_reported, m_quarantine], lambda x: x IS NOT NULL)                   AS missing_tekun,
        list_filter([m_quarantine], lambda x: x IS NOT NULL)                                              AS missing_age,
        -- the facts of the income rules sorted by fact (the names are fixed: assets, income, then common_facts in
        -- their order), written in that order rather than sorted on every row
        list_concat([asset_fact, income_fact], common_facts)                                              AS income_facts
    FROM parts p
)
SELECT
    household_id,
    {'facts': income_facts, 'missing': missing_income_rule, 'value': len(missing_income_rule) = 0} AS income_rule,
    {'facts': income_facts, 'missing': missing_tekun, 'value': len(missing_tekun) = 0} AS tekun,
    {'facts': common_facts, 'missing': missing_age, 'value': len(missing_age) = 0} AS age_allowance
FROM missing
