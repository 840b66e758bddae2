"""The reasons behind a tie's strength, in words a seller would believe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["TieFacts", "ago", "describe", "span"]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class TieFacts:
    """What the words are made of: counts and times of one tie as of one moment."""

    as_of: datetime
    window_start: date  # recent_* count touches on or after this day
    recent_out: int = 0  # emails the member sent in the window
    recent_in: int = 0  # emails the person sent in the window
    emails_out: int = 0  # all time
    emails_in: int = 0
    meetings: int = 0
    meetings_one_on_one: int = 0
    last_meeting_at: datetime | None = None
    calls: int = 0
    call_seconds: int = 0
    last_call_at: datetime | None = None
    first_at: datetime | None = None
    last_at: datetime | None = None
    explicit: bool = False
    member_pace: float | None = (
        None  # the member's pace over their usual (and colleagues'), when quiet
    )


def describe(facts: TieFacts) -> tuple[str, ...]:
    """Reasons, most telling first: mail, meetings, calls, the colleague gone quiet, contacts,
    tie age, last contact."""
    reasons = [_mail(facts), _meetings(facts), _calls(facts)]
    if facts.member_pace is not None:
        share = _share(facts.member_pace)
        reasons.append(f"quieter than colleagues lately: {share} of their usual activity")
    if facts.explicit:
        reasons.append("in their contacts")
    if facts.first_at is not None and (facts.as_of - facts.first_at).days >= 30:
        reasons.append(f"known for {span(facts.as_of - facts.first_at)}")
    if facts.last_at is not None:
        reasons.append(f"last contact {ago(facts.as_of, facts.last_at)}")
    return tuple(r for r in reasons if r)


def _mail(f: TieFacts) -> str:
    since = f"since {f.window_start.day} {_MONTHS[f.window_start.month - 1]}"
    if f.emails_out and not f.emails_in and not (f.meetings or f.calls):
        return f"only one-way: {_count(f.emails_out, 'email')} sent, no reply"
    if f.emails_in and not f.emails_out and not (f.meetings or f.calls):
        return f"only one-way: {_count(f.emails_in, 'email')} received, none sent"
    recent = f.recent_out + f.recent_in
    if f.recent_out and f.recent_in:
        return f"{_count(recent, 'email')} both ways {since}"
    if f.recent_out:
        return f"{_count(recent, 'email')} sent {since}, none received"
    if f.recent_in:
        return f"{_count(recent, 'email')} received {since}, none sent"
    total = f.emails_out + f.emails_in
    if f.emails_out and f.emails_in:
        return f"{_count(total, 'email')} both ways in all, none {since}"
    if total:
        return f"{_count(total, 'email')} in all, none {since}"
    return ""


def _meetings(f: TieFacts) -> str:
    if not f.meetings:
        return ""
    words = _count(f.meetings, "meeting")
    if f.meetings_one_on_one == f.meetings:
        words += " (1:1)"
    elif f.meetings_one_on_one:
        words += f" ({f.meetings_one_on_one} of them 1:1)"
    return words + _last_suffix(f, f.last_meeting_at)


def _calls(f: TieFacts) -> str:
    if not f.calls:
        return ""
    minutes = round(f.call_seconds / 60)
    length = f"{minutes} min" if minutes else "under a minute"
    words = f"{_count(f.calls, 'call')}, {length}" + (" in all" if f.calls > 1 else "")
    return words + _last_suffix(f, f.last_call_at)


def _last_suffix(f: TieFacts, last: datetime | None) -> str:
    # Counts are all time; say when the latest one was once it is older than the mail window.
    if last is None or last.date() >= f.window_start:
        return ""
    return f", the last {ago(f.as_of, last)}"


def _share(value: float) -> str:
    percent = round(100 * value)
    return "under 1%" if percent < 1 else f"{percent}%"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def span(length: timedelta) -> str:
    """A duration in the unit a person would say: days, months or years (rounded down)."""
    days = length.days
    if days < 60:
        return _count(days, "day")
    if days < 730:
        return _count(int(days // 30.44), "month")
    return _count(int(days // 365.25), "year")


def ago(as_of: datetime, moment: datetime) -> str:
    """How long before `as_of` a moment was: "today", "yesterday", "6 days ago"."""
    days = (as_of - moment).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{span(as_of - moment)} ago"
