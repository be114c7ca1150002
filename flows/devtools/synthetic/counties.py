"""The synthetic municipality's counties and how its households are split into counties and generation blocks.

Why: a municipality's drop (docs/CONTRACT.md v2, "Municipality scale") holds households of several counties. County 1
is the deployment's own district (沙坪坝区, with its 26 real streets from `district.streets`); further counties come from
the generator's own dated parameter `synthetic.placeholder_counties` (invented codes and names, status unconfirmed),
which is kept out of the pipeline's parameter set so that no bureau's night ever lists placeholder streets. A night
that runs a generated municipality is given `<out>/municipality.yaml`, an override naming every generated county and
street, still marked unconfirmed.

The random stream is fixed per block of at most `BLOCK` households inside a county (seeded from (seed, county,
block)), so a county's households are the same whatever the memory budget, and the first block of the first county
uses the plain seed: a district that fits one block is exactly what the single-district generator always wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from models.rules.parameters import ParameterSet

PLACEHOLDER_ROOT = Path(__file__).parent / "parameters"
PLACEHOLDER_PARAMETER = "synthetic.placeholder_counties"
BLOCK = 50_000  # households per block of the random stream (part of what a seed means: changing it changes the data)
HIDDEN_STREAM = 20  # the hidden-income stream's seed suffix (flows/devtools/synthetic/hidden.py)


@dataclass(frozen=True)
class County:
    code: str  # 6 digits
    name: str  # e.g. 沙坪坝区
    streets: dict[str, str]  # 9-digit street code -> name, sorted by code
    placeholder: bool  # invented for the generator (not a real 统计用区划代码)

    @property
    def region(self) -> int:
        """The county code as the region digits of ID numbers of people born here."""
        return int(self.code)


def municipality(n: int, on: dt.date) -> list[County]:
    """The first `n` counties: the deployment's district, then placeholders in code order."""
    shipped = ParameterSet.load()
    home_code = str(shipped.value("district.county_code", on))
    home_name = str(dict(shipped.value("district.counties", on)).get(home_code, home_code))
    home = County(home_code, home_name, dict(sorted(shipped.value("district.streets", on).items())), False)
    others = dict(ParameterSet.load(root=PLACEHOLDER_ROOT).value(PLACEHOLDER_PARAMETER, on))
    if n > 1 + len(others):
        raise ValueError(f"--counties {n}: the generator knows {1 + len(others)} counties at most")
    placeholders = [
        County(str(code), str(c["name"]), {str(k): str(v) for k, v in sorted(c["streets"].items())}, True)
        for code, c in sorted(others.items())
    ]
    return [home, *placeholders[: n - 1]]


def split(total: int, parts: int) -> list[int]:
    """`total` into `parts` near-equal sizes, the larger ones first (households per county, households per block)."""
    q, r = divmod(total, parts)
    return [q + (i < r) for i in range(parts)]


def blocks(households: int, block: int = BLOCK) -> list[int]:
    """A county's block sizes: as few blocks of at most `block` households as cover it, near-equal in size."""
    return split(households, max(1, -(-households // block)))


def override_yaml(counties: list[County]) -> str:
    """`<out>/municipality.yaml`: a `--params` override that makes a night accept every generated county and route
    its warnings to the county's own streets. Dated like the shipped values it replaces; unconfirmed, placeholders."""
    reference = (
        "safetynet generate --counties "
        f"{len(counties)}: 沙坪坝区 (real codes) and PLACEHOLDER counties "
        f"{', '.join(c.code for c in counties if c.placeholder)} (invented, flows/devtools/synthetic/counties.py)"
    )

    def dated(value) -> dict:
        return {"values": {"2023-01-01": {"value": value, "reference": reference, "status": "unconfirmed"}}}

    doc = {
        "district.counties": dated({c.code: c.name for c in counties}),
        "district.streets": dated({k: v for c in counties for k, v in c.streets.items()}),
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=True, width=1000)
