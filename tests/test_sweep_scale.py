"""Sweep at scale: the parse cache, parallel parsing, --geen-cache and the benchmark generator."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import cache
from engine.model import Status
from engine.sweep import load_sweep

ROOT = Path(__file__).resolve().parent.parent
ASSESSMENTS = ROOT / "assessments"
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402


def fingerprint(sweep):
    """Everything a renderer can see, as comparable data."""
    evs = [(ev.assessment, ev.as_of, ev.engine, ev.findings) for ev in sweep.all_evaluations]
    return (evs, [ev.assessment.file for ev in sweep.evaluations], sweep.invalid,
            [ev.assessment.file for ev in sweep.superseded])


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def corpus(tmp_path):
    """The bundled examples, a broken file, an unknown field (line-located) and synthetic teams."""
    folder = tmp_path / "corpus"
    shutil.copytree(ASSESSMENTS, folder / "echt")
    (folder / "kapot.yaml").write_text("kader: '1.0'\npeildatum: [\n", encoding="utf-8")
    text = (ASSESSMENTS / "baarn-2023-03.yaml").read_text(encoding="utf-8")
    (folder / "onbekend-veld.yaml").write_text(text.replace("feiten:\n", "feiten:\n  bestaat.niet: 3\n", 1),
                                                encoding="utf-8")
    generate.generate(24, folder / "synthetisch")
    return folder


def entries(folder: Path):
    return sorted(folder.rglob("*.pickle")) if folder.exists() else []


def test_cache_hit_gives_identical_results(corpus, cache_dir):
    plain = load_sweep([corpus], use_cache=False)
    assert not entries(cache_dir)
    cold = load_sweep([corpus])
    stored = entries(cache_dir)
    assert len(stored) == 7 + 1 + 24  # every parsable file; the broken YAML is not cached
    warm = load_sweep([corpus])
    assert fingerprint(plain) == fingerprint(cold) == fingerprint(warm)
    # error messages keep their lines through the cache
    located = [p for i in warm.invalid for p in i.problems if "bestaat.niet" in p.render()]
    assert located and located[0].line is not None


def test_corrupt_or_empty_cache_entry_is_parsed_again(corpus, cache_dir):
    expected = fingerprint(load_sweep([corpus]))
    stored = entries(cache_dir)
    stored[0].write_bytes(b"geen pickle")
    stored[1].write_bytes(b"")
    stored[2].write_bytes(stored[2].read_bytes()[:40])  # truncated
    assert fingerprint(load_sweep([corpus])) == expected
    assert stored[0].read_bytes() != b"geen pickle"  # overwritten with a good entry


def test_changed_file_is_not_served_from_cache(tmp_path, cache_dir):
    path = tmp_path / "team.yaml"
    shutil.copy(ASSESSMENTS / "eemnes-2023-03.yaml", path)
    before = load_sweep([path])
    path.write_text(path.read_text(encoding="utf-8").replace("peildatum: 2023-03-01", "peildatum: 2023-04-01"),
                    encoding="utf-8")
    after = load_sweep([path])
    assert before.evaluations[0].assessment.reference_date.month == 3
    assert after.evaluations[0].assessment.reference_date.month == 4


def test_geen_cache_writes_nothing(corpus, cache_dir):
    from cli import main

    result = CliRunner().invoke(main, ["sweep", str(corpus), "--geen-cache", "--format", "json"])
    assert result.exit_code == 2, result.output  # the broken files
    assert not cache_dir.exists() or not any(cache_dir.rglob("*"))
    result = CliRunner().invoke(main, ["trend", str(corpus), "--geen-cache", "--format", "json"])
    assert result.exit_code == 2
    assert not cache_dir.exists() or not any(cache_dir.rglob("*"))
    result = CliRunner().invoke(main, ["sweep", str(corpus), "--format", "json"])
    assert entries(cache_dir)


@pytest.mark.parametrize("use_cache", [False, True])
def test_parallel_and_serial_give_identical_results_in_order(corpus, cache_dir, use_cache):
    serial = load_sweep([corpus], use_cache=use_cache, parallel_threshold=10_000)
    parallel = load_sweep([corpus], use_cache=use_cache, parallel_threshold=1)
    assert fingerprint(serial) == fingerprint(parallel)
    assert [ev.assessment.file for ev in serial.all_evaluations] == \
        [ev.assessment.file for ev in parallel.all_evaluations]


def test_parse_all_keeps_order_with_workers(corpus, cache_dir):
    from engine.parallel import parse_all

    files = sorted(corpus.rglob("*.yaml"))
    items = [(p, p.name) for p in files]
    out = list(parse_all(items, use_cache=False, progress=False, threshold=0, workers=2))
    assert [i for i, _ in out] == items
    assert sum(1 for _, (kind, _) in out if kind == "fout") == 1


def test_cache_folder_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("KADERTOETS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "kadertoets"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(tmp_path / "eigen"))
    assert cache.cache_dir() == tmp_path / "eigen"


def test_generator_is_valid_deterministic_and_covers_every_status(tmp_path, cache_dir):
    files = generate.generate(30, tmp_path / "a")
    again = generate.generate(30, tmp_path / "b")
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in again]
    sizes = [f.stat().st_size for f in files]
    assert 5_000 < sum(sizes) / len(sizes) < 12_000
    result = load_sweep([tmp_path / "a"], use_cache=False)
    assert not result.invalid
    assert len(result.all_evaluations) == 30 and len(result.evaluations) == 10  # three peildata per team
    seen = {f.status for ev in result.all_evaluations for f in ev.findings}
    assert seen == set(Status)
