"""The Radoslaw manufacturing-company mail network as clean timed messages (a second corpus).

Source: ../shared/data/radoslaw-email (Michalski, Palus, Kazienko 2011; KONECT
`radoslaw_email`): one line `sender recipient unix_seconds 1` per recipient of a message, 167
employees, 2010-01-02 to 2010-09-30. Lines with the same sender and time are one message; every
recipient is read as To (the data does not say To or Cc). Removed, counted in the summary:
self-loops and repeated lines (the same recipient twice in one message).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from enron import Message

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "radoslaw-email"


def load_messages(folder: Path = DATA) -> tuple[list[Message], str]:
    """Every message in time order, and a line saying what cleaning removed."""
    lines = (folder / "ia-radoslaw-email.edges").read_text().split()
    rows = [(int(lines[i]), int(lines[i + 1]), int(lines[i + 2])) for i in range(0, len(lines), 4)]
    looped = [r for r in rows if r[0] != r[1]]
    unique = list(dict.fromkeys(looped))
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for sender, recipient, seconds in unique:
        grouped[seconds, sender].append(recipient)
    messages = [
        Message(datetime.fromtimestamp(seconds, UTC), sender, tuple(to), ())
        for (seconds, sender), to in grouped.items()
    ]
    messages.sort(key=lambda m: (m.at, m.sender))
    summary = (
        f"{len(rows):,} lines: {len(rows) - len(looped)} self-loops, "
        f"{len(looped) - len(unique)} repeated lines removed; {len(unique):,} kept in "
        f"{len(messages):,} messages"
    )
    return messages, summary


def load_employees(folder: Path = DATA) -> list[int]:
    """Every employee id that sent or received mail, in id order."""
    lines = (folder / "ia-radoslaw-email.edges").read_text().split()
    ids = {int(lines[i]) for i in range(0, len(lines), 4)}
    ids |= {int(lines[i + 1]) for i in range(0, len(lines), 4)}
    return sorted(ids)
