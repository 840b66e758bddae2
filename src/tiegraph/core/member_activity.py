"""A member's recent activity against their usual: a colleague gone quiet is a worse introducer.

A colleague who has left, is on leave or changed role stops mailing and meeting everyone at
once, while each of their ties still shows its past. Their pace compares all their
interactions of the last week or so with their last quarter's; taken against the median
colleague's pace (a holiday season quiets everyone), it scales every tie of theirs when
who-knows ranks colleagues as introducers.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from tiegraph.core.strength import DEFAULT_PARAMS, StrengthParams, Touch, touch_weight

__all__ = [
    "DaySums",
    "MemberActivity",
    "MemberFold",
    "activity_fingerprint",
    "activity_from_columns",
    "activity_to_columns",
    "day_of",
    "day_sums",
    "fold_activity",
    "median_pace",
    "pace",
    "pace_from_days",
    "pace_later",
    "relative",
    "weight_of",
]

_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class MemberActivity:
    """Decayed volume of all of one member's interactions, as of `last_at`; folds in any order.

    Both sums weigh a touch as a tie's volume does (mass mail less, meetings and calls more),
    one with a short half-life (`recent`), one with a long one (`usual`).
    """

    model: str = ""  # activity_fingerprint() of the parameters that shaped the sums
    last_at: datetime | None = None
    recent: float = 0.0
    usual: float = 0.0


def activity_fingerprint(params: StrengthParams = DEFAULT_PARAMS) -> str:
    """Eight hex digits naming the parameters a stored activity's sums depend on."""
    shaping = (
        params.activity_recent_days,
        params.activity_usual_days,
        params.mass_mail_exponent,
        params.reply_bonus,
        params.meeting_weight,
        params.meeting_size_exponent,
        params.call_weight,
    )
    return hashlib.sha1(repr(shaping).encode()).hexdigest()[:8]


class MemberFold:
    """A MemberActivity being folded touch by touch."""

    def __init__(
        self, activity: MemberActivity | None = None, params: StrengthParams = DEFAULT_PARAMS
    ) -> None:
        activity = activity or MemberActivity()
        self.params = params
        self.last_at = activity.last_at
        self.recent, self.usual = activity.recent, activity.usual

    def add(self, touch: Touch) -> None:
        self.add_weight(touch.at, weight_of(touch, self.params))

    def add_weight(self, at: datetime, weight: float) -> None:
        """Fold `weight` of volume at moment `at` (several touches of one moment at once)."""
        if at.tzinfo is None:
            raise ValueError(f"Touch.at must be timezone-aware, got {at.isoformat()}")
        last = self.last_at
        if last is None or at > last:
            if last is not None:
                days = (at - last).total_seconds() / _DAY
                self.recent *= _half(days, self.params.activity_recent_days)
                self.usual *= _half(days, self.params.activity_usual_days)
            self.last_at = at
            self.recent += weight
            self.usual += weight
        else:
            days = (last - at).total_seconds() / _DAY
            self.recent += weight * _half(days, self.params.activity_recent_days)
            self.usual += weight * _half(days, self.params.activity_usual_days)

    def state(self) -> MemberActivity:
        return MemberActivity(
            activity_fingerprint(self.params), self.last_at, self.recent, self.usual
        )


_weights: dict[tuple[int, bool], float] = {}  # emails under the default parameters: few shapes


def weight_of(touch: Touch, params: StrengthParams = DEFAULT_PARAMS) -> float:
    """`touch_weight`, remembered per shape for emails under the default parameters."""
    if touch.channel != "email" or params is not DEFAULT_PARAMS:
        return touch_weight(touch, params)
    key = (touch.participants, touch.thread_reply)
    weight = _weights.get(key)
    if weight is None:
        weight = _weights[key] = touch_weight(touch, params)
    return weight


def fold_activity(
    activity: MemberActivity | None,
    touches: Iterable[Touch],
    params: StrengthParams = DEFAULT_PARAMS,
) -> MemberActivity:
    """The activity with every touch folded in, in any order."""
    acc = MemberFold(activity, params)
    for touch in touches:
        acc.add(touch)
    return acc.state()


def _half(days: float, half_life: float) -> float:
    return math.pow(0.5, days / half_life)


def pace(
    activity: MemberActivity | None, as_of: datetime, params: StrengthParams = DEFAULT_PARAMS
) -> float:
    """The member's recent pace over their usual pace: 1 as busy as usual, 0 silent for long.

    1 when nothing is known: no activity, or one shaped by other parameters (until recomputed).
    A steady rate r decays to r * h / ln 2 under half-life h, so each sum divided by its half-
    life is a rate, and the ratio of the two compares like with like.
    """
    if activity is None or activity.last_at is None or activity.usual <= 0.0:
        return 1.0
    if activity.model != activity_fingerprint(params):
        return 1.0
    days = max((as_of - activity.last_at).total_seconds() / _DAY, 0.0)
    recent = activity.recent * _half(days, params.activity_recent_days)
    usual = activity.usual * _half(days, params.activity_usual_days)
    return (recent / params.activity_recent_days) / (usual / params.activity_usual_days)


@dataclass(frozen=True, slots=True)
class DaySums:
    """One member's volume of one UTC day, each sum carried to the day's start by its
    half-life (a touch at 18:00 counts 2^(0.75 / half-life) there): decayed to any later
    midnight it gives exactly what the touches give, so a pace as of a past date needs one
    row per active day, not every interaction."""

    day: int  # days since 1970-01-01
    recent: float
    usual: float


def day_of(at: datetime) -> int:
    """The UTC day of a moment, as days since 1970-01-01."""
    return math.floor(at.timestamp() / _DAY)


def day_sums(at: datetime, weight: float, params: StrengthParams = DEFAULT_PARAMS) -> DaySums:
    """What `weight` of volume at `at` adds to its day's sums."""
    day = day_of(at)
    into = (at.timestamp() / _DAY) - day
    return DaySums(
        day,
        weight * math.pow(2.0, into / params.activity_recent_days),
        weight * math.pow(2.0, into / params.activity_usual_days),
    )


def pace_from_days(
    days: Iterable[DaySums], as_of_day: int, params: StrengthParams = DEFAULT_PARAMS
) -> float:
    """`pace` as of midnight starting `as_of_day`, from the day sums of the days before it
    (later days are left out); 1 when there are none."""
    recent = usual = 0.0
    for d in days:
        if d.day >= as_of_day:
            continue
        age = as_of_day - d.day
        recent += d.recent * _half(age, params.activity_recent_days)
        usual += d.usual * _half(age, params.activity_usual_days)
    if usual <= 0.0:
        return 1.0
    return (recent / params.activity_recent_days) / (usual / params.activity_usual_days)


def pace_later(value: float, days: float, params: StrengthParams = DEFAULT_PARAMS) -> float:
    """A pace `days` later with no activity in between: both sums decay, at their own rates."""
    exponent = days * (1.0 / params.activity_recent_days - 1.0 / params.activity_usual_days)
    return value * math.pow(0.5, max(exponent, 0.0))


def median_pace(paces: Iterable[float]) -> float:
    """The median colleague's pace (1 when there is none)."""
    values = sorted(paces)
    if not values:
        return 1.0
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def relative(pace_value: float, median: float) -> float:
    """A member's pace against the median colleague's: what a holiday season or a mail feed
    that stopped for everyone does to all alike says nothing about one colleague."""
    return pace_value / median if median > 0.0 else 1.0


def activity_to_columns(activity: MemberActivity) -> dict[str, float | str | None]:
    """The activity as flat JSON-able columns (the member row's `activity`)."""
    return {
        "model": activity.model,
        "last_at": activity.last_at.isoformat() if activity.last_at else None,
        "recent": float(activity.recent),
        "usual": float(activity.usual),
    }


def activity_from_columns(columns: Mapping[str, object] | None) -> MemberActivity:
    """The activity `activity_to_columns` wrote; empty or missing columns give no activity."""
    if not columns or not columns.get("last_at"):
        return MemberActivity()
    moment = datetime.fromisoformat(str(columns["last_at"]))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    recent, usual = columns.get("recent", 0.0), columns.get("usual", 0.0)
    if not isinstance(recent, int | float) or not isinstance(usual, int | float):
        raise ValueError(f"member activity: not numbers: {recent!r}, {usual!r}")
    return MemberActivity(str(columns.get("model") or ""), moment, float(recent), float(usual))
