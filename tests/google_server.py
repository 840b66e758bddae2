"""A local Google People + Calendar API for sync tests, answering the shapes Google documents:
connections / items pages with nextPageToken, nextSyncToken on the last page, 429 with
Retry-After and 401 as the Graph server does (tests/graph_server.py), and for a sync token it no
longer knows: People's 400 FAILED_PRECONDITION with reason EXPIRED_SYNC_TOKEN, Calendar's 410
fullSyncRequired."""

from __future__ import annotations

from typing import Any

from tests.graph_server import GraphServer

CONNECTIONS = "/v1/people/me/connections"
EVENTS = "/calendar/v3/calendars/primary/events"
SECRET_FIELDS = ("summary", "description", "location")


class GoogleServer(GraphServer):
    RESOURCES = ("people", "events")

    def __init__(self, introspection_url: str, page_size: int = 5) -> None:
        super().__init__(introspection_url, page_size)
        self.endpoint = self.base.removesuffix("/v1.0") + "/"

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path == CONNECTIONS:
            return self._list("people", "connections", query)
        if path == EVENTS:
            return self._list("events", "items", query)
        if path == "/calendar/v3/calendars/primary":
            return 200, {"id": "ana@us.example"}
        if path.startswith(EVENTS + "/"):
            key = path.rsplit("/", 1)[1]
            found = [e for e in self.resources["events"] if e["id"] == key]
            return (
                (200, self._fields(found[0], query)) if found else (404, {"error": {"code": 404}})
            )
        return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}

    def _list(self, resource: str, key: str, query: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            items = list(self.resources[resource])
        if "pageToken" in query:
            start, end = (int(x) for x in query["pageToken"].split("."))
        elif "syncToken" in query:
            generation, since = (int(x) for x in query["syncToken"].split("."))
            if generation != self.generation:
                return self._expired(resource)
            start, end = since, len(items)
        else:
            start, end = 0, len(items)
        page = [self._fields(i, query) for i in items[start : min(start + self.page_size, end)]]
        body: dict[str, Any] = {key: page}
        if start + self.page_size < end:
            body["nextPageToken"] = f"{start + self.page_size}.{end}"
        else:
            body["nextSyncToken"] = f"{self.generation}.{end}"
        return 200, body

    def _expired(self, resource: str) -> tuple[int, Any]:
        if resource == "people":
            detail = {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "EXPIRED_SYNC_TOKEN",
                "domain": "people.googleapis.com",
            }
            return 400, {
                "error": {
                    "code": 400,
                    "status": "FAILED_PRECONDITION",
                    "message": "Sync token is expired.",
                    "details": [detail],
                }
            }
        return 410, {"error": {"code": 410, "errors": [{"reason": "fullSyncRequired"}]}}

    def _fields(self, item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        if "fields" not in query:
            return item
        return {k: v for k, v in item.items() if k not in SECRET_FIELDS or k in query["fields"]}


def person(number: int) -> dict[str, Any]:
    from tests.servers import name

    first, last = name(number)
    return {
        "resourceName": f"people/c{number}",
        "etag": f"%E{number}",
        "names": [{"displayName": f"{first} {last}", "givenName": first, "familyName": last}],
        "emailAddresses": [{"value": f"person{number}@acme.example"}],
        "organizations": [{"name": "Acme Corp", "title": "Buyer"}],
    }


def event(number: int, day: str) -> dict[str, Any]:
    return {
        "id": f"ev{number}",
        "iCalUID": f"ev{number}@google.com",
        "status": "confirmed",
        "summary": "secret plans nobody may read",
        "description": "The body, never read.",
        "start": {"dateTime": f"{day}T09:00:00+02:00"},
        "end": {"dateTime": f"{day}T10:00:00+02:00"},
        "organizer": {"email": "ana@us.example", "displayName": "Ana Lima", "self": True},
        "attendees": [
            {"email": "ana@us.example", "responseStatus": "accepted", "self": True},
            {"email": f"person{number}@acme.example", "responseStatus": "accepted"},
        ],
    }
