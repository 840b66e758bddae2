"""Sign-in limits hold whatever spelling of the email and from however many addresses; sign-out
ends a session on the server."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, sign_in

from tiegraph.web.security import ACCOUNT_FACTOR

VARIANTS = [
    "ana@us.example.",
    "\uff41na@us.example",  # fullwidth a
    "ana@us.example\u200b",
    "ANA@US.EXAMPLE",
    "an\u200ca@us.example",
    "ana@us.example\ufeff",
]


def _client(app: FastAPI, address: str = "198.51.100.7") -> tuple[TestClient, str]:
    client = TestClient(app, client=(address, 50000))
    page = client.get("/sign-in").text
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return client, page[start : page.index('"', start)]


def _try(client: TestClient, token: str, email: str, password: str = "wrong-password") -> int:
    form = {"email": email, "password": password, "csrf_token": token}
    return client.post("/sign-in", data=form, follow_redirects=False).status_code


def test_each_spelling_of_the_email_signs_in_as_the_member(app: FastAPI) -> None:
    for email in VARIANTS:
        client, token = _client(app)
        assert _try(client, token, email, PASSWORD) == 303, email


def test_spelling_the_email_differently_does_not_escape_the_limit(app: FastAPI) -> None:
    client, token = _client(app)
    codes = [_try(client, token, VARIANTS[i % len(VARIANTS)]) for i in range(6)]
    assert codes == [401] * 5 + [429]
    for email in ["ana@us.example", *VARIANTS]:  # locked however it is typed, right or wrong
        assert _try(client, token, email, PASSWORD) == 429, email


def test_thirty_zero_width_variants_get_five_guesses_in_all(app: FastAPI) -> None:
    client, token = _client(app)
    variants = ["ana@us.example" + "\u200b" * n for n in range(1, 31)]
    codes = [_try(client, token, email) for email in variants for _ in range(5)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}


def test_an_account_guessed_from_many_addresses_is_limited_too(app: FastAPI) -> None:
    guesses = 5 * ACCOUNT_FACTOR
    for n in range(guesses // 5):  # each address stays under its own limit
        client, token = _client(app, f"203.0.113.{n + 1}")
        assert [_try(client, token, "ana@us.example") for _ in range(5)] == [401] * 5
    client, token = _client(app, "192.0.2.99")
    assert _try(client, token, "ana@us.example", PASSWORD) == 429
    bo, bo_token = _client(app, "192.0.2.99")  # other accounts are not
    assert _try(bo, bo_token, "bo@us.example", PASSWORD) == 303


def test_a_copy_of_the_cookie_is_worthless_after_sign_out(app: FastAPI) -> None:
    ana = sign_in(app, "ana@us.example")
    laptop = sign_in(app, "ana@us.example")  # another browser of hers goes on
    stolen = TestClient(app, cookies={"tiegraph_session": ana.client.cookies["tiegraph_session"]})
    assert stolen.get("/gallery", follow_redirects=False).status_code == 200
    assert ana.post("/sign-out").status_code == 303  # type: ignore[attr-defined]
    assert stolen.get("/gallery", follow_redirects=False).status_code == 303
    assert ana.client.get("/gallery", follow_redirects=False).status_code == 303
    assert laptop.client.get("/gallery", follow_redirects=False).status_code == 200
    again = sign_in(app, "ana@us.example")
    assert again.client.get("/gallery").status_code == 200
