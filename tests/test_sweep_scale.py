"""Sweep at scale: the parse cache, parallel parsing, --geen-cache and the benchmark generator."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import cache
from engine.model import Status
from engine.sweep import RECORDS, load_sweep

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
    """Parse-cache entries (parsed trees)."""
    return sorted(p for p in folder.rglob("*.pickle") if RECORDS not in p.parts) if folder.exists() else []


def records(folder: Path):
    """Evaluation records."""
    return sorted((folder / RECORDS).rglob("*.pickle")) if (folder / RECORDS).exists() else []


def test_cache_hit_gives_identical_results(corpus, cache_dir):
    plain = load_sweep([corpus], use_cache=False)
    assert not entries(cache_dir)
    cold = load_sweep([corpus])
    stored = entries(cache_dir)
    assert len(stored) == 7 + 1 + 24  # every parsable file; the broken YAML is not cached
    assert len(records(cache_dir)) == 7 + 24  # every valid assessment
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
    shutil.rmtree(cache_dir / RECORDS)  # so the sweep goes back to the parsed trees
    assert fingerprint(load_sweep([corpus])) == expected
    assert stored[0].read_bytes() != b"geen pickle"  # overwritten with a good entry


def test_warm_sweep_neither_parses_nor_evaluates(corpus, cache_dir, monkeypatch):
    import engine.sweep as sweep_module

    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])
    calls = []
    real = sweep_module.evaluate
    monkeypatch.setattr(sweep_module, "evaluate", lambda *a: calls.append(a) or real(*a))
    warm = load_sweep([corpus], parallel_threshold=10_000)
    assert fingerprint(warm) == expected
    assert calls == []  # every valid file came from its record


def test_corrupt_or_foreign_record_is_evaluated_again(corpus, cache_dir):
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])
    stored = records(cache_dir)
    stored[0].write_bytes(b"geen record")
    stored[1].write_bytes(b"")
    stored[2].write_bytes(stored[2].read_bytes()[:40])  # truncated
    good = stored[3].read_bytes()
    stored[3].write_bytes(good[:16] + good[17:] + b"x")  # one byte changed: the checksum no longer fits
    assert fingerprint(load_sweep([corpus])) == expected
    assert fingerprint(load_sweep([corpus], parallel_threshold=1)) == expected
    assert stored[0].read_bytes() != b"geen record"  # overwritten with a good record
    assert stored[3].read_bytes() == good


def kader_copy(tmp_path) -> Path:
    folder = tmp_path / "kader-kopie"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


def statuses(sweep):
    return {(ev.assessment.team.id, f.rule_id): f.status for ev in sweep.all_evaluations for f in ev.findings}


def test_changed_kader_is_never_served_from_cache(tmp_path, cache_dir):
    kdir = kader_copy(tmp_path)
    before = load_sweep([ASSESSMENTS], kader_dir=kdir)
    rule = kdir / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    norm = "    veld: veiligheid.aandachtsfunctionarissen\n    min: 1\n"
    assert norm in text
    rule.write_text(text.replace(norm, norm.replace("min: 1", "min: 1000")), encoding="utf-8")  # stricter
    after = load_sweep([ASSESSMENTS], kader_dir=kdir)
    fresh = load_sweep([ASSESSMENTS], kader_dir=kdir, use_cache=False)
    assert statuses(after) == statuses(fresh)
    assert statuses(after) != statuses(before)


def test_as_of_and_engine_are_part_of_the_key(cache_dir):
    import datetime as dt

    on_peildatum = load_sweep([ASSESSMENTS])
    later = load_sweep([ASSESSMENTS], as_of=dt.date(2024, 6, 1))
    assert {ev.as_of for ev in later.evaluations} == {dt.date(2024, 6, 1)}
    assert fingerprint(later) == fingerprint(load_sweep([ASSESSMENTS], as_of=dt.date(2024, 6, 1), use_cache=False))
    assert fingerprint(load_sweep([ASSESSMENTS])) == fingerprint(on_peildatum)


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
