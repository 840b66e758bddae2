"""Writer of the organization's call log: one CSV row per call, members' phones together."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from tiegraph.demo.csvout import LineCountingCsv
from tiegraph.demo.timeline import Call

FILE_NAME = "calls.csv"
HEADER = ("member_email", "other", "start", "duration_seconds", "direction")


class CallLog:
    """The open calls.csv; each member's calls are appended in turn."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._out = LineCountingCsv(self._handle, lineterminator="\n")
        self._out.row(HEADER)
        self.count = 0

    def write(self, calls: Iterable[Call]) -> None:
        for call in calls:
            start = call.start.isoformat(timespec="seconds")
            self._out.row((call.member, call.other, start, str(call.seconds), call.direction))
            self.count += 1

    def __enter__(self) -> CallLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._handle.close()
