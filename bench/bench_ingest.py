"""Benchmark: `tiegraph ingest mail` end to end against the stdlib header parser alone.

Writes the realistic mbox of `bench_mail_parse.py` (default 100,000 messages: Received chains,
DKIM/ARC signatures, vendor headers, folded To/Cc lists, encoded-word names), a directory
holding 80% of its correspondents (the rest stay unresolved addresses, as in real mail), and
one member owning the mailbox. Then it measures, in the same run:

- baseline: `email.parser.BytesHeaderParser().parsebytes(header_block)` over the header
  blocks of the same messages, already cut out of the file (parsing only: no I/O, no address
  or date decoding, nothing stored);
- tiegraph: `ingest_mail` into a fresh store: read the file, pick and decode the headers,
  resolve every address to a member or person, write message rows and interactions, fold
  them into ties and score them, commit.

Run: .venv/bin/python bench/bench_ingest.py [--messages 100000] [--db sqlite|URL]
`--db URL` ingests into that (empty) database instead, e.g. a PostgreSQL server.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from email.parser import BytesHeaderParser
from pathlib import Path

from sqlalchemy import func, select

from bench_mail_parse import write_mbox
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.schema import interaction, tie

ADDRESS = re.compile(rb"<([^<>@\s]+@[^<>\s]+)>|^([^<>@\s,]+@[^<>\s,]+)$")


def correspondents(blocks: list[bytes]) -> list[str]:
    """Every address in the From/To/Cc headers of the blocks, in order of first appearance."""
    seen: dict[str, None] = {}
    parser = BytesHeaderParser()
    for block in blocks[:20_000]:
        headers = parser.parsebytes(block)
        for name in ("From", "To", "Cc"):
            for part in str(headers.get(name, "")).replace("\n", " ").split(","):
                match = ADDRESS.search(part.strip().encode())
                if match:
                    seen[(match.group(1) or match.group(2)).decode().lower()] = None
    return list(seen)


def write_directory(path: Path, addresses: list[str]) -> int:
    """A JSON Lines directory with a person for four in five correspondents."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for index, address in enumerate(addresses):
            if index % 5 == 4 or address.startswith("dana.owner@"):
                continue
            row = {"type": "person", "id": f"P{index}", "full_name": f"Person {index}"}
            row["emails"] = [address]
            out.write(json.dumps(row) + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--population", type=int, default=3_000)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mbox = Path(folder, "dana.mbox")
        blocks = write_mbox(mbox, args.messages, args.population, args.seed)
        addresses = correspondents(blocks)
        persons = write_directory(Path(folder, "directory.jsonl"), addresses)
        print(
            f"mbox: {args.messages:,} messages, {mbox.stat().st_size / 1e6:.0f} MB; "
            f"directory: {persons:,} of {len(addresses):,} correspondents"
        )

        stdlib = BytesHeaderParser()
        began = time.perf_counter()
        for block in blocks:
            stdlib.parsebytes(block)
        baseline = len(blocks) / (time.perf_counter() - began)
        del blocks

        url = f"sqlite:///{folder}/bench.db" if args.db == "sqlite" else args.db
        store = open_store(url)
        org = resolve_org(store, None)
        import_directory(store, org, [Path(folder, "directory.jsonl")])
        add_member(store, org, email="dana.owner@example.com", name="Dana Owner")

        began = time.perf_counter()
        report = ingest_mail(store, org, [mbox])
        seconds = time.perf_counter() - began
        ours = report.read / seconds
        with store.read() as conn:
            rows = conn.execute(select(func.count()).select_from(interaction)).scalar_one()
            ties = conn.execute(select(func.count()).select_from(tie)).scalar_one()
        store.dispose()

    print(f"BytesHeaderParser().parsebytes(header block): {baseline:>9,.0f} messages/s")
    print(
        f"tiegraph ingest_mail, end to end ({store.engine.dialect.name}): {ours:>9,.0f} messages/s"
    )
    print(
        f"  {report.read:,} messages in {seconds:.1f} s: {rows:,} interactions, {ties:,} ties, "
        f"{report.unresolved:,} unresolved, {report.skipped:,} skipped, "
        f"{len(report.rejected):,} rejected"
    )
    print(f"ratio: {ours / baseline:.2f}x")


if __name__ == "__main__":
    main()
