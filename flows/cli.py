"""`safetynet`: the command line. A thin layer: parse, configure the offline runtime, call a flow or a plain function.

Exit codes: 0 success, 2 usage error, 3 the checks halted the night (the message names the feed and the reason).
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import os
import re
import shutil
import sys
from pathlib import Path

from flows import runtime
from flows.arguments import date as _date
from flows.arguments import drops_root, out_dir, params_file, positive_int, store_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT_ROOT / "data_samples"
EXIT_USAGE = 2
EXIT_HALTED = 3
DEFAULT_STORE = {"nightly": Path("var"), "demo": Path("var/demo")}  # the commands that run nights, and their stores


def _run_night(drops: Path, as_of: dt.date, store: Path, allow_stale: bool, params: Path | None) -> dict:
    """Run the night's flow; raises NightRefused (exit 2) before the flow starts when the night cannot run here."""
    _start_api(store)  # it boots on the other core while this process imports and prepares the night
    from flows.night import preflight  # Prefect is imported after the runtime is configured

    preflight(store, as_of, params)
    runtime.wait_for_api(meanwhile=_imports_of_a_night)
    from flows.nightly import run_night

    with runtime.night_settings():
        return run_night(
            drops=str(drops),
            as_of=as_of,
            store=str(store),
            allow_stale=allow_stale,
            params_file=str(params) if params else None,
        )


def _imports_of_a_night() -> None:
    """What a night imports only when it gets there (Great Expectations and the flow's modules): done while the API
    server is still starting, it is off the night's path."""
    import flows.nightly  # noqa: F401


def _start_api(store: Path) -> None:
    """Start the night's API server (flows/runtime.py), unless the store's disk is full or its folder cannot be made
    (a read-only mount): the preflight then says so in one line (exit 2). A refused night just stops it at exit."""
    if runtime.low_disk(store):
        return
    try:
        runtime.start_api(store)
    except OSError:
        pass


def _print_halt(doc: dict) -> None:
    h = doc["halt"]
    print(f"HALTED night {doc['as_of']}: feed '{h['feed']}' failed {h['check_code']}: {h['message']}", file=sys.stderr)
    print(f"停止：{h['message_zh']}", file=sys.stderr)
    print(
        "The previous night's queue and exports are unchanged. Fix the delivery and run the night again.",
        file=sys.stderr,
    )


def cmd_nightly(args) -> int:
    _start_api(args.store)  # before anything imports Prefect (flows.night does)
    from flows.night import NightRefused

    if getattr(args, "partition", None):  # a Namespace made by hand (tests) has no --partition
        from flows.partition.command import run_partitioned

        return run_partitioned(args)
    try:
        doc = _run_night(args.drops, args.as_of, args.store, args.allow_stale, args.params)
    except NightRefused as refused:
        print(f"safetynet nightly: {refused}", file=sys.stderr)
        return EXIT_USAGE
    if doc["status"] == "halted":
        _print_halt(doc)
        return EXIT_HALTED
    from flows.outputs.summary import night_summary

    print(night_summary(args.store, doc))
    return 0


def demo_store_refusal(store: Path) -> str | None:
    """Why `demo` must not empty `store`, or None. It empties only a folder that is new, empty (Prefect's home that this
    command started there aside), or a demo store it created itself (its marker says so) holding no caseworker outcome:
    an unrelated folder (`.`, a home folder, a real store) is never wiped."""
    from flows.store import MARKER, Store, StoreBusy

    if not store.exists():
        return None
    if not store.is_dir():
        return f"--store {store} is a file, not a folder; give a folder for the demo store"
    others = sorted(p.name for p in store.iterdir() if p.name != "prefect")
    if not others:
        return None
    found = Store(store).marker()
    if found is None or found.get("created_by") != "demo":
        what = "a store made by 'safetynet nightly'" if found else f"not a store safetynet created (no {MARKER})"
        return (
            f"refusing to empty {store}: it holds {len(others)} entries ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}) and is {what}; give a new or empty folder with --store "
            f"(拒绝清空 {store}：该目录不是演示库，请用 --store 指定新的或空的目录)"
        )
    try:
        outcomes = Store(store).outcomes_imported()
    except StoreBusy as exc:
        return f"{exc}; run the demo when it has ended"
    if outcomes:
        return (
            f"refusing to empty the demo store {store}: it holds {outcomes} imported caseworker outcome(s); move "
            f"it away or give another folder with --store (演示库中有 {outcomes} 条已导入的核查结果，拒绝清空)"
        )
    return None


def cmd_demo(args) -> int:
    from flows.ingest.drops import drop_dates
    from flows.outputs.summary import night_summary

    drops = SAMPLES / "drops"
    refusal = demo_store_refusal(args.store)
    if refusal:
        print(f"safetynet demo: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    if args.store.exists():  # a fresh store; Prefect's home inside it is kept (its database takes seconds to create)
        for entry in args.store.iterdir():
            if entry.name != "prefect":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    from flows.store import Store

    args.store.mkdir(parents=True, exist_ok=True)
    Store(args.store).mark("demo")
    _start_api(args.store)  # before anything imports Prefect (flows.night does)
    from flows.night import NightRefused

    doc = None
    for night in drop_dates(drops):
        try:
            doc = _run_night(drops, night, args.store, False, None)
        except NightRefused as refused:
            print(f"safetynet demo: {refused}", file=sys.stderr)
            return EXIT_USAGE
        if doc["status"] == "halted":
            _print_halt(doc)
            return EXIT_HALTED
        print(f"night {night}: ok, run {doc['run_id']}, {doc['queue']['raised']} warnings raised")
    print(night_summary(args.store, doc))
    return 0


def cmd_generate(args) -> int:
    from flows.devtools.synthetic import generate

    try:
        summary = generate(
            args.out,
            households=args.households,
            nights=args.nights,
            start=args.start,
            seed=args.seed,
            progress=not args.quiet,
            counties=args.counties,
            chunk_households=args.chunk_households,
        )
    except ValueError as refused:  # too many counties, or too few households to plant every case
        print(f"safetynet generate: {refused}", file=sys.stderr)
        return EXIT_USAGE
    print(summary if isinstance(summary, str) else "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


def cmd_bench(args) -> int:
    runtime.configure(args.workdir)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.counties:
        from flows.devtools.partition_bench import run_partition_bench

        run_partition_bench(
            sizes,
            args.counties,
            args.workdir,
            args.workers,
            args.memory_limit,
            args.single,
            seed=args.seed,
            link_log=args.link_log,
        )
        return 0
    from flows.devtools.bench import run_bench

    run_bench(sizes, args.workdir, nights=args.nights, seed=args.seed)
    return 0


def parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="safetynet",
        formatter_class=fmt,
        description="safetynet: nightly dynamic monitoring and early warning for social assistance (低收入人口动态监测预警).\n"
        "It finds possible 漏保 and 错保 cases, edge and rigid-expense families, payment and process problems,\n"
        "and routes each warning to its street with a deadline in working days. It never decides a benefit:\n"
        "every warning starts a human verification.",
        epilog="Exit codes: 0 success, 2 usage error, 3 the checks halted the night.\n"
        "Run 'safetynet COMMAND --help' for each command's manual.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    n = sub.add_parser(
        "nightly",
        formatter_class=fmt,
        help="run one night on the drops into the store",
        description="Run one night: read the drops dated on or before --as-of (docs/CONTRACT.md §1), validate\n"
        "them, compute the as-of state, raise warnings, merge them into the queue and write the\n"
        "per-street exports under STORE/exports/AS_OF/ and a run manifest under STORE/runs/.\n"
        "If a feed is missing, truncated or wildly off, the night halts (exit 3) before scoring\n"
        "and yesterday's queue and exports stay as they were; run it again once the drop is fixed.\n"
        "Running the same night again on the same drops gives the same files.",
        epilog="example: safetynet nightly --drops /data/drops --as-of 2026-03-04 --store var",
    )
    n.add_argument("--drops", type=drops_root, required=True, help="folder holding one sub-folder per drop date")
    n.add_argument("--as-of", type=_date, required=True, help="the night to run, YYYY-MM-DD")
    n.add_argument(
        "--store", type=store_dir, default=DEFAULT_STORE["nightly"], help="the store folder (default: ./var)"
    )
    n.add_argument(
        "--allow-stale",
        action="store_true",
        help="when no drop is dated --as-of, score on the newest earlier drop (said in the manifest)",
    )
    n.add_argument(
        "--params", type=params_file, help="a local parameter override file (YAML), e.g. confirmed standards"
    )
    n.add_argument(
        "--partition",
        choices=["county"],
        help="a municipality's night: split by county, one night per county on Dask (docs/adr/0015)",
    )
    n.add_argument("--dask", metavar="ADDRESS", help="with --partition: a Dask scheduler, e.g. tcp://host:8786")
    n.add_argument(
        "--workers", type=positive_int, default=2, help="with --partition and no --dask: local workers (default 2)"
    )
    n.add_argument("--memory-limit", metavar="M", help="with --partition and no --dask: memory per worker, e.g. 6GB")
    n.set_defaults(func=cmd_nightly)

    d = sub.add_parser(
        "demo",
        formatter_class=fmt,
        help="run every night of data_samples/ into a fresh store",
        description="Run every night of the bundled synthetic district (data_samples/drops) in order into\n"
        "a fresh store and print a summary: warnings by code and by street, overdue warnings,\n"
        "and where the exports are.",
    )
    d.add_argument(
        "--store", type=Path, default=DEFAULT_STORE["demo"], help="store to (re)create (default: ./var/demo)"
    )
    d.set_defaults(func=cmd_demo)

    g = sub.add_parser(
        "generate",
        formatter_class=fmt,
        help="generate a synthetic district (or municipality) with planted ground truth",
        description="Write docs/CONTRACT.md drops for a synthetic 沙坪坝区 to OUT/drops/<date>/ for NIGHTS\n"
        "consecutive nights from START, and the planted ground truth to OUT/truth/ (never read\n"
        "by the pipeline). The same seed gives byte-identical files. With --counties N the drops\n"
        "hold N counties' households (沙坪坝区, then PLACEHOLDER counties), written county by county\n"
        "in bounded memory; run their nights with --params OUT/municipality.yaml.",
        epilog="example: safetynet generate --out /tmp/district --households 100000 --nights 3 "
        "--start 2026-03-02 --seed 7",
    )
    g.add_argument("--out", type=out_dir, required=True, help="output folder")
    g.add_argument("--households", type=positive_int, default=500, help="number of households (default 500)")
    g.add_argument("--nights", type=positive_int, default=3, help="consecutive nights (default 3)")
    g.add_argument("--start", type=_date, default=dt.date(2026, 3, 2), help="first night (default 2026-03-02)")
    g.add_argument("--seed", type=int, default=20260302, help="random seed (default 20260302)")
    g.add_argument(
        "--counties",
        type=positive_int,
        default=1,
        help="counties of a municipality: 1 is 沙坪坝区 (default); more add PLACEHOLDER counties and write "
        "OUT/municipality.yaml, the --params override a night of them needs",
    )
    g.add_argument(
        "--chunk-households",
        type=positive_int,
        default=None,
        help="households held in memory before they are written, in whole blocks of the generator's random stream "
        "(default: one block); never changes the bytes",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.set_defaults(func=cmd_generate)

    b = sub.add_parser(
        "bench",
        formatter_class=fmt,
        help="measure a night at several district sizes (not a test)",
        description="Generate districts of the given sizes, run their nights, and print a table: households,\n"
        "rows loaded, seconds per stage, CPU seconds, rows/s and peak memory, beside the\n"
        "floor of a bare DuckDB script that loads the same drops and runs one rule pass.",
    )
    b.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated household counts")
    b.add_argument("--nights", type=positive_int, default=2, help="nights per size (the first is a full history load)")
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--workdir", type=Path, default=Path("var/bench"), help="scratch folder (default ./var/bench)")
    b.add_argument(
        "--counties",
        type=positive_int,
        help="a municipality of N counties: the partitioned night on Dask (docs/adr/0015)",
    )
    b.add_argument("--workers", type=positive_int, default=2, help="with --counties: local Dask workers (default 2)")
    b.add_argument("--memory-limit", metavar="M", help="with --counties: memory per worker, e.g. 6GB")
    b.add_argument("--single", action="store_true", help="with --counties: the same night single-process beside it")
    b.add_argument(
        "--link-log",
        action="store_true",
        help="with --counties: hard-link the generated drops into the store's input log instead of copying them "
        "(when the disk cannot hold a second copy)",
    )
    b.set_defaults(func=cmd_bench)

    from flows import rerun, runs, serve, train
    from flows.caseworker import outcomes
    from flows.outputs import report

    runs.register(sub)
    rerun.register(sub)
    report.register(sub)
    serve.register(sub)
    outcomes.register(sub)
    train.register(sub)
    return p


def disk_full_folder(exc: BaseException) -> str | None:
    """The folder named by a "no space left" error (an OSError ENOSPC/EDQUOT with its file, or DuckDB's message naming
    its file), "" when the error names none, or None when it is not a full disk. Looks through the causes (Prefect and
    DuckDB wrap the original error)."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return str(Path(exc.filename).parent) if exc.filename else ""
        text = str(exc)
        if "No space left on device" in text or "Disk quota exceeded" in text:
            found = re.search(r"""["']?(/[^"'\s:]+)""", text)
            return str(Path(found.group(1)).parent) if found else ""
        exc = exc.__cause__ or exc.__context__
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # flows.store.owner_only, before Prefect's home, a store or an export is written
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (
        Exception
    ) as exc:  # a full disk is the operator's to fix, not a crash: one line, exit 2; anything else raises
        from flows.store import StoreTooNew  # imported here: DuckDB's import would delay the API server's start

        if isinstance(exc, StoreTooNew):  # a store a later release wrote: one line, nothing touched
            print(f"safetynet {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        folder = disk_full_folder(exc)
        if folder is None:
            raise
        where = folder or str(getattr(args, "store", None) or getattr(args, "out", None) or ".")
        print(
            f"safetynet {args.command}: the disk is full: no space left to write in {where}; free space there and "
            f"run the command again (nothing half-written is published: a night is recorded in one transaction) "
            f"/ 磁盘已满：{where} 所在磁盘空间不足，请清理后重新运行",
            file=sys.stderr,
        )
        return EXIT_USAGE


def console() -> int:
    """The `safetynet` executable."""
    return main()


if __name__ == "__main__":
    sys.exit(console())
