"""CPU per page view in process, before and after a change, in one run: each page of
`bench_web.py --pages` served by the app through Starlette's TestClient (routing, the session,
the page's services, the template; no HTTP server or socket), the `--before` source tree and
this one alternating in fresh subprocesses on copies of one demo store.

    PYTHONPATH=$PWD/src:bench python bench/bench_page_cpu.py --db /tmp/pages.db \
        --before /work/main/src --pages person "my day" list

CPU per view is the process's user + system time over `--views` views (after 20 unmeasured),
the lowest of `--rounds` rounds: steadier than a server's on a shared machine. The person
page's intro paths are computed on every view (its paths cache off), as on the
first view of each person in `bench_web.py --pages`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _measure(db: str, page: str, views: int) -> float:
    """In the child: CPU ms per view of `page` (run with the tree under test first on the path)."""
    from fastapi.testclient import TestClient

    import bench_pages
    from tiegraph.services.demo import DEMO_PASSWORD
    from tiegraph.services.org.auth import create_token
    from tiegraph.services.org.orgs import resolve_org
    from tiegraph.store import open_store
    from tiegraph.web.app import create_app
    from tiegraph.web.settings import WebSettings

    store = open_store(f"sqlite:///{db}")
    org = resolve_org(store)
    viewer = bench_pages.seller(store, org)
    _, token = create_token(store, org, viewer, "bench page cpu")
    paths, auth = next((p, a) for n, p, a in bench_pages.pages_of(store, org, viewer) if n == page)
    settings = WebSettings(secret_key="bench-secret-key-0123456789", paths_cache_seconds=0.0)
    app = create_app(store, settings)
    client = TestClient(app, base_url="http://testserver")
    if auth == "token":
        client.headers["Authorization"] = f"Bearer {token}"
    else:
        form = client.get("/sign-in").text
        marker = 'name="csrf_token" value="'
        csrf = form[form.index(marker) + len(marker) :].split('"', 1)[0]
        data = {"email": viewer.email, "password": DEMO_PASSWORD, "csrf_token": csrf}
        client.post("/sign-in", data=data, follow_redirects=False)
    for number in range(20):
        assert client.get(paths[number % len(paths)]).status_code == 200
    started = time.process_time()
    for number in range(views):
        client.get(paths[number % len(paths)])
    spent = (time.process_time() - started) / views * 1000
    app.state.imports.shutdown(wait=True)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the demo store (built if absent)")
    parser.add_argument("--before", required=True, help="the src folder of the code before")
    parser.add_argument("--pages", nargs="+", default=["person", "my day", "who-knows", "list"])
    parser.add_argument("--views", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # db, page
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child[0], args.child[1], args.views)))
        return
    from bench_web import demo_store

    demo_store(args.db).dispose()
    trees = {"before": args.before, "after": str(HERE.parent / "src")}
    found: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for page in args.pages:
            for tree, source in trees.items():
                copy = args.db.with_name(f"{args.db.stem}-cpu-{tree}.db")
                shutil.copy(args.db, copy)
                env = os.environ | {"PYTHONPATH": f"{source}:{HERE}"}
                command = [sys.executable, __file__, "--db", str(args.db), "--before", source]
                command += ["--views", str(args.views), "--child", str(copy), page]
                out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
                found.setdefault((page, tree), []).append(
                    float(out.stdout.strip().splitlines()[-1])
                )
    print(f"{'page':<16}{'before CPU/view':>18}{'after CPU/view':>18}{'change':>9}")
    for page in args.pages:
        before, after = min(found[(page, "before")]), min(found[(page, "after")])
        print(f"{page:<16}{before:15.2f} ms{after:15.2f} ms{(after / before - 1) * 100:8.0f}%")


if __name__ == "__main__":
    main()
