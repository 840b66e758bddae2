"""CSV writing that knows the physical line each row starts on (the truth files' locators)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TextIO

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class LineCountingCsv:
    """Writes rows to `handle` and says where each one starts: `line N`, 1-based."""

    def __init__(self, handle: TextIO, *, lineterminator: str, quote_all: bool = False) -> None:
        self._handle = handle
        self._buffer = io.StringIO()
        self._writer = csv.writer(
            self._buffer,
            lineterminator=lineterminator,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        self.line = 1

    def raw(self, text: str) -> None:
        self._handle.write(text)
        self.line += text.count("\n")

    def row(self, cells: Sequence[str]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        locator = f"line {self.line}"
        self.raw(self._buffer.getvalue())
        return locator
