"""A night whose standards were last verified more than a year (365 days) before it says so: in the summary's list of
parameters needing confirmation and, in red, in the KPI report's header. Worked by hand: the shipped 2025 standards
were verified on 2025-07-29 (the report that proves them); on 2026-07-29 that is 365 days before, on 2026-07-30 366."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.outputs import report
from models.rules.parameters import STANDARDS, ParameterSet
from tests.report.handmade_store import build_store

AS_OF = dt.date(2026, 3, 10)


def _stale(params: ParameterSet, on: dt.date) -> list[str]:
    return [u["name"] for u in params.needing_confirmation(on) if u["why"] != "unconfirmed"]


def test_the_2025_standards_age_from_the_day_they_were_verified():
    params = ParameterSet.load()
    assert not set(_stale(params, dt.date(2026, 7, 29))) & set(STANDARDS)
    assert set(STANDARDS) <= set(_stale(params, dt.date(2026, 7, 30)))
    why = {u["name"]: u["why"] for u in params.needing_confirmation(dt.date(2026, 7, 30))}
    assert why["dibao.standard_urban"] == "last verified 2025-07-29, more than 365 days before 2026-07-30"
    # the day before the 2025 report the 2021 values (verified 2021-11-17) are in force, and long stale
    assert set(STANDARDS) <= set(_stale(params, dt.date(2025, 7, 28)))


def test_unconfirmed_values_without_a_check_date_stay_unconfirmed_not_stale():
    params = ParameterSet.load()
    why = {u["name"]: u["why"] for u in params.needing_confirmation(dt.date(2030, 1, 1))}
    assert why["income.window_months"] == "unconfirmed"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("store"))


def _params(tmp_path, verified_on: str) -> ParameterSet:
    f = tmp_path / f"override-{verified_on}.yaml"
    f.write_text(
        f"""
dibao.standard_urban:
  values:
    2025-07-29:
      value: 770
      reference: test override
      status: unconfirmed
      verified_on: {verified_on}
""",
        encoding="utf-8",
    )
    return ParameterSet.load(override=f)


def test_report_header_in_red_when_a_standard_was_verified_366_days_before(store, tmp_path):
    kpis = report.compute_kpis(store, AS_OF, params=_params(tmp_path, "2025-03-09"))
    assert [u["name"] for u in kpis["stale_standards"]] == ["dibao.standard_urban"]
    html = report.render_html(kpis)
    assert '<p id="stale-standards" class="stale">' in html and ".stale{color:#D03A1B" in html
    assert "dibao.standard_urban = 770（2025-07-29 起，last verified 2025-03-09" in html
    assert html.index("stale-standards") < html.index('id="headline"')


def test_no_red_line_when_verified_365_days_before(store, tmp_path):
    kpis = report.compute_kpis(store, AS_OF, params=_params(tmp_path, "2025-03-10"))
    assert kpis["stale_standards"] == []
    assert "stale-standards" not in report.render_html(kpis)
