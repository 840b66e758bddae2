"""Benchmark: first and incremental sync from local Radicale and Dovecot vs importing the files.

Writes a demo organization (the demo generator; default seed 7), then takes from it:

- an address book of 10,000 vCards (the demo's vCard exports, in order), and
- a mailbox of 50,000 messages (the demo's mailboxes, concatenated; a message two members
  received appears twice, as it would in an org's mail).

and measures, in the same run, each into a fresh store holding the demo's directory and members:

- baseline: `import contacts` of the .vcf file / `ingest mail` of the mbox file, local files;
- first sync: `tiegraph sync` of the same address book from Radicale (CardDAV), of the same
  mailbox from Dovecot (IMAP), both on loopback, each server warmed once first (Radicale
  caches the cards it stores, Dovecot indexes its maildir) as a server in use would be;
- incremental sync with nothing new.

Figures are printed as items per second and as ratios to the baseline. The servers are the
ones the tests use (tests/servers.py): Radicale from the `test` extra, Dovecot from Debian
(`apt-get install dovecot-imapd`); without Dovecot the mail half is skipped.

Run: .venv/bin/python bench/bench_sync.py [--contacts 10000] [--messages 50000] [--db sqlite|URL]
`--db URL` uses that PostgreSQL server (a fresh database per measurement is made in it).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import DOVECOT, PASSWORD, Dovecot, Radicale  # noqa: E402
from tiegraph.connectors.carddav import ADDRESS_BOOK  # noqa: E402
from tiegraph.connectors.webdav import DavClient  # noqa: E402
from tiegraph.demo import DemoScale, generate_demo  # noqa: E402
from tiegraph.services.activity.ingest import ingest_mail  # noqa: E402
from tiegraph.services.contacts.importer import import_contacts  # noqa: E402
from tiegraph.services.directory.importer import import_directory  # noqa: E402
from tiegraph.services.org.members import add_member, get_member  # noqa: E402
from tiegraph.services.org.orgs import Org, resolve_org  # noqa: E402
from tiegraph.services.sync.runner import run_all_syncs  # noqa: E402
from tiegraph.services.sync.sources import SyncSettings, add_source  # noqa: E402
from tiegraph.store import Store, open_store  # noqa: E402

T = TypeVar("T")
CARD = re.compile(rb"BEGIN:VCARD\r?\n.*?END:VCARD\r?\n", re.DOTALL)
MBOX_SEPARATOR = re.compile(rb"^From \S+ .*$", re.MULTILINE)
SCALE = DemoScale(
    members=6,
    persons=20_000,
    companies=800,
    months=3,
    contacts_per_member=10_000,
    interactions_target=150_000,
)


class Stores:
    """Fresh stores, one per measurement: SQLite files in a folder, or PostgreSQL databases."""

    def __init__(self, db: str, folder: Path) -> None:
        self.db, self.folder, self.made = db, folder, []

    def fresh(self, demo: Path) -> tuple[Store, Org]:
        if self.db == "sqlite":
            url = f"sqlite:///{self.folder / f'{uuid.uuid4().hex[:8]}.db'}"
        else:
            name = f"tiegraph_bench_{uuid.uuid4().hex[:8]}"
            with create_engine(self.db, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.made.append(name)
            url = make_url(self.db).set(database=name).render_as_string(hide_password=False)
        store = open_store(url)
        org = resolve_org(store)
        import_directory(store, org, [demo / "directory.jsonl"])
        with (demo / "members.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                add_member(store, org, email=row["email"], name=row["name"], exist_ok=True)
        return store, org

    def close(self) -> None:
        if self.made:
            with create_engine(self.db, isolation_level="AUTOCOMMIT").connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cards(demo: Path, count: int) -> list[bytes]:
    found: list[bytes] = []
    for path in sorted(demo.glob("contacts/*/*.vcf")):
        found += CARD.findall(path.read_bytes())
    if len(found) < count:
        raise SystemExit(f"the demo wrote only {len(found)} vCards; raise the scale")
    return found[:count]


def messages(demo: Path, count: int) -> Iterator[bytes]:
    """Messages of the demo's mailboxes, as separate RFC 5322 messages (no From_ line)."""
    given = 0
    for path in sorted(demo.glob("mail/*.mbox")):
        data = path.read_bytes()
        starts = [m.start() for m in MBOX_SEPARATOR.finditer(data)] + [len(data)]
        for start, end in itertools.pairwise(starts):
            block = data[start:end]
            yield block[block.index(b"\n") + 1 :]
            given += 1
            if given == count:
                return
    raise SystemExit(f"the demo wrote only {given} messages; raise the scale")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def line(label: str, seconds: float, items: int, baseline: float) -> None:
    rate = f"{items / seconds:10,.0f} items/s" if items else " " * 17
    print(f"  {label:<34} {seconds:8.2f} s {rate}   {seconds / baseline:6.2f}x baseline")


def bench_contacts(stores: Stores, demo: Path, folder: Path, count: int) -> None:
    book = folder / "book.vcf"
    book.write_bytes(b"".join(cards(demo, count)))
    store, org = stores.fresh(demo)
    owner = get_member(store, org, "joshua.reynolds@northwind.example")
    base, report = timed(lambda: import_contacts(store, org, owner, [book]))
    store.dispose()
    (folder / "radicale").mkdir()
    server = Radicale(folder / "radicale")
    server.start()
    try:
        url = server.new_collection(book.read_text(encoding="utf-8"), "text/vcard")
        with DavClient(url, "ana", PASSWORD) as dav:  # Radicale caches the cards it just stored
            for collection in dav.collections(ADDRESS_BOOK):
                dav.changes(collection, None)
        store, org = stores.fresh(demo)
        owner = get_member(store, org, "joshua.reynolds@northwind.example")
        add_source(store, org, owner, kind="carddav", url=url, username="ana", password_env="P")
        first, [outcome] = timed(lambda: run_all_syncs(store, org, settings=SyncSettings()))
        again, [nothing] = timed(lambda: run_all_syncs(store, org, settings=SyncSettings()))
        assert outcome.error is None and nothing.taken == 0, (outcome.error, nothing.taken)
        print(f"CardDAV: {count:,} vCards (Radicale on loopback)")
        line("baseline: import contacts (file)", base, count, base)
        line("first sync", first, outcome.taken, base)
        line("incremental sync, nothing new", again, 0, base)
        print(f"  same outcome: {report.as_dict()['matched']} matched by import, "
              f"{outcome.report.matched} by sync")  # fmt: skip
        store.dispose()
    finally:
        server.close()


def bench_mail(stores: Stores, demo: Path, folder: Path, count: int) -> None:
    if not DOVECOT:
        print("IMAP: skipped, Dovecot is not installed (apt-get install dovecot-imapd)")
        return
    mbox = folder / "mail.mbox"
    with mbox.open("wb") as handle:
        for raw in messages(demo, count):
            handle.write(b"From bench@localhost Mon Jun  1 10:00:00 2026\n" + raw)
    store, org = stores.fresh(demo)
    base, report = timed(lambda: ingest_mail(store, org, [mbox]))
    store.dispose()
    server = Dovecot()
    try:
        user = server.new_user()
        server.fill_inbox(user, messages(demo, count))
        server.start()
        warm = server.session(user)  # the server indexes the maildir once, as it would have
        warm.select("INBOX", readonly=True)
        warm.logout()
        store, org = stores.fresh(demo)
        owner = get_member(store, org, "joshua.reynolds@northwind.example")
        add_source(store, org, owner, kind="imap", url=server.url, username=user, password_env="P")
        first, [outcome] = timed(lambda: run_all_syncs(store, org, settings=SyncSettings()))
        again, [nothing] = timed(lambda: run_all_syncs(store, org, settings=SyncSettings()))
        assert outcome.error is None and nothing.taken == 0, (outcome.error, nothing.taken)
        print(f"IMAP: {count:,} messages (Dovecot on loopback)")
        line("baseline: ingest mail (mbox file)", base, count, base)
        line("first sync", first, outcome.taken, base)
        line("incremental sync, nothing new", again, 0, base)
        print(f"  same outcome: {report.interactions} interactions by ingest, "
              f"{outcome.report.interactions} by sync")  # fmt: skip
        store.dispose()
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("contacts", "mail"), default="")
    args = parser.parse_args()
    os.environ["P"] = PASSWORD
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        demo = folder / "demo"
        seconds, _ = timed(lambda: generate_demo(demo, seed=args.seed, scale=SCALE))
        print(f"demo written in {seconds:.1f} s; store: {args.db}")
        stores = Stores(args.db, folder)
        try:
            if args.only in ("", "contacts"):
                bench_contacts(stores, demo, folder, args.contacts)
            if args.only in ("", "mail"):
                bench_mail(stores, demo, folder, args.messages)
        finally:
            stores.close()


if __name__ == "__main__":
    main()
