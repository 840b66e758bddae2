"""The nurture refresh counts out in SQL the ties that cannot have a suggestion: on touches
strewn around every window's edge, it writes what classifying every tie writes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tiegraph.core.nurture import DEFAULT_NURTURE, TieActivity, classify
from tiegraph.core.strength import Touch
from tiegraph.services.activity.nurture_store import refresh_member, refresh_pairs
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import activity_item, interaction, nurture_suggestion, person, tie

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
# Days before now near which each rule's windows and thresholds fall (core/nurture.py).
EDGES = (1, 3, 21, 30, 60, 81, 90, 120, 200, 365)
PERSONS = 160


def _touches(rng: random.Random) -> list[Touch]:
    touches = []
    for _ in range(rng.choice((1, 3, 4, 5, 8, 12))):
        days = rng.choice(EDGES) + rng.uniform(-1.5, 1.5)
        touches.append(
            Touch(
                at=NOW - timedelta(days=days),
                channel=rng.choice(("email", "email", "meeting", "call")),
                direction=rng.choice(("in", "in", "out")),
                participants=rng.choice((1, 2, 8, 9)),
                duration_seconds=rng.choice((0, 1800)),
                thread_reply=rng.random() < 0.3,
            )
        )
    return touches


def _stored(store: Store, org: Org, touches: dict[int, list[Touch]], member_id: int) -> None:
    with store.write() as conn:
        for person_id, seen in touches.items():
            conn.execute(person.insert().values(org_id=org.id, id=person_id, full_name="P"))
            conn.execute(
                tie.insert().values(
                    org_id=org.id,
                    member_id=member_id,
                    person_id=person_id,
                    first_at=min(t.at for t in seen),
                    last_at=max(t.at for t in seen),
                    explicit=person_id % 5 == 0,
                )
            )
            for n, t in enumerate(seen):
                item = conn.execute(
                    activity_item.insert().values(
                        org_id=org.id,
                        channel=t.channel,
                        source_key=f"{person_id}-{n}",
                        occurred_at=t.at,
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    interaction.insert().values(
                        org_id=org.id,
                        activity_id=item,
                        member_id=member_id,
                        person_id=person_id,
                        address=f"p{person_id}@example.com",
                        channel=t.channel,
                        direction=t.direction,
                        occurred_at=t.at,
                        participants=t.participants,
                        duration_seconds=t.duration_seconds,
                        thread_reply=t.thread_reply,
                    )
                )


def _rows(store: Store, org: Org) -> set[tuple[Any, ...]]:
    columns = [c for c in nurture_suggestion.c if c.name != "suggested_at"]
    with store.read() as conn:
        return {tuple(r) for r in conn.execute(select(*columns))}


def test_the_refresh_writes_what_classifying_every_tie_writes(store: Store) -> None:
    org = resolve_org(store)
    ana = add_member(store, org, email="ana@us.example", name="Ana Lima")
    rng = random.Random(22)
    touches = {1000 + n: _touches(rng) for n in range(PERSONS)}
    _stored(store, org, touches, ana.id)

    expected = {}
    for person_id, seen in touches.items():
        activity = TieActivity(person_id, "", tuple(seen), person_id % 5 == 0)
        if (s := classify(activity, NOW, DEFAULT_NURTURE)) is not None:
            expected[person_id] = (s.kind, s.priority)
    kinds = {kind for kind, _ in expected.values()}
    assert kinds == {"warming", "one_sided", "cooling"}  # the data reaches every rule
    assert 10 < len(expected) < PERSONS / 2  # and most ties have no suggestion

    with store.write() as conn:
        assert refresh_member(conn, org, ana.id, NOW) == len(expected)
    by_member = _rows(store, org)
    assert {r[2]: (r[3], r[4]) for r in by_member} == expected

    with store.write() as conn:
        conn.execute(nurture_suggestion.delete())
        refresh_pairs(conn, org, [(ana.id, p) for p in touches], NOW)
    assert _rows(store, org) == by_member
