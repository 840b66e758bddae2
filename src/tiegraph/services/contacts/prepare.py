"""A contact record made ready for planning: what needs no address book, worked out up front.

Its key (to find it again on re-import), its name, company, emails and phones normalized, its
matching keys, the row a new contact of it gets and its contact_source row: all pure functions
of the record, the directory's companies and the phone region. So a large file is prepared in
a second process (`read_prepared`, started by services/readahead.py) while this one plans what
was prepared already (plan.py), which only looks things up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tiegraph.core.companies import CompanyIndex, normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.core.match_keys import ContactKeys, KeyCache
from tiegraph.core.names import last_name_key, normalize_name_part, split_full_name
from tiegraph.core.phones import normalize_phone
from tiegraph.formats.contacts import csv_stream
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError

__all__ = [
    "NEW_COLUMNS",
    "KnownRecord",
    "PreparedRecord",
    "Preparer",
    "from_plain",
    "prepared",
    "read_prepared",
    "record_key",
]

# What a new contact's row holds from its first record (PreparedRecord.row), in this order.
NEW_COLUMNS = (
    "first_name", "last_name", "full_name", "company", "title", "profile_url", "connected_on",
)  # fmt: skip


def _json_encoder(*, ensure_ascii: bool) -> Callable[[Any], str]:
    """json.dumps with its default separators, for strings, lists and None: the C encoder is
    made once, not on every call (which took half the time of encoding a record's fields)."""
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator here
        return json.JSONEncoder(ensure_ascii=ensure_ascii).encode
    escape = (
        json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    )
    encode = make(None, None, escape, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


# json.dumps(..., ensure_ascii=False) of a record's fields, and json.dumps as the JSON column
# type writes them.
_KEY_JSON = _json_encoder(ensure_ascii=False)
_COLUMN_JSON = _json_encoder(ensure_ascii=True)


class PreparedRecord(NamedTuple):
    """One record as the planner reads it (a tuple: cheap to send between processes)."""

    key: str  # record_key
    first_raw: str  # the names as written (from the full name when only that is given)
    last_raw: str
    first: str  # normalized: which contacts of the book have its name
    last: str
    company: str  # normalize_company of the company as written
    emails: tuple[str, ...]  # normalized, each once, in the record's order
    phones: tuple[str, ...]  # E.164, each once, in the record's order
    keys: ContactKeys  # what it is matched on, with its own emails and phones
    written: tuple[str, str, str, str]  # company, full name, profile URL, title as written
    row: tuple[Any, ...]  # a new contact's NEW_COLUMNS (plan.py)
    source: tuple[Any, ...]  # its contact_source row after owner and contact (writes.py)


def record_key(record: ContactRecord) -> str:
    """A hash of what the record says (not where it sits), so re-imports find it again."""
    fields = [
        record.source_format,
        record.first_name,
        record.last_name,
        record.full_name,
        record.middle_name,
        record.nickname,
        sorted(record.emails),
        sorted(record.phones),
        record.company,
        record.title,
        record.profile_url,
        str(record.connected_on or ""),
        record.source_uid,
    ]
    return hashlib.sha256(_KEY_JSON(fields).encode()).hexdigest()


class Preparer:
    """Prepares records with the directory's companies and a phone region; each distinct
    name, company, domain and file name is worked out once."""

    def __init__(self, companies: CompanyIndex, region: str) -> None:
        # The record's emails are normalized before its keys are made.
        self.keys = KeyCache(companies, normalized=True)
        self.region = region
        self._file_names: dict[str, str] = {}

    def prepare(self, record: ContactRecord, key: str) -> PreparedRecord:
        """The record (whose `record_key` is `key`) prepared."""
        first_raw, last_raw = record.first_name, record.last_name
        if not (first_raw or last_raw) and record.full_name:
            first_raw, last_raw = split_full_name(record.full_name)
        emails = tuple(dict.fromkeys(e for e in map(normalize_email, record.emails) if e))
        phones = tuple(
            dict.fromkeys(p for x in record.phones if (p := normalize_phone(x, self.region)))
        )
        written = (record.company, record.full_name, record.profile_url, record.title)
        full = record.full_name or " ".join(x for x in (first_raw, last_raw) if x)
        row = (
            first_raw, last_raw, full, record.company, record.title, record.profile_url,
            record.connected_on,
        )  # fmt: skip
        return PreparedRecord(
            key,
            first_raw,
            last_raw,
            normalize_name_part(first_raw),
            last_name_key(last_raw),
            normalize_company(record.company),
            emails,
            phones,
            self.contact_keys(first_raw, last_raw, emails, phones, written),
            written,
            row,
            self._source(record, key),
        )

    def contact_keys(
        self,
        first: str,
        last: str,
        emails: Iterable[str],
        phones: Iterable[str],
        written: tuple[str, str, str, str],
        *,
        domains: Collection[str] = (),
    ) -> ContactKeys:
        """What a record (its names and `written`) is matched on with these emails and phones
        (`domains`: see ContactKeys)."""
        company, full_name, profile_url, title = written
        return self.keys.contact(
            first,
            last,
            emails,
            [company] if company else [],
            full_name=full_name,
            phones=sorted(phones),
            profiles=[profile_url] if profile_url else (),
            title=title,
            domains=domains,
        )

    def _source(self, record: ContactRecord, key: str) -> tuple[Any, ...]:
        """The contact_source row of the record (after its owner and contact)."""
        file_name = self._file_names.get(record.file)
        if file_name is None:
            file_name = self._file_names[record.file] = Path(record.file).name
        said = {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "full_name": record.full_name,
            "emails": list(record.emails),
            "phones": list(record.phones),
            "company": record.company,
            "title": record.title,
            "profile_url": record.profile_url,
            "connected_on": record.connected_on.isoformat() if record.connected_on else None,
        }
        return record.source_format, file_name, record.locator, key, _COLUMN_JSON(said)


class KnownRecord(NamedTuple):
    """A record the member imported before, left unprepared: an import only counts it."""

    key: str


def prepared(
    records: Iterable[ContactRecord | RowError],
    preparer: Preparer,
    known: Container[str] = frozenset(),
) -> Iterator[PreparedRecord | KnownRecord | RowError]:
    """Each record prepared, those whose key is `known` only keyed, rejected rows as they are."""
    prepare = preparer.prepare
    for record in records:
        if isinstance(record, ContactRecord):
            bad = _field_with_nul(record)
            if bad:
                yield RowError(record.file, record.locator, _NUL_REASON.format(bad))
                continue
            key = record_key(record)
            yield KnownRecord(key) if key in known else prepare(record, key)
        else:
            yield record


# PostgreSQL refuses a NUL in text (and SQLite would cut a value at it in some functions): a
# row holding one is refused alone, never the file with it.
_NUL_REASON = "its {} holds a NUL character (0x00), which is no text: fix the file or drop the row"


def _field_with_nul(record: ContactRecord) -> str | None:
    """The name of a field of the record holding a NUL character, or None (the usual case,
    told from one scan of all the text)."""
    if "\x00" not in "".join(map(_text, record)):
        return None
    fields = zip(record._fields, record, strict=True)
    return next((name.replace("_", " ") for name, v in fields if "\x00" in _text(v)), None)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "".join(value) if isinstance(value, tuple) else ""


def read_prepared(
    path: Path,
    format: str,
    column_map: Mapping[str, str] | None,
    region: str,
    companies: bytes,
    known: frozenset[str],
) -> Iterator[Any]:
    """An address-book file's records prepared as they are read (run in a second process).

    First its format, then every record (prepared, as plain tuples: `from_plain`; only its key,
    a string, when it is `known`) or rejected row in file order, then the number of records;
    ("none", message) instead when the file holds no contacts.
    """
    try:
        stream = csv_stream(path.read_bytes(), file=str(path), format=format, column_map=column_map)
    except NoRecordsError as exc:
        yield ("none", str(exc))
        return
    yield stream.format
    count = 0
    preparer = Preparer(CompanyIndex.from_bytes(companies), region)
    for item in prepared(stream.records, preparer, known):
        count += 1
        if isinstance(item, PreparedRecord):
            yield _plain(item)
        else:
            yield item.key if isinstance(item, KnownRecord) else item
    yield count


def _plain(record: PreparedRecord) -> tuple[Any, ...]:
    """A prepared record as plain tuples: pickled and unpickled in a third of the time of the
    named tuples (whose pickling calls back into Python for each)."""
    return (*record[:8], tuple(record.keys), *record[9:])


def from_plain(values: tuple[Any, ...]) -> PreparedRecord:
    """The prepared record `read_prepared` sent as plain tuples."""
    return PreparedRecord._make((*values[:8], ContactKeys(*values[8]), *values[9:]))
