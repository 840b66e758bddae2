"""The web app: FastAPI over one Store, pages under /, the REST API under /api/v1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tiegraph import __version__
from tiegraph.services.contacts.jobs import resume_interrupted
from tiegraph.services.intros.sending import recover_deliveries
from tiegraph.services.jobs.queue import submit_import, uses_queue
from tiegraph.store import Store
from tiegraph.store.engine import POOL_SIZE
from tiegraph.web.errors import error_response, install_error_handlers
from tiegraph.web.freshness import Freshness
from tiegraph.web.paths_cache import PathsCache
from tiegraph.web.replay import ReplayOnFailover
from tiegraph.web.routes import api, health, pages
from tiegraph.web.security import SignInLimiter
from tiegraph.web.settings import WebSettings
from tiegraph.web.warm import warm

STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    ),
]


class BodyLimit:
    """Refuses request bodies over the upload limit with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"The upload is larger than the limit of {self.limit / 1048576:g} MB."
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            response = error_response(Request(scope), 413, message)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            received = await receive()
            seen += len(received.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, message)
            return received

        await self.app(scope, counted, send)


class NoNulInUrl:
    """Refuses a NUL character in the path or query: no database can store or compare one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
        ):
            response = error_response(Request(scope), 400, "The address holds a NUL character.")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Pages and endpoints run in a thread pool (they use the store synchronously). Python runs
    # one thread at a time, so more threads than store connections only queue for one.
    anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
    yield
    if app.state.freshness is not None:
        app.state.freshness.stop()


def create_app(
    store: Store, settings: WebSettings | None = None, *, recover_imports: bool = True
) -> FastAPI:
    """The app over `store`; one background worker runs uploads' imports one at a time.

    `recover_imports` runs again the imports a stopped server left unfinished whose uploads
    are all still stored, and marks the others failed: done once per server, not by each of
    several worker processes (another may be running one)."""
    settings = settings or WebSettings.from_env()
    app = FastAPI(
        lifespan=_lifespan,
        title="tiegraph",
        version=__version__,
        summary="Who among us can introduce me to this person, and how strong is that link?",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: ours is web/routes/api_docs
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.paths_cache = PathsCache(settings.paths_cache_seconds)
    app.state.limiter = SignInLimiter(
        store, settings.sign_in_attempts, settings.sign_in_window_seconds
    )
    app.state.imports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiegraph-import")
    # Intro requests sent by SMTP on SQLite, apart from the imports (never behind a long one).
    app.state.deliveries = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiegraph-send")
    # Warm again when an import finished, in this process or on a worker (web/freshness.py).
    app.state.freshness = Freshness(store, partial(warm, store)).start() if settings.warm else None
    if recover_imports and not uses_queue(store):  # queued imports of dead workers are retried
        resume_interrupted(store, partial(submit_import, store, app.state.imports))
        recover_deliveries(store, older_than=timedelta(0))
    install_error_handlers(app)
    app.include_router(health.router)
    # FastAPI tries each route in turn, none of /api/v1 skipped by its prefix: the pages, most
    # of the requests, come before the API's routes (no path of one is a path of the other).
    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ReplayOnFailover)
    app.add_middleware(BodyLimit, limit=settings.upload_limit_bytes)
    app.add_middleware(NoNulInUrl)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="tiegraph_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(SecurityHeaders)
    return app
