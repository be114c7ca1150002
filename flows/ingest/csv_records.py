"""Physical lines of a CSV file, to prove that the reader's records account for all of them.

DuckDB's CSV reader reports how many records it read and rejected, not how many lines it consumed: an unterminated quote
makes one rejected record of the rest of the file, the following lines silently gone (a 200,000-line file read as 1 good
record and 1 reject). Only a quote can join lines into one record, so a file without a quote character (`has_quotes`, a
fast search: 0.3 s for 1.8 GB) has nothing to prove. Otherwise staging counts the file's lines (`nonblank_lines`, numpy
over its bytes, a block at a time; the reader skips blank lines) and holds them against the records plus the line breaks
the records' values carry (docs/CONTRACT.md §1 allows RFC 4180 quoting, whose quoted values may span lines).
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

BLOCK = 1 << 26  # 64 MiB of the file at a time
NEWLINE, CR = ord("\n"), ord("\r")


def has_quotes(path: Path) -> bool:
    """Whether the file holds a quote character anywhere."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b'"') >= 0


def unterminated_last_line(path: Path) -> str | None:
    """The text of the file's last line when the file does not end with a line break (None when it does, or is empty):
    a delivery cut off in the middle of a record ends like that, though an exporter may also just omit the last break."""
    size = path.stat().st_size
    if size == 0:
        return None
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[size - 1] == NEWLINE:
            return None
        return data[data.rfind(b"\n") + 1 :].decode("utf-8", errors="replace").rstrip("\r")


def nonblank_lines(path: Path) -> int:
    """Lines holding anything but their line ending (the CSV reader skips blank lines), the header included; a block
    of the file at a time, so memory stays at a few tens of MB whatever the file's size."""
    size = path.stat().st_size
    if size == 0:
        return 0
    data = np.memmap(path, dtype=np.uint8, mode="r")
    count, last_end = 0, -1  # the newline that ended the previous line
    for offset in range(0, size, BLOCK):
        ends = np.flatnonzero(data[offset : offset + BLOCK] == NEWLINE) + offset
        if len(ends):
            starts = np.concatenate([[last_end + 1], ends[:-1] + 1])
            count += _nonblank(data, starts, ends)
            last_end = int(ends[-1])
    if last_end != size - 1:  # a last line without its newline
        count += _nonblank(data, np.array([last_end + 1]), np.array([size]))
    return count


def _nonblank(data, starts: np.ndarray, ends: np.ndarray) -> int:
    """How many of the lines [start, end) hold more than nothing or a lone carriage return."""
    length = ends - starts
    lone_cr = (length == 1) & (data[np.minimum(starts, len(data) - 1)] == CR)
    return int(np.count_nonzero((length > 0) & ~lone_cr))
