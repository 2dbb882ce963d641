"""Generate N synthetic but valid assessments for benchmarking `kader sweep` / `kader trend`.

Deterministic (seeded). Every fact is drawn from the questions of kader/vragen-1.0.yaml (right type,
within minimum/maximum, a valid choice), some facts are left out (onbekend), some teams lack the
jeugd or Wmo task (nvt), and the long form with toelichting and bewijs brings a file to ~8 KB.

    python bench/generate.py N FOLDER [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "kader" / "vragen-1.0.yaml"
TARGET_BYTES = 8000

WORDS = ("team wijk gemeente jeugd wmo toegang triage regie casus gezin afspraak overleg zorg "
         "veiligheid netwerk inwoner ondersteuning evaluatie plan bron verslag bijlage stand maart").split()


def questions() -> dict:
    with open(QUESTIONS, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["vragen"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _value(rng: random.Random, q: dict, day: dt.date):
    t = q["type"]
    lo, hi = q.get("minimum"), q.get("maximum")
    if t == "ja_nee":
        return rng.random() < 0.5
    if t == "keuze":
        return rng.choice(q["waarden"])
    if t == "meerkeuze":
        vals = list(q["waarden"])
        return sorted(rng.sample(vals, rng.randint(0, len(vals))), key=vals.index)
    if t == "geheel_getal":
        lo = 0 if lo is None else int(lo)
        hi = lo + rng.choice((5, 50, 500, 50000)) if hi is None else int(hi)
        return rng.randint(lo, hi)
    if t == "getal":
        lo = 0.0 if lo is None else float(lo)
        hi = lo + rng.choice((1.0, 10.0, 100.0)) if hi is None else float(hi)
        return round(rng.uniform(lo, hi), 1)
    if t == "datum":
        return day - dt.timedelta(days=rng.randint(0, 1500))
    if t == "tekst":
        return _sentence(rng, rng.randint(4, 12))
    raise ValueError(f"onbekend type {t}")


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)  # a double-quoted YAML string


def assessment(i: int, qs: dict, rng: random.Random) -> str:
    """The text of synthetic assessment number i."""
    team = f"team-{i // 3:05d}"  # three peildata per team: the sweep keeps the latest, trend uses all
    day = dt.date(2023, 3, 1) + dt.timedelta(days=120 * (i % 3))
    jeugd, wmo = rng.random() > 0.1, rng.random() > 0.1
    lines = [
        'kader: "1.0"',
        f"peildatum: {day.isoformat()}",
        "team:",
        f"  id: {team}",
        f'  naam: "Synthetisch team {i // 3}"',
        f"  gemeente: Gemeente {(i // 3) % 350:03d}",
        f"  organisatie: Organisatie {(i // 3) % 40:02d}",
        f"  taken: {{jeugd: {_scalar(jeugd)}, wmo: {_scalar(wmo)}}}",
        "ingevuld_door:",
        f'  naam: "Invuller {i}"',
        f"  datum: {day.isoformat()}",
        "feiten:",
    ]
    size = sum(len(x) + 1 for x in lines)
    names = list(qs)
    known = rng.uniform(0.55, 0.95)  # share of facts filled in; the rest stays onbekend
    for name in names:
        if rng.random() > known:
            continue
        value = _scalar(_value(rng, qs[name], day))
        if size > TARGET_BYTES * 0.9 or rng.random() < 0.3:
            block = [f"  {name}: {value}"]
        else:
            block = [f"  {name}:", f"    waarde: {value}",
                     f"    toelichting: {json.dumps(_sentence(rng, rng.randint(6, 16)), ensure_ascii=False)}",
                     f'    bewijs: "S0 Bijlage, {rng.choice(WORDS)} {rng.randint(1, 40)}"']
        lines += block
        size += sum(len(x) + 1 for x in block)
    return "\n".join(lines) + "\n"


def generate(n: int, folder: Path, seed: int = 20230301) -> list[Path]:
    folder = Path(folder)
    qs = questions()
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)  # per file: any prefix of N files is the same
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"assessment-{i:06d}.yaml"
        path.write_text(assessment(i, qs, rng), encoding="utf-8")
        out.append(path)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--seed", type=int, default=20230301)
    args = ap.parse_args(argv)
    files = generate(args.n, args.folder, args.seed)
    print(f"{len(files)} assessments in {args.folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
