"""The progress callback long services report through; interfaces draw it as they like."""

from __future__ import annotations

from collections.abc import Callable

# (step, done, total): total 0 when unknown.
ProgressCallback = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    """A callback that ignores progress, for callers that do not show it."""
