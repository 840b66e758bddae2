"""Reading ahead in a child process: same records, failures raised here, the child stopped."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tiegraph.services.readahead import BATCH, read_ahead


# Module-level: the child imports them by name.
def numbers(path: Path, count: int) -> Iterator[tuple[str, int]]:
    for i in range(count):
        yield (path.name, i)


def failing(path: Path) -> Iterator[int]:
    yield 1
    raise ValueError(f"bad byte in {path.name}")


def dying(path: Path) -> Iterator[int]:
    yield from range(BATCH + 1)  # one frame is sent, then the process is gone
    os._exit(3)


def endless(path: Path) -> Iterator[int]:
    yield from itertools.count()


def test_records_come_back_in_order_across_frames(tmp_path: Path) -> None:
    count = 2 * BATCH + 5
    assert list(read_ahead(numbers, tmp_path / "box", count)) == list(
        numbers(tmp_path / "box", count)
    )


def test_a_failure_in_the_reader_is_raised_here(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ValueError: bad byte in box"):
        list(read_ahead(failing, tmp_path / "box"))


def test_a_reader_that_dies_is_reported(tmp_path: Path) -> None:
    records = read_ahead(dying, tmp_path / "box")
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        for _ in records:
            pass


def test_stopping_early_stops_the_reader(tmp_path: Path) -> None:
    began = time.perf_counter()
    records = read_ahead(endless, tmp_path / "box")
    assert list(itertools.islice(records, 10)) == list(range(10))
    records.close()  # terminates and reaps the child, which would never end by itself
    assert time.perf_counter() - began < 30
