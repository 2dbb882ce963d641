"""The sweep cache stays bounded and results never change: databases of other cache versions
(pickles, up to version 3) are removed, a database file over its size limit is started anew, orphans
(entries of other code, records of a Kader folder's earlier contents) are pruned once not used for
an hour, any entry once not used for MAX_IDLE_DAYS, and above MAX_CACHE_BYTES the least recently used
entries are evicted; pruning is bounded per sweep and never touches what a concurrent sweep needs."""

from __future__ import annotations

import datetime
import shutil
import sqlite3
import sys
import time
from contextlib import closing


from conftest import ROOT
from kadertoets.sweep import cache as cache_module
from kadertoets.sweep import resultcache
from kadertoets.sweep.sweep import load_sweep

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


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
    assert verdicts(load_sweep([ROOT / "assessments"], ROOT, as_of=datetime.date(2024, 1, 1))) \
        == verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False, as_of=datetime.date(2024, 1, 1)))
    assert db.stat().st_size <= size  # started anew: only this sweep's entries


def test_a_link_named_like_an_old_database_is_left_alone(cache_dir, tmp_path):
    cache_dir.mkdir()
    target = tmp_path / "doel.txt"
    target.write_text("blijft", encoding="utf-8")
    (cache_dir / "kadertoets-3.sqlite3").symlink_to(target)
    load_sweep([ROOT / "assessments"], ROOT)
    assert target.read_text(encoding="utf-8") == "blijft"


# ------------------------------------------------------------ pruning and the size limit ----------
# Entries carry the scope they were written in (infra/store.py, in <table>_meta): trees the loader
# version, records the code, the Kader folder and the hash of its files. Tests age entries by moving
# `used` back.
HOUR, DAY = 3600, 86400


def db(folder):
    return closing(sqlite3.connect(folder / cache_module.DB_NAME))


def keys(folder, table):
    with db(folder) as conn:
        return {k for (k,) in conn.execute(f"SELECT key FROM {table}")}


def age(folder, table, seconds):
    with db(folder) as conn, conn:
        conn.execute(f"UPDATE {table}_meta SET used = used - ?", (seconds,))


def plant(folder, table, maker, origin="", generation="", count=3, ago=0, prefix="oud"):
    """Entries as another sweep wrote them `ago` seconds ago, in the scope (maker, origin, generation)."""
    with db(folder) as conn, conn:
        conn.execute("INSERT OR IGNORE INTO scopes (kind, maker, origin, generation, seen) VALUES (?, ?, ?, ?, ?)",
                     (table, maker, origin, generation, int(time.time()) - ago))
        (scope,) = conn.execute("SELECT id FROM scopes WHERE kind = ? AND maker = ? AND origin = ? AND generation = ?",
                                (table, maker, origin, generation)).fetchone()
        names = [f"{prefix}-{maker}-{generation}-{i}" for i in range(count)]
        conn.executemany(f"INSERT INTO {table} (key, data) VALUES (?, x'0001020304')", [(n,) for n in names])
        conn.executemany(f"INSERT INTO {table}_meta (key, scope, used, size) VALUES (?, ?, ?, 5)",
                         [(n, scope, int(time.time()) - ago) for n in names])
    return set(names)


def copy_kader(dest):
    for part in ("kader", "rules"):
        shutil.copytree(ROOT / part, dest / part)
    return dest


def touch_up(kader, comment):
    rule = sorted((kader / "rules").glob("*.yaml"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + comment, encoding="utf-8")


def test_entries_of_other_code_are_pruned_once_not_used_for_an_hour(cache_dir):
    load_sweep([ROOT / "assessments"], ROOT)
    current_trees, current_records = keys(cache_dir, "trees"), keys(cache_dir, "records")
    assert len(current_trees) == len(current_records) == 7
    origin = resultcache.kader_origin(ROOT)
    idle = plant(cache_dir, "records", "oude-code", origin, "oud", ago=2 * HOUR)
    idle |= plant(cache_dir, "trees", "kadertoets-cache/5/OudeLader/3.10", ago=2 * HOUR)
    busy = plant(cache_dir, "records", "andere-installatie", origin, "x", ago=10 * 60, prefix="bezig")
    busy |= plant(cache_dir, "trees", "andere-lader", ago=10 * 60, prefix="bezig")
    assert verdicts(load_sweep([ROOT / "assessments"], ROOT)) == verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False))
    assert keys(cache_dir, "trees") == current_trees | {k for k in busy if "lader" in k}
    assert keys(cache_dir, "records") == current_records | {k for k in busy if "installatie" in k}
    with db(cache_dir) as conn:  # the scope of the pruned entries is forgotten too
        makers = {m for (m,) in conn.execute("SELECT maker FROM scopes")}
    assert "oude-code" not in makers and "andere-installatie" in makers


def test_records_of_earlier_kader_contents_are_pruned_other_kader_folders_kept(cache_dir, tmp_path):
    kader, other = copy_kader(tmp_path / "kader-a"), copy_kader(tmp_path / "kader-b")
    touch_up(other, "# een concept\n")  # other contents (equal contents would share their records)
    load_sweep([ROOT / "assessments"], other)  # a second Kader folder of this user: alive, as far as we know
    load_sweep([ROOT / "assessments"], kader)
    before = keys(cache_dir, "records")
    assert len(before) == 14
    touch_up(kader, "# bijgewerkt\n")  # new contents: the records of the old ones are orphans
    age(cache_dir, "records", 2 * HOUR)
    expected = verdicts(load_sweep([ROOT / "assessments"], kader, use_cache=False))
    assert verdicts(load_sweep([ROOT / "assessments"], kader)) == expected
    after = keys(cache_dir, "records")
    _, scope_b = resultcache.sweep_context(other, None, None, "python")
    _, scope_a = resultcache.sweep_context(kader, None, None, "python")
    with db(cache_dir) as conn:
        by_generation = dict(conn.execute("SELECT r.key, s.generation FROM records_meta r JOIN scopes s ON s.id = r.scope"))
    assert len(after - before) == len(before - after) == 7  # the old contents' 7 went, 7 new came
    assert sorted(by_generation.values()) == sorted([scope_a.generation] * 7 + [scope_b.generation] * 7)
    # the other folder's records go only once they were not used for MAX_IDLE_DAYS
    age(cache_dir, "records", cache_module.MAX_IDLE_DAYS * DAY)
    age(cache_dir, "trees", cache_module.MAX_IDLE_DAYS * DAY)
    load_sweep([ROOT / "assessments"], kader)
    with db(cache_dir) as conn:
        left = {g for (g,) in conn.execute("SELECT s.generation FROM records_meta r JOIN scopes s ON s.id = r.scope")}
    assert left == {scope_a.generation}


def test_the_same_kader_contents_in_a_concurrent_sweep_are_never_pruned(cache_dir, tmp_path):
    """A sweep of the current code reads what it (or a concurrent sweep of it) wrote: same scope,
    whatever as-of date or engine, and it is not pruned however long ago it was used, short of MAX_IDLE_DAYS."""
    day = datetime.date(2024, 1, 1)
    load_sweep([ROOT / "assessments"], ROOT, as_of=day)
    load_sweep([ROOT / "assessments"], ROOT)
    age(cache_dir, "records", (cache_module.MAX_IDLE_DAYS - 1) * DAY)
    age(cache_dir, "trees", (cache_module.MAX_IDLE_DAYS - 1) * DAY)
    stored = keys(cache_dir, "records")
    assert len(stored) == 14
    load_sweep([ROOT / "assessments"], ROOT)
    assert keys(cache_dir, "records") == stored


def test_read_entries_are_marked_used(cache_dir):
    load_sweep([ROOT / "assessments"], ROOT)
    age(cache_dir, "records", 2 * DAY)
    load_sweep([ROOT / "assessments"], ROOT)  # warm: every record read (and marked at most once a day)
    with db(cache_dir) as conn:
        oldest = conn.execute("SELECT min(used) FROM records_meta").fetchone()[0]
    assert oldest >= int(time.time()) - 60
    age(cache_dir, "records", HOUR)
    load_sweep([ROOT / "assessments"], ROOT)  # read again within the day: not written
    with db(cache_dir) as conn:
        assert conn.execute("SELECT max(used) FROM records_meta").fetchone()[0] <= int(time.time()) - HOUR


def test_the_size_limit_evicts_the_least_recently_used(cache_dir, monkeypatch, tmp_path):
    synthetic = tmp_path / "synthetisch"
    generate(6, synthetic)
    load_sweep([ROOT / "assessments"], ROOT)
    with db(cache_dir) as conn, conn:  # every entry of that sweep used at its own time, the oldest first
        order = []
        for table in cache_module.TABLES:
            for i, (key, size) in enumerate(conn.execute(f"SELECT key, size FROM {table}_meta ORDER BY key").fetchall()):
                order.append((table, key, size))
        for i, (table, key, _) in enumerate(order):
            conn.execute(f"UPDATE {table}_meta SET used = ? WHERE key = ?",
                         (int(time.time()) - 3 * HOUR - 60 * (len(order) - i), key))
    load_sweep([synthetic], ROOT)  # recent entries: never evicted
    recent = {(t, k) for t in cache_module.TABLES for k in keys(cache_dir, t)} - {(t, k) for t, k, _ in order}
    with db(cache_dir) as conn:
        total = sum(conn.execute(f"SELECT total(size) FROM {t}_meta").fetchone()[0] for t in cache_module.TABLES)
    evicted = len(order) - 4  # the hysteresis (down to 3/4 of the limit) makes it more than a few
    target = total - sum(size for _, _, size in order[:evicted])
    limit = (target + 1) * 4 // 3 + 1
    excess = total - limit * 3 // 4
    assert sum(size for _, _, size in order[:evicted - 1]) < excess <= total - target and total > limit
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", limit)
    assert load_sweep([synthetic], ROOT).evaluations
    left = {(t, k) for t in cache_module.TABLES for k in keys(cache_dir, t)}
    assert left == {(t, k) for t, k, _ in order[evicted:]} | recent
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 1)  # far too small: all but the recent ones go
    load_sweep([synthetic], ROOT)
    assert {(t, k) for t in cache_module.TABLES for k in keys(cache_dir, t)} == recent
    assert verdicts(load_sweep([ROOT / "assessments"], ROOT)) == verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False))


def test_pruning_is_bounded_per_sweep(cache_dir, monkeypatch):
    load_sweep([ROOT / "assessments"], ROOT)
    orphans = plant(cache_dir, "records", "oude-code", count=7, ago=2 * HOUR)
    monkeypatch.setattr(cache_module, "PRUNE_BATCH", 3)
    left = []
    for _ in range(3):
        load_sweep([ROOT / "assessments"], ROOT)
        left.append(len(keys(cache_dir, "records") & orphans))
    assert left == [4, 1, 0]


def test_pruning_when_the_database_is_busy_waits_for_the_next_sweep(cache_dir, monkeypatch):
    """Another sweep holds the write lock: this one reads the cache, writes and prunes nothing, no warning."""
    load_sweep([ROOT / "assessments"], ROOT)
    orphans = plant(cache_dir, "records", "oude-code", ago=2 * HOUR)
    real = sqlite3.connect
    with db(cache_dir) as other:
        other.execute("BEGIN IMMEDIATE")
        with monkeypatch.context() as patched:  # the store waits 5 s for a lock; here a tenth of a second
            patched.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **{**k, "timeout": 0.1}))
            result = load_sweep([ROOT / "assessments"], ROOT)
        other.execute("ROLLBACK")
    assert result.warnings == ()
    assert verdicts(result) == verdicts(load_sweep([ROOT / "assessments"], ROOT, use_cache=False))
    assert orphans <= keys(cache_dir, "records")
    load_sweep([ROOT / "assessments"], ROOT)
    assert not orphans & keys(cache_dir, "records")


def test_something_else_where_the_cache_should_be_is_named_in_the_warning(tmp_path, monkeypatch):
    """A file where the cache folder should be, or a folder where the database should be: the one
    warning says so, instead of an errno text ('bestaat al', 'geen toegang')."""
    from kadertoets.sweep import cache as cache_module

    blocker = tmp_path / "cachemap"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(blocker))
    result = load_sweep([ROOT / "assessments"], ROOT)
    assert len(result.warnings) == 1 and "is een bestand, geen map" in result.warnings[0], result.warnings
    folder = tmp_path / "echte-map"
    (folder / cache_module.DB_NAME).mkdir(parents=True)
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    result = load_sweep([ROOT / "assessments"], ROOT)
    assert len(result.warnings) == 1 and "staat een map" in result.warnings[0], result.warnings
