"""One score per tie: a stored tie and its member's stored pace, scored in one place.

Every view of a tie — the who-knows tile and list, closest connections of a person and of an
account, company connections, path hops, list rows, nurture, the gallery's and the accounts'
relationship columns, the CLI and the API — scores it through a `TieScorer` or its SQL twin
`shown_sql`, so one tie reads the same number and label everywhere. The score includes the
member's pace against the median colleague's (core/member_activity.py): a colleague gone quiet
is a worse introducer in every view, and the reasons say so.

What is shown is stored, not refolded: `tie.volume` is the pace-free strength of the tie's
interactions as of `scored_at` (ingest and the daily rescore write it) and `member.pace_factor`
what the member's pace multiplies it by as of the last activity write or daily rescore
(services/activity/member_activity.py `store_paces`). The score is then one multiplication,
an addition and a rounding (core/strength.py `shown`), cheap enough for SQL to sort and filter
whole galleries by. The reasons are still worded from the tie's state as of now.

The stored `tie.score` is the pace-free score as of `scored_at`, the key SQL orders and
limits ties by (closest, path candidates). It bounds the shown score from above: the pace
factor is at most 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.strength import (
    TieScore,
    TieState,
    Touch,
    from_columns,
    pace_factor,
    score,
    score_touches,
    shown,
)
from tiegraph.services.activity.member_activity import paces_before
from tiegraph.services.activity.shown import shown_sql, shown_strength_sql
from tiegraph.services.activity.ties import pairs_in
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import member, tie

__all__ = ["TieScorer", "scored_pairs", "shown_sql", "shown_strength_sql"]


class TieScorer:
    """Scores ties as of one moment, each member's stored pace read once.

    `now`: a moment of today's view, or the cutoff of an as-of view (`before`), whose paces
    come from the members' day sums and whose ties are recomputed from their touches.
    """

    def __init__(self, conn: Connection | None, org: Org, now: datetime) -> None:
        self.conn, self.org, self.now = conn, org, now
        self.paces: dict[int, tuple[float, float]] = {}  # member id -> (pace, factor)
        self.past = False

    @classmethod
    def before(
        cls, conn: Connection, org: Org, cutoff: datetime, member_ids: Iterable[int]
    ) -> TieScorer:
        """A scorer of an as-of view: ties recomputed from the touches before `cutoff`."""
        scorer, ids = cls(None, org, cutoff), set(member_ids)
        scorer.past = True
        if ids:
            paces = paces_before(conn, org, ids, cutoff)
            scorer.paces.update({m: (p, pace_factor(p)) for m, p in paces.items()})
        return scorer

    def know(self, member_id: int, pace: float | None, factor: float | None) -> None:
        """A member's stored pace and factor (member.pace, member.pace_factor), for a caller
        that read them with its ties (who-knows: one query). NULL reads as 1: not yet written."""
        if member_id not in self.paces:
            self.paces[member_id] = (
                1.0 if pace is None else float(pace),
                1.0 if factor is None else float(factor),
            )

    def load(self, member_ids: Iterable[int]) -> None:
        """Read the stored paces of these members (those not yet known), a chunk per query."""
        wanted = sorted(set(member_ids) - set(self.paces))
        if not wanted or self.conn is None:
            return
        for start in range(0, len(wanted), IN_CHUNK):
            rows = self.conn.execute(
                select(member.c.id, member.c.pace, member.c.pace_factor).where(
                    member.c.org_id == self.org.id,
                    member.c.id.in_(wanted[start : start + IN_CHUNK]),
                )
            )
            for r in rows:
                self.know(r.id, r.pace, r.pace_factor)

    def pace(self, member_id: int) -> float:
        """The member's pace against the median colleague's (1 when unknown)."""
        if member_id not in self.paces:
            self.load([member_id])
        return self.paces.get(member_id, (1.0, 1.0))[0]

    def score(
        self,
        member_id: int,
        state: TieState | Mapping[str, object] | None,
        explicit: bool,
        volume: float | None = None,
    ) -> TieScore:
        """The tie's score, label and reasons: the one every view shows. `volume`: the tie's
        stored one (tie.volume), which gives the number; without it (a tie not rescored since
        the column came), the number is computed from the state as of `now`."""
        if not isinstance(state, TieState):
            state = from_columns(state or {})
        worded = score(state, self.now, explicit_connection=explicit, pace=self.pace(member_id))
        if volume is None or self.past:
            return worded
        value, label, raw = shown(float(volume), self.paces[member_id][1], explicit)
        return replace(worded, score=value, label=label, strength=raw)

    def shown_of(self, row: Any) -> int:
        """A tie row's shown score alone (what `score_row` gives it), its reasons not worded:
        for views that rank many ties and word the few they show."""
        return self.unworded(row).score

    def unworded(self, row: Any) -> TieScore:
        """A tie row's score, label and strength as `score_row` gives them, its reasons not
        worded (left empty): for views that count or rank many ties and word the few shown."""
        if row.volume is None or self.past:
            return self.score_row(row)
        self.pace(row.member_id)  # read once per member, as `score` does
        factor = self.paces[row.member_id][1]
        value, label, raw = shown(float(row.volume), factor, bool(row.explicit))
        return TieScore(value, label, (), raw)

    def score_row(self, row: Any) -> TieScore:
        """A tie row with `member_id`, `state`, `explicit` and `volume` columns, scored."""
        return self.score(row.member_id, row.state, bool(row.explicit), row.volume)

    def score_touches(self, member_id: int, touches: Sequence[Touch], explicit: bool) -> TieScore:
        """The tie recomputed from its touches before `now` (as-of views), scored."""
        return score_touches(
            touches, self.now, explicit_connection=explicit, pace=self.pace(member_id)
        )


def scored_pairs(
    conn: Connection, org: Org, now: datetime, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], TieScore]:
    """These ties (member id, person id) scored with their reasons: what a view shows of the
    few ties it picked by `shown_sql` (the state is read and worded for those only)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    scorer = TieScorer(conn, org, now)
    scorer.load(m for m, _ in wanted)
    found: dict[tuple[int, int], TieScore] = {}
    chunk = sorted(wanted)
    for start in range(0, len(chunk), IN_CHUNK):
        part = chunk[start : start + IN_CHUNK]
        rows = conn.execute(
            select(
                tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit, tie.c.volume
            ).where(tie.c.org_id == org.id, pairs_in(tie, part))
        )
        for r in rows:
            if (r.member_id, r.person_id) in wanted:  # pairs_in reads a superset
                found[(r.member_id, r.person_id)] = scorer.score_row(r)
    return found
