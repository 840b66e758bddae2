"""End to end in Chromium at 1280 and 375 px wide: a seller signs in, lands on My day, sees a
warm path into a target account, opens the person and presses "Get introduced"."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import PASSWORD
from tests.web.test_web_e2e import _serve, browser_tab

from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store

pytestmark = pytest.mark.e2e


@pytest.fixture
def target_server(active_db: Path, tmp_path: Path) -> Iterator[str]:
    """The organizations with mail, Acme flagged a target account."""
    path = tmp_path / "targets.db"
    shutil.copy(active_db, path)
    store = open_store(f"sqlite:///{path}")
    flag_account(store, resolve_org(store), "Acme Corporation", target=True)
    store.dispose()
    yield from _serve(path, tmp_path)


@pytest.mark.parametrize("width", [1280, 375])
def test_seller_lands_on_my_day_and_asks(target_server: str, tmp_path: Path, width: int) -> None:
    with browser_tab(target_server) as tab:
        p: Any = tab
        p.set_viewport_size({"width": width, "height": 900})

        def shot(name: str) -> None:
            p.screenshot(path=str(tmp_path / f"my-day-{width}-{name}.png"), full_page=True)

        p.goto("/")
        p.wait_for_url("**/sign-in?next=%2F")
        p.fill("input[name=email]", "cy@us.example")
        p.fill("input[name=password]", PASSWORD)
        p.click("button[type=submit]")
        p.wait_for_selector("#warm-paths")
        assert p.url.rstrip("/") == target_server
        path = p.locator(".warm-path").first
        assert "Ana Lima" in path.inner_text() and "Robert Smith" in path.inner_text()
        # Usable at 375 px: nothing wider than the window.
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        shot("1-landing")
        path.locator("a", has_text="Robert Smith").click()
        p.wait_for_selector("#who-knows")
        shot("2-person")
        p.goto("/")
        p.locator(".warm-path").first.get_by_role("button", name="Get introduced").click()
        p.wait_for_url("**/intros/*")
        assert "Ana Lima" in p.inner_text("main")
        shot("3-get-introduced")
    assert len(list(tmp_path.glob(f"my-day-{width}-*.png"))) == 3
