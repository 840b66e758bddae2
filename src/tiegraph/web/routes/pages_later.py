"""Pages whose services live on other branches: a clear placeholder until they are merged.

- Lists (leads, opportunities, deals): services/lists.py (branch intro).
- Intro requests, SMTP settings and the intro template: services/intro.py (branch intro).
- Nurture suggestions: services/nurture.py (lead).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tiegraph.web.security import PageViewer
from tiegraph.web.templating import render

router = APIRouter()

WAITING = {
    "lists": ("Lists", "Leads, opportunities and deals with who-knows-whom in every row", "lists"),
    "intros": ("Introductions", "Your intro requests and their status", "intro"),
    "nurture": ("Nurture", "Contacts worth turning into connections", "nurture"),
}


def _later(request: Request, key: str) -> Response:
    title, what, service = WAITING[key]
    context = {"title": title, "what": what, "service": service}
    return render(request, "later.html", context)


@router.get("/lists")
def lists_page(request: Request, viewer: PageViewer) -> Response:
    return _later(request, "lists")


@router.get("/intros")
def intros_page(request: Request, viewer: PageViewer) -> Response:
    return _later(request, "intros")


@router.get("/nurture")
def nurture_page(request: Request, viewer: PageViewer) -> Response:
    return _later(request, "nurture")
