"""As-of household descriptors that both ML scorers read, from the tables the rule pass has just built.

`describe_households(con, scope)` expects the tables of a night after `models.rules.candidates.raise_candidates`
(households, member_presence, household_features, income, payments, assets, expenses, rule_context) and returns one row
per household of `household_features` (a Polars frame sorted by household_id) — or, given `scope` (a query yielding
household_id), only those households. Every column depends on its own household's records alone, so a scoped row is the
same as that household's row in the full description; a night scopes to the households it scores (its candidates, and the
covered households a proxy model reads), which at 1M households is well under a tenth of the district and of the income
records it must join.

Two kinds of columns come out:
- *descriptors* a model may read, if and only if the scorer's allow-list names them (composition, income as recorded,
  assets, rigid spending, coverage, payment history); ratios are to the dibao standard in force so the figures mean the
  same in town and city;
- `income_reliable` (1/0), which no model reads: the proxy-means model trains only on households whose income the feeds
  show reliably — a record in every month of the income window, every record of every present member from an
  authoritative department (AUTHORITATIVE: tax, social insurance, human resources, agriculture; no `declared` or
  `survey` row), every present working-age member (18 to 59, full or partial labour capacity) with such a record in
  every window month, and no quarantined income row tied to the household (by a record id with a valid version);
- *audit attributes* that no model reads and the fairness table groups by (`street_code`, `hukou_type`, `age_band`,
  `disability`, `household_size`). They are prefixed `audit_` so that an allow-list can never pick one by accident.
"""

from __future__ import annotations

import polars as pl

import sql

DESCRIBE_SQL = """
WITH ctx AS (SELECT * FROM rule_context),
hf AS (SELECT * FROM household_features WHERE {in_scope}),
mp AS (SELECT * FROM member_presence WHERE {in_scope}),
members AS (
    SELECT
        household_id,
        count(*)::INTEGER                                                              AS n_listed,
        count(*) FILTER (WHERE is_present AND age >= ctx.tekun_min_age)::INTEGER       AS n_elderly,
        count(*) FILTER (WHERE is_present AND age < ctx.tekun_max_child_age)::INTEGER  AS n_children,
        count(*) FILTER (WHERE is_present AND labor_capacity = 'none')::INTEGER        AS n_no_labor,
        count(*) FILTER (WHERE is_present AND labor_capacity = 'partial')::INTEGER     AS n_partial_labor,
        count(*) FILTER (WHERE is_present AND age >= ctx.tekun_supporter_min_age AND age < ctx.tekun_min_age
                           AND labor_capacity = 'full')::INTEGER                      AS n_working_age_full,
        count(*) FILTER (WHERE is_present AND list_contains(ctx.severe_grades, disability_grade))::INTEGER
                                                                                       AS n_severe_disability,
        count(*) FILTER (WHERE is_present AND disability_grade > 0)::INTEGER           AS n_disabled,
        count(*) FILTER (WHERE is_dead)::INTEGER                                       AS n_dead,
        count(*) FILTER (WHERE is_moved_out OR is_incarcerated)::INTEGER               AS n_away,
        -- audit only: the head's age (or the oldest member's when no head is listed)
        coalesce(max(age) FILTER (WHERE relation = 'head'), max(age))                  AS head_age
    FROM mp
    CROSS JOIN ctx
    GROUP BY household_id
),
-- a household's window income by month and source type first: its months and source types are then counted over those
-- few rows (DISTINCT counts over every record kept a copy of each record and grouped it twice)
inc_rows AS (
    SELECT
        m.household_id,
        i.month,
        i.source_type,
        sum(i.amount)                                                                  AS amount,
        sum(i.amount) FILTER (WHERE i.provider = 'declared')                           AS declared,
        sum(i.amount) FILTER (WHERE list_contains(ctx.excluded_sources, i.source_type)) AS exempt
    FROM income i
    JOIN mp m ON m.person_id = i.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE i.month >= ctx.window_start AND i.month < ctx.month_of_d
    GROUP BY m.household_id, i.month, i.source_type
),
inc AS (
    SELECT
        household_id,
        count(DISTINCT month)::INTEGER                                                 AS income_months,
        count(DISTINCT source_type)::INTEGER                                           AS income_sources,
        coalesce(sum(declared), 0) / nullif(sum(amount), 0)                            AS declared_share,
        coalesce(sum(exempt), 0)                                                       AS exempt_income
    FROM inc_rows
    GROUP BY household_id
),
-- per present member: the window months in which an authoritative department (AUTHORITATIVE) reports an income for them
-- (grouped by month first, then by member: a DISTINCT count kept a copy of every record and grouped it twice)
member_months AS (
    SELECT household_id, person_id,
           count(*) FILTER (WHERE has_auth)::INTEGER  AS auth_months,
           sum(other_rows)::INTEGER                    AS other_rows
    FROM (
        SELECT m.household_id, m.person_id, i.month,
               bool_or(i.provider IN {authoritative})                   AS has_auth,
               count(*) FILTER (WHERE i.provider NOT IN {authoritative}) AS other_rows
        FROM mp m
        CROSS JOIN ctx
        LEFT JOIN income i ON i.person_id = m.person_id AND i.month >= ctx.window_start AND i.month < ctx.month_of_d
        WHERE m.is_present
        GROUP BY m.household_id, m.person_id, i.month
    )
    GROUP BY household_id, person_id
),
-- households with a quarantined income row: a quarantined record whose id has a valid version ties it to its person
income_quarantined AS (
    SELECT DISTINCT m.household_id
    FROM {quarantine} q
    JOIN income i ON i.record_id = q.record_id
    JOIN mp m ON m.person_id = i.person_id
    WHERE q.feed = 'income'
),
reliable AS (
    SELECT mm.household_id,
           (sum(mm.other_rows) = 0
            AND bool_and(mm.auth_months >= ctx.window_months
                         OR NOT (mp.age >= ctx.tekun_supporter_min_age AND mp.age < ctx.tekun_min_age
                                 AND mp.labor_capacity IN ('full', 'partial'))))::INTEGER AS income_reliable
    FROM member_months mm
    JOIN mp ON mp.person_id = mm.person_id AND mp.household_id = mm.household_id
    CROSS JOIN ctx
    GROUP BY mm.household_id, ctx.window_months
),
other_spend AS (   -- self-paid spending outside the rigid categories (expenses.csv category `other`), 12 months
    SELECT m.household_id, sum(e.self_paid_amount) AS other_self_paid
    FROM expenses e
    JOIN mp m ON m.person_id = e.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE e.category = 'other' AND e.date > ctx.expense_after AND e.date <= ctx.as_of
    GROUP BY m.household_id
),
held AS (
    SELECT m.household_id, sum(a.value) AS asset_value, count(*)::INTEGER AS asset_count
    FROM assets a
    JOIN mp m ON m.person_id = a.person_id AND m.is_present
    CROSS JOIN ctx
    WHERE a.start_date <= ctx.as_of AND (a.end_date IS NULL OR a.end_date > ctx.as_of)
    GROUP BY m.household_id
),
pay AS (
    SELECT
        household_id,
        count(*)::INTEGER                                                              AS payments_12m,
        count(*) FILTER (WHERE paid_date > last_day(period) + to_days(ctx.payment_due_offset_days))::INTEGER
                                                                                       AS payments_late_12m,
        coalesce(sum(amount), 0)                                                       AS paid_12m,
        count(DISTINCT account_holder_id)::INTEGER                                     AS account_holders
    FROM payments, ctx
    WHERE {in_scope} AND period >= ctx.payment_from AND period < ctx.month_of_d AND paid_date <= ctx.as_of
    GROUP BY household_id
)
SELECT
    f.household_id,
    f.n                                                                                AS n_present,
    coalesce(m.n_listed, 0)                                                            AS n_listed,
    coalesce(m.n_elderly, 0) AS n_elderly, coalesce(m.n_children, 0) AS n_children,
    coalesce(m.n_no_labor, 0) AS n_no_labor, coalesce(m.n_partial_labor, 0) AS n_partial_labor,
    coalesce(m.n_working_age_full, 0) AS n_working_age_full,
    coalesce(m.n_severe_disability, 0) AS n_severe_disability, coalesce(m.n_disabled, 0) AS n_disabled,
    coalesce(m.n_dead, 0) AS n_dead, coalesce(m.n_away, 0) AS n_away,
    f.income_known::INTEGER                                                            AS income_known,
    f.window_records                                                                   AS income_records,
    coalesce(inc.income_months, 0)                                                     AS income_months,
    coalesce(inc.income_sources, 0)                                                    AS income_sources,
    inc.declared_share::DOUBLE                                                         AS declared_share,
    (coalesce(inc.exempt_income, 0) / ctx.window_months / greatest(f.n, 1) / f.standard)::DOUBLE AS exempt_income_to_std,
    (f.per_capita / f.standard)::DOUBLE                                                AS per_capita_to_std,
    CASE WHEN f.recent_records > 0 AND f.n > 0
         THEN (f.recent_net / ctx.recent_months / f.n / f.standard)::DOUBLE END         AS recent_to_std,
    CASE WHEN f.prior_records > 0 AND f.n > 0
         THEN (f.prior_net / ctx.recent_months / f.n / f.standard)::DOUBLE END          AS prior_to_std,
    (f.financial_total / greatest(f.n, 1) / f.standard)::DOUBLE                        AS financial_to_std,
    (coalesce(h.asset_value, 0) / greatest(f.n, 1) / f.standard)::DOUBLE               AS asset_value_to_std,
    coalesce(h.asset_count, 0)                                                         AS asset_count,
    f.vehicle_count, f.residential_count, f.commercial_count, f.business_count,
    (f.medical_self_paid / f.standard)::DOUBLE                                         AS medical_to_std,
    (f.rigid_self_paid / f.standard)::DOUBLE                                           AS rigid_to_std,
    (coalesce(os.other_self_paid, 0) / greatest(f.n, 1) / f.standard)::DOUBLE        AS other_spend_to_std,
    (hh.hukou_type = 'urban')::INTEGER                                                 AS hukou_urban,
    (coalesce(inc.income_months, 0) >= ctx.window_months AND coalesce(rel.income_reliable, 0) = 1
     AND iq.household_id IS NULL)::INTEGER                                             AS income_reliable,
    f.is_covered::INTEGER AS is_covered, f.is_on_roster::INTEGER AS is_on_roster,
    f.is_enrolled_edge::INTEGER AS is_enrolled_edge, f.is_enrolled_rigid::INTEGER AS is_enrolled_rigid,
    f.has_dibao_gradual_exit::INTEGER                                                  AS in_gradual_exit,
    (f.covered_persons_total - f.n)::INTEGER                                           AS covered_minus_present,
    coalesce(p.payments_12m, 0)                                                        AS payments_12m,
    coalesce(p.payments_late_12m, 0)                                                   AS payments_late_12m,
    (coalesce(p.paid_12m, 0) / 12 / greatest(f.n, 1) / f.standard)::DOUBLE             AS paid_per_capita_to_std,
    coalesce(p.account_holders, 0)                                                     AS account_holders,
    f.standard::DOUBLE                                                                 AS standard,
    f.per_capita::DOUBLE                                                               AS per_capita,
    -- audit attributes (never model input)
    left(hh.region_code, 9)                                                            AS audit_street_code,
    hh.hukou_type                                                                      AS audit_hukou_type,
    CASE WHEN m.head_age IS NULL THEN 'unknown' WHEN m.head_age < 30 THEN '<30' WHEN m.head_age < 45 THEN '30-44'
         WHEN m.head_age < 60 THEN '45-59' WHEN m.head_age < 75 THEN '60-74' ELSE '75+' END AS audit_age_band,
    CASE WHEN coalesce(m.n_disabled, 0) > 0 THEN 'yes' ELSE 'no' END                  AS audit_disability,
    CASE WHEN f.n >= 5 THEN '5+' ELSE f.n::VARCHAR END                                 AS audit_household_size
FROM hf f
CROSS JOIN ctx
JOIN households hh ON hh.household_id = f.household_id
LEFT JOIN members m ON m.household_id = f.household_id
LEFT JOIN inc ON inc.household_id = f.household_id
LEFT JOIN held h ON h.household_id = f.household_id
LEFT JOIN pay p ON p.household_id = f.household_id
LEFT JOIN reliable rel ON rel.household_id = f.household_id
LEFT JOIN income_quarantined iq ON iq.household_id = f.household_id
LEFT JOIN other_spend os ON os.household_id = f.household_id
ORDER BY f.household_id
"""

# Providers whose income records come from a department's own register (docs/CONTRACT.md §2 income.provider); `declared` and
# `survey` are what the family or a survey said.
AUTHORITATIVE = ("tax", "social_insurance", "hr", "agriculture")
AUDIT_COLUMNS = ("audit_street_code", "audit_hukou_type", "audit_age_band", "audit_disability", "audit_household_size")


def describe_households(con, scope: str | None = None) -> pl.DataFrame:
    """One row per household with the descriptors and audit attributes above, sorted by household_id; with `scope` (a
    query yielding household_id), only the households it names."""
    in_scope = "TRUE" if scope is None else f"household_id IN (SELECT household_id FROM ({scope}))"
    has_quarantine = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'quarantine' "
        "AND schema_name = current_schema() AND database_name = current_database()"
    ).fetchone()[0]
    quarantine = "quarantine" if has_quarantine else "(SELECT NULL::VARCHAR AS feed, NULL::VARCHAR AS record_id) "
    authoritative = "(" + ", ".join(f"'{p}'" for p in AUTHORITATIVE) + ")"
    return sql.frame(con, DESCRIBE_SQL.format(in_scope=in_scope, quarantine=quarantine, authoritative=authoritative))
