"""Intro paths: how strong a chain of hops is, and what two people have in common to talk about.

A path runs from the member asking, to the colleague who introduces, to the target, perhaps
through the colleague's contact at the target's company. Each hop has a weight in [0, 1], and a
path's strength is 100 × the product of its hops' weights: every hop must hold for the
introduction to happen, and a product says so (a weak hop anywhere weakens the whole path,
two middling hops weigh less than one).

- colleague: the asker to the colleague who introduces. A colleague can always be asked, so
  this hop weighs at least half even with no tie between them (COLLEAGUE_FLOOR), up to 1 with
  the asker's tie to them scoring 100.
- tie: a measured tie (mail, meetings, calls, address books): its score / 100.
- likely: an inferred link, never measured traffic (e.g. two colleagues at one company): the
  likelihood that they know each other (core/likelihood.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tiegraph.core import likelihood
from tiegraph.core.names import fold_accents

COLLEAGUE_FLOOR = 0.5
HopKind = Literal["colleague", "tie", "likely"]
HOP_KINDS: tuple[HopKind, ...] = ("colleague", "tie", "likely")


def colleague_hop(score: int | None) -> float:
    """The first hop's weight, from the asker to a colleague (their tie's score, if any)."""
    return COLLEAGUE_FLOOR + (1.0 - COLLEAGUE_FLOOR) * (max(score or 0, 0) / 100.0)


def tie_hop(score: int) -> float:
    """A measured tie's weight."""
    return min(max(score, 0), 100) / 100.0


def path_strength(hops: Sequence[float]) -> int:
    """100 × the product of the hops' weights, rounded."""
    value = 1.0
    for hop in hops:
        value *= min(max(hop, 0.0), 1.0)
    return round(100 * value)


def explain_strength(hops: Sequence[tuple[float, str]]) -> str:
    """How a path's strength comes from its hops' (weight, what the hop is), in words:
    "93% (asking Ann) × 73% (Ann's tie to Pat) = 68"."""
    factors = " × ".join(f"{_percent(weight)} ({what})" for weight, what in hops)
    return f"{factors} = {path_strength([weight for weight, _ in hops])}"


def no_one_twice(people: Sequence[tuple[str, str]]) -> bool:
    """Whether the (email, name) of everyone on a path are distinct people. Two with the same
    name count as one: the directory can hold a colleague under a second address, and a path
    "Ann Lee → … → Ann Lee" reads as a loop whatever the addresses."""
    emails = [email.lower() for email, _ in people if email]
    names = [" ".join(fold_accents(name).casefold().split()) for _, name in people]
    names = [n for n in names if n]
    return len(set(emails)) == len(emails) and len(set(names)) == len(names)


def _percent(weight: float) -> str:
    return f"{round(100 * min(max(weight, 0.0), 1.0))}%"


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
