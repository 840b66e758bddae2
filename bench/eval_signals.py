"""Candidate tie signals on top of the tuned strength model, on eval_strength.py's hold-out.

Each family is one signal a seller would believe ("answers within a day", "in Cc, not To",
"in touch on many different days") with a small grid of variants, applied as a factor on the
unrounded strength `who-knows --as-of` ranks by. The variant with the best mean NDCG@5 on the
tuning seeds (1-5) is the family's pick; its figures on the held-out seeds (11-20) decide.
A signal would be kept only if its pick raised the held-out mean and added no split below
most-messages. Exact for Enron, whose ties are mail only (a factor on the mail volume is a
factor on the strength). Scratch for the model: nothing here is read by tiegraph.

    .venv/bin/python bench/eval_signals.py             # every family: tuning pick, held out
    .venv/bin/python bench/eval_signals.py --all       # every variant of every family
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import eval_strength as ev
from enron import Split, SplitView, exchanges, load_messages, make_split
from tiegraph.core.member_activity import fold_activity, median_pace, pace, relative
from tiegraph.core.strength import DEFAULT_PARAMS, Touch, score_touches

P = DEFAULT_PARAMS
DAY = 86_400.0
HALF_LIVES = (30.0, 60.0, 120.0, 240.0)  # for the person's-pace family


@dataclass(frozen=True, slots=True)
class Mail:
    """One email of a tie, with what ingest does not keep (To or Cc) beside what it does."""

    at: float  # POSIX seconds
    out: bool  # the member sent it
    participants: int  # To+Cc recipients
    cc: bool  # the tie's other side was in Cc, not To


@dataclass
class Tie:
    person: int
    member: int
    strength: float  # the model's, colleague's pace left out (it is `pace`)
    pace: float  # the colleague's pace against the median colleague's, as the model uses it
    sent_pace: float  # the same from the colleague's sent mail only
    person_pace: float  # the person's pace (all their mail with colleagues) against the median
    by_half_life: dict[float, float]  # strength at other half-lives, pace included
    f: dict[str, float] = field(default_factory=dict)  # features, decayed as of the cutoff

    @property
    def model(self) -> float:
        return self.strength * min(max(self.pace, 0.0), 1.0) ** P.activity_weight


Factor = Callable[[Tie], float]  # the key a variant ranks the tie by


def mails(view: SplitView) -> dict[tuple[int, int], list[Mail]]:
    """Each tie's mail in time order, as enron.touches_by_tie makes its touches."""
    out: dict[tuple[int, int], list[Mail]] = defaultdict(list)
    for m in view.messages:
        n, cc = len(m.recipients), set(m.cc)
        for (member, person), direction in exchanges((m,), view.members):
            other = person if direction == "out" else member
            out[member, person].append(Mail(m.at.timestamp(), direction == "out", n, other in cc))
    return out


def _half(seconds: float, half_life_days: float = P.half_life_days) -> float:
    return 0.5 ** (seconds / DAY / half_life_days)


def _recency(days: float | None, half_life: float) -> float:
    return 0.0 if days is None else 0.5 ** (days / half_life)


def features(tie: list[Mail], cut: float) -> dict[str, float]:
    """Decayed sums and times behind every family, as of the cutoff (`cut`, seconds)."""
    w = [m.participants**-P.mass_mail_exponent * _half(cut - m.at) for m in tie]
    f: dict[str, float] = {"volume": sum(w)}
    f["cc"] = sum(x for x, m in zip(w, tie, strict=True) if m.cc)
    f["one"] = sum(x for x, m in zip(w, tie, strict=True) if m.participants == 1)
    f["off_hours"] = sum(x for x, m in zip(w, tie, strict=True) if _off_hours(m.at))
    last = {True: -math.inf, False: -math.inf}
    replies: list[tuple[float, bool, float, float]] = []  # latency, by member, weight, when
    for x, m in zip(w, tie, strict=True):
        if last[not m.out] > -math.inf:
            replies.append((m.at - last[not m.out], m.out, x, m.at))
        last[m.out] = m.at
    for days in (0.25, 1, 3):
        quick = [r for r in replies if r[0] <= days * DAY]
        f[f"quick either {days}"] = sum(r[2] for r in quick)
        f[f"quick member {days}"] = sum(r[2] for r in quick if r[1])
        f[f"quick person {days}"] = sum(r[2] for r in quick if not r[1])
    outs, ins = [m.at for m in tie if m.out], [m.at for m in tie if not m.out]
    for days in (1, 3):
        f[f"rate member {days}"] = _answered(ins, outs, days, cut)
        f[f"rate person {days}"] = _answered(outs, ins, days, cut)
    latencies = [r[0] for r in replies if r[0] <= 14 * DAY]
    f["latency"] = statistics.median(latencies) / DAY if latencies else math.nan
    two_way = [r[3] for r in replies if r[0] <= 14 * DAY]
    f["two_way"] = (cut - max(two_way)) / DAY if two_way else math.nan
    f["both"] = (cut - min(max(outs), max(ins))) / DAY if outs and ins else math.nan
    f["from_person"] = (cut - max(ins)) / DAY if ins else math.nan
    f["last"] = (cut - tie[-1].at) / DAY
    for window in (30, 90):
        f[f"days {window}"] = len({int(m.at // DAY) for m in tie if cut - m.at <= window * DAY})
    daily: dict[int, float] = defaultdict(float)
    for m in tie:
        daily[int(m.at // DAY)] += m.participants**-P.mass_mail_exponent
    for a in (0.0, 0.25, 0.5, 0.75):
        f[f"daily {a}"] = sum(v**a * _half(cut - (d + 0.5) * DAY) for d, v in daily.items())
    moments = sorted({m.at for m in tie})
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    f["burstiness"], f["gap"], f["recent_gap"] = 0.0, math.nan, math.nan
    if len(gaps) >= 2:
        mean, sd = statistics.fmean(gaps), statistics.pstdev(gaps)
        f["burstiness"] = (sd - mean) / (sd + mean) if sd + mean else 0.0
        f["gap"] = mean / DAY
        recent = [g for g, t in zip(gaps, moments[1:], strict=True) if cut - t <= 180 * DAY]
        f["recent_gap"] = statistics.fmean(recent) / DAY if recent else math.nan
    return f


def _off_hours(at: float) -> bool:
    # Enron's times carry no zone: read as given (peak mail around 13:00).
    moment = datetime.fromtimestamp(at, UTC)
    return moment.weekday() >= 5 or not 7 <= moment.hour < 19


def _answered(asked: list[float], answers: list[float], days: float, cut: float) -> float:
    """Decayed share of `asked` the other side answered within `days` (a prior of 1/2 for
    one message: a tie of one mail is neither responsive nor not)."""
    got = total = 0.0
    for t in asked:
        weight = _half(cut - t)
        total += weight
        i = bisect_left(answers, t + 1)
        got += weight if i < len(answers) and answers[i] - t <= days * DAY else 0.0
    return (got + 0.5) / (total + 1.0)


def _paces(view: SplitView, keep: Callable[[Touch], bool], by_person: bool) -> dict[int, float]:
    """Each colleague's (or person's) pace against the median's, from the touches kept."""
    touches: dict[int, list[Touch]] = defaultdict(list)
    for (m, p), ts in view.touches.items():
        touches[p if by_person else m].extend(t for t in ts if keep(t))
    raw = {
        k: pace(fold_activity(None, ts, P), view.cutoff, P) if ts else 0.0
        for k, ts in touches.items()
    }
    median = median_pace(raw.values())
    return {k: relative(v, median) for k, v in raw.items()}


def prepare(view: SplitView) -> list[Tie]:
    wanted = set(view.persons)
    paces = _paces(view, lambda t: True, by_person=False)
    sent = _paces(view, lambda t: t.direction == "out", by_person=False)
    persons = _paces(view, lambda t: True, by_person=True)
    by_mail, cut = mails(view), view.cutoff.timestamp()
    ties = []
    for (m, p), touches in view.touches.items():
        if p not in wanted:
            continue
        others = {
            h: score_touches(
                touches, view.cutoff, params=replace(P, half_life_days=h), pace=paces.get(m, 1.0)
            ).strength
            for h in HALF_LIVES
        }
        base = score_touches(touches, view.cutoff, params=P).strength
        tie = Tie(p, m, base, paces.get(m, 1.0), sent.get(m, 0.0), persons.get(p, 1.0), others)
        tie.f = features(by_mail[m, p], cut)
        ties.append(tie)
    return ties


def _on_volume(key: str, bonus: float) -> Factor:
    """Mail of a kind weighs 1 + bonus (negative: less)."""
    return lambda t: t.model * (t.f["volume"] + bonus * t.f[key]) / t.f["volume"]


def _times(term: Callable[[dict[str, float]], float]) -> Factor:
    return lambda t: t.model * term(t.f)


def _nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def families() -> dict[str, dict[str, Factor]]:
    """Family -> variant -> ranking key. Every grid brackets the value a reason suggests."""
    fam: dict[str, dict[str, Factor]] = defaultdict(dict)
    for c in (0.25, 0.5, 0.75):
        fam["in Cc, not To (mail weighs less)"][f"Cc x{1 - c}"] = _on_volume("cc", -c)
    for b in (0.25, 0.5, 1.0, 2.0):
        fam["one-to-one mail (bonus)"][f"+{b}"] = _on_volume("one", b)
        fam["evening or weekend mail (bonus)"][f"+{b}"] = _on_volume("off_hours", b)
    for who in ("either", "member", "person"):
        for days in (0.25, 1, 3):
            for b in (0.25, 0.5, 1.0):
                fam["answered within a day (bonus)"][f"{who} {days} d +{b}"] = _on_volume(
                    f"quick {who} {days}", b
                )
    for who in ("member", "person"):
        for days in (1, 3):
            for w in (0.25, 0.5, 1.0):
                fam["reply rate"][f"by {who} {days} d x{w}"] = _times(
                    lambda f, k=f"rate {who} {days}", w=w: 1 + w * f[k]
                )
    for half in (0.5, 2.0):
        for w in (0.25, 0.5, 1.0):
            fam["reply latency"][f"half {half} d x{w}"] = _times(
                lambda f, h=half, w=w: 1 + w * _recency(_nan(f["latency"]), h)
            )
    for key, name in (
        ("two_way", "last two-way exchange"),
        ("both", "last time both wrote"),
        ("from_person", "last mail from the person"),
    ):
        for half in (7, 30, 90):
            for w in (0.25, 0.5, 1.0):
                fam[name][f"half {half} d x{w}"] = _times(
                    lambda f, k=key, h=half, w=w: 1 + w * _recency(_nan(f[k]), h)
                )
    for window in (30, 90):
        for w in (0.25, 0.5, 1.0):
            fam["distinct days in a window"][f"{window} d x{w}"] = _times(
                lambda f, n=window, w=w: 1 + w * f[f"days {n}"] / n
            )
    for a in (0.0, 0.25, 0.5, 0.75):
        for power in (0.5, 0.75, 1.0):
            fam["contact days, not messages"][f"day volume^{a}, ^{power}"] = _times(
                lambda f, a=a, x=power: (f[f"daily {a}"] / f["volume"]) ** x
            )
    for w in (-0.25, 0.1, 0.25, 0.5):
        fam["burstiness"][f"exp({-w} B)"] = _times(lambda f, w=w: math.exp(-w * f["burstiness"]))
    for key in ("gap", "recent_gap"):
        for w in (0.1, 0.25, 0.5):
            fam["overdue against the usual gap"][f"{key} x{w}"] = _times(
                lambda f, k=key, w=w: (
                    1.0
                    if math.isnan(f[k])
                    else 0.5 ** (w * max(f["last"] / max(f[k], 1.0) - 1.0, 0.0))
                )
            )
    for w in (0.5, 1.0, 2.0):
        fam["colleague's pace from sent mail only"][f"^{w}"] = lambda t, w=w: (
            t.strength * min(max(t.sent_pace, 0.0), 1.0) ** w
        )
    for k in (0.25, 0.5, 1.0):
        fam["person's pace sets the half-life"][f"60 d x pace^-{k}"] = lambda t, k=k: (
            t.by_half_life[_nearest(60.0 * max(t.person_pace, 1e-3) ** -k)]
        )
    return fam


def _nearest(days: float) -> float:
    return min(HALF_LIVES, key=lambda h: abs(math.log(h / days)))


# --- runs ------------------------------------------------------------------------------------


def ndcg(split: Split, ties: Sequence[Tie], key: Factor) -> float:
    rankings = ev._order((t.person, t.member, key(t)) for t in ties)
    return statistics.fmean(
        ev.judge(rankings.get(p, []), split.relevance[p]).ndcg for p in split.view.persons
    )


@dataclass(frozen=True)
class Result:
    got: tuple[float, ...]  # NDCG@5 per split
    most: tuple[float, ...]  # most-messages' per split

    @property
    def mean(self) -> float:
        return statistics.fmean(self.got)

    def cells(self, model: Result) -> str:
        """Mean (change vs the model, its paired standard error over the splits), splits below
        most-messages, min difference to it."""
        change = [a - b for a, b in zip(self.got, model.got, strict=True)]
        se = statistics.stdev(change) / math.sqrt(len(change))
        diffs = [a - b for a, b in zip(self.got, self.most, strict=True)]
        below = sum(d < 0 for d in diffs)
        mean = f"{self.mean:.4f} ({statistics.fmean(change):+.4f} ±{se:.4f})"
        return f"{mean} {below:>2} {min(diffs):+.4f}"


def measure(runs: Sequence[tuple[Split, list[Tie]]], most: Sequence[float], key: Factor) -> Result:
    return Result(tuple(ndcg(split, ties, key) for split, ties in runs), tuple(most))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="every variant, not just the picks")
    args = parser.parse_args(argv)
    messages, _ = load_messages()
    runs, most = {}, {}
    for kind, seeds in (("tuning", ev.TUNE_SEEDS), ("held out", ev.CONFIRM_SEEDS)):
        splits = [make_split(messages, list(ev.NAMES), s, c) for s in seeds for c in ev.CUTOFFS]
        runs[kind] = [(s, prepare(s.view)) for s in splits]
        most[kind] = [ev.evaluate(s, ev.most_messages).ndcg for s in splits]
    model = {k: measure(runs[k], most[k], lambda t: t.model) for k in runs}
    tuning, held_out = model["tuning"], model["held out"]
    print(
        "NDCG@5 (change vs the model ± its paired standard error over the splits), "
        "splits below most-messages, min difference to it"
    )
    print(f"{'':<58}{'tuning seeds 1-5':<40}held out, seeds 11-20")
    print(f"{'model as tuned':<58}{tuning.cells(tuning):<40}{held_out.cells(held_out)}")
    for family, variants in families().items():
        tuned = {v: measure(runs["tuning"], most["tuning"], key) for v, key in variants.items()}
        pick = max(tuned, key=lambda v: tuned[v].mean)
        for variant in variants if args.all else [pick]:
            held = measure(runs["held out"], most["held out"], variants[variant])
            label = f"{family}: {variant}{' *' if args.all and variant == pick else ''}"
            print(
                f"{label:<58}{tuned[variant].cells(tuning):<40}{held.cells(held_out)}", flush=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
