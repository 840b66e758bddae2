"""Single sign-on pages without a provider: mistakes answer a page (never a 500), admins only."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import Browser

from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.services.org.sso import get_sso, set_sso
from tiegraph.store import Store
from tiegraph.store.schema import web_session
from tiegraph.web import sessions


def test_a_callback_without_a_pending_sign_in_is_refused(app: FastAPI) -> None:
    client = TestClient(app)
    answer = client.get("/sign-in/sso/callback?code=x&state=y", follow_redirects=False)
    assert answer.status_code == 400 and "start it again" in answer.text


def test_an_organization_without_sso_says_so(app: FastAPI, web_store: Store) -> None:
    client = TestClient(app)
    answer = client.get("/sign-in/sso/default", follow_redirects=False)
    assert answer.status_code == 503 and "has no single sign-on" in answer.text
    assert "Sign in with" not in client.get("/sign-in").text
    answer = client.get("/sign-in/sso/nowhere", follow_redirects=False)
    assert answer.status_code == 503 and "no such organization" in answer.text


def test_an_unreachable_provider_is_a_page_not_a_500(
    app: FastAPI, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSO_TEST_SECRET", "s")
    set_sso(web_store, resolve_org(web_store), issuer="http://127.0.0.1:9/", client_id="c",
            client_secret_env="SSO_TEST_SECRET", provider_name="Down IdP")  # fmt: skip
    client = TestClient(app)
    assert "Sign in with Down IdP" in client.get("/sign-in").text
    answer = client.get("/sign-in/sso/default", follow_redirects=False)
    assert answer.status_code == 503 and "Down IdP cannot be reached" in answer.text


def test_only_admins_configure_sso(ana: Browser, bo: Browser, web_store: Store) -> None:
    form = {"issuer": "https://idp.example", "client_id": "c", "client_secret_env": "S_ENV"}
    assert bo.post("/settings/sso", form).status_code == 403  # type: ignore[attr-defined]
    assert "Single sign-on" not in bo.client.get("/settings").text
    assert ana.post("/settings/sso", form).status_code == 303  # type: ignore[attr-defined]
    page = ana.client.get("/settings").text
    assert "http://testserver/sign-in/sso/callback" in page and "$S_ENV" in page
    config = get_sso(web_store, resolve_org(web_store))
    assert config is not None and config.client_id == "c"
    answer = ana.post("/settings/sso", {**form, "issuer": "http://idp.example"})
    assert answer.status_code == 422 and "must use https" in answer.text  # type: ignore[attr-defined]


def test_password_sign_in_off_ends_password_sessions_only(
    ana: Browser, bo: Browser, web_store: Store
) -> None:
    org = resolve_org(web_store)
    bo_id = get_member(web_store, org, "bo@us.example").id
    sso_token = sessions.open_session(web_store, org.id, bo_id, 3600, method="sso")
    form = {"issuer": "https://idp.example", "client_id": "c", "client_secret_env": "S_ENV"}
    assert ana.post("/settings/sso", form).status_code == 303  # type: ignore[attr-defined]
    assert bo.client.get("/gallery", follow_redirects=False).status_code == 200
    answer = ana.post("/settings/password-sign-in", {})  # the box unticked: off
    assert answer.status_code == 303  # type: ignore[attr-defined]
    # Bo's password session ended; Ana's own, who switched it off, and one signed in by SSO
    # go on.
    assert bo.client.get("/gallery", follow_redirects=False).status_code == 303
    assert "Password sign-in is off." in ana.client.get("/settings").text
    with web_store.read() as conn:
        live = conn.execute(
            select(web_session.c.method).where(web_session.c.ended_at.is_(None))
        ).all()
        ours = conn.execute(
            select(web_session.c.ended_at).where(
                web_session.c.token_hash == sessions.token_hash(sso_token)
            )
        ).scalar_one()
    assert sorted(row.method for row in live) == ["password", "sso"] and ours is None
