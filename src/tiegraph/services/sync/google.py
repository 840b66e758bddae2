"""Google sync: People connections and the primary calendar by sync tokens, through the same
import and ingestion as address-book and .ics files (Gmail is read over IMAP with XOAUTH2).

Cursor, per stream: `sync`, the nextSyncToken of the last complete round, and `page`, the
nextPageToken of the round in progress, saved in the transaction that writes the page before
it: a crash resumes at the first page not committed. An expired sync token (410) starts a full
round; what is read twice counts once (contacts by resourceName in `seen`, meetings by
fingerprint). Occurrences still to come wait in `later` until they have started.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from tiegraph.connectors.google import GoogleClient, SyncStateGone
from tiegraph.formats import google as items
from tiegraph.services.sync.sources import SourceRun
from tiegraph.services.sync.streams import (
    StreamsReport,
    Write,
    any_new,
    due,
    owner_and_matching,
    state_of,
    write_contacts,
    write_meetings,
)

SOURCE_FORMAT = "google"
PAGE_SIZE = "500"
EVENTS = "calendars/primary/events"


def sync_google(run: SourceRun) -> None:
    assert run.token is not None, "a google source logs in with a connected account"
    report = StreamsReport(run.source.url, SOURCE_FORMAT)
    run.report = report
    with GoogleClient(run.token, endpoint=run.source.url, timeout=run.settings.timeout) as google:
        try:
            _contacts(run, google, report)
            _calendar(run, google, report)
        finally:
            report.throttled_seconds = google.waited


def _stream(
    run: SourceRun,
    google: GoogleClient,
    name: str,
    url: str,
    params: dict[str, str],
    key: str,
    write: Write,
    before: Callable[[list[dict[str, Any]]], None] = lambda _: None,
) -> None:
    state = state_of(run, name)
    try:
        _rounds(run, google, state, url, params, key, write, before)
    except SyncStateGone:
        if not state.get("sync"):
            raise
        state.pop("sync", None)  # a full round: what was taken is recognized
        state.pop("page", None)
        _rounds(run, google, state, url, params, key, write, before)


def _rounds(
    run: SourceRun,
    google: GoogleClient,
    state: dict[str, Any],
    url: str,
    params: dict[str, str],
    key: str,
    write: Callable[[Connection, list[dict[str, Any]]], int],
    before: Callable[[list[dict[str, Any]]], None],
) -> None:
    asked = dict(params)
    if state.get("sync"):
        asked["syncToken"] = state["sync"]
    if state.get("page"):
        asked["pageToken"] = state["page"]
    for page in google.pages(url, asked, key):
        before(page.items)  # reads the store, if it must, before the write lock is taken
        with run.store.write() as conn:
            taken = write(conn, page.items)
            state["page"] = page.next_page
            if page.sync_token:
                state["sync"], state["page"] = page.sync_token, None
            run.save(conn, taken=taken)


def _contacts(run: SourceRun, google: GoogleClient, report: StreamsReport) -> None:
    owner, matching = owner_and_matching(run)
    state = state_of(run, "contacts")

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        live = [p for p in found if (p.get("metadata") or {}).get("deleted") is not True]
        records = [
            (str(p.get("resourceName")), items.contact_record(p, SOURCE_FORMAT)) for p in live
        ]
        return write_contacts(conn, run, state, records, report.contacts, owner, matching)

    params = {
        "personFields": items.PERSON_FIELDS,
        "pageSize": PAGE_SIZE,
        "requestSyncToken": "true",
    }

    def before(found: list[dict[str, Any]]) -> None:
        if any_new(state, (str(p.get("resourceName")) for p in found)):
            matching()

    url = google.people_url("people/me/connections")
    _stream(run, google, "contacts", url, params, "connections", write, before)


def _calendar(run: SourceRun, google: GoogleClient, report: StreamsReport) -> None:
    state = state_of(run, "calendar")
    later: dict[str, str] = state.setdefault("later", {})

    def write(conn: Connection, found: list[dict[str, Any]]) -> int:
        live = [e for e in found if e.get("status") != "cancelled"]
        records = [(str(e.get("id")), items.event_record(e, "Google calendar")) for e in live]
        write_meetings(conn, run, records, later, report.calendar)
        return len(found)

    # A sync token goes with no time window (Google refuses timeMin with it): the window is
    # applied here, on what comes.
    params = {"singleEvents": "true", "maxResults": "250", "fields": items.EVENT_FIELDS}
    _stream(run, google, "calendar", google.calendar_url(EVENTS), params, "items", write)
    for key in due(later, run.now):
        found = google.get(google.calendar_url(f"{EVENTS}/{key}"))
        with run.store.write() as conn:
            write(conn, [found])
            later.pop(key, None)
            run.save(conn, taken=0)
