"""Contact-to-directory matching keys at scale: build time, contacts/s, memory, outcomes by case.

Synthetic directory (default 1,000,000 persons at 50,000 companies) and address book (default
100,000 contacts), drawn from one seed: contacts are copies of directory persons with one known
alteration each (same email, exact name, nickname, first-name typo, last-name typo, company
alias, same name at another company) or people who are not in the directory. The baseline is
the cheapest matcher there is: one dict from email to person, built and probed in the same run.

    .venv/bin/python bench/bench_matching_core.py [--persons N] [--contacts N] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TypeVar

from nicknames import NickNamer

from tiegraph.core.companies import CompanyIndex
from tiegraph.core.matching import MatchIndex, PersonKeys, contact_keys, person_keys

T = TypeVar("T")
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "vu",
    "za",
    "ze",
    "zi",
    "zo",
    "zu",
    "ber",
    "son",
    "man",
    "ler",
    "ton",
    "sky",
    "ez",
    "ov",
    "ian",
]
SUFFIXES = ("Inc.", "Inc", "Corp.", "Corporation", "LLC", "GmbH", "Ltd", "S.A.", "AG", "", "")
CASES = (
    ("email", 0.35),
    ("exact", 0.20),
    ("nickname", 0.08),
    ("first typo", 0.05),
    ("last typo", 0.07),
    ("alias", 0.05),
    ("other company", 0.05),
    ("stranger", 0.15),
)
Company = tuple[str, str, list[str]]  # id, name as written, domains
Person = tuple[str, str, str, str, str, list[str]]  # id, first, last, company, its base, emails
Contact = tuple[str, str | None, tuple[str, str, list[str], list[str]]]  # case, truth, fields


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def make_companies(rng: random.Random, n: int) -> tuple[list[Company], list[str]]:
    companies, bases = [], []
    for i in range(n):
        base = f"{word(rng, 2)} {word(rng, 3)} {word(rng, 2)}{i}"
        domain = base.lower().replace(" ", "") + ".com"
        companies.append((f"c{i}", f"{base} {rng.choice(SUFFIXES)}".strip(), [domain]))
        bases.append(base)
    return companies, bases


def make_persons(
    rng: random.Random, n: int, companies: list[Company], bases: list[str], firsts: list[str]
) -> list[Person]:
    lasts = [word(rng, rng.choice((2, 3))) for _ in range(max(1000, n // 5))]
    # Company sizes follow Zipf's law (weight 1/(rank + 10)): the largest employer holds about
    # 1% of the directory, half of the companies a handful of persons each.
    sizes = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(companies))))
    employers = rng.choices(range(len(companies)), cum_weights=sizes, k=n)
    persons = []
    for i, c in enumerate(employers):
        first, last = rng.choice(firsts).capitalize(), rng.choice(lasts)
        _, company, domains = companies[c]
        email = f"{first}.{last}{i}@{domains[0]}".lower()
        persons.append((f"p{i}", first, last, company, bases[c], [email]))
    return persons


def typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # adjacent swap


def make_contacts(
    rng: random.Random, persons: list[Person], n: int, namer: NickNamer
) -> list[Contact]:
    contacts: list[Contact] = []
    weights = [w for _, w in CASES]
    while len(contacts) < n:
        case = rng.choices([c for c, _ in CASES], weights)[0]
        pid, first, last, company, base, emails = rng.choice(persons)
        fields: tuple[str, str, list[str], list[str]] = (first, last, [], [company])
        if case == "email":
            fields = ("", "", [f"mailto:{emails[0].upper()}"], [])
        elif case == "nickname":
            nicks = sorted(namer.nicknames_of(first))
            if not nicks:
                continue
            fields = (rng.choice(nicks).capitalize(), last, [], [company])
        elif case == "first typo" and len(first) >= 4:
            fields = (typo(rng, first), last, [], [company])
        elif case == "last typo" and len(last) >= 4:
            fields = (first, typo(rng, last), [], [company])
        elif case == "alias":
            fields = (first, last, [], [base + " Group"])
        elif case == "other company":
            fields = (first, last, [], ["Unrelated Widgets Ltd"])
        elif case == "stranger":
            fields = (first, word(rng, 4) + "x", [], [company])
        elif case != "exact":
            continue
        truth = None if case in ("other company", "stranger") else pid
        contacts.append((case, truth, fields))
    return contacts


def verdict(truth: str | None, kind: str, person: str | None, cands: set[str]) -> str:
    if kind == "matched":
        # A contact can only be matched to someone else by an exact name + company: the
        # synthetic draw gave two persons one name at one company.
        return "right match" if person == truth else "matched a namesake"
    if kind == "possible":
        return "possible, right one offered" if truth in cands else "possible, others only"
    return "none" if truth is None else "missed"


def time_keys_then_index(
    streamed: Callable[[], Iterator[tuple[str, PersonKeys]]], index: CompanyIndex
) -> tuple[float, float]:
    keys, t_keys = timed(lambda: list(streamed()))
    _, t_index = timed(lambda: MatchIndex(keys, index))
    return t_keys, t_index


def measure(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    namer = NickNamer()
    firsts = sorted(n for n in namer.nickname_lookup if n.isalpha())
    companies, bases = make_companies(rng, args.companies)
    persons = make_persons(rng, args.persons, companies, bases, firsts)
    contacts = make_contacts(rng, persons, args.contacts, namer)
    gc.collect()
    rss_start = rss_mb()

    index, t_company = timed(lambda: CompanyIndex(companies))

    def streamed() -> Iterator[tuple[str, PersonKeys]]:
        return ((p[0], person_keys(p[1], p[2], p[5], [p[3]], companies=index)) for p in persons)

    # Memory first, from a stream of keys as an import would feed it, so that no freed
    # allocations of an earlier step are counted or reused.
    matcher, t_streamed = timed(lambda: MatchIndex(streamed(), index))
    gc.collect()
    rss_index = rss_mb()
    t_person_keys, t_index = time_keys_then_index(streamed, index)
    ckeys, t_contact_keys = timed(
        lambda: [contact_keys(*fields, companies=index) for _, _, fields in contacts]
    )
    decisions, t_match = timed(lambda: [matcher.match(c) for c in ckeys])
    emails, t_base_build = timed(lambda: {e: p[0] for p in persons for e in p[5]})
    probes = [e.removeprefix("mailto:").lower() for *_, (_, _, es, _) in contacts for e in es]
    _, t_base_probe = timed(lambda: [emails.get(e) for e in probes])

    n_p, n_c = len(persons), len(contacts)
    per_probe = t_base_probe / max(1, len(probes))
    print(f"persons {n_p:,}, companies {len(companies):,}, contacts {n_c:,}, seed {args.seed}")
    print(f"company index      {t_company:6.2f} s")
    print(f"person keys        {t_person_keys:6.2f} s  {n_p / t_person_keys:9,.0f} persons/s")
    print(f"match index build  {t_index:6.2f} s  {n_p / t_index:9,.0f} persons/s")
    print(f"  baseline: email dict {t_base_build:.2f} s, index build x{t_index / t_base_build:.1f}")
    print(f"keys + index from a stream {t_streamed:6.2f} s")
    print(f"memory (RSS growth) of the company and match indexes {rss_index - rss_start:,.0f} MB")
    print(f"contact keys       {t_contact_keys:6.2f} s  {n_c / t_contact_keys:9,.0f} contacts/s")
    print(f"match              {t_match:6.2f} s  {n_c / t_match:9,.0f} contacts/s")
    print(
        f"  baseline: email probe {per_probe * 1e6:.2f} µs, match x{t_match / n_c / per_probe:.0f}"
    )
    outcomes: Counter[tuple[str, str]] = Counter()
    for (case, truth, _), d in zip(contacts, decisions, strict=True):
        cands = {p for p, _ in d.candidates}
        outcomes[case, verdict(truth, d.kind, d.person_id, cands)] += 1
    print("outcomes by case:")
    for case, _ in CASES:
        row = {v: k for (c, v), k in outcomes.items() if c == case}
        print(f"  {case:14} " + ", ".join(f"{v} {k:,}" for v, k in sorted(row.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    measure(parser.parse_args())


if __name__ == "__main__":
    main()
