"""Sweep at scale: the parse cache, parallel parsing, --geen-cache and the benchmark generator."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets.sweep import cache
from kadertoets.model import Status
from kadertoets.sweep.sweep import load_sweep
from conftest import ROOT, make_corpus

ASSESSMENTS = ROOT / "assessments"
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402


def fingerprint(sweep):
    """Everything a renderer can see, as comparable data."""
    evs = [(ev.assessment, ev.as_of, ev.engine, ev.findings) for ev in sweep.all_evaluations]
    return (evs, [ev.assessment.file for ev in sweep.evaluations], sweep.invalid,
            [ev.assessment.file for ev in sweep.superseded])


@pytest.fixture
def corpus(tmp_path):
    """The bundled examples, a broken file, an unknown field (line-located) and synthetic teams."""
    folder = make_corpus(tmp_path / "corpus")
    generate.generate(24, folder / "synthetisch")
    return folder


def _rows(folder: Path, table: str) -> list[tuple[str, bytes]]:
    db = folder / cache.DB_NAME
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        return sorted(conn.execute(f"SELECT key, data FROM {table}"))


def entries(folder: Path):
    """Parse-cache entries (parsed trees): (key, bytes)."""
    return _rows(folder, "trees")


def records(folder: Path):
    """Evaluation records: (key, bytes)."""
    return _rows(folder, "records")


def overwrite(folder: Path, table: str, key: str, data: bytes) -> None:
    with closing(sqlite3.connect(folder / cache.DB_NAME)) as conn, conn:
        conn.execute(f"UPDATE {table} SET data = ? WHERE key = ?", (data, key))


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
    overwrite(cache_dir, "trees", stored[0][0], b"geen pickle")
    overwrite(cache_dir, "trees", stored[1][0], b"")
    overwrite(cache_dir, "trees", stored[2][0], stored[2][1][:40])  # truncated
    key, good = stored[3]
    flipped = good[:-30] + bytes([good[-30] ^ 1]) + good[-29:]  # one bit off: still a pickle, maybe of a wrong tree
    overwrite(cache_dir, "trees", key, flipped)
    with closing(sqlite3.connect(cache_dir / cache.DB_NAME)) as conn, conn:
        conn.execute("DELETE FROM records")  # so the sweep goes back to the parsed trees
    assert fingerprint(load_sweep([corpus])) == expected
    assert dict(entries(cache_dir))[stored[0][0]] == stored[0][1]  # overwritten with a good entry
    assert dict(entries(cache_dir))[key] == good  # the checksum caught the flipped bit


def test_corrupt_database_file_is_replaced(corpus, cache_dir):
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])
    db = cache_dir / cache.DB_NAME
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(b"dit is geen database" * 100)
    assert fingerprint(load_sweep([corpus])) == expected
    assert len(records(cache_dir)) == 7 + 24  # a new database, filled again
    assert fingerprint(load_sweep([corpus])) == expected


def test_unwritable_cache_folder_changes_nothing(corpus, tmp_path, monkeypatch):
    """A cache folder that cannot be made (under a file: ENOTDIR) or that denies access (EACCES, for
    real, also as root: see no_access): the results of use_cache=False, and one warning saying why."""
    from kadertoets.infra.errors import os_reason
    from test_cache_safety import no_access

    expected = fingerprint(load_sweep([corpus], use_cache=False))
    blocked = tmp_path / "bestand"
    blocked.write_text("geen map", encoding="utf-8")
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(blocked / "cache"))  # under a file: cannot be made
    result = load_sweep([corpus])
    assert fingerprint(result) == expected
    assert len(result.warnings) == 1 and f"({os_reason(NotADirectoryError(errno.ENOTDIR, ''))})" in result.warnings[0]
    closed = tmp_path / "dicht"
    closed.mkdir()
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(closed / "cache"))
    with no_access([(closed, 0)], closed=[closed]):
        result = load_sweep([corpus])
    assert fingerprint(result) == expected
    assert len(result.warnings) == 1 and "(geen toegang)" in result.warnings[0]


def test_warm_sweep_neither_parses_nor_evaluates(corpus, cache_dir, monkeypatch):
    import kadertoets.sweep.sweep as sweep_module

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
    overwrite(cache_dir, "records", stored[0][0], b"geen record")
    overwrite(cache_dir, "records", stored[1][0], b"")
    overwrite(cache_dir, "records", stored[2][0], stored[2][1][:40])  # truncated
    key, good = stored[3]
    overwrite(cache_dir, "records", key, good[:16] + good[17:] + b"x")  # one byte off: the checksum fails
    assert fingerprint(load_sweep([corpus])) == expected
    assert fingerprint(load_sweep([corpus], parallel_threshold=1)) == expected
    now = dict(records(cache_dir))
    assert now[stored[0][0]] == stored[0][1]  # overwritten with a good record
    assert now[key] == good


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


def test_discovery_follows_links_once_and_survives_a_loop(tmp_path, cache_dir):
    folder = tmp_path / "regio"
    shutil.copytree(ASSESSMENTS, folder / "echt")
    (folder / "echt" / "lus").symlink_to(folder, target_is_directory=True)  # a loop back up
    (folder / "ook-bunschoten.yaml").symlink_to(folder / "echt" / "bunschoten-2023-03.yaml")  # the same file twice
    result = load_sweep([folder, folder / "echt" / "bunschoten-2023-03.yaml"])
    assert not result.invalid  # the same file is read once, so no "two files, same team and peildatum"
    assert len(result.evaluations) == 7



def test_workers_never_use_a_kader_of_an_earlier_sweep(tmp_path, cache_dir):
    """The parent loads the Kader before the workers start (they inherit it); after the Kader changed,
    or stopped loading, the next parallel sweep must not hand the workers the old one."""
    kdir = kader_copy(tmp_path)
    before = load_sweep([ASSESSMENTS], kader_dir=kdir, parallel_threshold=1, use_cache=False)
    rule = kdir / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    norm = "    veld: veiligheid.aandachtsfunctionarissen\n    min: 1\n"
    rule.write_text(text.replace(norm, norm.replace("min: 1", "min: 1000")), encoding="utf-8")
    changed = load_sweep([ASSESSMENTS], kader_dir=kdir, parallel_threshold=1, use_cache=False)
    assert statuses(changed) == statuses(load_sweep([ASSESSMENTS], kader_dir=kdir, use_cache=False,
                                                    parallel_threshold=10_000))
    assert statuses(changed) != statuses(before)
    rule.write_text(text.replace("titel:", "titel_kapot:", 1), encoding="utf-8")  # does not load any more
    broken = load_sweep([ASSESSMENTS], kader_dir=kdir, parallel_threshold=1, use_cache=False)
    assert not broken.evaluations and broken.invalid
