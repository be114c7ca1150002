"""Month arithmetic, written once for the Python side (sql/macros/months.sql is the SQL side).

A month is counted by its index, year * 12 + month - 1, so that adding, subtracting and comparing months is integer
arithmetic and a month index maps back to its first day with no special case for January or December.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def month_index(d: dt.date) -> int:
    """The month of `d` as year * 12 + month - 1."""
    return d.year * 12 + d.month - 1


def month_start(index: int, day: int = 1) -> dt.date:
    """The given day (the first by default) of the month with index `index`."""
    return dt.date(index // 12, index % 12 + 1, day)


def first_of_month(d: dt.date) -> dt.date:
    """The first day of the month of `d`."""
    return month_start(month_index(d))


def months_before(d: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before the month of `d`."""
    return month_start(month_index(d) - n)


def month_index_expr(date: pl.Expr) -> pl.Expr:
    """Polars: the month index of a date column (as `month_index`)."""
    return date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64) - 1


def month_start_expr(index: pl.Expr) -> pl.Expr:
    """Polars: the first day of the month with index `index` (a column of month indexes)."""
    return pl.date(index // 12, index % 12 + 1, 1)


def yyyymm_expr(index: pl.Expr) -> pl.Expr:
    """Polars: the month with index `index` as the number YYYYMM."""
    return index // 12 * 100 + index % 12 + 1
