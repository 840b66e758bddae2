"""The API's interactive documentation at /api/v1/docs: Swagger UI from the app's own files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tiegraph.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/v1/openapi.json; its script and style are under /static."""
    return render(request, "api_docs.html", {})
