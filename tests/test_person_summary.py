"""person_tie_summary, the gallery's read model, on both backends: after every kind of write
that changes its inputs (ingest, contact import, explicit ties, the daily rescore, a member's
sharing, a leaver) it equals a full recompute, a refresh run twice writes the same rows, and it
holds nothing of a member who does not share their activity (insights_org.py: Bo).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from insights_org import InsightsOrg, _thread, _vcard, build
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.activity.person_summary import rebuild, refresh_persons
from tiegraph.services.activity.summaries import refresh
from tiegraph.services.activity.ties import rescore
from tiegraph.services.contacts.gallery import gallery_rows
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.members import leave_member, set_member_sharing
from tiegraph.store import Store
from tiegraph.store.schema import member, person, person_email, person_tie_summary, tie


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _stored(store: Store, world: InsightsOrg) -> list[tuple[Any, ...]]:
    s = person_tie_summary
    with store.read() as conn:
        rows = conn.execute(
            s.select().where(s.c.org_id == world.org.id).order_by(s.c.person_id)
        ).all()
    return [
        (r.person_id, r.knowers, r.score, round(r.strength, 9), r.member_id, _naive(r.last_at))
        for r in rows
    ]


def _naive(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC).replace(tzinfo=None) if at and at.tzinfo else at


def _recomputed(store: Store, world: InsightsOrg) -> list[tuple[Any, ...]]:
    """The table rebuilt from scratch, in a transaction rolled back: the stored rows stay."""
    with store.engine.connect() as conn, conn.begin() as outer:
        rebuild(conn, world.org)
        s = person_tie_summary
        rows = conn.execute(
            s.select().where(s.c.org_id == world.org.id).order_by(s.c.person_id)
        ).all()
        outer.rollback()
    return [
        (r.person_id, r.knowers, r.score, round(r.strength, 9), r.member_id, _naive(r.last_at))
        for r in rows
    ]


def _person(store: Store, email: str) -> int:
    with store.read() as conn:
        return int(
            conn.execute(
                person_email.select()
                .with_only_columns(person_email.c.person_id)
                .where(person_email.c.email == email)
            ).scalar_one()
        )


def _same(store: Store, world: InsightsOrg) -> list[tuple[Any, ...]]:
    stored = _stored(store, world)
    assert stored and stored == _recomputed(store, world)
    return stored


def test_equals_a_full_recompute_after_every_write(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    first = _same(store, world)  # directory import, ingest, contact imports, sharing
    mbox = tmp_path / "more.mbox"
    mbox.write_text(_thread("cy@us.example", "pat@acme.example", range(16, 25), "cp"))
    ingest_mail(store, world.org, [mbox])
    after_ingest = _same(store, world)
    pat = _person(store, "pat@acme.example")
    assert [r for r in after_ingest if r[0] == pat] != [r for r in first if r[0] == pat]
    card = tmp_path / "cy.vcf"
    card.write_text(_vcard("Kim Poe", "kim@acme.example"), encoding="utf-8")
    import_contacts(store, world.org, world.cy, [card])  # an explicit tie
    _same(store, world)
    rescore(store, world.org, now=datetime.now(UTC) + timedelta(days=200))  # scores decay
    after_rescore = _same(store, world)
    assert after_rescore != after_ingest
    set_member_sharing(store, world.org, world.ana, activity_sharing=False)
    assert all(r[4] != world.ana.id for r in _same(store, world))
    set_member_sharing(store, world.org, world.bo, activity_sharing=True)
    assert any(r[4] == world.bo.id for r in _same(store, world))
    leave_member(store, world.org, world.cy)
    assert all(r[4] != world.cy.id for r in _same(store, world))


def test_a_refresh_run_twice_writes_the_same_rows(store: Store, world: InsightsOrg) -> None:
    before = _stored(store, world)
    with store.read() as conn:
        ids = list(conn.execute(tie.select().with_only_columns(tie.c.person_id)).scalars())
    for _ in range(2):  # a rerun after a crash: delete and write again, one transaction each
        with store.write() as conn:
            refresh_persons(conn, world.org, ids)
        assert _stored(store, world) == before


def test_holds_nothing_of_a_member_who_does_not_share(store: Store, world: InsightsOrg) -> None:
    """Bo does not share: Lee (known only to Bo) has no row, Bo is nobody's colleague there, and
    only Bo's own gallery merges his tie in."""
    lee = _person(store, "lee@acme.example")
    stored = _stored(store, world)
    assert all(r[0] != lee and r[4] != world.bo.id for r in stored)
    with store.read() as conn:
        quinn = conn.execute(
            person.select()
            .with_only_columns(person.c.id)
            .where(person.c.full_name.ilike("%quinn%"))
        ).scalars()
        assert all(q not in {r[0] for r in stored} for q in quinn)
    for viewer, seen in ((world.cy, 0), (world.ana, 0), (world.bo, 1)):
        rows = gallery_rows(store, world.org, viewer, scope="directory", limit=200).items
        ties = {r.person_id: r.ties for r in rows}
        assert ties.get(lee) is None or ties[lee].knowers == seen, viewer.email
        ranked = gallery_rows(store, world.org, viewer, sort="knowers", descending=True)
        assert all(
            r.ties.colleague_email != "bo@us.example" or viewer == world.bo for r in ranked.items
        )


def test_a_flush_refreshes_each_person_once(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    """An ingest whose member's pace moves: the persons of the written ties are also the
    persons of that member's ties, and each is deleted and summed once, not once per cause."""
    with store.read() as conn:
        factors = dict(conn.execute(select(member.c.id, member.c.pace_factor)).all())
    quiet = min((f, m) for m, f in factors.items() if m in {world.ana.id, world.cy.id})[1]
    sender = world.ana.email if quiet == world.ana.id else world.cy.email
    mbox = tmp_path / "more.mbox"
    mbox.write_text(_thread(sender, "pat@acme.example", range(16, 18), "once"))
    touched: list[int] = []

    def count(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM PERSON_TIE_SUMMARY"):
            if isinstance(params, dict):  # PostgreSQL: named, org_id_1 and person_id_1_N
                touched.extend(v for k, v in params.items() if k.startswith("person_id"))
            else:  # SQLite: positional, org_id first
                touched.extend(params[1:])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        ingest_mail(store, world.org, [mbox])
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    with store.read() as conn:
        after = dict(conn.execute(select(member.c.id, member.c.pace_factor)).all())
        theirs = set(
            conn.execute(select(tie.c.person_id).where(tie.c.member_id == quiet)).scalars()
        )
    assert after[quiet] != factors[quiet]  # the pace moved: its persons are refreshed too
    assert _person(store, "pat@acme.example") in touched and theirs <= set(touched)
    assert sorted(touched) == sorted(set(touched))
    _same(store, world)


def test_a_pace_change_refreshes_only_what_the_factor_moves(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    """Cy's ties with interactions are summed again, not her contact alone (its score is the
    bonus whatever the factor), nor any of Bo's (he does not share); the rows stay equal to a
    full recompute."""
    card = tmp_path / "cy.vcf"
    card.write_text(_vcard("Pat Doe", "pat@acme.example"), encoding="utf-8")
    import_contacts(store, world.org, world.cy, [card])  # an explicit tie, no interactions
    with store.write() as conn:
        rows = conn.execute(select(tie.c.member_id, tie.c.person_id, tie.c.volume)).all()
        moves = {r.person_id for r in rows if r.member_id == world.cy.id and (r.volume or 0) > 0}
        stays = {r.person_id for r in rows if r.member_id == world.cy.id and not r.volume}
        assert moves and stays and any(r.member_id == world.bo.id for r in rows)
        conn.execute(update(member).where(member.c.id == world.cy.id).values(pace_factor=0.5))
        done = refresh(conn, world.org, paced=[world.cy.id, world.bo.id])
    assert done.persons == len(moves)
    _same(store, world)
