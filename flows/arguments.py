"""Argument types shared by the commands: each turns a user's slip into ONE line and exit 2 (argparse's usage error)
before any work starts, instead of a traceback minutes later. What a caseworker may type (a store, a file) is said in
English and Chinese."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found '{text}'") from None


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, found {n}")
    return n


def existing_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"folder '{text}' does not exist")
    return path


def store_dir(text: str) -> Path:
    """A store folder: it may not exist yet, but it must not be a file (or lie under one)."""
    return _folder(text, "the store folder", "数据库目录")


def out_dir(text: str) -> Path:
    """An output folder (`generate --out`): it may not exist yet, but it must not be a file (or lie under one)."""
    return _folder(text, "an output folder", "输出目录")


def _folder(text: str, what: str, what_zh: str) -> Path:
    path = Path(text)
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise argparse.ArgumentTypeError(
                    f"'{text}' is not a folder ({p} is a file); give {what} (“{text}”不是文件夹，请指定{what_zh})"
                )
            break
    return path


def drops_root(text: str) -> Path:
    """The folder holding one sub-folder per drop date. One night's folder given instead (an easy slip: it holds the
    feed files, or is named like a date) is said to be so, rather than halting the night as stale feeds."""
    from checks.contract import FEEDS

    path = existing_dir(text)
    holds_feeds = any((path / f"{feed}.{ext}").exists() for feed in FEEDS for ext in ("csv", "parquet"))
    has_nights = any(p.is_dir() and DATE_DIR.match(p.name) for p in path.iterdir())
    if (holds_feeds or DATE_DIR.match(path.resolve().name)) and not has_nights:
        raise argparse.ArgumentTypeError(
            f"'{text}' looks like a single night's drop; pass its parent folder, which "
            f"holds one folder per night: --drops {path.resolve().parent}"
        )
    if not has_nights:  # the folder above the drops root given (e.g. data_samples instead of data_samples/drops)
        below = sorted(
            child
            for child in path.iterdir()
            if child.is_dir() and any(p.is_dir() and DATE_DIR.match(p.name) for p in child.iterdir())
        )
        if below:
            raise argparse.ArgumentTypeError(
                f"'{text}' holds no folder per night, its sub-folder does: --drops {below[0]} "
                f"(“{text}”下没有按日期命名的交付文件夹，应指定 {below[0]})"
            )
    return path


def params_file(text: str) -> Path:
    """An override file that loads (exists, is YAML, names known parameters with dated values): checked here, so a bad
    one is a usage error (exit 2) before any night starts."""
    from models.rules.parameters import ParameterSet

    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"file '{text}' does not exist")
    try:
        ParameterSet.load(path)
    except (ValueError, OSError) as exc:  # ParameterError, a bad date, undecodable text
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return path
