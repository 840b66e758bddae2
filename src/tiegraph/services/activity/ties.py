"""Keeping ties up to date: fold new interactions into each tie's state and store its score."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, bindparam, func, select, tuple_

from tiegraph.core.member_activity import weight_of
from tiegraph.core.strength import (
    TieFold,
    TieState,
    Touch,
    fold,
    from_columns,
    needs_rebuild,
    score,
    strength,
    to_columns,
)
from tiegraph.services.activity import member_activity, summaries
from tiegraph.services.activity.company_summary import companies_of_persons
from tiegraph.services.activity.member_activity import Pending, fold_into_members, store_paces
from tiegraph.services.activity.nurture_store import refresh_org
from tiegraph.services.activity.touches import touch_of
from tiegraph.services.activity.writes import NewInteraction
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store
from tiegraph.store.bulk import upsert_rows
from tiegraph.store.schema import contact, interaction, person, tie

CHUNK = 400  # pairs per lookup: two variables each, under SQLite's older 999 limit

Pair = tuple[int, int]  # (member_id, person_id)


def _chunks(pairs: Sequence[Pair]) -> Iterable[Sequence[Pair]]:
    for start in range(0, len(pairs), CHUNK):
        yield pairs[start : start + CHUNK]


def pairs_in(table: Table, chunk: Collection[Pair]) -> ColumnElement[bool]:
    """member_id IN (...) AND person_id IN (...): a superset of the chunk's pairs (the caller
    keeps the pairs asked for). Not a row-value IN: SQLite reads that through the org's whole
    index (0.9 s per 400 pairs at 10M interactions, 2.5 ms this way)."""
    return and_(
        table.c.member_id.in_(sorted({m for m, _ in chunk})),
        table.c.person_id.in_(sorted({p for _, p in chunk})),
    )


class TieUpdater:
    """Folds the interactions an ingest writes into their ties, then stores the ties in one pass.

    Each batch is folded as it comes (the stored state of a tie read once, when it first
    appears), so memory holds one state per tie, not every touch.
    """

    def __init__(self, conn: Connection, org: Org, *, as_of: datetime | None = None) -> None:
        self.conn, self.org = conn, org
        self.as_of = as_of
        self._folds: dict[Pair, TieFold] = {}
        self._rebuild: set[Pair] = set()
        self._explicit: set[Pair] = set()
        self._activity: Pending = {}  # what the new interactions add to their members' activity
        self.written: set[Pair] = set()  # every tie stored so far (counted once)

    def use(self, conn: Connection) -> None:
        """Store through `conn` (the next transaction of a long ingest) from now on."""
        self.conn = conn

    def add(self, interactions: Iterable[NewInteraction]) -> None:
        folds, activity, rebuild = self._folds, self._activity, self._rebuild
        waiting: dict[Pair, list[Touch]] = {}
        for member_id, person_id, touch in interactions:
            moments = activity.get(member_id)
            if moments is None:
                moments = activity[member_id] = {}
            moments[touch.at] = moments.get(touch.at, 0.0) + weight_of(touch)
            pair = (member_id, person_id)
            acc = folds.get(pair)
            if acc is not None:
                acc.add(touch)
            elif pair not in rebuild:
                waiting.setdefault(pair, []).append(touch)
        if waiting:
            stored = self._stored(sorted(waiting))
            for pair, touches in waiting.items():
                state = from_columns(stored[pair]) if pair in stored else None
                if state is not None and needs_rebuild(state):
                    rebuild.add(pair)  # shaped by other parameters: refolded from all it has
                    continue
                acc = folds[pair] = TieFold(state)
                for touch in touches:
                    acc.add(touch)

    def rebuild(self, pairs: Iterable[Pair]) -> None:
        """Ties whose past changed: recomputed from all their stored interactions."""
        self._rebuild.update(pairs)

    def mark_explicit(self, pairs: Iterable[Pair]) -> None:
        """Ties whose person is in the member's contacts: an explicit connection."""
        self._explicit.update(pairs)

    def flush(self) -> int:
        """Write every pending tie and its member's activity; returns how many ties were written."""
        paced = fold_into_members(self.conn, self.org, self._activity)
        self._activity = {}
        pairs = sorted(set(self._folds) | self._rebuild | self._explicit)
        if not pairs:
            summaries.refresh(self.conn, self.org, paced=paced)
            return 0
        self.written.update(pairs)
        stored = self._stored([p for p in pairs if p not in self._folds])
        self._rebuild.update(
            p
            for p, columns in stored.items()
            if p not in self._rebuild and needs_rebuild(from_columns(columns))
        )
        employers = self._employers(sorted({p for _, p in pairs}))
        explicit = self._explicit | self._in_contacts(pairs)
        raw = raw_touches(self.conn, self.org, sorted(self._rebuild))
        now = self.as_of or datetime.now(UTC)
        rows = []
        for pair in pairs:
            if pair in self._rebuild:
                state = fold(TieState(), sorted(raw.get(pair, []), key=lambda t: t.at))
            elif pair in self._folds:
                state = self._folds[pair].state()
            else:
                state = from_columns(stored[pair]) if pair in stored else TieState()
            row = self._row(pair, state, pair in explicit, now)
            row["company_id"] = employers.get(pair[1])
            rows.append(row)
        moved = self._companies(pairs)  # where these ties were: a changed employer leaves
        upsert_rows(self.conn, tie, rows, key=("org_id", "member_id", "person_id"))
        # Once for what changed: these ties, and every tie of members whose pace moved.
        summaries.refresh(
            self.conn,
            self.org,
            persons={p for _, p in pairs},
            companies=moved | set(employers.values()),
            paced=paced,
            pairs=pairs,
            now=now,
        )
        self._folds.clear()
        self._rebuild.clear()
        self._explicit.clear()
        return len(rows)

    def _row(self, pair: Pair, state: TieState, explicit: bool, now: datetime) -> dict[str, Any]:
        scored = score(state, max(now, state.last_at or now), explicit_connection=explicit)
        return {
            "org_id": self.org.id,
            "member_id": pair[0],
            "person_id": pair[1],
            "score": float(scored.score),
            "label": scored.label,
            "explicit": explicit,
            "first_at": state.first_at,
            "last_at": state.last_at,
            "state": to_columns(state),
            "reasons": list(scored.reasons),
            "scored_at": now,
            "volume": strength(state, now),
        }

    def _stored(self, pairs: Sequence[Pair]) -> dict[Pair, dict[str, Any]]:
        found: dict[Pair, dict[str, Any]] = {}
        for chunk in _chunks(pairs):
            rows = self.conn.execute(
                select(tie.c.member_id, tie.c.person_id, tie.c.state).where(
                    tie.c.org_id == self.org.id, pairs_in(tie, chunk)
                )
            )
            wanted = set(chunk)
            found.update(
                {
                    (r.member_id, r.person_id): r.state
                    for r in rows
                    if (r.member_id, r.person_id) in wanted
                }
            )
        return found

    def _companies(self, pairs: Sequence[Pair]) -> set[int | None]:
        """The companies these ties are stored at (before they are written)."""
        found: set[int | None] = set()
        for chunk in _chunks(pairs):
            rows = self.conn.execute(
                select(tie.c.member_id, tie.c.person_id, tie.c.company_id).where(
                    tie.c.org_id == self.org.id, pairs_in(tie, chunk)
                )
            )
            wanted = set(chunk)
            found.update(r.company_id for r in rows if (r.member_id, r.person_id) in wanted)
        return found

    def _employers(self, person_ids: Sequence[int]) -> dict[int, int | None]:
        found: dict[int, int | None] = {}
        for start in range(0, len(person_ids), CHUNK):
            rows = self.conn.execute(
                select(person.c.id, person.c.company_id).where(
                    person.c.org_id == self.org.id,
                    person.c.id.in_(person_ids[start : start + CHUNK]),
                )
            )
            found.update({r.id: r.company_id for r in rows})
        return found

    def _in_contacts(self, pairs: Sequence[Pair]) -> set[Pair]:
        found: set[Pair] = set()
        for chunk in _chunks(pairs):
            rows = self.conn.execute(
                select(contact.c.member_id, contact.c.person_id).where(
                    contact.c.org_id == self.org.id,
                    contact.c.archived_at.is_(None),
                    pairs_in(contact, chunk),
                )
            )
            wanted = set(chunk)
            found.update(pair for r in rows if (pair := (r.member_id, r.person_id)) in wanted)
        return found


def raw_touches(conn: Connection, org: Org, pairs: Sequence[Pair]) -> dict[Pair, list[Touch]]:
    """Every stored interaction of these ties, as touches."""
    found: dict[Pair, list[Touch]] = {}
    for chunk in _chunks(pairs):
        rows = conn.execute(
            select(interaction).where(interaction.c.org_id == org.id, pairs_in(interaction, chunk))
        )
        wanted = set(chunk)
        for r in rows:
            if (r.member_id, r.person_id) in wanted:
                found.setdefault((r.member_id, r.person_id), []).append(touch_of(r))
    return found


def follow_employers(conn: Connection, org: Org, person_ids: Sequence[int]) -> None:
    """Persons whose current employer may have changed: their ties follow them."""
    before = companies_of_persons(conn, org, person_ids)
    for start in range(0, len(person_ids), CHUNK):
        chunk = person_ids[start : start + CHUNK]
        employer = (
            select(person.c.company_id).where(person.c.id == tie.c.person_id).scalar_subquery()
        )
        conn.execute(
            tie.update()
            .where(tie.c.org_id == org.id, tie.c.person_id.in_(chunk))
            .values(company_id=employer)
        )
    summaries.refresh(conn, org, companies=before | companies_of_persons(conn, org, person_ids))


RESCORE_BATCH = 5_000
# A stored volume this close to today's is left as it is (one write less per tie and day):
# the shown score moves by under a tenth of a point for it.
VOLUME_DRIFT = 0.002


def _drifted(stored: float | None, today: float) -> bool:
    """Whether a tie's stored volume is missing or too far from today's to keep."""
    return stored is None or abs(today - stored) > VOLUME_DRIFT * max(abs(today), 1e-9)


def rescore(
    store: Store, org: Org, *, now: datetime | None = None, progress: ProgressCallback = no_progress
) -> int:
    """Bring every stored score up to today: scores decay while nothing happens.

    Readers rescore what they show, but an account's top ties are found by stored score
    (services/insights/closest.py), which stays exact and only gets faster when scores are fresh.
    `tiegraph serve` runs this daily; `tiegraph ties rescore` runs it by hand. Members'
    nurture suggestions (services/activity/nurture_store.py) are stored afresh after. Members'
    activity (services/activity/member_activity.py) is recomputed first when due (weekly), and a tie
    whose state was shaped by other parameters (a new model: `needs_rebuild`) is refolded
    from its stored interactions. Returns how many ties changed.
    """
    moment = now or datetime.now(UTC)
    with store.write() as conn:
        before = member_activity.pace_factors(conn, org)
        if not member_activity.refresh(conn, org, moment):
            store_paces(conn, org, moment)
        paced = [
            m for m, f in member_activity.pace_factors(conn, org).items() if before.get(m) != f
        ]
        # Paces moved (or the summary is new, migrated to 0024): every account's summary.
        summaries.refresh(conn, org, paced=paced, every_company=True)
    with store.read() as conn:
        total = conn.execute(
            select(func.count()).select_from(tie).where(tie.c.org_id == org.id)
        ).scalar_one()
    changed, done, after = 0, 0, (-1, -1)
    while True:
        with store.write() as conn:
            rows = conn.execute(
                select(
                    tie.c.member_id,
                    tie.c.person_id,
                    tie.c.state,
                    tie.c.explicit,
                    tie.c.score,
                    tie.c.volume,
                    tie.c.company_id,
                )
                .where(tie.c.org_id == org.id, tuple_(tie.c.member_id, tie.c.person_id) > after)
                .order_by(tie.c.member_id, tie.c.person_id)
                .limit(RESCORE_BATCH)
            ).all()
            if not rows:
                break
            states = {(r.member_id, r.person_id): from_columns(r.state) for r in rows}
            refolded = _refold(conn, org, [p for p, st in states.items() if needs_rebuild(st)])
            states.update(refolded)
            updates, moved = [], set()
            for r in rows:
                pair = (r.member_id, r.person_id)
                result = score(states[pair], moment, explicit_connection=bool(r.explicit))
                volume = strength(states[pair], moment)
                if result.score != r.score or pair in refolded or _drifted(r.volume, volume):
                    moved.add(r.company_id)
                    updates.append(
                        {
                            "m": r.member_id,
                            "p": r.person_id,
                            "new_volume": volume,
                            "new_score": float(result.score),
                            "new_label": result.label,
                            "new_reasons": list(result.reasons),
                        }
                    )
            if updates:
                conn.execute(
                    tie.update()
                    .where(
                        tie.c.org_id == org.id,
                        tie.c.member_id == bindparam("m"),
                        tie.c.person_id == bindparam("p"),
                    )
                    .values(
                        score=bindparam("new_score"),
                        volume=bindparam("new_volume"),
                        label=bindparam("new_label"),
                        reasons=bindparam("new_reasons", type_=tie.c.reasons.type),
                        scored_at=moment,
                    ),
                    updates,
                )
            if refolded:
                _write_states(conn, org, refolded)
            persons = {u["p"] for u in updates} | {p for _, p in refolded}
            summaries.refresh(conn, org, persons=persons, companies=moved)
        changed += len(updates)
        done += len(rows)
        after = (rows[-1].member_id, rows[-1].person_id)
        progress("Ties", done, total)
    refresh_org(store, org, now=moment)  # windows slid and silences grew since yesterday
    store.analyze_after(changed)
    return changed


def _refold(conn: Connection, org: Org, pairs: Sequence[Pair]) -> dict[Pair, TieState]:
    """The states of these ties folded afresh from their stored interactions."""
    if not pairs:
        return {}
    raw = raw_touches(conn, org, pairs)
    return {p: fold(TieState(), sorted(raw.get(p, []), key=lambda t: t.at)) for p in pairs}


def _write_states(conn: Connection, org: Org, states: dict[Pair, TieState]) -> None:
    conn.execute(
        tie.update()
        .where(
            tie.c.org_id == org.id,
            tie.c.member_id == bindparam("m"),
            tie.c.person_id == bindparam("p"),
        )
        .values(
            state=bindparam("new_state", type_=tie.c.state.type),
            first_at=bindparam("new_first"),
            last_at=bindparam("new_last"),
        ),
        [
            {
                "m": m,
                "p": p,
                "new_state": to_columns(state),
                "new_first": state.first_at,
                "new_last": state.last_at,
            }
            for (m, p), state in states.items()
        ],
    )
