"""The warning catalogue (CONTRACT.md §3): stable codes with category, Chinese label and severity.

Handling deadlines are not here: they are local policy settings, dated parameters in
`parameters/catalogue/deadline_working_days.yaml`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class WarningType:
    """`counters`: top-level evidence entries that count from the records to D (days elapsed, a look-back period ending on
    D). They change every night on their own, so they are left out of the evidence hash (`evidence_patch`): a warning a
    caseworker closed is raised again when its records change, not because another night has passed."""

    code: str
    category: str
    label_zh: str
    severity: str
    counters: tuple[str, ...] = ()

    def evidence_patch(self) -> str | None:
        """A JSON merge patch (RFC 7396) that removes the counters from the evidence before it is hashed."""
        return json.dumps({k: None for k in self.counters}, sort_keys=True) if self.counters else None


SEVERITY_RANK = {"high": 1, "medium": 2, "low": 3}
CATEGORY_ZH = {"exclusion": "漏保", "inclusion": "错保", "payment": "发放", "integrity": "廉洁", "process": "办理",
               "monitoring": "监测", "care": "关爱"}

CATALOGUE: dict[str, WarningType] = {
    w.code: w
    for w in (
        WarningType("ELIGIBLE_NOT_COVERED", "exclusion", "疑似漏保", "high"),
        WarningType("TEKUN_CANDIDATE", "exclusion", "疑似特困未纳入", "high"),
        WarningType("SEVERE_DISABILITY_SINGLE", "exclusion", "重病重残可单人保", "medium"),
        WarningType("INCOME_SHOCK", "exclusion", "收入骤降", "medium"),
        WarningType("MEDICAL_SHOCK", "exclusion", "大额医疗支出", "medium", counters=("period",)),
        WarningType("INCOME_OVER_LIMIT", "inclusion", "收入超标", "medium"),
        WarningType("ASSET_OVER_LIMIT", "inclusion", "财产超标", "medium"),
        WarningType("MEMBER_DECEASED", "inclusion", "成员死亡未调整", "high"),
        WarningType("MEMBER_LEFT", "inclusion", "成员迁出/服刑未调整", "medium"),
        WarningType("DUPLICATE_COVERAGE", "inclusion", "重复享受", "high"),
        WarningType("PAYMENT_AFTER_END", "payment", "停保/死亡后仍发放", "high"),
        WarningType("PAYMENT_MISMATCH", "payment", "未足额/超额发放", "medium"),
        WarningType("PAYMENT_LATE", "payment", "未及时发放", "medium"),
        WarningType("ACCOUNT_HOLDER_OUTSIDE", "payment", "疑似卡折代管", "high"),
        WarningType("STAFF_RELATIVE_UNFILED", "integrity", "近亲属未备案", "medium"),
        WarningType("APPLICATION_OVERDUE", "process", "申请办理超期", "high", counters=("working_days_elapsed",)),
        WarningType("EDGE_FAMILY", "monitoring", "低保边缘家庭", "low"),
        WarningType("RIGID_EXPENSE_FAMILY", "monitoring", "刚性支出困难家庭", "low"),
        # CONTRACT.md v2: care for older people living alone, and the age allowance granted without application
        WarningType("CARE_CONTACT_MISSED", "care", "独居老人探访未达标", "medium"),
        WarningType("CARE_CONCERN", "care", "探访发现异常", "high"),
        WarningType("WATER_USAGE_ANOMALY", "care", "独居老人用水异常", "high", counters=("days",)),
        WarningType("AGE_ALLOWANCE_DUE", "exclusion", "高龄津贴免申即享", "medium"),
        # raised by the ML stage (models/ml/nightly.py), not by a rule in sql/warnings/ (RULEBOOK.md, last section)
        WarningType("RANDOM_REVIEW", "process", "随机抽查", "low"),
        WarningType("PROXY_SIGNAL", "monitoring", "收入代理指标异常", "low"),
    )
}

# Codes raised outside the rule SQL: the monthly random review slice and the proxy-means signal (models/ml/).
RAISED_BY_ML = frozenset({"RANDOM_REVIEW", "PROXY_SIGNAL"})
