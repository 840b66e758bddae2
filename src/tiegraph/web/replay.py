"""A request runs again when the database failed over under it before it wrote anything.

Each request is one unit of work (store/failover.py): its store calls share one failover budget
and count their commits. When it ends in a 503 whose cause wrote nothing (the connection was
lost, or the server turned standby, before any commit; or PostgreSQL rolled the transaction
back), and nothing of it was committed, the whole request runs again from its buffered body,
after a short pause, until the budget is spent. Its first answer is never sent half-way.
Uploads (multipart bodies) and bodies over REPLAYABLE_BYTES or of no declared length pass
through once: they are not kept.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tiegraph.store.failover import Unit, may_run_again, pause, unit_of_work

REPLAYABLE_BYTES = 1024 * 1024  # an API write's JSON or a form's fields, not an upload


class ReplayOnFailover:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _small_body(scope):
            await self.app(scope, receive, send)
            return
        body = await _buffered(receive)
        with unit_of_work() as unit:
            attempt = 0
            while await self._held_back(scope, body, receive, send, unit):
                await anyio.sleep(pause(attempt))
                attempt += 1

    async def _held_back(
        self, scope: Scope, body: list[Message], receive: Receive, send: Send, unit: Unit
    ) -> bool:
        """Run the request once; True when its answer was held back to run it again."""
        pending, held = list(body), False

        async def replayed() -> Message:
            return pending.pop(0) if pending else await receive()

        async def holding(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 503:
                held = unit.failure is not None and may_run_again(unit.failure, unit)
            if not held:
                await send(message)

        unit.failure = None
        await self.app(scope, replayed, holding)
        return held


def _small_body(scope: Scope) -> bool:
    """Whether the body may be kept for running the request again: not an upload, and of a
    declared length up to REPLAYABLE_BYTES (none, for a GET)."""
    headers = dict(scope.get("headers", []))
    if headers.get(b"content-type", b"").startswith(b"multipart/"):
        return False
    if b"transfer-encoding" in headers:
        return False
    length = headers.get(b"content-length", b"0")
    return length.isdigit() and int(length) <= REPLAYABLE_BYTES


async def _buffered(receive: Receive) -> list[Message]:
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages
