"""The Chinese words a caseworker reads and types for the queue's codes (status, severity, outcome, action).

The workbook shows and offers these words; the outcome import (flows/caseworker/outcomes.py) accepts them and the English codes
of docs/CONTRACT.md §5 alike, so a caseworker picks 属实 from the drop-down and a machine may still send `confirmed`.
Category words come from models/rules/catalogue.py (CATEGORY_ZH), beside the warning types they belong to.
"""

from __future__ import annotations

STATUS_ZH = {
    "open": "待核查",
    "in_progress": "核查中",
    "confirmed": "属实",
    "dismissed": "不属实",
    "resolved_by_data": "数据已消除",
}
STATUS_MEANING_ZH = {
    "open": "尚未收到核查结果",
    "in_progress": "已开始核查，尚未办结；办理时限不变",
    "confirmed": "核查属实，预警已关闭",
    "dismissed": "核查不属实，预警已关闭",
    "resolved_by_data": "预警情形已从数据中消失，自动关闭（未经核查）",
}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
# Outcome code -> the word in the workbook's drop-down, and what it means (the 说明 sheet).
OUTCOME_WORDS = {"confirmed": "属实", "dismissed": "不属实", "in_progress": "核查中"}
OUTCOMES_ZH = {
    "confirmed": "核查属实：预警情况存在（办结，关闭预警）",
    "dismissed": "核查不属实：排除预警（办结，关闭预警）",
    "in_progress": "正在核查：尚未办结，预警保持打开，办理时限不变；核查人和备注带入以后各晚的清单",
}
FINAL_OUTCOMES = ("confirmed", "dismissed")
ACTION_WORDS = {
    "enrolled": "纳入救助",
    "terminated": "停止救助",
    "adjusted": "调整救助",
    "referred": "转介",
    "none": "无需处置",
}
ACTIONS_ZH = {
    "enrolled": "纳入救助（低保、特困或低保边缘等）",
    "terminated": "停止救助",
    "adjusted": "调整救助金额或保障人数",
    "referred": "转介其他部门或其他救助",
    "none": "无需处置",
}
# Other spellings caseworkers use for the same outcome (the words of older workbooks and of the 说明 sheet).
OUTCOME_SYNONYMS = {
    "核实属实": "confirmed",
    "核实不属实": "dismissed",
    "核实中": "in_progress",
    "正在核查": "in_progress",
    "正在核实": "in_progress",
}


def _lookup(words: dict[str, str], synonyms: dict[str, str]) -> dict[str, str]:
    table = {code: code for code in words} | {word: code for code, word in words.items()} | synonyms
    return {k.lower(): v for k, v in table.items()}


_OUTCOMES = _lookup(OUTCOME_WORDS, OUTCOME_SYNONYMS)
_ACTIONS = _lookup(ACTION_WORDS, {})


def outcome_code(text: str) -> str | None:
    """The outcome code a cell means (`confirmed` or 属实 -> confirmed), or None when it is neither."""
    return _OUTCOMES.get(text.strip().lower())


def action_code(text: str) -> str | None:
    """The action code a cell means (`none` or 无需处置 -> none), or None when it is neither."""
    return _ACTIONS.get(text.strip().lower())


def choices(words: dict[str, str]) -> str:
    """'属实（confirmed）、不属实（dismissed）…' for messages: the word first, the code beside it."""
    return "、".join(f"{w}（{c}）" for c, w in words.items())
