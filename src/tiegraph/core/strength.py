"""Tie strength: an incremental per-tie state, its 0–100 score, label and reasons."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Literal

from tiegraph.core.reasons import Reason, TieFacts, explain
from tiegraph.core.strength_params import DEFAULT_PARAMS, StrengthParams

__all__ = [
    "DEFAULT_PARAMS",
    "Label",
    "StrengthParams",
    "TieFold",
    "TieScore",
    "TieState",
    "Touch",
    "apply",
    "fold",
    "from_columns",
    "label_of",
    "needs_rebuild",
    "pace_factor",
    "score",
    "score_touches",
    "shown",
    "strength",
    "to_columns",
]

Channel = Literal["email", "meeting", "call"]
Direction = Literal["out", "in"]
Label = Literal["strong", "good", "weak"]

_DAY = 86_400.0
WEEKS = 52  # the regularity window: how many weeks `TieState.active_weeks` remembers
MONTHS = 3  # the reasons' mail window: this calendar month and the two before it


@dataclass(frozen=True, slots=True)
class Touch:
    """One interaction of a tie: one email, meeting or call between a member and a person."""

    at: datetime  # timezone-aware
    channel: Channel
    direction: Direction  # out: the member sent, organized or called; in: the person did
    participants: int  # email: To+Cc recipients incl. this person; meeting: attendees; call: 1
    duration_seconds: int = 0  # meetings and calls
    thread_reply: bool = False  # answers an earlier message of the other side


@dataclass(frozen=True, slots=True)
class TieState:
    """Everything needed to score one tie, foldable one touch at a time, in any order.

    Decayed sums are kept as of `last_at` (the reference time): a newer touch first rescales
    them to its own time, an older one is added already decayed to `last_at`. Both are exact,
    so the state does not depend on arrival order. Each field is one stored column.
    """

    model: str = ""  # StrengthParams.fingerprint() of the parameters that shaped the sums
    first_at: datetime | None = None  # first touch: how long they have known each other
    last_at: datetime | None = None  # last touch, and the reference time of the sums
    last_out_at: datetime | None = None  # last touch by the member
    last_in_at: datetime | None = None  # last touch by the person
    email_out: float = 0.0  # decayed weighted volume per channel and direction, at last_at
    email_in: float = 0.0
    meeting_out: float = 0.0
    meeting_in: float = 0.0
    call_out: float = 0.0
    call_in: float = 0.0
    emails_out: int = 0  # all-time counts, for the reasons
    emails_in: int = 0
    meetings: int = 0
    meetings_one_on_one: int = 0  # two participants: the member and the person
    calls: int = 0
    call_seconds: int = 0
    last_meeting_at: datetime | None = None
    last_call_at: datetime | None = None
    # Emails per calendar month, index 0 = the month of last_at, then the months before it:
    # exact "since 1 March" counts at any as_of after last_at, for six small integers.
    recent_out: tuple[int, int, int] = (0, 0, 0)
    recent_in: tuple[int, int, int] = (0, 0, 0)
    # Bit k set: a touch in the k-th week (Monday-based, UTC) before the week of last_at.
    active_weeks: int = 0


@dataclass(frozen=True, slots=True)
class TieScore:
    score: int  # 0..100
    label: Label
    reasons: tuple[str, ...]
    strength: float = 0.0  # unrounded: orders ties whose scores are equal
    reason_items: tuple[Reason, ...] = ()  # the reasons as data, in the same order


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")


def _decay(days: float, params: StrengthParams) -> float:
    return math.pow(0.5, days / params.half_life_days)


def _month(moment: datetime) -> int:
    utc = moment.astimezone(UTC)
    return utc.year * 12 + utc.month - 1


def _week(moment: datetime) -> int:
    # 1970-01-01 was a Thursday: +3 days puts week boundaries on Mondays.
    return (math.floor(moment.timestamp() / _DAY) + 3) // 7


def touch_weight(touch: Touch, params: StrengthParams = DEFAULT_PARAMS) -> float:
    """How much one touch adds to its channel's volume, before decay."""
    if touch.channel == "email":
        weight = math.pow(max(touch.participants, 1), -params.mass_mail_exponent)
    elif touch.channel == "meeting":
        # Half an hour is the unit; longer meetings count more, but a day-long one not 48 times.
        length = math.sqrt(min(max(touch.duration_seconds, 900), 7_200) / 1_800)
        others = max(touch.participants - 1, 1)
        weight = params.meeting_weight * length * math.pow(others, -params.meeting_size_exponent)
    else:
        # An unanswered or very short call still counts a little, like a one-line email.
        length = math.sqrt(min(touch.duration_seconds, 3_600) / 600)
        weight = max(params.call_weight * length, 1.0)
    return weight * (1.0 + params.reply_bonus) if touch.thread_reply else weight


def apply(state: TieState, touch: Touch, params: StrengthParams = DEFAULT_PARAMS) -> TieState:
    """The state with one more touch folded in; touches may arrive in any order."""
    return fold(state, (touch,), params)


def fold(
    state: TieState, touches: Iterable[Touch], params: StrengthParams = DEFAULT_PARAMS
) -> TieState:
    """The state with every touch folded in, in any order: the same as `apply` one by one."""
    acc = TieFold(state, params)
    for touch in touches:
        acc.add(touch)
    return acc.state() if acc.added else state


_SUM_NAMES = ("email_out", "email_in", "meeting_out", "meeting_in", "call_out", "call_in")
_SUM_BASE = {"email": 0, "meeting": 2, "call": 4}  # index of the channel's _out sum; _in next
_WEEK_MASK = (1 << WEEKS) - 1


class TieFold:
    """A TieState being folded touch by touch (`fold` without a frozen copy per touch).

    Kept in plain attributes, with the week and month of `last_at` beside it. An ingest folds
    one Touch into several ties (one message, several recipients): the last touch's moment
    and weight are remembered across folds, and email weights per shape.
    """

    def __init__(
        self, state: TieState | None = None, params: StrengthParams = DEFAULT_PARAMS
    ) -> None:
        state = state or TieState()
        self.params, self.added = params, 0
        self.first_at, self.last_at = state.first_at, state.last_at
        self.last_out_at, self.last_in_at = state.last_out_at, state.last_in_at
        self.sums = [float(getattr(state, name)) for name in _SUM_NAMES]
        self.emails_out, self.emails_in = state.emails_out, state.emails_in
        self.meetings, self.meetings_one_on_one = state.meetings, state.meetings_one_on_one
        self.calls, self.call_seconds = state.calls, state.call_seconds
        self.last_meeting_at, self.last_call_at = state.last_meeting_at, state.last_call_at
        self.recent_out, self.recent_in = list(state.recent_out), list(state.recent_in)
        self.weeks = state.active_weeks
        self._last = _moment(state.last_at) if state.last_at else (0.0, 0, 0)

    def add(self, touch: Touch) -> None:
        global _recent
        recent = _recent  # read once: another thread may replace it
        if touch is recent[0] and self.params is recent[1]:
            moment, weight = recent[2], recent[3]
        else:
            _aware(touch.at, "Touch.at")
            moment, weight = _moment(touch.at), _weight(touch, self.params)
            _recent = (touch, self.params, moment, weight)
        at, last, channel, out = touch.at, self.last_at, touch.channel, touch.direction == "out"
        if last is None or at > last:
            if last is not None:
                self._advance(moment)
            self.last_at = at
            self._last = moment
        else:
            weight *= math.pow(0.5, (self._last[0] - moment[0]) / _DAY / self.params.half_life_days)
        self.sums[_SUM_BASE[channel] + (not out)] += weight
        age = self._last[1] - moment[1]
        if age < WEEKS:
            self.weeks |= 1 << age
        if self.first_at is None or at < self.first_at:
            self.first_at = at
        if out:
            if self.last_out_at is None or at > self.last_out_at:
                self.last_out_at = at
        elif self.last_in_at is None or at > self.last_in_at:
            self.last_in_at = at
        months_back = self._last[2] - moment[2]
        if channel != "email":
            self._count_talk(touch)
        elif out:
            self.emails_out += 1
            if months_back < MONTHS:
                self.recent_out[months_back] += 1
        else:
            self.emails_in += 1
            if months_back < MONTHS:
                self.recent_in[months_back] += 1
        self.added += 1

    def _advance(self, moment: tuple[float, int, int]) -> None:
        """Bring the sums, monthly counts and weeks from `last_at` forward to a newer touch."""
        seconds, week, month = self._last
        factor = math.pow(0.5, (moment[0] - seconds) / _DAY / self.params.half_life_days)
        self.sums = [value * factor for value in self.sums]
        if moment[2] != month:
            self.recent_out = _shift(self.recent_out, moment[2] - month)
            self.recent_in = _shift(self.recent_in, moment[2] - month)
        if moment[1] != week:
            self.weeks = (self.weeks << (moment[1] - week)) & _WEEK_MASK

    def _count_talk(self, touch: Touch) -> None:
        if touch.channel == "meeting":
            self.meetings += 1
            self.meetings_one_on_one += touch.participants <= 2
            self.last_meeting_at = _latest(self.last_meeting_at, touch.at)
        else:
            self.calls += 1
            self.call_seconds += max(touch.duration_seconds, 0)
            self.last_call_at = _latest(self.last_call_at, touch.at)

    def state(self) -> TieState:
        sums = self.sums
        return TieState(
            model=_fingerprint(self.params),
            first_at=self.first_at,
            last_at=self.last_at,
            last_out_at=self.last_out_at,
            last_in_at=self.last_in_at,
            email_out=sums[0],
            email_in=sums[1],
            meeting_out=sums[2],
            meeting_in=sums[3],
            call_out=sums[4],
            call_in=sums[5],
            emails_out=self.emails_out,
            emails_in=self.emails_in,
            meetings=self.meetings,
            meetings_one_on_one=self.meetings_one_on_one,
            calls=self.calls,
            call_seconds=self.call_seconds,
            last_meeting_at=self.last_meeting_at,
            last_call_at=self.last_call_at,
            recent_out=(self.recent_out[0], self.recent_out[1], self.recent_out[2]),
            recent_in=(self.recent_in[0], self.recent_in[1], self.recent_in[2]),
            active_weeks=self.weeks,
        )


def _moment(at: datetime) -> tuple[float, int, int]:
    """(POSIX seconds, week, month) of a moment, as `_week` and `_month` number them."""
    seconds = at.timestamp()
    utc = at.astimezone(UTC)
    return seconds, (math.floor(seconds / _DAY) + 3) // 7, utc.year * 12 + utc.month - 1


# The last touch folded: (touch, params, its moment, its weight).
_recent: tuple[Touch | None, StrengthParams | None, tuple[float, int, int], float] = (
    None,
    None,
    (0.0, 0, 0),
    0.0,
)
_email_weights: dict[tuple[int, bool], float] = {}  # default parameters: few shapes


def _weight(touch: Touch, params: StrengthParams) -> float:
    if touch.channel != "email" or params is not DEFAULT_PARAMS:
        return touch_weight(touch, params)
    key = (touch.participants, touch.thread_reply)
    weight = _email_weights.get(key)
    if weight is None:
        weight = _email_weights[key] = touch_weight(touch, params)
    return weight


@lru_cache(maxsize=8)
def _fingerprint(params: StrengthParams) -> str:
    return params.fingerprint()


def _shift(months: list[int], by: int) -> list[int]:
    return ([0] * min(by, MONTHS) + months)[:MONTHS]


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


# --- scoring -------------------------------------------------------------------------------


def strength(
    state: TieState,
    as_of: datetime,
    *,
    explicit_connection: bool = False,
    params: StrengthParams = DEFAULT_PARAMS,
    pace: float = 1.0,
) -> float:
    """The unbounded strength behind the score (0 for no touches and no explicit connection).

    `pace` is the member's recent pace over their usual (core/member_activity.py): under 1, it
    scales what the interactions add, not the explicit connection (a contact stays a contact
    while its owner is away)."""
    _aware(as_of, "as_of")
    value = 0.0
    if state.last_at is not None and state.first_at is not None:
        as_of = max(as_of, state.last_at)
        decay = _decay((as_of - state.last_at).total_seconds() / _DAY, params)
        mail = (state.email_out + state.email_in) * _reciprocity(state, params)
        talk = state.meeting_out + state.meeting_in + state.call_out + state.call_in
        value = decay * (mail + talk)
        active = _active_weeks(state, as_of, params.regularity_weeks)
        value *= 1.0 + params.regularity_weight * active / params.regularity_weeks
        known = (as_of - state.first_at).total_seconds() / _DAY
        value *= 1.0 + params.age_weight * min(known / params.age_full_days, 1.0)
        value *= pace_factor(pace, params)
    if explicit_connection:
        value += params.explicit_bonus
    return value


def _reciprocity(state: TieState, params: StrengthParams) -> float:
    """1 for a tie both sides keep up, down to `one_way_floor` for mail nobody ever answers."""
    if state.meetings or state.calls:
        return 1.0  # a meeting or a call takes both sides
    busier, quieter = max(state.emails_out, state.emails_in), min(state.emails_out, state.emails_in)
    if busier == 0:
        return 1.0
    answered = min(quieter / busier / params.answered_share, 1.0)
    return params.one_way_floor + (1.0 - params.one_way_floor) * answered


def _active_weeks(state: TieState, as_of: datetime, window: int) -> int:
    """Weeks with a touch among the `window` weeks up to and including the week of `as_of`."""
    if state.last_at is None:
        return 0
    shift = _week(as_of) - _week(state.last_at)
    if shift >= window:
        return 0
    return (state.active_weeks & ((1 << (window - shift)) - 1)).bit_count()


def label_of(value: int, params: StrengthParams = DEFAULT_PARAMS) -> Label:
    """strong, good or weak: monotone in the score."""
    if value >= params.strong_at:
        return "strong"
    return "good" if value >= params.good_at else "weak"


def score(
    state: TieState,
    as_of: datetime,
    *,
    explicit_connection: bool = False,
    params: StrengthParams = DEFAULT_PARAMS,
    pace: float = 1.0,
) -> TieScore:
    """Score, label and reasons of a tie as of a moment.

    `as_of` earlier than the last touch is read as the last touch: a state cannot forget
    touches; for a view of the past, use `score_touches` on the touches before that moment.
    `pace`: the member's recent pace over their usual, 1 when unknown (see `strength`).
    """
    raw = strength(state, as_of, explicit_connection=explicit_connection, params=params, pace=pace)
    value = _bounded(raw, params)
    off = 0  # points the member's pace takes off: the reasons say so whenever it takes any
    if pace < 1.0 and state.last_at is not None:
        full = strength(state, as_of, explicit_connection=explicit_connection, params=params)
        off = _bounded(full, params) - value
    if state.last_at is not None:
        as_of = max(as_of, state.last_at)
    shown = state.last_at is not None and (pace < params.quiet_below or off > 0)
    facts = _facts(state, as_of, explicit_connection, pace if shown else None, off)
    items = explain(replace(facts, quiet_below=params.quiet_below))
    return TieScore(value, label_of(value, params), tuple(r.text for r in items), raw, items)


def _bounded(raw: float, params: StrengthParams) -> int:
    # Hyperbolic, not 1 - exp: busy ties keep distinct scores instead of all reading 100,
    # and who-knows orders equal scores by name. Halves round up, as SQL's floor(x + 0.5)
    # does (services/activity/tie_scores.py `shown_sql`), not to even as round() does.
    return min(max(math.floor(100.0 * raw / (raw + params.scale) + 0.5), 0), 100)


def pace_factor(pace: float, params: StrengthParams = DEFAULT_PARAMS) -> float:
    """What a member's pace multiplies their ties' interactions by: min(pace, 1) ** weight."""
    return math.pow(min(max(pace, 0.0), 1.0), params.activity_weight)


def shown(
    volume: float, factor: float, explicit: bool, params: StrengthParams = DEFAULT_PARAMS
) -> tuple[int, Label, float]:
    """Score, label and strength of a tie from its stored pace-free `volume` (what `strength`
    gives without pace and explicit bonus) and its member's stored pace `factor`: the same
    arithmetic as `strength`, so the same number, and the one a SQL expression can repeat."""
    raw = volume * factor + (params.explicit_bonus if explicit else 0.0)
    value = _bounded(raw, params)
    return value, label_of(value, params), raw


def score_touches(
    touches: Iterable[Touch],
    as_of: datetime,
    *,
    explicit_connection: bool = False,
    params: StrengthParams = DEFAULT_PARAMS,
    pace: float = 1.0,
) -> TieScore:
    """Score a tie from its raw touches, folding only those strictly before `as_of`."""
    _aware(as_of, "as_of")
    before = [t for t in touches if _before(t, as_of)]
    state = fold(TieState(), sorted(before, key=lambda t: t.at), params)
    return score(state, as_of, explicit_connection=explicit_connection, params=params, pace=pace)


def _before(touch: Touch, as_of: datetime) -> bool:
    _aware(touch.at, "Touch.at")  # before comparing: a naive time would raise TypeError
    return touch.at < as_of


def _facts(
    state: TieState, as_of: datetime, explicit: bool, quiet: float | None, off: int = 0
) -> TieFacts:
    month = _month(as_of) - (MONTHS - 1)
    start = date(month // 12, month % 12 + 1, 1)
    shift = _month(as_of) - _month(state.last_at) if state.last_at else MONTHS
    kept = max(MONTHS - shift, 0)
    return TieFacts(
        as_of=as_of,
        window_start=start,
        recent_out=sum(state.recent_out[:kept]),
        recent_in=sum(state.recent_in[:kept]),
        emails_out=state.emails_out,
        emails_in=state.emails_in,
        meetings=state.meetings,
        meetings_one_on_one=state.meetings_one_on_one,
        last_meeting_at=state.last_meeting_at,
        calls=state.calls,
        call_seconds=state.call_seconds,
        last_call_at=state.last_call_at,
        first_at=state.first_at,
        last_at=state.last_at,
        explicit=explicit,
        member_pace=quiet,
        pace_points=off,
    )


def needs_rebuild(state: TieState, params: StrengthParams = DEFAULT_PARAMS) -> bool:
    """True when the state's sums were shaped by other parameters: refold its touches."""
    return state.last_at is not None and state.model != params.fingerprint()


# --- columns -------------------------------------------------------------------------------

_TIMES = ("first_at", "last_at", "last_out_at", "last_in_at", "last_meeting_at", "last_call_at")
_FLOATS = ("email_out", "email_in", "meeting_out", "meeting_in", "call_out", "call_in")
_INTS = ("emails_out", "emails_in", "meetings", "meetings_one_on_one", "calls", "call_seconds")
_MONTHLY = ("recent_out", "recent_in")


def to_columns(state: TieState) -> dict[str, float | int | str | None]:
    """The state as flat columns: ISO times, floats, integers (monthly counts as _0.._2)."""
    columns: dict[str, float | int | str | None] = {"model": state.model}
    for name in _TIMES:
        moment: datetime | None = getattr(state, name)
        columns[name] = moment.isoformat() if moment else None
    columns.update({name: float(getattr(state, name)) for name in _FLOATS})
    columns.update({name: int(getattr(state, name)) for name in _INTS})
    for name in _MONTHLY:
        for i, count in enumerate(getattr(state, name)):
            columns[f"{name}_{i}"] = count
    columns["active_weeks"] = state.active_weeks
    return columns


def from_columns(columns: Mapping[str, object]) -> TieState:
    """The state `to_columns` wrote; missing columns (an empty tie) take their defaults.

    Raises ValueError for a value of the wrong kind: stored state is ours, never user input.
    """
    values: dict[str, object] = {"model": str(columns.get("model") or "")}
    for name in _TIMES:
        text = columns.get(name)
        values[name] = _time(text) if text else None
    for name in _FLOATS:
        values[name] = float(_number(columns.get(name, 0.0), name))
    for name in (*_INTS, "active_weeks"):
        values[name] = int(_number(columns.get(name, 0), name))
    for name in _MONTHLY:
        counts = [int(_number(columns.get(f"{name}_{i}", 0), name)) for i in range(MONTHS)]
        values[name] = (counts[0], counts[1], counts[2])
    return TieState(**values)  # type: ignore[arg-type]


def _time(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"tie state column {name}: not a number: {value!r}")
    return float(value)
