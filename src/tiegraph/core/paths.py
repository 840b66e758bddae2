"""Intro paths: how strong a chain of ties is, and what two people have in common to talk about.

A path's strength is the product of its hops, each in [0, 1]. The first hop, from the member
asking to the colleague who introduces, is inside the organization: a colleague can always be
asked, so that hop counts at least half even with no tie between them (COLLEAGUE_FLOOR).
A hop through someone at the target's company also multiplies by the likelihood that they
know the target (core/likelihood.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tiegraph.core import likelihood

COLLEAGUE_FLOOR = 0.5


def colleague_hop(score: int | None) -> float:
    """The first hop, from the requester to a colleague (their tie's score, if any)."""
    return COLLEAGUE_FLOOR + (1.0 - COLLEAGUE_FLOOR) * (max(score or 0, 0) / 100.0)


def path_strength(hops: Sequence[float]) -> int:
    value = 1.0
    for hop in hops:
        value *= min(max(hop, 0.0), 1.0)
    return round(100 * value)


@dataclass(frozen=True)
class Stint:
    """A span at a place: an employer (by company id) or a school (by school key)."""

    place: str
    name: str
    start: date | None
    end: date | None


def in_common(mine: Sequence[Stint], theirs: Sequence[Stint], today: date) -> list[str]:
    """Places two people shared, in words, longest overlap first; the same place once."""
    found: dict[str, tuple[float, str]] = {}
    for a in mine:
        for b in theirs:
            if a.place != b.place:
                continue
            years = likelihood.overlap_years(a.start, a.end, b.start, b.end, today)
            if years > 0:
                start = max(d for d in (a.start, b.start) if d)
                ends = [e or today for e in (a.end, b.end)]
                text = f"{a.name}, together {start.year}–{_year(min(ends), today)}"
            else:
                text = f"{a.name} (at different times)"
            if a.place not in found or years > found[a.place][0]:
                found[a.place] = (years, text)
    return [text for _, text in sorted(found.values(), key=lambda x: -x[0])]


def _year(day: date, today: date) -> str:
    return "now" if day >= today else str(day.year)
