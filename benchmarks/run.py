"""Run accord's benchmarks and print each workload's time beside the raw driver's and SQLAlchemy's.

Usage: scripts/bench [--rows N] [--repeat R] [workload ...]

Each workload is timed as the best of ``--repeat`` runs, on a fresh database each time,
for accord, the raw DBAPI driver doing the same work, and SQLAlchemy 2.0 when it is
installed (``pip install --group bench``). Ratios are accord / raw and SQLAlchemy / accord.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads_core import WORKLOADS, Workload
from workloads_orm import WORKLOADS as ORM_WORKLOADS
from workloads_relationships import WORKLOADS as RELATIONSHIP_WORKLOADS
from workloads_servers import server_workloads

if TYPE_CHECKING:
    from collections.abc import Callable


def best_of(repeat: int, setup: Callable[[], object], run: Callable[[object], None]) -> float:
    """Best wall time of ``repeat`` runs; ``setup`` (not timed) makes each run's fixture."""
    best = float("inf")
    for _ in range(repeat):
        fixture = setup()
        gc.collect()
        start = time.perf_counter()
        run(fixture)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the chosen workloads, print a table of times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("workloads", nargs="*", help="names to run (default: all)")
    args = parser.parse_args(argv)

    every = WORKLOADS + ORM_WORKLOADS + RELATIONSHIP_WORKLOADS + server_workloads()
    chosen: list[Workload] = [w for w in every if not args.workloads or w.name in args.workloads]
    try:
        import sqlalchemy

        sa_version: str | None = sqlalchemy.__version__
    except ImportError:
        sa_version = None
    print(f"rows={args.rows} repeat={args.repeat} (best of) python={sys.version.split()[0]}")
    print(f"SQLAlchemy: {sa_version or 'not installed (pip install --group bench)'}")
    header = (
        f"{'workload':<32}{'raw s':>9}{'accord s':>10}{'SA s':>9}"
        f"{'accord/raw':>12}{'SA/accord':>11}"
    )
    print(header)
    print("-" * len(header))
    for w in chosen:
        raw = best_of(args.repeat, lambda w=w: w.raw_setup(args.rows), w.raw_run)
        ours = best_of(args.repeat, lambda w=w: w.accord_setup(args.rows), w.accord_run)
        sa = None
        if sa_version and w.sa_setup is not None and w.sa_run is not None:
            sa = best_of(args.repeat, lambda w=w: w.sa_setup(args.rows), w.sa_run)  # type: ignore[misc]
        sa_text = f"{sa:9.3f}" if sa is not None else f"{'-':>9}"
        ratio_sa = f"{sa / ours:10.2f}x" if sa is not None else f"{'-':>11}"
        print(f"{w.name:<32}{raw:9.3f}{ours:10.3f}{sa_text}{ours / raw:11.2f}x{ratio_sa}")
        if w.goal is not None:
            print(f"{'':<32}goal: accord/raw <= {w.goal}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
