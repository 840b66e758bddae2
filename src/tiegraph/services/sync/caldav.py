"""CalDAV sync: new and changed events inside the window become meetings, as .ics files do.

Cursor, per calendar: the sync token (RFC 6578), or the ETag key of every href when the
server offers no token; and `later`, the events with occurrences still to come, each with the
start of the next one: they are read again once it has passed. An event changed upstream
replaces the interactions it made before (its fingerprint changed), never doubles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tiegraph.connectors.caldav import CALENDAR
from tiegraph.connectors.webdav import Collection, DavClient, Fetched, InvalidSyncToken, Resource
from tiegraph.formats.calendar import read_events
from tiegraph.formats.records import EventRecord, RowError
from tiegraph.services.activity.ingest import IngestReport, write_events
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Resolver
from tiegraph.services.sync.sources import SourceRun, chunked, cursor_key

# How far ahead an event's next occurrence is looked for; a meeting planned later than this
# is taken when it is next edited.
HORIZON = timedelta(days=5 * 366)


def sync_calendar(run: SourceRun) -> None:
    """Read the new and changed events of every calendar at the source's URL."""
    report = IngestReport("calendar")
    run.report = report
    with DavClient(
        run.source.url, run.source.username, run.password, timeout=run.settings.timeout
    ) as dav:
        for collection in dav.collections(CALENDAR):
            _sync_calendar(run, dav, collection, report)


def _sync_calendar(
    run: SourceRun, dav: DavClient, collection: Collection, report: IngestReport
) -> None:
    calendars: dict[str, Any] = run.cursor.setdefault("collections", {})
    state: dict[str, Any] = calendars.setdefault(collection.href, {})
    later: dict[str, str] = state.setdefault("later", {})
    etags: dict[str, str] | None = None
    if collection.sync_token is None:
        etags = state.setdefault("etags", {})
        listing = dav.listing(collection)
        changed = [r for r in listing if etags.get(cursor_key(r.href)) != cursor_key(r.etag)]
        token = None
    else:
        changed, token = _changes(dav, collection, state.get("token"))
    hrefs = list(dict.fromkeys(r.href for r in changed))
    hrefs += [h for h, at in later.items() if datetime.fromisoformat(at) <= run.now]
    hrefs = list(dict.fromkeys(hrefs))
    done, complete = 0, True
    for chunk in chunked(hrefs, run.settings.dav_batch):
        fetched = dav.fetch(collection, CALENDAR, chunk)
        # One the server left out is asked again next time: the token must not pass it by.
        complete = complete and {f.href for f in fetched} >= set(chunk)
        records = _occurrences(run, fetched, later, report)
        with run.store.write() as conn:
            resolver = Resolver(conn, run.org)
            ties = TieUpdater(conn, run.org)
            write_events(conn, run.org, resolver, ties, records, report)
            report.settle(resolver, ties)
            if etags is not None:
                etags.update((cursor_key(f.href), cursor_key(f.etag)) for f in fetched if f.data)
            run.save(conn, taken=sum(1 for f in fetched if f.data is not None))
        done += len(chunk)
        run.progress(f"CalDAV {collection.href}", done, len(hrefs))
    if complete and token != state.get("token"):
        state["token"] = token
        with run.store.write() as conn:
            run.save(conn, taken=0)  # every change the token covers is committed


def _changes(
    dav: DavClient, collection: Collection, token: str | None
) -> tuple[list[Resource], str]:
    try:
        changes = dav.changes(collection, token)
    except InvalidSyncToken:
        # Everything again: meetings already stored are duplicates, edited ones replace theirs.
        changes = dav.changes(collection, None)
    return changes.changed, changes.token


def _occurrences(
    run: SourceRun, fetched: Sequence[Fetched], later: dict[str, str], report: IngestReport
) -> list[EventRecord | RowError]:
    """Occurrences that have started, inside the window; `later` learns what is still to come.
    The report's tally counts the events read, those without an occurrence in the window and
    the unreadable ones, as a file's ingest does; an event whose occurrences are all still to
    come is skipped for that reason (until it has started)."""
    start = run.now - run.settings.calendar_past
    records: list[EventRecord | RowError] = []
    for item in fetched:
        later.pop(item.href, None)
        if item.data is None:
            continue  # deleted upstream: what it brought stays
        events = read_events(
            item.data,
            file=item.href,
            window_start=start,
            window_end=run.now + HORIZON,
            tally=report.events.tally,
        )
        for record in events:
            if isinstance(record, EventRecord) and record.start >= run.now:
                # One UID per CalDAV resource (RFC 4791 §4.1), its occurrences in order:
                # the first one still to come is where this event is read again.
                later[item.href] = record.start.isoformat()
                report.events.still_to_come(record)
                break
            records.append(record)
    return records
