"""The daily background rescore: once a day per organization, failures logged, never raised."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from tiegraph.services.activity import daily_rescore
from tiegraph.services.activity.daily_rescore import DailyRescore, last_rescore, rescore_due
from tiegraph.services.org.orgs import Org, create_org, resolve_org
from tiegraph.store import Store


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
