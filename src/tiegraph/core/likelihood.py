"""How likely two people know each other from a shared employer or school: implicit connections.

A colleague in a company of S people is one of the few dozen people one works with closely
with a chance of about min(1, circle / S); the longer the tenures overlapped, the likelier
they met (1 - exp(-years / scale)). The square root softens the size term: people also meet
outside their team. A schoolmate is the same with a year's cohort in place of the company.
The numbers are documented in docs/company-connections.md; an implicit connection is shown
as likely, never as certain, so the ceiling stays below one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

Certainty = Literal["likely", "possible", "unlikely"]


@dataclass(frozen=True)
class LikelihoodParams:
    work_circle: int = 60  # people one works with closely (Dunbar's layers: 50-150)
    school_cohort: int = 1500  # a school year's cohort when the school's size is unknown
    school_circle: int = 40  # classmates one really knows
    overlap_scale_years: float = 1.0  # a year together: 63% of the overlap effect
    ceiling: float = 0.9  # implicit is never certain
    likely_at: float = 0.5
    possible_at: float = 0.2


DEFAULT = LikelihoodParams()


def _years(start: date | None, end: date | None, today: date) -> tuple[date, date] | None:
    if start is None:
        return None
    return start, min(end or today, today)


def overlap_years(
    a_start: date | None,
    a_end: date | None,
    b_start: date | None,
    b_end: date | None,
    today: date,
) -> float:
    """Years two spans (an open end: still there) had in common; 0 without start dates."""
    a = _years(a_start, a_end, today)
    b = _years(b_start, b_end, today)
    if a is None or b is None:
        return 0.0
    days = (min(a[1], b[1]) - max(a[0], b[0])).days
    return max(days, 0) / 365.25


def _together(years: float, params: LikelihoodParams) -> float:
    return 1.0 - math.exp(-years / params.overlap_scale_years)


def colleague(size: int, years: float, params: LikelihoodParams = DEFAULT) -> float:
    """Likelihood that two people whose tenures overlapped `years` at a company of `size` met."""
    if years <= 0:
        return 0.0
    reach = math.sqrt(min(1.0, params.work_circle / max(size, 1)))
    return params.ceiling * reach * _together(years, params)


def schoolmate(years: float, params: LikelihoodParams = DEFAULT) -> float:
    """Likelihood that two people at the same school for `years` at the same time met."""
    if years <= 0:
        return 0.0
    reach = math.sqrt(min(1.0, params.school_circle / params.school_cohort))
    return params.ceiling * reach * _together(years, params)


def any_of(likelihoods: list[float], params: LikelihoodParams = DEFAULT) -> float:
    """Likelihood of knowing at least one of several people, each independently."""
    missed = 1.0
    for value in likelihoods:
        missed *= 1.0 - value
    return min(1.0 - missed, params.ceiling)


def certainty(value: float, params: LikelihoodParams = DEFAULT) -> Certainty:
    if value >= params.likely_at:
        return "likely"
    if value >= params.possible_at:
        return "possible"
    return "unlikely"


def span(start: date | None, end: date | None) -> str:
    """Years of a tenure in words: 2015–2019, 2021–now, or an empty string."""
    if start is None:
        return ""
    return f"{start.year}–{end.year if end else 'now'}"
