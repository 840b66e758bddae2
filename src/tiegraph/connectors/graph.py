"""Microsoft Graph, read-only, with httpx: delta queries page by page, throttling honoured.

One request at a time: a 429 or 503 waits what Retry-After says (at most MAX_WAIT seconds,
MAX_ATTEMPTS times); a 401 asks for a fresh token once; a 410 (or a syncStateNotFound /
resyncRequired error) means the delta token is gone and the caller starts a full sync.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from tiegraph.connectors.errors import ConnectorError

DEFAULT_BASE = "https://graph.microsoft.com/v1.0"
MAX_ATTEMPTS = 6
MAX_WAIT = 120.0
DEFAULT_WAIT = 5.0  # a 429 without Retry-After
PAGE_SIZE = 200  # Prefer: odata.maxpagesize
GONE_CODES = ("syncStateNotFound", "resyncRequired", "syncStateInvalid")


class SyncStateGone(ConnectorError):
    """The delta token expired or was refused: read everything again from the start."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_link: str | None  # more of this round
    delta_link: str | None  # the round is complete: where the next sync starts


class GraphClient:
    """Graph for one account; `token(refresh)` gives its access token (refreshed when True)."""

    def __init__(
        self,
        token: Callable[[bool], str],
        *,
        base_url: str = DEFAULT_BASE,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.token = token
        self.sleep = sleep
        self.waited = 0.0  # seconds spent waiting out throttling, for the report
        self.current: str | None = None
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def pages(self, url: str, params: dict[str, str] | None = None) -> Iterator[Page]:
        """The pages of a delta round from `url` (a first request, or a saved link)."""
        while True:
            found = self.get(url, params)
            items = found.get("value")
            page = Page(
                [i for i in items if isinstance(i, dict)] if isinstance(items, list) else [],
                found.get("@odata.nextLink"),
                found.get("@odata.deltaLink"),
            )
            yield page
            if not page.next_link:
                return
            url, params = page.next_link, None  # the link carries the query

    def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        refreshed = False
        for _ in range(MAX_ATTEMPTS):
            answer = self._send(url, params, refresh=False)
            if answer.status_code == 401 and not refreshed:
                refreshed = True
                answer = self._send(url, params, refresh=True)
            if answer.status_code in (429, 503, 504):
                self._wait(answer)
                continue
            return self._read(answer)
        raise ConnectorError(f"{self._where(url)}: still throttled after {MAX_ATTEMPTS} tries")

    def _send(self, url: str, params: dict[str, str] | None, refresh: bool) -> httpx.Response:
        if refresh or self.current is None:
            self.current = self.token(refresh)
        headers = {
            "Authorization": f"Bearer {self.current}",
            "Prefer": f"odata.maxpagesize={PAGE_SIZE}",
            "Accept": "application/json",
        }
        try:
            return self.http.get(url, params=params, headers=headers)
        except httpx.TimeoutException:
            raise ConnectorError(f"{self._where(url)}: no answer in time") from None
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"{self._where(url)}: cannot connect ({type(exc).__name__})"
            ) from None

    def _wait(self, answer: httpx.Response) -> None:
        try:
            seconds = float(answer.headers.get("Retry-After", DEFAULT_WAIT))
        except ValueError:
            seconds = DEFAULT_WAIT
        seconds = min(max(seconds, 0.0), MAX_WAIT)
        self.waited += seconds
        self.sleep(seconds)

    def _read(self, answer: httpx.Response) -> dict[str, Any]:
        where = self._where(str(answer.url))
        try:
            found = answer.json()
        except ValueError:
            found = None
        code = ""
        if isinstance(found, dict) and isinstance(found.get("error"), dict):
            code = str(found["error"].get("code") or "")
        if answer.status_code == 410 or code in GONE_CODES:
            raise SyncStateGone(f"{where}: the delta token is gone ({code or 'HTTP 410'})")
        if answer.status_code == 401:
            raise ConnectorError(f"{where}: the access token was refused twice (HTTP 401)")
        if answer.status_code >= 400:
            raise ConnectorError(f"{where}: HTTP {answer.status_code} {code}".rstrip())
        if not isinstance(found, dict):
            raise ConnectorError(f"{where}: the answer is not a JSON object")
        return found

    def _where(self, url: str) -> str:
        # The path says which resource; the query (delta and skip tokens) is noise in a message.
        return url.split("?", 1)[0]
