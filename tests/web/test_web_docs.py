"""docs/web.md names every page and every API operation the app serves."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from tiegraph.web.routes import pages

DOC = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
METHODS = "GET|POST|PUT|PATCH|DELETE"


def documented(path: str) -> str:
    """A route's path as the docs write it: /contacts/ID/values/PROPERTY."""
    path = path.removeprefix("/api/v1").replace("/values/{property_id}", "/values/PROPERTY")
    return re.sub(r"\{[^}]+\}", "ID", path)


def test_every_api_operation_is_documented(app: FastAPI) -> None:
    named = {
        (method, path)
        for methods, path in re.findall(rf"`((?:{METHODS})(?:/(?:{METHODS}))*) (/[^`?\s]*)", DOC)
        for method in methods.split("/")
    }
    operations = [
        (method.upper(), documented(path))
        for path, ops in app.openapi()["paths"].items()
        for method in ops
    ]
    assert [op for op in operations if op not in named] == []


def test_every_page_is_documented() -> None:
    paths = {
        documented(route.path)
        for area in pages.AREAS
        for route in area.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path != "/"
    }
    assert [p for p in sorted(paths) if f"`{p}`" not in DOC and f"`{p}?" not in DOC] == []
