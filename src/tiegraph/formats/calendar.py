"""Meeting metadata reader: iCalendar files, recurrences expanded inside a time window."""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
from icalendar import Component
from icalendar.prop import vBroken, vRecur

from tiegraph.formats.records import Address, Attendee, EventRecord, RowError
from tiegraph.formats.recurrence import bound_recurrence

__all__ = ["CalendarTally", "iter_events", "read_events"]

_BLOCK = re.compile(
    r"^BEGIN:(VEVENT|VTIMEZONE)[ \t]*\r?$.*?(?:^END:\1[ \t]*\r?$|(?=^BEGIN:VEVENT)|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
# Outlook names zones after their offset: "(UTC-03:00) Brasília", "(GMT+01:00) Amsterdam".
_NAMED_OFFSET = re.compile(r"\((?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d\d))?\)")
_EVENT_START = re.compile(r"^BEGIN:VEVENT[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+")
# The properties recurrence expansion reads; a broken one must be repaired or refused.
_TIMING = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE")
_DROPPABLE = frozenset({"DTEND", "DURATION", "RDATE", "EXDATE"})
_MAX_OCCURRENCES = 10_000  # per series and window; a daily meeting for 27 years


@dataclasses.dataclass
class CalendarTally:
    """What a reader saw beside the occurrences it yields: the events (a recurring one with its
    changed instances counts once), those without an occurrence in the window, and those that
    could not be read (their RowErrors yielded)."""

    events: int = 0
    outside_window: int = 0
    unreadable: int = 0


def iter_events(
    path: Path,
    *,
    window_start: datetime,
    window_end: datetime,
    tally: CalendarTally | None = None,
) -> Iterator[EventRecord | RowError]:
    """Yield each meeting occurrence inside [window_start, window_end), or a RowError.

    `path` is an .ics file or a folder of them. Recurring events are expanded (RRULE, RDATE,
    EXDATE, overridden instances); one broken event never stops the rest of its file.
    """
    window = (_aware(window_start), _aware(window_end))
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError as error:
            yield RowError(str(file), file.name, f"unreadable file: {error.strerror}")
            continue
        yield from _iter_file(str(file), raw, window, tally or CalendarTally())


def read_events(
    raw: bytes,
    *,
    file: str,
    window_start: datetime,
    window_end: datetime,
    tally: CalendarTally | None = None,
) -> Iterator[EventRecord | RowError]:
    """`iter_events` for one calendar already in memory (e.g. a CalDAV resource); `file` names it.

    Occurrences of each series come in order of start.
    """
    window = (_aware(window_start), _aware(window_end))
    yield from _iter_file(file, raw, window, tally or CalendarTally())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iter_file(
    file: str, raw: bytes, window: tuple[datetime, datetime], tally: CalendarTally
) -> Iterator[EventRecord | RowError]:
    text, file_repairs = _decoded(raw)
    if "BEGIN:VEVENT" not in text.upper():
        if "BEGIN:VCALENDAR" not in text.upper():
            yield RowError(file, "file", "not an iCalendar file")
        return  # a calendar without meetings: free/busy, to-dos, time zones only
    if "BEGIN:VCALENDAR" not in text.upper():
        text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text.strip()}\r\nEND:VCALENDAR\r\n"
        file_repairs.append("VEVENT without VCALENDAR")
    timezones, events = _components(text, file_repairs)
    for locator, group in _series(events):
        tally.events += 1
        if isinstance(group, str):
            tally.unreadable += 1
            yield RowError(file, locator, group)
            continue
        try:
            records = list(_occurrences(file, locator, timezones, group, window))
        except Exception as error:  # a library's failure on one event must stay with it
            records = [
                RowError(file, locator, f"unreadable event: {type(error).__name__}: {error}")
            ]
        if not any(isinstance(r, EventRecord) for r in records):
            tally.unreadable += bool(records)
            tally.outside_window += not records
        for record in records:
            yield record if isinstance(record, RowError) else _with_repairs(record, file_repairs)


def _decoded(raw: bytes) -> tuple[str, list[str]]:
    """The file's text, whatever encoding the producer chose; repairs say what was guessed."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace"), []
    if raw.startswith(codecs.BOM_UTF16_BE):
        return raw[2:].decode("utf-16-be", errors="replace"), []
    if len(raw) > 1 and raw[0] and not raw[1]:
        return raw.decode("utf-16-le", errors="replace"), ["UTF-16LE without byte-order mark"]
    if len(raw) > 1 and not raw[0] and raw[1]:
        return raw.decode("utf-16-be", errors="replace"), ["UTF-16BE without byte-order mark"]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), ["not UTF-8, read as Windows-1252"]


def _components(text: str, repairs: list[str]) -> tuple[list[Component], list[Component | str]]:
    """(time zones, events); an event that cannot be parsed is given as its error text."""
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        timezones = [tz for cal in calendars for tz in cal.walk("VTIMEZONE")]
        events: list[Component | str] = [e for cal in calendars for e in cal.walk("VEVENT")]
        # An unterminated calendar parses "successfully" into nothing: count what was found.
        if len(events) == len(_EVENT_START.findall(text)):
            return timezones, events
    except Exception:  # icalendar raises more than ValueError on broken input
        pass
    repairs.append("calendar read event by event")
    return _components_one_by_one(text)


def _components_one_by_one(text: str) -> tuple[list[Component], list[Component | str]]:
    """Parse each VTIMEZONE and VEVENT block alone, so that a broken one spoils nothing else."""
    timezones: list[Component] = []
    events: list[Component | str] = []
    for match in _BLOCK.finditer(text):
        block = match.group(0).strip()
        kind = match.group(1).upper()
        if not block.upper().endswith(f"END:{kind}"):
            block += f"\r\nEND:{kind}"
        try:
            wrapped = icalendar.Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{block}\r\nEND:VCALENDAR")
        except Exception as error:  # icalendar raises more than ValueError on broken input
            if kind == "VEVENT":
                events.append(f"unparsable VEVENT: {error}"[:200])
            continue
        if kind == "VTIMEZONE":
            timezones.extend(wrapped.walk(kind))
        else:
            events.extend(wrapped.walk(kind))
    return timezones, events


def _series(events: list[Component | str]) -> list[tuple[str, list[Component] | str]]:
    """(locator, the VEVENTs of one UID: master and overridden instances) in file order."""
    series: list[tuple[str, list[Component] | str]] = []
    by_uid: dict[str, list[Component]] = {}
    for number, event in enumerate(events, 1):
        if isinstance(event, str):
            series.append((f"event {number}", event))
            continue
        uid = str(event.get("UID", "")).strip()
        if uid in by_uid:
            by_uid[uid].append(event)
            continue
        group = [event]
        series.append((f"event {number} UID {uid}" if uid else f"event {number}", group))
        if uid:
            by_uid[uid] = group
    return series


def _occurrences(
    file: str,
    locator: str,
    timezones: list[Component],
    group: list[Component],
    window: tuple[datetime, datetime],
) -> Iterator[EventRecord | RowError]:
    repairs: list[str] = []
    for event in group:
        problem = _repaired(event, repairs) or bound_recurrence(event, window, _MAX_OCCURRENCES)
        if problem:
            yield RowError(file, locator, problem)
            return
    calendar = icalendar.Calendar()
    for component in (*timezones, *group):
        calendar.add_component(component)
    recurring = any(key in e for e in group for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
    # Expanded occurrences lose the TZID parameter: say now which zone was not understood.
    tzids = [e["DTSTART"].params.get("TZID") for e in group if hasattr(e["DTSTART"], "params")]
    fallback = _fallback_zone(next((t for t in tzids if t), ""))
    occurrences = recurring_ical_events.of(calendar).after(window[0])  # in order of start
    for count, occurrence in enumerate(occurrences):
        record = _record(file, locator, occurrence, recurring, fallback, list(repairs))
        if record.start >= window[1]:
            return
        if count == _MAX_OCCURRENCES:  # FREQ=MINUTELY for years: a mistake, not meetings
            yield RowError(file, locator, f"more than {_MAX_OCCURRENCES} occurrences, rest skipped")
            return
        yield record


def _fallback_zone(tzid: str) -> tuple[tzinfo, str]:
    """The zone for times icalendar left naive, and the repair that says so."""
    if not tzid:
        return UTC, "floating time, UTC assumed"
    offset = _NAMED_OFFSET.search(tzid)
    if offset is None:
        return UTC, f"unknown time zone {tzid!r}, UTC assumed"
    sign, hours, minutes = offset.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    zone = timezone(-delta if sign == "-" else delta)
    return zone, f"unknown time zone {tzid!r}, read as {zone}"


def _repaired(event: Any, repairs: list[str]) -> str:
    """Fix what can be fixed in the timing of one VEVENT; return why it cannot be read, or ""."""
    if "DTSTART" not in event:
        return "no DTSTART"
    for name in _TIMING:
        value = event.get(name)
        if value is None:
            continue
        if isinstance(value, list) and name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            event.pop(name)
            event[name] = value = value[0]
            repairs.append(f"several {name}, first kept")
        broken = [v for v in (value if isinstance(value, list) else [value]) if _is_broken(v)]
        if not broken:
            continue
        if name == "RRULE":
            rule = re.sub(r"[\s\\]+", "", str(broken[0]))
            try:
                event["RRULE"] = vRecur.from_ical(rule)
            except ValueError:
                return f"unreadable RRULE: {str(broken[0])[:80]}"
            repairs.append("RRULE with stray spaces")
        elif name in _DROPPABLE:
            kept = [v for v in (value if isinstance(value, list) else [value]) if v not in broken]
            event.pop(name)
            if kept:
                event[name] = kept[0] if len(kept) == 1 else kept
            repairs.append(f"unreadable {name} dropped")
        else:
            return f"unreadable {name}: {str(broken[0])[:80]}"
    return ""


def _is_broken(value: Any) -> bool:
    return isinstance(value, vBroken)


def _record(
    file: str,
    locator: str,
    event: Any,
    recurring: bool,
    fallback: tuple[tzinfo, str],
    repairs: list[str],
) -> EventRecord:
    start = _moment(event["DTSTART"].dt, fallback, repairs)
    end = start
    if "DTEND" in event:
        end = _moment(event["DTEND"].dt, fallback, repairs)
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    recurrence_id = event.get("RECURRENCE-ID")
    occurrence = ""
    if recurring and recurrence_id is not None:
        occurrence = _moment(recurrence_id.dt, fallback, []).astimezone(UTC).isoformat()
    return EventRecord(
        file=file,
        locator=locator,
        uid=str(event.get("UID", "")).strip(),
        start=start,
        end=max(start, end),
        organizer=_organizer(event.get("ORGANIZER")),
        attendees=_attendees(event.get("ATTENDEE"), repairs),
        occurrence=occurrence,
        sequence=_sequence(event.get("SEQUENCE")),
        repairs=tuple(dict.fromkeys(repairs)),
    )


def _moment(value: date | datetime, fallback: tuple[tzinfo, str], repairs: list[str]) -> datetime:
    """An aware datetime: all-day dates start at 00:00 UTC, zone-less times get `fallback`."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=UTC)
    if value.tzinfo is None or value.utcoffset() is None:
        zone, repair = fallback
        repairs.append(repair)
        return value.replace(tzinfo=zone)
    return value


def _email(value: Any) -> str:
    text = str(value or "").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    text = text.strip().lower()
    return text if _EMAIL.fullmatch(text) else ""


def _organizer(value: Any) -> Address | None:
    if isinstance(value, list):
        value = value[0] if value else None
    email = _email(value)
    if not email:
        return None
    return Address(email, str(getattr(value, "params", {}).get("CN", "")).strip())


def _attendees(value: Any, repairs: list[str]) -> tuple[Attendee, ...]:
    found: dict[str, Attendee] = {}
    for attendee in value if isinstance(value, list) else [value] if value else []:
        email = _email(attendee)
        if not email:
            repairs.append("attendee without an address dropped")
            continue
        params = getattr(attendee, "params", {})
        name = str(params.get("CN", "")).strip()
        partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).strip().upper() or "NEEDS-ACTION"
        found.setdefault(email, Attendee(email, name, partstat))
    return tuple(found.values())


def _sequence(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _with_repairs(record: EventRecord, file_repairs: list[str]) -> EventRecord:
    if not file_repairs:
        return record
    return dataclasses.replace(
        record, repairs=tuple(dict.fromkeys((*file_repairs, *record.repairs)))
    )
