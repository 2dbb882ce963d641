"""The sweep cache stays bounded: databases of other cache versions (pickles, up to version 3) are
removed, and a database over its size limit is started anew; results never change."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from kadertoets.sweep import cache as cache_module
from kadertoets.sweep.sweep import load_sweep


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    return folder


def verdicts(sweep):
    return [(ev.assessment.team.id, [(f.rule_id, f.status.value, f.reason) for f in ev.findings])
            for ev in sweep.evaluations]


def test_databases_of_other_cache_versions_are_removed(cache_dir):
    cache_dir.mkdir()
    old = ["kadertoets-3.sqlite3", "kadertoets-3.sqlite3-wal", "kadertoets-2.sqlite3-shm", "kadertoets-1.sqlite3"]
    for name in old:
        (cache_dir / name).write_bytes(b"oude pickles")
    (cache_dir / "iets-anders.txt").write_text("van de gebruiker", encoding="utf-8")
    load_sweep([ROOT / "assessments"], ROOT)
    names = sorted(p.name for p in cache_dir.iterdir())
    assert not set(old) & set(names)
    assert "iets-anders.txt" in names and cache_module.DB_NAME in names


def test_a_database_over_the_limit_is_started_anew(cache_dir, monkeypatch):
    expected = verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False))
    assert verdicts(load_sweep([ROOT / "assessments"], ROOT)) == expected
    db = cache_dir / cache_module.DB_NAME
    size = db.stat().st_size
    assert size > 0
    monkeypatch.setattr(cache_module, "MAX_DB_BYTES", size - 1)
    assert verdicts(load_sweep([ROOT / "assessments"], ROOT, as_of=__import__("datetime").date(2024, 1, 1))) \
        == verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False, as_of=__import__("datetime").date(2024, 1, 1)))
    assert db.stat().st_size <= size  # started anew: only this sweep's entries


def test_a_link_named_like_an_old_database_is_left_alone(cache_dir, tmp_path):
    cache_dir.mkdir()
    target = tmp_path / "doel.txt"
    target.write_text("blijft", encoding="utf-8")
    (cache_dir / "kadertoets-3.sqlite3").symlink_to(target)
    load_sweep([ROOT / "assessments"], ROOT)
    assert target.read_text(encoding="utf-8") == "blijft"
