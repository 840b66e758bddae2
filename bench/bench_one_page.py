"""One page of `bench_web.py --pages` (by its name there, e.g. "account") against the
static-file floor: the same measurement on a fresh server, minutes shorter than every page.

    PYTHONPATH=src:bench python bench/bench_one_page.py account --db /tmp/pages.db
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import bench_pages
from bench_web import demo_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help='a page name of bench_pages.pages_of, e.g. "account"')
    parser.add_argument("--requests", type=int, default=60, help="requests after the first")
    parser.add_argument("--db", type=Path, default=None, help="the demo store (built if absent)")
    args = parser.parse_args()
    every = bench_pages.pages_of

    def only(*given: Any) -> list[tuple[str, list[str], str]]:
        pages = [p for p in every(*given) if p[0] == args.page]
        if not pages:
            raise SystemExit(f"no page {args.page!r}: one of {[p[0] for p in every(*given)]}")
        return pages

    bench_pages.pages_of = only
    bench_pages.MIX = (args.page,)
    bench_pages.measure_pages(demo_store(args.db), min(args.requests, 500))


if __name__ == "__main__":
    main()
