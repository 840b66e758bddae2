"""My day, the landing page, and GET /api/v1/me/day: warm paths with one click to ask, asks
waiting, empty states that say what to do; never a colleague's unshared tie or private contact."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.conftest import api_client, sign_in

from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store

HIDDEN = ("Bo Chen", "bo@us.example", "Yuri", "Bosecret", "Zoe", "Anaprivate")


def test_signed_out_landing_goes_to_sign_in_and_back(active_app: FastAPI) -> None:
    from fastapi.testclient import TestClient

    answer = TestClient(active_app).get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=%2F"


def test_empty_day_says_what_to_do_next(active_app: FastAPI) -> None:
    page = sign_in(active_app, "cy@us.example").client.get("/")
    assert page.status_code == 200
    assert "Flag target accounts on an account page" in page.text
    assert 'href="/gallery">Contacts' in page.text  # the directory stays one click away


def test_warm_path_into_a_target_and_get_introduced(
    active_app: FastAPI, active_store: Store
) -> None:
    org = resolve_org(active_store)
    flag_account(active_store, org, "Acme Corporation", target=True)
    flag_account(active_store, org, "Globex GmbH", target=True)
    cy = sign_in(active_app, "cy@us.example")
    page = cy.client.get("/").text
    assert "Ask <strong>Ana Lima</strong> for" in page and "Robert Smith" in page
    assert "target account" in page and "Get introduced" in page
    for hidden in HIDDEN:
        assert hidden not in page.split('<main id="main">', 1)[1]
    person_id = page.split('for <a href="/persons/', 1)[1].split('"', 1)[0]
    asked = cy.post(f"/persons/{person_id}/intros", {"introducer": "ana@us.example"})
    assert asked.status_code == 303 and asked.headers["location"].startswith("/intros/")  # type: ignore[attr-defined]
    again = cy.client.get("/").text
    assert "Intro request" in again and "draft" in again  # the open request replaces the button


def test_the_introducer_answers_from_my_day(active_app: FastAPI, active_store: Store) -> None:
    flag_account(active_store, resolve_org(active_store), "Acme Corporation", target=True)
    cy = sign_in(active_app, "cy@us.example")
    person_id = cy.client.get("/").text.split('for <a href="/persons/', 1)[1].split('"', 1)[0]
    intro_url = cy.post(f"/persons/{person_id}/intros", {"introducer": "ana@us.example"})
    intro_id = intro_url.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    sent = cy.post(f"/intros/{intro_id}", {"subject": "Intro?", "body": "Hi", "action": "client"})
    assert sent.status_code == 303  # type: ignore[attr-defined]
    ana = sign_in(active_app, "ana@us.example")
    assert "No one is waiting for your answer." in ana.client.get("/").text  # not sent yet
    cy.post(f"/intros/{intro_id}", {"action": "confirm"})
    assert "waiting for Ana's answer" in cy.client.get("/").text
    page = ana.client.get("/").text
    assert "Cy Ode</strong> asks you to introduce them to" in page and "I'll introduce you" in page
    marked = ana.post(f"/intros/{intro_id}/answer", {"answer": "decline", "reason": "Not now.",
                                                     "back": "/"})  # fmt: skip
    assert marked.headers["location"] == "/"  # type: ignore[attr-defined]
    assert "No one is waiting for your answer." in ana.client.get("/").text
    assert "Ana declined: “Not now.”" in cy.client.get("/").text


def test_my_day_api(active_app: FastAPI, active_store: Store) -> None:
    org = resolve_org(active_store)
    flag_account(active_store, org, "Globex GmbH", target=True)
    day = api_client(active_app, active_store, "ana@us.example").get("/api/v1/me/day")
    assert day.status_code == 200
    body = day.json()
    assert body["targets"] == 1 and body["lists"] == 0
    paths = body["warm_paths"]
    # Cy shares and knows José; Bo knows him better but does not share his activity.
    assert [(p["introducer_email"], p["person_email"]) for p in paths] == [
        ("cy@us.example", "jose@globex.example")
    ]
    assert paths[0]["wanted_for"] == "target account" and paths[0]["label"] in (
        "strong",
        "good",
        "weak",
    )
    assert paths[0]["certainty"] == "measured"
    assert paths[0]["reasons"] and all(r["kind"] and r["text"] for r in paths[0]["reasons"])
    for hidden in HIDDEN:
        assert hidden not in day.text
    assert set(body) == {
        "targets", "lists", "warm_paths", "asks", "my_requests", "nurture", "new_people"
    }  # fmt: skip
