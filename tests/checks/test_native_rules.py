"""A native rule is one definition of a check: its SQL predicate (the quarantine's) and its GX expectation say the same
thing, written by hand here for each kind of rule."""

from __future__ import annotations

import datetime as dt

import pytest

from checks.row_check import AtLeast, Between, InSet, NotNull, RowCheck


def test_each_rule_gives_its_predicate_and_its_expectation():
    cases = [
        (NotNull("sex"), "t.sex IS NULL", "expect_column_values_to_not_be_null", {"column": "sex"}),
        (
            InSet("sex", ("M", "F")),
            "t.sex NOT IN ('M', 'F')",
            "expect_column_values_to_be_in_set",
            {"column": "sex", "value_set": ["M", "F"]},
        ),
        (
            Between("grade", min=0, max=4),
            "(t.grade < 0 OR t.grade > 4)",
            "expect_column_values_to_be_between",
            {"column": "grade", "min_value": 0, "max_value": 4},
        ),
        (
            Between("birth_date", min=dt.date(1906, 3, 3), strict_min=True),
            "t.birth_date <= DATE '1906-03-03'",
            "expect_column_values_to_be_between",
            {"column": "birth_date", "min_value": dt.date(1906, 3, 3), "strict_min": True},
        ),
        (
            AtLeast("end_date", "start_date"),
            "t.end_date < t.start_date",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {
                "column_A": "end_date",
                "column_B": "start_date",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        ),
    ]
    for rule, sql, gx_type, kwargs in cases:
        config = rule.expectation().configuration
        assert rule.sql() == sql
        assert config.type == gx_type
        assert {k: config.kwargs[k] for k in kwargs} == kwargs


def test_a_check_is_native_or_sql_and_only_a_native_one_has_an_expectation():
    native = RowCheck("NULL_sex", "persons", NotNull("sex"), "'en'", "'zh'", "sex is present")
    sql = RowCheck("ODD", "persons", "t.sex = 'X'", "'en'", "'zh'", "sex is not X")
    assert native.native and native.predicate == "t.sex IS NULL"
    assert native.expectation().meta == {"check_code": "NULL_sex"}
    assert not sql.native and sql.predicate == "t.sex = 'X'"
    with pytest.raises(AssertionError, match="SQL check"):
        sql.expectation()
