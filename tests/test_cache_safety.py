"""The sweep cache as untrusted input, and a cache that cannot be used (issue 9, classes 10 and 11).

Anyone who can write the cache file can put anything in it. Nothing it holds may ever run (the old
entries were pickles: one that calls os.system ran as the next user of `kader sweep`), and what
comes back is checked as strictly as a file read from disk: an entry that is not exactly what we
write is a cache miss, so the verdicts are those of `use_cache=False`, and the sweep never crashes.

A cache folder without access (chmod 000, owned by someone else, a read-only parent, a read-only
database) is skipped with one Dutch warning, with the results of `--geen-cache`. Root passes file
permissions, so as root these tests drop the capabilities that let it (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH) for as long as the folder must be closed: the permission errors are real.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import hashlib
import json
import os
import pickle
import shlex
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, make_corpus
from kadertoets.sweep import cache
from kadertoets.sweep import resultcache
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.sweep.cache import decode_tree, encode_tree, seal
from kadertoets.infra.errors import KaderFout
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import available_versions, load_kader
from kadertoets.model import Evaluation, Status
from kadertoets.sweep.resultcache import CorruptRecord, decode, encode, kader_lookup
from kadertoets.sweep.sweep import load_sweep
from kadertoets.infra.yamlload import MAX_DEPTH, MAX_DIGITS, LDict, LList, load_yaml_text
from strategies import assessments, plan_actions, yaml_like
from test_sweep_scale import fingerprint

ASSESSMENTS = ROOT / "assessments"
KADER = load_kader(ROOT, "1.0")
WARNING = "Let op: de cache"


@pytest.fixture
def corpus(tmp_path):
    """The bundled assessments, a broken file and a file with an unknown field (line-located)."""
    folder = make_corpus(tmp_path / "corpus")
    return folder


def rows(folder: Path, table: str) -> dict[str, bytes]:
    with closing(sqlite3.connect(folder / cache.DB_NAME)) as conn:
        return dict(conn.execute(f"SELECT key, data FROM {table}"))


def overwrite(folder: Path, table: str, data_by_key: dict) -> None:
    with closing(sqlite3.connect(folder / cache.DB_NAME)) as conn, conn:
        conn.executemany(f"UPDATE {table} SET data = ? WHERE key = ?", [(d, k) for k, d in data_by_key.items()])


# ------------------------------------------------------------ nothing in the cache ever runs -----
class _Touch:
    """Unpickling this runs a shell command that makes the marker file (what an attacker would do)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


def hostile_entries(marker: Path) -> list[bytes]:
    """The pickle sealed as the old cache sealed its entries (blake2b), sealed as entries are sealed
    now (so the checksum passes), and bare."""
    payload = pickle.dumps(_Touch(marker), protocol=pickle.HIGHEST_PROTOCOL)
    return [hashlib.blake2b(payload, digest_size=16).digest() + payload, seal(payload), payload]


def test_the_hostile_pickle_really_runs_when_unpickled(tmp_path):
    """The payload the next test plants is live: unpickled (here in another process) it makes the marker."""
    marker = tmp_path / "uitgevoerd"
    payload = hostile_entries(marker)[2]
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
                   input=payload, check=True)
    assert marker.exists()


@pytest.mark.parametrize("parallel", [False, True])
def test_hostile_pickles_in_every_table_never_run_nor_change_a_verdict(corpus, cache_dir, tmp_path, parallel):
    marker = tmp_path / "uitgevoerd"
    threshold = 1 if parallel else 10_000
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])  # fills every table
    hostile = hostile_entries(marker)
    assert rows(cache_dir, "trees") and rows(cache_dir, "records")
    tables = {}
    for table in cache.TABLES:  # every table there is, whatever it holds
        stored = tables[table] = rows(cache_dir, table)
        overwrite(cache_dir, table, {k: hostile[i % len(hostile)] for i, k in enumerate(sorted(stored))})
    with closing(sqlite3.connect(cache_dir / cache.DB_NAME)) as conn, conn:  # the table of the old format
        conn.execute("CREATE TABLE IF NOT EXISTS kaders (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        conn.executemany("INSERT OR REPLACE INTO kaders VALUES (?, ?)", [(str(i), h) for i, h in enumerate(hostile)])
    old = cache_dir / "kadertoets-3.sqlite3"  # the database of the pickle format (versions up to 3) ...
    if old != cache_dir / cache.DB_NAME:
        shutil.copy(cache_dir / cache.DB_NAME, old)

    result = load_sweep([corpus], parallel_threshold=threshold)
    assert not marker.exists()
    assert fingerprint(result) == expected
    assert not result.warnings
    for table, stored in tables.items():  # every hostile entry was replaced by a good one
        assert rows(cache_dir, table) == stored
    assert not old.exists()  # ... is never opened: removed (unread) when the cache is written
    assert fingerprint(load_sweep([corpus], parallel_threshold=threshold)) == expected
    assert not marker.exists()


def test_cache_entries_are_json_behind_a_checksum(corpus, cache_dir):
    load_sweep([corpus])
    for table in cache.TABLES:
        for data in rows(cache_dir, table).values():
            payload = data[16:]
            assert hashlib.sha256(payload).digest()[:16] == data[:16]
            for line in payload.split(b"\n"):
                json.loads(line)  # valid JSON, line by line; no pickle opcode could pass this


# ------------------------------------------------------------ records: checked as strictly as a file --
def _good_record():
    from kadertoets.sweep.run import check_file

    ev = check_file(ASSESSMENTS / "baarn-2023-03.yaml")
    return ev, encode(ev)


def _parts(data: bytes):
    head, *findings = data[16:].split(b"\n")
    return json.loads(head), [json.loads(f) for f in findings]


def _record(head, findings) -> bytes:
    lines = [json.dumps(head, ensure_ascii=False).encode()] + [json.dumps(f, ensure_ascii=False).encode()
                                                                for f in findings]
    return seal(b"\n".join(lines))


def _with(path, value):
    """A mutation: the part of the record at `path` (into [head, findings]) replaced by `value`."""
    def mutate(head, findings):
        target = [head, findings]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return _record(head, findings)
    return mutate


ACTION = ["KLT-VEI-02", "Aandachtsfunctionaris aanstellen", "gemeente", "2023-06-01", "gepland", [], None, None, None]
RECORD_MUTATIONS = {
    "onbekende status": _with((1, 0, 1), "super"),
    "status geen tekst": _with((1, 0, 1), 1),
    "onbekende eis": _with((1, 0, 0), "KLT-BESTAAT-NIET"),
    "reden geen tekst": _with((1, 0, 2), None),
    "ontbrekende velden geen lijst": _with((1, 0, 3), "veld"),
    "toelichtingen verkeerde vorm": _with((1, 0, 4), [["alleen een veld"]]),
    "bevinding te kort": _with((1, 0), ["KLT-VEI-02", "voldoet"]),
    "bevinding weggelaten": lambda h, f: _record(h, f[1:]),
    "bevinding dubbel": lambda h, f: _record(h, f + f[-1:]),
    "bevindingen verwisseld": lambda h, f: _record(h, [f[1], f[0], *f[2:]]),
    "team-id met verboden tekens": _with((0, 1, 2, 0), "team/../x"),
    "teamnaam leeg": _with((0, 1, 2, 1), "  "),
    "taken geen ja/nee": _with((0, 1, 2, 4), 1),
    "team te kort": _with((0, 1, 2), ["baarn", "Baarn"]),
    "peildatum niet in ISO-vorm": _with((0, 1, 1), "2023-3-1"),
    "peildatum als weeknummer": _with((0, 1, 1), "2023-W09-3"),
    "peildatum zonder streepjes": _with((0, 1, 1), "20230301"),
    "peildatum bestaat niet": _with((0, 1, 1), "2023-02-30"),
    "peildatum als tijdstip": _with((0, 1, 1), "2023-03-01T00:00:00"),
    "andere toetsdatum": _with((0, 2), "1999-01-01"),
    "andere engine": _with((0, 3), "durable"),
    "onbekende Kaderversie": _with((0, 1, 0), "9.9"),
    "Kaderversie geen tekst": _with((0, 1, 0), 1.0),
    "onbekende versiebron": _with((0, 1, 5), "aanvaller"),
    "versie gekozen met --kader zonder --kader": _with((0, 1, 5), "optie"),
    "ander formaat": _with((0, 0), 1),
    "formaat als kommagetal": _with((0, 0), float(resultcache.RECORD_FORMAT)),
    "actie met onbekende eis": _with((0, 1, 4), [["KLT-X", *ACTION[1:]]]),
    "actie met onbekende status": _with((0, 1, 4), [ACTION[:4] + ["klaar"] + ACTION[5:]]),
    "actie te kort": _with((0, 1, 4), [ACTION[:5]]),
    "actie met verplaatste deadline zonder datum": _with((0, 1, 4), [ACTION[:5] + [[["morgen", None]]] + ACTION[6:]]),
    "ingevuld_door met onbekende sleutel": _with((0, 1, 3), {"wachtwoord": "geheim"}),
    "ingevuld_door met datum als tekst": _with((0, 1, 3), {"datum": "gisteren"}),
    "kop met een deel te veel": lambda h, f: _record(h + [1], f),
    "kop als object": lambda h, f: _record({"formaat": h[0]}, f),
    "bevinding als JSON-tekst in een tekst": lambda h, f: _record(h, [json.dumps(f[0])] + f[1:]),
    "diep geneste kop": lambda h, f: seal(b"[" * 100_000 + b"]" * 100_000),
    "diep geneste bevinding": lambda h, f: seal(json.dumps(h).encode() + b"\n" + b"[" * 100_000),
    "NaN als ja/nee": _with((0, 1, 2, 4), float("nan")),  # json.dumps writes NaN, which is not JSON
    "getal van 5000 cijfers": lambda h, f: seal(b"[" + b"9" * 5000 + b"]"),
    "geen UTF-8": lambda h, f: seal(b"\xff\xfe[2]"),
    "rommel na de kop": lambda h, f: seal(json.dumps(h).encode() + b" x"),
    "leeg": lambda h, f: seal(b""),
    "alleen wit": lambda h, f: seal(b"   "),
    "een bit om (controlegetal klopt niet)": lambda h, f: (lambda d: d[:-3] + bytes([d[-3] ^ 1]) + d[-2:])(_record(h, f)),
}


def _kader_for(version=None):
    """What a sweep gives decode: the Kader of the version a record names, if a sound record can name it."""
    return kader_lookup(ROOT, version, available_versions(ROOT), {"1.0": KADER})


def test_record_round_trip_of_the_bundled_example():
    from dataclasses import replace

    ev, data = _good_record()
    assert ev.region is not None  # the bundled regional file beside it
    # the regional state is the sweep's to give (its files are in the cache key), not the record's
    back = decode(data, ev.assessment.file, _kader_for(), {}, None, "python", lambda kader, day: ev.region)
    assert back == replace(ev, assessment=replace(ev.assessment, facts={}))  # a sweep's renderers need no facts


@pytest.mark.parametrize("name", sorted(RECORD_MUTATIONS))
def test_record_that_is_not_exactly_ours_is_refused(name):
    ev, data = _good_record()
    head, findings = _parts(data)
    assert ev.assessment.plan == ()  # the mutations above add a plan where there is none
    bad = RECORD_MUTATIONS[name](head, findings)
    with pytest.raises(CorruptRecord):
        decode(bad, ev.assessment.file, _kader_for(), {}, None, "python")


def test_tampered_records_are_evaluated_again_in_a_sweep(tmp_path, cache_dir):
    """Every record of a sweep replaced by one of the refused kinds: the verdicts of use_cache=False,
    no crash, and the good records are written back."""
    folder = tmp_path / "veel"
    for i in range(len(RECORD_MUTATIONS)):  # one copy of the bundled assessments per mutation
        source = sorted(p for p in ASSESSMENTS.glob("*.yaml") if not p.name.startswith("regio"))[i % 7]
        text = source.read_text(encoding="utf-8")
        team = yaml.safe_load(text)["team"]["id"]
        (folder / f"{i:03d}").mkdir(parents=True)
        (folder / f"{i:03d}" / source.name).write_text(text.replace(f"id: {team}", f"id: {team}-{i}", 1),
                                                       encoding="utf-8")
    expected = fingerprint(load_sweep([folder], use_cache=False))
    load_sweep([folder])
    stored = rows(cache_dir, "records")
    assert len(stored) == len(RECORD_MUTATIONS)
    mutations = [RECORD_MUTATIONS[name] for name in sorted(RECORD_MUTATIONS)]
    overwrite(cache_dir, "records", {k: mutate(*_parts(stored[k])) for k, mutate in zip(sorted(stored), mutations)})
    result = load_sweep([folder])
    assert fingerprint(result) == expected
    assert rows(cache_dir, "records") == stored


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=12), st.sampled_from(["voldoet", "KLT-VEI-02", "2023-03-01", "1.0", "python",
                                                     "assessment", "gepland"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children,
                                                                               max_size=3)),
    max_leaves=12,
)


def _paths(value, prefix=()):
    """Every place in a JSON value (as index/key paths)."""
    yield prefix
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_change_to_a_record_is_refused_or_gives_a_sound_evaluation(data):
    """Whatever is put anywhere in a record: decode raises CorruptRecord or gives an Evaluation of
    this Kader with one finding per rule and statuses from the enum; nothing else escapes."""
    ev, good = _good_record()
    head, findings = _parts(good)
    places = [p for p in _paths([head, findings]) if p]
    path = data.draw(st.sampled_from(places))
    mutated = _with(path, data.draw(json_values))(head, findings)
    try:
        out = decode(mutated, "x.yaml", _kader_for(), {}, None, "python")
    except CorruptRecord:
        return
    assert isinstance(out, Evaluation) and out.kader is KADER
    assert [f.rule_id for f in out.findings] == sorted(KADER.rules)
    assert all(isinstance(f.status, Status) for f in out.findings)


any_text = st.text(st.characters(blacklist_categories=()), min_size=1).filter(str.strip)  # surrogates too


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessment=assessments(KADER), plan=plan_actions(KADER),
       filled=st.fixed_dictionaries({}, optional={"naam": any_text, "datum": st.dates(), "rol": st.just("teamleider")}),
       name=any_text, team_id=st.from_regex(r"[\w.-]+", fullmatch=True),
       as_of=st.one_of(st.none(), st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1))))
def test_every_evaluation_comes_back_from_its_record_unchanged(assessment, plan, filled, name, team_id, as_of):
    from dataclasses import replace

    team = replace(assessment.team, id=team_id, name=name)
    assessment = replace(assessment, plan=plan, filled_in_by=filled, team=team)
    ev = evaluate(KADER, assessment, as_of or assessment.reference_date, PythonBackend())
    back = decode(encode(ev), assessment.file, _kader_for(), {}, as_of, "python")
    assert back == replace(ev, assessment=replace(assessment, facts={}))  # a sweep's renderers need no facts


# ------------------------------------------------------------ trees: checked as strictly as the loader --
def same_tree(a, b) -> bool:
    """Equal values, types and positions, all the way down."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, LDict):
        return a.pos == b.pos and a.key_pos == b.key_pos and list(a) == list(b) and \
            all(same_tree(a[k], b[k]) and same_tree(k, next(x for x in b if x == k)) for k in a)
    if isinstance(a, LList):
        return a.pos == b.pos and a.item_pos == b.item_pos and len(a) == len(b) and all(map(same_tree, a, b))
    return a == b or (a != a and b != b)  # NaN


def test_every_bundled_file_comes_back_from_the_tree_cache_with_its_positions():
    files = sorted(ROOT.glob("assessments/*.yaml")) + sorted(ROOT.glob("kader/*.yaml")) + \
        sorted(ROOT.glob("rules/*.yaml"))
    assert len(files) > 30
    for path in files:
        tree = load_yaml_text(path.read_text(encoding="utf-8"), path.name)
        assert same_tree(decode_tree(encode_tree(tree)), tree), path


@settings(max_examples=200, deadline=None)
@given(doc=yaml_like)
def test_any_parsed_tree_comes_back_unchanged(doc):
    try:
        tree = load_yaml_text(yaml.safe_dump(doc, allow_unicode=True), "x.yaml")
    except KaderFout:
        return
    entry = encode_tree(tree)
    if entry is not None:  # only values the loader makes are stored
        assert same_tree(decode_tree(entry), tree)


def _tree(text: str) -> bytes:
    return seal(text.encode())


TREE_MUTATIONS = {
    "regel 0": '["m",0,1,[]]',
    "negatieve kolom": '["m",1,-1,[]]',
    "regel als ja/nee": '["m",true,1,[]]',
    "regel als kommagetal": '["m",1.0,1,[]]',
    "regel van 40 cijfers": '["m",' + "9" * 40 + ',1,[]]',
    "mapping met een los stuk": '["m",1,1,["a",1,1]]',
    "lijst met een los stuk": '["l",1,1,[1,1]]',
    "onbekende soort": '["x",1,1,[]]',
    "dubbele sleutel": '["m",1,1,["a",1,1,"x","a",2,1,"y"]]',
    "sleutel die een mapping is": '["m",1,1,[["m",1,1,[]],1,1,"x"]]',
    "getal met meer cijfers dan de lader toelaat": '["m",1,1,["a",1,1,' + "9" * (MAX_DIGITS + 1) + ']]',
    "dieper dan de lader toelaat": '["m",1,1,["a",1,1,' + '["l",1,1,[1,1,' * MAX_DEPTH + '1' + ']]' * MAX_DEPTH + ']]',
    "datum niet in ISO-vorm": '["m",1,1,["a",1,1,["d","2023-3-1"]]]',
    "tijdstip als datum": '["m",1,1,["a",1,1,["d","2023-03-01T10:00:00"]]]',
    "datum als tijdstip": '["m",1,1,["a",1,1,["t","2023-03-01"]]]',
    "NaN als JSON": '["m",1,1,["a",1,1,NaN]]',
    "onbekend bijzonder getal": '["m",1,1,["a",1,1,["f","NaN"]]]',
    "object in plaats van lijst": '{"m":1}',
    "JSON-nesting van 100.000": "[" * 100_000 + "]" * 100_000,
    "rommel erachter": '["m",1,1,[]] x',
}


@pytest.mark.parametrize("name", sorted(TREE_MUTATIONS))
def test_tree_that_is_not_exactly_ours_is_refused(name):
    assert decode_tree(_tree(TREE_MUTATIONS[name])) is None


def test_the_deepest_tree_and_the_biggest_number_the_loader_allows_are_cached():
    depth = MAX_DEPTH - 1  # the mapping itself is the first level
    text = "a: " + "[" * depth + "1" + "]" * depth + "\nb: " + "9" * MAX_DIGITS + "\n"
    tree = load_yaml_text(text, "x.yaml")
    assert same_tree(decode_tree(encode_tree(tree)), tree)


def test_tree_entries_are_checked_before_use_and_are_valid_as_written():
    assert same_tree(decode_tree(_tree('["m",1,1,["a",1,1,["d","2023-03-01"]]]')),
                     load_yaml_text("a: 2023-03-01\n", "x.yaml"))
    assert decode_tree(seal(b"\xff")) is None and decode_tree(b"") is None and decode_tree(None) is None


def test_tampered_trees_are_parsed_again_in_a_sweep(corpus, cache_dir):
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])
    stored = rows(cache_dir, "trees")
    bad = [_tree(TREE_MUTATIONS[name]) for name in sorted(TREE_MUTATIONS)]
    overwrite(cache_dir, "trees", {k: bad[i % len(bad)] for i, k in enumerate(sorted(stored))})
    with closing(sqlite3.connect(cache_dir / cache.DB_NAME)) as conn, conn:
        conn.execute("DELETE FROM records")  # so the sweep goes back to the trees
    result = load_sweep([corpus])
    assert fingerprint(result) == expected
    assert rows(cache_dir, "trees") == stored
    located = [p for i in result.invalid for p in i.problems if "bestaat.niet" in p.render()]
    assert located and located[0].line is not None


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_change_to_a_tree_is_refused_or_gives_a_tree_the_loader_could_make(data):
    tree = load_yaml_text((ASSESSMENTS / "eemnes-2023-03.yaml").read_text(encoding="utf-8"), "x.yaml")
    value = json.loads(encode_tree(tree)[16:])
    path = data.draw(st.sampled_from([p for p in _paths(value) if p]))
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(json_values)
    out = decode_tree(seal(json.dumps(value).encode()))

    def sound(node, depth=0):
        if isinstance(node, LDict):
            return depth < MAX_DEPTH and node.keys() == node.key_pos.keys() and \
                all(sound(k, depth + 1) and sound(v, depth + 1) for k, v in node.items())
        if isinstance(node, LList):
            return depth < MAX_DEPTH and len(node) == len(node.item_pos) and all(sound(v, depth + 1) for v in node)
        return node is None or node.__class__ in (str, int, float, bool, dt.date, dt.datetime)

    assert out is None or sound(out)


# ------------------------------------------------------------ a cache that cannot be used ----------
class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_DAC_CAPS = (1 << 1) | (1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: what lets root pass file permissions


@contextmanager
def _without_root_override():
    """As root: drop the capabilities that pass file permissions from this thread (and the worker
    processes it starts), so that chmod really closes a folder; back when done. Others: nothing."""
    if os.geteuid() != 0:
        yield
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3
        if libc.capget(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capget")
    except (OSError, AttributeError) as exc:
        pytest.skip(f"as root, without capget/capset a folder cannot be closed ({exc})")
    saved = data[0].effective
    data[0].effective = saved & ~_DAC_CAPS
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip("as root, the capabilities to pass file permissions cannot be dropped here")
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


@contextmanager
def no_access(modes: list[tuple[Path, int]], closed: list[Path] = (), read_only: list[Path] = ()):
    """The given paths with the given modes, for real (root included), restored afterwards; checks
    that the `closed` folders cannot be listed and nothing can be made in the `read_only` ones, so a
    test never passes merely because nothing was closed."""
    saved = [(path, path.stat().st_mode & 0o7777) for path, _ in modes]
    for path, mode in reversed(modes):
        path.chmod(mode)
    try:
        with _without_root_override():
            for path in closed:
                with pytest.raises(PermissionError):
                    os.listdir(path)
            for path in read_only:
                with pytest.raises(PermissionError):
                    (path / "proef").mkdir()
            yield
    finally:
        for path, mode in saved:
            path.chmod(mode)


def _warm(corpus, folder: Path) -> None:
    load_sweep([corpus])
    assert (folder / cache.DB_NAME).exists()


def _someone_elses(corpus, folder: Path) -> dict:
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to someone else")
    _warm(corpus, folder)
    os.chown(folder, 65534, 65534)  # nobody's, private
    return dict(modes=[(folder, 0o700)], closed=[folder])


# How a cache folder can be out of reach: (corpus, folder) -> the arguments of no_access.
SCENARIOS = {
    "map zonder rechten": lambda corpus, folder: (folder.mkdir(), dict(modes=[(folder, 0)], closed=[folder]))[1],
    "map zonder rechten met een gevulde cache": lambda corpus, folder: (
        _warm(corpus, folder), dict(modes=[(folder, 0)], closed=[folder]))[1],
    "map van iemand anders": _someone_elses,
    "map alleen lezen met een gevulde cache": lambda corpus, folder: (
        _warm(corpus, folder), dict(modes=[(folder, 0o555)], read_only=[folder]))[1],
    "bovenliggende map alleen lezen": lambda corpus, folder: dict(modes=[(folder.parent, 0o555)],
                                                                 read_only=[folder.parent]),
    "database alleen lezen": lambda corpus, folder: (_warm(corpus, folder), dict(
        modes=[(folder, 0o555), (folder / cache.DB_NAME, 0o444)], read_only=[folder]))[1],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_cache_without_access_is_skipped_with_one_warning(corpus, tmp_path, monkeypatch, name):
    folder = tmp_path / "ouder" / "cache"
    folder.parent.mkdir()
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    with no_access(**SCENARIOS[name](corpus, folder)):
        for threshold in (10_000, 1):  # serial, and in worker processes
            result = load_sweep([corpus], parallel_threshold=threshold)
            assert fingerprint(result) == expected
            assert len(result.warnings) == 1, result.warnings
            assert result.warnings[0].startswith(WARNING) and str(folder) in result.warnings[0]
            assert "kan niet gebruikt worden" in result.warnings[0] and "--geen-cache" in result.warnings[0]


@pytest.mark.parametrize("command", ["sweep", "trend"])
def test_sweep_and_trend_without_access_to_the_cache_say_so_once(corpus, tmp_path, monkeypatch, command):
    from cli import main

    folder = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    plain = CliRunner().invoke(main, [command, str(corpus), "--format", "json", "--geen-cache"])
    folder.mkdir()
    with no_access([(folder, 0)], closed=[folder]):
        result = CliRunner().invoke(main, [command, str(corpus), "--format", "json"])
    assert result.exit_code == plain.exit_code == 2, result.output  # the broken files, not the cache
    assert result.stdout == plain.stdout
    assert result.stderr.count(WARNING) == 1 and "(geen toegang)" in result.stderr
    lines = result.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(WARNING))
    assert lines[at + 1].startswith("  Oplossing:")
    assert lines[:at] + lines[at + 2:] == plain.stderr.splitlines()  # nothing else changed
    assert "Traceback" not in result.output and "Permission denied" not in result.output


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    return exc


class _FailingConnection:
    """A connection whose statements starting with `prefix` fail with `exc`."""

    def __init__(self, conn, prefix: str, exc: Exception):
        self._conn, self._prefix, self._exc = conn, prefix, exc

    def _check(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(self._prefix):
            raise self._exc

    def execute(self, sql, *args):
        self._check(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        self._check(sql)
        return self._conn.executemany(sql, *args)

    def close(self):
        self._conn.close()


def _fail_statements(monkeypatch, prefix: str, exc: Exception) -> None:
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _FailingConnection(real(*a, **k), prefix, exc))


def _raise_for(real, folder: Path, exc: OSError):
    def fake(path, *args, **kwargs):
        if str(path).startswith(str(folder)):
            raise exc
        return real(path, *args, **kwargs)
    return fake


def _denied(exc):
    return lambda mp, folder: mp.setattr(Path, "mkdir", _raise_for(Path.mkdir, folder, exc))


def _cannot_open(mp, folder):
    mp.setattr(sqlite3, "connect", _raise_for(sqlite3.connect, folder, _sqlite_error("unable to open database file", 14)))


def _statement_fails(prefix: str, message: str, code: int):
    return lambda mp, folder: _fail_statements(mp, prefix, _sqlite_error(message, code))


# Every place the cache is touched, failing as it fails for real: (how, the reason in the warning, or
# None for no warning). The database is opened at the start of a sweep, read per block, written per batch.
TOUCH_POINTS = {
    "map maken": (_denied(PermissionError(errno.EACCES, "Permission denied")), "geen toegang"),
    "map maken (alleen-lezen bestandssysteem)": (_denied(OSError(errno.EROFS, "Read-only file system")),
                                                 "alleen-lezen bestandssysteem"),
    "database openen": (_cannot_open, "geen toegang"),
    "WAL aanzetten": (_statement_fails("PRAGMA JOURNAL_MODE", "attempt to write a readonly database", 8), "alleen lezen"),
    "lezen": (_statement_fails("SELECT", "disk I/O error", 10), "lees- of schrijffout"),
    "schrijven (alleen lezen)": (_statement_fails("INSERT", "attempt to write a readonly database", 8), "alleen lezen"),
    "schrijven (schijf vol)": (_statement_fails("INSERT", "database or disk is full", 13), "de schijf is vol"),
    "schrijven (bezet door een andere sweep)": (_statement_fails("INSERT", "database is locked", 5), None),
    "lezen (bezet door een andere sweep)": (_statement_fails("SELECT", "database is locked", 5), None),
}


@pytest.mark.parametrize("name", sorted(TOUCH_POINTS))
def test_every_place_the_cache_is_touched_degrades(corpus, cache_dir, monkeypatch, name):
    import kadertoets.sweep.sweep as sweep_module

    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])  # a filled cache: reads happen too
    with closing(sqlite3.connect(cache_dir / cache.DB_NAME)) as conn, conn:
        conn.execute("DELETE FROM records WHERE rowid % 2 = 0")  # and writes
    inject, reason = TOUCH_POINTS[name]
    inject(monkeypatch, cache_dir)
    monkeypatch.setattr(sweep_module, "STORE_EVERY", 2)  # many batches: still one warning
    for threshold in (10_000, 1):
        result = load_sweep([corpus], parallel_threshold=threshold)
        assert fingerprint(result) == expected
        if reason is None:
            assert result.warnings == ()
        else:
            assert len(result.warnings) == 1 and f"({reason})" in result.warnings[0], result.warnings


def test_no_home_folder_is_a_warning_not_a_crash(corpus, monkeypatch):
    monkeypatch.delenv("KADERTOETS_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    result = load_sweep([corpus])
    assert fingerprint(result) == fingerprint(load_sweep([corpus], use_cache=False))
    assert len(result.warnings) == 1 and "thuismap" in result.warnings[0] and "KADERTOETS_CACHE_DIR" in result.warnings[0]


def test_unreadable_package_source_only_turns_the_evaluation_cache_off(corpus, cache_dir, monkeypatch):
    engine_dir = Path(resultcache.__file__).resolve().parent
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if str(self).startswith(str(engine_dir)):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).startswith(str(engine_dir)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    resultcache.code_fingerprint.cache_clear()
    try:
        with monkeypatch.context() as patched:
            patched.setattr(Path, "stat", stat)
            patched.setattr(os, "scandir", scandir)
            result = load_sweep([corpus])
    finally:
        resultcache.code_fingerprint.cache_clear()
    assert fingerprint(result) == fingerprint(load_sweep([corpus], use_cache=False))
    assert result.warnings == ()
    assert rows(cache_dir, "trees") and not rows(cache_dir, "records")


def test_worker_processes_that_cannot_start_mean_working_in_this_process(corpus, cache_dir, monkeypatch):
    import concurrent.futures

    def no_pool(*args, **kwargs):
        raise OSError(errno.ENOSYS, "sem_open")  # no /dev/shm for the pool's locks

    expected = fingerprint(load_sweep([corpus], use_cache=False))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert fingerprint(load_sweep([corpus], use_cache=False, parallel_threshold=1)) == expected


def test_the_code_fingerprint_covers_every_room_of_the_package():
    """A change anywhere in the package (not only in the sweep's own folder) gives new cache keys."""
    from kadertoets.sweep import fingerprints

    names = {str(p.relative_to(fingerprints.PACKAGE)) for p in fingerprints.code_files()}
    assert {"cli.py", "model.py", "evaluate/conditions.py", "load/kader.py", "render/check.py",
            "sweep/sweep.py"} <= names


@pytest.mark.parametrize("table", ["records", "trees"])
def test_a_row_stored_as_text_that_is_not_utf8_is_a_miss_not_a_broken_cache(corpus, cache_dir, table):
    """sqlite3 cannot decode such a TEXT value; the store reads every value as bytes, so the entry fails
    its checksum like any tampered entry and is computed again, without a warning."""
    expected = fingerprint(load_sweep([corpus], use_cache=False))
    load_sweep([corpus])
    with closing(sqlite3.connect(cache_dir / cache.DB_NAME)) as conn, conn:
        changed = conn.execute(f"UPDATE {table} SET data = CAST(X'61FF62' AS TEXT)").rowcount
    assert changed > 0
    for _ in range(2):
        result = load_sweep([corpus])
        assert fingerprint(result) == expected and result.warnings == ()
