"""End to end in Chromium: a seller fills a list from search and by multi-select in the
gallery, removes a row, exports the list as CSV, asks for an intro from a row, and adds from a
person's page (to a new list) and an account's page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import PASSWORD
from tests.web.test_web_e2e import ARTIFACTS, _serve, browser_tab

from tiegraph.services.list_rows import EXPORT_HEADER

pytestmark = pytest.mark.e2e


@pytest.fixture
def tab(active_db: Path, tmp_path: Path) -> Iterator[object]:
    """Chromium on a real server over the organizations with mail."""
    for url in _serve(active_db, tmp_path):
        with browser_tab(url) as opened:
            yield opened


def shot(p: Any, name: str) -> None:
    p.screenshot(path=str(ARTIFACTS / f"lists-{name}.png"), full_page=True)


def test_fill_a_list_remove_export_and_ask(tab: object, tmp_path: Path) -> None:
    p: Any = tab
    p.goto("/lists")
    p.fill("input[name=email]", "ana@us.example")
    p.fill("input[name=password]", PASSWORD)
    p.click("button[type=submit]")
    p.wait_for_url("**/lists")
    # From search: the one result, into a new list named in the same form.
    p.goto("/gallery?q=Robert")  # Ana's own contact, matched to the directory person
    p.locator("input[aria-label='Select Robert Smith']").first.check()
    p.fill("#add-selected input[name=new_list]", "Q3 leads")
    shot(p, "1-search")
    p.click("#add-selected button:has-text('Add selected to list')")
    p.wait_for_selector("text=List “Q3 leads” created.")
    assert p.url.endswith("/gallery?q=Robert")  # back where the seller was
    # Multi-select in the gallery: two more, into the list now offered in the chooser.
    p.goto("/gallery")
    p.check("input[aria-label='Select José Núñez']")
    p.check("input[aria-label='Select Maria Garcia']")
    p.select_option("#add-selected select[name=list_id]", label="Q3 leads")
    shot(p, "2-gallery-selected")
    p.click("#add-selected button:has-text('Add selected to list')")
    p.wait_for_selector("text=Added to “Q3 leads”: José Núñez")
    # The list: three rows; remove one.
    p.goto("/lists")
    p.click("a:has-text('Q3 leads')")
    p.wait_for_selector("table.list-rows")
    assert p.locator("tr.list-row").count() == 3
    shot(p, "3-list")
    p.click("button[aria-label='Remove Maria Garcia']")
    p.wait_for_selector("text=Removed Maria Garcia.")
    rows = p.inner_text("table.list-rows")
    assert "Maria Garcia" not in rows and "Robert Smith" in rows and "José Núñez" in rows
    shot(p, "4-removed")
    # Export: the CSV the browser downloads, parsed.
    with p.expect_download() as download:
        p.click("a:has-text('Export CSV')")
    saved = tmp_path / "q3.csv"
    download.value.save_as(str(saved))
    exported = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"), newline="")))
    assert tuple(exported[0]) == EXPORT_HEADER
    assert [r["name"] for r in exported] == ["Robert Smith", "José Núñez"]
    jose = exported[1]
    assert jose["strongest colleague"] == "Cy Ode" and jose["ask for an intro"] == "Cy Ode"
    assert jose["strength"] in ("strong", "good", "weak") and jose["last contact"]
    # Ask for an intro from José's row: through Cy, the colleague Ana may see.
    row = p.locator("tr.list-row", has_text="José Núñez")
    assert "through Cy Ode" in row.inner_text()
    row.get_by_role("button", name="Get introduced").click()
    p.wait_for_url("**/intros/*")
    assert "Cy Ode" in p.inner_text("main")
    shot(p, "5-intro-draft")
    p.goto("/lists")
    p.click("a:has-text('Q3 leads')")
    asked = p.locator("tr.list-row", has_text="José Núñez").inner_text()
    assert "Intro request" in asked and "Get introduced" not in asked
    # From a person's page, into a new list; from an account's page, into the chosen one.
    p.click("tr.list-row a:has-text('José Núñez')")
    p.wait_for_selector("#who-knows")
    p.fill("form.add-to-list input[name=new_list]", "Globex people")
    p.click("form.add-to-list button:has-text('Add to list')")
    p.wait_for_selector("text=List “Globex people” created.")
    p.click("p.lead a:has-text('Globex GmbH')")
    p.wait_for_selector("#connections")
    p.select_option("form.add-to-list select[name=list_id]", label="Q3 leads")
    p.click("form.add-to-list button:has-text('Add to list')")
    p.wait_for_selector("text=Added to “Q3 leads”: Globex GmbH.")
    shot(p, "6-account")
    p.goto("/lists")
    p.click("a:has-text('Q3 leads')")
    assert "Globex GmbH" in p.locator("tr.list-row").last.inner_text()
    # At 375 px the list and the gallery scroll their tables, never the page sideways.
    p.set_viewport_size({"width": 375, "height": 800})
    for path in (p.url, "/gallery", "/lists"):
        p.goto(path)
        assert p.evaluate("document.documentElement.scrollWidth") <= 375, path
    p.goto("/lists")
    p.click("a:has-text('Q3 leads')")
    shot(p, "7-list-375")
    assert len(list(ARTIFACTS.glob("lists-*.png"))) >= 6
