"""Tests for the meeting metadata reader: recurrences, time zones, encodings, broken events."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tiegraph.formats import calendar as calendar_reader
from tiegraph.formats.calendar import iter_events
from tiegraph.formats.records import Address, Attendee, EventRecord, RowError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ics"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "samples" / "ics"
BERLIN = ZoneInfo("Europe/Berlin")
EARLY = datetime(1990, 1, 1, tzinfo=UTC)
LATE = datetime(2035, 1, 1)  # a naive bound is read as UTC


def read(path: Path, start: datetime = EARLY, end: datetime = LATE) -> list[EventRecord | RowError]:
    return list(iter_events(path, window_start=start, window_end=end))


def events(path: Path, start: datetime = EARLY, end: datetime = LATE) -> list[EventRecord]:
    records = read(path, start, end)
    assert all(isinstance(r, EventRecord) for r in records), records
    return [r for r in records if isinstance(r, EventRecord)]


def sample(name: str) -> list[EventRecord | RowError]:
    return read(SAMPLES / name)


# --- own fixtures --------------------------------------------------------------------------


def test_weekly_meeting_expanded_inside_the_window() -> None:
    march_and_april = events(
        FIXTURES / "weekly.ics", datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC)
    )
    weekly = [e for e in march_and_april if e.uid == "weekly-sync@example.com"]
    # Tuesdays 5 Mar to 30 Apr: 9, minus the 19 Mar EXDATE, plus 28 Mar (RDATE);
    # 9 Apr moved to 10 Apr 15:00.
    assert [e.start.date().isoformat() for e in weekly] == [
        "2024-03-05",
        "2024-03-12",
        "2024-03-26",
        "2024-03-28",  # an extra date (RDATE), a Thursday
        "2024-04-02",
        "2024-04-10",
        "2024-04-16",
        "2024-04-23",
        "2024-04-30",
    ]
    assert weekly[0].start == datetime(2024, 3, 5, 10, tzinfo=BERLIN)
    assert weekly[4].start.utcoffset() == timedelta(hours=2)  # summer time from 31 March
    assert all(e.end - e.start == timedelta(minutes=30) for e in weekly if e.start.day != 10)
    assert weekly[0].occurrence == "2024-03-05T09:00:00+00:00"
    assert weekly[0].organizer == Address("boss@example.com", "Boss, The")
    march = events(
        FIXTURES / "weekly.ics", datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 15, tzinfo=UTC)
    )
    assert [e.start.day for e in march if e.uid == "weekly-sync@example.com"] == [5, 12]


def test_exception_instance_keeps_its_own_time_and_attendees() -> None:
    weekly = events(
        FIXTURES / "weekly.ics", datetime(2024, 4, 8, tzinfo=UTC), datetime(2024, 4, 12, tzinfo=UTC)
    )
    [moved] = weekly
    assert moved.start == datetime(2024, 4, 10, 15, tzinfo=BERLIN)
    assert moved.end == datetime(2024, 4, 10, 16, tzinfo=BERLIN)
    assert moved.occurrence == "2024-04-09T08:00:00+00:00"  # the slot it replaces
    assert moved.sequence == 2
    assert moved.attendees == (
        Attendee("jane.doe@example.com", "Doe, Jane", "ACCEPTED"),
        Attendee("bob@example.com", "Bob", "DECLINED"),
    )


def test_declined_attendees_are_kept_with_their_partstat() -> None:
    [first] = events(
        FIXTURES / "weekly.ics", datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 6, tzinfo=UTC)
    )
    assert first.attendees == (
        Attendee("jane.doe@example.com", "Doe, Jane", "DECLINED"),
        Attendee("bob@example.com", "Bob", "ACCEPTED"),
        Attendee("carol@example.com", "", "NEEDS-ACTION"),
    )
    assert "attendee without an address dropped" in first.repairs  # the room, no address


def test_all_day_event_starts_at_midnight_utc() -> None:
    [offsite] = [
        e
        for e in events(
            FIXTURES / "weekly.ics",
            datetime(2024, 3, 20, tzinfo=UTC),
            datetime(2024, 3, 25, tzinfo=UTC),
        )
        if e.uid == "offsite@example.com"
    ]
    assert offsite.start == datetime(2024, 3, 21, tzinfo=UTC)
    assert offsite.end == datetime(2024, 3, 23, tzinfo=UTC)
    assert offsite.occurrence == ""


def test_vevents_without_vcalendar_and_bom() -> None:
    found = events(FIXTURES / "bare_vevents_bom.ics")
    assert [e.uid for e in found] == ["bare-1@example.com", "bare-2@example.com"]
    assert found[0].organizer == Address("zoe@example.com", "Zoë Brown")
    assert found[0].attendees == (Attendee("ann@example.com", "", "TENTATIVE"),)
    assert found[1].end - found[1].start == timedelta(minutes=45)
    assert "VEVENT without VCALENDAR" in found[0].repairs


def test_utf16le_without_bom() -> None:
    found = events(FIXTURES / "utf16le_no_bom.ics")
    assert [e.uid for e in found] == ["bare-1@example.com", "bare-2@example.com"]
    assert found[0].organizer == Address("zoe@example.com", "Zoë Brown")
    assert "UTF-16LE without byte-order mark" in found[0].repairs


def test_time_zones_without_vtimezone() -> None:
    found = {e.uid.split("@")[0]: e for e in events(FIXTURES / "zones_without_vtimezone.ics")}
    assert found["windows-zone"].start == datetime(2024, 3, 14, 10, tzinfo=BERLIN)
    assert found["windows-zone"].repairs == ()
    plus_two = timezone(timedelta(hours=2))
    assert found["unknown-zone"].start == datetime(2024, 3, 14, 10, tzinfo=plus_two)
    assert found["unknown-name"].start == datetime(2024, 3, 14, 10, tzinfo=UTC)
    assert found["unknown-name"].repairs == ("unknown time zone 'Head Office Time', UTC assumed",)
    assert found["floating"].start == datetime(2024, 3, 14, 10, tzinfo=UTC)
    assert found["floating"].repairs == ("floating time, UTC assumed",)


def test_one_broken_event_never_aborts_the_file() -> None:
    records = read(FIXTURES / "broken_events.ics")
    kinds = [(r.locator, type(r).__name__) for r in records]
    assert kinds == [
        ("event 1 UID good-before@example.com", "EventRecord"),
        ("event 2 UID bad-start@example.com", "RowError"),
        ("event 3 UID bad-line@example.com", "EventRecord"),
        ("event 4", "RowError"),
        ("event 5 UID good-after@example.com", "EventRecord"),
    ]
    assert isinstance(records[1], RowError)
    assert records[1].reason == "unreadable DTSTART: next tuesday"
    assert isinstance(records[3], RowError)
    assert records[3].reason.startswith("unreadable RRULE")
    assert isinstance(records[4], EventRecord)
    assert "unreadable EXDATE dropped" in records[4].repairs


def test_folder_of_calendars_and_naive_window() -> None:
    records = read(FIXTURES, datetime(2024, 3, 1), datetime(2024, 5, 1))
    assert Counter(Path(r.file).name for r in records) == {
        "bare_vevents_bom.ics": 2,
        "broken_events.ics": 5,
        "utf16le_no_bom.ics": 2,
        "weekly.ics": 10,
        "zones_without_vtimezone.ics": 4,
    }


def test_missing_path_raises() -> None:
    with pytest.raises(FileNotFoundError):
        read(FIXTURES / "nope.ics")


# --- real files ----------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared sample data not present")
def test_every_sample_file_reads_without_raising() -> None:
    files = sorted(SAMPLES.glob("*.ics"))
    assert len(files) == 23
    counts = {
        f.name.removeprefix("icalendar__"): Counter(type(r).__name__ for r in sample(f.name))
        for f in files
    }
    assert counts["big_bad_calendar.ics"] == {"RowError": 20}  # 20 empty VEVENTs, no END
    assert counts["bom_calendar.ics"] == {}
    assert counts["davmail_freebusy.ics"] == {}  # free/busy only, no meetings
    assert counts["event_with_rsvp.ics"] == {"RowError": 1}  # no DTSTART
    assert counts["plone_unicode.ics"] == {"EventRecord": 2, "RowError": 1}
    assert counts["google_x_location.ics"]["EventRecord"] > 1000  # open-ended weekdays


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared sample data not present")
def test_samples_specific_outcomes() -> None:
    [bb] = sample("icalendar__blackberry_bis.ics")
    assert isinstance(bb, EventRecord)
    assert (bb.start, bb.end) == (
        datetime(2012, 8, 14, tzinfo=UTC),
        datetime(2012, 8, 15, tzinfo=UTC),
    )
    assert bb.organizer == Address("rembrand@daxlab.com")
    assert [a.email for a in bb.attendees] == [
        "rembrand@xs4all.nl",
        "rembrand@daxlab.com",
        "rembspam@xs4all.nl",
    ]
    assert bb.sequence == 2
    [umlaut] = sample("icalendar__umlaut_organizer.ics")
    assert isinstance(umlaut, EventRecord)
    assert umlaut.organizer == Address("adm-acme@mydomain.de", "acme, ädmin")
    [brasilia] = sample("icalendar__non_ascii_tzid.ics")
    assert isinstance(brasilia, EventRecord)
    assert brasilia.start.utcoffset() == timedelta(hours=-3)
    [eastern] = sample("icalendar__exchange2010_tzid.ics")
    assert isinstance(eastern, EventRecord)
    assert eastern.start.astimezone(UTC) == datetime(2024, 10, 28, 21, tzinfo=UTC)
    [fiji] = sample("icalendar__tzurl_fiji.ics")
    assert isinstance(fiji, EventRecord)
    assert fiji.start.astimezone(UTC) == datetime(2014, 8, 28, 20, tzinfo=UTC)
    assert "several DTSTART, first kept" in fiji.repairs
    [broken_line] = sample("icalendar__broken_line.ics")  # stray "X" line in the calendar
    assert isinstance(broken_line, EventRecord)
    assert broken_line.start == datetime(2014, 4, 1, tzinfo=UTC)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared sample data not present")
def test_samples_with_repaired_recurrence_rules() -> None:
    standup = sample("icalendar__exchange_cdo_request.ics")  # "BYDAY=MO, TU, ..." from CDO
    assert len(standup) == 14  # weekdays 3 to 22 July 2015
    assert all(isinstance(e, EventRecord) and e.start.weekday() < 5 for e in standup)
    assert all(
        "RRULE with stray spaces" in e.repairs for e in standup if isinstance(e, EventRecord)
    )
    google = sample("icalendar__google_parsing_error.ics")  # second event: empty EXDATE
    days = Counter(e.start.date().isoformat() for e in google if isinstance(e, EventRecord))
    assert len(google) == 40 and "2008-03-11" not in days


def test_mangled_calendars_never_raise(tmp_path: Path) -> None:
    rng = random.Random(11)
    seeds = [p.read_bytes() for p in sorted(FIXTURES.iterdir())]
    noise = b':;=,"\r\nBEGIN:VEVENTEND:DTSTARTZ0123456789T\x00\xff'
    for number in range(60):
        raw = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 10)):
            raw.insert(rng.randrange(len(raw) + 1), rng.choice(noise))
        file = tmp_path / f"{number}.ics"
        file.write_bytes(bytes(raw))
        for record in read(file):
            assert isinstance(record, EventRecord | RowError)
            if isinstance(record, EventRecord):
                assert record.start.tzinfo is not None and record.end >= record.start


def test_runaway_recurrence_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar_reader, "_MAX_OCCURRENCES", 50)
    runaway = tmp_path / "runaway.ics"
    runaway.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:oops@example.com\nDTSTART:20240101T000000Z\n"
        "DURATION:PT1M\nRRULE:FREQ=DAILY;BYHOUR=8,9,10,11,12,13,14,15,16;BYMINUTE=0,30\n"
        "END:VEVENT\nBEGIN:VEVENT\nUID:minutely@example.com\nDTSTART:20240101T000000Z\n"
        "RRULE:FREQ=MINUTELY\nEND:VEVENT\nBEGIN:VEVENT\nUID:fine@example.com\n"
        "DTSTART:20240102T000000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    records = read(runaway, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    assert Counter(type(r).__name__ for r in records) == {"EventRecord": 51, "RowError": 2}
    assert records[50] == RowError(
        str(runaway), "event 1 UID oops@example.com", "more than 50 occurrences, rest skipped"
    )
    assert records[51] == RowError(
        str(runaway),
        "event 2 UID minutely@example.com",
        "repeats every minute (44,640 times): not a meeting series, skipped",
    )
    assert isinstance(records[-1], EventRecord) and records[-1].uid == "fine@example.com"
