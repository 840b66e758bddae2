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


def test_docs_are_not_an_api_operation(ana_api: TestClient) -> None:
    spec = ana_api.get("/api/v1/openapi.json").json()
    assert "/api/v1/docs" not in spec["paths"]


def test_docs_render_in_chromium_without_leaving_the_server(server: str, tmp_path: Path) -> None:
    with browser_tab(server) as tab:
        p: Any = tab
        requested: list[str] = []
        p.on("request", lambda r: requested.append(r.url))
        problems: list[str] = []
        p.on("pageerror", lambda e: problems.append(str(e)))
        p.on("console", lambda m: m.type == "error" and problems.append(m.text))
        p.goto(DOCS)
        p.wait_for_selector(".opblock-summary")
        operations = p.locator(".opblock").count()
        assert operations >= 50
        operation = p.locator(".opblock-summary-operation-id", has_text=re.compile("^who_knows$"))
        operation.click()
        p.wait_for_selector("text=The person's email address.")
        p.screenshot(path=str(tmp_path / "api-docs.png"))
    assert requested and all(u.startswith(server) for u in requested), [
        u for u in requested if not u.startswith(server)
    ]
    assert not problems, problems
