"""Microsoft Graph, read-only: delta queries page by page (@odata.nextLink, @odata.deltaLink).

Throttling, token refresh and expired delta tokens (410, syncStateNotFound, resyncRequired)
are handled by `BearerApi`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tiegraph.connectors.bearer import BearerApi, SyncStateGone

__all__ = ["DEFAULT_BASE", "GraphClient", "Page", "SyncStateGone"]

DEFAULT_BASE = "https://graph.microsoft.com/v1.0"
PAGE_SIZE = 200  # Prefer: odata.maxpagesize
GONE_CODES = ("syncStateNotFound", "resyncRequired", "syncStateInvalid")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_link: str | None  # more of this round
    delta_link: str | None  # the round is complete: where the next sync starts


def _gone(status: int, found: Any) -> bool:
    error = found.get("error") if isinstance(found, dict) else None
    return status == 410 or (isinstance(error, dict) and error.get("code") in GONE_CODES)


class GraphClient(BearerApi):
    """Graph for one account."""

    def __init__(
        self,
        token: Callable[[bool], str],
        *,
        base_url: str = DEFAULT_BASE,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            token,
            timeout=timeout,
            sleep=sleep,
            gone=_gone,
            headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"},
        )
        self.base = base_url.rstrip("/")

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
