"""Throughput: import and match 100,000 contacts against a 1,000,000-person directory on SQLite.

Data (bench/import_data.py, built once into bench/out/import-SIZES/): the demo generator's
world at benchmark scale written into a SQLite store, and one member's Google Contacts CSV of
100,000 rows with the demo's per-source noise and the truth of every row. Then, each in a
fresh process on a fresh copy of the store, so that wall time and peak memory (ru_maxrss of the
process, plus that of the process that reads a large file ahead, shown after "+") are the
job's alone:

- warm (--runs times, median): `import_contacts` (read the file, dedupe, match, write,
  commit) with the directory's matching index saved, as `import_directory` leaves it and
  every import finds it until the directory changes;
- cold: the same import when no index is saved for the directory as it is (it changed some
  other way since: a member added, contact sync publishing): built and saved first;
- the index alone: what building and saving it adds to a directory import;
- re-import: the same file again into a warm run's store, which must change nothing;
- contact sync: a warm import by a member with contact sync on (set in the copy directly):
  every new private contact also becomes a directory person;
- splink 5 (DuckDB, bench/splink_link.py): the same rows linked to the same persons, with
  training; each row takes its best pair above the threshold that gives splink its best F1
  against the truth (a head start tiegraph does not get).

Precision = correct links / links made; recall = correct links / rows whose person is in the
directory. A tiegraph row links to its contact's person when the contact is matched; possible
matches are not links (a person must confirm them).

    .venv/bin/python bench/bench_import.py [--persons N] [--contacts N] [--runs N]
        [--no-splink] [--splink-blocking narrow|repo]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import import_data

OUT = Path(__file__).resolve().parent / "out"
HERE = Path(__file__).resolve()
Run = dict[str, Any]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=40_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="warm imports (median reported)")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--splink-blocking", choices=("narrow", "repo"), default="narrow")
    args = parser.parse_args()
    sizes = import_data.Sizes(args.persons, args.companies, args.contacts, args.seed)
    folder = OUT / f"import-{sizes.name}"
    if not (folder / "truth.csv").exists():
        print(f"building {sizes.name} (once)")
        import_data.build(folder, sizes)
    truth = read_truth(folder)
    print(f"{args.contacts:,} contacts against {args.persons:,} persons, SQLite, seed {args.seed}")
    cold, warm = measure_tiegraph(folder, truth, args.runs)
    if not args.no_splink:
        theirs = child(
            "splink", folder / "directory.db", folder / "contacts.csv", args.splink_blocking
        )
        threshold, score = best_threshold(truth, theirs["best"])
        name = f"splink 5 (DuckDB, {args.splink_blocking}, t={threshold})"
        print(f"{name:<44} {theirs['seconds']:7.2f} s   peak {theirs['peak_mb']:,.0f} MB   {score}")
        stages = theirs["stages"]
        print(
            f"  loading and training {stages['train']:.2f} s, "
            f"predictions and best pairs {stages['predict']:.2f} s"
        )
        print(
            f"ratios: splink / tiegraph warm {theirs['seconds'] / warm['seconds']:.1f}x, "
            f"cold {theirs['seconds'] / cold['seconds']:.1f}x; "
            f"F1 tiegraph - splink {judge(truth, warm['links']).f1 - score.f1:+.4f}"
        )


def measure_tiegraph(folder: Path, truth: dict[str, str], runs: int) -> tuple[Run, Run]:
    book, work = folder / "contacts.csv", folder / "work.db"
    # The directory with its index saved, as import_directory leaves it (made anew each
    # time: a saved index is only taken by the code that built it).
    indexed = folder / "indexed.db"
    alone = child("index", fresh_copy(folder / "directory.db", indexed))
    print(f"the index alone, built from the store and saved: {alone['seconds']:.2f} s")
    cold = child("import", fresh_copy(folder / "directory.db", work), book)
    show("tiegraph import, cold (index built, saved)", cold, truth)
    warm = [child("import", fresh_copy(indexed, work), book) for _ in range(runs)]
    median = sorted(warm, key=lambda r: r["seconds"])[len(warm) // 2]
    show(f"tiegraph import, warm (median of {runs})", median, truth, warm)
    again = child("import", work, book)
    print(
        f"  re-import of the same file: {again['seconds']:.2f} s, peak {peak(again)}"
        f"\n    {again['summary']}"
    )
    synced = child("sync", fresh_copy(indexed, work), book)
    show("tiegraph import, warm, with contact sync", synced, truth)
    return cold, median


# --- runs in child processes -----------------------------------------------------------------


def fresh_copy(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def child(kind: str, *arguments: Path | str) -> Run:
    done = subprocess.run(
        [sys.executable, str(HERE), "--child", kind, *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: Run = json.loads(done.stdout.splitlines()[-1])
    return result


def run_child(kind: str, paths: list[str]) -> Run:
    import resource

    if kind == "splink":
        import splink_link

        result = splink_link.link(Path(paths[0]), Path(paths[1]), paths[2])
    else:
        with ReaderPeak() as reader:
            result = _import(kind, Path(paths[0]), Path(paths[1]) if len(paths) > 1 else None)
        result["reader_mb"] = reader.peak_kib / 1024
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


class ReaderPeak:
    """The peak memory (VmHWM) of this process's children, polled every 20 ms while in use.

    Not RUSAGE_CHILDREN: its ru_maxrss counts a child's forked copy of this process before it
    runs a new program, so it reports this process's size at the time, not the reader's."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ReaderPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._done.wait(0.02):
            for children in Path("/proc/self/task").glob("*/children"):
                for pid in children.read_text().split():
                    try:
                        if b"readahead" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                            continue  # forked, not yet the reader: a copy of this process
                        status = Path(f"/proc/{pid}/status").read_text()
                    except OSError:
                        continue  # gone meanwhile
                    for line in status.splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))


def _import(kind: str, db: Path, contacts: Path | None) -> Run:
    from tiegraph.services.contacts.importer import import_contacts, load_matching
    from tiegraph.services.org.members import list_members
    from tiegraph.services.org.orgs import resolve_org
    from tiegraph.store import open_store

    if kind == "sync":  # straight in the copy: the service wants a second member for it
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE member SET contact_sync = 1")
    store = open_store(f"sqlite:///{db}")
    org = resolve_org(store, None)
    began = time.perf_counter()
    if kind == "index":
        load_matching(store, org)
        store.dispose()
        return {"seconds": time.perf_counter() - began}
    assert contacts is not None
    owner = list_members(store, org)[0]
    saved = index_saved(store, org)
    began = time.perf_counter()
    report = import_contacts(store, org, owner, [contacts])
    seconds = time.perf_counter() - began
    store.dispose()
    summary = report.summary().splitlines()[0] + ("" if saved else " [index built]")
    return {"seconds": seconds, "summary": summary, "links": links_in(db)}


def index_saved(store: Any, org: Any) -> bool:
    """Whether the store holds the index of its directory as it is (a warm import)."""
    from sqlalchemy import select

    from tiegraph.services.directory.index import directory_version
    from tiegraph.store.schema import match_snapshot

    with store.read() as conn:
        version = directory_version(conn, org)
        found = conn.execute(select(match_snapshot.c.version).where(match_snapshot.c.part == 0))
        return found.scalar() == version


def links_in(db: Path) -> dict[str, str]:
    """Locator -> directory person id of every row whose contact is matched ("" otherwise)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT s.locator, c.status, p.external_id FROM contact_source s "
            "JOIN contact c ON c.id = s.contact_id LEFT JOIN person p ON p.id = c.person_id"
        ).fetchall()
    return {loc: (pid or "") if status == "matched" else "" for loc, status, pid in rows}


# --- quality -----------------------------------------------------------------------------------


class Score:
    def __init__(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = tp, fp, fn
        self.precision = tp / (tp + fp) if tp + fp else 0.0
        self.recall = tp / (tp + fn) if tp + fn else 0.0
        p, r = self.precision, self.recall
        self.f1 = 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}"


def read_truth(folder: Path) -> dict[str, str]:
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        return {r["locator"]: r["person_id"] for r in csv.DictReader(handle)}


def judge(truth: dict[str, str], links: dict[str, str]) -> Score:
    tp = sum(1 for k, p in links.items() if p and truth.get(k) == p)
    fp = sum(1 for k, p in links.items() if p and truth.get(k) != p)
    fn = sum(1 for k, p in truth.items() if p and links.get(k) != p)
    return Score(tp, fp, fn)


def best_threshold(truth: dict[str, str], scored: dict[str, list[Any]]) -> tuple[float, Score]:
    results = []
    for threshold in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999):
        chosen = {r: p for r, (p, prob) in scored.items() if prob >= threshold}
        results.append((threshold, judge(truth, chosen)))
    return max(results, key=lambda item: item[1].f1)


def peak(run: Run) -> str:
    """Peak memory of the run's process, and of its reader process if it had one."""
    reader = run.get("reader_mb", 0)
    return f"{run['peak_mb']:,.0f} MB" + (f" + {reader:,.0f} MB" if reader else "")


def show(name: str, run: Run, truth: dict[str, str], runs: list[Run] | None = None) -> None:
    times = ", ".join(f"{r['seconds']:.2f}" for r in runs or ())
    every = f" (runs: {times})" if runs else ""
    print(
        f"{name:<44} {run['seconds']:7.2f} s{every}   peak {peak(run)}   "
        f"{judge(truth, run['links'])}"
    )
    print(f"  {run['summary']}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.path.insert(0, str(HERE.parent))
        print(json.dumps(run_child(sys.argv[2], sys.argv[3:])))
    else:
        main()
