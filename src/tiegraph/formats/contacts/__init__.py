"""Address-book exports (LinkedIn, Google, Outlook, vCard, any CSV) as contact records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain

from tiegraph.formats.contacts.csvbooks import csv_book_records, read_csv_book
from tiegraph.formats.contacts.headers import FIELDS
from tiegraph.formats.contacts.vcard import is_vcard, read_vcards
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.formats.text import decode

__all__ = [
    "FORMATS",
    "ContactFile",
    "ContactStream",
    "check_options",
    "csv_stream",
    "read_contacts",
]

FORMATS = ("auto", "linkedin", "google", "outlook", "vcard", "csv")


@dataclass(frozen=True, slots=True)
class ContactFile:
    format: str  # linkedin | google | outlook | vcard | csv: the one detected (or asked for)
    records: list[ContactRecord | RowError]  # in file order
    attempted: int  # contact records in the file, good and rejected; never headers or blanks


@dataclass(frozen=True, slots=True)
class ContactStream:
    format: str  # as ContactFile's
    records: Iterator[ContactRecord | RowError]  # in file order, read as they are taken


def check_options(format: str, column_map: Mapping[str, str] | None) -> None:
    """ValueError for an unknown format or --map field (what read_contacts checks first)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    for column, field in (column_map or {}).items():
        if field not in FIELDS:
            raise ValueError(
                f"--map {column}={field}: unknown field {field!r}; fields: {', '.join(FIELDS)}"
            )


def read_contacts(
    data: bytes,
    *,
    file: str,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
) -> ContactFile:
    """Read one exported address book, whatever its format and encoding.

    The format comes from the content, never the file name. A bad record becomes a RowError
    with its line or card number and everything around it is kept. Raises NoRecordsError when
    the file holds no contacts at all, ValueError for an unknown format or --map field.
    """
    check_options(format, column_map)
    if format in ("auto", "vcard") and is_vcard(data):
        records = read_vcards(data, file=file)
        if records:
            return ContactFile("vcard", records, len(records))
    elif format != "vcard":
        book = read_csv_book(decode(data).text, file=file, format=format, column_map=column_map)
        if book is not None and book.records:
            return ContactFile(book.format, book.records, book.attempted)
    raise NoRecordsError(file, "contacts")


def csv_stream(
    data: bytes,
    *,
    file: str,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
) -> ContactStream:
    """A CSV address book's records as `read_contacts` reads them, one at a time: for a large
    file, whose records are handled while it is still being read. Not for vCard files.

    Raises NoRecordsError (before returning) when the file holds no contacts, ValueError as
    `read_contacts` does.
    """
    check_options(format, column_map)
    found = csv_book_records(decode(data).text, file=file, format=format, column_map=column_map)
    first = next(found[1], None) if found is not None else None
    if found is None or first is None:
        raise NoRecordsError(file, "contacts")
    return ContactStream(found[0], chain([first], found[1]))
