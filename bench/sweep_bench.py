"""Benchmark `kader sweep` at national scale, in one run.

For each N (default 15, 1,500 and 15,000): generate N synthetic assessments (bench/generate.py),
time the floor (merely parsing the same files with yaml.CSafeLoader in one process; and the same
as a fresh process, interpreter start included, the fair comparison for small N), then
`kader sweep` cold (empty cache folder) and warm (the same again), each as a fresh process; print
the times, the ratios sweep/floor, the cost per file (linear in N?) and the peak memory of the
sweep (its own RSS, plus the largest worker's).

    python bench/sweep_bench.py [--sizes 15,1500,15000] [--format json] [--keep DIR]

Targets (issue): cold <= 1.0x floor at N=1,500, warm <= 0.2x floor, peak memory <= 200 MB at
N=15,000, cost linear in N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

MEASURE = HERE / "_measure.py"
SMALL, SMALL_REPEATS = 200, 5  # up to SMALL files a run takes well under a second: report the best of 5


def floor(files: list[Path]) -> float:
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        sys.exit("yaml.CSafeLoader ontbreekt (PyYAML zonder libyaml); de vloer is dan niet te meten.")
    start = time.perf_counter()
    for p in files:
        with open(p, encoding="utf-8") as fh:
            yaml.load(fh.read(), Loader=loader)
    return time.perf_counter() - start


FLOOR_SCRIPT = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    with open(path, encoding="utf-8") as fh:
        yaml.load(fh.read(), Loader=yaml.CSafeLoader)
"""


def floor_as_process(folder: Path) -> float:
    """The floor as a fresh process (interpreter start and `import yaml` included): what even the
    simplest command-line tool pays on top of the in-process floor; for small N the fair comparison."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(folder)], check=True)
    return time.perf_counter() - start


def environment(cache: Path, pycache: Path) -> dict:
    """As an installed `kader` runs: with compiled bytecode (pip compiles it on install; here a
    bytecode folder of this run, filled by a first call), and with the given cache folder."""
    env = dict(os.environ, KADERTOETS_CACHE_DIR=str(cache), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def sweep(folder: Path, cache: Path, fmt: str, pycache: Path, extra=()) -> tuple[float, dict, int]:
    env = environment(cache, pycache)
    cmd = [sys.executable, str(MEASURE), "sweep", str(folder), *(["--format", fmt] if fmt else []), *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"kader sweep faalde (exitcode {proc.returncode}):\n{proc.stderr[-2000:]}")
    mem = {}
    for line in proc.stderr.splitlines():
        if line.startswith("MEASURE "):
            mem = json.loads(line[len("MEASURE "):])
    return took, mem, proc.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="15,1500,15000", help="komma-gescheiden aantallen bestanden")
    ap.add_argument("--format", default="", help="uitvoerformaat van kader sweep (standaard: tekst, zoals de gebruiker hem ziet)")
    ap.add_argument("--keep", type=Path, help="map voor de gegenereerde bestanden (blijft staan)")
    args = ap.parse_args(argv)
    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="kadertoets-bench-"))
    rows = []
    pycache = work / "bytecode"
    # Fill the bytecode folder as pip does on install: one sweep in every code path a measured run
    # takes (serial and parallel, each format asked for), so no measured run compiles modules.
    warmup = work / "opwarmen"
    generate(60, warmup)
    for extra in (["--geen-cache"], ["--geen-cache", "--format", "json"], []):
        for target in (warmup, sorted(warmup.rglob("*.yaml"))[0]):  # parallel, and serial
            subprocess.run([sys.executable, str(MEASURE), "sweep", str(target), *extra,
                            *(["--format", args.format] if args.format and "--format" not in extra else [])],
                           env=environment(work / "cache-opwarmen", pycache),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(warmup, ignore_errors=True)
    try:
        print(f"{'N':>7} {'vloer':>8} {'vloer+start':>11} {'koud':>8} {'warm':>8} {'koud/vloer':>10} {'warm/vloer':>10} "
              f"{'ms/bestand koud':>15} {'ms/bestand warm':>15} {'piek MB':>8} {'werker MB':>9}", flush=True)
        for n in sizes:
            folder = work / f"n{n}"
            if folder.exists():
                shutil.rmtree(folder)
            files = generate(n, folder)
            floor(files)  # warm the page cache: every variant reads from memory
            t_floor = floor(files)
            t_floor_process = floor_as_process(folder)
            cache = work / f"cache-{n}"
            colds, warms = [], []
            for _ in range(SMALL_REPEATS if n <= SMALL else 1):  # small N: best of several (a noisy machine)
                shutil.rmtree(cache, ignore_errors=True)
                colds.append(sweep(folder, cache, args.format, pycache))
                warms.append(sweep(folder, cache, args.format, pycache))
            t_cold, mem_cold, _ = min(colds, key=lambda r: r[0])
            t_warm, mem_warm, _ = min(warms, key=lambda r: r[0])
            peak = max(mem_cold.get("self_kb", 0), mem_warm.get("self_kb", 0)) / 1024
            worker = max(mem_cold.get("worker_kb", 0), mem_warm.get("worker_kb", 0)) / 1024
            row = dict(n=n, floor=t_floor, floor_process=t_floor_process, cold=t_cold, warm=t_warm, peak_mb=peak,
                       worker_mb=worker)
            rows.append(row)
            print(f"{n:>7} {t_floor:>7.2f}s {t_floor_process:>10.2f}s {t_cold:>7.2f}s {t_warm:>7.2f}s {t_cold / t_floor:>9.2f}x "
                  f"{t_warm / t_floor:>9.2f}x {1000 * t_cold / n:>15.2f} {1000 * t_warm / n:>15.2f} "
                  f"{peak:>8.0f} {worker:>9.0f}", flush=True)
            shutil.rmtree(cache, ignore_errors=True)
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\nDoelen: koud <= 1.0x vloer bij N=1500; warm <= 0.2x vloer; piekgeheugen <= 200 MB bij N=15000; "
          "kosten lineair in N (ms/bestand gelijk).")
    for r in rows:
        print(f"  N={r['n']}: koud {r['cold'] / r['floor']:.2f}x, warm {r['warm'] / r['floor']:.2f}x, "
              f"piek {r['peak_mb']:.0f} MB (+ grootste werker {r['worker_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
