"""Benchmark the XLSX export of `kader sweep`: is it linear in the number of teams?

Generates the largest N synthetic assessments once (bench/generate.py), evaluates them once, then
renders the XLSX workbook for the first n teams of that sweep for each size and prints the time,
the time per team and the ratio to the smallest size. A linear export keeps the time per team
roughly constant (the ratio of times follows the ratio of sizes); a quadratic one does not.

    python bench/xlsx_bench.py [--sizes 250,1000,1500] [--format xlsx]

Target (issue 9): linear; 1,500 teams in seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from generate import generate  # noqa: E402

from kadertoets.render import Options, render  # noqa: E402
from kadertoets.sweep.sweep import load_sweep  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,1500")
    parser.add_argument("--format", default="xlsx", help="sweep output format to time (xlsx, html, csv, ...)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="kadertoets-xlsx-bench-") as tmp:
        generate(sizes[-1], Path(tmp))
        full = load_sweep([Path(tmp)], ROOT, use_cache=False)
        evaluations = list(full.evaluations)
        base = None
        print(f"{'teams':>6} {'seconden':>9} {'ms/team':>8} {'verhouding':>10}")
        for n in sizes:
            part = replace(full, evaluations=tuple(evaluations[:n]))
            start = time.perf_counter()
            render("sweep", args.format, part, Options())
            took = time.perf_counter() - start
            base = base or (took, n)
            ratio = took / base[0]
            print(f"{n:>6} {took:>9.2f} {1000 * took / n:>8.2f} {ratio:>6.1f}x (lineair: {n / base[1]:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
