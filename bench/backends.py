"""Benchmark: evaluating the shipped assessments with the python and the durable backend.

Measured in one run on the same machine, so the figure that matters is the ratio, not the
seconds (these machines are noisy). Loading and parsing are done once, outside the timing.

    python3 bench/backends.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kadertoets.evaluate.backends import get_backend  # noqa: E402
from kadertoets.infra.errors import KaderFout  # noqa: E402
from kadertoets.evaluate.evaluation import evaluate  # noqa: E402
from kadertoets.sweep.run import load_for_assessment  # noqa: E402


def time_backend(backend, loaded, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for assessment, kader in loaded:
            evaluate(kader, assessment, assessment.reference_date, backend)
        samples.append((time.perf_counter() - start) / len(loaded))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    files = sorted((ROOT / "assessments").glob("*.yaml"))
    loaded = [load_for_assessment(p, ROOT, None) for p in files]
    python = get_backend("python")
    time_backend(python, loaded, 5)  # warm up
    py = statistics.median(time_backend(python, loaded, args.rounds))
    print(f"python : {py * 1e3:8.3f} ms per assessment ({len(files)} assessments, {args.rounds} rondes, mediaan)")
    try:
        durable = get_backend("durable")
    except KaderFout as exc:
        print(f"durable: niet gemeten ({exc.render()})")
        return 0
    time_backend(durable, loaded, 5)  # warm up: compiles the rulesets once
    du = statistics.median(time_backend(durable, loaded, args.rounds))
    print(f"durable: {du * 1e3:8.3f} ms per assessment")
    print(f"verhouding durable/python: {du / py:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
