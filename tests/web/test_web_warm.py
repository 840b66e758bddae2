"""The first view's warming (web/warm.py): every template compiled, each organization's first
pages run once, a failing step logged and never raised, and again in every web process after
an import finished in any (web/freshness.py)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from tests.web.conftest import settings, sign_in

from tiegraph.services.org.changes import note_change
from tiegraph.services.org.orgs import create_org, resolve_org
from tiegraph.store import Store
from tiegraph.web import app as web_app
from tiegraph.web import templating, warm
from tiegraph.web.app import create_app
from tiegraph.web.freshness import Freshness
from tiegraph.web.paths_cache import PathsCache


def test_warming_compiles_every_template_and_runs_each_org_first_pages(
    active_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = templating._environment()  # nothing compiled yet
    monkeypatch.setattr(warm, "environment", fresh)
    seen: list[str] = []
    real = warm.warm_org
    monkeypatch.setattr(
        warm,
        "warm_org",
        lambda store, org, viewer: (seen.append(org.slug), real(store, org, viewer)),
    )
    warm.warm(active_store)
    compiled = {name for (_, name) in fresh.cache}  # type: ignore[union-attr]
    assert compiled == set(fresh.list_templates(filter_func=lambda n: n.endswith(".html")))
    assert sorted(seen) == ["default", "other"]


def test_a_failing_step_is_logged_and_the_others_run(
    active_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(warm, "my_day", broken)
    monkeypatch.setattr(warm, "search_persons", lambda *a, **k: ran.append("people"))
    with caplog.at_level(logging.ERROR):
        warm.warm(active_store)
    assert "warming my day of default failed" in caplog.text
    assert ran == ["people", "people"]  # both organizations went on


def test_an_import_through_the_web_app_warms_every_web_process(
    web_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two web processes (apps) over one store and one without warming: the import runs in
    one, and both that warm notice it (web/freshness.py) and warm the organization again."""
    warmed: list[tuple[int, frozenset[int]]] = []
    monkeypatch.setattr(
        web_app, "warm", lambda store, orgs: warmed.append((id(store), frozenset(orgs)))
    )
    apps = [create_app(web_store, settings(tmp_path, warm=warming)) for warming in (1, 1, 0)]
    assert apps[2].state.freshness is None
    try:
        ana = sign_in(apps[0], "ana@us.example")
        card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jo Ro\r\nN:Ro;Jo;;;\r\nEND:VCARD\r\n"
        answer = ana.post("/import", files={"files": ("jo.vcf", card, "text/vcard")})
        assert answer.status_code == 303  # type: ignore[attr-defined]
        apps[0].state.imports.shutdown(wait=True)
        org = resolve_org(web_store)
        deadline = time.monotonic() + 10
        while len(warmed) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warmed == [(id(web_store), frozenset({org.id}))] * 2
    finally:
        for app in apps:
            if app.state.freshness is not None:
                app.state.freshness.stop()


def test_a_change_made_elsewhere_reaches_every_process(store: Store) -> None:
    """What one process learns from the store alone, on both backends: the other's Freshness
    fires once per change, and no paths cache answers from before it."""
    org = create_org(store, "acme", "Acme")
    seen: list[set[int]] = []
    watchers = [Freshness(store, seen.append, interval=0.05).start() for _ in range(2)]
    cache = PathsCache(seconds=600)
    computed: list[int] = []
    try:
        cache.get(store, org, 1, 2, lambda: computed.append(1))  # type: ignore[func-returns-value]
        cache.get(store, org, 1, 2, lambda: computed.append(1))  # type: ignore[func-returns-value]
        assert computed == [1]  # kept
        note_change(store, org)  # as a worker's finished import does
        cache.get(store, org, 1, 2, lambda: computed.append(1))  # type: ignore[func-returns-value]
        assert computed == [1, 1]  # computed again at once: never the answer from before
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert seen == [{org.id}, {org.id}]  # each watcher once, not again and again
    finally:
        for watcher in watchers:
            watcher.stop()
