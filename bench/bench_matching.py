"""Matching quality: tiegraph's contact import against splink, on labeled demo address books.

For each seed (default 101-103, never used while developing the matcher) the demo generator
writes a directory and 25 members' LinkedIn, Google, Outlook and vCard exports with realistic
noise (nicknames, company-suffix variants, typos, missing emails, people not in the directory)
and the truth: which directory person each exported row is. Then, in the same run:

- tiegraph: the real pipeline, `import_contacts` per member into a fresh SQLite store (dedupe
  across sources, email and name+company matching); a row counts as linked to the person its
  contact is matched to. Possible matches are not links (a person must confirm them).
- splink 5 (DuckDB): the same rows read by the same readers, linked to the directory persons
  (first name, last name, current company, first email; lower case, accents dropped), with
  u from random sampling, m by EM blocked on email and on last name, predictions blocked on
  email, on last name, and on first name + company; each row takes its best pair above the
  threshold. splink's threshold is chosen with the truth (its best F1 of 0.5-0.99), a
  head start tiegraph does not get.

tiegraph also reads each row's phones and profile URL (a LinkedIn export has one per row);
`--splink-handles` gives splink the same two (a first phone as E.164 and the profile URL, each
compared exactly, and predictions blocked on each too), for a like-for-like comparison.

Precision = correct links / links made; recall = correct links / rows whose person is in the
directory; F1 their harmonic mean.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/bench_matching.py [--seeds ...]
"""

from __future__ import annotations

import argparse
import csv
import logging
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tiegraph.core.phones import normalize_phone
from tiegraph.core.profiles import normalize_profile_url
from tiegraph.demo import DemoScale, generate_demo
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.directory import iter_directory
from tiegraph.formats.records import ContactRecord, PersonRecord
from tiegraph.services.demo import CONTACT_KINDS, load_people
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.schema import contact, contact_source, member, person

Key = tuple[str, str, str]  # (member email, file name, locator)


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}"


def judge(truth: dict[Key, str], links: dict[Key, str]) -> Score:
    tp = sum(1 for k, p in links.items() if p and truth.get(k) == p)
    fp = sum(1 for k, p in links.items() if p and truth.get(k) != p)
    fn = sum(1 for k, p in truth.items() if p and links.get(k) != p)
    return Score(tp, fp, fn)


def read_truth(out: Path) -> dict[Key, str]:
    with (out / "truth" / "contacts_truth.csv").open(encoding="utf-8", newline="") as fh:
        return {
            (r["member_email"], Path(r["file"]).name, r["locator"]): r["person_id"]
            for r in csv.DictReader(fh)
        }


def tiegraph_links(out: Path, seed: int, manifest: object) -> tuple[dict[Key, str], float]:
    store = open_store(f"sqlite:///{out}/bench.db")
    org = resolve_org(store, None)
    began = time.perf_counter()
    load_people(store, org, manifest)  # type: ignore[arg-type]
    seconds = time.perf_counter() - began
    with store.read() as conn:
        rows = conn.execute(
            select(
                member.c.email,
                contact_source.c.file_name,
                contact_source.c.locator,
                contact.c.status,
                person.c.external_id,
            )
            .join(contact, contact.c.id == contact_source.c.contact_id)
            .join(member, member.c.id == contact_source.c.member_id)
            .outerjoin(person, person.c.id == contact.c.person_id)
        ).all()
    store.dispose()
    links = {
        (r.email, r.file_name, r.locator): (r.external_id or "") if r.status == "matched" else ""
        for r in rows
    }
    return links, seconds


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).lower().split())


Row = dict[str, object]


def _handles(phones: Iterable[str], profile_url: str) -> dict[str, object]:
    phone = next(filter(None, map(normalize_phone, phones)), None)
    return {"phone": phone, "profile_url": normalize_profile_url(profile_url or "")}


def splink_rows(
    out: Path, manifest: object, handles: bool = False
) -> tuple[list[Row], list[Row], dict[int, Key]]:
    persons: list[dict[str, object]] = []
    companies: dict[str, str] = {}
    for path in manifest.paths("directory"):  # type: ignore[attr-defined]
        for record in iter_directory(path.read_bytes(), file=str(path)):
            if isinstance(record, PersonRecord):
                employer = next((e.company for e in record.employment if e.end is None), "")
                persons.append(
                    {
                        "unique_id": record.external_id,
                        "first_name": _plain(record.first_name) or None,
                        "last_name": _plain(record.last_name) or None,
                        "company": _plain(employer) or None,
                        "email": (record.emails[0].lower() if record.emails else None),
                        **(_handles(record.phones, record.profile_url) if handles else {}),
                    }
                )
            elif hasattr(record, "name"):
                companies[getattr(record, "external_id", "")] = record.name
    contacts: list[dict[str, object]] = []
    keys: dict[int, Key] = {}
    for kind in CONTACT_KINDS:
        for path in manifest.paths(kind):  # type: ignore[attr-defined]
            owner = f"{path.parent.name}@"
            book = read_contacts(path.read_bytes(), file=str(path))
            for r in book.records:
                if not isinstance(r, ContactRecord):
                    continue
                first, last = r.first_name, r.last_name
                if not (first or last) and r.full_name:
                    first, _, last = r.full_name.rpartition(" ")
                uid = len(contacts) + 1
                keys[uid] = (owner, path.name, r.locator)
                contacts.append(
                    {
                        "unique_id": str(uid),
                        "first_name": _plain(first) or None,
                        "last_name": _plain(last) or None,
                        "company": _plain(r.company) or None,
                        "email": (r.emails[0].lower() if r.emails else None),
                        **(_handles(r.phones, r.profile_url) if handles else {}),
                    }
                )
    return persons, contacts, keys


def splink_links(
    persons: list[dict[str, object]], contacts: list[dict[str, object]], handles: bool = False
) -> tuple[dict[int, tuple[str, float]], float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    began = time.perf_counter()
    db = DuckDBAPI()
    left = db.register(persons, dataset_display_name="directory")
    right = db.register(contacts, dataset_display_name="contacts")
    extra = ("phone", "profile_url") if handles else ()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.JaroWinklerAtThresholds("company", [0.9, 0.8]),
            cl.EmailComparison("email"),
            *(cl.ExactMatch(column) for column in extra),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("last_name"),
            block_on("first_name", "company"),
            *(block_on(column) for column in extra),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([left, right], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "last_name", "company")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    pairs = linker.inference.predict(threshold_match_probability=0.5).as_record_list()
    best: dict[int, tuple[str, float]] = {}
    for p in pairs:
        left, right = str(p["unique_id_l"]), str(p["unique_id_r"])
        # Contacts have numeric ids, directory persons the directory's "P..." ids.
        person_id, contact_id = (right, int(left)) if left.isdigit() else (left, int(right))
        prob = float(p["match_probability"])
        if contact_id not in best or prob > best[contact_id][1]:
            best[contact_id] = (person_id, prob)
    return best, time.perf_counter() - began


def best_threshold(
    truth: dict[Key, str], best: dict[int, tuple[str, float]], keys: dict[int, Key]
) -> tuple[float, Score]:
    results = []
    for threshold in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999):
        links = {keys[c]: pid for c, (pid, prob) in best.items() if prob >= threshold}
        results.append((threshold, judge(truth, links)))
    return max(results, key=lambda item: item[1].f1)


def _owners(truth: Iterable[Key]) -> dict[str, str]:
    return {email.split("@", 1)[0] + "@": email for email, _, _ in truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument(
        "--splink-handles", action="store_true", help="give splink phones and profile URLs too"
    )
    args = parser.parse_args()
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            manifest = generate_demo(out / "demo", seed=seed, scale=DemoScale())
            truth = read_truth(out / "demo")
            ours, ours_s = tiegraph_links(out, seed, manifest)
            persons, contacts, keys = splink_rows(out / "demo", manifest, args.splink_handles)
            owners = _owners(truth)
            keys = {c: (owners.get(k[0], k[0]), k[1], k[2]) for c, k in keys.items()}
            best, splink_s = splink_links(persons, contacts, args.splink_handles)
        evaluated = {k: v for k, v in truth.items() if k in ours}
        ours_score = judge(evaluated, {k: ours[k] for k in evaluated})
        threshold, theirs = best_threshold(evaluated, best, keys)
        print(
            f"seed {seed}: {len(truth):,} labeled rows ({len(evaluated):,} with their own source "
            f"row), {sum(1 for p in evaluated.values() if p):,} in the directory, "
            f"{len(persons):,} directory persons"
        )
        print(f"  tiegraph import_contacts  {ours_score}   ({ours_s:.1f} s, all 25 members)")
        fields = "+ phone, profile URL" if args.splink_handles else "names, company, email"
        print(
            f"  splink 5 (DuckDB, t={threshold}, {fields})  {theirs}   "
            f"({splink_s:.1f} s incl. training)"
        )
        print(f"  F1 difference tiegraph - splink: {ours_score.f1 - theirs.f1:+.4f}")


if __name__ == "__main__":
    main()
