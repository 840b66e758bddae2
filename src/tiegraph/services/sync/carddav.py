"""CardDAV sync: only cards new since the last sync, through the same import as address-book files.

Cursor, per address book: the sync token (RFC 6578) when the server offers one, and the keys
of every href already taken. A card edited or deleted upstream changes nothing here; a new
one is imported once, in the same transaction that adds its href to the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tiegraph.connectors.carddav import ADDRESS_BOOK
from tiegraph.connectors.webdav import Collection, DavClient, Fetched, InvalidSyncToken
from tiegraph.errors import NotFoundError
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.services.contacts.importer import (
    Matching,
    SourceReport,
    import_contact_records,
    load_matching,
)
from tiegraph.services.org.members import Member, find_member
from tiegraph.services.sync.source_run import SourceRun, chunked, cursor_key

SOURCE_FORMAT = "carddav"


def sync_contacts(run: SourceRun) -> None:
    """Take the new cards of every address book at the source's URL."""
    report = SourceReport(run.source.url, SOURCE_FORMAT)
    run.report = report
    with run.store.read() as conn:
        owner = find_member(conn, run.org, run.source.member_email)
    if owner is None:
        raise NotFoundError(f"member {run.source.member_email} is gone")
    matching: list[Matching] = []  # the directory's index, loaded once there is a new card

    def loaded() -> Matching:
        if not matching:
            matching.append(load_matching(run.store, run.org))
        return matching[0]

    with DavClient(
        run.source.url,
        run.source.username,
        run.password,
        timeout=run.settings.timeout,
        token=run.token,
    ) as dav:
        for collection in dav.collections(ADDRESS_BOOK):
            _sync_book(run, dav, collection, owner, loaded, report)


def _sync_book(
    run: SourceRun,
    dav: DavClient,
    collection: Collection,
    owner: Member,
    matching: Callable[[], Matching],
    report: SourceReport,
) -> None:
    books: dict[str, Any] = run.cursor.setdefault("collections", {})
    state: dict[str, Any] = books.setdefault(collection.href, {})
    seen = set(state.get("seen", ()))
    hrefs, token = _candidates(dav, collection, state.get("token"))
    new = [h for h in dict.fromkeys(hrefs) if cursor_key(h) not in seen]
    done, complete = 0, True
    for chunk in chunked(new, run.settings.dav_batch):
        fetched = dav.fetch(collection, ADDRESS_BOOK, chunk)
        # One the server left out is asked again next time: the token must not pass it by.
        complete = complete and {f.href for f in fetched} >= set(chunk)
        records = _records(fetched)
        index = matching()  # read before the write transaction: SQLite has one writer
        with run.store.write() as conn:
            import_contact_records(conn, run.org, owner, records, report, index)
            # A card deleted before it could be read is gone: it is taken as seen too.
            seen.update(cursor_key(item.href) for item in fetched)
            state["seen"] = sorted(seen)
            run.save(conn, taken=len(records))
        report.attempted += len(records)
        done += len(chunk)
        run.progress(f"CardDAV {collection.href}", done, len(new))
    if complete and token != state.get("token"):
        state["token"] = token
        with run.store.write() as conn:
            run.save(conn, taken=0)  # every change the token covers is committed


def _candidates(
    dav: DavClient, collection: Collection, token: str | None
) -> tuple[list[str], str | None]:
    """Hrefs that may be new, and the token to save once they are taken."""
    if collection.sync_token is None:
        return [r.href for r in dav.listing(collection)], None
    try:
        changes = dav.changes(collection, token)
    except InvalidSyncToken:
        changes = dav.changes(collection, None)  # the seen hrefs keep this from doubling
    return [r.href for r in changes.changed], changes.token


def _records(fetched: Sequence[Fetched]) -> list[ContactRecord | RowError]:
    records: list[ContactRecord | RowError] = []
    for item in fetched:
        if item.data is None:
            continue
        try:
            found = read_contacts(item.data, file=item.href, format="vcard")
        except NoRecordsError:
            records.append(RowError(item.href, "card", "not a vCard"))
            continue
        for record in found.records:
            if isinstance(record, ContactRecord):
                record = record._replace(source_format=SOURCE_FORMAT)
            records.append(record)
    return records
