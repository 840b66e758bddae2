"""The shown score of a tie in SQL: the same arithmetic as core/strength.py `shown`, over `tie`
joined to its `member` (services/activity/tie_scores.py says what is stored and why)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import case, func, literal

from tiegraph.core.strength import DEFAULT_PARAMS
from tiegraph.store.functions import int_floor
from tiegraph.store.schema import member, tie


@cache  # building the expression costs more than running it: built once, used by every query
def shown_strength_sql() -> Any:
    """The shown strength of a tie in SQL over `tie` joined to its `member`: the same
    arithmetic as core/strength.py `shown`. A tie without a stored volume (one not rescored
    since the column came: `serve` rescores those at start) reads as no interactions."""
    bonus = case((tie.c.explicit.is_(True), literal(DEFAULT_PARAMS.explicit_bonus)), else_=0.0)
    factor = func.coalesce(member.c.pace_factor, 1.0)
    return func.coalesce(tie.c.volume, 0.0) * factor + bonus


@cache
def shown_sql() -> Any:
    """The shown score (0-100) of a tie in SQL over `tie` joined to its `member`."""
    raw = shown_strength_sql()
    scale = literal(DEFAULT_PARAMS.scale)
    return int_floor(literal(100.0) * raw / (raw + scale) + literal(0.5))
