"""Benchmark: a Microsoft Graph sync (first, then incremental) against ingesting the same mail
as an mbox file.

A local Graph (tests/graph_server.py, pages of 1,000 like Graph's largest) serves N messages
(half in the inbox, half sent) and M contacts; its tokens are a real OpenID Connect provider's
(node-oidc-provider, tests/oidc), checked by introspection at every request as Graph checks its
own. Measured in one run, each into a fresh SQLite store holding the same directory and members:

- baseline: `ingest mail` of an mbox holding the same N messages (same headers);
- first sync: the graph source, contacts then mail (calendar empty);
- incremental sync with nothing new (one delta request per stream).

Run: .venv/bin/python bench/bench_graph_sync.py [--messages 20000] [--contacts 2000]
(`npm ci --prefix tests/oidc` first.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from tests.graph_server import GraphServer, contact, mail  # noqa: E402
from tests.oidc_provider import OidcProvider, connect_by_device, register_app  # noqa: E402

from servers import make_org, message  # noqa: E402
from tiegraph.services.activity.ingest import ingest_mail  # noqa: E402
from tiegraph.services.org.members import get_member  # noqa: E402
from tiegraph.services.sync.runner import run_all_syncs  # noqa: E402
from tiegraph.services.sync.sources import add_source  # noqa: E402
from tiegraph.store import open_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    args = parser.parse_args()
    os.environ.setdefault("TIEGRAPH_SECRET_KEY", "bench-graph-secret-0123456789")
    folder = Path(tempfile.mkdtemp(prefix="tiegraph-bench-graph-"))
    provider = OidcProvider(folder, "http://127.0.0.1:9/cb")
    graph = GraphServer(f"{provider.issuer}/token/introspection", page_size=1000)
    try:
        half = args.messages // 2
        graph.add("inbox", [mail(n, sent=False, day=1 + n % 28) for n in range(half)])
        graph.add("sentitems", [mail(n, sent=True, day=1 + n % 28) for n in range(half, 2 * half)])
        graph.add("contacts", [contact(n % 1000) | {"id": f"c{n}"} for n in range(args.contacts)])

        mbox = folder / "same.mbox"
        with mbox.open("wb") as out:
            for n in range(2 * half):
                them = f"Person {n} <person{n}@acme.example>"
                sender, to = (
                    (them, "Ana Lima <ana@us.example>")
                    if n < half
                    else ("Ana Lima <ana@us.example>", them)
                )
                out.write(b"From bench Mon Jun  1 10:00:00 2026\n")
                out.write(message(n, sender, to, day=1 + n % 28).replace(b"\r\n", b"\n") + b"\n")
        base_store = open_store(f"sqlite:///{folder / 'base.db'}")
        base_org = make_org(base_store, folder, persons=1000)
        started = time.perf_counter()
        report = ingest_mail(base_store, base_org, [mbox])
        base = time.perf_counter() - started

        store = open_store(f"sqlite:///{folder / 'graph.db'}")
        org = make_org(store, folder, persons=1000)
        register_app(store, org, provider)
        account = connect_by_device(store, org, "ana")
        owner = get_member(store, org, "ana@us.example")
        add_source(store, org, owner, kind="graph", url=graph.base, account_id=account.id)
        started = time.perf_counter()
        [first] = run_all_syncs(store, org)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        [again] = run_all_syncs(store, org)
        again_s = time.perf_counter() - started
        assert first.error is None and again.error is None, (first.error, again.error)
        assert again.taken == 0, again.taken
        n = 2 * half
        print(
            f"baseline ingest mail (mbox): {n:,} messages in {base:.1f} s, "
            f"{n / base:,.0f}/s, {report.interactions:,} interactions"
        )
        print(
            f"first graph sync: {n:,} messages + {args.contacts:,} contacts in {first_s:.1f} s "
            f"({first.taken:,} items, {first.taken / first_s:,.0f}/s; "
            f"{first.report.mail.interactions:,} interactions): "
            f"{first_s / base:.2f}x the baseline"
        )
        print(
            f"incremental graph sync, nothing new: {again_s:.2f} s, "
            f"{len(graph.requests)} requests in all"
        )
    finally:
        graph.close()
        provider.close()


if __name__ == "__main__":
    main()
