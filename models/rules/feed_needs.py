"""Which feeds each rule reads, and so which rules a night could not evaluate (docs/CONTRACT.md "Changes in v2": optional
means optional).

An optional feed may be absent; the night still runs, its state table is empty and the rules that read it raise
nothing. That silence must not read as "nothing found", so the night reports those rules as not evaluated. What a rule
reads is taken from the `-- depends:` headers of its SQL (sql/warnings/), through the features it builds on
(sql/features/), the same headers that order the relations (sql/__init__.py): a new rule or a new optional feed is
covered without a list kept by hand.
"""

from __future__ import annotations

import re
from functools import cache

import sql
from checks.contract import FEEDS
from models.rules.catalogue import CATALOGUE


@cache
def feeds_read_by_rule() -> dict[str, tuple[str, ...]]:
    """Warning code -> the feeds (state tables) its rule reads, directly or through features, sorted."""
    features = {n: set(sql.declared_dependencies(p)) for n, p in sql.relation_files("features").items()}

    def feeds_of(names: set[str], seen: set[str]) -> set[str]:
        out = names & set(FEEDS)
        for n in (names & set(features)) - seen:
            seen.add(n)
            out |= feeds_of(features[n], seen)
        return out

    needs: dict[str, tuple[str, ...]] = {}
    for path in sql.relation_files("warnings").values():
        text = sql.strip_comments(path.read_text(encoding="utf-8"))
        feeds = feeds_of(set(sql.declared_dependencies(path)), set())
        for code in sorted(set(re.findall(r"'([A-Z][A-Z_]+)'", text)) & set(CATALOGUE)):
            needs[code] = tuple(sorted(feeds))
    return needs


def absent_optional_feeds(files_by_feed: dict[str, list]) -> list[str]:
    """The optional feeds of which the night reads no file (none delivered on or before D)."""
    return sorted(f for f, feed in FEEDS.items() if not feed.required and not files_by_feed.get(f))


def rules_not_evaluated(absent: list[str]) -> list[dict]:
    """One entry per warning code whose rule reads an absent feed: the code, the feeds, and why, in English and Chinese."""
    out = []
    for code, feeds in sorted(feeds_read_by_rule().items()):
        missing = [f for f in feeds if f in absent]
        if missing:
            names = ", ".join(f"{f}.csv" for f in missing)
            out.append(
                {
                    "warning_code": code,
                    "feeds_absent": missing,
                    "reason_en": f"not evaluated: no {names} delivered on or before this night (optional feed)",
                    "reason_zh": f"未评估：本期及之前未报送 {names}（可选数据）",
                }
            )
    return out
