"""Reading a big input in a second process while this one writes what was already read."""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

WORTH_IT_BYTES = 16 * 1024 * 1024  # below this, starting a process costs more than it saves
BATCH = 2000  # records per message between the processes
DEPTH = 4  # batches in flight: bounds memory when the writer is the slower side
_DONE = "done"
_FAILED = "failed"


def worth_reading_ahead(path: Path, threshold: int = WORTH_IT_BYTES) -> bool:
    """True when `path` (a file, or a folder tree of files) holds at least `threshold` bytes."""
    if path.is_file():
        return path.stat().st_size >= threshold
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # vanished or unreadable: the reader reports it
            if total >= threshold:
                return True
    return False


def _produce(read: Callable[[Path], Iterable[Any]], path: Path, out: Any) -> None:
    try:
        records = iter(read(path))
        while batch := list(islice(records, BATCH)):
            out.put(batch)
        out.put(_DONE)
    except Exception as exc:  # handed to the parent, which raises it
        out.put((_FAILED, f"{type(exc).__name__}: {exc}"))


def read_ahead(read: Callable[[Path], Iterable[T]], path: Path) -> Iterator[T]:
    """The records of `read(path)`, produced in a child process, in the same order.

    `read` must be a module-level function (it is started by name in the child). The child
    is stopped when the caller stops early or fails; its own failure is raised here.
    """
    context = multiprocessing.get_context("spawn")  # no fork: this process may hold threads
    channel = context.Queue(maxsize=DEPTH)
    child = context.Process(target=_produce, args=(read, path, channel), daemon=True)
    child.start()
    try:
        while True:
            try:
                item = channel.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the reader of {path} stopped unexpectedly") from None
                continue
            if item == _DONE:
                break
            if isinstance(item, tuple) and item[0] == _FAILED:
                raise RuntimeError(f"reading {path}: {item[1]}")
            yield from item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()
