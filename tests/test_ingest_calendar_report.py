"""The calendar ingest's report: events read, meetings taken, events skipped by reason, and
numbers that add up, on a holiday calendar and a mixed one."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.test_ingest import _org

from tiegraph.cli import main
from tiegraph.services.activity.event_outcomes import ALONE, NO_MEMBER, OUTSIDE_WINDOW
from tiegraph.services.activity.ingest import ingest_calendar
from tiegraph.store import Store

WINDOW = {
    "window_start": datetime(2026, 1, 1, tzinfo=UTC),
    "window_end": datetime(2027, 1, 1, tzinfo=UTC),
}


def _event(uid: str, start: str, *lines: str) -> str:
    head = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART:{start}"]
    return "\n".join([*head, *lines, "END:VEVENT"])


def _calendar(*events: str) -> str:
    return "\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *events, "END:VCALENDAR"]
    )


def _holidays() -> str:
    days = ["20260101", "20260525", "20260704", "20261225", "20251225"]
    return _calendar(
        *(_event(f"h{d}", f"{d}", "DTEND;VALUE=DATE:" + d, "SUMMARY:Holiday") for d in days)
    ).replace("DTSTART:2", "DTSTART;VALUE=DATE:2")


def test_a_holiday_calendar_says_why_nothing_was_taken(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    path = tmp_path / "holidays.ics"
    path.write_text(_holidays(), encoding="utf-8")
    counts = ingest_calendar(store, org, [path], **WINDOW).as_dict()
    assert counts["events"] == 5 and counts["events_with_meetings"] == 0
    assert counts["skipped_reasons"] == {ALONE: 4, OUTSIDE_WINDOW: 1}
    assert counts["skipped"] == 5 and counts["meetings"] == 0 and counts["interactions"] == 0


def test_every_event_is_counted_once_and_the_counts_add_up(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    ana, pat, lee = "mailto:ana@us.example", "mailto:pat@acme.example", "mailto:lee@acme.example"
    path = tmp_path / "mixed.ics"
    path.write_text(
        _calendar(
            # A weekly meeting: one event, 5 occurrences, one of them moved.
            _event("weekly", "20260105T090000Z", "DTEND:20260105T093000Z",
                   "RRULE:FREQ=WEEKLY;COUNT=5", f"ORGANIZER:{ana}", f"ATTENDEE:{pat}"),
            _event("weekly", "20260113T100000Z", "DTEND:20260113T103000Z",
                   "RECURRENCE-ID:20260112T090000Z", f"ORGANIZER:{ana}", f"ATTENDEE:{pat}"),
            _event("block", "20260210T090000Z", "DTEND:20260210T100000Z", f"ORGANIZER:{ana}"),
            _event("theirs", "20260211T090000Z", f"ORGANIZER:{pat}", f"ATTENDEE:{lee}"),
            _event("old", "20200211T090000Z", f"ORGANIZER:{ana}", f"ATTENDEE:{pat}"),
            _event("broken", "notadate", f"ORGANIZER:{ana}", f"ATTENDEE:{pat}"),
        ),
        encoding="utf-8",
    )  # fmt: skip
    report = ingest_calendar(store, org, [path], **WINDOW)
    counts = report.as_dict()
    assert counts["events"] == 5  # weekly (with its moved instance), block, theirs, old, broken
    assert counts["events_with_meetings"] == 1 and counts["meetings"] == 5
    assert counts["occurrences"] == 7  # the weekly five, the block, theirs
    assert counts["skipped_reasons"] == {ALONE: 1, NO_MEMBER: 1, OUTSIDE_WINDOW: 1}
    assert counts["unreadable_events"] == 1 and [r["locator"] for r in counts["rejected"]] == [
        "event 6 UID broken"
    ]
    assert counts["events"] == (
        counts["events_with_meetings"] + counts["skipped"] + counts["unreadable_events"]
    )
    assert report.summary().startswith(
        "5 events: 1 with meetings (5 meetings of 7 occurrences in the window), 3 skipped"
    )


def test_the_cli_prints_the_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    path = tmp_path / "holidays.ics"
    path.write_text(_holidays(), encoding="utf-8")
    for argv in (
        ["init"],
        ["ingest", "calendar", str(path), "--since", "2026-01-01", "--until", "2027-01-01"],
    ):
        with contextlib.suppress(SystemExit):
            main([*argv, "--db", db_url])
    out = " ".join(capsys.readouterr().out.split())
    assert "5 events: 0 with meetings" in out and ALONE in out, out
