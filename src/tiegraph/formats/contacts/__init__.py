"""Address-book exports (LinkedIn, Google, Outlook, vCard, any CSV) as contact records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tiegraph.formats.contacts.csvbooks import read_csv_book
from tiegraph.formats.contacts.headers import FIELDS
from tiegraph.formats.contacts.vcard import is_vcard, read_vcards
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.formats.text import decode

__all__ = ["FORMATS", "ContactFile", "read_contacts"]

FORMATS = ("auto", "linkedin", "google", "outlook", "vcard", "csv")


@dataclass(frozen=True, slots=True)
class ContactFile:
    format: str  # linkedin | google | outlook | vcard | csv: the one detected (or asked for)
    records: list[ContactRecord | RowError]  # in file order
    attempted: int  # contact records in the file, good and rejected; never headers or blanks


def _check(format: str, column_map: Mapping[str, str] | None) -> None:
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
    _check(format, column_map)
    if format in ("auto", "vcard") and is_vcard(data):
        records = read_vcards(data, file=file)
        if records:
            return ContactFile("vcard", records, len(records))
    elif format != "vcard":
        book = read_csv_book(decode(data).text, file=file, format=format, column_map=column_map)
        if book is not None and book.records:
            return ContactFile(book.format, book.records, book.attempted)
    raise NoRecordsError(file, "contacts")
