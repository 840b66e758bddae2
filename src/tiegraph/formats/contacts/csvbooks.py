"""Address books as CSV: LinkedIn, Google and Outlook exports, and any CSV given a --map."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from tiegraph.formats.contacts.headers import Layout, header_key, identify, layout_of
from tiegraph.formats.csvrows import csv_rows
from tiegraph.formats.records import ContactRecord, RowError

__all__ = ["CsvBook", "csv_book_records", "read_csv_book"]

_HEADER_SEARCH = 30  # LinkedIn's "Notes:" preamble is a few lines; Excel may add some more
_URN = re.compile(r"^urn:li:", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@<>(),;:\"']+@[^\s@<>(),;:\"']+\.[^\s@<>(),;:\"']+")
_NAMES = frozenset({"first_name", "last_name", "full_name"})
_SEPARATOR = re.compile(r"\s*:::\s*|\n")
_LINKEDIN_URL = re.compile(r"linkedin\.com/(in|pub)/", re.IGNORECASE)
_DATE_FORMATS = ("%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%d.%m.%Y")
# LinkedIn without a header row: current layout, and 2018's without the URL column.
_LINKEDIN_CURRENT = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                     "Connected On")  # fmt: skip
_LINKEDIN_2018 = ("First Name", "Last Name", "Email Address", "Company", "Position", "Connected On")


@dataclass(frozen=True, slots=True)
class CsvBook:
    format: str
    records: list[ContactRecord | RowError]
    attempted: int


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _find_header(
    text: str, column_map: Mapping[str, str] | None
) -> tuple[int, list[str], Layout] | None:
    """The header row (its line, cells, layout) among the first lines, skipping any preamble."""
    lines = text.splitlines()[:_HEADER_SEARCH]
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        cells = next(csv.reader([line], delimiter=_delimiter(line)), [])
        layout = layout_of(cells, column_map)
        if layout.readable and len(layout.fields) >= (1 if column_map else 2):
            return index + 1, cells, layout
    return None


def _headerless_linkedin(text: str) -> tuple[str, ...] | None:
    """The layout of a LinkedIn export without its header row, told by its URLs and dates."""
    sample = [r for _, r in zip(range(20), csv_rows(text, ","), strict=False)]
    cells = [r.cells for r in sample if len(r.cells) >= 5]
    if not cells:
        return None
    with_url = sum(1 for r in cells if len(r) > 2 and _LINKEDIN_URL.search(r[2]))
    dated = sum(1 for r in cells if parse_date(r[-1]) is not None)
    if with_url >= len(cells) / 2:
        return _LINKEDIN_CURRENT
    if dated >= len(cells) / 2 and len(cells[0]) == len(_LINKEDIN_2018):
        return _LINKEDIN_2018
    return None


def parse_date(text: str) -> date | None:
    """LinkedIn's and Excel's date spellings ("22 Dec 2025", "1/8/18, 6:14 PM", "15-Jan-24")."""
    value = text.strip().split(",")[0].strip()
    if not value or value in {"0.0.00", "0/0/00", "00.00.0000"}:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _split_values(cell: str) -> list[str]:
    """The values of a stripped cell. Google's old export puts several values in one cell:
    "a@x ::: b@y"."""
    if ":::" not in cell and "\n" not in cell:
        return [cell]  # most cells: one value
    return [v.strip() for v in _SEPARATOR.split(cell) if v.strip()]


def _emails(cell: str) -> list[str]:
    found = []
    for value in _split_values(cell):
        if value[:7].lower() == "mailto:":
            value = value[7:].strip()
        if _URN.match(value):
            continue  # LinkedIn's member URN stands in for a hidden address: not an email
        found.extend(_EMAIL.findall(value))
    return found


@dataclass(frozen=True, slots=True)
class _Columns:
    """The columns read of a layout, fetched from a row in one call."""

    fields: tuple[str, ...]
    pick: Callable[[Sequence[str]], tuple[str, ...]]
    width: int  # a row shorter than this is padded with empty cells

    @classmethod
    def of(cls, layout: Layout) -> _Columns:
        mapped = [(column, field) for column, field in enumerate(layout.columns) if field]
        columns = [column for column, _ in mapped]
        # itemgetter of one column gives the cell, not a 1-tuple.
        pick = itemgetter(*columns, *columns[:1]) if len(columns) == 1 else itemgetter(*columns)
        return cls(tuple(f for _, f in mapped), pick, max(columns, default=-1) + 1)


def _record(
    fmt: str, file: str, line: int, columns: _Columns, cells: Sequence[str]
) -> ContactRecord | RowError:
    """The record of one row."""
    values: dict[str, str] = {}
    emails: list[str] = []
    phones: list[str] = []
    if len(cells) < columns.width:
        cells = [*cells, *[""] * (columns.width - len(cells))]
    for field, cell in zip(columns.fields, columns.pick(cells), strict=False):
        if not cell or not (cell := cell.strip()):
            continue  # most cells of an export are empty
        if field == "email":
            emails += _emails(cell)
        elif field == "phone":
            phones += _split_values(cell)
        else:
            values[field] = " ".join(cell.split())
    if not (emails or phones or _NAMES & values.keys()):
        return RowError(file, f"line {line}", "no name, email or phone")
    connected = values.pop("connected_on", "")
    if not values.get("source_uid"):
        values["source_uid"] = values.get("profile_url", "")
    return ContactRecord(
        source_format=fmt,
        file=file,
        locator=f"line {line}",
        emails=tuple(dict.fromkeys(emails)) if len(emails) > 1 else tuple(emails),
        phones=tuple(dict.fromkeys(phones)) if len(phones) > 1 else tuple(phones),
        connected_on=parse_date(connected) if connected else None,
        **values,
    )


def _repeats(cells: Sequence[str], header_keys: Sequence[str]) -> bool:
    """Whether a row is the header again; its first cell tells most rows apart cheaply."""
    if len(cells) != len(header_keys) or header_key(cells[0]) != header_keys[0]:
        return False
    return [header_key(c) for c in cells] == list(header_keys)


def read_csv_book(
    text: str, *, file: str, format: str, column_map: Mapping[str, str] | None
) -> CsvBook | None:
    """Contacts of a CSV address book, or None when no header (or known shape) is found."""
    found = csv_book_records(text, file=file, format=format, column_map=column_map)
    if found is None:
        return None
    fmt, stream = found
    records = list(stream)
    return CsvBook(fmt, records, len(records))


def csv_book_records(
    text: str, *, file: str, format: str, column_map: Mapping[str, str] | None
) -> tuple[str, Iterator[ContactRecord | RowError]] | None:
    """The format of a CSV address book and its records, read as they are taken; None when
    no header (or known shape) is found."""
    found = _find_header(text, column_map)
    if found is not None:
        header_line, header, layout = found
        fmt = "csv" if column_map and format == "auto" else identify(header)
        delimiter = _delimiter(text.splitlines()[header_line - 1])
        body = "\n" * header_line + "\n".join(text.splitlines()[header_line:])
    else:
        shape = _headerless_linkedin(text)
        if shape is None:
            return None
        header, layout, fmt, delimiter, body = list(shape), layout_of(shape), "linkedin", ",", text
    if format != "auto":
        fmt = format
    return fmt, _book_records(body, delimiter, header, layout, fmt, file)


def _book_records(
    body: str, delimiter: str, header: Sequence[str], layout: Layout, fmt: str, file: str
) -> Iterator[ContactRecord | RowError]:
    width = len(header)
    header_keys = [header_key(h) for h in header]
    columns = _Columns.of(layout)
    for line, cells, problem in csv_rows(body, delimiter, width):
        if problem:
            yield RowError(file, f"line {line}", problem)
            continue
        if not "".join(cells).strip():
            continue  # blank lines are not records
        if len(cells) == 1 and width > 1 and delimiter in cells[0]:
            # A row re-saved as one quoted field: its cells are inside it.
            cells = next(csv.reader([cells[0]], delimiter=delimiter), cells)
        if _repeats(cells, header_keys):
            continue  # the header repeated (files concatenated)
        yield _record(fmt, file, line, columns, cells)
