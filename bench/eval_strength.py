"""Tie strength on a temporal hold-out of real mail (Enron): our ranking vs two baselines.

For each split (a seed drawing ~30% of the employees as members, and a cutoff), every person
who wrote with at least two members before the cutoff and with one in the 90 days after gets
the members ranked by each ranker from mail before the cutoff only. Relevance of a member is
the number of messages exchanged with that person in the 90 days after the cutoff.

Metrics, the same for every ranker (ties in a ranker's order are broken by member id):
- NDCG@5 with linear gain (gain = relevance) and the usual 1/log2(rank + 1) discount; the
  ideal order is over all members, also those the ranker does not list.
- P@1: the top-ranked member exchanged at least one message with the person afterwards.
- MRR: 1 / rank of the first such member in the ranker's list (0 when it lists none).

    .venv/bin/python bench/eval_strength.py            # tuned parameters: tables, ablation
    .venv/bin/python bench/eval_strength.py --tune     # coordinate search on the tuning seeds
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from enron import Split, SplitView, load_employees, load_messages, make_split
from tiegraph.core.strength import DEFAULT_PARAMS, StrengthParams, score_touches

TUNE_SEEDS = (1, 2, 3, 4, 5)
CONFIRM_SEEDS = (11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
CUTOFFS = tuple(
    datetime(y, m, 1, tzinfo=UTC) for y, m in ((2000, 6), (2000, 12), (2001, 6), (2001, 12))
)
TOP = 5

Rankings = dict[int, list[int]]  # person -> members, best first
Ranker = Callable[[SplitView], Rankings]


# --- rankers ---------------------------------------------------------------------------------


def _order(scores: Iterable[tuple[int, int, tuple[float, ...]]]) -> Rankings:
    """(person, member, sort key, higher first) -> each person's members, best first."""
    by_person: dict[int, list[tuple[tuple[float, ...], int]]] = defaultdict(list)
    for person, member, key in scores:
        by_person[person].append((tuple(-k for k in key), member))
    return {p: [m for _, m in sorted(ranked)] for p, ranked in by_person.items()}


def most_messages(view: SplitView) -> Rankings:
    """Baseline: members by number of messages exchanged with the person before the cutoff."""
    wanted = set(view.persons)
    return _order((p, m, (float(len(ts)),)) for (m, p), ts in view.touches.items() if p in wanted)


def last_contact(view: SplitView) -> Rankings:
    """Baseline: members by their last message with the person, most recent first."""
    wanted = set(view.persons)
    return _order(
        (p, m, (max(t.at for t in ts).timestamp(),))
        for (m, p), ts in view.touches.items()
        if p in wanted
    )


def strength_ranker(params: StrengthParams = DEFAULT_PARAMS) -> Ranker:
    """tiegraph's model: score_touches as of the cutoff; equal scores ordered by raw strength."""

    def rank(view: SplitView) -> Rankings:
        wanted = set(view.persons)
        keys = []
        for (m, p), touches in view.touches.items():
            if p in wanted:
                s = score_touches(touches, view.cutoff, params=params)
                keys.append((p, m, (float(s.score), s.strength)))
        return _order(keys)

    return rank


# --- metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    ndcg: float
    p1: float
    mrr: float


def judge(ranking: Sequence[int], relevance: dict[int, int]) -> Metrics:
    """NDCG@5, P@1 and reciprocal rank of one person's ranking."""
    dcg = sum(relevance.get(m, 0) / math.log2(i + 2) for i, m in enumerate(ranking[:TOP]))
    ideal = sorted(relevance.values(), reverse=True)[:TOP]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    first = next((i for i, m in enumerate(ranking) if relevance.get(m, 0) > 0), None)
    return Metrics(
        ndcg=dcg / idcg if idcg else 0.0,
        p1=1.0 if ranking and relevance.get(ranking[0], 0) > 0 else 0.0,
        mrr=0.0 if first is None else 1.0 / (first + 1),
    )


def evaluate(split: Split, ranker: Ranker) -> Metrics:
    rankings = ranker(split.view)
    per_person = [judge(rankings.get(p, []), split.relevance[p]) for p in split.view.persons]
    return Metrics(
        ndcg=statistics.fmean(x.ndcg for x in per_person),
        p1=statistics.fmean(x.p1 for x in per_person),
        mrr=statistics.fmean(x.mrr for x in per_person),
    )


# --- runs ------------------------------------------------------------------------------------


def build_splits(seeds: Sequence[int]) -> list[Split]:
    messages, _ = load_messages()
    employees = load_employees()
    return [make_split(messages, employees, s, c) for s in seeds for c in CUTOFFS]


def mean_ndcg(splits: Sequence[Split], ranker: Ranker) -> float:
    return statistics.fmean(evaluate(s, ranker).ndcg for s in splits)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true")
    parser.parse_args(argv)
    started = time.perf_counter()
    splits = build_splits(TUNE_SEEDS)
    for name, ranker in (
        ("strength", strength_ranker()),
        ("most", most_messages),
        ("last", last_contact),
    ):
        for s in splits:
            m = evaluate(s, ranker)
            print(
                name,
                s.view.seed,
                s.view.cutoff.date(),
                len(s.view.persons),
                f"{m.ndcg:.3f} {m.p1:.3f} {m.mrr:.3f}",
            )
        print(name, mean_ndcg(splits, ranker))
    print(f"{time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
