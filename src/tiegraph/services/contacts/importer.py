"""Contact import: one contact per real person across sources, matched or kept private."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.matching import collector_paused
from tiegraph.errors import InvalidInputError
from tiegraph.formats.contacts import ContactFile, check_options, read_contacts
from tiegraph.formats.contacts.vcard import is_vcard
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.services.contacts.book_import import FileImport
from tiegraph.services.contacts.prepare import (
    KnownRecord,
    PreparedRecord,
    Preparer,
    from_plain,
    prepared,
    read_prepared,
    record_key,
)
from tiegraph.services.contacts.report import ContactImportReport, SourceReport
from tiegraph.services.directory.index import Matching, load_matching, saved_companies
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.readahead import ReadAhead
from tiegraph.store import Store
from tiegraph.store.schema import contact_source

__all__ = [
    "ContactImportReport",
    "Matching",
    "SourceReport",
    "import_contact_records",
    "import_contacts",
    "load_matching",
    "record_key",
]

# A CSV file this large is read in a second process: starting one takes about 0.2 s, reading and
# preparing 100,000 rows (11 MB) about 2.5 s (bench/bench_import.py).
READ_AHEAD_BYTES = 1 << 20


def _import_records(
    conn: Connection,
    org: Org,
    owner: Member,
    records: Iterable[PreparedRecord | KnownRecord | RowError],
    report: SourceReport,
    matching: Matching,
    preparer: Preparer,
) -> None:
    """Plan the records in memory, write the plan, publish what contact sync shares: all in
    the caller's transaction."""
    with collector_paused():
        job = FileImport(conn, org, owner, report, matching, preparer)
        job.plan(conn, records)
        job.write(conn)
        job.count()


def _import_file(
    store: Store,
    org: Org,
    owner: Member,
    records: Iterable[PreparedRecord | KnownRecord | RowError],
    report: SourceReport,
    matching: Matching,
    preparer: Preparer,
) -> None:
    """Import one file in transactions of about a second each (Store.transactions), so that
    other writers get the store in between; a rerun after a crash completes it."""
    with collector_paused():
        job: FileImport | None = None
        for conn, turn in store.transactions(records, bulk=True):
            job = job or FileImport(conn, org, owner, report, matching, preparer)
            job.plan(conn, turn)
            job.write(conn)
        assert job is not None  # one transaction at least
        job.count()


def import_contacts(
    store: Store,
    org: Org,
    owner: Member,
    files: Sequence[Path],
    *,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
    region: str = "US",
    progress: ProgressCallback = no_progress,
    read_ahead_bytes: int = READ_AHEAD_BYTES,
) -> ContactImportReport:
    """Import address-book files for one member, each in transactions of about a second
    (see _import_file): another import or a `member set` writes in between.

    A file that cannot be read or holds no contacts is refused (in the report) and the others
    are imported; InvalidInputError when every file is refused. A CSV file of at least
    `read_ahead_bytes` is read and prepared in a second process while this one plans and
    writes (services/contacts/prepare.py).
    """
    check_options(format, column_map)
    report = ContactImportReport()
    books: list[ContactFile | bytes] = []
    readable: list[Path] = []
    for path in files:
        try:
            data = path.read_bytes()
            large = len(data) >= read_ahead_bytes and format != "vcard" and not is_vcard(data)
            books.append(data if large else _read(data, path, format, column_map))
        except OSError as exc:
            report.refused.append(RowError(str(path), "file", f"cannot read: {exc.strerror}"))
            continue
        except InvalidInputError as exc:
            report.refused.append(RowError(str(path), "file", _without_file(str(exc), path)))
            continue
        readable.append(path)
    asked, files = list(files), readable
    ahead = [path for path, book in zip(files, books, strict=True) if isinstance(book, bytes)]
    # Records imported before are left unprepared by the readers: a re-import only counts them.
    known = _imported_keys(store, org, owner) if ahead else frozenset()
    options = (format, dict(column_map or {}), region)
    matching, streams = _load_reading(store, org, ahead, options, known, progress)
    streams.reverse()
    preparer = Preparer(matching.companies, region)
    for number, (path, book) in enumerate(zip(files, books, strict=True), start=1):
        if isinstance(book, ContactFile):
            source = SourceReport(str(path), book.format, book.attempted)
            records: Iterable[PreparedRecord | KnownRecord | RowError] = prepared(
                book.records, preparer
            )
        else:
            read = streams.pop()
            if isinstance(read, str):
                report.refused.append(RowError(str(path), "file", _without_file(read, path)))
                continue
            source = SourceReport(str(path), read[0])
            records = _until_count(read[1], source)
        _import_file(store, org, owner, records, source, matching, preparer)
        report.sources.append(source)
        progress("Contacts", number, len(files))
    store.analyze_after(sum(s.imported for s in report.sources))
    report.refused.sort(key=lambda r: asked.index(Path(r.file)))
    if not report.sources:
        raise InvalidInputError("; ".join(f"{r.file}: {r.reason}" for r in report.refused))
    return report


def _read(
    data: bytes, path: Path, format: str, column_map: Mapping[str, str] | None
) -> ContactFile:
    try:
        return read_contacts(data, file=str(path), format=format, column_map=column_map)
    except NoRecordsError as exc:
        raise InvalidInputError(str(exc)) from None


def _load_reading(
    store: Store,
    org: Org,
    paths: list[Path],
    options: tuple[Any, ...],
    known: frozenset[str],
    progress: ProgressCallback,
) -> tuple[Matching, list[tuple[str, Iterator[Any]] | str]]:
    """The matching index, and the format and prepared records of each file at `paths`, read
    in a second process each. When the index's companies are saved, the readers start before
    the index loads (and start again if the directory changed in between)."""
    companies = saved_companies(store, org) if paths else None
    readers = [
        ReadAhead(read_prepared, path, *options, companies, known) for path in paths if companies
    ]
    try:
        progress("Matching index", 0, 1)
        matching = load_matching(store, org)  # saved by the last directory change, or built
        progress("Matching index", 1, 1)
        if paths and companies != (loaded := matching.companies.to_bytes()):
            for reader in readers:
                reader.close()
            readers = [ReadAhead(read_prepared, path, *options, loaded, known) for path in paths]
        return matching, [_first(reader) for reader in readers]
    except BaseException:
        for reader in readers:
            reader.close()
        raise


def _imported_keys(store: Store, org: Org, owner: Member) -> frozenset[str]:
    """The keys of every record the member imported before."""
    with store.read() as conn:
        return frozenset(
            conn.execute(
                select(contact_source.c.record_key).where(
                    contact_source.c.org_id == org.id, contact_source.c.member_id == owner.id
                )
            ).scalars()
        )


def _without_file(message: str, path: Path) -> str:
    """A reader's message without the file name it starts with (the report names the file)."""
    return message.removeprefix(f"{path}: ")


def _first(reader: ReadAhead[Any]) -> tuple[str, Iterator[Any]] | str:
    """The format of a file read ahead and the rest of what its reader sends, or why the file
    holds no contacts."""
    stream = iter(reader)
    first = next(stream)
    if isinstance(first, tuple):  # ("none", message), and the child is done
        return str(first[1])
    return first, stream


def _until_count(
    items: Iterator[Any], report: SourceReport
) -> Iterator[PreparedRecord | KnownRecord | RowError]:
    """The prepared records of a file read ahead; its count of records (last) goes to `report`."""
    for item in items:
        if isinstance(item, tuple):
            yield from_plain(item)
        elif isinstance(item, str):
            yield KnownRecord(item)
        elif isinstance(item, int):
            report.attempted = item
            return
        else:
            yield item  # a rejected row


def import_contact_records(
    conn: Connection,
    org: Org,
    owner: Member,
    records: Sequence[ContactRecord | RowError],
    report: SourceReport,
    matching: Matching,
    region: str = "US",
) -> None:
    """Import records already read (e.g. cards from CardDAV) in the caller's transaction.

    The same pipeline as files: merged into the member's contacts, matched or kept private.
    """
    preparer = Preparer(matching.companies, region)
    _import_records(conn, org, owner, prepared(records, preparer), report, matching, preparer)
