"""A scorer's reviewed feature allow-list (`<scorer>/allow_list.yaml`) and its enforcement.

A column reaches a model only if the allow-list names it. Protected traits and their proxies (sex, ethnicity, birthplace,
anything read from the ID number's region digits, names, free text, location) are banned twice over: by name and by
pattern. A banned name in the allow-list, or a banned column handed to a model, raises `BannedFeatureError` naming the
file and the column: it fails loudly, it is never dropped silently.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

KINDS = ("number", "category")


class BannedFeatureError(ValueError):
    pass


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str
    policy: str
    label_zh: str


@dataclass(frozen=True)
class AllowList:
    path: Path
    features: tuple[Feature, ...]
    banned_names: frozenset[str]
    banned_patterns: tuple[str, ...]
    sha256: str

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def label_zh(self, name: str) -> str:
        return next(f.label_zh for f in self.features if f.name == name)

    def banned_reason(self, column: str) -> str | None:
        low = column.lower()
        if low in self.banned_names:
            return f"'{column}' is on the banned list"
        for pattern in self.banned_patterns:
            if re.search(pattern, low):
                return f"'{column}' matches the banned pattern {pattern!r}"
        return None

    def check_columns(self, columns: list[str]) -> None:
        """Every column must be allow-listed and none banned; the error names the file, the column and the rule."""
        for col in columns:
            why = self.banned_reason(col)
            if why:
                raise BannedFeatureError(
                    f"{self.path}: feature {why}: protected traits, their proxies and free text "
                    "never reach a model (issue #6 §2)"
                )
            if col not in self.names:
                raise BannedFeatureError(
                    f"{self.path}: feature '{col}' is not on the reviewed allow-list; expected one of {self.names}"
                )


def load(path: Path) -> AllowList:
    raw = path.read_bytes()
    data = yaml.safe_load(raw.decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("features"), dict) or not data["features"]:
        raise ValueError(f"{path}: expected a mapping with 'features: {{name: {{kind, policy, label_zh}}}}'")
    banned = data.get("banned") or {}
    names = frozenset(str(n).lower() for n in banned.get("names", []))
    patterns = tuple(str(p) for p in banned.get("patterns", []))
    if not names or not patterns:
        raise ValueError(
            f"{path}: expected 'banned: {{names: [...], patterns: [...]}}' (the ban is part of the review)"
        )
    features = []
    for name, spec in data["features"].items():
        spec = spec or {}
        if spec.get("kind") not in KINDS:
            raise ValueError(f"{path}: feature '{name}': kind {spec.get('kind')!r}, expected one of {KINDS}")
        for key in ("policy", "label_zh"):
            if not spec.get(key):
                raise ValueError(f"{path}: feature '{name}' has no '{key}' (every feature states why and how it reads)")
        features.append(Feature(str(name), spec["kind"], str(spec["policy"]), str(spec["label_zh"])))
    allow = AllowList(path, tuple(features), names, patterns, hashlib.sha256(raw).hexdigest())
    for f in allow.features:
        why = allow.banned_reason(f.name)
        if why:
            raise BannedFeatureError(f"{path}: the allow-list names a banned feature: {why}")
    return allow
