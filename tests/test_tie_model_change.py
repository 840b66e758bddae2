"""A tie state shaped by other parameters is refolded, by the next ingest or rescore."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from test_member_activity import NOW, _mbox, _world
from tiegraph.core.strength import DEFAULT_PARAMS, TieState, fold, from_columns
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.activity.ties import raw_touches, rescore
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import tie


def _spoil(store: Store) -> None:
    """Every stored state as an older model would have left it: other fingerprint, other sums."""
    with store.write() as conn:
        for r in conn.execute(select(tie.c.member_id, tie.c.person_id, tie.c.state)).all():
            state = dict(r.state, model="00000000", email_out=999.0, email_in=999.0)
            conn.execute(
                update(tie)
                .where(tie.c.member_id == r.member_id, tie.c.person_id == r.person_id)
                .values(state=state)
            )


def _assert_fresh(store: Store, org: Org) -> None:
    with store.read() as conn:
        rows = conn.execute(select(tie.c.member_id, tie.c.person_id, tie.c.state)).all()
        raw = raw_touches(conn, org, [(r.member_id, r.person_id) for r in rows])
    for r in rows:
        stored = from_columns(r.state)
        fresh = fold(TieState(), sorted(raw[r.member_id, r.person_id], key=lambda t: t.at))
        assert stored.model == DEFAULT_PARAMS.fingerprint()
        assert math.isclose(stored.email_out, fresh.email_out, rel_tol=1e-9)
        assert math.isclose(stored.email_in, fresh.email_in, rel_tol=1e-9)


def test_rescore_refolds_every_state_of_another_model(store: Store, tmp_path: Path) -> None:
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    _spoil(store)
    assert rescore(store, org, now=NOW) > 0
    _assert_fresh(store, org)


def test_ingest_refolds_a_state_of_another_model_it_adds_to(store: Store, tmp_path: Path) -> None:
    org, mbox = _world(store, tmp_path)
    ingest_mail(store, org, [mbox])
    _spoil(store)
    later = _mbox(tmp_path / "later.mbox", [("pat@acme.example", "bo@us.example", 0.5)])
    ingest_mail(store, org, [later])
    with store.read() as conn:
        states = {
            (r.member_id, r.person_id): from_columns(r.state)
            for r in conn.execute(select(tie.c.member_id, tie.c.person_id, tie.c.state))
        }
    touched = [s for s in states.values() if s.last_at and s.last_at > NOW - timedelta(days=1)]
    assert len(touched) == 1 and touched[0].model == DEFAULT_PARAMS.fingerprint()
    assert touched[0].email_out < 999.0
