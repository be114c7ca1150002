"""The queue merge against expectations worked out by hand: the deadline the SQL writes (sql/queue/queue_next.sql over
`working_days`, WorkingCalendar.to_duckdb) across the 2026 Spring Festival and its make-up Saturdays, and one warning
per household and condition while its evidence changes (docs/CONTRACT.md §3)."""

import datetime as dt
import json

import pytest

from flows.store import Store
from models.rules.parameters import ParameterSet
from tests.caseworker.test_queue_lifecycle import H1, night

D = dt.date


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    s.init()
    return s


@pytest.mark.parametrize(
    "raised, due",
    [
        (D(2026, 2, 13), D(2026, 2, 27)),  # docs/CONTRACT.md §3: 2/14 make-up day 1, 2/15-2/23 off, 2/24-2/27 days 2-5
        (D(2026, 2, 27), D(2026, 3, 5)),  # 2/28 make-up Saturday day 1, 3/2-3/5 days 2-5
        (D(2026, 2, 12), D(2026, 2, 26)),  # 2/13 1, 2/14 2, 2/24 3, 2/25 4, 2/26 5
    ],
)
def test_the_sql_deadline_across_spring_festival(store, raised, due):
    assert ParameterSet.load().value("catalogue.deadline_working_days", raised)["MEMBER_DECEASED"] == 5
    (w,) = night(store, raised, [(H1, "death:P1", "MEMBER_DECEASED")]).values()
    assert (w["raised_date"], w["deadline"]) == (raised, due)


def test_changed_evidence_updates_the_open_warning_instead_of_raising_another(store):
    first = night(store, D(2026, 3, 2), [(H1, "inc", "INCOME_OVER_LIMIT", json.dumps({"per_capita": 900}))])
    ((wid, w1),) = first.items()
    second = night(store, D(2026, 3, 3), [(H1, "inc", "INCOME_OVER_LIMIT", json.dumps({"per_capita": 950}))])
    assert list(second) == [wid]
    w2 = second[wid]
    assert (w2["status"], w2["raised_date"], w2["deadline"]) == ("open", w1["raised_date"], w1["deadline"])
    assert json.loads(w2["evidence"]) == {"per_capita": 950} and w2["evidence_hash"] != w1["evidence_hash"]
    third = night(store, D(2026, 3, 4), [(H1, "inc", "INCOME_OVER_LIMIT", json.dumps({"per_capita": 990}))])
    assert [w["status"] for w in third.values()] == ["open"]
