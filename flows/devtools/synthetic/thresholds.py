"""The rule parameters the generator plants against, read from the one parameter loader.

Why: planted ground truth must follow docs/rulebook.md with the values the pipeline ships; reading them through
`ParameterSet` (never re-typing the numbers) keeps the generator and the rules from drifting apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.rules.parameters import ParameterSet


@dataclass(frozen=True)
class Thresholds:
    std_urban: float
    std_rural: float
    window_months: int
    employment_cost_share: float
    edge_multiple: float
    financial_limit_months: float
    medical_shock: float
    rigid_annual: float
    rigid_share: float
    processing_limit_wd: int
    tekun_min_age: int
    tekun_child_age: int
    supporter_min_age: int
    shock_lookback_days: int
    shock_drop_share: float
    shock_recent_months: int
    expense_lookback_days: int
    due_offset_days: int
    streets: dict[str, str]
    county: str
    tekun_standard: float

    def standard(self, hukou: str) -> float:
        return self.std_urban if hukou == "urban" else self.std_rural

    def deduction(self, hukou: str) -> float:
        """Employment-cost deduction per earner-month (before the cap at wage + business)."""
        return round(self.employment_cost_share * self.standard(hukou), 2)

    @property
    def rigid_monthly(self) -> float:
        return self.rigid_annual / 12


def load(on: dt.date) -> Thresholds:
    p = ParameterSet.load()
    v = lambda name: p.value(name, on)  # noqa: E731
    return Thresholds(
        std_urban=float(v("dibao.standard_urban")),
        std_rural=float(v("dibao.standard_rural")),
        window_months=int(v("income.window_months")),
        employment_cost_share=float(v("income.employment_cost_share")),
        edge_multiple=float(v("edge.income_multiple")),
        financial_limit_months=float(v("assets.financial_limit_months")),
        medical_shock=float(v("medical.shock_threshold_yuan")),
        rigid_annual=float(v("rigid.disposable_income_annual")),
        rigid_share=float(v("rigid.expense_share_of_income")),
        processing_limit_wd=int(v("application.processing_limit_working_days")),
        tekun_min_age=int(v("tekun.min_age")),
        tekun_child_age=int(v("tekun.max_child_age")),
        supporter_min_age=int(v("tekun.supporter_min_age")),
        shock_lookback_days=int(v("shock.event_lookback_days")),
        shock_drop_share=float(v("shock.income_drop_share")),
        shock_recent_months=int(v("shock.recent_months")),
        expense_lookback_days=int(v("expenses.lookback_days")),
        due_offset_days=int(v("payment.due_offset_days")),
        streets=dict(sorted(v("district.streets").items())),
        county=str(v("district.county_code")),
        tekun_standard=float(v("tekun.basic_living_standard")),
    )
