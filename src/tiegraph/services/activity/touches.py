"""Stored interactions as the strength model's touches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tiegraph.core.strength import Touch
from tiegraph.store.schema import interaction

# The columns `touch_of` reads, after the person's id: a select of a member's touches by person.
TOUCH_COLUMNS = (
    interaction.c.person_id,
    interaction.c.channel,
    interaction.c.direction,
    interaction.c.occurred_at,
    interaction.c.participants,
    interaction.c.duration_seconds,
    interaction.c.thread_reply,
)


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
