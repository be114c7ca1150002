"""The one-pass evaluation (checks/runner.py check_pass_sql) keeps the semantics of the checks it batches."""

from __future__ import annotations

from checks.runner import run_checks
from tests.checks.clean_night import HEAD_1, clean
from tests.checks.staging import AS_OF, DROP_2, build


def test_a_key_three_times_quarantines_the_later_two_and_null_keys_never_repeat(lenient_params):
    rows = clean()
    row = dict(
        record_id="I7",
        person_id=HEAD_1,
        month=AS_OF.replace(day=1),
        source_type="wage",
        amount=1,
        provider="tax",
        _drop_date=DROP_2,
    )
    rows["income"] += [
        dict(row),
        dict(row, amount=2),
        dict(row, amount=3),
        dict(row, record_id=None),
        dict(row, record_id=None),
        dict(row, record_id="I8", person_id=None),
    ]
    con = build(rows)
    report = run_checks(con, AS_OF, lenient_params, None, feeds=("income",))
    dups = con.execute(
        "SELECT line, reason_en FROM quarantine WHERE check_code = 'DUPLICATE_IN_FILE' ORDER BY line"
    ).fetchall()
    first = con.execute("SELECT min(_line) FROM stg_income WHERE record_id = 'I7'").fetchone()[0]
    assert [line for line, _ in dups] == [first + 1, first + 2]
    assert all(f"repeats line {first} " in reason for _, reason in dups)
    assert report["feeds"]["income"]["checks"] == {"DUPLICATE_IN_FILE": 2, "NULL_record_id": 2, "NULL_person_id": 1}
    assert (
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'chk_%' "
            "OR table_name LIKE 'dup_%' OR table_name LIKE 'orphans_%'"
        ).fetchone()[0]
        == 0
    )


def test_a_check_whose_prepared_tables_are_empty_is_not_looked_up(params):
    """DUPLICATE_IN_FILE and ORPHAN_* fail only rows found in their prepared tables: when those are empty the pass sets
    the flag to FALSE instead of probing them once per row."""
    from checks.runner import check_pass_sql
    from checks.suites import SuiteContext, suite_modules

    checks = suite_modules()["income"].checks(SuiteContext.from_parameters(params, AS_OF))
    prepared = {name for c in checks for name, _ in c.prepare}
    assert prepared == {"dup_income", "orphans_income_person_id"}
    assert all(name in check_pass_sql("income", checks) for name in prepared)
    skipped = check_pass_sql("income", checks, frozenset(prepared))
    assert not any(name in skipped for name in prepared)
    assert 'coalesce(false, false) AS "_f_DUPLICATE_IN_FILE"' in skipped
