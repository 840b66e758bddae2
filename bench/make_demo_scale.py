r"""Write a scaled demo organization to a folder and print how long it took and how big it is.

    python bench/make_demo_scale.py OUT [--persons N] [--companies N] [--members N]
        [--interactions N] [--months N] [--seed N]

The defaults are the benchmark scale: 1,000,000 persons, 40,000 companies, 2,500 members and
about 10,000,000 interactions over six months. `--interactions 0` keeps the natural rates of
the demo (what `tiegraph demo` writes), e.g. the default demo:

    python bench/make_demo_scale.py /tmp/demo --persons 5000 --companies 400 --members 25 \
        --interactions 0
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from tiegraph.demo import DemoScale, generate_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (empty, or an earlier demo)")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=40_000)
    parser.add_argument("--members", type=int, default=2_500)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    scale = DemoScale(
        members=args.members,
        persons=args.persons,
        companies=args.companies,
        months=args.months,
        interactions_target=args.interactions or None,
    )
    started = time.perf_counter()
    manifest = generate_demo(args.out, seed=args.seed, scale=scale)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in args.out.rglob("*") if path.is_file())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {
        "seconds": round(seconds, 1),
        "bytes_written": size,
        "peak_rss_mib": round(peak_kib / 1024),
        "activity_factor": manifest.activity_factor,
        "counts": manifest.counts,
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
