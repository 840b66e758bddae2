"""The seller's day end to end, in Chromium at 1280 and 375 px, against a real uvicorn server and
a real SMTP server (aiosmtpd): Cy signs in, lands on a warm path into a target account, opens the
person, gets introduced, writes a note, sends it through SMTP; the mail arrives and tiegraph keeps
none of its text; Ana, the introducer, signs in, sees the request on her My day and accepts in
one click; Cy is mailed and sees "introduced". Screenshots of each step go to
artifacts/seller-day/WIDTH/ (gitignored)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import String, Text, inspect, select
from tests.servers import free_port
from tests.web.conftest import PASSWORD
from tests.web.test_web_e2e import ARGS, CHROMIUM, Inbox, _serve

from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.intros.smtp_settings import checked_settings, set_smtp
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.schema import metadata

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "seller-day"
NOTE = "We are rolling out our analytics in Acme's region next quarter; Robert leads it there."


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def day_server(
    active_db: Path, tmp_path: Path, smtp_inbox: tuple[Inbox, int]
) -> Iterator[tuple[str, Path]]:
    """The organizations with mail, Acme a target account, the test's SMTP server set."""
    path = tmp_path / "day.db"
    shutil.copy(active_db, path)
    store = open_store(f"sqlite:///{path}")
    org = resolve_org(store)
    flag_account(store, org, "Acme Corporation", target=True)
    set_smtp(
        store,
        org,
        checked_settings(host="127.0.0.1", port=smtp_inbox[1], security="none", timeout=10),
    )
    store.dispose()
    for url in _serve(path, tmp_path):  # serves a copy named e2e.db
        yield url, tmp_path / "e2e.db"


@contextmanager
def two_people(server: str, width: int) -> Iterator[tuple[Any, Any]]:
    """Two browser windows at `width`, each its own sign-in: the seller's and the introducer's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tabs = []
        for _ in range(2):
            context = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(20_000)
            tabs.append(tab)
        yield tabs[0], tabs[1]
        browser.close()


def _sign_in(p: Any, email: str) -> None:
    p.goto("/")
    p.fill("input[name=email]", email)
    p.fill("input[name=password]", PASSWORD)
    p.click("button[type=submit]")
    p.wait_for_selector("#warm-paths")


def _mail(inbox: Inbox, index: int) -> EmailMessage:
    parsed = message_from_bytes(inbox.messages[index], policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _text_anywhere(db: Path, needles: list[str]) -> list[str]:
    """Every table.column of the database holding one of `needles` (all text columns read)."""
    store = open_store(f"sqlite:///{db}")
    found: list[str] = []
    try:
        with store.read() as conn:
            tables = set(inspect(conn).get_table_names())
            for table in metadata.sorted_tables:
                if table.name not in tables:
                    continue
                texts = [c for c in table.columns if isinstance(c.type, String | Text)]
                for column in texts:
                    for value in conn.execute(select(column)).scalars():
                        if value and any(n in value for n in needles):
                            found.append(f"{table.name}.{column.name}")
    finally:
        store.dispose()
    return found


@pytest.mark.parametrize("width", [1280, 375])
def test_the_sellers_day(
    day_server: tuple[str, Path], smtp_inbox: tuple[Inbox, int], width: int
) -> None:
    server, db = day_server
    inbox, _ = smtp_inbox
    shots = ARTIFACTS / str(width)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    with two_people(server, width) as (cy, ana):

        def shot(p: Any, name: str) -> None:
            # Usable at this width: nothing wider than the window, on every step.
            assert p.evaluate("document.documentElement.scrollWidth") <= width, name
            p.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        # 1. The seller signs in and lands on a warm path into the target account.
        _sign_in(cy, "cy@us.example")
        path = cy.locator(".warm-path", has_text="Robert Smith").first
        assert "Ana Lima" in path.inner_text() and "target account" in path.inner_text()
        shot(cy, "01-landing-warm-path")
        # 2. Opens the person; Get introduced beside Ana, who knows him.
        path.locator("a", has_text="Robert Smith").click()
        cy.wait_for_selector("#who-knows")
        shot(cy, "02-person")
        cy.locator(".tile form.ask:has(input[value='ana@us.example']) button").click()
        cy.wait_for_url("**/intros/*")
        request_url = cy.url
        # 3. The draft reads as a person would write it; Cy adds a note.
        main = cy.inner_text("main")
        assert "Why this colleague: Ana is in" in main and "with Robert Smith" in main
        body = cy.input_value("textarea[name=body]")
        assert body.startswith("Hi Ana,\n\nWould you introduce me to Robert Smith")
        assert "{" not in body and "emails" not in body and "score" not in body
        assert not any(c.isdigit() for c in body), body  # no pasted counts or metrics
        cy.fill("textarea[name=note]", NOTE)
        shot(cy, "03-draft-with-note")
        # 4. Sent through the test SMTP server: "sending" until the server took it (the page
        # refreshes itself), and only then requested.
        cy.click("button:has-text('Send to Ana')")
        cy.wait_for_selector(".badge.requested", timeout=30_000)
        assert "Sent to Ana Lima, you in copy" in cy.inner_text("main")
        shot(cy, "04-requested")
        assert len(inbox.messages) == 1
        sent = _mail(inbox, 0)
        subject = str(sent["Subject"])
        assert sent["To"] == "Ana Lima <ana@us.example>" and sent["Cc"] == "Cy Ode <cy@us.example>"
        content = sent.get_content()
        assert NOTE in content and "Hi Ana," in content
        assert _text_anywhere(db, [subject, NOTE, "Hi Ana,"]) == []  # the mail is not kept
        # 5. The introducer signs in, sees the request on her My day, accepts in one click.
        _sign_in(ana, "ana@us.example")
        ask = ana.locator(".asks li", has_text="Robert Smith")
        assert "Cy Ode asks you to introduce them to Robert Smith" in ask.inner_text()
        shot(ana, "05-introducer-my-day")
        ask.get_by_role("button", name="I'll introduce you").click()
        ana.wait_for_selector("text=You will introduce Cy Ode to Robert Smith")
        asks = ana.inner_text("section[aria-labelledby=asks]")
        assert "No one is waiting for your answer." in asks
        shot(ana, "06-introducer-accepted")
        # 6. The requester is told: by mail, on My day and on the request's page.
        assert len(inbox.messages) == 2
        told = _mail(inbox, 1)
        assert told["To"] == "Cy Ode <cy@us.example>"
        assert told["Subject"] == "Ana Lima will introduce you to Robert Smith"
        cy.goto("/")
        mine = cy.locator(".my-requests li", has_text="Robert Smith")
        assert "introduced" in mine.inner_text() and "Ana will introduce you" in mine.inner_text()
        path = cy.locator(".warm-path", has_text="Robert Smith").first
        assert "Intro request introduced" in path.inner_text()  # in place of "Get introduced"
        shot(cy, "07-requester-my-day-introduced")
        cy.goto(request_url)
        assert 'badge introduced">introduced' in cy.content()
        assert "Ana Lima will introduce you to Robert Smith" in cy.inner_text("main")
        shot(cy, "08-requester-request-introduced")
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "01-landing-warm-path.png",
        "02-person.png",
        "03-draft-with-note.png",
        "04-requested.png",
        "05-introducer-my-day.png",
        "06-introducer-accepted.png",
        "07-requester-my-day-introduced.png",
        "08-requester-request-introduced.png",
    ]
