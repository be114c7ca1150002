"""`safetynet train` and `safetynet outcomes-history`: the command-line side of the ML scorers (logic in models/ml/)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def cmd_train(args) -> int:
    from models.ml.training import summary, train
    from models.rules.parameters import ParameterSet

    params = ParameterSet.load(args.params)
    result = train(args.store, args.as_of, params, args.history, args.activate)
    print(summary(result))
    return 0


def cmd_history(args) -> int:
    from flows.synthetic.outcomes_history import build

    print(json.dumps(build(args.district, args.out, months=args.months, progress=not args.quiet), indent=2))
    return 0


def register(sub) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    t = sub.add_parser("train", formatter_class=fmt, help="train, evaluate and register the ML scorers",
                       description="Fit the confirmation scorer on outcomes known on or before --as-of (from the store,\n"
                                   "and from --history when given) and the proxy-means model (from the store's monthly\n"
                                   "household description, or --history's), evaluate\n"
                                   "them on the later months held out, and write each as STORE/models/<model_id>/\n"
                                   "(model.skops, card.md, card.json, timings.json) registered in the store, active\n"
                                   "from --activate (default: the day after --as-of). The scores only order\n"
                                   "verification; they never decide a benefit. Training the same data with the same\n"
                                   "parameters and code gives the same artifact bytes, card and model id.",
                       epilog="example: safetynet train --store var --as-of 2026-03-04")
    t.add_argument("--store", type=Path, required=True, help="the store folder")
    t.add_argument("--as-of", type=_date, required=True, help="training date YYYY-MM-DD: only outcomes known by then")
    t.add_argument("--history", type=Path, help="optional: a labelled history folder (flows/synthetic/outcomes_history.py)")
    t.add_argument("--activate", type=_date, help="activation date (default: the day after --as-of)")
    t.add_argument("--params", type=Path, help="a local parameter override file (YAML)")
    t.set_defaults(func=cmd_train)
    h = sub.add_parser("outcomes-history", formatter_class=fmt, help="simulate caseworker outcomes on a synthetic district",
                       description="Write OUT/labelled_warnings.parquet and OUT/households.parquet for a district made by\n"
                                   "'safetynet generate': weekly warnings back to MONTHS months before its first night,\n"
                                   "outcomes for the rules' top-k per street and week and for the random review slice.")
    h.add_argument("--district", type=Path, required=True, help="the folder 'safetynet generate --out' wrote")
    h.add_argument("--out", type=Path, required=True)
    h.add_argument("--months", type=int, default=7)
    h.add_argument("--quiet", action="store_true")
    h.set_defaults(func=cmd_history)
