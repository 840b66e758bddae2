"""Import time per row when thousands of rows share one name and no company: flat, not growing.

Each run imports, into a fresh SQLite store with a small directory, an address book of N rows
of one kind, and prints the time per 1,000 rows as a ratio to the smallest run's (measured in
the same process): near-linear cost reads as a ratio near 1 at every size, a quadratic one as
a ratio that doubles with the rows. Kinds:

- info:   `Info,Desk,infoN@firmN.example`: one name, no company, one address each; the rows
          are one contact (no namesake in the directory), matched again as each adds an address;
- smith:  `John,Smith,jsN@firmN.example`: a name the directory holds twice: every row its own
          contact, each looked up among the earlier namesakes;
- filler: `Filler,RowN`: a name per row, no address.

The largest size is imported once more in one transaction (as before imports committed about
every second, Store.transactions): the ratio of the two is what taking turns with other
writers costs.

Each time is the best of `--repeat` runs (default 3): on a shared machine the others' load
only ever adds time. Beside the wall-clock time, the CPU time of this process and of the
reader it starts for a large file (user + system): steadier when other work shares the cores,
so the ratios are of CPU time.

    .venv/bin/python bench/bench_import_namesakes.py [--rows 1000,2000,4000,8000] [--kind info]
        [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corporation", "domains": ["acme.example"]},
    *[
        {"type": "person", "id": f"J{n}", "first_name": "John", "last_name": "Smith"}
        for n in (1, 2)
    ],
]
HEADER = "First Name,Last Name,E-mail Address\n"
ROW = {
    "info": "Info,Desk,info{n}@firm{n}.example\n",
    "smith": "John,Smith,js{n}@firm{n}.example\n",
    "filler": "Filler,Row{n},\n",
}


def _import_seconds(
    folder: Path, kind: str, rows: int, *, whole: bool = False
) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one import of `rows` rows of `kind`."""
    store = open_store(f"sqlite:///{folder / f'{kind}-{rows}-{whole}.db'}")
    if whole:
        store.commit_seconds = float("inf")
    org = resolve_org(store)
    directory = folder / "directory.jsonl"
    directory.write_text("\n".join(json.dumps(r) for r in DIRECTORY) + "\n")
    import_directory(store, org, [directory])
    owner = add_member(store, org, email="ana@us.example", name="Ana Lima")
    book = folder / f"{kind}-{rows}.csv"
    book.write_text(HEADER + "".join(ROW[kind].format(n=n) for n in range(rows)))
    started, cpu = time.perf_counter(), _cpu()
    report = import_contacts(store, org, owner, [book])
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert report.sources[0].attempted == rows, report.summary()
    store.dispose()
    return seconds, cpu


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the file's reader)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _best(
    repeat: int, folder: Path, kind: str, rows: int, *, whole: bool = False
) -> tuple[float, float]:
    """The least wall-clock and the least CPU time of `repeat` imports."""
    times = []
    for _ in range(max(repeat, 1)):
        times.append(_import_seconds(folder, kind, rows, whole=whole))
        for leftover in folder.glob(f"{kind}-{rows}-{whole}.db*"):
            leftover.unlink()
    return min(t[0] for t in times), min(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", default="1000,2000,4000,8000")
    parser.add_argument("--kind", choices=sorted(ROW), action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.rows.split(","))
    with tempfile.TemporaryDirectory() as temp:
        for kind in args.kind or sorted(ROW):
            measured = {n: _best(args.repeat, Path(temp), kind, n) for n in sizes}
            base = measured[sizes[0]][1] / sizes[0]
            print(
                f"{kind}: rows, wall-clock s, CPU s, CPU s per 1,000 rows, ratio to "
                f"{sizes[0]:,} rows"
            )
            for n in sizes:
                wall, cpu = measured[n]
                print(
                    f"  {n:>8,}  {wall:8.2f}  {cpu:8.2f}  {cpu / n * 1000:6.3f}  "
                    f"{cpu / n / base:5.2f}"
                )
            largest = sizes[-1]
            wall, cpu = _best(args.repeat, Path(temp), kind, largest, whole=True)
            turns_wall, turns_cpu = measured[largest]
            print(
                f"  {largest:,} rows in one transaction: {wall:.2f} s wall, {cpu:.2f} s CPU; "
                f"committed about every second: x{turns_wall / wall:.2f} wall, "
                f"x{turns_cpu / cpu:.2f} CPU"
            )


if __name__ == "__main__":
    main()
