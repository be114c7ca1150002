"""Which delivered files a night reads (docs/CONTRACT.md §1), verified before anything is loaded.

For as-of date D: drop folders dated D or earlier; for a full extract the newest drop that has the file, for an increment
every drop that has it. The drop dated D must exist (else the feeds are stale) and hold every required feed. Each file's
header must carry every contract column, and a `_MANIFEST.csv`, when present, must list the file's sha256 (its row count is
compared after loading). Any of these failing halts the night before anything is loaded.

Given the store's input log, `select` also logs each file once every header has passed, reading it once (flows/store/__init__.py
`ingest`; two files at a time): the sha256 checked against the manifest is the one of the bytes logged, and the selection
points at the logged copies. A file that fails its manifest is not logged.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from checks import halt
from checks.contract import FEEDS, MANIFEST_FILE
from checks.halt import NightHalted
from checks.id_number import mask_id_like
from flows.store import DigestMismatch, Store, sha256_file

DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READ_THREADS = 2  # the bureau's servers are small; more readers than cores only contend (docs/adr/0013)
# The Parquet key-value metadata of a partition file (flows/partition/split.py): the delivered file it was split from.
ORIGIN_KEY = "safetynet_origin"


@dataclass(frozen=True)
class DropFile:
    feed: str
    drop_date: dt.date
    name: str  # file name inside the drop folder, e.g. income.csv
    path: Path  # where it is read from (the drop folder, or the input log on a rerun)
    sha256: str
    manifest_rows: int | None  # data rows declared in _MANIFEST.csv, when there is one
    origin: str | None = None  # a partition file: the delivered file it was split from (`rel` of that file)

    @property
    def rel(self) -> str:
        return f"{self.drop_date.isoformat()}/{self.name}"

    @property
    def delivered(self) -> str:
        """The file a record's quarantine names: the one delivered, so that a data steward can find the record in it,
        also when a county's night reads the partition split from it."""
        return self.origin or self.rel

    @property
    def fmt(self) -> str:
        return "parquet" if self.name.endswith(".parquet") else "csv"


@dataclass
class Selection:
    as_of: dt.date
    latest_drop: dt.date
    stale: bool
    files: dict[str, list[DropFile]] = field(default_factory=dict)  # feed -> files in drop order
    manifests: list[DropFile] = field(default_factory=list)  # the _MANIFEST.csv of every drop used (logged, not loaded)

    def all_files(self) -> list[DropFile]:
        return [f for feed in sorted(self.files) for f in self.files[feed]]


def drop_dates(drops: Path) -> list[dt.date]:
    """The delivery dates under `drops`: its folders named YYYY-MM-DD that are real dates (`select` halts a night on a
    folder named like a date that is none, so that its files are not passed over unseen)."""
    return sorted(d for d in map(_folder_date, _date_folders(drops)) if d is not None)


def _date_folders(drops: Path) -> list[Path]:
    if not drops.is_dir():
        raise FileNotFoundError(f"drops folder {drops} does not exist")
    return sorted(p for p in drops.iterdir() if p.is_dir() and DATE_DIR.match(p.name))


def _folder_date(folder: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(folder.name)
    except ValueError:  # 2026-02-30
        return None


def _feed_file(folder: Path, feed: str) -> Path | None:
    found = [p for p in (folder / f"{feed}.csv", folder / f"{feed}.parquet") if p.exists()]
    if len(found) == 2:
        raise NightHalted(
            feed,
            halt.FEED_MISSING,
            f"{folder.name}: both {feed}.csv and {feed}.parquet were delivered; expected one",
            f"{folder.name}：{feed} 同时提供了 csv 和 parquet 两个文件，只应提供一个",
        )
    return found[0] if found else None


def read_manifest(folder: Path) -> dict[str, tuple[int, str]] | None:
    path = folder / MANIFEST_FILE
    if not path.exists():
        return None
    with path.open(newline="", encoding="utf-8-sig") as fh:  # a byte-order mark is tolerated, as in the data files
        rows = list(csv.DictReader(fh))
    out = {}
    for i, row in enumerate(rows, start=2):
        try:
            out[row["file"]] = (int(row["rows"]), row["sha256"].strip().lower())
        except (KeyError, ValueError, AttributeError) as exc:
            raise NightHalted(
                "_MANIFEST",
                halt.MANIFEST_MISMATCH,
                f"{folder.name}/{MANIFEST_FILE} line {i}: expected file,rows,sha256, found {row}",
                f"{folder.name}/{MANIFEST_FILE} 第 {i} 行格式错误",
            ) from exc
    return out


def header(path: Path) -> list[str]:
    if path.name.endswith(".parquet") or path.suffix == "":
        try:
            return pq.read_schema(path).names
        except Exception:
            if path.name.endswith(".parquet"):
                raise
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh), [])


def origin(path: Path) -> str | None:
    """The delivered file a partition file was split from (its `ORIGIN_KEY` metadata); None for a delivered file."""
    if not path.name.endswith(".parquet"):
        return None
    value = (pq.read_schema(path).metadata or {}).get(ORIGIN_KEY.encode())
    return value.decode("utf-8") if value is not None else None


def _utf8_prefix_ok(path: Path, size: int = 1 << 20) -> bool:
    """Whether the file's first MiB is UTF-8 (a split character at the cut is allowed): a file in another encoding
    (GBK, say) fails here instead of deep in the reader, and none of its text reaches an error message."""
    with path.open("rb") as fh:
        block = fh.read(size)
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(block) - 3 and exc.reason == "unexpected end of data"
    return True


def check_header(feed: str, rel: str, path: Path) -> list[str]:
    if path.suffix == ".csv" and not _utf8_prefix_ok(path):
        raise NightHalted(
            feed,
            halt.FILE_UNREADABLE,
            f"{rel} is not UTF-8 text (docs/CONTRACT.md §1); re-export it as UTF-8 (a GBK export, say)",
            f"{rel} 不是 UTF-8 编码（见数据约定），请以 UTF-8 重新导出（例如原为 GBK）",
        )
    found = header(path)
    bad = sorted({c for c in found if not c.strip() or found.count(c) > 1})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise NightHalted(
            feed,
            halt.HEADER_INVALID,
            f"{rel}: header has empty or repeated column name(s) {shown}; expected each column named once",
            f"{rel}：表头存在空的或重复的字段名 {shown}，每个字段应只出现一次",
        )
    missing = [c for c in FEEDS[feed].column_names if c not in found]
    if missing:
        shown = mask_id_like(", ".join(found))  # a file delivered without its header shows a data row here
        raise NightHalted(
            feed,
            halt.HEADER_MISSING_COLUMN,
            f"{rel}: header lacks contract column(s) {', '.join(missing)}; found columns: {shown}",
            f"{rel}：表头缺少约定字段 {', '.join(missing)}",
        )
    return found


def _read(path: Path, declared: str | None, log: Store | None) -> tuple[str, Path]:
    """(sha256, where later stages read the file): hashed in place, or logged in the same single read."""
    if log is None:
        return sha256_file(path), path
    try:
        return log.ingest(path, declared)
    except DigestMismatch as exc:
        return exc.found, path


def select(drops: Path, as_of: dt.date, allow_stale: bool = False, log: Store | None = None) -> Selection:
    folders = {p.name: _folder_date(p) for p in _date_folders(drops)}
    misnamed = [name for name, d in folders.items() if d is None]
    if misnamed:
        raise NightHalted(
            "*",
            halt.FILE_UNREADABLE,
            f"drop folder {misnamed[0]} under {drops} is named like a date but "
            "is not one; rename it to its delivery date (YYYY-MM-DD)",
            f"数据交付目录 {misnamed[0]} 不是有效日期，请改为实际交付日期（YYYY-MM-DD）",
        )
    dates = sorted(d for d in folders.values() if d <= as_of)
    if not dates:
        raise NightHalted(
            "*",
            halt.STALE_FEEDS,
            f"no drop folder dated on or before {as_of} under {drops}",
            f"{as_of} 及之前没有任何数据交付",
        )
    latest = dates[-1]
    if latest != as_of and not allow_stale:
        raise NightHalted(
            "*",
            halt.STALE_FEEDS,
            f"no drop dated {as_of} under {drops}; the newest is {latest}. Run with --allow-stale to score on it",
            f"{as_of} 没有数据交付，最新一次为 {latest}；如确需按旧数据运行，请加 --allow-stale",
        )
    latest_folder = drops / latest.isoformat()
    for name, feed in sorted(FEEDS.items()):
        if feed.required and _feed_file(latest_folder, name) is None:
            raise NightHalted(
                name,
                halt.FEED_MISSING,
                f"{latest.isoformat()}/{name}.csv is missing; it is a required feed (docs/CONTRACT.md §1)",
                f"{latest.isoformat()} 缺少必需的数据文件 {name}.csv",
            )
    selection = Selection(as_of=as_of, latest_drop=latest, stale=latest != as_of)
    manifests: dict[dt.date, dict | None] = {}
    chosen: list[tuple[str, dt.date, Path, tuple[int, str] | None]] = []  # every file's header checked first
    for name, feed in sorted(FEEDS.items()):
        candidates = [(d, p) for d in dates if (p := _feed_file(drops / d.isoformat(), name)) is not None]
        if feed.kind == "full":
            candidates = candidates[-1:]
        selection.files[name] = []
        for d, path in candidates:
            if d not in manifests:
                manifests[d] = read_manifest(drops / d.isoformat())
            rel = f"{d.isoformat()}/{path.name}"
            check_header(name, rel, path)
            declared = (manifests[d] or {}).get(path.name)
            if manifests[d] is not None and declared is None:
                raise NightHalted(
                    name,
                    halt.MANIFEST_MISMATCH,
                    f"{rel} is not listed in {d.isoformat()}/{MANIFEST_FILE}",
                    f"{rel} 未列入交付清单 {MANIFEST_FILE}",
                )
            chosen.append((name, d, path, declared))
    for d, listed in sorted(manifests.items()):  # a listed feed file the night would read must have been delivered
        delivered = {p.name for p in (drops / d.isoformat()).iterdir()}
        wanted = {
            name
            for name in listed or {}
            if (feed := FEEDS.get(name.split(".")[0])) is not None and (feed.kind == "increment" or d == latest)
        }
        absent = sorted(wanted - delivered)
        if absent:
            raise NightHalted(
                absent[0].split(".")[0],
                halt.MANIFEST_MISMATCH,
                f"{d.isoformat()}/{MANIFEST_FILE} lists {', '.join(absent)}, not delivered: incomplete delivery",
                f"{d.isoformat()} 交付清单列出的 {', '.join(absent)} 未交付，交付不完整",
            )
    read = _read_all([(path, declared[1] if declared else None) for _, _, path, declared in chosen], log)
    for (name, d, path, declared), (sha, stored) in zip(chosen, read):
        if declared is not None and declared[1] != sha:
            raise NightHalted(
                name,
                halt.MANIFEST_MISMATCH,
                f"{d.isoformat()}/{path.name}: sha256 is {sha}, {MANIFEST_FILE} says {declared[1]}: "
                f"truncated or corrupted delivery",
                f"{d.isoformat()}/{path.name} 校验值与交付清单不符，文件可能被截断或损坏",
            )
        selection.files[name].append(
            DropFile(name, d, path.name, stored, sha, declared[0] if declared else None, origin(path))
        )
    for d in sorted(d for d, m in manifests.items() if m is not None):
        sha, path = _read(drops / d.isoformat() / MANIFEST_FILE, None, log)
        selection.manifests.append(DropFile("_manifest", d, MANIFEST_FILE, path, sha, None))
    return selection


def _read_all(files: list[tuple[Path, str | None]], log: Store | None) -> list[tuple[str, Path]]:
    """`_read` of each (path, declared sha256), two files at a time: hashing and copying release the GIL, so a night's
    gigabytes of drops are read on both cores (docs/adr/0013). Results in the order given."""
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(lambda item: _read(item[0], item[1], log), files))
