"""End to end in a real Chromium (Debian's, driven by Playwright) against a real uvicorn server:
sign in, import a LinkedIn CSV through the page, open a person, see the who-knows tile; get
introduced by SMTP (to an aiosmtpd server the test starts); lists, intros, nurture, accounts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from tests.servers import free_port
from tests.web.conftest import PASSWORD, running_app, settings

from tiegraph.store import open_store
from tiegraph.web.app import create_app

CHROMIUM = Path(os.environ.get("TIEGRAPH_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = os.environ.get("TIEGRAPH_REQUIRE_E2E", "") == "1"  # .ci/run: fail instead of skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
José,Núñez,https://www.linkedin.com/in/jose-1,,Globex,Buyer,3 Jan 2024
Maria,Garcia,https://www.linkedin.com/in/maria-1,,Globex GmbH,CFO,3 Jan 2024
Quentin,Nobody,https://www.linkedin.com/in/q-1,,Nowhere Ltd,CEO,3 Jan 2024
"""

pytestmark = pytest.mark.e2e


def _needs_chromium() -> None:
    if CHROMIUM.exists():
        return
    if REQUIRE:
        pytest.fail(f"TIEGRAPH_REQUIRE_E2E=1 but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"no {CHROMIUM}: install Debian's chromium (.ci/run does) to run the e2e tests")


def _serve(db: Path, tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server in a thread over a copy of `db`; yields its base URL."""
    _needs_chromium()
    path = tmp_path / "e2e.db"
    shutil.copy(db, path)
    store = open_store(f"sqlite:///{path}")
    app = create_app(store, settings(tmp_path, upload_limit_bytes=5 * 1024 * 1024))
    with running_app(app, lifespan="off") as url:
        yield url
    store.dispose()


@pytest.fixture
def server(built_db: Path, tmp_path: Path) -> Iterator[str]:
    yield from _serve(built_db, tmp_path)


@pytest.fixture
def active_server(active_db: Path, tmp_path: Path) -> Iterator[str]:
    """The organizations with mail: ties of every strength, nurture suggestions."""
    yield from _serve(active_db, tmp_path)


@contextmanager
def browser_tab(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        yield tab
        context.close()
        browser.close()


@pytest.fixture
def page(server: str) -> Iterator[object]:
    with browser_tab(server) as tab:
        yield tab


@pytest.fixture
def active_page(active_server: str) -> Iterator[object]:
    with browser_tab(active_server) as tab:
        yield tab


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(page: object, email: str) -> None:
    p = page
    p.goto("/gallery")  # type: ignore[attr-defined]
    p.fill("input[name=email]", email)  # type: ignore[attr-defined]
    p.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    shot(p, "01-sign-in")
    p.click("button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_url("**/gallery")  # type: ignore[attr-defined]


def test_import_then_person_page_with_tile(page: object, tmp_path: Path) -> None:
    p = page
    sign_in(p, "ana@us.example")
    shot(p, "02-gallery")
    csv = tmp_path / "Connections.csv"
    csv.write_text(LINKEDIN, encoding="utf-8")
    p.goto("/import")  # type: ignore[attr-defined]
    p.set_input_files("input[type=file]", str(csv))  # type: ignore[attr-defined]
    p.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_url("**/import/*")  # type: ignore[attr-defined]
    # The progress bar's script reloads the page when the import is done.
    p.wait_for_selector("text=of 3 matched")  # type: ignore[attr-defined]
    report = p.inner_text("main")  # type: ignore[attr-defined]
    assert "2 of 3 matched" in report and "Connections.csv" in report
    shot(p, "03-import-report")
    p.reload()  # type: ignore[attr-defined]
    assert "2 of 3 matched" in p.inner_text("main")  # type: ignore[attr-defined]
    p.goto("/gallery?q=Núñez")  # type: ignore[attr-defined]
    p.click("text=profile")  # type: ignore[attr-defined]
    p.wait_for_selector("#who-knows")  # type: ignore[attr-defined]
    tile = p.inner_text(".tile")  # type: ignore[attr-defined]
    assert "Ana Lima" in tile and "Cy Ode" in tile
    shot(p, "04-person")
    p.click("text=Globex GmbH")  # type: ignore[attr-defined]
    p.wait_for_selector("text=People (")  # type: ignore[attr-defined]
    shot(p, "05-account")
    p.goto("/network")  # type: ignore[attr-defined]
    assert "Quentin Nobody" in p.inner_text("main")  # type: ignore[attr-defined]
    shot(p, "06-private-network")
    p.goto("/settings")  # type: ignore[attr-defined]
    shot(p, "07-settings")


class Inbox:
    """What the aiosmtpd server started by the test receives."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content or b"")
        return "250 accepted"


def test_get_introduced_arrives_by_smtp(active_page: object, tmp_path: Path) -> None:
    """Sign in, set the SMTP server (aiosmtpd, started here), open a person, "Get introduced",
    edit the draft, send it, and find the message at the server; then lists, intros, nurture
    and the account page."""
    from aiosmtpd.controller import Controller

    p: Any = active_page
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sign_in(p, "ana@us.example")
        p.goto("/settings")
        p.fill("input[name=host]", "127.0.0.1")
        p.select_option("select[name=security]", "none")
        p.fill("input[name=port]", str(port))
        p.fill("input[name=sender]", "intros@us.example")
        p.click("text=Save SMTP server")
        p.wait_for_selector("text=SMTP server saved")
        p.locator("#intro-settings").screenshot(path=str(ARTIFACTS / "08-settings-intros.png"))
        p.goto("/gallery?q=Núñez&scope=directory")
        p.click("text=José Núñez")
        p.wait_for_selector("#who-knows")
        tile = p.inner_text(".tile")
        assert "Cy Ode" in tile and "Get introduced" in tile and "Bo Chen" not in tile
        assert "Ana Lima → Cy Ode → José Núñez" in p.inner_text("main")
        shot(p, "09-person-get-introduced")
        p.click(".tile >> text=Get introduced")
        p.wait_for_url("**/intros/*")
        p.fill("input[name=subject]", "Would you introduce me to José?")
        p.fill("textarea[name=body]", "Hi Cy,\n\nCould you introduce me to José? Thanks!\n\nAna")
        shot(p, "10-intro-draft")
        p.click("text=Send to Cy")
        # A job sends it: the page says "sending…" and refreshes itself until the outcome.
        p.wait_for_selector(".badge.requested", timeout=30_000)
        assert "sent by mail" in p.inner_text("main")
        shot(p, "11-intro-requested")
        assert len(inbox.messages) == 1
        message = message_from_bytes(inbox.messages[0], policy=policy.default)
        assert message["To"] == "Cy Ode <cy@us.example>"
        assert message["Subject"] == "Would you introduce me to José?"
        assert "Could you introduce me to José?" in message.get_body().get_content()  # type: ignore[union-attr]
        p.goto("/intros")
        assert "requested" in p.inner_text("main")
        shot(p, "12-intros")
        _lists_nurture_account(p)
    finally:
        controller.stop()


def _lists_nurture_account(p: Any) -> None:
    p.goto("/lists")
    p.fill("input[name=name]", "Q3 leads")
    p.click("text=Create list")
    p.wait_for_url("**/lists/*")
    p.fill("textarea[name=emails]", "jose@globex.example\nrobert.smith@acme.example")
    p.fill("textarea[name=accounts]", "globex.example")
    p.click("text=Add to the list")
    p.wait_for_selector("text=Added")
    rows = p.inner_text("table.grid")
    assert "José Núñez" in rows and "Globex GmbH" in rows and "Cy Ode" in rows
    shot(p, "13-list")
    p.goto("/nurture")
    assert "Robert Smith" in p.inner_text("main")
    shot(p, "14-nurture")
    p.goto("/lists")
    p.click("text=Q3 leads")
    p.click("a:has-text('Globex GmbH')")
    p.wait_for_selector("#connections")
    assert "José Núñez" in p.inner_text("#closest + p + ol")
    shot(p, "15-account")
