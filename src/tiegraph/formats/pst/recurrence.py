"""Outlook's recurring appointments: the binary pattern (MS-OXOCAL 2.2.1.44) as occurrences.

A series holds its rule in local time of its own zone (the TZREG of PidLidTimeZoneStruct), its
cancelled occurrences as deleted dates, and its moved ones as exceptions with their new start
and end. Only dates and times are read: an exception's subject and location are skipped over,
never decoded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import rrule

_EPOCH = datetime(1601, 1, 1)  # Outlook's minutes count from here, in local time
_NO_END = (0x2023, 0xFFFFFFFF)
_END_BY_DATE, _END_AFTER_COUNT = 0x2021, 0x2022
_WEEKDAYS = (rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA)
# Exception fields present per override flag, in their order: (flag, fixed size or None for
# a counted string, which is skipped unread).
_OVERRIDES = ((0x1, None), (0x2, 4), (0x4, 4), (0x8, 4), (0x10, None), (0x20, 4), (0x40, 4),
              (0x80, 4), (0x100, 4))  # fmt: skip


class PatternError(ValueError):
    """A recurrence blob that does not hold what MS-OXOCAL says it should."""


@dataclass(frozen=True, slots=True)
class Series:
    rule: rrule.rrule
    first: datetime  # the first occurrence's start, local
    deleted: frozenset[datetime]  # local midnights of cancelled or moved occurrences
    moved: tuple[tuple[datetime, datetime, datetime], ...]  # (original day, start, end), local
    duration: timedelta


class _Reader:
    def __init__(self, blob: bytes) -> None:
        self.blob, self.at = blob, 0

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.blob):
            raise PatternError("recurrence pattern cut short")
        (value,) = struct.unpack_from(fmt, self.blob, self.at)
        self.at += size
        return int(value)

    def moment(self) -> datetime:
        return _EPOCH + timedelta(minutes=self.take("<I"))

    def skip(self, size: int) -> None:
        self.at += size


def parse_series(blob: bytes) -> Series:
    """The series' rule in local time, its cancelled days and its moved occurrences."""
    r = _Reader(blob)
    r.skip(4)  # reader and writer versions
    r.take("<H")  # RecurFrequency: PatternType says the same, more precisely
    kind, _calendar, _first, period, _sliding = (
        r.take("<H"), r.take("<H"), r.take("<I"), r.take("<I"), r.take("<I")
    )  # fmt: skip
    parts = _pattern_parts(r, kind, period)
    end_type, count, first_day = r.take("<I"), r.take("<I"), r.take("<I")
    deleted = frozenset(r.moment() for _ in range(r.take("<I")))
    modified = [r.moment() for _ in range(r.take("<I"))]
    start_day, end_day = r.moment(), r.moment()
    r.skip(8)  # reader and writer versions, again
    start_offset, end_offset = r.take("<I"), r.take("<I")
    moved = tuple(_exception(r) for _ in range(r.take("<H")))
    if len(moved) != len(modified):
        raise PatternError("exceptions and moved occurrences disagree")
    limits: dict[str, object] = {}
    if end_type == _END_AFTER_COUNT:
        limits["count"] = count
    elif end_type == _END_BY_DATE:
        limits["until"] = end_day + timedelta(days=1)
    elif end_type not in _NO_END:
        raise PatternError(f"unknown end type {end_type:#x}")
    first = start_day + timedelta(minutes=start_offset)
    rule = rrule.rrule(
        dtstart=first,
        wkst=first_day % 7,
        **parts,
        **limits,
    )
    return Series(rule, first, deleted, moved, timedelta(minutes=end_offset - start_offset))


def _pattern_parts(r: _Reader, kind: int, period: int) -> dict[str, object]:
    if kind == 0x0:  # every `period` minutes, whole days in practice
        return {"freq": rrule.DAILY, "interval": max(period // 1440, 1)}
    if kind == 0x1:
        return {"freq": rrule.WEEKLY, "interval": period or 1, "byweekday": _days(r.take("<I"))}
    if kind in (0x2, 0xA):  # day N of the month (Hijri calendars read as Gregorian)
        return {"freq": rrule.MONTHLY, "interval": period or 1, "bymonthday": r.take("<I")}
    if kind in (0x3, 0xB):  # the Nth weekday (5: the last) of the month
        days, nth = _days(r.take("<I")), r.take("<I")
        return {
            "freq": rrule.MONTHLY,
            "interval": period or 1,
            "byweekday": days,
            "bysetpos": -1 if nth == 5 else nth,
        }
    if kind in (0x4, 0xC):
        r.skip(4)
        return {"freq": rrule.MONTHLY, "interval": period or 1, "bymonthday": -1}
    raise PatternError(f"unknown pattern type {kind:#x}")


def _days(mask: int) -> tuple[rrule.weekday, ...]:
    days = tuple(day for bit, day in enumerate(_WEEKDAYS) if mask & (1 << bit))
    if not days:
        raise PatternError("weekly pattern without a day")
    return days


def _exception(r: _Reader) -> tuple[datetime, datetime, datetime]:
    start, end, original = r.moment(), r.moment(), r.moment()
    flags = r.take("<H")
    for flag, size in _OVERRIDES:
        if flags & flag:
            if size is None:
                r.skip(2)
                r.skip(r.take("<H"))  # the subject or location: skipped, never decoded
            else:
                r.skip(size)
    day = original.replace(hour=0, minute=0)
    return day, start, end


def occurrences(
    series: Series, zone: tzinfo, window: tuple[datetime, datetime], cap: int
) -> Iterator[tuple[datetime, datetime, datetime]]:
    """(original start, start, end) in UTC of each occurrence starting inside the window."""
    moved = {day: (start, end) for day, start, end in series.moved}
    lowest = (window[0] - timedelta(days=2)).astimezone(UTC).replace(tzinfo=None)
    for count, local in enumerate(series.rule.xafter(lowest, inc=True)):
        if count >= cap:
            raise PatternError(f"more than {cap} occurrences in the window")
        day = local.replace(hour=0, minute=0)
        original = local.replace(tzinfo=zone).astimezone(UTC)
        if original >= window[1] + timedelta(days=2):
            return
        if day in moved:
            start, end = (m.replace(tzinfo=zone).astimezone(UTC) for m in moved[day])
        elif day in series.deleted:
            continue
        else:
            start, end = original, original + series.duration
        if window[0] <= start < window[1]:
            yield original, start, max(start, end)


# --- the series' time zone ----------------------------------------------------------------------


class OutlookZone(tzinfo):
    """A zone from a TZREG (PidLidTimeZoneStruct): a bias, and a daylight rule by weekday."""

    def __init__(self, tzreg: bytes) -> None:
        if len(tzreg) < 48:
            raise PatternError("time zone structure cut short")
        self.bias, self.standard_bias, self.daylight_bias = struct.unpack_from("<iii", tzreg)
        # SYSTEMTIME (year, month, weekday, week of month, hour, minute, ...), after a year word.
        self.standard = struct.unpack_from("<8H", tzreg, 14)
        self.daylight = struct.unpack_from("<8H", tzreg, 32)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        daylight = dt is not None and self._in_daylight(dt)
        return timedelta(
            minutes=-self.bias - (self.daylight_bias if daylight else self.standard_bias)
        )

    def dst(self, dt: datetime | None) -> timedelta:
        in_daylight = dt is not None and self._in_daylight(dt)
        return timedelta(minutes=-self.daylight_bias) if in_daylight else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "Outlook"

    def _in_daylight(self, dt: datetime) -> bool:
        if not self.daylight[1] or not self.standard[1]:
            return False
        naive = dt.replace(tzinfo=None)
        begins, ends = _transition(self.daylight, dt.year), _transition(self.standard, dt.year)
        if begins < ends:  # northern hemisphere: summer inside the year
            return begins <= naive < ends
        return not ends <= naive < begins


def _transition(rule: tuple[int, ...], year: int) -> datetime:
    """The local moment a SYSTEMTIME rule names in `year`: the Nth weekday (5: last) of a month."""
    _, month, weekday, week, hour, minute = rule[:6]
    first = datetime(year, month, 1)
    day = first + timedelta(days=(weekday - (first.isoweekday() % 7)) % 7 + 7 * (week - 1))
    while day.month != month:  # week 5: the last one in the month
        day -= timedelta(days=7)
    return day.replace(hour=hour, minute=minute)


def zone_of(tzreg: bytes | None, first_local: datetime, first_utc: datetime) -> tzinfo:
    """The series' zone; without a TZREG, the fixed offset its first occurrence shows."""
    if tzreg:
        return OutlookZone(tzreg)
    return timezone(first_local - first_utc.astimezone(UTC).replace(tzinfo=None))
