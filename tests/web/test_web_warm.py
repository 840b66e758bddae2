"""The first view's warming (web/warm.py): every template compiled, each organization's first
pages run once, a failing step logged and never raised, and again after a web import."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.web.conftest import settings, sign_in

from tiegraph.store import Store
from tiegraph.web import templating, uploads, warm
from tiegraph.web.app import create_app


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


def test_an_import_through_the_web_app_warms_after_it(
    web_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed: list[Store] = []
    monkeypatch.setattr(uploads, "warm", warmed.append)
    for warming in (False, True):
        app: FastAPI = create_app(web_store, settings(tmp_path, warm=warming))
        ana = sign_in(app, "ana@us.example")
        card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jo Ro\r\nN:Ro;Jo;;;\r\nEND:VCARD\r\n"
        answer = ana.post("/import", files={"files": ("jo.vcf", card, "text/vcard")})
        assert answer.status_code == 303  # type: ignore[attr-defined]
        app.state.imports.shutdown(wait=True)  # the import, then the warming, are done
        assert warmed == ([web_store] if warming else [])
