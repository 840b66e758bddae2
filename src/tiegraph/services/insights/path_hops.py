"""The pieces of an intro path: hops, paths, and the one place a path reads a tie's score.

Every path has the same shape (core/paths.py): the asker → the colleague who introduces (a
"colleague" hop, left out when no one asks), then the colleague's measured tie to the target,
or their tie to someone at the target's company who likely knows the target, or their own
likely link to the target as a colleague at the same company.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam

from tiegraph.core.paths import HopKind, colleague_hop, explain_strength, path_strength, tie_hop
from tiegraph.core.reasons import said
from tiegraph.core.strength import TieScore, label_of
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_seen_by, ties_visible


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    kind: HopKind
    weight: float  # its factor in the path's strength, 0–1
    strength: int | None  # a measured tie's score; None for an inferred hop or no tie at all
    why: str
    source_email: str = ""
    target_email: str = ""

    @property
    def inferred(self) -> bool:
        return self.kind == "likely"

    @property
    def what(self) -> str:
        """The hop in a few words, for the path's strength explained."""
        if self.kind == "colleague":
            return f"asking {self.target}"
        if self.kind == "likely":
            return f"{self.source} likely knows {self.target}"
        return f"{self.source} knows {self.target}"

    @property
    def measure(self) -> str:
        """What the hop rests on, in a few words: a measured tie's score or an inference."""
        if self.kind == "likely":
            return f"inferred, {round(100 * self.weight)}% likely"
        tie = f"tie {self.strength}" if self.strength is not None else "no tie measured"
        return f"colleague, {tie}" if self.kind == "colleague" else tie

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "from_email": self.source_email,
            "to": self.target,
            "to_email": self.target_email,
            "kind": self.kind,
            "certainty": "inferred" if self.inferred else "measured",
            "score": self.strength,
            "weight": round(self.weight, 3),
            "reasons": said(self.kind, self.why),
        }


@dataclass(frozen=True)
class IntroPath:
    strength: int
    introducer_email: str
    introducer_name: str
    hops: tuple[Hop, ...]
    starters: tuple[str, ...] = ()
    introducer_person: int | None = None
    via_person: int | None = None  # the introducer's contact at the target's company

    @property
    def strength_why(self) -> str:
        """How the strength comes from the hops: the product of their weights, in words."""
        return explain_strength([(h.weight, h.what) for h in self.hops])

    @property
    def inferred(self) -> bool:
        """Whether a hop is only likely: then the path is inferred, never measured."""
        return any(h.inferred for h in self.hops)

    @property
    def label(self) -> str:
        """The one vocabulary: strong, good or weak for a measured path; inferred otherwise."""
        return "inferred" if self.inferred else label_of(self.strength)

    @property
    def via(self) -> Hop | None:
        """The introducer's tie to their contact on the way, when the path runs through one."""
        return next((h for h in self.hops if h.kind == "tie"), None) if self.via_person else None

    def as_dict(self) -> dict[str, Any]:
        via = self.via
        return {
            "score": self.strength,
            "label": self.label,
            "certainty": "inferred" if self.inferred else "measured",
            "reasons": said("path", self.strength_why),
            "introducer": {"email": self.introducer_email, "name": self.introducer_name},
            "via": {"email": via.target_email, "name": via.target} if via else None,
            "hops": [h.as_dict() for h in self.hops],
            "starters": list(self.starters),
        }


@dataclass(frozen=True)
class Target:
    """The person a path leads to."""

    id: int
    full_name: str
    email: str
    company_id: int | None


@dataclass(frozen=True)
class PathCtx:
    conn: Connection
    org: Org
    viewer: Member | None
    requester: Member | None
    now: datetime
    members: dict[int, Any]  # active member id -> row (id, email, name, person_id)
    first: dict[int, int]  # member id -> the requester's tie score to them
    scorer: TieScorer  # hops score as every view does (services/activity/tie_scores.py)

    def member_persons(self) -> dict[int, int]:
        """Active members' person ids -> member ids."""
        return {m.person_id: m.id for m in self.members.values() if m.person_id}

    def bound(self, **more: Any) -> dict[str, Any]:
        """The bound parameters of the paths' statements built once (`by_view`): the
        organization, the viewer and the requester (None: the operator's view, no one asking),
        and `more`."""
        viewer, requester = self.viewer, self.requester
        ids = {"viewer_id": viewer and viewer.id, "requester_id": requester and requester.id}
        return {"org_id": self.org.id, **ids, **more}


# The condition on `member` of the ties a view may see, by kind of view: True, a viewer's
# (bound `viewer_id`); False, the operator's.
SEEN_BY = {True: ties_seen_by(bindparam("viewer_id")), False: ties_visible(None)}


def by_view(build: Callable[[ColumnElement[bool]], Any]) -> dict[bool, Any]:
    """A statement built once for each kind of view (`SEEN_BY`), given the condition on the
    ties it may see: building a select costs more than running it, and a person page runs a
    dozen."""
    return {viewer: build(visible) for viewer, visible in SEEN_BY.items()}


def tie_score(ctx: PathCtx, row: Any) -> TieScore:
    """A tie's score today (a row with `member_id`, `state`, `explicit`), as every view has it:
    the one place paths score a tie."""
    return ctx.scorer.score_row(row)


def first_hop(ctx: PathCtx, introducer: int) -> Hop | None:
    """The requester's hop to the introducer; none when no one asks."""
    if ctx.requester is None:
        return None
    m = ctx.members[introducer]
    known = ctx.first.get(introducer)
    why = f"your tie scores {known}" if known else "a colleague: no tie measured between you"
    return Hop(
        ctx.requester.name, m.name, "colleague", colleague_hop(known), known, why,
        ctx.requester.email, m.email,
    )  # fmt: skip


def first_weight(ctx: PathCtx, introducer: int) -> float:
    hop = first_hop(ctx, introducer)
    return hop.weight if hop else 1.0


def measured(source: Any, target_name: str, target_email: str, result: TieScore) -> Hop:
    """A member's measured tie to a person."""
    why = "; ".join(result.reasons[:3])
    return Hop(
        source.name, target_name, "tie", tie_hop(result.score), result.score, why,
        source.email, target_email,
    )  # fmt: skip


def likely(source_name: str, source_email: str, target: Target, chance: float, why: str) -> Hop:
    """An inferred link: weighed by its likelihood, never by a tie's score."""
    return Hop(
        source_name, target.full_name, "likely", chance, None, why, source_email, target.email
    )


def path(ctx: PathCtx, introducer: int, rest: tuple[Hop, ...], via: int | None = None) -> IntroPath:
    """The path through `introducer`: the requester's hop to them, then `rest`."""
    m = ctx.members[introducer]
    first = first_hop(ctx, introducer)
    hops = (first, *rest) if first else rest
    strength = path_strength([h.weight for h in hops])
    return IntroPath(strength, m.email, m.name, hops, (), m.person_id, via)
