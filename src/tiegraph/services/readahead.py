"""Reading a big input in a second process while this one writes what was already read.

The reader is a plain `python -c` child, not a multiprocessing one: a spawned multiprocessing
child imports the parent's `__main__` first (for the CLI: every command, SQLAlchemy, Typer),
which took longer than reading a 20,000-message mailbox. Batches come back over a pipe as
length-prefixed pickles; a thread in the child writes them while its main thread reads on.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")

WORTH_IT_BYTES = 16 * 1024 * 1024  # below this, starting a process costs more than it saves
BATCH = 2000  # records per frame between the processes
FIRST_BATCH = 100  # the first frame: the reader's first records reach the caller sooner
DEPTH = 4  # frames the child holds ready: bounds memory when the writer is the slower side
_DONE = "done"
_FAILED = "failed"
_LENGTH = 8  # bytes of a frame's length prefix
_BOOT = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from tiegraph.services.readahead import serve; serve(*pickle.load(sys.stdin.buffer))"
)


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


def read_ahead(read: Callable[..., Iterable[T]], path: Path, *args: Any) -> Iterator[T]:
    """The records of `read(path, *args)`, produced in a child process, in the same order.

    `read` must be a module-level function (the child imports it by name) and `args` must
    pickle. The child is stopped when the caller stops early or fails; its own failure is
    raised here.
    """
    return iter(ReadAhead(read, path, *args))


class ReadAhead(Generic[T]):
    """A child process running `read(path, *args)`, started at once (so that it reads while
    this process does something else); its records are taken by iterating, once.

    The child is stopped when iteration ends, stops early or fails, or by `close`.
    """

    def __init__(self, read: Callable[..., Iterable[T]], path: Path, *args: Any) -> None:
        self.path = path
        self._child = subprocess.Popen(
            [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        # Handed over by a thread: a large job fills the pipe before the child has started
        # reading it, and this process has other things to do meanwhile.
        # sys.path first, on its own: the child needs it to unpickle `read`.
        job = pickle.dumps(sys.path) + pickle.dumps((read, path, args), pickle.HIGHEST_PROTOCOL)
        threading.Thread(target=_hand_over, args=(job, self._child.stdin), daemon=True).start()

    def __iter__(self) -> Iterator[T]:
        assert self._child.stdout is not None
        try:
            while True:
                item = _receive(self._child.stdout, self.path)
                if isinstance(item, list):
                    yield from item
                elif item == _DONE:
                    break
                else:
                    raise RuntimeError(f"reading {self.path}: {item[1]}")
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child (if still running) and release its pipe."""
        if self._child.poll() is None:
            self._child.terminate()
        self._child.wait()
        assert self._child.stdout is not None
        self._child.stdout.close()


def _hand_over(job: bytes, channel: IO[bytes] | None) -> None:
    assert channel is not None
    try:
        channel.write(job)
        channel.close()
    except (BrokenPipeError, ValueError):
        pass  # the child died at once (reading says so), or was stopped before taking it


def _receive(channel: IO[bytes], path: Path) -> Any:
    head = channel.read(_LENGTH)
    body = channel.read(int.from_bytes(head, "little")) if len(head) == _LENGTH else b""
    if not body:
        raise RuntimeError(f"the reader of {path} stopped unexpectedly")
    return pickle.loads(body)


# --- in the child ----------------------------------------------------------------------------


def serve(read: Callable[..., Iterable[Any]], path: Path, args: tuple[Any, ...]) -> None:
    """The child's side: send frames of `read(path, *args)` to stdout until done."""
    # Readers make millions of short-lived objects and no cycles: collect seldom (3% faster).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break a frame
    frames: queue.Queue[bytes | None] = queue.Queue(maxsize=DEPTH)
    sender = threading.Thread(target=_send, args=(frames, channel), daemon=True)
    sender.start()
    try:
        records = iter(read(path, *args))
        size = FIRST_BATCH
        while batch := list(islice(records, size)):
            size = BATCH
            frames.put(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        frames.put(pickle.dumps(_DONE))
    except Exception as exc:  # handed to the parent, which raises it
        frames.put(pickle.dumps((_FAILED, f"{type(exc).__name__}: {exc}")))
    frames.put(None)
    sender.join()


def _send(frames: queue.Queue[bytes | None], channel: IO[bytes]) -> None:
    try:
        while (frame := frames.get()) is not None:
            channel.write(len(frame).to_bytes(_LENGTH, "little"))
            channel.write(frame)
        channel.close()
    except OSError:
        os._exit(1)  # the parent is gone: nobody is left to read for
