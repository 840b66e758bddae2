"""CalDAV sync against a real Radicale server: meetings once, edits replace, the future waits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servers import PASSWORD, Radicale, make_org, snapshot
from tiegraph.connectors import webdav
from tiegraph.services.activity.event_outcomes import ALONE, OUTSIDE_WINDOW, STILL_TO_COME
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.runner import run_all_syncs, run_due_syncs
from tiegraph.services.sync.sources import SyncSettings, add_source, list_sources
from tiegraph.store import Store
from tiegraph.store.schema import activity_item, interaction

ICS = "text/calendar"
SMALL = SyncSettings(timeout=10, dav_batch=3)
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event(uid: str, start: datetime, guests: list[int], *, rule: str = "") -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART:{_stamp(start)}",
        f"DTEND:{_stamp(start + timedelta(hours=1))}",
        "SUMMARY:never read",
        "ORGANIZER;CN=Ana:mailto:ana@us.example",
        *(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:person{n}@acme.example" for n in guests),
    ]
    if rule:
        lines.append(f"RRULE:{rule}")
    return "\r\n".join([*lines, "END:VEVENT"])


def calendar(*events: str) -> str:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tiegraph tests//EN", *events])
    return body + "\r\nEND:VCALENDAR\r\n"


def past_events(count: int) -> list[str]:
    return [event(f"ev-{n}", NOW - timedelta(days=10 + n), [n]) for n in range(count)]


def add_calendar(store: Store, org: Org, url: str) -> None:
    owner = get_member(store, org, "ana@us.example")
    add_source(
        store, org, owner, kind="caldav", url=url, username="ana", password_env="DAV_PASSWORD"
    )


def interactions(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        rows = conn.execute(select(interaction.c.address, interaction.c.channel))
        return sorted((r.address, r.channel) for r in rows)


def test_meetings_once_and_an_edit_replaces_never_doubles(
    store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(store, tmp_path)
    url = radicale.new_collection(calendar(*past_events(7)), ICS)
    add_calendar(store, org, url)
    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 7
    assert interactions(store) == sorted((f"person{n}@acme.example", "meeting") for n in range(7))
    [again] = run_all_syncs(store, org, settings=SMALL)
    assert again.taken == 0

    edited = event("ev-0", NOW - timedelta(days=10), [0, 20, 21])
    radicale.put(f"{url}ev-0.ics", calendar(edited), ICS)
    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 1 and outcome.report.replaced == 1
    addresses = [a for a, _ in interactions(store)]
    assert len(addresses) == 9 and addresses.count("person0@acme.example") == 1
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(activity_item)).scalar() == 7


def test_an_upstream_delete_changes_nothing(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(calendar(*past_events(3)), ICS)
    add_calendar(sqlite_store, org, url)
    run_all_syncs(sqlite_store, org, settings=SMALL)
    before = snapshot(sqlite_store)
    radicale.delete(f"{url}ev-1.ics")
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 0
    after = snapshot(sqlite_store)
    assert {k: v for k, v in after.items() if k != "sync_sources"} == {
        k: v for k, v in before.items() if k != "sync_sources"
    }


def test_meetings_still_to_come_are_taken_once_they_have_started(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(sqlite_store, tmp_path)
    weekly = event("weekly", NOW - timedelta(days=20, hours=1), [5], rule="FREQ=WEEKLY;COUNT=6")
    url = radicale.new_collection(
        calendar(event("soon", NOW + timedelta(days=3), [8]), weekly), ICS
    )
    add_calendar(sqlite_store, org, url)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None
    assert interactions(sqlite_store) == [("person5@acme.example", "meeting")] * 3
    [source] = list_sources(sqlite_store, org)
    [state] = source.cursor["collections"].values()
    assert set(state["later"]) == {f"{webdav._path(url)}soon.ics", f"{webdav._path(url)}weekly.ics"}

    [later] = run_due_syncs(sqlite_store, NOW + timedelta(days=4), settings=SMALL)
    assert later.error is None and later.taken == 2
    found = interactions(sqlite_store)
    assert found.count(("person5@acme.example", "meeting")) == 4
    assert found.count(("person8@acme.example", "meeting")) == 1
    [source] = list_sources(sqlite_store, org)
    [state] = source.cursor["collections"].values()
    assert list(state["later"]) == [f"{webdav._path(url)}weekly.ics"]


def test_the_report_says_what_was_read_taken_and_skipped_and_adds_up(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    """The calendar tally of a file's ingest: events read, with meetings, skipped by reason
    (no one else, outside the window, still to come), adding up. (Radicale refuses an
    unreadable event, so none is here: tests/test_ingest_calendar_report.py has them.)"""
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(
        calendar(
            event("met", NOW - timedelta(days=3), [1]),
            event("alone", NOW - timedelta(days=2), []),
            event("old", NOW - timedelta(days=4000), [2]),
            event("soon", NOW + timedelta(days=3), [3]),
        ),
        ICS,
    )
    add_calendar(sqlite_store, org, url)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None
    counts = outcome.report.as_dict()
    assert counts["events"] == 4 and counts["events_with_meetings"] == 1
    assert counts["skipped_reasons"] == {
        ALONE: 1,
        OUTSIDE_WINDOW: 1,
        STILL_TO_COME: 1,
    }
    assert counts["unreadable_events"] == 0
    assert counts["events_with_meetings"] + counts["skipped"] == 4
    assert "4 events: 1 with meetings" in outcome.report.summary()


def test_without_sync_tokens_changed_etags_are_read_again(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = webdav._collection
    monkeypatch.setattr(
        webdav, "_collection", lambda r, k: webdav.Collection(real(r, k).href, None)
    )
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(calendar(*past_events(4)), ICS)
    add_calendar(sqlite_store, org, url)
    assert run_all_syncs(sqlite_store, org, settings=SMALL)[0].taken == 4
    assert run_all_syncs(sqlite_store, org, settings=SMALL)[0].taken == 0
    radicale.put(f"{url}ev-2.ics", calendar(event("ev-2", NOW - timedelta(days=12), [2, 9])), ICS)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.taken == 1 and outcome.report.replaced == 1
    assert len(interactions(sqlite_store)) == 5
