"""`bench_pages.py` on some of its pages only (and the static floor), for a branch's before/after:

python bench/bench_pages_only.py --db PATH --requests 60 search "API gallery by score"
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import bench_pages
from bench_web import demo_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", help="page names as bench_pages.py prints them")
    parser.add_argument("--db", type=Path, default=None, help="the demo store (built if absent)")
    parser.add_argument("--requests", type=int, default=60, help="requests per page")
    args = parser.parse_args()
    every = bench_pages.pages_of

    def chosen(*given: Any) -> list[tuple[str, list[str], str]]:
        pages = every(*given)
        unknown = set(args.pages) - {name for name, _, _ in pages}
        if unknown:
            raise SystemExit(f"no page {sorted(unknown)}; pages: {[n for n, _, _ in pages]}")
        return [page for page in pages if page[0] in args.pages]

    bench_pages.pages_of = chosen  # type: ignore[assignment]
    bench_pages.MIX = tuple(args.pages)  # the "mix" line: these pages' mean
    bench_pages.measure_pages(demo_store(args.db), args.requests)


if __name__ == "__main__":
    main()
