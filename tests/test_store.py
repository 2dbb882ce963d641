"""The generic store of checksummed entries (infra/store.py): the one helper both kinds of cache
entry use (parsed trees, evaluation records), and the SQLite store's pruning on its own, with a clock."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing

import pytest

from conftest import ROOT
from kadertoets.infra import store
from kadertoets.infra.store import BadEntry, Limits, Scope, Store, pack, unpack
from kadertoets.sweep import cache, resultcache

LIMIT = 10_000


def test_an_entry_round_trips_with_its_lines_unparsed():
    data = pack(["kop", 1, None, {"a": "\n"}], [b'["regel",1]', b'{"x":2}'])
    assert data[:store.DIGEST] == hashlib.sha256(data[store.DIGEST:]).digest()[:store.DIGEST]
    assert unpack(data, LIMIT) == (["kop", 1, None, {"a": "\n"}], [b'["regel",1]', b'{"x":2}'])
    assert unpack(pack("alleen een kop"), LIMIT) == ("alleen een kop", [])


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


GOOD = pack({"waarde": [1, 2, 3]}, [b"[4]"])
TAMPERED = {
    "een bit om in de inhoud": _flip(GOOD, len(GOOD) - 2),
    "een bit om in het controlegetal": _flip(GOOD, 0),
    "afgekapt": GOOD[:-3],
    "alleen het controlegetal": GOOD[:store.DIGEST],
    "leeg": b"",
    "geen bytes": GOOD.decode("latin-1"),
    "geen waarde": None,
    "groter dan de grens": pack("x" * LIMIT),
    "inhoud vervangen, oud controlegetal": GOOD[:store.DIGEST] + b'{"waarde":[1,2,4]}\n[4]',
    "geen JSON": store.seal(b"geen json"),
    "NaN": store.seal(b"[NaN]"),
    "rommel na de waarde": store.seal(b"[1] [2]"),
    "geen UTF-8": store.seal(b'["\xff"]'),
    "te diep": store.seal(b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_an_entry_that_is_not_exactly_ours_is_refused(name):
    with pytest.raises(BadEntry):
        unpack(TAMPERED[name], LIMIT)


def test_heads_that_are_not_plain_data_are_not_packed():
    with pytest.raises(ValueError):
        pack([float("nan")])
    with pytest.raises(TypeError):
        pack({1, 2})


def test_both_kinds_of_cache_entry_are_made_by_the_helper():
    from kadertoets.infra.yamlload import load_yaml_file
    from kadertoets.sweep.run import check_file

    path = ROOT / "assessments" / "baarn-2023-03.yaml"
    tree = cache.encode_tree(load_yaml_file(path))
    head, rest = unpack(tree, cache.MAX_ENTRY)
    assert head[0] == "m" and rest == []
    record = resultcache.encode(check_file(path))
    head, findings = unpack(record, cache.MAX_ENTRY)
    assert head[0] == resultcache.RECORD_FORMAT and len(findings) == 29
    for data in (tree, record):  # and both refuse the same damage
        bad = _flip(data, len(data) // 2)
        with pytest.raises(BadEntry):
            unpack(bad, cache.MAX_ENTRY)
    assert cache.decode_tree(_flip(tree, len(tree) // 2)) is None
    with pytest.raises(resultcache.CorruptRecord):
        resultcache.decode(_flip(record, len(record) - 5), "x", None, {}, None, "python")


# ------------------------------------------------------------ the store on its own ----------------
HOUR = 3600
LIMITS = Limits(keep_recent=HOUR, max_idle=30 * 24 * HOUR, max_bytes=1 << 30, batch=100)


class Clock:
    def __init__(self, monkeypatch, start=1_800_000_000):
        self.t = start
        monkeypatch.setattr(store, "now", lambda: self.t)


def run(path, scope, puts=(), limits=LIMITS, reads=()):
    """One 'run' of a program using the store: open (and prune), read, write, close."""
    s = Store(path, ("t",))
    assert s.open({"t": scope}, limits)
    got = s.get_many("t", list(reads))
    s.put_many([("t", k, d) for k, d in puts])
    s.close()
    assert s.problem is None
    return got


def stored(path):
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT t.key, m.used FROM t JOIN t_meta m ON m.key = t.key"))


def test_store_prunes_other_makers_and_earlier_generations_after_the_grace_period(tmp_path, monkeypatch):
    clock, path = Clock(monkeypatch), tmp_path / "s.sqlite3"
    run(path, Scope("v1", "map-a", "g1"), [("a-v1", b"1")])
    run(path, Scope("v2", "map-a", "g1"), [("a-g1", b"2")])
    run(path, Scope("v2", "map-a", "g2"), [("a-g2", b"3")])
    run(path, Scope("v2", "map-b", "g9"), [("b-g9", b"4")])
    clock.t += HOUR - 1  # within the grace period: a concurrent run may still need them
    run(path, Scope("v2", "map-a", "g2"))
    assert set(stored(path)) == {"a-v1", "a-g1", "a-g2", "b-g9"}
    clock.t += 2
    run(path, Scope("v2", "map-a", "g2"))
    assert set(stored(path)) == {"a-g2", "b-g9"}  # other maker, earlier generation: gone; other origin kept
    clock.t += 30 * 24 * HOUR
    run(path, Scope("v2", "map-a", "g2"), [("nieuw", b"5")])
    assert set(stored(path)) == {"nieuw"}  # idle for 30 days: gone whatever wrote them


def test_store_marks_what_it_reads_as_used_and_evicts_the_least_recently_used(tmp_path, monkeypatch):
    clock, path = Clock(monkeypatch), tmp_path / "s.sqlite3"
    scope = Scope("v1")
    for i in range(6):
        run(path, scope, [(f"k{i}", bytes(1000))])
        clock.t += 60
    clock.t += store.TOUCH_EVERY + 1
    run(path, scope, reads=["k0", "k1"])  # read: used now, the others not
    assert stored(path)["k0"] == clock.t
    clock.t += HOUR
    run(path, scope, reads=["k0"])  # read again the same day: not written again
    assert stored(path)["k0"] == clock.t - HOUR
    clock.t += 2 * HOUR
    limits = Limits(keep_recent=HOUR, max_idle=LIMITS.max_idle, max_bytes=4000, batch=100)
    run(path, scope, limits=limits)  # 6000 bytes > 4000: evicted, least recently used first, to 3000
    assert set(stored(path)) == {"k0", "k1", "k5"}


def test_store_without_a_scope_for_a_table_only_reads_it(tmp_path, monkeypatch):
    Clock(monkeypatch)
    path = tmp_path / "s.sqlite3"
    run(path, Scope("v1"), [("k", b"data")])
    s = Store(path, ("t",))
    assert s.open({}, LIMITS)
    assert s.get_many("t", ["k"]) == {"k": b"data"}
    s.put_many([("t", "nieuw", b"x")])
    s.close()
    assert set(stored(path)) == {"k"}
