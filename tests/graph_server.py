"""A local Microsoft Graph for sync tests: the response shapes Graph's documentation shows for
delta queries (value, @odata.nextLink with $skiptoken, @odata.deltaLink with $deltatoken), 429
with Retry-After, 401 for a token the OpenID Connect provider says is not active (checked by
introspection, RFC 7662), and 410 syncStateNotFound for a delta token it no longer knows."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

DELTA = {
    "/v1.0/me/contacts/delta()": "contacts",
    "/v1.0/me/calendarView/delta()": "events",
    "/v1.0/me/mailFolders/inbox/messages/delta()": "inbox",
    "/v1.0/me/mailFolders/sentitems/messages/delta()": "sentitems",
}


class GraphServer:
    RESOURCES: tuple[str, ...] = tuple(DELTA.values())

    def __init__(self, introspection_url: str, page_size: int = 5) -> None:
        self.introspection_url = introspection_url
        self.page_size = page_size
        self.resources: dict[str, list[dict[str, Any]]] = {name: [] for name in self.RESOURCES}
        self.generation = 1  # delta tokens of an older generation answer 410
        self.throttle = 0  # how many next requests answer 429
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.refused = 0  # 401s answered
        self.hold_at: int | None = None  # the request number that waits (a test kills us then)
        self.fail_at: int | None = None  # the request number that answers 500
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}/v1.0"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.http.shutdown()
        self.http.server_close()

    def add(self, resource: str, items: list[dict[str, Any]]) -> None:
        with self.lock:
            self.resources[resource].extend(items)

    def forget_delta_tokens(self) -> None:
        self.generation += 1

    def active(self, authorization: str) -> bool:
        token = authorization.removeprefix("Bearer ")
        answer = httpx.post(
            self.introspection_url,
            data={"token": token},
            auth=(CLIENT_ID, CLIENT_SECRET),
            timeout=10,
        )
        return answer.json().get("active") is True

    def answer(self, path: str, query: dict[str, str], authorization: str) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((path, query))
            number = len(self.requests)
            if self.throttle:
                self.throttle -= 1
                return 429, {"error": {"code": "TooManyRequests", "message": "slow down"}}
        if self.fail_at == number:
            return 500, {"error": {"code": "InternalServerError", "message": "crashed"}}
        if self.hold_at == number:
            self.held.set()
            self.release.wait(60)
        if not self.active(authorization):
            self.refused += 1
            return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}
        return self.route(path, query)

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path in DELTA:
            return self._delta(path, DELTA[path], query)
        if path == "/v1.0/me/contacts":
            return 200, {"value": self.resources["contacts"][:1]}
        if path.startswith("/v1.0/me/events/"):
            key = path.rsplit("/", 1)[1]
            found = [e for e in self.resources["events"] if e["id"] == key]
            return (200, found[0]) if found else (404, {"error": {"code": "ErrorItemNotFound"}})
        return 404, {"error": {"code": "ResourceNotFound"}}

    def _delta(self, path: str, resource: str, query: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            items = list(self.resources[resource])
        if "$deltatoken" in query:
            generation, since = (int(x) for x in query["$deltatoken"].split("."))
            if generation != self.generation:
                return 410, {"error": {"code": "syncStateNotFound", "message": "resync"}}
            start, end = since, len(items)
        elif "$skiptoken" in query:
            start, end = (int(x) for x in query["$skiptoken"].split("."))
        else:
            start, end = 0, len(items)
        page = items[start : min(start + self.page_size, end)]
        selected = query.get("$select")
        if selected and resource != "events":  # calendarView delta ignores $select, as Graph
            keep = {"id", *selected.split(",")}
            page = [{k: v for k, v in item.items() if k in keep} for item in page]
        body: dict[str, Any] = {"value": page}
        here = f"{self.base}{path.removeprefix('/v1.0')}"
        if start + self.page_size < end:
            body["@odata.nextLink"] = f"{here}?$skiptoken={start + self.page_size}.{end}"
        else:
            body["@odata.deltaLink"] = f"{here}?$deltatoken={self.generation}.{end}"
        return 200, body


def _handler(server: GraphServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status, body = server.answer(parts.path, query, self.headers.get("Authorization", ""))
            payload = json.dumps(body).encode()
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            # The client may have been killed while we waited: as a server would, go on.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


# --- items as Graph writes them -----------------------------------------------------------------


def contact(number: int) -> dict[str, Any]:
    from tests.servers import name

    first, last = name(number)
    return {
        "id": f"AAMkContact{number}=",
        "displayName": f"{first} {last}",
        "givenName": first,
        "surname": last,
        "companyName": "Acme Corp",
        "emailAddresses": [{"name": f"{first} {last}", "address": f"person{number}@acme.example"}],
        "businessPhones": [],
    }


def mail(number: int, *, sent: bool, day: int = 1) -> dict[str, Any]:
    me = {"emailAddress": {"name": "Ana Lima", "address": "ana@us.example"}}
    them = {"emailAddress": {"name": f"Person {number}", "address": f"person{number}@acme.example"}}
    when = f"2026-06-{day:02d}T10:{number % 60:02d}:00Z"
    return {
        "id": f"AAMkMessage{number}=",
        "subject": "secret plans nobody may read",
        "bodyPreview": "The body, never read.",
        "from": me if sent else them,
        "toRecipients": [them if sent else me],
        "ccRecipients": [],
        "sentDateTime": when,
        "receivedDateTime": when,
        "internetMessageId": f"<m{number}@mail.example>",
    }


def meeting(number: int, start: str) -> dict[str, Any]:
    return {
        "id": f"AAMkEvent{number}=",
        "subject": "secret plans nobody may read",
        "iCalUId": f"event-{number}@us.example",
        "type": "singleInstance",
        "start": {"dateTime": f"{start}T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{start}T10:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Ana Lima", "address": "ana@us.example"}},
        "attendees": [
            {
                "emailAddress": {"name": "P", "address": f"person{number}@acme.example"},
                "status": {"response": "accepted"},
            }
        ],
        "isCancelled": False,
    }
