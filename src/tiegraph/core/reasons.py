"""The reasons behind a tie's strength, in words a seller would believe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

__all__ = ["Reason", "ReasonKind", "TieFacts", "ago", "describe", "explain", "span"]

ReasonKind = Literal[
    "email", "meeting", "call", "member_quiet", "in_contacts", "known_for", "last_contact"
]
Direction = Literal["both", "out", "in"]

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
    pace_points: int = 0  # what that pace takes off the score
    quiet_below: float = 0.5  # under this pace, "quieter"; above it, "a little less active"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason as data, for clients that show it their own way; `text` is its sentence.

    `count` is how many emails, meetings or calls (None for the other kinds); `since` the first
    day the count covers (None: all time) or, for `known_for`, the first touch; `direction`
    who wrote (mail only: both, out = the member, in = the person); `last_at` the latest
    touch of that kind; `share` the member's pace against their usual (`member_quiet`);
    `seconds` the calls' total length; `one_on_one` how many meetings were 1:1; `points` what
    the member's pace takes off the score."""

    kind: ReasonKind
    text: str
    count: int | None = None
    direction: Direction | None = None
    since: date | None = None
    last_at: datetime | None = None
    share: float | None = None
    seconds: int | None = None
    one_on_one: int | None = None
    points: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the CLI and the API (`reasons`): every key, always."""
        return {
            "kind": self.kind,
            "text": self.text,
            "count": self.count,
            "direction": self.direction,
            "since": self.since.isoformat() if self.since else None,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "share": self.share,
            "seconds": self.seconds,
            "one_on_one": self.one_on_one,
            "points": self.points,
        }


def said(kind: str, text: str) -> list[dict[str, Any]]:
    """A reason known only in words (a company connection's, a hop's, a nurture suggestion's)
    in the JSON shape of `Reason.as_dict`: `kind` and `text`, every other key null."""
    if not text:
        return []
    keys = ("count", "direction", "since", "last_at", "share", "seconds", "one_on_one", "points")
    return [{"kind": kind, "text": text, **dict.fromkeys(keys)}]


def describe(facts: TieFacts) -> tuple[str, ...]:
    """Reasons, most telling first: mail, meetings, calls, the colleague gone quiet, contacts,
    tie age, last contact."""
    return tuple(r.text for r in explain(facts))


def explain(facts: TieFacts) -> tuple[Reason, ...]:
    """The reasons of `describe` as data, in the same order, each with its sentence."""
    reasons = [_mail_reason(facts), _meetings(facts), _calls(facts)]
    if facts.member_pace is not None:
        reasons.append(_quiet(facts.member_pace, facts.pace_points, facts.quiet_below))
    if facts.explicit:
        reasons.append(Reason("in_contacts", "in their contacts"))
    if facts.first_at is not None and (facts.as_of - facts.first_at).days >= 30:
        text = f"known for {span(facts.as_of - facts.first_at)}"
        reasons.append(Reason("known_for", text, since=facts.first_at.date()))
    if facts.last_at is not None:
        text = f"last contact {ago(facts.as_of, facts.last_at)}"
        reasons.append(Reason("last_contact", text, last_at=facts.last_at))
    return tuple(r for r in reasons if r is not None)


def _quiet(pace: float, points: int, quiet_below: float) -> Reason:
    share = _share(pace)
    if pace < quiet_below:
        text = f"quieter than colleagues lately: {share} of their usual activity"
    else:
        text = f"a little less active than colleagues lately: {share} of their usual pace"
    if points:
        text += f" ({_count(points, 'point')} off)"
    return Reason("member_quiet", text, share=round(pace, 4), points=points)


def _mail_reason(f: TieFacts) -> Reason | None:
    text = _mail(f)
    if not text:
        return None
    one_way = not (f.meetings or f.calls) and not (f.emails_out and f.emails_in)
    recent = (f.recent_out + f.recent_in) > 0 and not one_way
    outs, ins = (f.recent_out, f.recent_in) if recent else (f.emails_out, f.emails_in)
    direction: Direction = "both" if outs and ins else "out" if outs else "in"
    return Reason(
        "email",
        text,
        count=outs + ins,
        direction=direction,
        since=f.window_start if recent else None,
    )


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


def _meetings(f: TieFacts) -> Reason | None:
    if not f.meetings:
        return None
    words = _count(f.meetings, "meeting")
    if f.meetings_one_on_one == f.meetings:
        words += " (1:1)"
    elif f.meetings_one_on_one:
        words += f" ({f.meetings_one_on_one} of them 1:1)"
    text = words + _last_suffix(f, f.last_meeting_at)
    return Reason(
        "meeting",
        text,
        count=f.meetings,
        last_at=f.last_meeting_at,
        one_on_one=f.meetings_one_on_one,
    )


def _calls(f: TieFacts) -> Reason | None:
    if not f.calls:
        return None
    minutes = round(f.call_seconds / 60)
    length = f"{minutes} min" if minutes else "under a minute"
    words = f"{_count(f.calls, 'call')}, {length}" + (" in all" if f.calls > 1 else "")
    text = words + _last_suffix(f, f.last_call_at)
    return Reason("call", text, count=f.calls, last_at=f.last_call_at, seconds=f.call_seconds)


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
