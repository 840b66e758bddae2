"""Stored interactions as the strength model's touches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tiegraph.core.strength import Touch


def touch_of(row: Any) -> Touch:
    """A stored interaction (or a NewInteraction) as the strength model's Touch."""
    return Touch(
        at=aware(row.occurred_at),
        channel=row.channel,
        direction=row.direction,
        participants=max(int(row.participants), 1),
        duration_seconds=int(row.duration_seconds),
        thread_reply=bool(row.thread_reply),
    )


def aware(moment: datetime) -> datetime:
    """The moment with its zone: SQLite hands datetimes back without it; all are in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
