"""Physical lines of a CSV file, to prove that the reader's records account for all of them.

DuckDB's CSV reader reports how many records it read and rejected, not how many lines it consumed: an unterminated quote
makes one rejected record of the rest of the file, the following lines silently gone (a 200,000-line file read as 1 good
record and 1 reject). While every line is one record (`plain`: no quote character and no blank line in the file, a fast
search) the record count is the line count. Otherwise staging counts the lines (`nonblank_lines`, numpy over the file's
bytes, a block at a time) and holds them against the records plus the line breaks the records' values carry
(CONTRACT.md §1 allows RFC 4180 quoting, whose quoted values may span lines).
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

BLOCK = 1 << 26  # 64 MiB of the file at a time
NEWLINE, CR = ord("\n"), ord("\r")


def plain(path: Path) -> bool:
    """Whether every line after the header is one record: no quote character and no blank line in the file."""
    if path.stat().st_size == 0:
        return True
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b'"') < 0 and data.find(b"\n\n") < 0 and data.find(b"\n\r\n") < 0


def nonblank_lines(path: Path) -> int:
    """Lines holding anything but their line ending (the CSV reader skips blank lines), the header included."""
    size = path.stat().st_size
    if size == 0:
        return 0
    data = np.memmap(path, dtype=np.uint8, mode="r")
    ends = np.concatenate([np.flatnonzero(data[o:o + BLOCK] == NEWLINE) + o for o in range(0, size, BLOCK)])
    if len(ends) == 0 or ends[-1] != size - 1:  # a last line without its newline
        ends = np.append(ends, size)
    starts = np.concatenate([[0], ends[:-1] + 1])
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (data[np.minimum(starts, size - 1)] == CR))
    return int(np.count_nonzero(~blank))
