"""The pages come before the API in the app's routes (web/app.py): that order changes no answer
only while no page's path is an API path and no API path is a page's."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match

from tiegraph.web.routes import (
    api_account,
    api_contacts,
    api_docs,
    api_insights,
    api_intros,
    api_lists,
    api_me,
    api_people,
    pages,
)

API_AREAS = (api_account, api_contacts, api_docs, api_insights, api_intros, api_lists, api_me)
API_AREAS += (api_people,)


def _page_routes() -> list[APIRoute]:
    return [r for area in pages.AREAS for r in area.router.routes if isinstance(r, APIRoute)]


def _api_routes() -> list[APIRoute]:
    """The API's routes with their paths under /api/v1, as the app serves them."""
    return [
        APIRoute(f"/api/v1{r.path}", lambda: None, methods=sorted(r.methods))
        for area in API_AREAS
        for r in area.router.routes
        if isinstance(r, APIRoute)
    ]


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _matching(routes: list[APIRoute], path: str, method: str) -> list[str]:
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "app": FastAPI()}
    return [r.path for r in routes if r.matches(scope)[0] is not Match.NONE]


def test_no_page_path_is_an_api_path_nor_the_other_way() -> None:
    page_routes, api_routes = _page_routes(), _api_routes()
    assert page_routes and api_routes
    for route in api_routes:
        for method in route.methods:
            assert _matching(page_routes, _sample(route.path), method) == [], route.path
    for route in page_routes:
        assert not route.path.startswith("/api/"), route.path
        for method in route.methods:
            assert _matching(api_routes, _sample(route.path), method) == [], route.path
    assert _matching(page_routes, "/api/v1/no-such-endpoint", "GET") == []


def test_each_area_of_pages_is_included_once() -> None:
    assert len(set(pages.AREAS)) == len(pages.AREAS)
