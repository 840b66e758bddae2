"""GET /healthz for load balancers: no sign-in, no private data, only whether the store answers."""

from __future__ import annotations

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tiegraph.errors import StoreError
from tiegraph.store.engine import check_connection
from tiegraph.web.security import store_of

router = APIRouter()
TIMEOUT_SECONDS = 2.0  # a balancer's check must answer sooner than its own timeout


@router.get(
    "/healthz",
    operation_id="health",
    include_in_schema=False,  # for balancers, not part of the API (/api/v1/openapi.json)
    summary="Whether this web process can reach its database (for load balancers)",
    responses={503: {"description": "The database did not answer in time"}},
)
async def health(request: Request) -> JSONResponse:
    store = store_of(request)
    with anyio.move_on_after(TIMEOUT_SECONDS):
        try:
            await anyio.to_thread.run_sync(check_connection, store.engine, abandon_on_cancel=True)
        except StoreError:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})
    return JSONResponse({"status": "unavailable"}, status_code=503)
