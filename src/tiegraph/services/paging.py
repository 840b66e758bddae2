"""One page of a longer list: every list a service returns to an interface comes in these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Connection, Select, func, select

from tiegraph.errors import InvalidInputError

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    total: int = 0
    limit: int = 50
    offset: int = 0

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.items)
        return following if following < self.total and self.items else None


def checked_window(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidInputError("offset must not be negative")
    return limit, offset


def count_of(conn: Connection, query: Select[tuple[object, ...]]) -> int:
    """How many rows a query would return, ignoring its order, limit and offset."""
    inner = query.order_by(None).limit(None).offset(None).subquery()
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
