"""Every list of the API comes as one page: items, total, limit, offset and the next page's link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query, Request

from tiegraph.services.paging import MAX_LIMIT, Page
from tiegraph.web.schemas.common import ApiOutput

T = TypeVar("T")
S = TypeVar("S")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


class PageOut(ApiOutput, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next: str | None = None


def page_out(request: Request, page: Page[S], convert: Callable[[S], T]) -> PageOut[T]:
    """The API's page of a service's page, with `next` linking to the following one."""
    following = None
    if page.next_offset is not None:
        params = dict(request.query_params) | {
            "offset": str(page.next_offset),
            "limit": str(page.limit),
        }
        following = str(request.url.replace_query_params(**params))
    return PageOut[T](
        items=[convert(item) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        next=following,
    )


def window(items: list[S], limit: int, offset: int) -> Page[S]:
    """A page cut from a list already in memory (a person's knowers, say)."""
    return Page(items[offset : offset + limit], len(items), limit, offset)


# An id in a path: any integer a database column can hold (a larger one matches nothing).
PathId = Annotated[int, Path(ge=1, le=2**63 - 1, description="An id.")]
