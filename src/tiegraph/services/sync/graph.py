"""Microsoft Graph sync: contacts, calendar occurrences and mail metadata by delta queries, through
the same import and ingestion as address-book files, .ics files and mailboxes.

Cursor, per stream (contacts, calendar, each mail folder): `link`, the nextLink of the round in
progress or the deltaLink of the last complete one, saved in the transaction that writes the
page before it, so a crash resumes at the first page not committed; a 410 (delta token gone)
starts the stream again from the start, and what is read twice counts once (contacts by their
Graph id in `seen`, messages by Message-ID, meetings by fingerprint). The calendar reads a
window (a year back, a year ahead); occurrences still to come wait in `later` and are read
again, one by one, once they have started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from tiegraph.connectors.graph import GraphClient, SyncStateGone
from tiegraph.formats import graph as items
from tiegraph.services.sync.sources import SourceRun
from tiegraph.services.sync.streams import (
    StreamsReport,
    Write,
    any_new,
    due,
    midnight,
    owner_and_matching,
    state_of,
    write_contacts,
    write_meetings,
    write_messages,
)

SOURCE_FORMAT = "graph"
MAIL_FOLDERS = ("inbox", "sentitems")
WINDOW_AHEAD = timedelta(days=365)
RENEW_BEFORE = timedelta(days=30)  # a new calendar window this long before the old one ends
EVENT_FIELDS = "start,end,organizer,attendees,iCalUId,seriesMasterId,type,isCancelled"


def sync_graph(run: SourceRun) -> None:
    """Contacts, then calendar, then mail: each stream's new pages."""
    assert run.token is not None, "a graph source logs in with a connected account"
    report = StreamsReport(run.source.url, SOURCE_FORMAT)
    run.report = report
    with GraphClient(run.token, base_url=run.source.url, timeout=run.settings.timeout) as graph:
        try:
            _contacts(run, graph, report)
            _calendar(run, graph, report)
            for folder in MAIL_FOLDERS:
                _mail(run, graph, folder, report)
        finally:
            report.throttled_seconds = graph.waited


def _stream(
    run: SourceRun,
    graph: GraphClient,
    name: str,
    first: str,
    params: dict[str, str],
    write: Write,
    before: Callable[[list[dict[str, Any]]], None] = lambda _: None,
) -> None:
    state = state_of(run, name)
    link = state.get("link")
    try:
        _rounds(run, graph, state, write, before, link or first, None if link else params)
    except SyncStateGone:
        if not link:
            raise
        state.pop("link", None)  # everything again: what was taken is recognized
        _rounds(run, graph, state, write, before, first, params)


def _rounds(
    run: SourceRun,
    graph: GraphClient,
    state: dict[str, Any],
    write: Write,
    before: Callable[[list[dict[str, Any]]], None],
    url: str,
    params: dict[str, str] | None,
) -> None:
    for page in graph.pages(url, params):
        live = [i for i in page.items if "@removed" not in i]  # deleted upstream: kept here
        before(live)  # reads the store, if it must, before the write lock is taken
        with run.store.write() as conn:
            taken = write(conn, live)
            state["link"] = page.next_link or page.delta_link
            run.save(conn, taken=taken)


def _contacts(run: SourceRun, graph: GraphClient, report: StreamsReport) -> None:
    owner, matching = owner_and_matching(run)
    state = state_of(run, "contacts")

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        records = [(str(i.get("id")), items.contact_record(i, SOURCE_FORMAT)) for i in found]
        return write_contacts(conn, run, state, records, report.contacts, owner, matching)

    def before(found: list[dict[str, Any]]) -> None:
        if any_new(state, (str(i.get("id")) for i in found)):
            matching()

    url = graph.url("/me/contacts/delta()")
    _stream(run, graph, "contacts", url, {"$select": items.CONTACT_FIELDS}, write, before)


def _mail(run: SourceRun, graph: GraphClient, folder: str, report: StreamsReport) -> None:
    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        records = [items.message_headers(i, f"Graph {folder}") for i in found]
        return write_messages(conn, run, records, report.mail)

    url = graph.url(f"/me/mailFolders/{folder}/messages/delta()")
    _stream(run, graph, f"mail:{folder}", url, {"$select": items.MESSAGE_FIELDS}, write)


def _calendar(run: SourceRun, graph: GraphClient, report: StreamsReport) -> None:
    state = state_of(run, "calendar")
    later: dict[str, str] = state.setdefault("later", {})
    until = state.get("until")
    if until is None or datetime.fromisoformat(until) - RENEW_BEFORE <= run.now:
        state.pop("link", None)  # a new window; meetings read before are recognized
        state["until"] = midnight(run.now + WINDOW_AHEAD).isoformat()

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        live = [i for i in found if i.get("isCancelled") is not True]
        records = [(str(i.get("id")), items.event_record(i, "Graph calendar")) for i in live]
        write_meetings(conn, run, records, later, report.calendar)
        return len(found)

    start = midnight(run.now - run.settings.calendar_past)
    params = {"startDateTime": start.isoformat(), "endDateTime": state["until"]}
    _stream(run, graph, "calendar", graph.url("/me/calendarView/delta()"), params, write)
    for key in due(later, run.now):
        found = graph.get(graph.url(f"/me/events/{key}"), {"$select": EVENT_FIELDS})
        with run.store.write() as conn:
            write(conn, [found])
            later.pop(key, None)
            run.save(conn, taken=0)
