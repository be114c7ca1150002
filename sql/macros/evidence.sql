-- depends: assets, expenses, income, member_presence, param_evidence, rule_context, standard_in_force
-- Evidence lists evaluated for raised households only (sorting a list per household for all of them would cost most of
-- the rule pass at scale: docs/adr/0013). They read feature relations, so they are created after sql/features/ is built.

-- The income records behind a household's figures (its present members' income from `from_month` up to the month of D),
-- for the income rules.
CREATE OR REPLACE MACRO income_record_ids(hid, from_month) AS coalesce((
    SELECT list(i.record_id ORDER BY i.record_id)
    FROM member_presence m JOIN income i ON i.person_id = m.person_id, rule_context c
    WHERE m.household_id = hid AND m.is_present AND i.month >= from_month AND i.month < c.month_of_d), []);

-- The income block of the evidence of EDGE_FAMILY and SEVERE_DISABILITY_SINGLE (an unregistered edge family): the
-- window's figures from household_features, the records behind them, and the window.
CREATE OR REPLACE MACRO income_evidence(hid, countable, deduction, records, net, per_capita, window_start, month_of_d) AS {
    'countable': countable,
    'deduction': deduction,
    'income_records': records,
    'net': net,
    'per_capita': per_capita,
    'record_ids': income_record_ids(hid, window_start),
    'window': month_span_text(window_start, month_of_d)
};

-- The expenses behind household_expenses' totals (medical_* only, or all rigid categories), sorted by date then
-- record_id, keys in sorted order; NULL when there is none (as the list aggregate gives).
CREATE OR REPLACE MACRO expense_records(hid, medical_only) AS (
    SELECT list_transform(list_sort(list({'date': strftime(e.date, '%Y-%m-%d'), 'record_id': e.record_id,
                                          'amount': e.self_paid_amount::DECIMAL(18, 2), 'category': e.category})),
                          lambda r: {'amount': r.amount, 'category': r.category, 'date': r.date, 'record_id': r.record_id})
    FROM member_presence m JOIN expenses e ON e.person_id = m.person_id, rule_context c
    WHERE m.household_id = hid AND m.is_present AND e.date > c.expense_after AND e.date <= c.as_of
      AND (e.category LIKE 'medical\_%' ESCAPE '\' OR (NOT medical_only AND e.category IN ('education', 'disability_rehab'))));

-- The assets behind household_assets' counts that fall under a test, sorted by asset_id, keys in sorted order; NULL
-- when there is none.
CREATE OR REPLACE MACRO tested_assets(hid) AS (
    SELECT list_sort(list({'asset_id': a.asset_id, 'asset_type': a.asset_type, 'subtype': a.subtype,
                           'test': CASE WHEN asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) LIKE 'real_estate%'
                                        THEN 'real_estate' ELSE asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) END,
                           'value': a.value::DECIMAL(18, 2)})
                     FILTER (WHERE asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) IS NOT NULL))
    FROM member_presence m JOIN assets a ON a.person_id = m.person_id, rule_context c
    WHERE m.household_id = hid AND m.is_present AND in_force_on(a.start_date, a.end_date, c.as_of));

-- The evidence objects (param_evidence) of the parameters a rule cites, sorted by name: one row, `parameters`.
CREATE OR REPLACE MACRO parameters_cited(names) AS TABLE
    SELECT list(evidence ORDER BY name) AS parameters FROM param_evidence WHERE list_contains(names, name);

-- As parameters_cited, with the standard in force for each hukou type (standard_in_force) added: one row per hukou_type.
CREATE OR REPLACE MACRO parameters_cited_with_standard(names) AS TABLE
    SELECT s.hukou_type, list(pe.evidence ORDER BY pe.name) AS parameters
    FROM standard_in_force s
    JOIN param_evidence pe ON pe.name = s.param_name OR list_contains(names, pe.name)
    GROUP BY s.hukou_type;
