"""Benchmark `kader sweep` (text and JSON) and `kader trend` on the data users have, in one run.

Data (`--data`, default `echt`): N copies of the seven bundled team assessments
(`kadertoets.infra.paths.bundled_assessments()`, March 2023, ~0.8 ms each to parse), each copy with
its own `team.id` and `team.naam` so that every file is a team of its own, plus the bundled regional
file (regio-2023-03.yaml) in the same folder, as in real use. `--data gegenereerd` uses the
synthetic assessments of bench/generate.py instead (about three times larger than the real ones);
`--data echt,gegenereerd` measures both.

The floor: a fresh process that imports yaml and parses the same files (all *.yaml of the folder,
the regional file included) with `yaml.CSafeLoader`; every ratio is against it.

For each N (default 15, 1,500 and 15,000) and each data set: `kader sweep` (text, written to a
pipe), `kader sweep --formaat json -o FILE` and `kader trend` (text), each cold (empty cache folder)
and warm (the same again), each as a fresh process like an installed `kader` (with compiled
bytecode). Printed: times, ratios to the floor, ms per file, and the peak memory of the whole
process tree (kader and its worker processes), sampled every 50 ms from /proc as the sum over the
tree of RSS (an overestimate: forked workers share pages with the parent) and of PSS (shared pages
divided among their sharers: the tree's real footprint).

    python bench/sweep_bench.py [--sizes 15,1500,15000] [--data echt,gegenereerd] [--zonder-trend]
                                [--alleen text,json,trend] [--keep DIR]

Targets (issue 14, at N=1,500, real-size data): text cold <= 1.0x and warm <= 0.25x the floor; JSON
cold <= 1.5x and warm <= 0.5x; trend about twice a sweep at most; peak memory of the whole tree
< 200 MB at N=15,000 in any format; cost per file flat from 15 to 15,000.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

MEASURE = HERE / "_measure.py"
SMALL, SMALL_REPEATS = 200, 5  # up to SMALL files a run takes well under a second: report the best of 5
SAMPLE_EVERY = 0.05  # seconds between two samples of the process tree's memory
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

RUNS = {  # what is measured per N: (label, command, extra arguments)
    "text": ("sweep tekst", "sweep", []),
    "json": ("sweep json", "sweep", ["--formaat", "json"]),
    "trend": ("trend tekst", "trend", []),
}


# ------------------------------------------------------------------ data ---------------------
def bundled() -> Path:
    try:
        from kadertoets.infra.paths import bundled_assessments
        return bundled_assessments()
    except ImportError:  # not installed: the worktree's own copy
        return ROOT / "assessments"


_TEAM_ID = re.compile(r"^(team:\n  id: )([^\n]+)$", re.M)
_TEAM_NAME = re.compile(r"^(team:\n(?:  [^\n]*\n)*?  naam: )\"([^\"\n]*)\"$", re.M)


def real(n: int, folder: Path) -> list[Path]:
    """N copies of the bundled team assessments, each a team of its own (`<id>-<i>`, `<naam> (kopie i)`),
    plus the bundled regional file; returns all files written (N + 1)."""
    src = bundled()
    teams = sorted(p for p in src.glob("*.yaml") if not p.name.startswith("regio"))
    regions = sorted(src.glob("regio*.yaml"))[:1]
    if len(teams) != 7 or not regions:
        sys.exit(f"de meegeleverde assessments in {src} zijn niet de verwachte zeven teams plus een regio")
    texts = [p.read_text(encoding="utf-8") for p in teams]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        k = i % len(texts)
        text, ids = _TEAM_ID.subn(lambda m: f"{m.group(1)}{m.group(2)}-{i:05d}", texts[k], count=1)
        text, names = _TEAM_NAME.subn(lambda m: f'{m.group(1)}"{m.group(2)} (kopie {i})"', text, count=1)
        if ids != 1 or names != 1:
            sys.exit(f"team.id of team.naam niet gevonden in {teams[k]}")
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"{teams[k].stem}-{i:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    region = folder / regions[0].name
    shutil.copyfile(regions[0], region)
    return out + [region]


DATA = {"echt": real, "gegenereerd": generate}
DATA_LABEL = {"echt": "kopieën van de meegeleverde assessments (elk een eigen team) + 1 regiobestand",
              "gegenereerd": "synthetische assessments van bench/generate.py (~3x zo groot als de echte)"}


# ------------------------------------------------------------------ floor --------------------
FLOOR_SCRIPT = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    with open(path, encoding="utf-8") as fh:
        yaml.load(fh.read(), Loader=yaml.CSafeLoader)
"""


def floor(folder: Path, repeats: int) -> float:
    """A fresh process that imports yaml and parses every *.yaml of the folder with yaml.CSafeLoader
    (the best of `repeats` runs; the first also fills the page cache)."""
    import yaml

    if getattr(yaml, "CSafeLoader", None) is None:
        sys.exit("yaml.CSafeLoader ontbreekt (PyYAML zonder libyaml); de vloer is dan niet te meten.")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(folder)], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


# ------------------------------------------------------------------ memory -------------------
def _tree(pid: int) -> list[int]:
    """pid and all its descendants (through /proc/<pid>/task/<tid>/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _rss_pss(pid: int) -> tuple[int, int]:
    """Resident and proportional set size of one process, in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            rss = int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0, 0
    pss = rss
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Samples, every SAMPLE_EVERY seconds while the process runs, the sum of RSS and of PSS over the
    process and its descendants; keeps the largest sums."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.rss, self.pss, self.processes = pid, 0, 0, 1
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            pids = _tree(self.pid)
            sizes = [_rss_pss(p) for p in pids]
            self.rss = max(self.rss, sum(r for r, _ in sizes))
            self.pss = max(self.pss, sum(p for _, p in sizes))
            self.processes = max(self.processes, len(pids))
            self.done.wait(SAMPLE_EVERY)


# ------------------------------------------------------------------ runs ---------------------
def environment(cache: Path, pycache: Path) -> dict:
    """As an installed `kader` runs: with compiled bytecode (pip compiles it on install; here a
    bytecode folder of this run, filled by a first call), and with the given cache folder."""
    env = dict(os.environ, KADERTOETS_CACHE_DIR=str(cache), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(what: str, folder: Path, cache: Path, pycache: Path, out: Path, timeout: float) -> dict:
    """One `kader` run as a fresh process: its time, exit code and peak memory (tree and single process)."""
    _, command, extra = RUNS[what]
    if "--formaat" in extra:  # JSON to a file, as a consumer of it gets it (atomic write included)
        out.unlink(missing_ok=True)
        extra = [*extra, "-o", str(out)]
    cmd = [sys.executable, str(MEASURE), command, str(folder), *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=environment(cache, pycache), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    mem = TreeMemory(proc.pid)
    mem.start()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # our own child's session: kader and its workers
        proc.communicate()
        mem.done.set()
        return {"time": None, "tree_rss": mem.rss, "tree_pss": mem.pss, "single": 0, "processes": mem.processes}
    took = time.perf_counter() - start
    mem.done.set()
    mem.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"kader {command} faalde (exitcode {proc.returncode}):\n{err[-2000:]}")
    single = 0
    for line in err.splitlines():
        if line.startswith("MEASURE "):
            m = json.loads(line[len("MEASURE "):])
            single = max(m.get("self_kb", 0), m.get("worker_kb", 0)) * 1024
    return {"time": took, "tree_rss": max(mem.rss, single), "tree_pss": max(mem.pss, single), "single": single,
            "processes": mem.processes}


def cold_warm(what: str, folder: Path, work: Path, pycache: Path, n: int, timeout: float) -> tuple[dict, dict]:
    cache = work / f"cache-{what}"
    colds, warms = [], []
    for _ in range(SMALL_REPEATS if n <= SMALL else 1):  # small N: best of several (a noisy machine)
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(run(what, folder, cache, pycache, work / "uit.json", timeout))
        warms.append(run(what, folder, cache, pycache, work / "uit.json", timeout))
    shutil.rmtree(cache, ignore_errors=True)
    best = lambda rs: min(rs, key=lambda r: float("inf") if r["time"] is None else r["time"])  # noqa: E731
    return best(colds), best(warms)


def warm_up_bytecode(work: Path, pycache: Path, whats) -> None:
    """Fill the bytecode folder as pip does on install: one run in every code path a measured run takes
    (serial and parallel), so that no measured run compiles modules."""
    folder = work / "opwarmen"
    files = real(60, folder)
    for what in whats:
        for target in (folder, files[0]):  # parallel, and serial
            _, command, extra = RUNS[what]
            for cache_flag in (["--geen-cache"], []):
                extra_out = ["-o", str(work / "opwarmen.json"), "--overschrijf"] if "--formaat" in extra else []
                subprocess.run([sys.executable, str(MEASURE), command, str(target), *extra, *extra_out, *cache_flag],
                               env=environment(work / "cache-opwarmen", pycache),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(work / "cache-opwarmen", ignore_errors=True)


# ------------------------------------------------------------------ report -------------------
def _s(t: float | None) -> str:
    return "    > max" if t is None else f"{t:>8.2f}s"


def _x(t: float | None, ref: float) -> str:
    return "      -" if t is None else f"{t / ref:>6.2f}x"


def _ms(t: float | None, n: int) -> str:
    return "     -" if t is None else f"{1000 * t / n:>6.2f}"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="15,1500,15000", help="komma-gescheiden aantallen (team)bestanden")
    ap.add_argument("--data", default="echt", help="echt (kopieën van de meegeleverde assessments), gegenereerd, "
                                                   "of beide: echt,gegenereerd")
    ap.add_argument("--alleen", default="text,json,trend", help="wat te meten: text, json, trend (komma-gescheiden)")
    ap.add_argument("--zonder-trend", action="store_true", help="meet kader trend niet")
    ap.add_argument("--max-tijd", type=float, default=600, help="seconden per run; daarna afgebroken (> max)")
    ap.add_argument("--keep", type=Path, help="werkmap (blijft staan)")
    args = ap.parse_args(argv)
    sizes = [int(x.replace("_", "").replace(".", "")) for x in args.sizes.split(",") if x.strip()]
    datas = [d.strip() for d in args.data.split(",") if d.strip()]
    whats = [w.strip() for w in args.alleen.split(",") if w.strip() and not (args.zonder_trend and w.strip() == "trend")]
    for d in datas:
        if d not in DATA:
            ap.error(f"onbekende --data {d!r}: kies uit {', '.join(DATA)}")
    for w in whats:
        if w not in RUNS:
            ap.error(f"onbekend in --alleen: {w!r}: kies uit {', '.join(RUNS)}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kadertoets-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pycache = work / "bytecode"
    print(f"Machine: {cores()} cores, Python {sys.version.split()[0]}.")
    print("Vloer: een nieuw proces dat yaml importeert en dezelfde bestanden (*.yaml, het regiobestand inbegrepen) "
          "inleest met yaml.CSafeLoader; alle verhoudingen zijn ten opzichte daarvan.")
    print(f"Geheugen: piek van de hele procesboom (kader + werkers), elke {int(SAMPLE_EVERY * 1000)} ms gemeten in /proc; "
          "'som RSS' telt gedeelde pagina's van de geforkte werkers dubbel (bovengrens), 'som PSS' deelt ze "
          "(werkelijk beslag).")
    print("koud = lege cache, warm = dezelfde run opnieuw; elk een nieuw proces met gecompileerde bytecode; "
          "json wordt met -o naar een bestand geschreven, tekst naar een pijp.", flush=True)
    warm_up_bytecode(work, pycache, whats)
    rows = []
    try:
        for data in datas:
            print(f"\nData: {DATA_LABEL[data]}")
            print(f"{'N':>6} {'vloer':>8} {'wat':<12} {'koud':>9} {'warm':>9} {'koud/vl':>7} {'warm/vl':>7} "
                  f"{'ms/best koud':>12} {'ms/best warm':>12} {'som RSS MB':>10} {'som PSS MB':>10} {'procs':>5}",
                  flush=True)
            for n in sizes:
                folder = work / f"{data}-{n}"
                shutil.rmtree(folder, ignore_errors=True)
                DATA[data](n, folder)
                t_floor = floor(folder, SMALL_REPEATS if n <= SMALL else 2)
                for what in whats:
                    cold, warm = cold_warm(what, folder, work, pycache, n, args.max_tijd)
                    rss = max(cold["tree_rss"], warm["tree_rss"]) / 2**20
                    pss = max(cold["tree_pss"], warm["tree_pss"]) / 2**20
                    procs = max(cold["processes"], warm["processes"])
                    rows.append(dict(data=data, n=n, what=what, floor=t_floor, cold=cold["time"], warm=warm["time"],
                                     rss=rss, pss=pss))
                    print(f"{n:>6} {t_floor:>7.2f}s {RUNS[what][0]:<12} {_s(cold['time'])} {_s(warm['time'])} "
                          f"{_x(cold['time'], t_floor)} {_x(warm['time'], t_floor)} {_ms(cold['time'], n):>12} "
                          f"{_ms(warm['time'], n):>12} {rss:>10.0f} {pss:>10.0f} {procs:>5}", flush=True)
                if not args.keep:
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\nDoelen (issue 14, bij N=1500, echte data): sweep tekst koud <= 1.0x en warm <= 0.25x de vloer; "
          "json koud <= 1.5x en warm <= 0.5x; trend hoogstens ~2x de sweep; piekgeheugen van de hele boom < 200 MB "
          "bij N=15000; kosten per bestand vlak van 15 tot 15000.")
    limits = {"text": (1.0, 0.25), "json": (1.5, 0.5)}
    for r in rows:
        if r["cold"] is None or r["warm"] is None:
            print(f"  {r['data']} N={r['n']} {RUNS[r['what']][0]}: afgebroken na {args.max_tijd:.0f} s")
            continue
        verdict = ""
        if r["n"] == 1500 and r["what"] in limits:
            lc, lw = limits[r["what"]]
            verdict = "  " + ("gehaald" if r["cold"] / r["floor"] <= lc and r["warm"] / r["floor"] <= lw else
                              f"NIET gehaald (doel {lc}x / {lw}x)")
        if r["what"] == "trend":
            sweep = next((s for s in rows if s["data"] == r["data"] and s["n"] == r["n"] and s["what"] == "text"), None)
            if sweep and sweep["cold"] and sweep["warm"]:
                verdict = f"  trend/sweep koud {r['cold'] / sweep['cold']:.1f}x, warm {r['warm'] / sweep['warm']:.1f}x"
        mem = f", piek {r['pss']:.0f} MB (som PSS) / {r['rss']:.0f} MB (som RSS)"
        if r["n"] >= 15000:
            mem += ": " + ("< 200 MB" if r["rss"] < 200 else "som RSS >= 200 MB" + (", som PSS < 200 MB" if r["pss"] < 200 else ""))
        print(f"  {r['data']} N={r['n']} {RUNS[r['what']][0]}: koud {r['cold'] / r['floor']:.2f}x, "
              f"warm {r['warm'] / r['floor']:.2f}x{mem}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
