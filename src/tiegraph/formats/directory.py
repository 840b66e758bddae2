"""Reader of directory files: companies and persons as JSON Lines (or a JSON array) or CSV."""

from __future__ import annotations

import calendar
import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from tiegraph.formats.csvrows import csv_rows
from tiegraph.formats.records import (
    CompanyRecord,
    EducationRecord,
    EmploymentRecord,
    NoRecordsError,
    PersonRecord,
    RowError,
)

__all__ = ["DirectoryRow", "iter_directory"]

DirectoryRow = CompanyRecord | PersonRecord | RowError

_EXPECTED = "companies or persons"
_SCAN_CHUNK = 1 << 20
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_OPEN_END = frozenset({"present", "current", "now"})
_PERSON_KEYS = ("first_name", "last_name", "full_name", "emails", "employment", "education")
# CSV headers people actually write, mapped to the documented column names.
_CSV_ALIASES = {
    "external_id": "id",
    "email": "emails",
    "phone": "phones",
    "domain": "domains",
    "company_name": "company",
    "job_title": "title",
    "position": "title",
    "linkedin_url": "profile_url",
    "url": "profile_url",
}


class _Refused(ValueError):
    """A row is refused; the message is the reason shown to the user."""


def iter_directory(data: bytes, *, file: str) -> Iterator[DirectoryRow]:
    """Yield every company and person of a directory file, or a RowError for each bad row.

    The format (JSON Lines, a JSON array, or CSV of persons or of companies) and the
    encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) are detected.
    Raises NoRecordsError when the file holds no company or person at all.
    """
    encoding, skip = _sniff_encoding(data)
    head = next((line for line in _decoded_lines(data, encoding, skip) if line.strip()), None)
    if head is None:
        raise NoRecordsError(file, _EXPECTED)
    lines = _decoded_lines(data, encoding, skip)
    if head.lstrip().startswith("{"):
        rows = _iter_json_lines(lines, file)
    elif head.lstrip().startswith("["):
        rows = _iter_json_array(lines, file)
    else:
        rows = _iter_csv(_CountedLines(lines), file)
    found = 0
    for row in rows:
        if not isinstance(row, RowError):
            found += 1
        yield row
    if not found:
        raise NoRecordsError(file, _EXPECTED)


# --- bytes to lines --------------------------------------------------------------------------


def _decoded_lines(data: bytes, encoding: str, skip: int) -> Iterator[str]:
    """Lines with their line ends, decoded one at a time so a large file is never copied whole."""
    if encoding.startswith("utf-16"):
        text = data[skip:].decode(encoding, errors="replace")
        yield from _split_keep_ends(text, "\n")
        return
    start = skip
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        yield data[start:end].decode(encoding, errors="replace")
        start = end


def _split_keep_ends(text: str, sep: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = text.find(sep, start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _sniff_encoding(data: bytes) -> tuple[str, int]:
    """The encoding of the whole file and the length of its byte-order mark."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    head = data[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and 0 not in head[0::2]:
        return "utf-16-le", 0
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and 0 not in head[1::2]:
        return "utf-16-be", 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for offset in range(0, len(data), _SCAN_CHUNK):
            decoder.decode(data[offset : offset + _SCAN_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


class _CountedLines:
    """A line iterator that knows how many physical lines it has handed out."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0

    def __iter__(self) -> _CountedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        # The csv module refuses NUL bytes outright; they carry nothing in a directory file.
        return line.replace("\x00", "")


# --- JSON ------------------------------------------------------------------------------------


def _iter_json_lines(lines: Iterator[str], file: str) -> Iterator[DirectoryRow]:
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        locator = f"line {number}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RowError(file, locator, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _from_object(value, file, locator)


def _iter_json_array(lines: Iterator[str], file: str) -> Iterator[DirectoryRow]:
    try:
        values = json.loads("".join(lines))
    except json.JSONDecodeError as exc:
        yield RowError(file, f"line {exc.lineno}", f"not valid JSON: {exc.msg}")
        return
    if not isinstance(values, list):
        yield RowError(file, "line 1", "expected a JSON array of objects")
        return
    for number, value in enumerate(values, start=1):
        yield _from_object(value, file, f"item {number}")


def _from_object(value: object, file: str, locator: str) -> DirectoryRow:
    if not isinstance(value, dict):
        return RowError(file, locator, f"expected a JSON object, found {_json_kind(value)}")
    try:
        kind = _object_kind(value)
        if kind == "company":
            return _company(value, locator)
        return _person(value, locator)
    except _Refused as exc:
        return RowError(file, locator, str(exc))


def _object_kind(row: Mapping[str, Any]) -> str:
    kind = row.get("type")
    if kind is None:
        if any(row.get(key) for key in _PERSON_KEYS):
            return "person"
        if row.get("name") or row.get("domains"):
            return "company"
        raise _Refused('no "type" and nothing telling a person from a company')
    if isinstance(kind, str) and kind.strip().lower() in ("company", "person"):
        return kind.strip().lower()
    raise _Refused(f'"type" must be "company" or "person", not {json.dumps(kind)}')


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else "a number"


# --- CSV -------------------------------------------------------------------------------------


def _iter_csv(lines: _CountedLines, file: str) -> Iterator[DirectoryRow]:
    header_line = next(lines)
    try:
        header = next(csv.reader([header_line], delimiter=_delimiter(header_line)), [])
    except csv.Error as exc:  # a lone carriage return inside the header line, say
        yield RowError(file, "line 1", f"unreadable CSV header: {exc}")
        return
    columns = [_CSV_ALIASES.get(name, name) for name in map(_column_name, header)]
    build: Callable[[dict[str, str], str], CompanyRecord | PersonRecord]
    if any(name in columns for name in ("first_name", "last_name", "full_name")):
        build = _person_from_csv
    elif "name" in columns:
        build = _company
    else:
        yield RowError(file, "line 1", "header names neither persons nor companies")
        return
    if "id" not in columns:
        yield RowError(file, "line 1", "header has no id column")
        return
    yield from _csv_rows(lines, file, columns, _delimiter(header_line), build)


def _csv_rows(
    lines: _CountedLines,
    file: str,
    columns: list[str],
    delimiter: str,
    build: Callable[[dict[str, str], str], CompanyRecord | PersonRecord],
) -> Iterator[DirectoryRow]:
    """The rows after the header. A quote that never closes, or a cell too long to read,
    costs its one row (reported on its line): reading starts again on the next line
    (formats/csvrows.py)."""
    header_lines = lines.count
    for line, cells, problem in csv_rows(
        "".join(lines), delimiter, len(columns), offset=header_lines
    ):
        if problem:
            yield RowError(file, f"line {line}", problem)
        elif any(cell.strip() for cell in cells):
            yield _csv_row(cells, columns, file, f"line {line}", build)


def _csv_row(
    cells: list[str],
    columns: list[str],
    file: str,
    locator: str,
    build: Callable[[dict[str, str], str], CompanyRecord | PersonRecord],
) -> DirectoryRow:
    if any(cell.strip() for cell in cells[len(columns) :]):
        return RowError(file, locator, f"{len(cells)} cells but the header has {len(columns)}")
    row = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
    try:
        return build(row, locator)
    except _Refused as exc:
        return RowError(file, locator, str(exc))


def _person_from_csv(row: dict[str, str], locator: str) -> PersonRecord:
    fields: dict[str, Any] = dict(row)
    jobs: list[Any] = []
    if row.get("company") or row.get("company_id"):
        jobs.append({key: row.get(key) for key in ("company", "company_id", "title", "start")})
        jobs[0]["company_domain"] = row.get("company_domain")
        jobs[0]["end"] = row.get("end")
    fields["employment"] = jobs + _json_cell(row, "employment_json")
    fields["education"] = _json_cell(row, "education_json")
    return _person(fields, locator)


def _json_cell(row: Mapping[str, str], column: str) -> list[Any]:
    cell = row.get(column, "")
    if not cell:
        return []
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as exc:
        raise _Refused(f"{column} is not valid JSON: {exc.msg}") from None
    if not isinstance(value, list):
        raise _Refused(f"{column} must be a JSON array")
    return value


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").lower())


# --- fields ----------------------------------------------------------------------------------


def _company(row: Mapping[str, Any], locator: str) -> CompanyRecord:
    name = _text(row, "name")
    if not name:
        raise _Refused("company without a name")
    return CompanyRecord(
        external_id=_external_id(row),
        name=name,
        domains=tuple(domain.lower() for domain in _texts(row, "domains")),
        size=_size(row.get("size")),
        industry=_text(row, "industry"),
        locator=locator,
    )


def _person(row: Mapping[str, Any], locator: str) -> PersonRecord:
    external_id = _external_id(row)
    first, last = _text(row, "first_name"), _text(row, "last_name")
    full = _text(row, "full_name") or _text(row, "name") or " ".join(filter(None, (first, last)))
    emails = _texts(row, "emails")
    if not (full or emails):
        raise _Refused("person without a name or an email")
    return PersonRecord(
        external_id=external_id,
        first_name=first,
        last_name=last,
        full_name=full,
        emails=emails,
        phones=_texts(row, "phones"),
        profile_url=_text(row, "profile_url"),
        # dict.fromkeys drops a job or school stated twice (a CSV row's job repeated in its JSON).
        employment=tuple(
            dict.fromkeys(_job(entry, number) for number, entry in _entries(row, "employment"))
        ),
        education=tuple(
            dict.fromkeys(_school(entry, number) for number, entry in _entries(row, "education"))
        ),
        locator=locator,
    )


def _entries(row: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    value = row.get(key)
    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise _Refused(f'"{key}" must be a list')
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise _Refused(f"{key} {number} must be an object")
        yield number, entry


def _job(entry: Mapping[str, Any], number: int) -> EmploymentRecord:
    company, company_id = _text(entry, "company"), _text(entry, "company_id")
    if not (company or company_id):
        raise _Refused(f"employment {number} has neither company nor company_id")
    start, end = _period(entry, f"employment {number}")
    return EmploymentRecord(
        company=company,
        company_id=company_id,
        title=_text(entry, "title"),
        start=start,
        end=end,
        company_domain=_text(entry, "company_domain").lower(),
    )


def _school(entry: Mapping[str, Any], number: int) -> EducationRecord:
    school = _text(entry, "school")
    if not school:
        raise _Refused(f"education {number} has no school")
    start, end = _period(entry, f"education {number}")
    return EducationRecord(school=school, degree=_text(entry, "degree"), start=start, end=end)


def _period(entry: Mapping[str, Any], where: str) -> tuple[date | None, date | None]:
    start = _date(entry.get("start"), where=f"{where} start", last_day=False)
    end = _date(entry.get("end"), where=f"{where} end", last_day=True)
    if start and end and end < start:
        raise _Refused(f"{where} ends ({end}) before it starts ({start})")
    return start, end


def _date(value: object, *, where: str, last_day: bool) -> date | None:
    """A date of precision year, month or day; an end of "2019" means the end of 2019."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _Refused(f"{where} must be a date text, not {json.dumps(value)}")
    text = value.strip()
    if last_day and text.lower() in _OPEN_END:
        return None
    match = _DATE.fullmatch(text)
    try:
        if not match:
            raise ValueError
        year = int(match[1])
        month = int(match[2] or (12 if last_day else 1))
        if match[3]:
            return date(year, month, int(match[3]))
        return date(year, month, calendar.monthrange(year, month)[1] if last_day else 1)
    except ValueError:
        raise _Refused(f"{where} {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None


def _external_id(row: Mapping[str, Any]) -> str:
    external_id = _text(row, "id")
    if not external_id:
        raise _Refused('missing "id"')
    return external_id


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Refused(f'"{key}" must be text, not {_json_kind(value)}')


def _texts(row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list field; a single text (CSV cells) holds its values separated by ";"."""
    value = row.get(key)
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _Refused(f'"{key}" must be a list of texts')
    return tuple(item.strip() for item in items if item.strip())


def _size(value: object) -> int | None:
    """Employees: a whole number; "51-200" reads as its middle, "10,001+" as 10001."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str):
        text = re.sub(r"[\s,_.']", "", value).rstrip("+")
        low, _, high = text.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            return (int(low) + int(high)) // 2 if high else int(low)
    raise _Refused(f'"size" must be a whole number of employees, not {json.dumps(value)}')
