"""Members' activity in the store: kept by ingest and rescore, read by who-knows."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tiegraph.core.member_activity import activity_from_columns, pace
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.activity.member_activity import (
    PACE_DRIFT,
    paces_before,
    refresh,
    store_paces,
)
from tiegraph.services.activity.ties import rescore
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.who_knows import knowers_of_person, who_knows
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import member, member_activity_day, organization, person_email

NOW = datetime.now(UTC).replace(microsecond=0)
PERSONS = [("Pat", "pat@acme.example"), ("Lee", "lee@acme.example"), ("Kim", "kim@acme.example")]


def _org(store: Store, tmp_path: Path) -> Org:
    org = resolve_org(store)
    path = tmp_path / "directory.jsonl"
    rows = [
        {"type": "person", "id": e, "first_name": n, "last_name": "Doe", "emails": [e]}
        for n, e in PERSONS
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    add_member(store, org, email="bo@us.example", name="Bo Chen")
    return org


def _mbox(path: Path, mail: list[tuple[str, str, float]]) -> Path:
    """(sender, recipient, days before now) per message."""
    parts = []
    for i, (sender, to, days_ago) in enumerate(mail):
        when = format_datetime(NOW - timedelta(days=days_ago))
        parts.append(
            f"From {sender} {when}\nFrom: {sender}\nTo: {to}\nDate: {when}\n"
            f"Message-ID: <m{i}@{path.stem}>\n\nbody\n\n"
        )
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _world(store: Store, tmp_path: Path) -> tuple[Org, Path]:
    """Ana wrote with Pat most, but has written to no one for five weeks (she left); Bo wrote
    with Pat less, and has been writing to Lee and Kim all along."""
    org = _org(store, tmp_path)
    ana = [("ana@us.example", "pat@acme.example", 35 + 4 * i) for i in range(12)]
    ana += [("pat@acme.example", "ana@us.example", 37 + 4 * i) for i in range(12)]
    ana += [("ana@us.example", "kim@acme.example", 36 + 5 * i) for i in range(40)]
    bo = [("bo@us.example", "pat@acme.example", 20 + 10 * i) for i in range(4)]
    bo += [("pat@acme.example", "bo@us.example", 25 + 10 * i) for i in range(2)]
    bo += [("bo@us.example", "lee@acme.example", 2 + i) for i in range(80)]
    bo += [("kim@acme.example", "bo@us.example", 2.5 + 2 * i) for i in range(40)]
    return org, _mbox(tmp_path / "all.mbox", ana + bo)


def _activities(store: Store, org: Org) -> dict[str, object]:
    with store.read() as conn:
        rows = conn.execute(
            select(member.c.email, member.c.activity).where(member.c.org_id == org.id)
        )
        return {r.email: r.activity for r in rows}


def test_a_colleague_gone_quiet_ranks_below_one_still_at_work(store: Store, tmp_path: Path) -> None:
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    knowers = who_knows(store, org, ["pat@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["bo@us.example", "ana@us.example"]
    assert any(r.startswith("quieter than colleagues lately: ") for r in knowers[1].reasons)
    assert not any(r.startswith("quieter") for r in knowers[0].reasons)
    with store.read() as conn:
        pat = conn.execute(
            select(person_email.c.person_id).where(person_email.c.email == "pat@acme.example")
        ).scalar_one()
    page = knowers_of_person(store, org, pat, viewer=None)
    assert [k.member_email for k in page] == ["bo@us.example", "ana@us.example"]
    # As of yesterday, from the interactions before it: the same order, from the same paces.
    yesterday = (NOW - timedelta(days=1)).date()
    past = who_knows(store, org, ["pat@acme.example"], as_of=yesterday)[0].knowers
    assert [k.member_email for k in past] == ["bo@us.example", "ana@us.example"]


def _halves(mbox: Path, folder: Path) -> tuple[Path, Path]:
    """The mbox's messages dealt into two files, older and newer mail mixed in each."""
    lines = mbox.read_text(encoding="utf-8").split("\n\nbody\n\n")
    first, second = folder / "first.mbox", folder / "second.mbox"
    first.write_text("\n\nbody\n\n".join(lines[1::2]) + "\n\nbody\n\n", encoding="utf-8")
    second.write_text("\n\nbody\n\n".join(lines[0::2]), encoding="utf-8")
    return first, second


def test_ingest_keeps_activity_as_a_recompute_finds_it(store: Store, tmp_path: Path) -> None:
    org, mbox = _world(store, tmp_path)
    first, second = _halves(mbox, tmp_path)
    ingest_mail(store, org, [first])
    ingest_mail(store, org, [second])  # older and newer mail arrive in any order
    folded = _activities(store, org)
    rescore(store, org, now=NOW)
    recomputed = _activities(store, org)
    for email in ("ana@us.example", "bo@us.example"):
        a = activity_from_columns(folded[email])  # type: ignore[arg-type]
        b = activity_from_columns(recomputed[email])  # type: ignore[arg-type]
        assert a.last_at == b.last_at
        assert math.isclose(a.recent, b.recent, rel_tol=1e-6)
        assert math.isclose(a.usual, b.usual, rel_tol=1e-6)
    assert pace(activity_from_columns(recomputed["ana@us.example"]), NOW) < 0.15  # type: ignore[arg-type]


def test_as_of_reads_day_sums_once_built_and_ingest_keeps_them(
    store: Store, tmp_path: Path
) -> None:
    """who-knows --as-of answers the same from the interactions (before any recompute) and
    from the day sums (after it), also when mail arrives after they were built."""
    org, mbox = _world(store, tmp_path)
    first, second = _halves(mbox, tmp_path)
    ingest_mail(store, org, [first])
    days = [(NOW - timedelta(days=d)).date() for d in (1, 3, 30, 40)]
    emails = ["pat@acme.example", "kim@acme.example", "lee@acme.example"]

    def answers() -> list[object]:
        with store.read(streaming=True) as conn:
            ids = conn.execute(select(member.c.id)).scalars().all()
            cutoffs = [datetime.combine(day, datetime.min.time(), tzinfo=UTC) for day in days]
            paces = [paces_before(conn, org, ids, cutoff) for cutoff in cutoffs]
        return [
            [(k.member_email, k.score, k.reasons) for k in p.knowers]
            for day in days
            for p in who_knows(store, org, emails, as_of=day)
        ] + [{m: round(v, 9) for m, v in by_member.items()} for by_member in paces]

    def day_rows() -> list[tuple[int, int, float, float]]:
        with store.read() as conn:
            return [
                tuple(r)
                for r in conn.execute(select(member_activity_day).order_by("member_id", "day"))
            ]  # type: ignore[misc]

    from_interactions = answers()
    assert day_rows() == []  # not built until a recompute
    rescore(store, org, now=NOW)
    assert day_rows() != []
    assert answers() == from_interactions
    ingest_mail(store, org, [second])  # folded into the day sums as it arrives
    folded = day_rows()
    with_all = answers()
    with store.write() as conn:
        conn.execute(update(organization).values(activity_pace=None))  # back to the interactions
    assert answers() == with_all
    rescore(store, org, now=NOW)  # rebuilt from the interactions: what ingest folded
    rebuilt = day_rows()
    assert [r[:3] for r in rebuilt] == [r[:3] for r in folded]
    assert all(
        math.isclose(a[3], b[3], rel_tol=1e-9) and math.isclose(a[4], b[4], rel_tol=1e-9)
        for a, b in zip(rebuilt, folded, strict=True)
    )


def test_a_store_without_activity_ranks_as_before_until_rescored(
    store: Store, tmp_path: Path
) -> None:
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    with store.write() as conn:  # as migrations 0006 and 0017 leave a store: no activity known
        conn.execute(update(member).values(activity=None, pace=None, pace_factor=None))
    knowers = who_knows(store, org, ["pat@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["ana@us.example", "bo@us.example"]
    rescore(store, org)
    knowers = who_knows(store, org, ["pat@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["bo@us.example", "ana@us.example"]


def test_when_everyone_went_quiet_nobody_is_quieter_than_colleagues(
    store: Store, tmp_path: Path
) -> None:
    """A mail feed that stopped for all (or a holiday season) says nothing about one of them."""
    org = _org(store, tmp_path)
    ana = [("ana@us.example", "pat@acme.example", 40 + 4 * i) for i in range(12)]
    ana += [("pat@acme.example", "ana@us.example", 42 + 4 * i) for i in range(12)]
    bo = [("bo@us.example", "pat@acme.example", 40 + 10 * i) for i in range(4)]
    bo += [("bo@us.example", "lee@acme.example", 40 + i) for i in range(80)]
    ingest_mail(store, org, [_mbox(tmp_path / "old.mbox", ana + bo)])
    for as_of in (None, (NOW - timedelta(days=1)).date()):
        knowers = who_knows(store, org, ["pat@acme.example"], as_of=as_of)[0].knowers
        assert [k.member_email for k in knowers] == ["ana@us.example", "bo@us.example"]
        assert not any(r.startswith("quieter") for k in knowers for r in k.reasons)


def test_rescore_recomputes_weekly_or_at_once_for_another_model(
    store: Store, tmp_path: Path
) -> None:
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    with store.write() as conn:
        assert refresh(conn, org, NOW)  # never recomputed yet
        assert not refresh(conn, org, NOW + timedelta(days=1))
        assert refresh(conn, org, NOW + timedelta(days=7))
        conn.execute(update(member).values(activity={"model": "0", "last_at": NOW.isoformat()}))
        assert refresh(conn, org, NOW + timedelta(days=8))
    assert all(a and a["model"] != "0" for a in _activities(store, org).values())  # type: ignore[index]


def test_a_pace_factor_that_moved_by_a_hair_is_kept(store: Store, tmp_path: Path) -> None:
    """Within PACE_DRIFT the stored factor stays (no read model to refresh: none is returned as
    moved); beyond it, today's is written and the member is returned."""
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    with store.write() as conn:
        ana = conn.execute(
            select(member.c.id, member.c.pace_factor).where(member.c.email == "ana@us.example")
        ).one()
        assert 0.0 < ana.pace_factor < 1.0  # gone quiet: her factor is not the cap
        assert store_paces(conn, org, NOW) == []
        hair = ana.pace_factor * (1 + PACE_DRIFT / 2)
        conn.execute(update(member).where(member.c.id == ana.id).values(pace_factor=hair))
        assert store_paces(conn, org, NOW) == []
        assert (
            conn.execute(select(member.c.pace_factor).where(member.c.id == ana.id)).scalar() == hair
        )
        far = ana.pace_factor * (1 + PACE_DRIFT * 2)
        conn.execute(update(member).where(member.c.id == ana.id).values(pace_factor=far))
        assert store_paces(conn, org, NOW) == [ana.id]
        today = conn.execute(select(member.c.pace_factor).where(member.c.id == ana.id)).scalar()
    assert today != far and today == pytest.approx(ana.pace_factor, rel=PACE_DRIFT)
