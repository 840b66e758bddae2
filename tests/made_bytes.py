"""Made-up data for tests: a file of any size made up as it is read (for uploads no one holds
whole in memory), and distinct name parts for made-up people."""

from __future__ import annotations

import hashlib
import io


class Generated(io.RawIOBase):
    """`size` bytes made up as they are read (hash blocks: no compression flatters them)."""

    def __init__(self, size: int) -> None:
        self.left, self.counter = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        block = hashlib.sha256(str(self.counter).encode()).digest() * (n // 32 + 1)
        buffer[:n] = block[:n]
        self.left -= n
        self.counter += 1
        return n


def name_part(k: int) -> str:
    """A distinct name part for each k, letters only (names are compared without digits)."""
    letters = ""
    while True:
        k, r = divmod(k, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
        if not k:
            return letters.capitalize()
