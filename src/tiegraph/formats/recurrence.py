"""Bounding a recurring event's expansion to the window asked for, before it is expanded.

Expanding a series walks every occurrence from its DTSTART, about half a millisecond each: a
daily meeting since 2000 costs seconds before its first occurrence in this year's window, and
one `FREQ=SECONDLY` line with no end costs minutes and gigabytes. So, before expansion:

- a series that repeats more often than daily and would make more occurrences than the reader's
  cap is refused (no calendar application schedules meetings every hour, minute or second);
- a daily, weekly, monthly or yearly series that started long before the window is moved
  forward by whole cycles of its rule, which leaves every occurrence inside the window as it
  was (the rule's parts are relative to the day, week, month or year, never to how many cycles
  have passed), and COUNT is lowered by the occurrences skipped when that number is known.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = ["bound_recurrence"]

_SUB_DAILY = {
    "HOURLY": timedelta(hours=1),
    "MINUTELY": timedelta(minutes=1),
    "SECONDLY": timedelta(seconds=1),
}
_DAYS = {"DAILY": 1, "WEEKLY": 7}
_MONTHS = {"MONTHLY": 1, "YEARLY": 12}
# Rule parts that make more than one occurrence per cycle, so COUNT cannot be lowered exactly.
_EXPANDING = (
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
)


def bound_recurrence(event: Any, window: tuple[datetime, datetime], cap: int) -> str:
    """Move `event`'s DTSTART (and DTEND) forward to just before `window`; or say why not.

    Returns "" when the event may be expanded (moved forward or left alone), or the reason it
    is refused. `event` is an icalendar VEVENT whose timing was already checked readable.
    """
    rule = event.get("RRULE")
    if rule is None or isinstance(rule, list):
        return ""
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    count = int(rule["COUNT"][0]) if rule.get("COUNT") else None
    start = event["DTSTART"].dt
    if freq in _SUB_DAILY:
        return _sub_daily(freq, interval, count, rule, start, window[1], cap)
    gap = _utc(window[0]) - _utc(start)
    if gap <= timedelta(0):
        return ""
    if freq in _DAYS:
        unit, per_cycle = "days", _DAYS[freq] * interval
        cycles = gap.days // per_cycle - 1  # one cycle of margin before the window
    elif freq in _MONTHS and start.day <= 28:  # day 29-31 does not exist in every month
        unit, per_cycle = "months", _MONTHS[freq] * interval
        months = (window[0].year - start.year) * 12 + window[0].month - start.month
        cycles = months // per_cycle - 1
    else:
        return ""
    if count is not None:
        if any(part in rule for part in _EXPANDING) or "RDATE" in event:
            return ""  # how many occurrences the skipped cycles held is not known
        cycles = min(cycles, count - 1)
    if cycles <= 0:
        return ""
    if count is not None:
        rule["COUNT"] = [count - cycles]
    for name in ("DTSTART", "DTEND"):
        if name in event:
            event[name].dt = _shifted(event[name].dt, unit, cycles * per_cycle)
    return ""


def _sub_daily(
    freq: str, interval: int, count: int | None, rule: Any, start: Any, end: datetime, cap: int
) -> str:
    step = _SUB_DAILY[freq] * interval
    until = rule.get("UNTIL")
    last = min(_utc(end), _utc(until[0])) if until else _utc(end)
    cycles = max(0, (last - _utc(start)) // step)
    if count is not None:
        cycles = min(cycles, count)
    if cycles <= cap:
        return ""
    every = {"HOURLY": "hour", "MINUTELY": "minute", "SECONDLY": "second"}[freq]
    return f"repeats every {every} ({cycles:,} times): not a meeting series, skipped"


def _utc(moment: date | datetime) -> datetime:
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _shifted(moment: Any, unit: str, amount: int) -> Any:
    """`moment` moved forward by `amount` days or months of wall-clock time, zone kept."""
    if unit == "months":
        total = moment.year * 12 + moment.month - 1 + amount
        return moment.replace(year=total // 12, month=total % 12 + 1)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        # As the rule's expansion counts: a meeting at 09:00 stays at 09:00 across DST changes.
        return (moment.replace(tzinfo=None) + timedelta(days=amount)).replace(tzinfo=moment.tzinfo)
    return moment + timedelta(days=amount)
