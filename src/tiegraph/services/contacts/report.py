"""What a contact import reports, per file and in all: matched of attempted, and the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiegraph.formats.records import RowError

SOURCE_NAMES = {
    "linkedin": "LinkedIn",
    "google": "Google",
    "outlook": "Outlook",
    "vcard": "vCard",
    "csv": "CSV",
    "carddav": "CardDAV",
    "pst": "Outlook PST",
}


@dataclass
class SourceReport:
    """One file's outcome; `attempted` is every contact record the file holds."""

    file: str
    format: str = ""
    attempted: int = 0
    imported: int = 0
    matched: int = 0
    possible: int = 0
    private: int = 0
    merged: int = 0
    unchanged: int = 0
    shared: int = 0  # private ones added to the directory because contact sync is on
    rejected: list[RowError] = field(default_factory=list)

    COUNTS = (
        "attempted",
        "imported",
        "matched",
        "possible",
        "private",
        "shared",
        "merged",
        "unchanged",
    )

    def as_dict(self) -> dict[str, Any]:
        counts = {k: getattr(self, k) for k in self.COUNTS}
        return {
            "file": self.file,
            "format": self.format,
            **counts,
            "rejected": _rows(self.rejected),
        }

    def summary(self) -> str:
        name = SOURCE_NAMES.get(self.format, self.format)
        text = f"{name} ({Path(self.file).name}): {self.matched} of {self.attempted} matched"
        details = [
            f"{self.possible} possible",
            f"{self.private} private" + (f" ({self.shared} shared)" if self.shared else ""),
            f"{self.merged} merged",
            f"{self.unchanged} unchanged",
            f"{len(self.rejected)} rejected",
        ]
        return f"{text}; " + ", ".join(details)


@dataclass
class ContactImportReport:
    sources: list[SourceReport] = field(default_factory=list)
    refused: list[RowError] = field(default_factory=list)  # whole files: unreadable, no contacts

    def as_dict(self) -> dict[str, Any]:
        totals = {k: sum(getattr(s, k) for s in self.sources) for k in SourceReport.COUNTS}
        rejected = [r for s in self.sources for r in s.rejected]
        return {
            "sources": [s.as_dict() for s in self.sources],
            **totals,
            "rejected": _rows(rejected),
            "refused": [{"file": r.file, "reason": r.reason} for r in self.refused],
        }

    def summary(self) -> str:
        lines = [s.summary() for s in self.sources]
        lines += [f"{Path(r.file).name}: not imported: {r.reason}" for r in self.refused]
        if self.sources and all(s.unchanged == s.attempted - len(s.rejected) for s in self.sources):
            lines.append("Nothing new: every contact was already imported.")
        return "\n".join(lines)


def _rows(rejected: Sequence[RowError]) -> list[dict[str, str]]:
    return [{"file": r.file, "locator": r.locator, "reason": r.reason} for r in rejected]
