"""`safetynet train` and `safetynet outcomes-history`: the command-line side of the ML scorers (logic in models/ml/)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from flows import arguments


def labelled_outcomes(store: Path, as_of: dt.date) -> tuple[int, int]:
    """(confirmed, dismissed) caseworker outcomes imported into the store on or before `as_of`: what training on the
    store alone can learn from."""
    from flows.store import connect, database, outcomes

    if not database.exists(store):
        return 0, 0
    with connect(store, read_only=True) as con:
        return outcomes.labelled_counts(con, as_of)


def cmd_train(args) -> int:
    from flows.store import StoreBusy
    from models.ml.labels import households_from_store
    from models.ml.training import summary, train
    from models.rules.parameters import ParameterSet

    if args.history is not None and not (args.history / "labelled_warnings.parquet").is_file():
        print(
            f"safetynet train: --history {args.history} holds no labelled_warnings.parquet (write it with "
            "'safetynet outcomes-history')",
            file=sys.stderr,
        )
        return 2
    if args.history is None:
        try:
            confirmed, dismissed = labelled_outcomes(args.store, args.as_of)
        except StoreBusy:
            print(
                f"safetynet train: the store {args.store} is in use by another process; train when it has ended",
                file=sys.stderr,
            )
            return 2
        if not (confirmed and dismissed) and households_from_store(args.store, args.as_of) is None:
            print(
                f"safetynet train: the store {args.store} holds {confirmed} confirmed and {dismissed} dismissed "
                f"outcomes imported on or before {args.as_of} and no household description (a night saves one "
                "each month); the proxy-means model needs a night run into the store, the confirmation scorer at "
                "least one outcome of each kind (more to be useful): run a night, import the caseworkers' outcomes "
                "with 'safetynet outcomes import', or give --history",
                file=sys.stderr,
            )
            return 2
    params = ParameterSet.load(args.params)
    result = train(args.store, args.as_of, params, args.history, args.activate)
    print(summary(result))
    return 0


def cmd_history(args) -> int:
    from flows.devtools.synthetic.outcomes_history import build

    print(json.dumps(build(args.district, args.out, months=args.months, progress=not args.quiet), indent=2))
    return 0


def register(sub) -> None:
    from flows.arguments import params_file, store_dir

    fmt = argparse.RawDescriptionHelpFormatter
    t = sub.add_parser(
        "train",
        formatter_class=fmt,
        help="train, evaluate and register the ML scorers",
        description="Fit the confirmation scorer on outcomes known on or before --as-of (from the store,\n"
        "and from --history when given) and the proxy-means model (from the store's monthly\n"
        "household description, or --history's), evaluate\n"
        "them on the later months held out, and write each as STORE/models/<model_id>/\n"
        "(model.skops, card.md, card.json, timings.json) registered in the store, active\n"
        "from --activate (default: the day after --as-of). The scores only order\n"
        "verification; they never decide a benefit. Training the same data with the same\n"
        "parameters and code gives the same artifact bytes, card and model id.",
        epilog="example: safetynet train --store var --as-of 2026-03-04",
    )
    t.add_argument("--store", type=store_dir, required=True, help="the store folder")
    t.add_argument(
        "--as-of", type=arguments.date, required=True, help="training date YYYY-MM-DD: only outcomes known by then"
    )
    t.add_argument(
        "--history",
        type=Path,
        help="optional: a labelled history folder (flows/devtools/synthetic/outcomes_history.py)",
    )
    t.add_argument("--activate", type=arguments.date, help="activation date (default: the day after --as-of)")
    t.add_argument("--params", type=params_file, help="a local parameter override file (YAML)")
    t.set_defaults(func=cmd_train)
    h = sub.add_parser(
        "outcomes-history",
        formatter_class=fmt,
        help="simulate caseworker outcomes on a synthetic district",
        description="Write OUT/labelled_warnings.parquet and OUT/households.parquet for a district made by\n"
        "'safetynet generate': weekly warnings back to MONTHS months before its first night,\n"
        "outcomes for the rules' top-k per street and week and for the random review slice.",
    )
    h.add_argument("--district", type=Path, required=True, help="the folder 'safetynet generate --out' wrote")
    h.add_argument("--out", type=Path, required=True)
    h.add_argument("--months", type=int, default=7)
    h.add_argument("--quiet", action="store_true")
    h.set_defaults(func=cmd_history)
