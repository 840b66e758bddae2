"""Writer of a member's calendar as an iCalendar file: VTIMEZONEs, attendees, weekly series."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tiegraph.demo.timeline import Meeting, Party
from tiegraph.demo.vcard import escape, fold


def _zone(tzid: str, names: tuple[str, str], offsets: tuple[str, str], starts: tuple[str, str],
          rules: tuple[str, str]) -> str:  # fmt: skip
    standard, daylight = names
    return "\n".join((
        "BEGIN:VTIMEZONE", f"TZID:{tzid}",
        "BEGIN:DAYLIGHT", f"TZOFFSETFROM:{offsets[0]}", f"TZOFFSETTO:{offsets[1]}",
        f"TZNAME:{daylight}", f"DTSTART:{starts[0]}", f"RRULE:FREQ=YEARLY;{rules[0]}",
        "END:DAYLIGHT",
        "BEGIN:STANDARD", f"TZOFFSETFROM:{offsets[1]}", f"TZOFFSETTO:{offsets[0]}",
        f"TZNAME:{standard}", f"DTSTART:{starts[1]}", f"RRULE:FREQ=YEARLY;{rules[1]}",
        "END:STANDARD", "END:VTIMEZONE",
    ))  # fmt: skip


_US_RULES = ("BYMONTH=3;BYDAY=2SU", "BYMONTH=11;BYDAY=1SU")
_EU_RULES = ("BYMONTH=3;BYDAY=-1SU", "BYMONTH=10;BYDAY=-1SU")
# The zones members work in, as Outlook writes them (rules valid since 2007 in the US).
VTIMEZONES = {
    "America/New_York": _zone("America/New_York", ("EST", "EDT"), ("-0500", "-0400"),
                              ("19700308T020000", "19701101T020000"), _US_RULES),
    "America/Los_Angeles": _zone("America/Los_Angeles", ("PST", "PDT"), ("-0800", "-0700"),
                                 ("19700308T020000", "19701101T020000"), _US_RULES),
    "Europe/London": _zone("Europe/London", ("GMT", "BST"), ("+0000", "+0100"),
                           ("19700329T010000", "19701025T020000"), _EU_RULES),
    "Europe/Berlin": _zone("Europe/Berlin", ("CET", "CEST"), ("+0100", "+0200"),
                           ("19700329T020000", "19701025T030000"), _EU_RULES),
}  # fmt: skip
_LOCATIONS = ("Microsoft Teams Meeting", "Zoom", "Google Meet", "Conference room 2", "")


def write_calendar(path: Path, owner: str, meetings: Iterable[Meeting]) -> None:
    """Write the calendar of `owner` holding `meetings`, in the order given."""
    meetings = list(meetings)
    zones = sorted({meeting.zone for meeting in meetings if meeting.zone != "UTC"})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{owner}",
    ]
    for tzid in zones:
        lines += VTIMEZONES[tzid].split("\n")
    for meeting in meetings:
        lines += _event(meeting)
    lines.append("END:VCALENDAR")
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("".join(fold(line) for line in lines))


def _event(meeting: Meeting) -> list[str]:
    end = meeting.start + timedelta(minutes=meeting.minutes)
    stamp = meeting.start.astimezone(UTC) - timedelta(days=3, hours=meeting.minutes)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}",
        f"DTSTAMP:{_utc(stamp)}",
        _timed("DTSTART", meeting.start, meeting.zone),
        _timed("DTEND", end, meeting.zone),
        f"SUMMARY:{escape(meeting.summary)}",
    ]
    location = _LOCATIONS[int(meeting.uid[:2], 16) % len(_LOCATIONS)]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    lines.append(f"ORGANIZER;CN={_cn(meeting.organizer)}:mailto:{meeting.organizer.email}")
    for party, status in meeting.attendees:
        lines.append(
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
            f"PARTSTAT={status};RSVP=TRUE;CN={_cn(party)}:mailto:{party.email}"
        )
    if meeting.weekly:
        if meeting.count_rule:
            lines.append(f"RRULE:FREQ=WEEKLY;COUNT={meeting.weekly}")
        else:
            last = meeting.start + timedelta(weeks=meeting.weekly - 1)
            lines.append(f"RRULE:FREQ=WEEKLY;UNTIL={_utc(last)}")
        for skipped in meeting.exdates:
            lines.append(_timed("EXDATE", skipped, meeting.zone))
    lines += ["SEQUENCE:0", "STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def _timed(name: str, when: datetime, tzid: str) -> str:
    if tzid == "UTC":
        return f"{name}:{_utc(when)}"
    return f"{name};TZID={tzid}:{when:%Y%m%dT%H%M%S}"


def _utc(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _cn(party: Party) -> str:
    return f'"{party.name}"'
