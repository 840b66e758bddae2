"""The methods a path allows, from every route of the app (not just the first that matched)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

# Starlette answers 405 with the methods of the first route whose path matched, so a path
# served by two routes (GET and POST /api/v1/lists, say) claimed only one of them.


def route_methods(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each route's path pattern with its methods; built once per app."""
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "route_methods", None
    )
    if table is None:
        table = [
            (context.path_regex, frozenset(context.methods))
            for context in iter_route_contexts(app.routes)
            if context.methods and getattr(context, "path_regex", None) is not None
        ]
        app.state.route_methods = table
    return table


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods some route serves at `path`, with OPTIONS; empty when no route has it."""
    methods: set[str] = set()
    for pattern, route_methods_ in route_methods(app):
        if pattern.match(path):
            methods |= route_methods_
    return _ordered(methods | {"OPTIONS"}) if methods else []


def _ordered(methods: Iterable[str]) -> list[str]:
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m))
