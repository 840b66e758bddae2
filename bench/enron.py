"""The Enron mail network as clean timed messages, and member/person hold-out splits of it.

Source: ../shared/data/enron-igraph (Priebe et al.'s Enron network from the R package
igraphdata, converted to CSV; see its README). Known dirt removed here, counted in `Cleaning`:
174 rows dated 1979-12-31, 16,483 self-loops, every cc row repeated as a bcc row, and each
message repeated once per mailbox that held it (one row per time/sender/recipient/type is real).
Nothing else is removed: the split follows the data README's hold-out protocol exactly.

Touches are built the way `services/activity/ingest.py` builds interactions from mail headers: a
message from member m with person p among its To+Cc recipients is an "out" touch of (m, p) whose
participants are the number of distinct To+Cc recipients; a message from p with m among them is
an "in" touch. This data has no Message-ID or In-Reply-To, so `thread_reply` is approximated as
"the other side wrote to this side within the previous 14 days".
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from tiegraph.core.strength import Touch

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "enron-igraph"
EARLIEST = datetime(1998, 1, 1, tzinfo=UTC)  # the network starts in 1998-11; 1979 is bogus
REPLY_WINDOW = timedelta(days=14)
HORIZON = timedelta(days=90)

Pair = tuple[int, int]  # (member vid, person vid)


@dataclass(frozen=True, slots=True)
class Message:
    """One sent message: rows grouped by time and sender, To and Cc kept apart."""

    at: datetime
    sender: int
    to: tuple[int, ...]
    cc: tuple[int, ...]
    bcc: tuple[int, ...] = ()  # bcc rows that do not copy a cc row (none in this data)

    @property
    def recipients(self) -> tuple[int, ...]:
        """What a reader of the headers sees: To then Cc, each address once."""
        return tuple(dict.fromkeys((*self.to, *self.cc)))


@dataclass(frozen=True, slots=True)
class Cleaning:
    """How many raw rows each cleaning step removed, in the order the steps run."""

    rows: int
    bogus_date: int
    self_loops: int
    bcc_copies: int
    mailbox_copies: int
    to_and_cc: int  # a recipient listed in both To and Cc of one message: kept as To
    kept: int
    messages: int

    def summary(self) -> str:
        return (
            f"{self.rows:,} rows: {self.bogus_date} bogus dates, {self.self_loops:,} self-loops, "
            f"{self.bcc_copies:,} bcc copies of cc rows, {self.mailbox_copies:,} mailbox copies, "
            f"{self.to_and_cc} To+Cc doubles removed; {self.kept:,} rows kept in "
            f"{self.messages:,} messages"
        )


def load_messages(folder: Path = DATA) -> tuple[list[Message], Cleaning]:
    """Every real message of the network in time order, and what cleaning removed."""
    with (folder / "enron_edges.csv").open(newline="") as fh:
        raw = [
            (r["time"], int(r["from_vid"]), int(r["to_vid"]), r["reciptype"])
            for r in csv.DictReader(fh)
        ]
    dated = [r for r in raw if _parse(r[0]) >= EARLIEST]
    looped = [r for r in dated if r[1] != r[2]]
    cc_rows = {r[:3] for r in looped if r[3] == "cc"}
    uncopied = [r for r in looped if not (r[3] == "bcc" and r[:3] in cc_rows)]
    unique = list(dict.fromkeys(uncopied))
    grouped: dict[tuple[str, int], dict[str, dict[int, None]]] = defaultdict(
        lambda: {"to": {}, "cc": {}, "bcc": {}}
    )
    for time, sender, recipient, kind in unique:
        grouped[time, sender][kind][recipient] = None
    messages, doubles = [], 0
    for (time, sender), kinds in grouped.items():
        to = tuple(kinds["to"])
        cc = tuple(r for r in kinds["cc"] if r not in kinds["to"])
        doubles += len(kinds["cc"]) - len(cc)
        bcc = tuple(r for r in kinds["bcc"] if r not in kinds["to"] and r not in kinds["cc"])
        messages.append(Message(_parse(time), sender, to, cc, bcc))
    messages.sort(key=lambda m: (m.at, m.sender))
    cleaning = Cleaning(
        rows=len(raw),
        bogus_date=len(raw) - len(dated),
        self_loops=len(dated) - len(looped),
        bcc_copies=len(looped) - len(uncopied),
        mailbox_copies=len(uncopied) - len(unique),
        to_and_cc=doubles,
        kept=len(unique) - doubles,
        messages=len(messages),
    )
    return messages, cleaning


def _parse(text: str) -> datetime:
    # The CSV carries no zone; read as UTC, which only shifts every time by the same amount.
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load_employees(folder: Path = DATA) -> list[int]:
    """The vids of the 184 employees, in file order."""
    return list(load_names(folder))


def load_names(folder: Path = DATA) -> dict[int, str]:
    """Each employee's name by vid, in file order: who-knows orders equal scores by name."""
    with (folder / "enron_employees.csv").open(newline="") as fh:
        return {int(r["vid"]): r["name"] for r in csv.DictReader(fh)}


def split_employees(
    employees: Sequence[int], seed: int, share: float = 0.3
) -> tuple[frozenset[int], frozenset[int]]:
    """(members, persons): `share` of the employees drawn by `seed` are members."""
    drawn = list(employees)
    random.Random(seed).shuffle(drawn)
    cut = round(len(drawn) * share)
    return frozenset(drawn[:cut]), frozenset(drawn[cut:])


def exchanges(messages: Iterable[Message], members: frozenset[int]) -> Iterable[tuple[Pair, str]]:
    """(member, person) and direction for every member-person exchange a message makes."""
    for m in messages:
        recipients = m.recipients
        if m.sender in members:
            for r in recipients:
                if r not in members:
                    yield (m.sender, r), "out"
        else:
            for r in recipients:
                if r in members:
                    yield (r, m.sender), "in"


def touches_by_tie(messages: Sequence[Message], members: frozenset[int]) -> dict[Pair, list[Touch]]:
    """Each tie's email touches, as the ingest would make them, in time order."""
    touches: dict[Pair, list[Touch]] = defaultdict(list)
    last: dict[tuple[Pair, str], datetime] = {}
    for m in messages:
        count = len(m.recipients)
        for pair, direction in exchanges((m,), members):
            other = "in" if direction == "out" else "out"
            before = last.get((pair, other))
            reply = before is not None and m.at - before <= REPLY_WINDOW
            touches[pair].append(Touch(m.at, "email", direction, count, 0, reply))  # type: ignore[arg-type]
            last[pair, direction] = m.at
    return dict(touches)


@dataclass(frozen=True)
class SplitView:
    """What a ranker may see of one split: members, whom to rank them for, mail before cutoff."""

    seed: int
    cutoff: datetime
    members: frozenset[int]
    persons: tuple[int, ...]  # the persons to rank members for
    messages: tuple[Message, ...]  # every message sent before the cutoff
    names: Mapping[int, str] = field(default_factory=dict)  # who-knows orders equal keys by name

    @cached_property
    def touches(self) -> dict[Pair, list[Touch]]:
        """Built once per split, shared by every ranker that reads touches."""
        return touches_by_tie(self.messages, self.members)


@dataclass(frozen=True)
class Split:
    """One seed and cutoff: the view a ranker gets, and the relevance it is judged by."""

    view: SplitView
    relevance: dict[int, dict[int, int]] = field(default_factory=dict)  # person -> member -> n
    future: dict[Pair, int] = field(default_factory=dict)  # every tie's messages after cutoff


def make_split(
    messages: Sequence[Message],
    employees: Sequence[int],
    seed: int,
    cutoff: datetime,
    names: Mapping[int, str] | None = None,
) -> Split:
    """Persons who wrote with >= 2 members before the cutoff and >= 1 in the 90 days after.

    "At least one after" is read within the 90-day horizon the relevance is counted over:
    a person with no member to find has an undefined NDCG (0 for every ranker alike).
    """
    members, _ = split_employees(employees, seed)
    before = tuple(m for m in messages if m.at < cutoff)
    after = [m for m in messages if cutoff <= m.at < cutoff + HORIZON]
    known: dict[int, set[int]] = defaultdict(set)
    for (member, person), _ in exchanges(before, members):
        known[person].add(member)
    future: dict[Pair, int] = defaultdict(int)
    relevance: dict[int, dict[int, int]] = defaultdict(dict)
    for m in after:
        # One message counts once per tie however the tie appears in it.
        for pair in {pair for pair, _ in exchanges((m,), members)}:
            future[pair] += 1
    for (member, person), count in future.items():
        relevance[person][member] = count
    persons = tuple(sorted(p for p in relevance if len(known.get(p, ())) >= 2))
    view = SplitView(seed, cutoff, members, persons, before, names or {})
    return Split(view, {p: relevance[p] for p in persons}, dict(future))
