"""Nurture rules: which contacts are warming or one-sided, which connections are cooling off."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from tiegraph.core.reasons import span
from tiegraph.core.strength import Label, Touch, score_touches

__all__ = [
    "DEFAULT_NURTURE",
    "Kind",
    "NurtureParams",
    "Suggestion",
    "TieActivity",
    "classify",
    "cooling_reason",
    "one_sided_reason",
    "suggest",
]

Kind = Literal["warming", "one_sided", "cooling"]

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class NurtureParams:
    """Every threshold of the rules; docs/nurture.md says why each has its value."""

    lookback_days: int = 365
    """Touches older than this are not read: the cooling rhythm is a year's, the rest shorter."""

    max_participants: int = 8
    """An email to more recipients, or a meeting with more attendees, is broadcast, not
    engagement: it counts for no rule (it still counts, discounted, in the tie's score)."""

    recent_days: int = 30
    """Warming: the recent window, a month."""

    baseline_days: int = 90
    """Warming: the window before the recent one that sets the tie's usual monthly rate."""

    warming_min_touches: int = 3
    """Warming: at least this many touches in the recent window."""

    warming_ratio: float = 2.0
    """Warming: recent touches at least this multiple of the usual monthly rate."""

    warming_min_days: int = 2
    """Warming: on at least this many days, so that one busy thread is not a trend."""

    warming_labels: tuple[Label, ...] = ("good", "weak")
    """Warming: the tie's label when the recent window began: not yet strong."""

    one_sided_days: int = 90
    """One-sided: the window, a quarter."""

    one_sided_min_in: int = 3
    """One-sided: the person wrote, invited or called at least this many times."""

    one_sided_answer_share: float = 1 / 3
    """One-sided: the member answered at most this share of the person's touches."""

    cooling_labels: tuple[Label, ...] = ("strong", "good")
    """Cooling: the tie's label at its last contact: a connection worth keeping."""

    cooling_min_days: int = 4
    """Cooling: times in touch needed to know a tie's rhythm (touches within
    `cooling_episode_hours` of the one before are one time in touch)."""

    cooling_episode_hours: float = 12.0
    """Cooling: a touch this soon after the one before belongs to the same time in touch (a
    reply that evening, across midnight or in another time zone, is not a second day)."""

    cooling_min_span_days: int = 60
    """Cooling: those days span at least this long: a habit of two months, not one busy week."""

    cooling_factor: float = 2.0
    """Cooling: silent for longer than this multiple of the tie's rhythm: the mean gap between
    times in touch (not the median: threads spill over two or three days, so the median
    gap of a tie that talks every week or two in short bursts is one day)."""

    cooling_min_silence_days: int = 21
    """Cooling: and silent for longer than this many days, whatever the rhythm."""


DEFAULT_NURTURE = NurtureParams()


@dataclass(frozen=True, slots=True)
class TieActivity:
    """One tie of one member as the rules read it: the person's first name and the touches."""

    person_id: int
    first_name: str  # in reasons: "Jane wrote 5 times"; "" reads "They"
    touches: tuple[Touch, ...]
    explicit: bool = False  # the person is in the member's contacts


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What to do about one tie, why, and how urgent it is (priority 0-100, higher first)."""

    person_id: int
    kind: Kind
    reason: str
    priority: int
    # What a stored suggestion needs to be worded again later (services/activity/nurture_store.py):
    # one-sided, the reason after the person's name; cooling, the last contact and the rhythm.
    words: str = ""
    last_at: datetime | None = None
    rhythm_days: float = 0.0


def suggest(
    ties: Iterable[TieActivity], as_of: datetime, params: NurtureParams = DEFAULT_NURTURE
) -> list[Suggestion]:
    """At most one suggestion per tie, highest priority first (then by person id)."""
    found = [s for t in ties if (s := classify(t, as_of, params)) is not None]
    found.sort(key=lambda s: (-s.priority, s.person_id))
    return found


def classify(
    tie: TieActivity, as_of: datetime, params: NurtureParams = DEFAULT_NURTURE
) -> Suggestion | None:
    """The tie's suggestion as of a moment, from its touches before it, or None.

    The kinds are tried in this order, the first that holds wins: one-sided (someone waits for
    an answer), cooling (a connection being lost), warming (a contact becoming a connection).
    """
    if as_of.tzinfo is None:
        raise ValueError(f"as_of must be timezone-aware, got {as_of.isoformat()}")
    start = as_of - params.lookback_days * _DAY
    window = sorted((t for t in tie.touches if start <= t.at < as_of), key=lambda t: t.at)
    engaged = [t for t in window if t.participants <= params.max_participants]
    if not engaged:
        return None
    return (
        _one_sided(tie, engaged, as_of, params)
        or _cooling(tie, window, engaged, as_of, params)
        or _warming(tie, window, engaged, as_of, params)
    )


def _since(touches: Sequence[Touch], moment: datetime) -> list[Touch]:
    return [t for t in touches if t.at >= moment]


def _day(touch: Touch) -> date:
    return touch.at.astimezone(UTC).date()


def _episode_starts(touches: Sequence[Touch], hours: float) -> list[datetime]:
    """When each time in touch began: a touch within `hours` of the one before continues it."""
    starts: list[datetime] = []
    previous: datetime | None = None
    for at in sorted(t.at for t in touches):
        if previous is None or at - previous > timedelta(hours=hours):
            starts.append(at)
        previous = at
    return starts


def _one_sided(
    tie: TieActivity, engaged: Sequence[Touch], as_of: datetime, params: NurtureParams
) -> Suggestion | None:
    recent = _since(engaged, as_of - params.one_sided_days * _DAY)
    inbound = [t for t in recent if t.direction == "in"]
    answers = len(recent) - len(inbound)
    if len(inbound) < params.one_sided_min_in:
        return None
    if answers > len(inbound) * params.one_sided_answer_share:
        return None
    words = f"{_inbound_words(inbound)} in {params.one_sided_days} days; {_answered(answers)}"
    unanswered = 1.0 - answers / len(inbound)
    priority = min(10.0 * len(inbound), 100.0) * unanswered
    reason = one_sided_reason(tie.first_name, words)
    return Suggestion(tie.person_id, "one_sided", reason, _bounded(priority), words=words)


def one_sided_reason(first_name: str, words: str) -> str:
    """A one-sided reason: the person's first name ("They" without one), then what they did."""
    return f"{first_name.strip() or 'They'} {words}"


def cooling_reason(rhythm_days: float, silence: timedelta) -> str:
    """A cooling reason: the tie's usual rhythm and how long it has been silent."""
    every = "every day" if rhythm_days < 1.5 else f"every {span(round(rhythm_days) * _DAY)}"
    return f"usually in touch {every}; silent for {span(silence)}"


def _inbound_words(inbound: Sequence[Touch]) -> str:
    emails = sum(t.channel == "email" for t in inbound)
    meetings = sum(t.channel == "meeting" for t in inbound)
    calls = sum(t.channel == "call" for t in inbound)
    parts = []
    if emails:
        parts.append(f"wrote {_times(emails)}")
    if meetings:
        parts.append(f"invited you to {_count(meetings, 'meeting')}")
    if calls:
        parts.append(f"called {_times(calls)}")
    return _joined(parts)


def _answered(answers: int) -> str:
    return "you did not answer" if answers == 0 else f"you answered {_times(answers)}"


def _cooling(
    tie: TieActivity,
    window: Sequence[Touch],
    engaged: Sequence[Touch],
    as_of: datetime,
    params: NurtureParams,
) -> Suggestion | None:
    starts = _episode_starts(engaged, params.cooling_episode_hours)
    spanned = (starts[-1] - starts[0]) / _DAY
    if len(starts) < params.cooling_min_days or spanned < params.cooling_min_span_days:
        return None
    rhythm = spanned / (len(starts) - 1)
    allowed = max(params.cooling_factor * rhythm, float(params.cooling_min_silence_days))
    last = engaged[-1].at
    silence = (as_of - last) / _DAY
    if silence <= allowed:
        return None
    # The tie as it was when last in touch: silence has since decayed its score.
    then = score_touches(
        [t for t in window if t.at <= last], last + _TICK, explicit_connection=tie.explicit
    )
    if then.label not in params.cooling_labels:
        return None
    reason = cooling_reason(rhythm, as_of - last)
    # What is still at stake (today's score) times how overdue: a tie long gone ranks low.
    now = score_touches(window, as_of, explicit_connection=tie.explicit)
    priority = now.score * min(silence / allowed, 2.0) / 2.0
    return Suggestion(
        tie.person_id, "cooling", reason, _bounded(priority), last_at=last, rhythm_days=rhythm
    )


def _warming(
    tie: TieActivity,
    window: Sequence[Touch],
    engaged: Sequence[Touch],
    as_of: datetime,
    params: NurtureParams,
) -> Suggestion | None:
    began = as_of - params.recent_days * _DAY
    recent = _since(engaged, began)
    if len(recent) < params.warming_min_touches:
        return None
    if len({_day(t) for t in recent}) < params.warming_min_days:
        return None
    if not _both_sides(recent):
        return None
    before = [t for t in _since(engaged, began - params.baseline_days * _DAY) if t.at < began]
    monthly = len(before) * params.recent_days / params.baseline_days
    if len(recent) < params.warming_ratio * monthly:
        return None
    then = score_touches(window, began, explicit_connection=tie.explicit)
    if then.label not in params.warming_labels:
        return None
    reason = (
        f"warming: {_channel_words(recent)} in the last {params.recent_days} days, "
        f"{_up_from(len(before), monthly, params.baseline_days)}"
    )
    growth = len(recent) / max(monthly, 1.0) / (2.0 * params.warming_ratio)
    priority = min(10.0 * len(recent), 100.0) * min(growth, 1.0)
    return Suggestion(tie.person_id, "warming", reason, _bounded(priority))


def _both_sides(touches: Sequence[Touch]) -> bool:
    """Both sides took part: mail each way, or a meeting or call (they take both)."""
    if any(t.channel != "email" for t in touches):
        return True
    return {t.direction for t in touches} == {"out", "in"}


def _channel_words(touches: Sequence[Touch]) -> str:
    parts = []
    for channel in ("email", "meeting", "call"):
        n = sum(t.channel == channel for t in touches)
        if n:
            parts.append(_count(n, channel))
    return _joined(parts)


def _up_from(before: int, monthly: float, baseline_days: int) -> str:
    if before == 0:
        return f"none in the {baseline_days} days before"
    if round(monthly) >= 1:
        return f"up from about {round(monthly)} a month"
    return f"up from {before} in the {baseline_days} days before"


def _joined(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _bounded(priority: float) -> int:
    return min(max(round(priority), 0), 100)
