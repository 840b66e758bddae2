"""What a demo run wrote: its files by kind, its counts and the organization it made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tiegraph.demo.scale import DemoScale


@dataclass(frozen=True)
class DemoManifest:
    """What `generate_demo` wrote: files by kind (relative to `out`), counts, the organization."""

    out: Path
    organization: str
    domain: str
    seed: int
    scale: DemoScale
    activity_factor: float  # how much the activity rates were scaled to meet the target
    files: dict[str, tuple[Path, ...]]
    counts: dict[str, int]
    contacts: dict[str, dict[str, int]]  # member email -> source -> entries written

    def paths(self, kind: str) -> list[Path]:
        """Absolute paths of the files of one kind (`linkedin`, `mbox`, `ics`, ...)."""
        return [self.out / path for path in self.files.get(kind, ())]
