"""persons.csv — household members: contract checks, the GB 11643 ID number, sex and birth date agreeing with it,
plausible birth date and age, disability grade 0-4, and the household present in households.csv."""

from __future__ import annotations

import datetime as dt

from checks import id_number_sql as idn
from checks.row_check import Between, RowCheck, contract_checks, fmt, fmt_zh, orphan_check

FEED = "persons"


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def checks(ctx) -> list[RowCheck]:
    pid = "t.person_id"
    n = f"t.{idn.number_column('person_id')}"  # the derived ID digits: NULL unless person_id is well formed
    # age <= max on the as-of date  <=>  born after the day (max + 1) years before it
    too_old = years_before(ctx.as_of, ctx.max_age_years + 1)
    return [
        *contract_checks(FEED),
        *idn.id_checks(FEED, "person_id"),
        RowCheck(
            "SEX_ID_MISMATCH",
            FEED,
            f"{n} IS NOT NULL AND t.sex IN ('M', 'F') AND t.sex <> {idn.sex_of(n)}",
            fmt(
                "persons.sex is {} but person_id '{}' has sequence digit {} which means {}",
                "t.sex",
                pid,
                f"substr({pid}, 17, 1)",
                idn.sex(pid),
            ),
            fmt_zh(
                "persons.sex 为 {}，但身份号码 '{}' 第 17 位为 {}，对应性别 {}",
                "t.sex",
                pid,
                f"substr({pid}, 17, 1)",
                idn.sex(pid),
            ),
            "sex agrees with the 17th digit of person_id (odd = M, even = F)",
            derived=(idn.derived_number("person_id"),),
        ),
        RowCheck(
            "BIRTH_ID_MISMATCH",
            FEED,
            f"{n} IS NOT NULL AND t.birth_date <> {idn.birth_date_of(n)}",
            fmt("persons.birth_date is {} but person_id '{}' encodes {}", "t.birth_date", pid, idn.birth_date(pid)),
            fmt_zh(
                "persons.birth_date 为 {}，但身份号码 '{}' 中的出生日期为 {}", "t.birth_date", pid, idn.birth_date(pid)
            ),
            "birth_date agrees with digits 7-14 of person_id",
            derived=(idn.derived_number("person_id"),),
        ),
        RowCheck(
            "BIRTH_DATE_FUTURE",
            FEED,
            Between("birth_date", max=ctx.as_of),
            fmt(f"persons.birth_date {{}} is after the as-of date {ctx.as_of.isoformat()}", "t.birth_date"),
            fmt_zh(f"persons.birth_date {{}} 晚于数据基准日 {ctx.as_of.isoformat()}", "t.birth_date"),
            f"birth_date is not after the as-of date {ctx.as_of.isoformat()}",
        ),
        RowCheck(
            "AGE_IMPLAUSIBLE",
            FEED,
            Between("birth_date", min=too_old, strict_min=True),
            fmt(
                f"persons.birth_date {{}} makes the person older than {ctx.max_age_years} years on "
                f"{ctx.as_of.isoformat()} (checks.max_age_years)",
                "t.birth_date",
            ),
            fmt_zh(
                f"persons.birth_date {{}} 表明此人在 {ctx.as_of.isoformat()} 已超过 {ctx.max_age_years} 岁"
                "（checks.max_age_years），不合常理",
                "t.birth_date",
            ),
            f"age on the as-of date is at most {ctx.max_age_years} years (checks.max_age_years)",
        ),
        RowCheck(
            "DISABILITY_GRADE_RANGE",
            FEED,
            Between("disability_grade", min=0, max=4),
            fmt("persons.disability_grade must be 0 (none) or 1-4 as on the 残疾人证; found {}", "t.disability_grade"),
            fmt_zh("persons.disability_grade 应为 0（无）或残疾人证上的 1-4 级；实际为 {}", "t.disability_grade"),
            "disability_grade is 0 (none) or 1-4",
        ),
        orphan_check(FEED, "household_id", "households", "household_id"),
    ]
