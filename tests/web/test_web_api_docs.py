"""The interactive API documentation at /api/v1/docs: served from the app's own files (the
machines may have no internet), every asset it references answered by the app, no outside URL
referenced, and in a real Chromium it renders the API's operations without one request leaving
the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD
from tests.web.test_web_e2e import _serve, browser_tab

DOCS = "/api/v1/docs"
OUTSIDE = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


class References(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.fixture
def server(built_db: Path, tmp_path: Path) -> Iterator[str]:
    yield from _serve(built_db, tmp_path)


def references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.found


def test_docs_page_and_every_asset_come_from_the_app(ana_api: TestClient) -> None:
    page = ana_api.get(DOCS)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    found = references(page.text)
    assert not OUTSIDE.findall(page.text), OUTSIDE.findall(page.text)
    scripts = [r for r in found if r.endswith(".js")]
    styles = [r for r in found if r.endswith(".css")]
    assert scripts and styles and "/api/v1/openapi.json" in found
    for ref in found:
        assert ref.startswith("/") and not ref.startswith("//"), ref
        asset = ana_api.get(ref)
        assert asset.status_code == 200, ref
        if ref.endswith(".css"):
            # A stylesheet may pull fonts or images: only from here, or inline data.
            urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", asset.text)
            assert all(u.startswith(("data:", "/", "#")) for u in urls), urls
    ours = ana_api.get("/static/api-docs.js").text
    assert 'url: "/api/v1/openapi.json"' in ours and "validatorUrl: null" in ours


def test_docs_are_not_an_api_operation_and_every_operation_takes_a_token(
    ana_api: TestClient,
) -> None:
    spec = ana_api.get("/api/v1/openapi.json").json()
    assert "/api/v1/docs" not in spec["paths"]
    assert spec["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["ApiToken"]["description"],
    }
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"ApiToken": []}], operation["operationId"]


def test_docs_render_in_chromium_without_leaving_the_server(server: str, tmp_path: Path) -> None:
    with browser_tab(server) as tab:
        p: Any = tab
        requested: list[str] = []
        p.on("request", lambda r: requested.append(r.url))
        problems: list[str] = []
        p.on("pageerror", lambda e: problems.append(str(e)))
        p.on("console", lambda m: m.type == "error" and problems.append(m.text))
        token = _new_token(p)
        p.goto(DOCS)
        p.wait_for_selector(".opblock-summary")
        operations = p.locator(".opblock").count()
        assert operations >= 50
        # Authorize with the token, then try who_knows out: a real request from the page.
        p.click("button.authorize")
        p.fill(".auth-container input[type=text], .auth-container input[type=password]", token)
        p.click(".auth-btn-wrapper button.authorize")
        p.click("button.btn-done")
        operation = p.locator(".opblock-summary-operation-id", has_text=re.compile("^who_knows$"))
        operation.click()
        block = p.locator(".opblock.is-open")
        block.get_by_text("The person's email address.").wait_for()
        block.locator("button.try-out__btn").click()
        block.locator("input[placeholder=email]").fill("robert.smith@acme.example")
        block.locator("button.execute").click()
        status = block.locator(".live-responses-table tr.response .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip().startswith("200")
        assert "Ana Lima" in block.locator(".live-responses-table").inner_text()
        p.screenshot(path=str(tmp_path / "api-docs.png"), full_page=True)
    assert requested and all(u.startswith(server) for u in requested), [
        u for u in requested if not u.startswith(server)
    ]
    assert not problems, problems


def _new_token(p: Any) -> str:
    """Sign in as Ana and create an API token in Settings, as a person would."""
    p.goto("/sign-in")
    p.fill("input[name=email]", "ana@us.example")
    p.fill("input[name=password]", PASSWORD)
    p.click("button[type=submit]")
    p.wait_for_url("**/")
    p.goto("/settings")
    p.fill("input[name=name]", "docs page")
    p.click("text=Create token")
    return str(p.inner_text("code.token")).strip()
