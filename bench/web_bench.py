"""Benchmark `kader serve` with 20 users at once against the in-process evaluation, in one run.

The data: the bundled assessments at their real size, one team per user (20 by default), each a copy
of one of the seven bundled teams under an id of its own (so that one user's saves never collide with
another's), and the bundled regional file. The server: the installed `kader serve` on a free port, as
a user starts it (its own process, its own cache folder, the token from its first line of output).
Every user is a thread with its own keep-alive connection (http.client) and the token as Bearer; a
round is, in a rotating order (user i starts at route i), the start page, its team page, its
questionnaire, GET /api/teams/<id> (the ETag), GET /api/regio and PUT /api/teams/<id>/feiten with that
ETag as If-Match (a changed value, so every save writes: the history copy and the atomic replace).
A 412 or any status other than 200 is counted, not hidden.

The floor is measured in this process, on the same files, in the same run (before and after the load,
with the server's warm cache folder): `check_file` of a team's assessment (what `kader check` does) for
the routes about one team, and `load_sweep` of the whole folder (what `kader sweep` does) for the start
page and the region. First one user alone (what a request costs without waiting), then all users
together; per route the median and the 95th percentile of the response time, their ratio to the
floor, and the throughput (requests per second, and the server's CPU time per request).

    python bench/web_bench.py [--users 20] [--rounds 5] [--json]

A benchmark, not a test: exit code 0 whatever the figures; 2 when the server does not start or a
request fails in a way a user would see as an error (a status other than 200 and 412, a broken
connection).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROUTES = ("start", "team", "vragenlijst", "api team", "api regio", "api opslaan")
FLOOR_OF = {"start": "load_sweep", "team": "check_file", "vragenlijst": "check_file", "api team": "check_file",
            "api regio": "load_sweep", "api opslaan": "check_file"}
FLOOR_REPEATS = 15  # per floor, before and after the load: the median of all
START_TIMEOUT = 60


# ------------------------------------------------------------------ data -----------------------------
def build_data(folder: Path, users: int) -> list[str]:
    """One team per user, copied from the bundled teams in turn, and the regional file; returns the ids."""
    from kadertoets.infra.paths import bundled_assessments

    source = bundled_assessments()
    teams = sorted(p for p in source.glob("*.yaml") if not p.name.startswith("regio"))
    for regional in source.glob("regio*.yaml"):
        shutil.copy(regional, folder / regional.name)
    ids = []
    for n in range(users):
        text = teams[n % len(teams)].read_text(encoding="utf-8")
        old = re.search(r"^  id: (\S+)$", text, re.M)
        name = re.search(r"^  naam: (.+)$", text, re.M)
        if old is None or name is None:
            sys.exit(f"{teams[n % len(teams)]}: geen team.id of team.naam gevonden om te kopiëren")
        team_id = f"{old.group(1)}-{n + 1:02d}"
        text = text.replace(old.group(0), f"  id: {team_id}", 1)
        text = text.replace(name.group(0), f"  naam: {json.dumps(f'{name.group(1).strip(chr(34))} ({n + 1})', ensure_ascii=False)}", 1)
        (folder / f"{team_id}-{teams[n % len(teams)].stem.split('-', 1)[1]}.yaml").write_text(text, encoding="utf-8")
        ids.append(team_id)
    return ids


# ------------------------------------------------------------------ the floor ------------------------
def floors(folder: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds of `check_file` (each team's file in turn) and of `load_sweep` (the folder), in this process."""
    from kadertoets.sweep.run import check_file
    from kadertoets.sweep.sweep import load_sweep

    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("regio"))
    out: dict[str, list[float]] = {"check_file": [], "load_sweep": []}
    load_sweep((folder,), None, None, None)  # a changed file is evaluated once, as the server's first request does
    for r in range(repeats):
        start = time.perf_counter()
        check_file(files[r % len(files)], None)
        out["check_file"].append(time.perf_counter() - start)
        start = time.perf_counter()
        load_sweep((folder,), None, None, None)
        out["load_sweep"].append(time.perf_counter() - start)
    return out


# ------------------------------------------------------------------ the server -----------------------
def kader_command() -> list[str]:
    script = Path(sys.executable).parent / "kader"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kadertoets"]


def start_server(folder: Path, env: dict, log: Path) -> tuple[subprocess.Popen, str, str]:
    with open(log, "wb") as err:
        proc = subprocess.Popen([*kader_command(), "serve", str(folder), "--poort", "0"], stdout=subprocess.PIPE,
                                stderr=err, env=env, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
    first = proc.stdout.readline().strip() if ready else ""
    if "/?token=" not in first:
        proc.kill()
        sys.stderr.write(f"kader serve startte niet: {first!r}\n{log.read_text(errors='replace')[-2000:]}\n")
        sys.exit(2)
    address, token = first.split("/?token=")
    return proc, address, token


def server_cpu(pid: int) -> float | None:
    """User + system CPU seconds of the server process (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------------ the users ------------------------
class User:
    """One person at a browser (or a tool): its own connection, its own team."""

    def __init__(self, address: str, token: str, team_id: str, number: int):
        parts = urlsplit(address)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Authorization": f"Bearer {token}", "Host": f"{parts.hostname}:{parts.port}"}
        self.team_id, self.number = team_id, number
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.etag = None
        self.saves = 0
        self.samples: list[tuple[str, float, int]] = []  # (route, seconds, status)
        self.failures: list[str] = []

    def request(self, route: str, method: str, path: str, body: bytes | None = None, extra: dict | None = None):
        headers = dict(self.headers, **(extra or {}))
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.failures.append(f"{route} {path}: {type(exc).__name__}: {exc}")
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
            return None, b""
        took = time.perf_counter() - start
        self.samples.append((route, took, response.status))
        if response.status not in (200, 412):
            self.failures.append(f"{route} {path}: HTTP {response.status}: {data[:300]!r}")
        return response, data

    def step(self, route: str) -> None:
        t = self.team_id
        if route == "start":
            self.request(route, "GET", "/")
        elif route == "team":
            self.request(route, "GET", f"/team/{t}")
        elif route == "vragenlijst":
            self.request(route, "GET", f"/team/{t}/vragenlijst")
        elif route == "api team":
            response, _ = self.request(route, "GET", f"/api/teams/{t}")
            self.etag = response.getheader("ETag") if response is not None else None
        elif route == "api regio":
            self.request(route, "GET", "/api/regio")
        elif route == "api opslaan":
            self.saves += 1
            body = json.dumps({"algemeen.inwoners": 20_000 + 100 * self.number + self.saves}).encode()
            response, _ = self.request(route, "PUT", f"/api/teams/{t}/feiten", body,
                                       {"Content-Type": "application/json", "If-Match": self.etag or '"geen"'})
            if response is not None and response.status == 200:
                self.etag = response.getheader("ETag")

    def run(self, rounds: int, gate: threading.Barrier | None = None) -> None:
        # the team's current version first (not timed), as a tool reads before it writes: a save that
        # comes before this round's GET names it, so every 412 counted is a real conflict
        self.step("api team")
        self.samples.clear()
        if gate is not None:
            gate.wait()
        order = ROUTES[self.number % len(ROUTES):] + ROUTES[:self.number % len(ROUTES)]
        for _ in range(rounds):
            for route in order:
                self.step(route)
        self.connection.close()


def load(address: str, token: str, team_ids: list[str], users: int, rounds: int) -> tuple[list[User], float]:
    people = [User(address, token, team_ids[n], n) for n in range(users)]
    gate = threading.Barrier(users)
    threads = [threading.Thread(target=u.run, args=(rounds, gate)) for u in people]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return people, time.perf_counter() - start


# ------------------------------------------------------------------ the report -----------------------
def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least p% of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def per_route(people: list[User]) -> dict[str, dict]:
    out = {}
    for route in ROUTES:
        times = [s for u in people for r, s, _ in u.samples if r == route]
        statuses: dict[str, int] = {}
        for u in people:
            for r, _, status in u.samples:
                if r == route:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
        out[route] = {"n": len(times), "median": statistics.median(times) if times else None,
                      "p95": percentile(times, 95) if times else None, "statuses": statuses}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20, help="gelijktijdige gebruikers (elk een eigen team)")
    ap.add_argument("--rounds", type=int, default=5, help="rondes per gebruiker (elk zes verzoeken)")
    ap.add_argument("--json", action="store_true", help="het verslag als JSON")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kadertoets-web-bench-"))
    cache = work / "cache"
    os.environ["KADERTOETS_CACHE_DIR"] = str(cache)  # this process's floor shares the server's cache folder
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    folder = work / "assessments"
    folder.mkdir()
    proc = None
    try:
        team_ids = build_data(folder, args.users)
        proc, address, token = start_server(folder, env, work / "serve.stderr")
        # warm up as a running server is: every route once (the Kader, the cache, the templates)
        warm = User(address, token, team_ids[0], 0)
        warm.run(1)
        if warm.failures:
            sys.stderr.write("\n".join(warm.failures) + "\n")
            return 2
        floor = floors(folder, FLOOR_REPEATS)
        alone, alone_wall = load(address, token, team_ids, 1, args.rounds)
        cpu_before = server_cpu(proc.pid)
        together, wall = load(address, token, team_ids, args.users, args.rounds)
        cpu_after = server_cpu(proc.pid)
        after = floors(folder, FLOOR_REPEATS)
        failures = [f for u in alone + together for f in u.failures]
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    floor = {k: statistics.median(floor[k] + after[k]) for k in floor}
    single, many = per_route(alone), per_route(together)
    requests = sum(r["n"] for r in many.values())
    report = {
        "users": args.users, "rounds": args.rounds, "teams": len(team_ids),
        "floor_ms": {k: 1000 * v for k, v in floor.items()},
        "routes": {route: {"floor": FLOOR_OF[route],
                           "alone_median_ms": 1000 * single[route]["median"],
                           "median_ms": 1000 * many[route]["median"], "p95_ms": 1000 * many[route]["p95"],
                           "ratio_alone": single[route]["median"] / floor[FLOOR_OF[route]],
                           "ratio_median": many[route]["median"] / floor[FLOOR_OF[route]],
                           "ratio_p95": many[route]["p95"] / floor[FLOOR_OF[route]],
                           "statuses": many[route]["statuses"]} for route in ROUTES},
        "requests": requests, "seconds": wall, "per_second": requests / wall,
        "per_second_alone": sum(r["n"] for r in single.values()) / alone_wall,
        "server_cpu_ms_per_request": (1000 * (cpu_after - cpu_before) / requests
                                      if cpu_before is not None and cpu_after is not None else None),
        "failures": failures[:20],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['teams']} teams, {args.users} gebruikers tegelijk, {args.rounds} rondes van zes verzoeken; "
              f"vloer in dit proces: check_file {report['floor_ms']['check_file']:.1f} ms, "
              f"load_sweep {report['floor_ms']['load_sweep']:.1f} ms\n")
        print(f"{'route':<12} {'vloer':<10} {'1 gebr. mediaan':>15} {'mediaan':>9} {'p95':>9} {'1 gebr./vloer':>13} "
              f"{'mediaan/vloer':>13} {'p95/vloer':>10}  statussen")
        for route, r in report["routes"].items():
            print(f"{route:<12} {r['floor']:<10} {r['alone_median_ms']:>12.1f} ms {r['median_ms']:>6.0f} ms "
                  f"{r['p95_ms']:>6.0f} ms {r['ratio_alone']:>12.1f}x {r['ratio_median']:>12.1f}x {r['ratio_p95']:>9.1f}x  "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items())))
        cpu = report["server_cpu_ms_per_request"]
        print(f"\ndoorvoer: {report['per_second']:.1f} verzoeken/s met {args.users} gebruikers "
              f"({report['per_second_alone']:.1f}/s met 1 gebruiker)"
              + (f"; CPU-tijd van de server {cpu:.1f} ms per verzoek" if cpu is not None else ""))
        if failures:
            print("\nfouten:\n  " + "\n  ".join(failures[:20]))
    return 2 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
