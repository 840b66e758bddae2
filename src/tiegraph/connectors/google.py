"""Google People and Calendar APIs, read-only: pages (nextPageToken) and sync tokens.

The endpoint is Google's, or one given as google-api-python-client's `api_endpoint` is (a
proxy, a test server): People under `v1/`, Calendar under `calendar/v3/` of it. Throttling,
token refresh and expired sync tokens (410, EXPIRED_SYNC_TOKEN) are handled by `BearerApi`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tiegraph.connectors.bearer import BearerApi, SyncStateGone

__all__ = ["DEFAULT_ENDPOINT", "GoogleClient", "Page", "SyncStateGone"]

DEFAULT_ENDPOINT = "https://www.googleapis.com/"
PEOPLE_ENDPOINT = "https://people.googleapis.com/"


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_page: str | None  # more of this round
    sync_token: str | None  # the round is complete: where the next sync starts


def _gone(status: int, found: Any) -> bool:
    error = found.get("error") if isinstance(found, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    reasons = {d.get("reason") for d in details if isinstance(d, dict)} if details else set()
    return status == 410 or "EXPIRED_SYNC_TOKEN" in reasons


class GoogleClient(BearerApi):
    def __init__(
        self,
        token: Callable[[bool], str],
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(token, timeout=timeout, sleep=sleep, gone=_gone)
        self.endpoint = endpoint.rstrip("/") + "/"

    def __enter__(self) -> GoogleClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def people_url(self, path: str) -> str:
        root = PEOPLE_ENDPOINT if self.endpoint == DEFAULT_ENDPOINT else self.endpoint
        return f"{root}v1/{path}"

    def calendar_url(self, path: str) -> str:
        return f"{self.endpoint}calendar/v3/{path}"

    def pages(self, url: str, params: dict[str, str], key: str) -> Iterator[Page]:
        """The pages of a round; `params` already hold the page token to resume from."""
        params = dict(params)
        while True:
            found = self.get(url, params)
            items = found.get(key)
            page = Page(
                [i for i in items if isinstance(i, dict)] if isinstance(items, list) else [],
                found.get("nextPageToken"),
                found.get("nextSyncToken"),
            )
            yield page
            if not page.next_page:
                return
            params["pageToken"] = page.next_page
