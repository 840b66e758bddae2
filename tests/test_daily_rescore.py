"""The daily background rescore: once a day per organization, failures logged, never raised."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from insights_org import build
from tiegraph.core.strength import from_columns, score, strength
from tiegraph.services.activity import daily_rescore
from tiegraph.services.activity import ties as ties_module
from tiegraph.services.activity.daily_rescore import DailyRescore, last_rescore, rescore_due
from tiegraph.services.activity.member_activity import store_paces
from tiegraph.services.activity.ties import VOLUME_DRIFT, rescore
from tiegraph.services.org.orgs import Org, create_org, resolve_org
from tiegraph.services.org.settings import put_setting
from tiegraph.store import Store
from tiegraph.store.schema import member, tie


def test_each_organization_is_rescored_once_a_day(store: Store) -> None:
    default = resolve_org(store)
    other = create_org(store, "other", "Other Inc")
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert set(rescore_due(store, now=start)) == {default.slug, other.slug}
    assert last_rescore(store, default) == start
    assert rescore_due(store, now=start + timedelta(hours=23)) == {}
    assert set(rescore_due(store, now=start + timedelta(days=1))) == {"default", "other"}


def test_one_failing_organization_is_logged_and_the_others_run(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    resolve_org(store)
    create_org(store, "other", "Other Inc")
    real = daily_rescore.rescore

    def flaky(store: Store, org: Org, **kwargs: object) -> int:
        if org.slug == "default":
            raise RuntimeError("disk full")
        return real(store, org, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(daily_rescore, "rescore", flaky)
    with caplog.at_level(logging.ERROR):
        assert rescore_due(store) == {"other": 0}
    assert "default failed" in caplog.text
    assert last_rescore(store, resolve_org(store)) is None  # due again next time


def test_the_thread_runs_at_start_and_stops(store: Store) -> None:
    org = resolve_org(store)
    rescorer = DailyRescore(store, check_seconds=60)
    rescorer.start()
    deadline = time.monotonic() + 10
    while rescorer.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    rescorer.stop()
    assert rescorer.runs == 1 and last_rescore(store, org) is not None


def _world(store: Store, tmp_path: Path) -> Org:
    return build(store, tmp_path).org


def test_a_store_without_stored_volumes_is_rescored_at_start_whatever_the_day(
    store: Store, tmp_path: Path
) -> None:
    org = _world(store, tmp_path)
    start = datetime.now(UTC)
    assert org.slug in rescore_due(store, now=start)
    assert rescore_due(store, now=start + timedelta(hours=1)) == {}
    with store.write() as conn:  # as migration 0017 leaves a store
        conn.execute(update(tie).values(volume=None))
        conn.execute(update(member).values(pace=None, pace_factor=None))
    put_setting(store, org, daily_rescore.INPUTS_SETTING, False)  # a store from before 0017
    assert org.slug in rescore_due(store, now=start + timedelta(hours=2))
    with store.read() as conn:
        assert conn.execute(select(tie.c.volume).where(tie.c.volume.is_(None))).first() is None
        paces = conn.execute(select(member.c.pace_factor)).scalars().all()
    assert paces and None not in paces
    assert rescore_due(store, now=start + timedelta(hours=3)) == {}


def test_a_rescore_killed_between_batches_then_rerun_ends_as_one_run(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _world(store, tmp_path)
    moment = datetime.now(UTC) + timedelta(days=40)
    monkeypatch.setattr(ties_module, "RESCORE_BATCH", 2)

    def killed(label: str, done: int, total: int) -> None:
        raise KeyboardInterrupt("killed after the first batch")

    with pytest.raises(KeyboardInterrupt):
        rescore(store, org, now=moment, progress=killed)
    with store.read() as conn:
        rows = conn.execute(select(tie.c.state, tie.c.volume, tie.c.explicit)).all()
    assert sum(abs(r.volume - strength(from_columns(r.state), moment)) > 1e-12 for r in rows) > 0
    rescore(store, org, now=moment)
    with store.read() as conn:
        rows = conn.execute(select(tie.c.state, tie.c.volume, tie.c.score, tie.c.explicit)).all()
        stored = dict(conn.execute(select(member.c.id, member.c.pace_factor)).all())
        store_paces(conn, org, moment)
        today = dict(conn.execute(select(member.c.id, member.c.pace_factor)).all())
    for r in rows:
        state = from_columns(r.state)
        expected = strength(state, moment)
        assert abs(r.volume - expected) <= VOLUME_DRIFT * max(expected, 1e-9)
        assert r.score == score(state, moment, explicit_connection=bool(r.explicit)).score
    assert stored == today
