"""Server-rendered pages: one Jinja2 environment, autoescaped, with the helpers templates use."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tiegraph.services.contacts.report import SOURCE_NAMES
from tiegraph.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


def _when(moment: date | datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def counted(number: int, noun: str) -> str:
    """ "1 account", "2 accounts", "0 rows": a count with its noun in the right number."""
    return f"{number:,} {noun if number == 1 else noun + 's'}"


def tie_badge(label: str, score: int | None = None, inferred: bool = False) -> Markup:
    """A tie's strength in the one vocabulary of every view and the CLI: strong / good / weak
    for a measured tie (with its score), likely / possible / unlikely for an inferred link.
    A function, not a macro: a list page shows hundreds, and a macro call costs ten times more."""
    kind = f"{label} inferred" if inferred else label
    title = "inferred link" if inferred else "measured tie, strength 0–100"
    text = label if score is None else f"{label} {score}"
    return Markup('<span class="badge {}" title="{}">{}</span>').format(kind, title, text)


def _query(request: Request, **changes: Any) -> str:
    """The current page's query string with some parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are package files: no stat() of each on every render
    )
    env.globals.update(
        csrf_token=csrf_token, query=_query, source_names=SOURCE_NAMES, tie_badge_html=tie_badge
    )
    env.filters["when"] = _when
    env.filters["counted"] = counted
    return env


environment = _environment()


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    html = environment.get_template(name).render(
        {"request": request, "viewer": viewer, "flash": _take_flash(request), **context}
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-line message shown on the next page (after a redirect)."""
    request.session["flash"] = {"message": message[:500], "kind": kind}


def _take_flash(request: Request) -> dict[str, str] | None:
    if "session" not in request.scope:
        return None
    value = request.session.pop("flash", None)
    return value if isinstance(value, dict) else None
