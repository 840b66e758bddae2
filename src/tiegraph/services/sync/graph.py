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
from tiegraph.errors import NotFoundError
from tiegraph.formats import graph as items
from tiegraph.formats.records import ContactRecord, EventRecord, MessageHeaders, RowError
from tiegraph.services.activity.ingest import IngestReport, write_events, write_mail
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Resolver
from tiegraph.services.contacts.importer import SourceReport, import_contact_records, load_matching
from tiegraph.services.org.members import find_member
from tiegraph.services.sync.sources import SourceRun, cursor_key

SOURCE_FORMAT = "graph"
MAIL_FOLDERS = ("inbox", "sentitems")
WINDOW_AHEAD = timedelta(days=365)
RENEW_BEFORE = timedelta(days=30)  # a new calendar window this long before the old one ends
EVENT_FIELDS = "start,end,organizer,attendees,iCalUId,seriesMasterId,type,isCancelled"
Write = Callable[[Connection, list[dict[str, Any]]], int]


class GraphReport:
    """A Graph run's reports: contacts (as an address book) and activity (mail and meetings)."""

    def __init__(self, url: str) -> None:
        self.contacts = SourceReport(url, SOURCE_FORMAT)
        self.mail = IngestReport("mail")
        self.calendar = IngestReport("calendar")
        self.throttled_seconds = 0.0

    def summary(self) -> str:
        parts = [
            f"contacts: {self.contacts.summary()}",
            f"mail: {self.mail.summary()}",
            f"calendar: {self.calendar.summary()}",
        ]
        if self.throttled_seconds:
            parts.append(f"waited {self.throttled_seconds:g} s for throttling")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts.as_dict(),
            "mail": self.mail.as_dict(),
            "calendar": self.calendar.as_dict(),
            "throttled_seconds": self.throttled_seconds,
        }


def sync_graph(run: SourceRun, sleep: Callable[[float], None] | None = None) -> None:
    """Contacts, then calendar, then mail: each stream's new pages."""
    assert run.token is not None, "a graph source logs in with a connected account"
    report = GraphReport(run.source.url)
    run.report = report
    options = {"sleep": sleep} if sleep else {}
    with GraphClient(
        run.token, base_url=run.source.url, timeout=run.settings.timeout, **options
    ) as graph:
        try:
            _contacts(run, graph, report.contacts)
            _calendar(run, graph, report.calendar)
            for folder in MAIL_FOLDERS:
                _mail(run, graph, folder, report.mail)
        finally:
            report.throttled_seconds = graph.waited


def _stream(
    run: SourceRun, graph: GraphClient, name: str, first: str, params: dict[str, str], write: Write
) -> None:
    state: dict[str, Any] = run.cursor.setdefault("streams", {}).setdefault(name, {})
    try:
        _rounds(
            run,
            graph,
            state,
            write,
            state.get("link") or first,
            None if state.get("link") else params,
        )
    except SyncStateGone:
        if not state.get("link"):
            raise
        state.pop("link", None)  # everything again: what was taken is recognized
        _rounds(run, graph, state, write, first, params)


def _rounds(
    run: SourceRun,
    graph: GraphClient,
    state: dict[str, Any],
    write: Write,
    url: str,
    params: dict[str, str] | None,
) -> None:
    for page in graph.pages(url, params):
        live = [i for i in page.items if "@removed" not in i]  # deleted upstream: kept here
        with run.store.write() as conn:
            taken = write(conn, live)
            state["link"] = page.next_link or page.delta_link
            run.save(conn, taken=taken)


def _contacts(run: SourceRun, graph: GraphClient, report: SourceReport) -> None:
    with run.store.read() as conn:
        owner = find_member(conn, run.org, run.source.member_email)
    if owner is None:
        raise NotFoundError(f"member {run.source.member_email} is gone")
    state = run.cursor.setdefault("streams", {}).setdefault("contacts", {})
    matching = load_matching(run.store, run.org)

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        seen = set(state.get("seen", ()))
        new = [i for i in found if cursor_key(str(i.get("id"))) not in seen]
        records: list[ContactRecord | RowError] = [
            items.contact_record(i, SOURCE_FORMAT) for i in new
        ]
        import_contact_records(conn, run.org, owner, records, report, matching)
        report.attempted += len(records)
        state["seen"] = sorted(seen | {cursor_key(str(i.get("id"))) for i in new})
        return len(records)

    url = graph.url("/me/contacts/delta()")
    _stream(run, graph, "contacts", url, {"$select": items.CONTACT_FIELDS}, write)


def _mail(run: SourceRun, graph: GraphClient, folder: str, report: IngestReport) -> None:
    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        records: list[MessageHeaders | RowError] = [
            items.message_headers(i, f"Graph {folder}") for i in found
        ]
        _ingest(conn, run, report, lambda r, t: write_mail(conn, run.org, r, t, records, report))
        return len(records)

    url = graph.url(f"/me/mailFolders/{folder}/messages/delta()")
    _stream(run, graph, f"mail:{folder}", url, {"$select": items.MESSAGE_FIELDS}, write)


def _calendar(run: SourceRun, graph: GraphClient, report: IngestReport) -> None:
    state: dict[str, Any] = run.cursor.setdefault("streams", {}).setdefault("calendar", {})
    later: dict[str, str] = state.setdefault("later", {})
    until = state.get("until")
    if until is None or datetime.fromisoformat(until) - RENEW_BEFORE <= run.now:
        state.pop("link", None)  # a new window; meetings read before are recognized
        state["until"] = _midnight(run.now + WINDOW_AHEAD).isoformat()
    start = _midnight(run.now - run.settings.calendar_past)

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        records = _started(run, found, later)
        _ingest(conn, run, report, lambda r, t: write_events(conn, run.org, r, t, records, report))
        return len(found)

    params = {"startDateTime": start.isoformat(), "endDateTime": state["until"]}
    _stream(run, graph, "calendar", graph.url("/me/calendarView/delta()"), params, write)
    due = [key for key, at in later.items() if datetime.fromisoformat(at) <= run.now]
    for key in due:
        found = graph.get(graph.url(f"/me/events/{key}"), {"$select": EVENT_FIELDS})
        with run.store.write() as conn:
            write(conn, [found])
            later.pop(key, None)
            run.save(conn, taken=0)


def _midnight(moment: datetime) -> datetime:
    """Windows start and end on a day: two runs of one day ask for the same window."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _started(
    run: SourceRun, found: list[dict[str, Any]], later: dict[str, str]
) -> list[EventRecord | RowError]:
    records: list[EventRecord | RowError] = []
    for item in found:
        if item.get("isCancelled") is True:
            continue
        record = items.event_record(item, "Graph calendar")
        if isinstance(record, EventRecord) and record.start >= run.now:
            later[str(item.get("id"))] = record.start.isoformat()
            continue
        later.pop(str(item.get("id")), None)
        records.append(record)
    return records


def _ingest(
    conn: Connection,
    run: SourceRun,
    report: IngestReport,
    write: Callable[[Resolver, TieUpdater], None],
) -> None:
    resolver = Resolver(conn, run.org)
    ties = TieUpdater(conn, run.org)
    write(resolver, ties)
    report.settle(resolver, ties)
