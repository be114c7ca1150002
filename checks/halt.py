"""The one exception that stops a night before scoring (docs/DESIGN.md step 2, feed-level failures).

Raised by the ingest (a required feed missing, a header without a contract column or with an empty or repeated one, a
file that is not UTF-8, a `_MANIFEST.csv` mismatch, a file cut off in its last line, no drop on the as-of date) and by the checks runner (row count far off the previous night, quarantine rate above its limit, a key that
must be unique is not). A halted night leaves yesterday's queue untouched.
"""

from __future__ import annotations

# Feed-level check codes. The ingest raises the first seven, the checks runner the rest.
FEED_MISSING = "FEED_MISSING"
HEADER_MISSING_COLUMN = "HEADER_MISSING_COLUMN"
HEADER_INVALID = "HEADER_INVALID"  # a column name empty or repeated: the columns cannot be told apart
FILE_UNREADABLE = "FILE_UNREADABLE"  # not UTF-8 text (docs/CONTRACT.md §1), or a drop folder whose name is no date
MANIFEST_MISMATCH = "MANIFEST_MISMATCH"
FILE_TRUNCATED = "FILE_TRUNCATED"  # the last line is cut off: no line end, too few values (with no manifest to say so)
STALE_FEEDS = "STALE_FEEDS"
ROW_COUNT_CHANGE = "ROW_COUNT_CHANGE"
QUARANTINE_RATE = "QUARANTINE_RATE"
KEY_NOT_UNIQUE = "KEY_NOT_UNIQUE"

HALT_CODES = (
    FEED_MISSING,
    HEADER_MISSING_COLUMN,
    HEADER_INVALID,
    FILE_UNREADABLE,
    MANIFEST_MISMATCH,
    FILE_TRUNCATED,
    STALE_FEEDS,
    ROW_COUNT_CHANGE,
    QUARANTINE_RATE,
    KEY_NOT_UNIQUE,
)


class NightHalted(Exception):
    """A feed-level failure: the night stops before scoring.

    `message` is English and names the file or feed, what was expected and what was found; `message_zh` says the same in
    Chinese for the operators' report.
    """

    def __init__(self, feed: str, check_code: str, message: str, message_zh: str = "") -> None:
        super().__init__(f"[{check_code}] {feed}: {message}")
        self.feed = feed
        self.check_code = check_code
        self.message = message
        self.message_zh = message_zh

    def to_dict(self) -> dict[str, str]:
        """JSON-able form for the run manifest."""
        return {
            "feed": self.feed,
            "check_code": self.check_code,
            "message": self.message,
            "message_zh": self.message_zh,
        }

    def __reduce__(self):  # keep attributes through pickling (Prefect may serialise task exceptions)
        return (self.__class__, (self.feed, self.check_code, self.message, self.message_zh))
