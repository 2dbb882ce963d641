"""Benchmark the start-up of `kader check` against the import floor of its libraries, in one run.

The floor is a fresh Python process that only imports what any command line with these libraries
pays for: `import yaml, click, rich.console, rich.table` (rich's package itself imports next to
nothing; its console and table are what a rich table on a terminal needs). Against it, as fresh
processes too: `python -m kadertoets check ASSESSMENT` and, when installed, the `kader` script itself
(its output to /dev/null, as in a pipe). For reference, a bare interpreter (`python -c pass`), and
`kader check` without a Kader snapshot (what the first run after a change of the Kader or of the code
costs: the Kader is loaded from its files and checked). The benchmark keeps its own cache folder, so
it neither uses nor disturbs the user's; the two rounds of warming up make the snapshot.

It measures the kadertoets installed in this Python (`pip install .` first), as a user runs it.
The machine is noisy, so every round runs each variant once, in a rotating order, and the statistics
are over many rounds (after two rounds to warm the page cache): the median, the best and the middle
half (25th to 75th percentile) of the wall time, and the median CPU time (user + system), which
other processes disturb less. The ratio check/floor is of the medians (and of the bests, and of the
CPU times). With `--imports N` it also lists the N modules that cost `kader check` the most import
time (self time, median over rounds of `-X importtime`) and that the floor does not import; with
`--phases` where the time of one check goes in its process (the floor's imports, importing
kadertoets, loading the Kader, its semantic validation: norm check and examples, rendering, the rest).

    python bench/startup_bench.py [--rounds 30] [--assessment FILE] [--imports 25] [--phases] [--json]

Target (issue 8): `kader check` on one team within 1.5x the floor. Exit code 0 whatever the ratio
(a benchmark, not a test); 2 when a variant fails (kadertoets not installed, a crash).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_IMPORTS = "yaml, click, rich.console, rich.table"
DEFAULT_ASSESSMENT = ROOT / "assessments" / "bunschoten-2023-03.yaml"
WARMUP = 2
TARGET = 1.5


def kader_script() -> str | None:
    """The installed `kader` next to this interpreter (the same environment), else on PATH."""
    here = Path(sys.executable).parent / "kader"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("kader")


NO_SNAPSHOT = "kader check (zonder snapshot)"


def variants(assessment: Path) -> dict[str, list[str]]:
    out = {
        "python (leeg)": [sys.executable, "-c", "pass"],
        "vloer": [sys.executable, "-c", f"import {FLOOR_IMPORTS}"],
        "python -m kadertoets check": [sys.executable, "-m", "kadertoets", "check", str(assessment)],
    }
    script = kader_script()
    if script:
        out["kader check"] = [script, "check", str(assessment)]
    out[NO_SNAPSHOT] = [script or sys.executable, *([] if script else ["-m", "kadertoets"]), "check", str(assessment)]
    return out


def environment(cache: Path) -> dict:
    """The environment of every variant: this run's own cache folder (`cache`)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: pip compiled the bytecode
    env.pop("KADERTOETS_DEBUG", None)
    env["KADERTOETS_CACHE_DIR"] = str(cache)
    return env


def environments(names, cache: Path) -> dict[str, dict]:
    """Per variant its environment; without a snapshot: a cache folder that cannot be made (below a file)."""
    blocker = cache.parent / "geen-cache"
    blocker.write_text("", encoding="utf-8")
    return {name: environment(blocker / "cache" if name == NO_SNAPSHOT else cache) for name in names}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the process and its children) of one run."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    # check: 1 means gaps were found, which is what it should say (a traceback exits with 1 too)
    if proc.returncode not in (0, 1) or b"Traceback" in proc.stderr:
        sys.stderr.write(f"{' '.join(cmd)} faalde (exitcode {proc.returncode}):\n"
                         f"{proc.stderr.decode(errors='replace')[-2000:]}\n")
        sys.exit(2)
    return took, cpu


def measure(cmds: dict[str, list[str]], rounds: int, envs: dict[str, dict]) -> tuple[dict, dict]:
    """Per variant: the wall times and the CPU times of the rounds."""
    names = list(cmds)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for r in range(WARMUP + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:  # rotating order: drift hits every variant alike
            took, cpu = timed(cmds[name], envs[name])
            if r >= WARMUP:
                walls[name].append(took)
                cpus[name].append(cpu)
    return walls, cpus


def summary(samples: list[float]) -> dict:
    q = statistics.quantiles(samples, n=4) if len(samples) >= 2 else [samples[0]] * 3
    return {"median": statistics.median(samples), "best": min(samples), "p25": q[0], "p75": q[2], "n": len(samples)}


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_times(cmd: list[str], env: dict) -> dict[str, int]:
    """Self import time per module (microseconds) of one run with -X importtime."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    out = {}
    for line in proc.stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            out[m.group(4)] = int(m.group(1))
    return out


def costly_imports(cmds: dict[str, list[str]], rounds: int, env: dict, top: int) -> list[tuple[str, float]]:
    """The modules `python -m kadertoets check` imports and the floor does not, by median self time."""
    floor: set[str] = set()
    check: dict[str, list[int]] = {}
    for _ in range(rounds):
        floor |= set(import_times(cmds["vloer"], env))
        for name, us in import_times(cmds["python -m kadertoets check"], env).items():
            check.setdefault(name, []).append(us)
    extra = {name: statistics.median(us) / 1000 for name, us in check.items() if name not in floor}
    ranked = sorted(extra.items(), key=lambda kv: -kv[1])
    return [("(samen)", sum(extra.values()))] + ranked[:top]


# Where the time of one `kader check` goes, in one fresh process: the floor's imports, importing the
# command line, then (timed by wrapping the functions the command calls) loading the Kader, its
# semantic validation (norm check and examples), rendering, and the rest (parsing and evaluating the
# assessment, click). Prints one JSON object of milliseconds.
PHASES_SCRIPT = """
import contextlib, io, json, os, sys, time
t0 = time.perf_counter()
import yaml, click, rich.console, rich.table
t1 = time.perf_counter()
import kadertoets.cli as cli
t2 = time.perf_counter()
import importlib
spent = {}
def timed(module_name, name):
    try:  # a phase whose function moved is left out, not an error
        module = importlib.import_module(module_name)
        real = getattr(module, name)
    except (ImportError, AttributeError):
        return
    spent[name] = 0.0
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start
    setattr(module, name, wrapper)
timed("kadertoets.sweep.run", "validated_kader")
timed("kadertoets.sweep.snapshots", "load_kader")
timed("kadertoets.cli", "render")
sys.argv = ["kader", "check", sys.argv[1]]
with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
    try:
        cli.main()
    except SystemExit:
        pass
t3 = time.perf_counter()
out = {"imports (vloer)": t1 - t0, "import kadertoets.cli": t2 - t1}
labels = {"validated_kader": "Kader (uit de snapshot, of geladen en gecontroleerd)",
          "load_kader": "  waarvan laden uit de bestanden (zonder snapshot)", "render": "render"}
out.update({labels.get(k, k): v for k, v in spent.items()})
out["rest (assessment, evaluatie, click)"] = (t3 - t2) - spent.get("validated_kader", 0) - spent.get("render", 0)
print(json.dumps({k: 1000 * v for k, v in out.items()}))
"""


def phases(assessment: Path, rounds: int, env: dict) -> dict[str, float] | str:
    """Median milliseconds per phase of `kader check` (see PHASES_SCRIPT), or why they cannot be measured."""
    runs: dict[str, list[float]] = {}
    for _ in range(rounds):
        proc = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, str(assessment)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        try:
            for name, ms in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                runs.setdefault(name, []).append(ms)
        except (ValueError, IndexError, AttributeError):
            return f"niet te meten ({proc.stderr.strip().splitlines()[-1:] or proc.returncode})"
    return {name: statistics.median(ms) for name, ms in runs.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30, help="aantal rondes (elke variant één keer per ronde)")
    ap.add_argument("--assessment", type=Path, default=DEFAULT_ASSESSMENT, help="het assessment voor kader check")
    ap.add_argument("--imports", type=int, default=0, metavar="N",
                    help="toon ook de N duurste imports van kader check die de vloer niet heeft")
    ap.add_argument("--phases", action="store_true",
                    help="toon ook waar de tijd van kader check zit: Kader laden, normcontrole en voorbeelden, weergave")
    ap.add_argument("--json", action="store_true", help="uitvoer als JSON")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds moet minstens 1 zijn")
    with tempfile.TemporaryDirectory(prefix="kadertoets-bench-") as folder:
        return run(args, Path(folder) / "cache")


def run(args, cache: Path) -> int:
    env = environment(cache)
    probe = subprocess.run([sys.executable, "-c", "import kadertoets"], env=env, capture_output=True)
    if probe.returncode != 0:
        sys.stderr.write("kadertoets is niet geïnstalleerd in deze Python: python3 -m pip install .\n")
        return 2
    cmds = variants(args.assessment.resolve())
    envs = environments(cmds, cache)
    for name, cmd in cmds.items():  # once, with the output: what is timed must be a real run
        if "check" in name:
            proc = subprocess.run(cmd, cwd=ROOT, env=envs[name], capture_output=True, text=True)
            if proc.returncode not in (0, 1) or "Samenvatting" not in proc.stdout:
                sys.stderr.write(f"{' '.join(cmd)} gaf geen tekortenlijst (exitcode {proc.returncode}):\n"
                                 f"{proc.stderr[-2000:]}\n")
                return 2
    walls, cpus = measure(cmds, args.rounds, envs)
    stats = {name: summary(samples) for name, samples in walls.items()}
    cpu = {name: statistics.median(samples) for name, samples in cpus.items()}
    floor = stats["vloer"]
    ratios = {name: {"median": s["median"] / floor["median"], "best": s["best"] / floor["best"],
                     "cpu": cpu[name] / cpu["vloer"]}
              for name, s in stats.items() if "check" in name}
    imports = costly_imports(cmds, min(args.rounds, 7), env, args.imports) if args.imports else []
    split = phases(args.assessment.resolve(), min(args.rounds, 15), env) if args.phases else {}
    if args.json:
        print(json.dumps({"floor_imports": FLOOR_IMPORTS, "rounds": args.rounds, "seconds": stats,
                          "cpu_seconds_median": cpu, "ratio": ratios,
                          "target": TARGET, "imports_ms": imports, "phases_ms": split}, indent=2))
        return 0
    print(f"{args.rounds} rondes, afwisselend; vloer = een nieuw proces met alleen `import {FLOOR_IMPORTS}`")
    print(f"{'variant':<28} {'mediaan':>8} {'beste':>8} {'25%-75%':>15} {'/vloer (mediaan)':>17} {'/vloer (beste)':>15}"
          f" {'cpu':>7} {'/vloer (cpu)':>13}")
    for name, s in stats.items():
        ratio = ratios.get(name)
        by_median = f"{ratio['median']:.2f}x" if ratio else ""
        by_best = f"{ratio['best']:.2f}x" if ratio else ""
        by_cpu = f"{ratio['cpu']:.2f}x" if ratio else ""
        print(f"{name:<28} {s['median'] * 1000:>6.0f}ms {s['best'] * 1000:>6.0f}ms "
              f"{s['p25'] * 1000:>6.0f}-{s['p75'] * 1000:<4.0f}ms {by_median:>17} {by_best:>15}"
              f" {cpu[name] * 1000:>5.0f}ms {by_cpu:>13}")
    main_ratio = ratios.get("kader check", ratios["python -m kadertoets check"])
    print(f"\nDoel: kader check <= {TARGET}x de vloer. Nu: {main_ratio['median']:.2f}x (mediaan), "
          f"{main_ratio['best']:.2f}x (beste), {main_ratio['cpu']:.2f}x (cpu-tijd); boven de vloer: "
          f"{(stats.get('kader check', stats['python -m kadertoets check'])['median'] - floor['median']) * 1000:.0f} ms.")
    if isinstance(split, str):
        print(f"\nFasen van kader check: {split}")
    elif split:
        print(f"\nFasen van kader check in één proces (mediaan over {min(args.rounds, 15)} runs; "
              "zonder het starten van Python):")
        for name, ms in split.items():
            print(f"  {ms:7.1f} ms  {name}")
    if imports:
        print(f"\nImports van kader check die de vloer niet heeft (eigen tijd, mediaan over {min(args.rounds, 7)} runs "
              "met -X importtime, dat zelf vertraagt):")
        for name, ms in imports:
            print(f"  {ms:7.2f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
