"""The real mail corpora the strength model is judged on, each with its hold-out cutoffs.

Both follow ../shared/data/README.md's protocol (enron.make_split): a seed draws ~30% of the
employees as members, persons who wrote with two members before a cutoff and one in the 90
days after are ranked, relevance is the messages of those 90 days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import enron
import radoslaw
from enron import Message, Split, make_split


@dataclass(frozen=True)
class Corpus:
    name: str
    messages: Sequence[Message]
    employees: Sequence[int]
    names: Mapping[int, str]  # who-knows orders equal scores by name; ids where none is known
    cutoffs: tuple[datetime, ...]
    cleaning: str  # what loading removed, one line

    def splits(self, seeds: Sequence[int]) -> list[Split]:
        return [
            make_split(self.messages, self.employees, seed, cutoff, self.names)
            for seed in seeds
            for cutoff in self.cutoffs
        ]


def _utc(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


# Enron 1998-11 to 2002-06: half-yearly cutoffs over its busy years.
ENRON_CUTOFFS = (_utc(2000, 6), _utc(2000, 12), _utc(2001, 6), _utc(2001, 12))


def load_enron() -> Corpus:
    messages, cleaning = enron.load_messages()
    names = enron.load_names()
    return Corpus("enron", messages, list(names), names, ENRON_CUTOFFS, cleaning.summary())


def load_radoslaw() -> Corpus:
    """Radoslaw 2010-01 to 2010-09: monthly cutoffs from the fourth month on (the last one
    leaves exactly 90 days after it), so each split has three to six months of history."""
    messages, cleaning = radoslaw.load_messages()
    employees = radoslaw.load_employees()
    names = {e: f"{e:04d}" for e in employees}  # no names: by id, as a stable order
    cutoffs = (_utc(2010, 4), _utc(2010, 5), _utc(2010, 6), _utc(2010, 7))
    return Corpus("radoslaw", messages, employees, names, cutoffs, cleaning)


LOADERS = {"enron": load_enron, "radoslaw": load_radoslaw}
