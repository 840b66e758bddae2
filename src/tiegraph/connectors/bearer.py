"""A JSON API read with an OAuth bearer token (Microsoft Graph, Google People and Calendar).

One request at a time: a 429 or 503 waits what Retry-After says (at most MAX_WAIT seconds,
MAX_ATTEMPTS times); a 401 asks for a fresh token once; an answer `gone` recognizes (410, or an
API's own words for it) means the sync token expired and the caller reads everything again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tiegraph.connectors.errors import ConnectorError

MAX_ATTEMPTS = 6
MAX_WAIT = 120.0
DEFAULT_WAIT = 5.0  # a 429 without Retry-After


class SyncStateGone(ConnectorError):
    """The delta or sync token expired or was refused: read everything again from the start."""


def _gone_by_status(status: int, found: Any) -> bool:
    return status == 410


class BearerApi:
    """`token(refresh)` gives the account's access token (a fresh one when True)."""

    def __init__(
        self,
        token: Callable[[bool], str],
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        headers: dict[str, str] | None = None,
        gone: Callable[[int, Any], bool] = _gone_by_status,
    ) -> None:
        self.token = token
        self.sleep = sleep
        self.gone = gone
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.waited = 0.0  # seconds spent waiting out throttling, for the report
        self.current: str | None = None
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        refreshed = False
        for _ in range(MAX_ATTEMPTS):
            answer = self._send(url, params, refresh=False)
            if answer.status_code == 401 and not refreshed:
                refreshed = True
                answer = self._send(url, params, refresh=True)
            if answer.status_code in (429, 503):
                self._wait(answer)
                continue
            return self._read(answer)
        raise ConnectorError(f"{_where(url)}: still throttled after {MAX_ATTEMPTS} tries")

    def _send(self, url: str, params: dict[str, str] | None, refresh: bool) -> httpx.Response:
        if refresh or self.current is None:
            self.current = self.token(refresh)
        headers = {**self.headers, "Authorization": f"Bearer {self.current}"}
        try:
            return self.http.get(url, params=params, headers=headers)
        except httpx.TimeoutException:
            raise ConnectorError(f"{_where(url)}: no answer in time") from None
        except httpx.HTTPError as exc:
            raise ConnectorError(f"{_where(url)}: cannot connect ({type(exc).__name__})") from None

    def _wait(self, answer: httpx.Response) -> None:
        try:
            seconds = float(answer.headers.get("Retry-After", DEFAULT_WAIT))
        except ValueError:  # an HTTP date: rare from these APIs, the default is near enough
            seconds = DEFAULT_WAIT
        seconds = min(max(seconds, 0.0), MAX_WAIT)
        self.waited += seconds
        self.sleep(seconds)

    def _read(self, answer: httpx.Response) -> dict[str, Any]:
        where = _where(str(answer.url))
        try:
            found = answer.json()
        except ValueError:
            found = None
        if self.gone(answer.status_code, found):
            raise SyncStateGone(f"{where}: the sync token is gone (HTTP {answer.status_code})")
        if answer.status_code == 401:
            raise ConnectorError(f"{where}: the access token was refused twice (HTTP 401)")
        if answer.status_code >= 400:
            raise ConnectorError(f"{where}: HTTP {answer.status_code} {_code(found)}".rstrip())
        if not isinstance(found, dict):
            raise ConnectorError(f"{where}: the answer is not a JSON object")
        return found


def _code(found: Any) -> str:
    error = found.get("error") if isinstance(found, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or error.get("status") or "")[:80]
    return ""


def _where(url: str) -> str:
    # The path says which resource; the query (delta and page tokens) is noise in a message.
    return url.split("?", 1)[0]
