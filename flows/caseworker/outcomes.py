"""Import the caseworkers' outcomes (docs/CONTRACT.md §5) into the store: `safetynet outcomes import FILE`.

A file is either the CSV of the contract (`warning_id, outcome, resolved_date, action, caseworker_id, note`) or the
street workbook of `flows/outputs/workbook.py` sent back with its fill-in columns completed (only its "全部" sheet is read).

The file goes into the input log first (content-addressed copy and an `input_log` row of kind `outcomes`, dated by the
night it applies from, with the day it came in as `first_seen_as_of`), so an audit rerun replays exactly the same bytes,
checked against the same day. Then every row is validated on its own; valid rows go into
the store's `outcomes` table (imported_as_of = arrival, source_file = the file's sha256, source_row = its row number),
and each rejected row is reported with its row number and a reason in Chinese and English, and written to
`<store>/exports/outcomes-<arrival>-<sha8>-rejected.csv`. A bad row never stops the others.

Outcomes: `confirmed` and `dismissed` are final and close the warning at the next night's queue merge; `in_progress`
(an extension of the contract) marks an open warning as being worked without closing it or changing its deadline.

Rules, row by row:
- the warning id must name a warning issued on or before the arrival date (any `warning_snapshots` row as_of <= arrival);
- where the row also carries the warning's household or street (the returned workbook does), they must be the
  warning's: a row shifted by a partial sort, or pasted from another street's workbook, is rejected, not applied to
  whatever warning its id names;
- outcome and action must be one of their codes or the Chinese words the workbook offers (属实/不属实/核查中, 纳入救助 …;
  flows/outputs/vocabulary.py); resolved_date must be a date, given for a final outcome, empty for
  `in_progress`, not before the warning was raised and not after the file arrived (the date it was received, even when
  it applies from a later night);
- a recorded final outcome is never overwritten: a row that repeats it exactly (outcome, date, action, caseworker,
  note) is a harmless duplicate (counted, not inserted); a row that differs in any of them is rejected, saying what is
  recorded (a different outcome is a contradiction; a correction goes through the district bureau); `in_progress`
  after a final outcome is rejected; `in_progress` repeating the latest in-progress report (same caseworker and note) is a
  duplicate, one with a new caseworker or note is recorded (the workbook shows the latest report until the warning closes);
- two rows of one file giving one warning two different final outcomes (属实 and 不属实) are both rejected, each naming
  the other's row: the caseworker decides which is right, the import does not guess;
- a warning the data already closed (`resolved_by_data`) still takes a final outcome (it is the caseworker's verdict and
  a training label), but not `in_progress`;
- a row with nothing filled in is skipped and counted; a row with a note, date or action but no outcome is rejected, so
  nothing a caseworker wrote is silently dropped.
Importing the same file again applies nothing new: rows already recorded from it are duplicates.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from checks.id_number import mask_id_like
from flows import arguments
from flows.outputs.vocabulary import ACTION_WORDS, FINAL_OUTCOMES, OUTCOME_WORDS, action_code, choices, outcome_code
from flows.outputs.workbook import ALL_SHEET, FILL_COLUMNS, FORMER_FILL_HEADERS, HEADERS_ZH, NOTES_SHEET
from flows.store import Store, StoreBusy, connect, input_log, runs, sha256_file
from flows.store import outcomes as stored_outcomes

TIMEZONE = ZoneInfo("Asia/Shanghai")
INPUT_KIND = "outcomes"
FIELDS = ("warning_id",) + tuple(code for code, _ in FILL_COLUMNS)
FILL_FIELDS = FIELDS[1:]
# Read when present (the returned workbook has them) to check that the row is about the warning its id names.
IDENTITY_FIELDS = ("household_id", "street_code")
HEADER_ZH = {
    "warning_id": HEADERS_ZH["warning_id"],
    **dict(FILL_COLUMNS),
    **{f: HEADERS_ZH[f] for f in IDENTITY_FIELDS},
}
REJECT_COLUMNS = ("file", "sheet", "row", "warning_id", "reason_code", "reason_zh", "reason_en") + FILL_FIELDS
ACTIVE = ("open", "in_progress")
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


class OutcomeImportError(Exception):
    """The file cannot be imported at all (unreadable, not CSV/xlsx, required columns missing, no store): the reason in
    English (`str`) and in Chinese (`zh`), for the caseworker who sent the file."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.zh = zh


@dataclasses.dataclass
class Row:
    sheet: str  # "" for a CSV
    row: int  # spreadsheet row number: the header is row 1
    values: dict  # field code -> raw value

    def text(self, field: str) -> str:
        return _text(self.values.get(field))

    def filled(self) -> list[str]:
        return [f for f in FILL_FIELDS if self.text(f)]


@dataclasses.dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str


@dataclasses.dataclass(frozen=True)
class Warning:
    raised_date: dt.date
    status: str
    as_of: dt.date
    household_id: str | None
    street_code: str | None


# ---------------------------------------------------------------------------------------------------------------- reading


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _header_key(text) -> str:
    return re.sub(r"[\s()（）:：_\-]", "", _text(text)).lower()


HEADER_LOOKUP = {}
for _code, _zh in HEADER_ZH.items():
    for _form in (_code, _zh, _zh + _code, _code + _zh):
        HEADER_LOOKUP[_header_key(_form)] = _code
for _zh, _code in FORMER_FILL_HEADERS.items():  # workbooks sent out before the columns were renamed
    HEADER_LOOKUP[_header_key(_zh)] = _code


def _columns(header: list, where: str, required: bool) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for j, cell in enumerate(header):
        code = HEADER_LOOKUP.get(_header_key(cell))
        if code and code not in found:
            found[code] = j
    missing = [c for c in ("warning_id", "outcome") if c not in found]
    if missing:
        if not required:
            return None
        names = ", ".join(f"{c} ({HEADER_ZH[c]})" for c in missing)
        raise OutcomeImportError(
            f"{where}: no column {names} in the header row; expected the columns "
            f"{', '.join(FIELDS)} (docs/CONTRACT.md §5) or the workbook's Chinese headers",
            f"{where}：表头缺少 {names} 列；请使用下发工作簿的中文表头，或 {', '.join(FIELDS)}",
        )
    return found


def _records(rows, columns: dict[str, int], sheet: str) -> list[Row]:
    out = []
    for number, cells in rows:
        values = {f: (cells[j] if j < len(cells) else None) for f, j in columns.items()}
        record = Row(sheet, number, values)
        if record.text("warning_id") or record.filled():
            out.append(record)
    return out


OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (Excel 97-2003) and WPS .et workbooks


def read_file(path: Path) -> tuple[str, list[Row], list[Row]]:
    """(format, rows of the sheet that is imported, rows of the workbook's other data sheets)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutcomeImportError(
            f"{path}: cannot read the file: {exc.strerror or exc}", f"{path}：无法读取该文件（{exc.strerror or exc}）"
        ) from exc
    if data.startswith(b"PK\x03\x04"):
        return ("xlsx",) + _read_workbook(path, data)
    if data.startswith(OLE2_SIGNATURE):
        raise OutcomeImportError(
            f"{path}: a legacy Excel 97-2003 (.xls) or WPS (.et) workbook; open it and save it "
            "as an Excel workbook (.xlsx), then import that",
            f"{path} 是旧版 Excel 97-2003（.xls）或 WPS（.et）格式，请打开后另存为 .xlsx 工作簿再导入",
        )
    return "csv", _read_csv(path, data), []


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an outcome CSV. UTF-8 (with or without a byte-order mark) is the contract's and is tried
    first; a file that is not UTF-8 is read as GB18030, the superset of GBK that Chinese Excel and WPS write when they
    save "CSV" on a Chinese system. A file that is neither, or UTF-8 cut inside its last character, raises
    UnicodeDecodeError."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            raise  # UTF-8 cut inside its last character (a truncated copy): not GBK, never read as such
        return data.decode("gb18030"), "gb18030"


def _read_csv(path: Path, data: bytes) -> list[Row]:
    try:
        text, _ = decode_csv(data)
    except UnicodeDecodeError as exc:
        raise OutcomeImportError(
            f"{path}: neither UTF-8 nor GBK/GB18030 text (byte {exc.start}); save the CSV as "
            "UTF-8 (Excel: 'CSV UTF-8'), or send the workbook itself",
            f"{path} 既不是 UTF-8 也不是 GBK 编码的文本，请另存为“CSV UTF-8”或直接发回工作簿",
        ) from exc
    if "\x00" in text:
        raise OutcomeImportError(
            f"{path}: a binary file, neither a CSV nor an .xlsx workbook",
            f"{path} 是二进制文件，既不是 CSV 也不是 .xlsx 工作簿",
        )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise OutcomeImportError(
            f"{path}: the file is empty; expected a header row {','.join(FIELDS)}",
            f"{path} 是空文件，第一行应为表头 {','.join(FIELDS)}",
        )
    columns = _columns(rows[0], str(path), required=True)
    return _records(((i, r) for i, r in enumerate(rows[1:], start=2)), columns, "")


def _read_workbook(path: Path, data: bytes) -> tuple[list[Row], list[Row]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise OutcomeImportError(
            f"{path}: not a readable .xlsx workbook: {exc}",
            f"{path} 不是可读取的 .xlsx 工作簿（文件可能已损坏），请重新保存后导入",
        ) from exc
    try:
        names = wb.sheetnames
        if ALL_SHEET in names:
            main = ALL_SHEET
        elif len([n for n in names if n != NOTES_SHEET]) == 1:
            main = next(n for n in names if n != NOTES_SHEET)
        else:
            raise OutcomeImportError(
                f"{path}: no sheet named '{ALL_SHEET}' (sheets: {', '.join(names)}); "
                f"fill in and send back the '{ALL_SHEET}' sheet of the workbook",
                f"{path} 中没有名为“{ALL_SHEET}”的工作表，请在下发工作簿的“{ALL_SHEET}”表中填写后发回",
            )
        main_rows = _sheet_rows(wb[main], f"{path} sheet '{main}'", required=True) or []
        others = []
        for name in names:
            if name not in (main, NOTES_SHEET):
                others += _sheet_rows(wb[name], f"{path} sheet '{name}'", required=False) or []
        return main_rows, others
    finally:
        wb.close()


def _sheet_rows(ws, where: str, required: bool) -> list[Row] | None:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        if required:
            raise OutcomeImportError(f"{where}: the sheet is empty", f"{where}：工作表为空")
        return None
    columns = _columns(list(header), where, required)
    if columns is None:
        return None
    return _records(((i, list(r)) for i, r in enumerate(rows, start=2)), columns, ws.title)


def _date(value) -> tuple[dt.date | None, bool]:
    """(date or None, ok)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, dt.datetime):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, True
    m = DATE_TEXT.match(str(value).strip())
    if not m:
        return None, False
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), True
    except ValueError:
        return None, False


# ------------------------------------------------------------------------------------------------------------- validating


def _reason(code: str, zh: str, en: str) -> Reason:
    return Reason(code, zh, en)


def _field_reasons(r: Row, warning: Warning | None, arrival: dt.date, received: dt.date) -> tuple[list[Reason], dict]:
    """Checks that need only the row and its warning; returns (reasons, cleaned values). `arrival` is the night the file
    applies from, `received` the day it came in (earlier when that night had already run)."""
    reasons: list[Reason] = []
    wid = r.text("warning_id")
    outcome = outcome_code(r.text("outcome")) or r.text("outcome").lower()
    action = action_code(r.text("action")) or r.text("action").lower()
    resolved, date_ok = _date(r.values.get("resolved_date"))
    if not wid:
        reasons.append(_reason("missing_warning_id", "预警编号为空", "warning_id is empty"))
    elif warning is None:
        reasons.append(
            _reason(
                "unknown_warning",
                f"预警编号 {wid} 不存在（截至 {arrival} 未下发过该预警）",
                f"unknown warning id {wid}: no warning with this id was issued on or before {arrival}",
            )
        )
    for field in IDENTITY_FIELDS if warning is not None else ():
        given, expected = r.text(field), getattr(warning, field)
        if given and expected and given != expected:
            reasons.append(
                _reason(
                    f"{field}_mismatch",
                    f"本行的{HEADER_ZH[field]} {given} 与预警 {wid} 的{HEADER_ZH[field]} {expected} 不一致（排序错行或从其他"
                    "表格复制？），本行未导入，请核对后重新交回",
                    f"this row's {field} {given} is not warning {wid}'s ({expected}): a row shifted by sorting, or copied "
                    "from another workbook? Not applied; check it and send the file again",
                )
            )
    if not outcome:
        filled = "、".join(HEADER_ZH[f] for f in r.filled())
        reasons.append(
            _reason(
                "missing_outcome",
                f"填写了{filled}，但未填写核查结果",
                f"{', '.join(r.filled())} filled in but outcome is empty",
            )
        )
    elif outcome not in OUTCOME_WORDS:
        reasons.append(
            _reason(
                "bad_outcome",
                f"核查结果“{r.text('outcome')}”无效，应为 {choices(OUTCOME_WORDS)}",
                f"outcome '{r.text('outcome')}' is not one of {', '.join(OUTCOME_WORDS)} "
                f"({'/'.join(OUTCOME_WORDS.values())})",
            )
        )
    if action and action not in ACTION_WORDS:
        reasons.append(
            _reason(
                "bad_action",
                f"处置措施“{r.text('action')}”无效，应为 {choices(ACTION_WORDS)}",
                f"action '{r.text('action')}' is not one of {', '.join(ACTION_WORDS)} "
                f"({'/'.join(ACTION_WORDS.values())})",
            )
        )
    if not date_ok:
        reasons.append(
            _reason(
                "bad_date",
                f"办结日期“{r.text('resolved_date')}”不是有效日期（格式 yyyy-mm-dd）",
                f"resolved_date '{r.text('resolved_date')}' is not a date (YYYY-MM-DD)",
            )
        )
    if outcome in FINAL_OUTCOMES and resolved is None and date_ok:
        reasons.append(
            _reason(
                "missing_resolved_date",
                f"核查结果为{_word(outcome)}时必须填写办结日期",
                f"resolved_date is required when outcome is {outcome}",
            )
        )
    if outcome == "in_progress" and resolved is not None:
        reasons.append(
            _reason(
                "in_progress_with_date",
                "核查结果为核查中（in_progress）时不应填写办结日期",
                "resolved_date must be empty when outcome is in_progress (not finished)",
            )
        )
    if resolved is not None and warning is not None and resolved < warning.raised_date:
        reasons.append(
            _reason(
                "resolved_before_raised",
                f"办结日期 {resolved} 早于预警日期 {warning.raised_date}",
                f"resolved_date {resolved} is before the warning was raised on {warning.raised_date}",
            )
        )
    if resolved is not None and resolved > received:
        reasons.append(
            _reason(
                "resolved_after_arrival",
                f"办结日期 {resolved} 晚于文件接收日期 {received}",
                f"resolved_date {resolved} is after the file arrived on {received}",
            )
        )
    caseworker = r.text("caseworker_id")
    clean = {
        "warning_id": wid,
        "outcome": outcome,
        "resolved_date": resolved,
        "action": action or None,
        "caseworker_id": caseworker or None,
        "note": r.text("note") or None,
    }
    return reasons, clean


def _word(outcome: str | None) -> str:
    """属实（confirmed）: the word the caseworker chose, the code beside it."""
    return f"{OUTCOME_WORDS[outcome]}（{outcome}）" if outcome in OUTCOME_WORDS else str(outcome)


RECORDED = ("outcome", "resolved_date", "action", "caseworker_id", "note")  # what a duplicate repeats exactly


@dataclasses.dataclass(frozen=True)
class _Final:
    """A final outcome already recorded: its values (None when only the queue shows it), where it came from."""

    outcome: str
    values: dict | None
    imported: dt.date
    source: str | None
    row: int | None


@dataclasses.dataclass
class _History:
    """What is already recorded for one warning (store rows plus rows accepted earlier in this file)."""

    final: _Final | None = None
    in_progress: bool = False
    progress: tuple | None = None  # (caseworker_id, note) of the latest in-progress report


def _differing(clean: dict, final: _Final) -> list[str]:
    return [] if final.values is None else [f for f in RECORDED if clean[f] != final.values[f]]


def _state_reason(clean: dict, history: _History, warning: Warning) -> tuple[str, Reason | None]:
    """('apply' | 'duplicate' | 'reject', reason) against what is already recorded for the warning."""
    outcome = clean["outcome"]
    if history.final is not None:
        final = history.final
        prev, imported, source, row = final.outcome, final.imported, final.source, final.row
        resolved = final.values["resolved_date"] if final.values else None
        where_zh = f"（{imported} 导入，文件 {source} 第 {row} 行）" if source else ""
        where_en = f" (imported {imported}, file {source} row {row})" if source else ""
        if outcome == prev:
            differs = _differing(clean, final)
            if not differs:
                return "duplicate", None
            action = final.values["action"] or "-"
            return "reject", _reason(
                "differs_from_earlier_outcome",
                f"该预警已记录为{_word(prev)}（办结日期 {resolved}，处置措施 {action}）{where_zh}，本行的"
                f"{'、'.join(HEADER_ZH[f] for f in differs)}与之不同；已记录的结果不会被覆盖，如需更正请联系区民政局",
                f"the warning's outcome is already recorded as {prev} (resolved {resolved}, action {action}){where_en}; "
                f"this row differs in {', '.join(differs)}; a recorded outcome is never overwritten: ask the district "
                "bureau to correct it",
            )
        if outcome in FINAL_OUTCOMES:
            return "reject", _reason(
                "contradicts_earlier_outcome",
                f"与已记录的核查结果矛盾：该预警已记录为{_word(prev)}（办结日期 {resolved}）{where_zh}，本行为{_word(outcome)}；"
                f"如需更正请联系区民政局",
                f"contradicts an earlier outcome: the warning is already recorded as {prev} (resolved {resolved})"
                f"{where_en}, this row says {outcome}",
            )
        return "reject", _reason(
            "already_closed",
            f"该预警已办结（{_word(prev)}，办结日期 {resolved}）{where_zh}，不能再标记为核查中",
            f"the warning is already closed as {prev} (resolved {resolved}){where_en}; it cannot go back to in_progress",
        )
    if outcome == "in_progress":
        if warning.status not in ACTIVE:
            return "reject", _reason(
                "warning_not_open",
                f"该预警已于 {warning.as_of} 前关闭（{warning.status}），不能标记为核查中；如已核查，请填写属实或不属实",
                f"the warning is no longer open ({warning.status} as of {warning.as_of}); in_progress is only for open "
                f"warnings; send confirmed or dismissed if it was verified",
            )
        if history.progress == (clean["caseworker_id"], clean["note"]):
            return "duplicate", None  # the latest report again (an untouched row of a later workbook)
        if history.progress is None and warning.status == "in_progress":
            return "duplicate", None  # closed-queue view only (the report's row is no longer in the table)
    return "apply", None


# -------------------------------------------------------------------------------------------------------------- importing


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def applies_from(con, received: dt.date) -> dt.date:
    """The first night that applies a file received on `received`: never a night already recorded.

    A night is a function of the inputs that arrived by its date; a file imported after night D ran must not count as
    having arrived by D, or an audit rerun of D would include what the original night did not see.
    """
    latest = runs.latest_ok(con)
    return max(received, latest[0] + dt.timedelta(days=1)) if latest is not None else received


def import_outcomes(store_root: Path, path: Path, arrival: dt.date, applies: dt.date | None = None) -> dict:
    """Import one outcome file that arrived on `arrival`; return the report (see the module docstring). The outcomes
    apply from the first night on or after `arrival` not yet run (`applies_from`), or from `applies` when given (an
    audit rerun replays a file as it was applied)."""
    path = Path(path)
    store = Store(Path(store_root))
    if not store.db_path.exists():
        raise OutcomeImportError(
            f"no safetynet store at {store.root} (no {store.db_path.name}); "
            "give the store the nightly runs write to (--store)",
            f"{store.root} 不是 safetynet 数据库目录，请用 --store 指定每晚运行使用的目录",
        )
    fmt, rows, other_rows = read_file(path)
    sha = sha256_file(path)
    try:
        con = connect(store.root)  # first: a store this release refuses (StoreTooNew) gets no copy of the file
    except StoreBusy as exc:
        raise OutcomeImportError(
            f"cannot open the store {store.db_path}: {exc} (is a night running? try again)",
            "数据库正被占用（可能正在运行夜间任务），请稍后再试",
        ) from exc
    try:
        logged = store.put(path, sha)
        received, arrival = arrival, applies if applies is not None else applies_from(con, arrival)
        warnings = {
            row[0]: Warning(*row[1:])
            for row in con.execute(
                """
            SELECT warning_id, raised_date, status, as_of, household_id, street_code FROM warning_snapshots WHERE as_of <= ?
            QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY as_of DESC) = 1""",
                [arrival],
            ).fetchall()
        }
        histories, seen_rows = _histories(con, warnings)
        report = {
            "file": str(path),
            "format": fmt,
            "sha256": sha,
            "arrival": arrival.isoformat(),
            "received": received.isoformat(),
            "latest_night": latest[0].isoformat() if (latest := runs.latest_ok(con)) else None,
            "rows": len(rows),
            "applied": 0,
            "duplicates": 0,
            "skipped_blank": 0,
            "rejected": [],
        }
        inserts = []
        conflicts = _conflicting_rows(rows)
        for r in rows:
            if not r.filled():
                report["skipped_blank"] += 1
                continue
            warning = warnings.get(r.text("warning_id"))
            reasons, clean = _field_reasons(r, warning, arrival, received)
            if r.row in conflicts:
                reasons.append(conflicts[r.row])
            if not reasons and (sha, r.row) in seen_rows:
                report["duplicates"] += 1  # this very row was imported before (same file imported again)
                continue
            if not reasons:
                history = histories.setdefault(clean["warning_id"], _History())
                verdict, reason = _state_reason(clean, history, warning)
                if verdict == "duplicate":
                    report["duplicates"] += 1
                    continue
                if reason is not None:
                    reasons = [reason]
                else:
                    inserts.append(
                        (
                            clean["warning_id"],
                            clean["outcome"],
                            clean["resolved_date"],
                            clean["action"],
                            clean["caseworker_id"],
                            clean["note"],
                            sha,
                            r.row,
                            arrival,
                        )
                    )
                    if clean["outcome"] in FINAL_OUTCOMES:
                        history.final = _Final(clean["outcome"], clean, arrival, path.name, r.row)
                    else:
                        history.in_progress = True
                        history.progress = (clean["caseworker_id"], clean["note"])
                    report["applied"] += 1
                    continue
            report["rejected"].append(_reject_entry(path, r, reasons))
        report["rejected"] += _outside_main_sheet(path, rows, other_rows)
        con.execute("BEGIN TRANSACTION")
        try:
            input_log.log(con, [(INPUT_KIND, arrival, path.name, sha, logged.stat().st_size, received)])
            stored_outcomes.insert(con, inserts)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    if report["rejected"]:
        report["rejected_file"] = str(_write_rejects(store, arrival, sha, report["rejected"]))
    return report


def _conflicting_rows(rows: list[Row]) -> dict[int, Reason]:
    """Rows giving one warning two different final outcomes in the same file, each with a reason naming the other
    rows: neither is applied, since the import cannot know which the caseworker meant."""
    finals: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        code = outcome_code(r.text("outcome"))
        if code in FINAL_OUTCOMES and r.text("warning_id"):
            finals.setdefault(r.text("warning_id"), []).append((r.row, code))
    out = {}
    for wid, found in finals.items():
        if len({code for _, code in found}) < 2:
            continue
        for row, code in found:
            others = [(n, c) for n, c in found if n != row]
            out[row] = _reason(
                "conflicting_outcomes_in_file",
                f"同一文件中预警 {wid} 有两个不同的核查结果：本行为{_word(code)}，"
                + "、".join(f"第 {n} 行为{_word(c)}" for n, c in others)
                + "；两行均未导入，请核对后只保留一行重新交回",
                f"warning {wid} has two different outcomes in this file: this row says {code}, "
                + ", ".join(f"row {n} says {c}" for n, c in others)
                + "; neither is applied: keep the right one and "
                "send the file again",
            )
    return out


def _histories(con, warnings: dict[str, Warning]) -> tuple[dict[str, _History], set[tuple[str, int]]]:
    histories: dict[str, _History] = {}
    names = input_log.names_by_sha(con, INPUT_KIND)
    recorded = stored_outcomes.history(con)  # warning id, the RECORDED fields, imported as of, source file and row
    for wid, *values, imported, source, row in recorded:
        h = histories.setdefault(wid, _History())
        fields = dict(zip(RECORDED, values))
        if fields["outcome"] in FINAL_OUTCOMES and h.final is None:
            h.final = _Final(fields["outcome"], fields, imported, names.get(source, source), row)
        elif fields["outcome"] == "in_progress":
            h.in_progress = True
            h.progress = (fields["caseworker_id"], fields["note"])
    for wid, w in warnings.items():  # closed by an outcome whose row is no longer in the table
        if w.status in FINAL_OUTCOMES and histories.setdefault(wid, _History()).final is None:
            histories[wid].final = _Final(w.status, None, w.as_of, None, None)
    return histories, {(r[-2], r[-1]) for r in recorded}


def _reject_entry(path: Path, r: Row, reasons: list[Reason]) -> dict:
    """One rejected row as reported: where, why, and what the caseworker wrote (ID numbers masked, docs/CONTRACT.md §4)."""
    entry = {
        "file": path.name,
        "sheet": r.sheet,
        "row": r.row,
        "warning_id": r.text("warning_id"),
        "reason_code": "|".join(x.code for x in reasons),
        "reason_zh": "；".join(x.zh for x in reasons),
        "reason_en": "; ".join(x.en for x in reasons),
        **{f: r.text(f) for f in FILL_FIELDS},
    }
    return {k: mask_id_like(v) if isinstance(v, str) else v for k, v in entry.items()}


def _comparable(r: Row) -> tuple:
    resolved, ok = _date(r.values.get("resolved_date"))
    return (
        outcome_code(r.text("outcome")) or r.text("outcome").lower(),
        resolved if ok else r.text("resolved_date"),
        action_code(r.text("action")) or r.text("action").lower(),
        r.text("caseworker_id"),
        r.text("note"),
    )


def _outside_main_sheet(path: Path, rows: list[Row], other_rows: list[Row]) -> list[dict]:
    """Results typed on a community sheet that the 全部 sheet does not carry: reported, so none is lost unseen."""
    main = {}
    for r in rows:
        main.setdefault(r.text("warning_id"), _comparable(r))
    out = []
    for r in other_rows:
        if r.filled() and main.get(r.text("warning_id")) != _comparable(r):
            out.append(
                _reject_entry(
                    path,
                    r,
                    [
                        _reason(
                            "filled_outside_main_sheet",
                            f"填在“{r.sheet}”表的结果未导入：导入只读取“{ALL_SHEET}”表，请将结果填入“{ALL_SHEET}”表同一预警行后重新交回",
                            f"result entered on sheet '{r.sheet}' was not imported: only the '{ALL_SHEET}' sheet is read; "
                            f"enter it on that sheet and send the file again",
                        )
                    ],
                )
            )
    return out


def _write_rejects(store: Store, arrival: dt.date, sha: str, rejected: list[dict]) -> Path:
    out = store.root / "exports" / f"outcomes-{arrival.isoformat()}-{sha[:8]}-rejected.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: opens in Chinese Excel without mojibake
        writer = csv.DictWriter(fh, REJECT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rejected)
    tmp.replace(out)
    return out


# -------------------------------------------------------------------------------------------------------------------- CLI


def format_report(report: dict) -> str:
    where = lambda x: (f"sheet '{x['sheet']}' " if x["sheet"] else "") + f"row {x['row']}"  # noqa: E731
    lines = [
        f"{report['file']} ({report['format']}, sha256 {report['sha256'][:12]}, arrival {report['arrival']}): "
        f"{report['rows']} rows, {report['applied']} applied, {report['duplicates']} duplicates, "
        f"{report['skipped_blank']} not filled in, {len(report['rejected'])} rejected",
        f"导入 {report['applied']} 条，重复 {report['duplicates']} 条，未填写 {report['skipped_blank']} 条，"
        f"退回 {len(report['rejected'])} 条",
    ]
    if report.get("received") and report["received"] != report["arrival"]:
        lines.append(
            f"received {report['received']}; night {report['received']} already ran, so these outcomes apply "
            f"from night {report['arrival']} (本批结果自 {report['arrival']} 起生效)"
        )
    latest = report.get("latest_night")
    if (
        latest
        and report["applied"]
        and dt.date.fromisoformat(report["arrival"]) > dt.date.fromisoformat(latest) + dt.timedelta(days=1)
    ):
        # The demo's nights are in the past, and a store can lag behind its drops: the next night run may be dated
        # before the arrival and would not see the outcomes (an audit rerun must not either), which looks like a lost import.
        lines.append(
            f"the store's latest night is {latest}: a night dated before {report['arrival']} does not apply these "
            f"outcomes; give the day they were received with --arrival (库中最近一晚为 {latest}，"
            f"{report['arrival']} 之前日期的夜间运行不使用本批结果；如收到日期更早，请用 --arrival 指定)"
        )
    for x in report["rejected"]:
        lines.append(f"  REJECTED {x['file']} {where(x)} {x['warning_id'] or '-'}: {x['reason_en']}")
        lines.append(f"           {x['reason_zh']}")
    if report.get("rejected_file"):
        lines.append(f"rejected rows: {report['rejected_file']}")
    return "\n".join(lines)


def cmd_import(args) -> int:
    arrival = args.arrival or today_in_shanghai()
    try:
        report = import_outcomes(args.store, args.file, arrival)
    except OutcomeImportError as exc:
        print(f"outcomes import: {exc}", file=sys.stderr)
        print(f"无法导入：{exc.zh}。未记录任何结果。", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


def register(subparsers) -> None:
    """Add `safetynet outcomes import FILE --store DIR [--arrival D]` to the CLI."""
    from flows.arguments import store_dir

    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "outcomes",
        formatter_class=fmt,
        help="import caseworkers' verification outcomes",
        description="Caseworkers' outcomes (docs/CONTRACT.md §5) flowing back into safetynet.\n"
        "Run 'safetynet outcomes import --help' for the manual.",
    )
    sub = p.add_subparsers(dest="outcomes_command", required=True, metavar="ACTION")
    i = sub.add_parser(
        "import",
        formatter_class=fmt,
        help="import an outcome CSV or a returned street workbook",
        description=(
            "Import one file of verification outcomes into the store. FILE is either\n"
            "  - a UTF-8 CSV with the columns warning_id, outcome, resolved_date, action, caseworker_id, note\n"
            "    (docs/CONTRACT.md §5; the workbook's Chinese headers are accepted too), or\n"
            "  - a street workbook (.xlsx) sent back with its columns 核查结果/办结日期/处置措施/核查人/备注 filled in;\n"
            f"    only its '{ALL_SHEET}' sheet is read (results typed only on a community sheet are reported, not read).\n\n"
            "outcome: confirmed 属实 | dismissed 不属实 (final: the night closes the warning) | in_progress 核查中 (being\n"
            "worked: the warning stays open with the same deadline). action: enrolled 纳入救助 | terminated 停止救助 |\n"
            "adjusted 调整救助 | referred 转介 | none 无需处置 (the code or the Chinese word).\n"
            "Two different final outcomes for one warning in one file: both rows are rejected, each naming the other.\n"
            "resolved_date (YYYY-MM-DD): required for confirmed/dismissed, empty for in_progress, not before the warning\n"
            "was raised and not after the arrival date.\n\n"
            "The file is first copied into the store's input log (by sha256) with its arrival date, so an audit rerun\n"
            "replays it. Each row is then checked on its own: a row naming an unknown warning, whose household or street\n"
            "(workbook columns 户编号/镇街代码) is not the warning's, with a bad code or date, differing from an outcome\n"
            "already recorded (a recorded outcome is never overwritten), or marking a closed warning in_progress, is\n"
            "rejected with its row number and reason (Chinese and English) -- printed and written to\n"
            "STORE/exports/outcomes-<arrival>-<sha8>-rejected.csv -- and every other row is imported. Rows with nothing\n"
            "filled in are skipped and counted. A recorded outcome repeated exactly is a harmless duplicate. Importing the\n"
            "same file twice applies nothing new. Outcomes take effect at the first night dated on or after the arrival\n"
            "date that has not run yet."
        ),
        epilog=(
            "exit codes: 0 the file was read (even when rows were rejected; they are listed), 2 the file could not\n"
            "be read at all (not UTF-8 CSV or .xlsx, required columns missing, no store) -- nothing was recorded.\n\n"
            "examples:\n"
            "  safetynet outcomes import 500106001-returned.xlsx --store var\n"
            "  safetynet outcomes import outcomes.csv --store var --arrival 2026-03-05"
        ),
    )
    i.add_argument("file", type=Path, metavar="FILE", help="the outcome CSV or the returned workbook (.xlsx)")
    i.add_argument(
        "--store", type=store_dir, required=True, metavar="DIR", help="the store folder the nightly runs use (e.g. var)"
    )
    i.add_argument(
        "--arrival",
        type=arguments.date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the file arrived, YYYY-MM-DD (default: today in Asia/Shanghai); recorded in the "
        "input log, and the outcomes apply from the night of that date",
    )
    i.set_defaults(func=cmd_import)
