"""bench/startup_bench.py runs (one round, with the import list and the phases) and reports the
figures the README quotes: the floor, kader check and their ratio."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_the_startup_benchmark_runs_and_reports_the_ratio():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "startup_bench.py"), "--rounds", "1", "--imports", "3",
                           "--phases", "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {"vloer", "python -m kadertoets check"} <= set(report["seconds"])
    assert report["ratio"]["python -m kadertoets check"]["median"] > 1
    assert report["imports_ms"][0][0] == "(samen)" and len(report["imports_ms"]) == 4
    assert isinstance(report["phases_ms"], dict) and "import kadertoets.cli" in report["phases_ms"], report["phases_ms"]
