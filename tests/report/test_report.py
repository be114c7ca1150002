"""The KPI report on a hand-made store whose numbers were worked out by hand (tests/report/handmade_store.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from flows.outputs import report
from models.rules.catalogue import CATALOGUE
from tests.report.handmade_store import build_store

AS_OF = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def kpis(store):
    return report.build_report(store, AS_OF)


class Page(HTMLParser):
    """Collects what a reader of the page sees first: the headline cards, the figures and their charts."""

    def __init__(self):
        super().__init__()
        self.ids: dict[str, dict] = {}
        self.order: list[str] = []
        self.svg_in: dict[str, int] = {}
        self.tags: list[str] = []
        self._figure = None
        self._text_of = None
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a and not a["id"].startswith(("p", "m")) or tag in ("figure", "section"):
            if "id" in a:
                self.ids[a["id"]] = a
                self.order.append(a["id"])
        if tag == "figure":
            self._figure = a["id"]
        if tag == "svg" and self._figure:
            self.svg_in[self._figure] = self.svg_in.get(self._figure, 0) + 1
        if tag == "b" and "id" in a:
            self._text_of = a["id"]

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None
        if tag == "b":
            self._text_of = None

    def handle_data(self, data):
        if self._text_of:
            self.text[self._text_of] = self.text.get(self._text_of, "") + data


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_headline_numbers_worked_out_by_hand(kpis):
    s = kpis["summary"]
    assert (s["open"], s["in_progress"], s["overdue"], s["applications_overdue"]) == (
        4,
        1,
        2,
        2,
    )  # W1-W4; W2; W1, W3; W3, W4
    # only a caseworker's verification counts as closed: W5, W6, W8; W6 resolved after its deadline; W7 apart
    assert (s["closed"], s["closed_on_time"], s["on_time_rate"], s["resolved_by_data"]) == (3, 2, 0.6667, 1)
    assert s["median_working_days"] == 4.0  # median of 3, 4, 5 (W7's 4 days are not handling)
    assert (s["confirmed"], s["dismissed"], s["confirmation_rate"]) == (2, 1, 0.6667)
    assert s["deduction_per_item"] == 0.1
    assert s["overdue_items"] == 4 and s["deduction_estimate"] == 0.4  # 0.1 x (2 overdue warnings + 2 applications)
    assert s["raised_on_night"] == 0 and kpis["run_id"] == "20260310-test"


def test_by_street_and_code(kpis):
    streets = {r["street_code"]: r for r in kpis["by_street"]}
    assert len(streets) == 26  # every street of the district, quiet ones with zeros
    s1, s2 = streets["500106001"], streets["500106002"]
    assert (s1["open"], s1["overdue"], s1["applications_overdue"], s1["deduction_estimate"]) == (2, 1, 0, 0.1)
    assert (s1["closed"], s1["on_time_rate"], s1["median_working_days"], s1["confirmation_rate"]) == (2, 1.0, 4.0, 1.0)
    assert s1["resolved_by_data"] == 0
    assert (s2["open"], s2["overdue"], s2["applications_overdue"], s2["deduction_estimate"]) == (2, 1, 2, 0.3)
    assert (s2["closed"], s2["on_time_rate"], s2["median_working_days"], s2["confirmation_rate"]) == (1, 0.0, 4.0, 0.0)
    assert s2["resolved_by_data"] == 1  # W7: closed by the data, not counted as on time
    quiet = streets["500106112"]
    assert quiet["open"] == 0 and quiet["on_time_rate"] is None and quiet["deduction_estimate"] == 0.0
    codes = {r["warning_code"]: r for r in kpis["by_code"]}
    assert list(codes) == list(CATALOGUE)  # every code of the catalogue, in its order
    app = codes["APPLICATION_OVERDUE"]
    assert (app["open"], app["overdue"], app["applications_overdue"], app["deduction_estimate"]) == (2, 1, 2, 0.3)
    edge = codes["EDGE_FAMILY"]
    assert (edge["closed"], edge["on_time_rate"], edge["resolved_by_data"], edge["median_working_days"]) == (
        0,
        None,
        1,
        None,
    )
    dead = codes["MEMBER_DECEASED"]
    assert (dead["open"], dead["overdue"], dead["closed"], dead["on_time_rate"], dead["confirmation_rate"]) == (
        1,
        1,
        1,
        1.0,
        1.0,
    )
    inc = codes["INCOME_OVER_LIMIT"]
    assert (inc["open"], inc["in_progress"], inc["closed_on_time"], inc["on_time_rate"], inc["confirmation_rate"]) == (
        1,
        1,
        0,
        0.0,
        0.0,
    )


def test_weekly_trend_from_snapshots(kpis):
    w10, w11 = kpis["weekly"]
    assert (w10["week"], w10["raised"], w10["resolved"], w10["open_at_week_end"], w10["overdue_at_week_end"]) == (
        "2026-W10",
        7,
        2,
        7,
        0,
    )
    assert w10["snapshot_night"] == dt.date(2026, 3, 3)  # the last night of that week
    assert (w11["week"], w11["raised"], w11["resolved"], w11["open_at_week_end"], w11["overdue_at_week_end"]) == (
        "2026-W11",
        1,
        2,
        4,
        2,
    )


def test_default_night_is_the_latest_successful_one(store):
    assert report.compute_kpis(store)["as_of"] == AS_OF  # 03-11 halted


def test_earlier_night_and_missing_night(store):
    k = report.compute_kpis(store, dt.date(2026, 3, 9))
    assert (k["summary"]["open"], k["summary"]["overdue"]) == (5, 1)
    assert [w["week"] for w in k["weekly"]] == ["2026-W10", "2026-W11"]
    with pytest.raises(report.ReportError, match="no successful night on 2026-03-11.*2026-03-10"):
        report.compute_kpis(store, dt.date(2026, 3, 11))


def test_files_written_beside_the_exports(store, kpis):
    folder = store / "exports" / "2026-03-10"
    names = {p.name for p in folder.iterdir()}
    assert {"report.html", *report.CSV_FILES, "500106001.csv"} <= names  # the exports are left in place
    assert not [n for n in names if n.endswith(".partial")]
    assert set(kpis["files"]) == {"report.html", *report.CSV_FILES}


def test_html_parses_headline_first_and_charts_inline(store, kpis):
    html_path = store / "exports" / "2026-03-10" / "report.html"
    page = parse(html_path)
    cards = [i for i in page.order if i.startswith("kpi-") and not i.startswith("kpi-deduction-")]
    assert cards[:4] == ["kpi-open", "kpi-overdue", "kpi-deduction", "kpi-on-time"]
    assert (
        page.order.index("kpi-open")
        < page.order.index("chart-street")
        < page.order.index("chart-code")
        < page.order.index("trend-pending")
        < page.order.index("table-street")
    )
    values = {k: page.ids[k]["data-value"] for k in cards[:4]}
    assert values == {"kpi-open": "4", "kpi-overdue": "2", "kpi-deduction": "0.4", "kpi-on-time": "0.6667"}
    # the deduction card shows its two parts: 2 overdue warnings and 2 overdue applications, 0.1 each
    assert (page.ids["kpi-deduction-overdue"]["data-value"], page.ids["kpi-deduction-applications"]["data-value"]) == (
        "2",
        "2",
    )
    assert (
        page.order.index("kpi-deduction") < page.order.index("kpi-deduction-overdue") < page.order.index("kpi-on-time")
    )
    assert page.text["kpi-median"] == "4" and page.text["kpi-resolved-by-data"] == "1"
    assert page.svg_in == {"chart-street": 1, "chart-code": 1}  # two weeks: no trend chart yet
    assert "trend-pending" in page.ids
    text = html_path.read_text(encoding="utf-8")
    # offline: nothing to fetch, no script; the only URIs are the SVG namespace names
    assert "<script" not in text and "<link" not in text and "<img" not in text and "https://" not in text
    assert {u for u in re.findall(r'"(http://[^"]*)"', text)} <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "预计考核扣分" in text and "APPLICATION_OVERDUE" in text and "小龙坎街道" in text
    figures = re.findall(r'<figure id="chart-[a-z]+">(<svg .*?</svg>)</figure>', text, flags=re.S)
    assert len(figures) == 2 and all(ET.fromstring(svg).get("viewBox") for svg in figures)  # well-formed SVG


def test_csvs_and_html_identical_across_builds(store, kpis, tmp_path):
    folder = store / "exports" / "2026-03-10"
    first = {n: (folder / n).read_bytes() for n in ("report.html", *report.CSV_FILES)}
    again = report.build_report(store, AS_OF)
    assert {n: (folder / n).read_bytes() for n in first} == first
    assert again["files"] == kpis["files"]


def test_csv_content(store, kpis):
    folder = store / "exports" / "2026-03-10"
    summary = {
        r["metric"]: r["value"] for r in csv.DictReader(io.StringIO((folder / "kpi_summary.csv").read_text("utf-8")))
    }
    assert (summary["open"], summary["overdue"], summary["deduction_estimate"], summary["on_time_rate"]) == (
        "4",
        "2",
        "0.4",
        "0.6667",
    )
    streets = list(csv.DictReader(io.StringIO((folder / "kpi_by_street.csv").read_text("utf-8"))))
    assert streets[1]["street_name"] == "沙坪坝街道" and streets[1]["deduction_estimate"] == "0.3"
    assert streets[-1]["on_time_rate"] == ""  # no closed warning: no rate, not zero
    weekly = (folder / "kpi_weekly.csv").read_text("utf-8").splitlines()
    assert weekly[1] == "2026-W10,2026-03-02,2026-03-08,7,2,7,0,2026-03-03"


def test_artifact_payloads(kpis, monkeypatch):
    made = {}
    import prefect.artifacts as artifacts

    monkeypatch.setattr(artifacts, "create_markdown_artifact", lambda **kw: made.setdefault("md", kw))
    monkeypatch.setattr(artifacts, "create_table_artifact", lambda **kw: made.setdefault("table", kw))
    report.publish_artifacts(kpis)
    assert (
        made["md"]["key"] == "safetynet-kpi-summary" and "| 超期预警 overdue warnings | 2 |" in made["md"]["markdown"]
    )
    assert made["table"]["key"] == "safetynet-kpi-by-street" and len(made["table"]["table"]) == 26
    assert made["table"]["table"][1]["deduction_estimate"] == "0.3"


def test_cli_help_and_run(store, capsys):
    import argparse

    p = argparse.ArgumentParser(prog="safetynet")
    report.register(p.add_subparsers(dest="command"))
    args = p.parse_args(["report", "--store", str(store), "--as-of", "2026-03-10"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "overdue warnings (超期)         2" in out and "report.html" in out
    args = p.parse_args(["report", "--store", str(store), "--as-of", "2026-03-11"])
    assert args.func(args) == 2
    with pytest.raises(SystemExit):
        p.parse_args(["report", "--help"])
    assert "report.html" in capsys.readouterr().out


def test_trend_chart_once_three_weeks_have_a_snapshot(kpis):
    """The near-miss twin of the two-week page above: one more week with a snapshot night, and the chart is drawn."""
    more = dict(
        kpis,
        weekly=kpis["weekly"]
        + [
            dict(
                kpis["weekly"][-1],
                week="2026-W12",
                week_start=dt.date(2026, 3, 16),
                week_end=dt.date(2026, 3, 22),
                snapshot_night=dt.date(2026, 3, 17),
            )
        ],
    )
    page = Page()
    page.feed(report.render_html(more))
    assert page.svg_in.get("chart-trend") == 1 and "trend-pending" not in page.ids


def test_wide_tables_scroll_inside_their_box_and_sections_are_blocks(kpis):
    text = report.render_html(kpis)
    for table in ("table-street", "table-code", "table-weekly"):
        assert f'<div class="scroll"><table id="{table}">' in text
    assert ".scroll{overflow-x:auto" in text
    sections = re.findall(r'<section id="section-([a-z]+)">', text)
    assert sections == ["street", "code", "trend", "care", "review", "tables", "definitions"]


def test_a_section_builder_adds_a_block_in_its_place(kpis, monkeypatch):
    extra = report.Section("extra", "附加", "extra", report.Markup("<p id='extra-body'>探访 <b>3</b></p>"))
    builders = report.SECTION_BUILDERS
    monkeypatch.setattr(report, "SECTION_BUILDERS", builders[:2] + (lambda k: extra, lambda k: None) + builders[2:])
    sections = re.findall(r'<section id="section-([a-z]+)">', report.render_html(kpis))
    assert sections == ["street", "code", "extra", "trend", "care", "review", "tables", "definitions"]
