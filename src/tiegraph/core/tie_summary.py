"""What the gallery shows of a person's ties: how many colleagues know them, the strongest
colleague and that tie's score, the last contact. Pure: from the ties' stored score inputs.

The strongest is the highest shown score (core/strength.py `shown`), then the higher unrounded
strength, then the colleague's name (Python's order, the same in every database); a tie knows
the person when its shown score is above 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tiegraph.core.strength import shown


@dataclass(frozen=True)
class ScoredTie:
    """One tie with what its shown score and the summary need."""

    person_id: int
    member_id: int
    member_name: str
    score: int
    strength: float
    last_at: datetime | None
    member_email: str = ""  # what views link the colleague by


@dataclass(frozen=True)
class Summary:
    """One person's ties summed up: counts and the strongest tie."""

    person_id: int
    knowers: int
    best: ScoredTie
    last_at: datetime | None


def scored(
    person_id: int,
    member_id: int,
    member_name: str,
    volume: float | None,
    factor: float | None,
    explicit: bool,
    last_at: datetime | None,
) -> ScoredTie:
    """A stored tie scored as every view shows it: a missing volume reads as no interactions,
    a missing factor as 1 (services/activity/tie_scores.py `shown_sql`)."""
    value, _, raw = shown(volume or 0.0, 1.0 if factor is None else factor, explicit)
    return ScoredTie(person_id, member_id, member_name, value, raw, last_at)


def stronger(a: ScoredTie, b: ScoredTie) -> bool:
    """Whether `a` is shown before `b`: higher score, then strength, then the earlier name."""
    return (a.score, a.strength, b.member_name) > (b.score, b.strength, a.member_name)


def summarize(ties: Iterable[ScoredTie]) -> dict[int, Summary]:
    """Per person, over the ties that know them (score above 0)."""
    found: dict[int, Summary] = {}
    for t in ties:
        if t.score <= 0:
            continue
        held = found.get(t.person_id)
        if held is None:
            found[t.person_id] = Summary(t.person_id, 1, t, t.last_at)
            continue
        last = held.last_at if t.last_at is None else max(held.last_at or t.last_at, t.last_at)
        best = t if stronger(t, held.best) else held.best
        found[t.person_id] = Summary(t.person_id, held.knowers + 1, best, last)
    return found
