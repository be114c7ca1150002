"""The hand-written SVG charts (flows/outputs/charts.py): geometry worked out by hand, escaping, same input -> same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from flows.outputs import charts
from flows.outputs.charts import Series

NS = "{http://www.w3.org/2000/svg}"
OPEN, OVERDUE = "#5B8FF9", "#E8684A"


def _group(root: ET.Element, name: str) -> ET.Element:
    return next(g for g in root.iter(f"{NS}g") if g.get("class") == name)


def _bars_chart() -> str:
    # largest value 10: the axis goes to 11.5; labels "a" and "b" are 6.6 wide (0.6 em of 11), so the plot runs from
    # x = 8 + 6.6 + 8 = 22.6 to 720 - 24 = 696, 673.4 wide
    return charts.hbars("title", ["a", "b"], [Series("open", OPEN, [10, 0]), Series("overdue", OVERDUE, [4, 0])])


@pytest.mark.parametrize(
    "limit, ticks",
    [
        (1.15, [0, 1]),  # nothing to show: the axis still goes to 1.15
        (4.6, [0, 1, 2, 3, 4]),
        (11.5, [0, 2, 4, 6, 8, 10]),  # steps of 1 would give 12 ticks, more than 8
        (14.95, [0, 2, 4, 6, 8, 10, 12, 14]),
        (62.1, [0, 10, 20, 30, 40, 50, 60]),  # 5 would give 13
        (230, [0, 50, 100, 150, 200]),  # 10 and 20 would give 24 and 12
    ],
)
def test_ticks_are_round_integer_steps(limit, ticks):
    assert charts.nice_ticks(limit) == ticks


def test_bar_width_is_its_value_on_the_axis_scale():
    root = ET.fromstring(_bars_chart())
    rects = _group(root, "bars").findall(f"{NS}rect")
    assert [(r.get("fill"), r.get("x"), r.get("width")) for r in rects] == [
        (OPEN, "22.6", "585.6"),  # 673.4 × 10 / 11.5 = 585.57
        (OVERDUE, "22.6", "234.2"),  # 673.4 × 4 / 11.5 = 234.23
    ]
    assert [float(r.get("y")) for r in rects] == [40, 48]  # the first row at the top, its two bars one under the other
    grid = {t.text: float(t.get("x")) for t in _group(root, "grid").iter(f"{NS}text")}
    assert list(grid) == ["0", "2", "4", "6", "8", "10"]
    assert grid["0"] == 22.6 and grid["10"] == pytest.approx(22.6 + 585.6, abs=0.1)  # the bar of 10 ends on tick 10


def test_zero_values_write_no_bar_and_no_value():
    root = ET.fromstring(_bars_chart())
    values = _group(root, "values").findall(f"{NS}text")
    assert [(t.text, t.get("fill")) for t in values] == [("10", "#333"), ("4", "#333")]  # row "b" is all zeros
    assert len(_group(root, "bars")) == 2


def test_labels_are_escaped():
    svg = charts.hbars("各镇街 <b> & co", ["<&>", "小龙坎街道"], [Series('未办结 "open"', OPEN, [1, 2])])
    assert "<b>" not in svg and "<&>" not in svg and '"open"' not in svg
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "各镇街 <b> & co" in texts and "<&>" in texts and '未办结 "open"' in texts
    assert root.get("aria-label") == "各镇街 <b> & co"


def test_same_input_same_bytes_and_a_viewbox():
    assert _bars_chart() == _bars_chart()
    root = ET.fromstring(_bars_chart())
    assert root.get("viewBox") == f"0 0 720 {root.get('height')}" and root.get("width") == "720"
    assert not [e for e in root.iter() if "id" in e.attrib]  # nothing that could clash between charts on one page


def _trend(weeks: int = 3) -> ET.Element:
    # largest value 10: the axis goes to 11.5 over TREND_HEIGHT; y ticks 0..10 step 2, the widest "10" is 12 wide,
    # so the plot runs from x = 8 + 12 + 8 = 28 to 704: one slot of 676 / 3 per week
    raised, opened = [10, 0, 4] + [1] * (weeks - 3), [8, None, 6] + [1] * (weeks - 3)
    return ET.fromstring(
        charts.trend(
            "trend",
            [f"2026-W{10 + i}" for i in range(weeks)],
            bars=[Series("raised", "#A0B4D0", raised), Series("resolved", "#5AD8A6", [2] * weeks)],
            lines=[
                Series("open", OPEN, opened),
                Series("overdue", OVERDUE, [1, None, 0] + [1] * (weeks - 3), marker="square"),
            ],
        )
    )


def test_trend_bars_and_lines_on_the_same_scale():
    root = _trend()
    raised = [r for r in _group(root, "bars") if r.get("fill") == "#A0B4D0"]
    assert len(raised) == 2  # the week with 0 raised has no bar
    bottom = charts.HEADER + charts.TREND_HEIGHT
    assert float(raised[0].get("height")) == pytest.approx(charts.TREND_HEIGHT * 10 / 11.5, abs=0.05)
    assert float(raised[0].get("y")) + float(raised[0].get("height")) == pytest.approx(bottom, abs=0.1)
    # week 1's pair: 24 wide each (the cap), left of and right of the slot's centre 28 + 676 / 6 = 140.67
    assert (raised[0].get("x"), raised[0].get("width")) == ("116.7", "24")
    lines = _group(root, "lines")
    polylines = lines.findall(f"{NS}polyline")
    assert len(polylines) == 2
    # the week without a snapshot night is left out: open 8 in week 1 and 6 in week 3 (centre 28 + 676 × 2.5 / 3)
    assert polylines[0].get("points") == "140.7,88.8 591.3,120.1"  # 214 - 180 × 8 / 11.5, 214 - 180 × 6 / 11.5
    assert len(lines.findall(f"{NS}circle")) == 2 and len(lines.findall(f"{NS}rect")) == 2


def test_trend_week_labels_turn_beyond_eight_weeks():
    assert not [t for t in _group(_trend(8), "labels") if "transform" in t.attrib]
    turned = list(_group(_trend(9), "labels"))
    assert len(turned) == 9 and all(t.get("transform", "").startswith("rotate(-45 ") for t in turned)
    assert all(t.get("text-anchor") == "end" for t in turned)
