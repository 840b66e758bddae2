"""Call metadata reader: CSV call logs in the column names and dialects phones and PBXs use."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from tiegraph.formats.csvrows import CsvRow, csv_rows
from tiegraph.formats.records import CallRecord, RowError

__all__ = ["iter_calls"]

# Header aliases, compared after lowercasing and turning spaces and dashes into underscores.
_ALIASES = {
    "member": ("member_email", "member", "owner", "owner_email", "user", "user_email"),
    "other": ("other", "number", "phone", "phone_number", "contact", "email", "other_party"),
    "to": ("to", "callee", "called_number"),
    "from": ("from", "caller", "caller_id", "calling_number"),
    "start": ("start", "started_at", "start_time", "datetime", "timestamp", "call_date"),
    "date": ("date",),
    "time": ("time",),
    "duration": ("duration_seconds", "duration", "seconds", "duration_s", "length"),
    "direction": ("direction", "type", "call_type"),
}
_DIRECTIONS = {
    **dict.fromkeys(("in", "incoming", "inbound", "received", "answered"), "in"),
    **dict.fromkeys(("out", "outgoing", "outbound", "dialed", "dialled", "placed"), "out"),
    **dict.fromkeys(("missed", "rejected", "declined", "no_answer", "unanswered"), "missed"),
    **dict.fromkeys(("voicemail", "blocked"), "missed"),
    # Android's CallLog.Calls.TYPE: 1 incoming, 2 outgoing, 3 missed, 4 voicemail,
    # 5 rejected, 6 blocked, 7 answered on another device.
    **{"1": "in", "2": "out", "3": "missed", "4": "missed", "5": "missed", "6": "missed"},
    "7": "in",
}
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?")
_UNITS = re.compile(r"(?:(\d+)\s*h\w*)?\s*(?:(\d+)\s*m\w*)?\s*(?:(\d+)\s*s\w*)?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.])(\d{1,2})[/.](\d{2}|\d{4})(?:[ T,]+(.*))?")
_EPOCH = re.compile(r"\d{10}(\d{3})?")
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p")
_SNIFF_ROWS = 1000


def iter_calls(path: Path, *, member: str = "") -> Iterator[CallRecord | RowError]:
    """Yield one CallRecord per call in a CSV call log with a header row, or a RowError.

    Columns are found by name (see `_ALIASES`); the delimiter and encoding are sniffed.
    `member` fills in the member's email when the log has no member column (the export
    of one person's phone).
    """
    path = Path(path)
    file = str(path)
    text = _decoded(path.read_bytes())
    skipped, delimiter = 0, _delimiter(text)
    if text[:4].lower() == "sep=":  # Excel's delimiter hint, a line of its own
        delimiter, skipped = text[4:5] or ",", 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    rows = _numbered_rows(text, delimiter, skipped)
    first = next(rows, None)
    if first is None:
        return
    header_line, header, problem = first
    columns, missing = _columns(header, has_member=bool(member))
    if problem or missing:
        reason = problem or f"no {' or '.join(missing)} column in the header {header!r}"
        yield RowError(file, f"line {header_line}", reason[:300])
        return
    sample = list(itertools.islice(rows, _SNIFF_ROWS))
    day_first = _day_first([_start_text(_cells(row, columns)) for _, row, _ in sample])
    for number, row, problem in itertools.chain(sample, rows):
        if problem:
            yield RowError(file, f"line {number}", problem)
        else:
            yield _record(file, f"line {number}", row, header, columns, member, day_first)


def _decoded(raw: bytes) -> str:
    """The file's text: byte-order marks, UTF-16 without one, UTF-8, else Windows-1252."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace")
    if len(raw) > 1 and raw[0] and not raw[1]:
        return raw.decode("utf-16-le", errors="replace")
    if len(raw) > 1 and not raw[0] and raw[1]:
        return raw.decode("utf-16-be", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line holds most of."""
    line = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _numbered_rows(text: str, delimiter: str, skipped: int) -> Iterator[CsvRow]:
    """Non-empty rows with the line each starts on (a quoted field may span lines), or why
    one cannot be read: a quote that never closes, or a cell too long, costs its one row
    (formats/csvrows.py), as many cells as the first row's telling what a row looks like."""
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    width = len(next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), []))
    for row in csv_rows(text, delimiter, width, offset=skipped):
        if row.problem or any(cell.strip() for cell in row.cells):
            yield row


def _columns(header: list[str], *, has_member: bool) -> tuple[dict[str, int], list[str]]:
    """Where each known column is, and which required ones are missing."""
    names = [re.sub(r"[\s\-]+", "_", name.strip().lower()) for name in header]
    columns: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names and names.index(alias) not in columns.values():
                columns[key] = names.index(alias)
                break
    missing = []
    if "member" not in columns and not has_member:
        missing.append("member")
    if not columns.keys() & {"other", "to", "from"}:
        missing.append("other party")
    if not columns.keys() & {"start", "date"}:
        missing.append("start")
    if "direction" not in columns:
        missing.append("direction")
    return columns, missing


def _cells(row: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {key: row[i].strip() if i < len(row) else "" for key, i in columns.items()}


def _start_text(cells: dict[str, str]) -> str:
    return cells.get("start") or f"{cells.get('date', '')} {cells.get('time', '')}".strip()


def _record(
    file: str,
    locator: str,
    row: list[str],
    header: list[str],
    columns: dict[str, int],
    member: str,
    day_first: bool,
) -> CallRecord | RowError:
    cells = _cells(row, columns)
    member_email = _email(cells.get("member") or member)
    if not member_email:
        return RowError(file, locator, f"member is not an email address: {cells.get('member')!r}")
    raw_direction = cells["direction"]
    direction = _DIRECTIONS.get(re.sub(r"[\s\-]+", "_", raw_direction.lower()))
    if direction is None:
        return RowError(file, locator, f"unknown direction {raw_direction!r}")
    sides = ("to", "from") if direction == "out" else ("from", "to")
    other = next((cells[k] for k in ("other", *sides) if cells.get(k)), "")
    if not other:
        return RowError(file, locator, "no other party")
    start = _start(_start_text(cells), day_first)
    if start is None:
        return RowError(file, locator, f"unreadable start {_start_text(cells)!r}")
    duration = _duration(cells.get("duration", ""))
    if duration is None:
        return RowError(file, locator, f"unreadable duration {cells['duration']!r}")
    used = set(columns.values())
    extra = {
        name: value.strip()
        for index, (name, value) in enumerate(zip(header, row, strict=False))
        if index not in used and value.strip()
    }
    return CallRecord(file, locator, member_email, other, start, duration, direction, extra)


def _email(text: str) -> str:
    email = text.strip().lower().removeprefix("mailto:")
    return email if _EMAIL.fullmatch(email) else ""


def _start(text: str, day_first: bool) -> datetime | None:
    """An aware datetime from ISO 8601, epoch seconds or milliseconds, or a local format."""
    if not text:
        return None
    if _EPOCH.fullmatch(text):
        return datetime.fromtimestamp(int(text) / (1000 if len(text) == 13 else 1), UTC)
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _local_start(text, day_first)
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local_start(text: str, day_first: bool) -> datetime | None:
    """`05.03.2024 14:30`, `3/5/2024 2:30 PM`, `05/03/24 14:30:15`: numeric dates of exports."""
    match = _NUMERIC_DATE.fullmatch(text.strip())
    if match is None:
        return None
    first, separator, second, year, clock = match.groups()
    day, month = (first, second) if day_first or separator == "." else (second, first)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    for fmt in _TIME_FORMATS if clock else ():
        try:
            moment = datetime.strptime(clock.strip().upper(), fmt)
        except ValueError:
            continue
        try:
            return moment.replace(year=full_year, month=int(month), day=int(day))
        except ValueError:
            return None
    return None


def _day_first(starts: list[str]) -> bool:
    """Whether `03/05/2024` means 3 May: told by the file's unambiguous dates, else by AM/PM."""
    for text in starts:
        match = _NUMERIC_DATE.match(text)
        if match and match.group(2) == "/":
            if int(match.group(1)) > 12:
                return True
            if int(match.group(3)) > 12:
                return False
    return not any(re.search(r"\d\s*[AaPp]\.?[Mm]\b", text) for text in starts)


def _duration(text: str) -> int | None:
    """Seconds from `95`, `95.4`, `1:35`, `0:01:35` or `1 min 35 s`; empty means 0."""
    text = text.strip().lower()
    if not text:
        return 0
    seconds: int | None
    try:
        seconds = round(float(text.replace(",", ".")))
    except ValueError:
        seconds = _clock_seconds(text)
    return seconds if seconds is not None and seconds >= 0 else None


def _clock_seconds(text: str) -> int | None:
    clock = _CLOCK.fullmatch(text)
    if clock is not None:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    units = _UNITS.fullmatch(text)
    if units is not None and any(units.groups()):
        hours, minutes, seconds = (int(part or 0) for part in units.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None
