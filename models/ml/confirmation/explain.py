"""Explanations a caseworker can read: the top features behind a score, in Chinese, as JSON with sorted keys."""

from __future__ import annotations

import json
import math

from models.ml.allow_list import AllowList
from models.ml.confirmation.features import WARNING_CODES
from models.rules.catalogue import CATALOGUE

NOTE_ZH = "评分为核查确认的估计概率，仅用于安排核查先后，不作为认定或调整待遇的依据。"


def _value_text(name: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "无记录"
    if name == "warning_code":
        code = WARNING_CODES[int(value)]
        return CATALOGUE[code].label_zh
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def explanation(model_id: str, score: float, row, contributions, allow: AllowList, columns: list[str]) -> str:
    items = []
    for j, effect in contributions:
        name = columns[j]
        points = round(abs(effect) * 100)
        direction = "提高" if effect > 0 else "降低"
        items.append(
            {
                "effect": round(effect, 3),
                "feature": name,
                "text_zh": f"{allow.label_zh(name)}：{_value_text(name, row[j])}（使确认可能性{direction}约 {points} 个百分点）",
            }
        )
    doc = {"model_id": model_id, "note_zh": NOTE_ZH, "score": round(float(score), 4), "top_features": items}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)
