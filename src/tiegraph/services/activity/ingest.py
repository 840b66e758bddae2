"""Ingest mail, meeting and call metadata: records in, interactions and up-to-date ties out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import phonenumbers
from sqlalchemy import Connection

from tiegraph.core.emails import normalize_email
from tiegraph.core.phones import normalize_phone
from tiegraph.formats.calendar import iter_events
from tiegraph.formats.calls import iter_calls
from tiegraph.formats.records import CallRecord, EventRecord, MessageHeaders, RowError
from tiegraph.services.activity.event_outcomes import ALONE, NO_MEMBER
from tiegraph.services.activity.ingest_run import (
    IngestReport,
    batches,
    digest,
    existing_paths,
    ingest_file,
    write_batch,
)
from tiegraph.services.activity.mail_touchpoints import MailItem, MailTouchpoints, read_mail_items
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Activity, Resolver, Touchpoint, known_keys
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.readahead import WORTH_IT_BYTES, read_ahead, worth_reading_ahead
from tiegraph.store import Store

__all__ = ["IngestReport", "ingest_calendar", "ingest_calls", "ingest_mail"]

DEFAULT_WINDOW = timedelta(days=365)


# --- mail ----------------------------------------------------------------------------------


def ingest_mail(
    store: Store,
    org: Org,
    paths: Sequence[Path],
    *,
    progress: ProgressCallback = no_progress,
    read_ahead_bytes: int = WORTH_IT_BYTES,
) -> IngestReport:
    """Read mailboxes' headers; the same Message-ID in several mailboxes counts once.

    A mailbox of at least `read_ahead_bytes` is read in a second process, which also works out
    each message's touchpoints, while this one resolves and writes: two cores share the work.
    """
    report = IngestReport("mail")
    for path in existing_paths(paths):
        with store.read() as conn:
            members = Resolver(conn, org).member_of
        if worth_reading_ahead(path, read_ahead_bytes):
            items: Iterable[MailItem | RowError] = read_ahead(read_mail_items, path, members)
        else:
            items = read_mail_items(path, members)
        write = partial(_mail_batch, org=org, report=report)
        step = f"Mail {path.name}"
        ingest_file(store, org, items, report, write, step=step, progress=progress, bulk=True)
    store.analyze_after(report.interactions)
    return report


def write_mail(
    conn: Connection,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    records: Iterable[MessageHeaders | RowError],
    report: IngestReport,
) -> None:
    """Write messages already read (e.g. headers fetched over IMAP) in the caller's transaction.

    The caller calls `report.settle` before it commits.
    """
    touchpoints = MailTouchpoints(resolver.member_of)
    items = (r if isinstance(r, RowError) else touchpoints.item(r) for r in records)
    for batch in batches(items, report):
        _mail_batch(conn, resolver, ties, batch, org=org, report=report)


def _mail_batch(
    conn: Connection,
    resolver: Resolver,
    ties: TieUpdater,
    items: list[MailItem],
    *,
    org: Org,
    report: IngestReport,
) -> None:
    parents = {reply_to for _, _, reply_to, _, _ in items if reply_to}
    replied = known_keys(conn, org, "email", parents)
    replied |= {message_id for message_id, _, _, _, _ in items} & parents
    activities = []
    for message_id, when, reply_to, touches, names in items:
        if not touches:
            report.skip("no member among sender and recipients")
            continue
        resolver.correspondents.saw_names(names)
        activities.append(Activity("email", message_id, when, touches, "", reply_to in replied))
    write_batch(conn, org, resolver, ties, activities, report)


# --- calendar ------------------------------------------------------------------------------


def _event_activity(event: EventRecord, resolver: Resolver) -> Activity | str:
    """The meeting an occurrence makes, or why it makes none."""
    organizer = normalize_email(event.organizer.email) if event.organizer else None
    people: dict[str, None] = {organizer: None} if organizer else {}
    names = [(organizer, event.organizer.name)] if organizer and event.organizer else []
    for a in event.attendees:
        email = normalize_email(a.email)
        if email and a.partstat.upper() != "DECLINED":
            people[email] = None
            names.append((email, a.name))
    members = resolver.member_of
    count = len(people)
    if count < 2:
        return ALONE
    seconds = max(int((event.end - event.start).total_seconds()), 0)
    touchpoints = []
    for member_address in people:
        member_id = members.get(member_address)
        if member_id is None:
            continue
        # The organizer reached out; everyone else was invited in.
        direction = "out" if member_address == organizer else "in"
        for other in people:
            if members.get(other) == member_id:
                continue
            touchpoints.append(Touchpoint(member_id, other, direction, count, seconds))
    if not touchpoints:
        return NO_MEMBER
    resolver.correspondents.saw_names((e, n) for e, n in names if n and e not in members)
    unique = {(t.member_id, t.address): t for t in touchpoints}
    fingerprint = digest(
        event.start.isoformat(), event.end.isoformat(), organizer or "", *sorted(people)
    )
    key = f"{event.uid}|{event.occurrence}" if event.occurrence else event.uid
    return Activity("meeting", key, event.start, tuple(unique.values()), fingerprint)


def ingest_calendar(
    store: Store,
    org: Org,
    paths: Sequence[Path],
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    progress: ProgressCallback = no_progress,
) -> IngestReport:
    """Read .ics meetings (recurrences expanded inside the window); declined attendees excluded."""
    now = datetime.now(UTC)
    start = window_start or now - DEFAULT_WINDOW
    end = window_end or now + timedelta(days=1)
    report = IngestReport("calendar")
    for path in existing_paths(paths):
        tally = report.events.tally
        records = iter_events(path, window_start=start, window_end=end, tally=tally)
        write = partial(_event_batch, org=org, report=report)
        step = f"Calendar {path.name}"
        ingest_file(store, org, records, report, write, step=step, progress=progress)
    store.analyze_after(report.interactions)
    return report


def write_events(
    conn: Connection,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    records: Iterable[EventRecord | RowError],
    report: IngestReport,
) -> None:
    """Write meeting occurrences already read (e.g. from CalDAV) in the caller's transaction.

    An event edited upstream replaces the interactions it made before. The caller calls
    `report.settle` before it commits.
    """
    for batch in batches(records, report):
        _event_batch(conn, resolver, ties, batch, org=org, report=report)


def _event_batch(
    conn: Connection,
    resolver: Resolver,
    ties: TieUpdater,
    events: list[EventRecord],
    *,
    org: Org,
    report: IngestReport,
) -> None:
    activities = []
    for event in events:
        activity = _event_activity(event, resolver)
        report.events.saw(event, activity if isinstance(activity, str) else "")
        if not isinstance(activity, str):
            activities.append(activity)
    write_batch(conn, org, resolver, ties, activities, report)


# --- calls ---------------------------------------------------------------------------------


def _home_regions(path: Path) -> dict[str, str]:
    """Per member in a call log, the country most of their international numbers are in.

    A number written without its country code ("020 7946 0151") was dialled at home, and a
    member's home shows in the numbers the phone did write in full.
    """
    counts: dict[str, Counter[str]] = {}
    for call in iter_calls(path):
        if isinstance(call, CallRecord) and call.other.strip().startswith(("+", "00")):
            phone = normalize_phone(call.other)
            if phone:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
                if region and region != "001":
                    counts.setdefault(call.member.strip().lower(), Counter())[region] += 1
    return {member: c.most_common(1)[0][0] for member, c in counts.items()}


def _call_activity(
    call: CallRecord, resolver: Resolver, region: str, homes: dict[str, str]
) -> Activity | RowError:
    member_email = normalize_email(call.member)
    member_id = resolver.member_of.get(member_email or "")
    if member_id is None:
        return RowError(call.file, call.locator, f"{call.member!r} is not a member's address")
    home = homes.get(call.member.strip().lower())
    other = (
        normalize_email(call.other)
        or normalize_phone(call.other, region)
        or (normalize_phone(call.other, home) if home else None)
    )
    if other is None:
        return RowError(call.file, call.locator, f"{call.other!r} is not a phone number or email")
    direction = "out" if call.direction == "out" else "in"
    duration = call.duration_seconds if call.direction != "missed" else 0
    key = digest(str(member_id), other, call.start.isoformat())
    touch = Touchpoint(member_id, other, direction, 1, duration)
    return Activity("call", key, call.start, (touch,))


def ingest_calls(
    store: Store,
    org: Org,
    paths: Sequence[Path],
    *,
    region: str = "US",
    progress: ProgressCallback = no_progress,
) -> IngestReport:
    """Read call logs; numbers resolve through the directory's phones (E.164).

    A number without a country code is read in `region`, else in the member's home country
    (where most of their fully written numbers are).
    """
    report = IngestReport("calls")
    for path in existing_paths(paths):
        homes = _home_regions(path)
        write = partial(_call_batch, org=org, report=report, region=region, homes=homes)
        step = f"Calls {path.name}"
        ingest_file(store, org, iter_calls(path), report, write, step=step, progress=progress)
    store.analyze_after(report.interactions)
    return report


def _call_batch(
    conn: Connection,
    resolver: Resolver,
    ties: TieUpdater,
    calls: list[CallRecord],
    *,
    org: Org,
    report: IngestReport,
    region: str,
    homes: dict[str, str],
) -> None:
    activities = []
    for call in calls:
        made = _call_activity(call, resolver, region, homes)
        if isinstance(made, RowError):
            report.rejected.append(made)
        else:
            activities.append(made)
    write_batch(conn, org, resolver, ties, activities, report)
