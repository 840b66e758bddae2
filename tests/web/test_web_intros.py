"""Getting introduced through the pages and the API: draft, edit, send (SMTP or mail client),
mark; the intro settings; an SMTP server that really receives the request."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.servers import free_port
from tests.web.conftest import Browser, api_client, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.store import Store
from tiegraph.store.schema import person


class Inbox:
    """Keeps what it is handed; answers only once `open` is set (a server taking its time)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.open = threading.Event()
        self.open.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.get_running_loop().run_in_executor(None, self.open.wait, 30)
        self.messages.append(envelope.original_content or b"")
        return "250 accepted"


def outcome(browser: Browser, url: str) -> str:
    """The request's page once its sending job has ended (the page refreshes itself till then)."""
    deadline = time.monotonic() + 20
    while "Sending to" in (page := browser.client.get(url).text):
        assert 'http-equiv="refresh"' in page and time.monotonic() < deadline
        time.sleep(0.05)
    return page


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def jose(active_store: Store) -> int:
    with active_store.read() as conn:
        return int(
            conn.execute(select(person.c.id).where(person.c.external_id == "P2")).scalar_one()
        )


@pytest.fixture
def ana(active_app: FastAPI) -> Browser:
    return sign_in(active_app, "ana@us.example")


def flash_of(page: str) -> str:
    start = page.index('class="flash')
    return page[start : page.index("</p>", start)]


def test_get_introduced_through_the_mail_client(
    ana: Browser, active_app: FastAPI, jose: int
) -> None:
    person_page = ana.client.get(f"/persons/{jose}").text
    assert "Get introduced" in person_page and "Ana Lima → Cy Ode → José Núñez" in person_page
    drafted = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"})
    url = drafted.headers["location"]  # type: ignore[attr-defined]
    draft = ana.client.get(url).text
    assert "<textarea" in draft and "Hi Cy," in draft and "Send to Cy" not in draft
    assert "Why this colleague:</strong> Cy is in" in draft and "{requester_signature}" not in draft
    ana.post(url, {"subject": "Meet José?", "body": "Hi Cy,\r\nmy own words", "action": "save"})
    saved = ana.client.get(url).text
    assert "Draft saved." in saved and "my own words" in saved
    noted = {"subject": "Meet José?", "body": "Hi Cy,\nmy own words", "note": "We launch in May."}
    ana.post(url, noted | {"action": "save"})
    saved = ana.client.get(url).text
    assert "Hi Cy,\nmy own words\n\nWe launch in May." in saved.replace("\r\n", "\n")
    noted["body"] = "Hi Cy,\nmy own words\n\nWe launch in May.\n"  # as the page shows it
    handed = ana.post(url, noted | {"action": "client"}).headers["location"]  # type: ignore[attr-defined]
    sent = ana.client.get(handed).text
    # handed to the mail client, still a draft until Ana says she sent it
    assert 'badge draft">draft' in sent and 'href="mailto:cy@us.example?subject=Meet%20Jos' in sent
    assert "I sent it" in sent and "We%20launch%20in%20May." in sent
    eml = ana.client.get(f"{url}/eml")
    assert eml.headers["content-type"] == "message/rfc822"
    assert b"X-Unsent: 1" in eml.content and b"To: Cy Ode <cy@us.example>" in eml.content
    # The person page shows the request in place of the button; a second draft is refused.
    person_page = ana.client.get(f"/persons/{jose}").text
    assert f'href="{url}"' in person_page and "Get introduced" not in person_page
    again = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"})
    assert "already have request" in flash_of(ana.client.get(again.headers["location"]).text)  # type: ignore[attr-defined]
    cy = sign_in(active_app, "cy@us.example")
    assert "José Núñez" not in cy.client.get("/intros").text  # a draft is not asked of him
    ana.post(url, {"action": "confirm"})
    confirmed = ana.client.get(url).text
    assert "Requested: Cy Ode has your mail." in confirmed and "<textarea" not in confirmed
    assert "my own words" not in confirmed  # the mail is in the mailboxes, not in tiegraph
    # Cy, asked, answers from the intros page; Ana may not answer for him.
    asked = cy.client.get("/intros").text
    assert "Asked of me" in asked and "José Núñez" in asked and "I'll introduce you" in asked
    ana.post(f"{url}/answer", {"answer": "accept"})
    assert "only the introducer" in flash_of(ana.client.get(url).text)
    cy.post(f"{url}/answer", {"answer": "accept", "back": "/intros"})
    assert "You will introduce Ana Lima to José Núñez" in flash_of(cy.client.get("/intros").text)
    page = ana.client.get(url).text
    assert "Cy Ode will introduce you to José Núñez" in page and "<textarea" not in page


def test_send_by_smtp_from_the_page(
    ana: Browser, jose: int, inbox: tuple[Inbox, int], active_app: FastAPI
) -> None:
    handler, port = inbox
    saved = ana.post(
        "/settings/smtp",
        {"host": "127.0.0.1", "port": str(port), "security": "none", "sender": "intros@us.example"},
    )
    assert saved.headers["location"].startswith("/settings")  # type: ignore[attr-defined]
    assert "SMTP server saved" in ana.client.get("/settings").text
    url = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"}).headers["location"]  # type: ignore[attr-defined]
    assert "Send to Cy" in ana.client.get(url).text
    handler.open.clear()  # the server holds its answer: the request is seen sending meanwhile
    ana.post(url, {"subject": "Meet José?", "body": "Could you? Thanks!", "action": "smtp"})
    page = ana.client.get(url).text
    assert 'badge sending">sending' in page and "Sending to Cy Ode…" in page
    assert 'http-equiv="refresh"' in page and "<textarea" not in page
    cy = sign_in(active_app, "cy@us.example")
    assert "José" not in cy.client.get("/intros").text  # nothing is asked of Cy before his mail
    handler.open.set()
    page = outcome(ana, url)
    assert 'badge requested">requested' in page and "sent by mail" in page
    assert "you in copy" in page and 'http-equiv="refresh"' not in page
    assert "Could you? Thanks!" not in page and len(handler.messages) == 1
    message = message_from_bytes(handler.messages[-1], policy=policy.default)
    assert (
        message["To"] == "Cy Ode <cy@us.example>"
        and message["Reply-To"] == "Ana Lima <ana@us.example>"
    )
    assert "Could you? Thanks!" in message.get_body().get_content()  # type: ignore[union-attr]


def test_a_failed_send_stays_a_draft(ana: Browser, jose: int) -> None:
    ana.post("/settings/smtp", {"host": "127.0.0.1", "port": str(free_port()), "security": "none"})
    url = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"}).headers["location"]  # type: ignore[attr-defined]
    ana.post(url, {"subject": "Hello", "body": "kept even so", "note": "mine", "action": "smtp"})
    page = outcome(ana, url)
    assert 'class="flash error' in page and "<textarea" in page and "kept even so" in page
    assert "Not sent: cannot reach SMTP server" in flash_of(page) and 'badge draft">draft' in page


def test_intro_settings_are_for_admins(ana: Browser, active_app: FastAPI) -> None:
    bo = sign_in(active_app, "bo@us.example")
    assert bo.post("/settings/smtp", {"host": "smtp.us.example"}).status_code == 403  # type: ignore[attr-defined]
    assert bo.post("/settings/intro-template", {"subject": "x", "body": "y"}).status_code == 403  # type: ignore[attr-defined]
    ana.post("/settings/smtp", {"host": "smtp.us.example", "username": "ana", "password_env": "X"})
    assert "smtp.us.example" in ana.client.get("/settings").text
    members_view = bo.client.get("/settings").text
    assert "smtp.us.example" not in members_view and "An SMTP server is configured" in members_view
    ana.post("/settings/smtp", {"host": "bad host!"})
    assert "not a host name" in flash_of(ana.client.get("/settings").text)
    ana.post("/settings/intro-template", {"subject": "Intro to {target_name}?", "body": "{nope}"})
    assert "unknown placeholder {nope}" in flash_of(ana.client.get("/settings").text)
    ana.post(
        "/settings/intro-template",
        {"subject": "Intro to {target_name}?", "body": "Hi {introducer_first_name}"},
    )
    assert "Template saved." in ana.client.get("/settings").text
    bo.post("/settings/signature", {"text": "Bo, Sales"})
    assert "Bo, Sales" in bo.client.get("/settings").text
    ana.post("/settings/intro-template", {"action": "reset"})
    ana.post("/settings/smtp", {"action": "remove"})
    assert "No SMTP server" in bo.client.get("/settings").text


def test_intros_through_the_api(active_app: FastAPI, active_store: Store) -> None:
    api = api_client(active_app, active_store, "ana@us.example")
    created = api.post(
        "/api/v1/intros",
        json={
            "person_email": "jose@globex.example",
            "introducer_email": "cy@us.example",
            "note": "We launch in May.",
        },
    )
    assert created.status_code == 201, created.text
    intro = created.json()
    assert intro["status"] == "draft" and "We launch in May." in intro["body"]
    edited = api.patch(f"/api/v1/intros/{intro['id']}", json={"subject": "Meet José?"}).json()
    assert edited["subject"] == "Meet José?"
    no_smtp = api.post(f"/api/v1/intros/{intro['id']}/send", json={"delivery": "smtp"})
    assert "no SMTP server" in assert_envelope(no_smtp, 422)["message"]
    noted = api.patch(f"/api/v1/intros/{intro['id']}", json={"note": "In June now."}).json()
    assert noted["note"] == "In June now." and "We launch in May." not in noted["body"]
    assert "In June now." in noted["body"] and noted["why_this_colleague"].startswith("Cy is in ")
    sent = api.post(f"/api/v1/intros/{intro['id']}/send", json={"delivery": "client"}).json()
    assert sent["intro"]["status"] == "draft" and sent["mailto"].startswith("mailto:cy@")
    eml = api.get(f"/api/v1/intros/{intro['id']}/eml")
    assert eml.status_code == 200 and b"Subject: Meet =?utf-8?q?Jos=C3=A9" in eml.content
    cy = api_client(active_app, active_store, "cy@us.example")
    early = cy.post(f"/api/v1/intros/{intro['id']}/accept")  # a draft is Ana's alone
    assert assert_envelope(early, 404)["message"] == f"no intro request {intro['id']}"
    confirmed = api.post(f"/api/v1/intros/{intro['id']}/confirm").json()
    assert confirmed["status"] == "requested" and confirmed["delivery"] == "client"
    assert (confirmed["subject"], confirmed["body"], confirmed["note"]) == ("", "", "")
    asked = cy.get("/api/v1/intros", params={"role": "introducer"}).json()
    assert [r["id"] for r in asked["items"]] == [intro["id"]]
    assert cy.get("/api/v1/intros", params={"role": "requester"}).json()["total"] == 0
    [ask] = cy.get("/api/v1/me/day").json()["asks"]
    assert ask["id"] == intro["id"] and ask["requester_email"] == "ana@us.example"
    not_hers = api.post(f"/api/v1/intros/{intro['id']}/decline", json={"note": "no"})
    assert "only the introducer" in assert_envelope(not_hers, 422)["message"]
    long = cy.post(f"/api/v1/intros/{intro['id']}/decline", json={"note": "x" * 501})
    assert_envelope(long, 422)
    answered = cy.post(f"/api/v1/intros/{intro['id']}/decline", json={"note": "Not now."})
    declined = answered.json()
    assert declined["intro"]["status"] == "declined" and declined["intro"]["decided_at"]
    assert declined["intro"]["decline_note"] == "Not now."
    assert declined["requester_told"].startswith("on their My day")
    [mine] = api.get("/api/v1/me/day").json()["my_requests"]
    assert (mine["status"], mine["decline_note"]) == ("declined", "Not now.")
    again = cy.post(f"/api/v1/intros/{intro['id']}/mark", json={"status": "introduced"})
    assert "is declined" in assert_envelope(again, 422)["message"]


def test_intro_settings_through_the_api(active_app: FastAPI, active_store: Store) -> None:
    ana: TestClient = api_client(active_app, active_store, "ana@us.example")
    bo: TestClient = api_client(active_app, active_store, "bo@us.example")
    assert bo.get("/api/v1/settings/intro-template").json()["default"] is True
    for method, path in (("GET", "smtp"), ("PUT", "smtp"), ("DELETE", "smtp")):
        answer = bo.request(method, f"/api/v1/settings/{path}", json={"host": "x.example"})
        assert_envelope(answer, 403)
    put = bo.put("/api/v1/settings/intro-template", json={"subject": "x"})
    assert_envelope(put, 403)
    smtp = ana.put(
        "/api/v1/settings/smtp",
        json={"host": "smtp.us.example", "security": "ssl", "username": "u", "password_env": "P"},
    ).json()
    assert smtp["configured"] and smtp["port"] == 465 and smtp["password_set"] is False
    assert ana.get("/api/v1/settings/smtp").json()["host"] == "smtp.us.example"
    bad = ana.put("/api/v1/settings/smtp", json={"host": "h.example", "username": "u"})
    assert "go together" in assert_envelope(bad, 422)["message"]
    assert ana.delete("/api/v1/settings/smtp").json() == {"ok": True}
    assert ana.get("/api/v1/settings/smtp").json()["configured"] is False
    chosen = ana.put("/api/v1/settings/intro-template", json={"subject": "Hi {target_name}"})
    assert chosen.json()["subject"] == "Hi {target_name}" and not chosen.json()["default"]
    wrong = ana.put("/api/v1/settings/intro-template", json={"body": "{secret!r}"})
    assert_envelope(wrong, 422)
    assert ana.put("/api/v1/settings/intro-template", json={"reset": True}).json()["default"]
