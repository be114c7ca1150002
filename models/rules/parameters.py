"""The only parameter loader: dated, sourced policy values from YAML (docs/STYLE.md conventions 1-2).

One parameter per file under `models/rules/parameters/`; the folder path is the dotted name
(`parameters/dibao/standard_urban.yaml` -> `dibao.standard_urban`). A file holds:

    description: what the value is, in a sentence
    unit: its unit
    values:                       # keyed by the date the value takes effect
      2021-09-01:
        value: 636
        reference: the document that sets it (or why there is none)
        status: verified          # verified | unconfirmed  ([LOCAL] values in docs/POLICY.md are unconfirmed)
        verified_on: 2021-11-17   # optional: when the value was last checked against its source

A value is in force from its date until the next value's date. An override file (`--params FILE`, the bureau's confirmed
local values) has the form `{name: {values: {...}}}` and layers its dated values on top of the shipped ones.

SQL sees the same values: `ParameterSet.to_duckdb` writes a `params` table and the `param(name)` / `param_text(name)`
macros that read the value in force on the run's as-of date, so Python and SQL cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

import sql

ROOT = Path(__file__).parent / "parameters"
STATUSES = ("verified", "unconfirmed")
# The standards every income test compares with: a night whose standards were last verified more than a year before it
# says so in its summary and in the KPI report's header (the city raises them about once a year).
STANDARDS = ("dibao.standard_urban", "dibao.standard_rural", "tekun.basic_living_standard")


class ParameterError(ValueError):
    pass


@dataclass(frozen=True)
class DatedValue:
    name: str
    effective_from: dt.date
    value: object
    reference: str
    status: str
    verified_on: dt.date | None
    source_file: str

    def evidence(self) -> dict:
        """The value as a warning's evidence cites it (docs/CONTRACT.md §4): what, from when, its source and status."""
        return {
            "effective_from": self.effective_from.isoformat(),
            "name": self.name,
            "reference": self.reference,
            "status": self.status,
            "value": self.value,
        }


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]  # sorted by effective_from

    def at(self, on: dt.date) -> DatedValue:
        in_force = [v for v in self.values if v.effective_from <= on]
        if not in_force:
            raise ParameterError(
                f"parameter {self.name}: no value in force on {on} (first value from {self.values[0].effective_from})"
            )
        return in_force[-1]

    def effective_to(self, value: DatedValue) -> dt.date | None:
        later = [v.effective_from for v in self.values if v.effective_from > value.effective_from]
        return min(later) if later else None


def _as_date(key: object, where: str) -> dt.date:
    if isinstance(key, dt.date):
        return key
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError as exc:
        raise ParameterError(f"{where}: '{key}' is not a YYYY-MM-DD date") from exc


def _dated_values(name: str, raw_values: object, where: str) -> list[DatedValue]:
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(
            f"{where}: expected a non-empty mapping 'values: {{YYYY-MM-DD: {{value, reference, status}}}}'"
        )
    out = []
    for key, entry in raw_values.items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise ParameterError(f"{where}: value dated {key} has no 'value'")
        reference = str(entry.get("reference") or "").strip()
        status = entry.get("status")
        if not reference:
            raise ParameterError(
                f"{where}: value dated {key} has no 'reference' (every policy number cites its source)"
            )
        if status not in STATUSES:
            raise ParameterError(f"{where}: value dated {key} has status {status!r}; expected one of {STATUSES}")
        verified_on = entry.get("verified_on")
        out.append(
            DatedValue(
                name=name,
                effective_from=_as_date(key, where),
                value=entry["value"],
                reference=reference,
                status=status,
                verified_on=_as_date(verified_on, where) if verified_on is not None else None,
                source_file=where,
            )
        )
    return out


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date-shaped value that is no date (2026-13-01)
        raise ParameterError(f"{path}: not valid YAML: {exc}") from exc


class ParameterSet:
    """All parameters, shipped plus override, with a content hash for the run manifest."""

    def __init__(self, parameters: dict[str, Parameter], digest: str, override_file: Path | None):
        self._parameters = parameters
        self.hash = digest
        self.override_file = override_file

    @classmethod
    def load(cls, override: Path | None = None, root: Path = ROOT) -> ParameterSet:
        parameters: dict[str, Parameter] = {}
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*.yaml")):
            rel = path.relative_to(root)
            name = ".".join(rel.with_suffix("").parts)
            data = _read_yaml(path)
            if not isinstance(data, dict):
                raise ParameterError(f"{path}: expected a mapping with description, unit, values")
            values = _dated_values(name, data.get("values"), str(rel))
            parameters[name] = Parameter(
                name,
                str(data.get("description", "")),
                str(data.get("unit", "")),
                tuple(sorted(values, key=lambda v: v.effective_from)),
            )
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
        if override is not None:
            data = _read_yaml(override)
            if not isinstance(data, dict):
                raise ParameterError(f"{override}: expected a mapping {{parameter.name: {{values: ...}}}}")
            for name, body in sorted(data.items()):
                if name not in parameters:
                    near = difflib.get_close_matches(str(name), list(parameters), n=1)
                    hint = f"did you mean '{near[0]}'?" if near else "known names: see models/rules/parameters/"
                    raise ParameterError(f"{override}: unknown parameter '{name}'; {hint}")
                where = f"{override.name}:{name}"
                if not isinstance(body, dict):
                    short = (
                        ""
                        if isinstance(body, (dict, list)) or body is None
                        else (f" (found the short form '{name}: {body}': a value needs its date and source)")
                    )
                    raise ParameterError(
                        f"{where}: expected a mapping with 'values: {{YYYY-MM-DD: {{value, reference, "
                        f"status}}}}', e.g. {name}: {{values: {{2026-01-01: {{value: ..., reference: "
                        f"..., status: unconfirmed}}}}}}{short}"
                    )
                extra = _dated_values(name, body.get("values"), where)
                merged = {v.effective_from: v for v in parameters[name].values}
                merged.update({v.effective_from: v for v in extra})
                old = parameters[name]
                parameters[name] = Parameter(name, old.description, old.unit, tuple(merged[k] for k in sorted(merged)))
            digest.update(b"override\0" + override.read_bytes())
        return cls(parameters, digest.hexdigest(), override)

    def __contains__(self, name: str) -> bool:
        return name in self._parameters

    def names(self) -> list[str]:
        return sorted(self._parameters)

    def get(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise ParameterError(f"unknown parameter '{name}'") from None

    def at(self, name: str, on: dt.date) -> DatedValue:
        return self.get(name).at(on)

    def value(self, name: str, on: dt.date) -> object:
        return self.at(name, on).value

    def in_force(self, on: dt.date) -> list[DatedValue]:
        """Every parameter's value in force on `on` (parameters not yet in force are left out), sorted by name."""
        out = []
        for name in self.names():
            p = self._parameters[name]
            if p.values[0].effective_from <= on:
                out.append(p.at(on))
        return out

    def not_in_force(self, on: dt.date, prefixes: tuple[str, ...]) -> list[Parameter]:
        """The parameters whose names start with one of `prefixes` and that have no value in force on `on`."""
        return [
            p
            for name, p in sorted(self._parameters.items())
            if name.startswith(prefixes) and p.values[0].effective_from > on
        ]

    def needing_confirmation(self, on: dt.date, max_age_days: int = 365) -> list[dict]:
        """Values in force on `on` that were last verified more than `max_age_days` before `on` (`why` says when), or
        are unconfirmed (`why` is "unconfirmed").

        A value's last check is its `verified_on`, else the date a verified value took effect. An unconfirmed value with a
        `verified_on` (a sourced value whose exact effective date is unknown) ages like a verified one: a standard found
        in a report a year ago may have been raised since.
        """
        out = []
        for v in self.in_force(on):
            checked = v.verified_on or (v.effective_from if v.status == "verified" else None)
            if checked is not None and (on - checked).days > max_age_days:
                why = f"last verified {checked.isoformat()}, more than {max_age_days} days before {on.isoformat()}"
            elif v.status == "unconfirmed":
                why = "unconfirmed"
            else:
                continue
            out.append(
                {
                    "name": v.name,
                    "value": v.value,
                    "effective_from": v.effective_from.isoformat(),
                    "reference": v.reference,
                    "why": why,
                }
            )
        return out

    def to_duckdb(self, con, as_of: dt.date) -> None:
        """Write the `params` table (every dated value) and macros reading the value in force on `as_of`."""
        rows = []
        for name in self.names():
            p = self._parameters[name]
            for v in p.values:
                num = v.value if isinstance(v.value, (int, float)) and not isinstance(v.value, bool) else None
                rows.append(
                    (
                        name,
                        v.effective_from,
                        p.effective_to(v),
                        None if num is None else float(num),
                        json.dumps(v.value, ensure_ascii=False, sort_keys=True, default=str),
                        v.reference,
                        v.status,
                    )
                )
        columns = {
            "name": pl.String,
            "effective_from": pl.Date,
            "effective_to": pl.Date,
            "value": pl.Float64,
            "value_json": pl.String,
            "reference": pl.String,
            "status": pl.String,
        }
        with con.cursor() as cur:  # a fresh connection to the same database: no pending result can block it
            cur.register("params_frame", pl.DataFrame(rows, schema=columns, orient="row"))
            cur.execute("CREATE OR REPLACE TABLE params AS SELECT * FROM params_frame")
        con.execute("CREATE OR REPLACE TABLE run_context AS SELECT ?::DATE AS as_of", [as_of])
        con.execute("""CREATE OR REPLACE VIEW params_in_force AS
            SELECT p.* FROM params p, run_context r
            WHERE p.effective_from <= r.as_of AND (p.effective_to IS NULL OR p.effective_to > r.as_of)""")
        sql.create_macros(con, "parameters")
