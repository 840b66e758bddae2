"""Where tiegraph and splink differ on bench_import.py's rows: what the rows carry, what each did.

Runs one warm tiegraph import (a fresh copy of the indexed store, as bench_import.py does) and
one splink run on the same 100,000 rows, then sorts the rows one links correctly and the other
does not by what the row carries (an email, a company, the noise the generator applied) and the
directory's namesakes (persons of the same normalized first + last name; of that name at the
row's company, as tiegraph's exact key finds them), and by what tiegraph did instead (possible
match with or without the right person among the candidates, private, another person). Counts
per class are printed, largest first.

    PYTHONPATH=src .venv/bin/python bench/recall_gap.py [--folder bench/out/import-...]
        [--splink-cache FILE]

bench_import.py must have run once (it leaves the folder's indexed.db).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path

import bench_import
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.records import ContactRecord

DEFAULT = bench_import.OUT / "import-p1000000-c100000-s7"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT)
    parser.add_argument("--splink-cache", type=Path, help="read splink's links here if present")
    args = parser.parse_args()
    folder: Path = args.folder
    truth = bench_import.read_truth(folder)
    noise = read_noise(folder)
    store = bench_import.fresh_copy(folder / "indexed.db", folder / "gap.db")
    bench_import.child("import", store, folder / "contacts.csv")
    ours = outcomes(store)
    theirs = splink_links(folder, truth, args.splink_cache)
    rows = {r.locator: r for r in records(folder / "contacts.csv")}
    features = Features(store)
    gap: Counter[tuple[str, ...]] = Counter()
    ahead: Counter[tuple[str, ...]] = Counter()
    for locator, person in truth.items():
        if not person:
            continue
        status, linked, candidates = ours.get(locator, ("?", "", ()))
        ok_ours, ok_theirs = linked == person, theirs.get(locator) == person
        if ok_ours == ok_theirs:
            continue
        row = rows[locator]
        carries = features.of(row, person, noise.get(locator, ""))
        if ok_theirs:
            did = status if status != "matched" else "matched another person"
            if status == "possible":
                did += f" ({'right one among' if person in candidates else 'right one not in'}"
                did += f" {min(len(candidates), 3)}{'+' if len(candidates) >= 3 else ''})"
            gap[(did, *carries)] += 1
        else:
            other = theirs.get(locator)
            ahead[("splink: " + ("no link" if not other else "another person"), *carries)] += 1
    print(f"splink right, tiegraph not: {sum(gap.values()):,} rows")
    show(gap)
    print(f"\ntiegraph right, splink not: {sum(ahead.values()):,} rows")
    show(ahead)


def show(classes: Counter[tuple[str, ...]]) -> None:
    for key, count in classes.most_common(40):
        print(f"{count:7,}  {' | '.join(key)}")
    summary: Counter[str] = Counter()
    for key, count in classes.items():
        summary[key[0]] += count
    print("  by outcome: " + ", ".join(f"{k} {v:,}" for k, v in summary.most_common()))


def read_noise(folder: Path) -> dict[str, str]:
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        return {r["locator"]: r["noise"] for r in csv.DictReader(handle)}


def records(book: Path) -> list[ContactRecord]:
    read = read_contacts(book.read_bytes(), file=str(book))
    return [r for r in read.records if isinstance(r, ContactRecord)]


def outcomes(db: Path) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Locator -> (contact status, person linked, persons offered) after the import."""
    with sqlite3.connect(db) as conn:
        offered: dict[int, list[str]] = {}
        for contact_id, external in conn.execute(
            "SELECT m.contact_id, p.external_id FROM possible_match m "
            "JOIN person p ON p.id = m.person_id ORDER BY m.id"
        ):
            offered.setdefault(contact_id, []).append(external)
        rows = conn.execute(
            "SELECT s.locator, c.id, c.status, p.external_id FROM contact_source s "
            "JOIN contact c ON c.id = s.contact_id LEFT JOIN person p ON p.id = c.person_id"
        ).fetchall()
    return {
        loc: (status, (pid or "") if status == "matched" else "", tuple(offered.get(cid, ())))
        for loc, cid, status, pid in rows
    }


def splink_links(folder: Path, truth: dict[str, str], cache: Path | None) -> dict[str, str]:
    if cache and cache.exists():
        links: dict[str, str] = json.loads(cache.read_text())
        return links
    run = bench_import.child("splink", folder / "directory.db", folder / "contacts.csv", "narrow")
    threshold, score = bench_import.best_threshold(truth, run["best"])
    print(f"splink at t = {threshold}: {score}")
    links = {r: p for r, (p, prob) in run["best"].items() if prob >= threshold}
    if cache:
        cache.write_text(json.dumps(links))
    return links


class Features:
    """What a row carries, and the directory's namesakes of it, as short labels."""

    def __init__(self, db: Path) -> None:
        from tiegraph.services.contacts.importer import load_matching
        from tiegraph.services.contacts.prepare import Preparer
        from tiegraph.services.org.orgs import resolve_org
        from tiegraph.store import open_store

        store = open_store(f"sqlite:///{db}")
        matching = load_matching(store, resolve_org(store, None))
        self.index = matching.index
        self.preparer = Preparer(matching.companies, "US")
        with sqlite3.connect(db) as conn:
            self.external = dict(conn.execute("SELECT external_id, id FROM person"))

    def of(self, row: ContactRecord, person: str, noise: str) -> tuple[str, ...]:
        keys = self.preparer.prepare(row, "").keys
        table = self.index.table
        carries = ["email" if keys.emails else "no email"]
        if keys.companies:
            rows = list(self.index._exact_rows(keys.first, keys.last, keys.companies))
            mine = str(self.external.get(person))
            right = any(table.person_id(r) == mine for r in rows)
            at = len(rows)
            carries.append(
                f"company: {'right person + ' if right else ''}{min(at, 3)}"
                f"{'+' if at >= 3 else ''} of the name there"
            )
        else:
            carries.append("no company")
        named = self.index.namesakes(keys.first, keys.last, at_most=2) if keys.first else 0
        carries.append(f"name: {('none', 'unique', 'namesakes')[named]} in directory")
        tags = [t for t in noise.split(";") if t in ("nickname", "typo", "outdated_company")]
        tags += ["company variant"] if "company_variant" in noise else []
        carries.append(",".join(tags) or "no name noise")
        return tuple(carries)


if __name__ == "__main__":
    main()
