"""Ingest mail, meeting and call metadata: records in, interactions and up-to-date ties out."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import Connection

from tiegraph.core.emails import normalize_email
from tiegraph.core.phones import normalize_phone
from tiegraph.errors import InvalidInputError
from tiegraph.formats.calendar import iter_events
from tiegraph.formats.calls import iter_calls
from tiegraph.formats.records import CallRecord, EventRecord, MessageHeaders, RowError
from tiegraph.services.activity.event_outcomes import ALONE, NO_MEMBER, EventOutcomes
from tiegraph.services.activity.mail_touchpoints import MailItem, MailTouchpoints, read_mail_items
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import (
    Activity,
    Resolver,
    Touchpoint,
    known_keys,
    write_activities,
)
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.readahead import WORTH_IT_BYTES, read_ahead, worth_reading_ahead
from tiegraph.store import Store

BATCH = 2000
T = TypeVar("T")
DEFAULT_WINDOW = timedelta(days=365)


@dataclass
class IngestReport:
    """What an ingest did; `messages`/`calls` count records read, good or not; a calendar's
    account is in `events` (events read, meetings taken, events skipped by reason)."""

    kind: str  # mail | calendar | calls
    read: int = 0
    interactions: int = 0
    duplicates: int = 0
    replaced: int = 0
    skipped: int = 0
    unresolved: int = 0
    persons: int = 0  # new persons from correspondence
    ties: int = 0
    rejected: list[RowError] = field(default_factory=list)
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    events: EventOutcomes = field(default_factory=EventOutcomes)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        noun = {"mail": "messages", "calendar": "events", "calls": "calls"}[self.kind]
        calendar = self.events.counts() if self.kind == "calendar" else {}
        return {
            noun: self.read,
            "interactions": self.interactions,
            "duplicates": self.duplicates,
            "replaced": self.replaced,
            "skipped": self.skipped,
            "skipped_reasons": self.skipped_reasons,
            "unresolved": self.unresolved,
            "persons_from_correspondence": self.persons,
            "ties": self.ties,
            "rejected": [
                {"file": r.file, "locator": r.locator, "reason": r.reason} for r in self.rejected
            ],
        } | calendar

    def summary(self) -> str:
        noun = {"mail": "messages", "calendar": "events", "calls": "calls"}[self.kind]
        if self.kind == "calendar":
            return (
                f"{self.events.summary()}, {len(self.rejected)} rejected; {self.interactions} "
                f"interactions, {self.duplicates} already seen; {self.persons} new persons from "
                f"correspondence, {self.ties} ties updated"
            )
        return (
            f"{self.read} {noun}: {self.interactions} interactions, {self.duplicates} already "
            f"seen, {self.skipped} without a member, {len(self.rejected)} rejected; "
            f"{self.persons} new persons from correspondence, {self.ties} ties updated"
            + (f", {self.unresolved} addresses left without a person" if self.unresolved else "")
        )

    def settle(self, resolver: Resolver, ties: TieUpdater) -> None:
        """End of a transaction's writes: name the new persons, count them, store the ties."""
        resolver.correspondents.settle_names()
        self.persons += len(resolver.correspondents.created)
        resolver.correspondents.created.clear()
        self.ties += ties.flush()


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
    for path in _existing_paths(paths):
        with store.write(bulk=True) as conn:
            resolver = Resolver(conn, org)
            ties = TieUpdater(conn, org)
            if worth_reading_ahead(path, read_ahead_bytes):
                items = read_ahead(read_mail_items, path, dict(resolver.member_of))
            else:
                items = read_mail_items(path, resolver.member_of)
            for batch in _batches(items, report):
                _mail_batch(conn, org, resolver, ties, batch, report)
                progress(f"Mail {path.name}", report.read, 0)
            report.settle(resolver, ties)
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
    for batch in _batches(items, report):
        _mail_batch(conn, org, resolver, ties, batch, report)


def _mail_batch(
    conn: Connection,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    items: list[MailItem],
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
    _write(conn, org, resolver, ties, activities, report)


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
    fingerprint = _digest(
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
    for path in _existing_paths(paths):
        with store.write() as conn:
            resolver = Resolver(conn, org)
            ties = TieUpdater(conn, org)
            tally = report.events.tally
            records = iter_events(path, window_start=start, window_end=end, tally=tally)
            for batch in _batches(records, report):
                _event_batch(conn, org, resolver, ties, batch, report)
                progress(f"Calendar {path.name}", report.read, 0)
            report.settle(resolver, ties)
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
    for batch in _batches(records, report):
        _event_batch(conn, org, resolver, ties, batch, report)


def _event_batch(
    conn: Connection,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    events: list[EventRecord],
    report: IngestReport,
) -> None:
    activities = []
    for event in events:
        activity = _event_activity(event, resolver)
        report.events.saw(event, activity if isinstance(activity, str) else "")
        if not isinstance(activity, str):
            activities.append(activity)
    _write(conn, org, resolver, ties, activities, report)


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
    key = _digest(str(member_id), other, call.start.isoformat())
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
    for path in _existing_paths(paths):
        with store.write() as conn:
            resolver = Resolver(conn, org)
            ties = TieUpdater(conn, org)
            homes = _home_regions(path)
            for batch in _batches(iter_calls(path), report):
                activities = []
                for call in batch:
                    made = _call_activity(call, resolver, region, homes)
                    if isinstance(made, RowError):
                        report.rejected.append(made)
                    else:
                        activities.append(made)
                _write(conn, org, resolver, ties, activities, report)
                progress(f"Calls {path.name}", report.read, 0)
            report.settle(resolver, ties)
    store.analyze_after(report.interactions)
    return report


# --- shared --------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _existing_paths(paths: Sequence[Path]) -> Iterator[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InvalidInputError(f"no such file or folder: {', '.join(missing)}")
    yield from paths


def _batches(records: Iterable[T | RowError], report: IngestReport) -> Iterator[list[T]]:
    batch: list[T] = []
    for record in records:
        report.read += 1
        if isinstance(record, RowError):
            report.rejected.append(record)
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(
    conn: Any,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    activities: list[Activity],
    report: IngestReport,
) -> None:
    result = write_activities(conn, org, resolver, activities)
    report.interactions += result.interactions
    report.duplicates += result.duplicates
    report.replaced += result.replaced
    report.unresolved += result.unresolved
    ties.add(result.new)
    ties.rebuild(result.rebuild)
