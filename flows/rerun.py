"""`safetynet rerun`: rebuild a recorded night in a fresh store from the input log, and compare (issue: auditor reruns).

A night D is a function of: the drop files it read (by sha256, from the content-addressed input log), the queue after
the previous recorded night (verified against the hash that night's manifest recorded), the outcome files that arrived on
or before D, the parameters (and override file) in force, the model active on D, and the code. The rerun lays those
inputs out in a temporary store, runs the very same night, and compares every output hash and the queue snapshot with the
recorded manifest. The cost is one night's, whatever the number of nights recorded (`--chain` instead replays every
recorded night from the first, from inputs alone).

A what-if rerun (`--params FILE`) changes the parameters and reports which warnings appear, disappear or change, with both
evidences side by side, in `STORE/whatif/<as-of>-<hash>/diff.csv` and `.xlsx`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

import sql
from checks.id_number import mask_ids_in_text_polars
from flows.queue.merge import snapshot_hash
from flows.store import Store, TamperedInput, attach, input_log, runs, snapshots
from flows.store import manifest as manifests
from flows.store import models as stored_models
from flows.store import outcomes as stored_outcomes
from models.ml import registry

DIFF_FIELDS = ("warning_code", "status", "severity", "deadline", "raised_date", "reasons", "evidence", "score")
# What a what-if changed for one warning (diff.csv `change`), in the order the auditor reads them, with its Chinese.
CHANGES_ZH = {
    "newly_raised": "新增预警",
    "would_close": "将关闭",
    "severity_or_deadline": "严重程度或办理时限变化",
    "parameter_only": "仅证据中的参数变化",
    "evidence": "证据或原因变化",
    "other": "其他变化",
}
CHANGES_EN = {
    "newly_raised": "newly raised",
    "would_close": "would close",
    "severity_or_deadline": "severity/deadline changed",
    "parameter_only": "evidence changed only in a parameter",
    "evidence": "evidence changed",
    "other": "other change",
}
FIELDS_ZH = {
    "warning_code": "预警代码",
    "status": "状态",
    "severity": "严重程度",
    "deadline": "办理时限",
    "raised_date": "预警日期",
    "reasons": "预警原因",
    "evidence": "证据",
    "score": "核查命中概率",
}
# diff.xlsx prints these (A4 landscape, one page wide); the reasons and evidence pairs stay to the right, unprinted
PRINTED_DIFF = (
    "change",
    "household_id",
    "condition_key",
    "street_code",
    "changed_fields",
    "recorded_warning_code",
    "recorded_status",
    "rebuilt_status",
    "recorded_severity",
    "rebuilt_severity",
    "recorded_deadline",
    "rebuilt_deadline",
    "recorded_score",
    "rebuilt_score",
)


class RerunError(Exception):
    pass


def _materialise_drops(store: Store, doc: dict, drops: Path) -> None:
    """Lay the recorded inputs out as a drops folder (every byte verified against its sha256)."""
    for item in doc["inputs"]:
        target = drops / item["drop_date"] / item["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store.get(item["sha256"]), target)


def _seed_previous_queue(con, as_of: dt.date) -> dt.date | None:
    """Copy the queue after the previous recorded night into the fresh store, after checking it against its manifest."""
    prev = runs.latest_ok_night_before(con, as_of, "src")
    if prev is None:
        return None
    recorded = runs.latest_ok_manifest(con, prev, "src")
    found = snapshot_hash(con, "src.warning_snapshots", prev)
    if recorded.get("queue_hash") != found:
        raise RerunError(
            f"the stored queue of night {prev} has hash {found}, its manifest recorded "
            f"{recorded.get('queue_hash')}: the store was altered; rerun with --chain to rebuild from inputs"
        )
    snapshots.copy_night(con, prev, "src", "dst")
    # Outcomes that arrived by then are already reflected in that queue; later ones are replayed from their files.
    stored_outcomes.copy_until(con, prev, "src", "dst")
    return prev


def _outcome_files(con, after: dt.date | None, as_of: dt.date) -> list[tuple[dt.date, dt.date, str, str]]:
    """Outcome files applied from a night in (after, as_of], in order: (night applied from, day received, name, sha)."""
    return input_log.applied_files(con, "outcomes", after, as_of, "src")


def _seed_models(con, store: Store, fresh: Store, docs: list[dict], as_of: dt.date, model: str | None) -> None:
    """Register in the fresh store the models the recorded nights used (artifacts copied, verified when loaded), or,
    for a what-if, the model `model` made active on D."""
    if not stored_models.count(con, "src"):
        if model:
            raise RerunError(f"no model registry in {store.root}; 'safetynet train' registers models")
        return
    used = sorted({m["model_id"] for d in docs for m in (d.get("model") or {}).values()})
    if model:
        kind = stored_models.kind_of(con, model, "src")
        if kind is None:
            raise RerunError(f"no model '{model}' in the registry of {store.root}")
        used = sorted({model} | {m for m in used if stored_models.kind_of(con, m, "src") != kind})
    for model_id in used:
        stored_models.copy(con, model_id, "src", "dst", activate_on=as_of, activated=model)
        shutil.copytree(registry.artifact_dir(store.root, model_id), registry.artifact_dir(fresh.root, model_id))


def _params_file(store: Store, doc: dict, work: Path) -> Path | None:
    sha = doc["parameters"].get("override_sha256")
    if not sha:
        return None
    path = work / (doc["parameters"].get("override_file") or "override.yaml")
    shutil.copyfile(store.get(sha), path)
    return path


def rebuild(
    store_root: Path,
    as_of: dt.date,
    params_file: Path | None = None,
    chain: bool = False,
    keep: Path | None = None,
    model: str | None = None,
) -> dict:
    """Rebuild night `as_of` in a fresh store under a new work folder; return {recorded, rebuilt, store, work, ...} for
    comparison (the caller removes `work`; a failure removes it here)."""
    work = Path(tempfile.mkdtemp(prefix=f"rerun-{as_of}-", dir=keep or None))
    try:
        return _rebuild_in(work, Store(store_root), as_of, params_file, chain, model)
    except BaseException:  # the work folder holds a copy of the drops: personal data never stays behind
        shutil.rmtree(work, ignore_errors=True)
        raise


def _rebuild_in(
    work: Path, store: Store, as_of: dt.date, params_file: Path | None, chain: bool, model: str | None
) -> dict:
    from flows.caseworker.outcomes import import_outcomes
    from flows.night import sequence  # after runtime.configure

    store_root = store.root
    fresh = Store(work / "store")
    fresh.init()
    with duckdb.connect() as con:
        attach(con, store.root, "src", read_only=True)
        attach(con, fresh.root, "dst")
        doc = runs.latest_ok_manifest(con, as_of, "src")
        if doc is None:
            raise RerunError(f"no successful run recorded for {as_of} in {store_root}; 'safetynet runs' lists them")
        nights = [n for n in runs.ok_nights(con, "src") if n <= as_of] if chain else [as_of]
        prev = None if chain else _seed_previous_queue(con, as_of)
        outcome_files = _outcome_files(con, prev, as_of)
        night_docs = {n: runs.latest_ok_manifest(con, n, "src") for n in nights}
        _seed_models(con, store, fresh, list(night_docs.values()), as_of, model)
    drops = work / "drops"
    rebuilt, chain_hashes = None, {}
    for night in nights:
        night_doc = night_docs[night]
        _materialise_drops(store, night_doc, drops)
        for arrival, received, name, sha in outcome_files:
            if arrival <= night:
                target = work / "outcomes" / f"{arrival}-{sha[:8]}-{name}"
                if not target.exists():
                    target.parent.mkdir(exist_ok=True)
                    shutil.copyfile(store.get(sha), target)
                    import_outcomes(fresh.root, target, received or arrival, applies=arrival)
        override = params_file or _params_file(store, night_doc, work)
        rebuilt = sequence(drops, night, fresh.root, override, allow_stale=bool(night_doc.get("stale")))
        if rebuilt["status"] != "ok":
            raise RerunError(f"the rebuilt night {night} halted: {rebuilt.get('halt')}")
        chain_hashes[night.isoformat()] = rebuilt["output_hash"]
        if chain and rebuilt["output_hash"] != night_doc["output_hash"]:
            raise RerunError(
                f"chain rerun: night {night} rebuilt with output hash {rebuilt['output_hash']}, recorded "
                f"{night_doc['output_hash']}; rerun it alone to see the differing warnings"
            )
    return {"recorded": doc, "rebuilt": rebuilt, "fresh_store": fresh.root, "work": work, "chain": chain_hashes}


def warning_diff(store_root: Path, fresh_root: Path, as_of: dt.date) -> pl.DataFrame:
    """Warnings of night D that appear, disappear or change between the recorded and the rebuilt queue; an ID number
    standing alone in any text (a condition key, reasons, evidence) is masked as in the exports (docs/CONTRACT.md §4)."""
    with duckdb.connect() as con:
        attach(con, store_root, "a", read_only=True)
        attach(con, fresh_root, "b", read_only=True)
        changed = " OR ".join(f"a.{f} IS DISTINCT FROM b.{f}" for f in DIFF_FIELDS)
        pairs = ", ".join(f"a.{f} AS recorded_{f}, b.{f} AS rebuilt_{f}" for f in DIFF_FIELDS)
        fields = ", ".join(f"CASE WHEN a.{f} IS DISTINCT FROM b.{f} THEN '{f}' END" for f in DIFF_FIELDS)
        active = "('open', 'in_progress')"
        # evidence that differs only in its `parameters` part: a what-if parameter cited, the facts the same
        no_params = "json_merge_patch({}.evidence, '{{\"parameters\": null}}')"
        diff = sql.frame(
            con,
            f"""
            WITH a AS (SELECT * FROM a.warning_snapshots WHERE as_of = $d),
                 b AS (SELECT * FROM b.warning_snapshots WHERE as_of = $d)
            SELECT CASE WHEN a.warning_id IS NULL THEN 'newly_raised'
                        WHEN b.warning_id IS NULL THEN 'would_close'
                        WHEN a.status IN {active} AND b.status NOT IN {active} THEN 'would_close'
                        WHEN a.status NOT IN {active} AND b.status IN {active} THEN 'newly_raised'
                        WHEN a.severity IS DISTINCT FROM b.severity OR a.deadline IS DISTINCT FROM b.deadline
                            THEN 'severity_or_deadline'
                        WHEN a.evidence IS DISTINCT FROM b.evidence
                             AND {no_params.format("a")} = {no_params.format("b")}
                             AND a.reasons IS NOT DISTINCT FROM b.reasons THEN 'parameter_only'
                        WHEN a.evidence IS DISTINCT FROM b.evidence OR a.reasons IS DISTINCT FROM b.reasons
                            OR a.score IS DISTINCT FROM b.score THEN 'evidence'
                        ELSE 'other' END AS change,
                   coalesce(a.household_id, b.household_id) AS household_id,
                   coalesce(a.condition_key, b.condition_key) AS condition_key,
                   coalesce(a.street_code, b.street_code) AS street_code,
                   CASE WHEN a.warning_id IS NULL OR b.warning_id IS NULL THEN ''
                        ELSE concat_ws(' ', {fields}) END AS changed_fields,
                   {pairs}
            FROM a FULL OUTER JOIN b ON a.household_id = b.household_id AND a.condition_key = b.condition_key
                                    AND a.raised_date IS NOT DISTINCT FROM b.raised_date
            WHERE a.warning_id IS NULL OR b.warning_id IS NULL OR ({changed})
            ORDER BY household_id, condition_key, change""",
            {"d": as_of},
        )
    return diff.with_columns(mask_ids_in_text_polars(c) for c, t in diff.schema.items() if t == pl.String)


def compare(result: dict) -> list[str]:
    """Differences between the recorded and rebuilt manifests' outputs (empty = MATCH)."""
    recorded, rebuilt = result["recorded"], result["rebuilt"]
    out = []
    for name in sorted(set(recorded["outputs"]) | set(rebuilt["outputs"])):
        a, b = recorded["outputs"].get(name), rebuilt["outputs"].get(name)
        if a != b:
            out.append(f"{name}: recorded {a or 'absent'}, rebuilt {b or 'absent'}")
    if recorded.get("queue_hash") != rebuilt.get("queue_hash"):
        out.append(f"queue snapshot: recorded {recorded.get('queue_hash')}, rebuilt {rebuilt.get('queue_hash')}")
    return out


def provenance_warnings(recorded: dict) -> list[str]:
    notes = []
    code = manifests.code_version()
    if recorded.get("code_version") != code:
        notes.append(f"code version differs: recorded {recorded.get('code_version')}, now {code}")
    lock = manifests.lock_hash()
    if recorded.get("lock_sha256") != lock:
        notes.append(f"lock file differs: recorded {recorded.get('lock_sha256')}, now {lock}")
    return notes


def chain_match_line(result: dict, as_of: dt.date) -> str:
    """What a matching `rerun --chain` says: how many nights it rebuilt, from which to which."""
    nights = sorted(result["chain"])
    return (
        f"MATCH: {len(nights)} nights rebuilt in order from the input log alone ({nights[0]} .. {nights[-1]}); "
        f"every night's output hash is the recorded one, and night {as_of}'s "
        f"{len(result['rebuilt']['outputs'])} outputs and queue snapshot are byte-identical "
        f"(output hash {result['rebuilt']['output_hash'][:16]})"
    )


def summarise_changes(diff: pl.DataFrame) -> str:
    """'8 newly raised (EDGE_FAMILY 8), 19 would close (MEDICAL_SHOCK 19)': the what-if by kind of change, with the
    warning codes behind each kind, in CHANGES_EN order."""
    if diff.height == 0:
        return "no change"
    code = pl.coalesce("recorded_warning_code", "rebuilt_warning_code").alias("code")
    counts = diff.group_by("change", code).len().sort(["change", "len", "code"], descending=[False, True, False])
    parts = []
    for kind, label in CHANGES_EN.items():
        rows = counts.filter(pl.col("change") == kind)
        if rows.height:
            codes = ", ".join(f"{c} {n}" for _, c, n in rows.rows())
            parts.append(f"{rows['len'].sum()} {label} ({codes})")
    return "; ".join(parts)


def _header_zh(name: str) -> str:
    for prefix, zh in (("recorded_", "原"), ("rebuilt_", "新")):
        if name.startswith(prefix):
            return f"{zh}·{FIELDS_ZH[name.removeprefix(prefix)]}"
    return {
        "change": "变化类型",
        "household_id": "户编号",
        "condition_key": "预警条件",
        "street_code": "镇街代码",
        "changed_fields": "变化字段",
    }[name]


def _write_diff_xlsx(path: Path, diff: pl.DataFrame, as_of: dt.date, label: str) -> None:
    """The diff for auditors: Chinese headers (the CSV keeps the codes), the kind of change in Chinese, and printable:
    A4 landscape, one page wide, header repeated; the long reasons and evidence pairs sit right of the print area."""
    columns = list(PRINTED_DIFF) + [c for c in diff.columns if c not in PRINTED_DIFF]
    shown = diff.select(columns).with_columns(
        pl.col("change").replace_strict(CHANGES_ZH, default=pl.col("change")),
        pl.col("changed_fields")
        .str.split(" ")
        .list.eval(pl.element().replace_strict(FIELDS_ZH, default=pl.element()))
        .list.join("、"),
    )
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties(
        {"title": f"what-if {as_of}", "author": "safetynet", "created": dt.datetime.combine(as_of, dt.time())}
    )
    ws = wb.add_worksheet("差异")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for j, name in enumerate(columns):
        ws.write_string(0, j, _header_zh(name), head)
        wide = "evidence" in name or "reasons" in name
        ws.set_column(j, j, 60 if wide else 22 if name == "condition_key" else 11, wrap if wide else None)
    for i, row in enumerate(shown.iter_rows(), start=1):
        for j, value in enumerate(row):
            ws.write_string(i, j, "" if value is None else str(value))
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(diff.height, 1), max(len(columns) - 1, 0))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, max(diff.height, 1), len(PRINTED_DIFF) - 1)
    ws.set_header(f"&L假设分析（what-if）{as_of.isoformat()}：{label}")
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()


def write_whatif(
    store_root: Path, as_of: dt.date, params_file: Path | None, model: str | None, diff: pl.DataFrame, label: str = ""
) -> Path:
    """The what-if diff as CSV and xlsx, in a folder named for the night and a hash of what was changed."""
    changed = (params_file.read_bytes() if params_file else b"") + b"\0" + (model or "").encode()
    digest = hashlib.sha256(changed).hexdigest()[:10]
    out = store_root / "whatif" / f"{as_of.isoformat()}-{digest}"
    out.mkdir(parents=True, exist_ok=True)
    diff.write_csv(out / "diff.csv", date_format="%Y-%m-%d", include_bom=True)  # UTF-8 with BOM: opens in Excel
    _write_diff_xlsx(out / "diff.xlsx", diff, as_of, label)
    return out


def cmd_rerun(args) -> int:
    from flows import runtime
    from flows.partition import rerun as partitioned

    partition_doc = partitioned.recorded(args.store, args.as_of)
    if partition_doc is not None:  # a municipality night partitioned by county (flows/partition/)
        # Before Prefect is imported: its Dask workers need the API server runtime.start_api starts, which it starts
        # only while Prefect is not imported yet (else each worker starts an ephemeral server on one SQLite file).
        return partitioned.cmd(args, partition_doc)
    runtime.configure(args.store)
    from flows.night import NightRefused  # imports Prefect

    try:
        result = rebuild(args.store, args.as_of, params_file=args.params, chain=args.chain, model=args.model)
    except RerunError as exc:
        print(f"rerun {args.as_of}: {exc}", file=sys.stderr)
        return 2
    except TamperedInput as exc:
        print(f"rerun {args.as_of}: the input log is damaged, the night cannot be rebuilt: {exc}", file=sys.stderr)
        return 2
    except NightRefused as exc:
        print(f"rerun {args.as_of}: {exc}", file=sys.stderr)
        return 2
    try:
        for note in provenance_warnings(result["recorded"]):
            print(f"WARNING: {note}", file=sys.stderr)
        diff = warning_diff(args.store, result["fresh_store"], args.as_of)
        if args.params or args.model:
            label = " ".join(
                x
                for x in (
                    f"parameters {args.params}" if args.params else "",
                    f"model {args.model}" if args.model else "",
                )
                if x
            )
            out = write_whatif(args.store, args.as_of, args.params, args.model, diff, label)
            print(f"what-if {args.as_of} with {label}: {summarise_changes(diff)}")
            print(f"diff: {out / 'diff.csv'}  {out / 'diff.xlsx'}")
            return 0
        differences = compare(result)
        if not differences and args.chain:
            print(chain_match_line(result, args.as_of))
            return 0
        if not differences:
            print(
                f"MATCH: night {args.as_of} rebuilt from the input log; {len(result['rebuilt']['outputs'])} outputs and the "
                f"queue snapshot are byte-identical (output hash {result['rebuilt']['output_hash'][:16]})"
            )
            return 0
        print(f"MISMATCH: night {args.as_of}")
        for line in differences:
            print(f"  {line}")
        for row in diff.iter_rows(named=True):
            print(f"  {row['change']:<8} {row['household_id']} {row['condition_key']}")
        return 1
    finally:
        shutil.rmtree(result["work"], ignore_errors=True)


def register(sub) -> None:
    from flows.arguments import date, params_file, store_dir

    p = sub.add_parser(
        "rerun",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="rebuild a recorded night from the input log and compare (auditors)",
        description="Rebuild night AS_OF in a fresh temporary store from what had arrived by then: the drop\n"
        "files it read (from the input log, each verified by its sha256), the queue after the\n"
        "previous recorded night (verified against its manifest), the outcome files that arrived\n"
        "on or before AS_OF, and its parameter override. Compare every output's sha256 with the\n"
        "recorded manifest: prints MATCH (exit 0) or the differences, warning by warning (exit 1).\n"
        "Warns when the code version or lock file differs from the recorded run.\n\n"
        "With --params FILE and/or --model ID it is a what-if: the night under other parameters or\n"
        "another registered model, and a diff of the warnings that appear, disappear or change,\n"
        "with both evidences side by side (STORE/whatif/AS_OF-<hash>/diff.csv and .xlsx).",
        epilog="examples:\n  safetynet rerun --store var --as-of 2026-03-03\n"
        "  safetynet rerun --store var --as-of 2026-03-03 --params confirmed-2026.yaml",
    )
    p.add_argument("--store", type=store_dir, default=Path("var"), help="the store folder (default ./var)")
    p.add_argument("--as-of", type=date, required=True, help="the recorded night to rebuild, YYYY-MM-DD")
    p.add_argument("--params", type=params_file, help="what-if: a parameter override file instead of the recorded one")
    p.add_argument("--model", help="what-if: score with this registered model id instead of the one active on AS_OF")
    p.add_argument("--chain", action="store_true", help="replay every recorded night from the first, from inputs alone")
    p.set_defaults(func=cmd_rerun)
