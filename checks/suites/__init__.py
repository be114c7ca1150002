"""One GX suite per feed, one file per feed, named for it. Each module has `checks(ctx) -> list[RowCheck]`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

from models.rules.parameters import ParameterSet


@dataclass(frozen=True)
class SuiteContext:
    """What a night's suites need besides the data: the as-of date and the parameter values in force on it."""

    as_of: dt.date
    county_code: str
    counties: tuple[str, ...]  # the 6-digit codes of the counties whose households a night may hold, sorted
    streets: MappingProxyType  # 9-digit street code -> name
    max_age_years: int

    @classmethod
    def from_parameters(cls, params: ParameterSet, as_of: dt.date) -> SuiteContext:
        return cls(
            as_of=as_of,
            county_code=str(params.value("district.county_code", as_of)),
            counties=tuple(sorted(str(c) for c in dict(params.value("district.counties", as_of)))),
            streets=MappingProxyType(
                {str(k): str(v) for k, v in dict(params.value("district.streets", as_of)).items()}
            ),
            max_age_years=int(params.value("checks.max_age_years", as_of)),
        )


def suite_modules() -> dict:
    """feed name -> suite module, in contract order."""
    from checks.contract import FEEDS
    from checks.suites import (
        applications,
        assets,
        care_contacts,
        communities,
        enrollment,
        events,
        expenses,
        households,
        income,
        meter_readings,
        payments,
        persons,
        staff_relatives,
    )

    modules = {
        m.FEED: m
        for m in (
            households,
            persons,
            enrollment,
            income,
            expenses,
            assets,
            events,
            payments,
            applications,
            staff_relatives,
            communities,
            care_contacts,
            meter_readings,
        )
    }
    assert list(modules) == list(FEEDS), "one suite per feed, in contract order"
    return modules
