"""One score per tie: a stored tie and its member's pace at one moment, scored in one place.

Every view of a tie — the who-knows tile and list, closest connections of a person and of an
account, company connections, path hops, list rows, nurture, the CLI and the API — scores it
through a `TieScorer`, so one tie reads the same number, label and reasons everywhere at the
same moment. The score includes the member's pace against the median colleague's
(core/member_activity.py): a colleague gone quiet is a worse introducer in every view, and
the reasons say so.

The stored `tie.score` is never shown: it is the score without the pace factor as of
`scored_at` (ingest and the daily rescore write it), the key SQL orders and limits ties by
(closest, path candidates). It bounds every later shown score from above: the pace factor is
at most 1 and, while nothing new happens, a tie only decays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.member_activity import activity_from_columns, pace, relative
from tiegraph.core.strength import TieScore, TieState, Touch, from_columns, score, score_touches
from tiegraph.services.activity.member_activity import median_from, paces_before
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import member, organization


class TieScorer:
    """Scores ties as of one moment, each member's pace read once (and the median once).

    `now`: a moment of today's view, or the cutoff of an as-of view (`before`), whose paces
    come from the members' day sums instead of their stored activity.
    """

    def __init__(self, conn: Connection | None, org: Org, now: datetime) -> None:
        self.conn, self.org, self.now = conn, org, now
        self.paces: dict[int, float] = {}
        self._median: float | None = None

    @classmethod
    def before(
        cls, conn: Connection, org: Org, cutoff: datetime, member_ids: Iterable[int]
    ) -> TieScorer:
        """A scorer of an as-of view: ties recomputed from the touches before `cutoff`."""
        scorer, ids = cls(None, org, cutoff), set(member_ids)
        if ids:
            scorer.paces.update(paces_before(conn, org, ids, cutoff))
        return scorer

    def know(self, member_id: int, activity: Mapping[str, object] | None, org_pace: Any) -> None:
        """A member's pace from their `member.activity` and the organization's stored median,
        for a caller that read both with its ties (who-knows: one query)."""
        if member_id in self.paces:
            return
        if self._median is None:
            self._median = median_from(org_pace, self.now)
        known = pace(activity_from_columns(activity), self.now)
        self.paces[member_id] = relative(known, self._median)

    def load(self, member_ids: Iterable[int]) -> None:
        """Read the paces of these members (those not yet known), a chunk per query."""
        wanted = sorted(set(member_ids) - set(self.paces))
        if not wanted or self.conn is None:
            return
        conn = self.conn
        if self._median is None:
            stored = conn.execute(
                select(organization.c.activity_pace).where(organization.c.id == self.org.id)
            ).scalar_one_or_none()
            self._median = median_from(stored, self.now)
        for start in range(0, len(wanted), IN_CHUNK):
            rows = conn.execute(
                select(member.c.id, member.c.activity).where(
                    member.c.org_id == self.org.id,
                    member.c.id.in_(wanted[start : start + IN_CHUNK]),
                )
            )
            for r in rows:
                self.know(r.id, r.activity, None)

    def pace(self, member_id: int) -> float:
        """The member's pace against the median colleague's (1 when unknown)."""
        if member_id not in self.paces:
            self.load([member_id])
        return self.paces.get(member_id, 1.0)

    def score(
        self, member_id: int, state: TieState | Mapping[str, object] | None, explicit: bool
    ) -> TieScore:
        """The tie's score, label and reasons as of `now`: the one every view shows."""
        if not isinstance(state, TieState):
            state = from_columns(state or {})
        return score(state, self.now, explicit_connection=explicit, pace=self.pace(member_id))

    def score_row(self, row: Any) -> TieScore:
        """A tie row with `member_id`, `state` and `explicit` columns, scored."""
        return self.score(row.member_id, row.state, bool(row.explicit))

    def score_touches(self, member_id: int, touches: Sequence[Touch], explicit: bool) -> TieScore:
        """The tie recomputed from its touches before `now` (as-of views), scored."""
        return score_touches(
            touches, self.now, explicit_connection=explicit, pace=self.pace(member_id)
        )
