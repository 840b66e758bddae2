"""Sign-in, sessions, CSRF on every form, rate limits, the admin role and API tokens."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from tests.web.conftest import PASSWORD, Browser, settings, sign_in

from tiegraph.services.org.auth import verify_sign_in
from tiegraph.store import Store
from tiegraph.store.schema import api_token, member, sign_in_failure
from tiegraph.web.app import create_app
from tiegraph.web.routes import pages


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_pages_need_a_session(app: FastAPI) -> None:
    client = TestClient(app)
    answer = client.get("/gallery?q=x", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fgallery%3Fq%3Dx"


def test_sign_in_sets_a_signed_httponly_samesite_cookie(app: FastAPI) -> None:
    client = TestClient(app)
    token = _csrf_from(client.get("/sign-in").text)
    answer = client.post(
        "/sign-in",
        data={"email": "ANA@us.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"  # My day
    cookie = answer.headers["set-cookie"].lower()
    assert "tiegraph_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "Ana Lima" in client.get("/gallery").text
    # A tampered cookie is no session at all.
    value = client.cookies["tiegraph_session"]
    forged = TestClient(app, cookies={"tiegraph_session": value[:-4] + "AAAA"})
    assert forged.get("/gallery", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_account_say_the_same(app: FastAPI) -> None:
    client = TestClient(app)
    token = _csrf_from(client.get("/sign-in").text)
    texts = []
    for email, password in (("ana@us.example", "wrong-password"), ("no@us.example", PASSWORD)):
        answer = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status_code == 401
        texts.append("Wrong email or password." in answer.text)
    assert texts == [True, True]


def test_sign_in_is_rate_limited_per_account_and_address(app: FastAPI) -> None:
    client = TestClient(app)
    token = _csrf_from(client.get("/sign-in").text)
    form = {"email": "ana@us.example", "password": "wrong-password", "csrf_token": token}
    codes = [client.post("/sign-in", data=form).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    limited = client.post("/sign-in", data=form | {"password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    # Another account from the same address is not locked out by Ana's failures.
    assert sign_in(app, "bo@us.example")


def test_workers_count_the_same_failed_sign_ins(
    app: FastAPI, web_store: Store, tmp_path: Path
) -> None:
    """`serve --workers 2`: two apps over one store; failures at either count at both, and a
    success clears them for both."""
    second = create_app(web_store, settings(tmp_path), recover_imports=False)
    clients = [TestClient(app), TestClient(second)]
    tokens = [_csrf_from(c.get("/sign-in").text) for c in clients]
    form = {"email": "bo@us.example", "password": "wrong-password"}
    codes = [
        clients[i % 2].post("/sign-in", data=form | {"csrf_token": tokens[i % 2]}).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    assert clients[0].post("/sign-in", data=form | {"csrf_token": tokens[0]}).status_code == 429
    with web_store.write() as conn:  # the window passes
        conn.execute(update(sign_in_failure).values(failed_at=sign_in_failure.c.failed_at - 3600))
    assert sign_in(second, "bo@us.example")
    with web_store.read() as conn:
        assert conn.execute(select(func.count()).select_from(sign_in_failure)).scalar_one() == 0
    second.state.imports.shutdown(wait=True)


def test_open_redirects_are_refused(app: FastAPI) -> None:
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        client = TestClient(app)
        token = _csrf_from(client.get("/sign-in").text)
        answer = client.post(
            "/sign-in",
            data={
                "email": "ana@us.example",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"  # My day


def test_sign_out_ends_the_session(ana: Browser) -> None:
    assert ana.post("/sign-out").status_code == 303
    assert ana.client.get("/gallery", follow_redirects=False).status_code == 303


def test_an_ended_session_and_a_revoked_token_are_refused_by_every_worker(
    app: FastAPI, ana: Browser, web_store: Store, tmp_path: Path
) -> None:
    """`serve --workers 2`: a copy of the cookie and a token, both used at the second worker
    first (its statements compiled and cached), are refused there as soon as the first worker
    ends the session or revokes the token."""
    second = create_app(web_store, settings(tmp_path), recover_imports=False)
    copy = TestClient(second, cookies=dict(ana.client.cookies))
    assert copy.get("/intros", follow_redirects=False).status_code == 200
    page = ana.post("/settings/tokens", {"name": "CRM"})
    start = page.text.index("tg_")
    token = page.text[start : page.text.index("<", start)]
    first_api, second_api = (
        TestClient(a, headers={"Authorization": f"Bearer {token}"}) for a in (app, second)
    )
    assert second_api.get("/api/v1/me").json()["email"] == "ana@us.example"
    token_id = first_api.get("/api/v1/tokens").json()["items"][-1]["id"]
    assert first_api.delete(f"/api/v1/tokens/{token_id}").json()["revoked_at"]
    assert second_api.get("/api/v1/me").status_code == 401
    assert ana.post("/sign-out").status_code == 303
    assert copy.get("/intros", follow_redirects=False).status_code == 303
    second.state.imports.shutdown(wait=True)


def _post_routes() -> set[str]:
    return {
        route.path
        for area in pages.AREAS
        for route in area.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    }


def test_every_form_needs_the_csrf_token(app: FastAPI, ana: Browser) -> None:
    """Every POST page route refuses a request without the session's token, or with another."""
    for path in FORMS:
        for token in (None, "forged-token"):
            data = {"csrf_token": token} if token else {}
            answer = ana.client.post(path, data=data | {"name": "x"}, follow_redirects=False)
            assert answer.status_code == 403, (path, answer.status_code)
            assert "reload the page" in answer.text


FORMS = [
    "/sign-in",
    "/sign-out",
    "/gallery/columns",
    "/properties",
    "/properties/1/delete",
    "/contacts/1/values",
    "/contacts/1/archive",
    "/contacts/1/restore",
    "/persons/1/archive",
    "/persons/1/restore",
    "/accounts/1/flags",
    "/import",
    "/network/1/publish",
    "/matches/1",
    "/settings/sharing",
    "/settings/password",
    "/settings/tokens",
    "/settings/tokens/1/revoke",
    "/settings/organization",
    "/settings/sso",
    "/settings/password-sign-in",
    "/settings/accounts/1/disconnect",
    "/settings/smtp",
    "/settings/intro-template",
    "/settings/signature",
    "/persons/1/intros",
    "/intros/1",
    "/intros/1/mark",
    "/intros/1/answer",
    "/lists",
    "/lists/add",
    "/lists/1/items",
    "/lists/1/archive",
    "/lists/1/remove",
]


def test_the_list_of_forms_is_every_post_route() -> None:
    concrete = {re.sub(r"\{[^}]+\}", "1", path) for path in _post_routes()}
    assert concrete == set(FORMS)


def test_admin_only_organization_settings(app: FastAPI, ana: Browser, bo: Browser) -> None:
    assert bo.post("/settings/organization", {"name": "Bo's org"}).status_code == 403
    assert ana.post("/settings/organization", {"name": "Ana's org"}).status_code == 303
    assert "Ana&#39;s org" in ana.client.get("/settings").text


def test_api_token_is_shown_once_and_stored_hashed(ana: Browser, web_store: Store) -> None:
    page = ana.post("/settings/tokens", {"name": "CRM"})
    assert page.status_code == 200
    start = page.text.index("tg_")
    token = page.text[start : page.text.index("<", start)]
    assert "tg_" not in ana.client.get("/settings").text  # never shown again
    with web_store.read() as conn:
        stored = conn.execute(select(api_token.c.token_hash)).scalars().all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
    api = TestClient(ana.client.app, headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/me").json()["email"] == "ana@us.example"
    token_id = api.get("/api/v1/tokens").json()["items"][-1]["id"]
    assert api.delete(f"/api/v1/tokens/{token_id}").json()["revoked_at"]
    assert api.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions(app: FastAPI, ana: Browser, web_store: Store) -> None:
    other = sign_in(app, "ana@us.example")
    changed = ana.post("/settings/password", {"current": PASSWORD, "new": "a much newer one"})
    assert changed.status_code == 303
    assert ana.client.get("/settings").status_code == 200  # this session goes on
    assert other.client.get("/settings", follow_redirects=False).status_code == 303
    assert verify_sign_in(web_store, "ana@us.example", "a much newer one") is not None
    with web_store.read() as conn:
        hashes = conn.execute(select(member.c.password_hash)).scalars().all()
    assert all(h is None or h.startswith("$argon2id$") for h in hashes)


def test_wrong_current_password_changes_nothing(ana: Browser) -> None:
    answer = ana.post("/settings/password", {"current": "not it at all", "new": "whatever123"})
    assert answer.status_code == 422


@pytest.mark.parametrize("header", ["x-frame-options", "content-security-policy"])
def test_security_headers(ana: Browser, header: str) -> None:
    assert header in ana.client.get("/gallery").headers
