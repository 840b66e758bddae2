"""A CSV file's records with their lines, read again after a quote that never closes or past
a cell too long to read: every CSV reader (address books, directory, call logs) reads so."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import NamedTuple


class CsvRow(NamedTuple):
    """One record: its first physical line, its cells, or why it cannot be read."""

    line: int
    cells: list[str]
    problem: str = ""


def csv_rows(text: str, delimiter: str, width: int = 0, *, offset: int = 0) -> Iterator[CsvRow]:
    """(first line, cells) per record; quoted line breaks stay inside their cell. Lines are
    counted from `offset` + 1 (the lines before `text`, such as a header read apart).

    A stray quote opens a cell that runs on through the rows after it, until the next quote
    or the end of the file. A record is taken for one when the csv module gives up on it (a
    cell past its size limit) or, knowing the header's `width`, when lines it swallowed read
    as rows of their own. Then its first line is reported, and reading starts again on the
    line after it, so the rows it swallowed are kept."""
    lines = list(io.StringIO(text, newline=""))
    start = 0  # index in `lines` the reader started at
    while start < len(lines):
        reader = csv.reader(iter(lines[start:]), delimiter=delimiter, strict=False)
        first = start  # index of the record being read
        restart = None
        for cells, last, error in _records(reader, start):
            if last > first and (
                cells is None or _swallows(lines[first : last + 1], cells, width, delimiter)
            ):
                yield CsvRow(offset + first + 1, [], _unclosed(offset + first, offset + last))
                restart = first + 1
                break
            if cells is None:
                yield CsvRow(offset + first + 1, [], f"unreadable CSV row: {error}")
                restart = last + 1
                break
            yield CsvRow(offset + first + 1, cells)
            first = last + 1
        if restart is None:
            return
        start = restart


def _records(
    reader: Iterator[list[str]], offset: int
) -> Iterator[tuple[list[str] | None, int, str]]:
    """(cells or None where csv gave up, index of the record's last line, csv's reason)."""
    while True:
        error = ""
        try:
            cells: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cells, error = None, str(exc)
        yield cells, offset + reader.line_num - 1, error  # type: ignore[attr-defined]
        if cells is None:
            return


def _swallows(record: Sequence[str], cells: list[str], width: int, delimiter: str) -> bool:
    """Whether the lines after a record's first read as rows of the header's width on their
    own: a quoted cell with line breaks (a postal address, notes) seldom has that many
    separators, and a record that holds them is then seldom of the header's width too."""
    if width < 2:
        return False
    swallowed = record[1:]
    rows = sum(
        1 for line in swallowed if len(next(csv.reader([line], delimiter=delimiter), [])) == width
    )
    if rows * 2 <= len(swallowed):
        return False
    # One or two such lines in a record of the header's width: a cell of notes, unless all
    # of them are rows and rows have three cells or more.
    return len(cells) != width or len(swallowed) >= 3 or (rows == len(swallowed) and width >= 3)


def _unclosed(first: int, last: int) -> str:
    count = last - first
    return (
        f"a quote opened on this line is never closed: it swallowed the next {count} "
        f"line{'s' if count != 1 else ''} (to line {last + 1}), read again as rows"
    )
