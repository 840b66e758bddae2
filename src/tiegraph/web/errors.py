"""One error envelope for every API error, and an error page for every page error."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from tiegraph.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    StoreBusyError,
    TiegraphError,
)
from tiegraph.store.failover import note_failure
from tiegraph.web.methods import allowed_methods
from tiegraph.web.sign_in import SignInRequired
from tiegraph.web.templating import render

log = logging.getLogger(__name__)
API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
}
# How long a client waits before trying a write again that the store was too busy to take.
BUSY_RETRY_SECONDS = 5


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorEnvelope(BaseModel):
    """The shape of every error answer of /api/v1."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": CODES[status].replace("_", " ")}
    for status in (400, 401, 403, 404, 405, 413, 422, 429, 500, 503)
}


def error_body(
    status: int, message: str, *, code: str | None = None, details: list[Any] | None = None
) -> dict[str, Any]:
    """The envelope: {"error": {"status", "code", "message", "details"}}."""
    return {
        "error": {
            "status": status,
            "code": code or CODES.get(status, "error"),
            "message": message,
            "details": details,
        }
    }


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if is_api(request):
        return JSONResponse(error_body(status, message, details=details), status, headers=headers)
    context = {"status": status, "message": message, "details": details or []}
    return render(request, "error.html", context, status=status, headers=headers)


def _status_of(exc: TiegraphError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, InvalidInputError):
        return 422
    if isinstance(exc, StoreBusyError):
        return 503
    return 400


async def _tiegraph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TiegraphError)
    status = _status_of(exc)
    if status == 503:
        note_failure(exc)  # a failover under way: the request may run again (web/replay.py)
    headers = {"Retry-After": str(BUSY_RETRY_SECONDS)} if status == 503 else None
    return error_response(request, status, str(exc), headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = allowed_methods(request.app, request.scope["path"])
        if allowed:
            headers["Allow"] = ", ".join(allowed)
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=headers)
    return error_response(request, exc.status_code, str(exc.detail), headers=headers or None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    first = details[0] if details else {"location": "", "message": "invalid request"}
    message = f"{first['location']}: {first['message']}" if first["location"] else first["message"]
    return error_response(request, 422, message, details=details)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TiegraphError, _tiegraph_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(Exception, _server_error)
