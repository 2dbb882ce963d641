"""A Kader that passed the semantic checks with this code is remembered compiled (sweep/snapshots.py)
and neither parsed nor checked again at the next start, while any change of its files, of the
version asked or of the point of view loads it again, a Kader with an error is refused every time,
and a snapshot that is damaged, forged in a shared folder or not a snapshot at all is never used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

PROBE = """
import json, sys
from kadertoets.sweep import snapshots
from kadertoets.infra.errors import KaderFout
parsed = []
real = snapshots.load_kader
snapshots.load_kader = lambda *args: parsed.append(args) or real(*args)
try:
    kader = snapshots.validated(sys.argv[1], "1.0")
    outcome = [kader.version, len(kader.rules), kader.rules["KLT-VEI-02"].title]
except KaderFout as exc:
    outcome = [p.code.value for p in exc.problems]
print(json.dumps([outcome, bool(parsed), "kadertoets.validate.normcheck" in sys.modules]))
"""


def run(kader_dir, cache_dir, cwd=None):
    """[outcome, whether the Kader's files were parsed, whether the semantic checks ran]."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(kader_dir)], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={"KADERTOETS_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


LOADED = True  # the files were parsed and checked
REMEMBERED = False


@pytest.fixture
def kader(tmp_path):
    folder = tmp_path / "kader-map"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


def snapshots(cache):
    return sorted((cache / "kaders").glob("*.json"))


def test_a_pass_is_remembered_and_a_change_loads_again(kader, tmp_path):
    cache = tmp_path / "cache"
    first = run(kader, cache)
    assert first[1:] == [LOADED, LOADED] and first[0][:2] == ["1.0", 29]
    assert len(snapshots(cache)) == 1
    assert run(kader, cache) == [first[0], REMEMBERED, REMEMBERED]
    rule = sorted((kader / "rules").glob("*.yaml"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# een opmerking\n", encoding="utf-8")
    assert run(kader, cache) == [first[0], LOADED, LOADED]  # other content: loaded and checked again
    assert run(kader, cache) == [first[0], REMEMBERED, REMEMBERED]
    assert len(snapshots(cache)) == 2


def test_a_changed_title_is_seen_at_once(kader, tmp_path):
    """The snapshot never hides an edit: the new title shows in the very next run."""
    cache = tmp_path / "cache"
    run(kader, cache)
    rule = kader / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    old = run(kader, cache)[0][2]
    rule.write_text(text.replace(old, "Nieuwe titel", 1), encoding="utf-8")
    assert run(kader, cache)[0][2] == "Nieuwe titel"
    assert run(kader, cache) == [["1.0", 29, "Nieuwe titel"], REMEMBERED, REMEMBERED]


def test_the_point_of_view_is_part_of_the_key(kader, tmp_path):
    """The Kader shows its paths relative to the working folder: another working folder, another snapshot."""
    cache = tmp_path / "cache"
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    run(kader, cache, cwd=tmp_path)
    assert run(kader, cache, cwd=elsewhere)[1] == LOADED
    assert run(kader, cache, cwd=elsewhere)[1] == REMEMBERED


def test_a_kader_with_a_failing_example_is_refused_every_time(kader, tmp_path):
    cache = tmp_path / "cache"
    run(kader, cache)
    rule = kader / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    assert "verwacht: voldoet\n" in text
    rule.write_text(text.replace("verwacht: voldoet\n", "verwacht: voldoet_niet\n", 1), encoding="utf-8")
    for _ in range(2):
        outcome, parsed, checked = run(kader, cache)
        assert "KT506" in outcome and parsed and checked
    assert len(snapshots(cache)) == 1  # only the passing content


def test_an_unusable_cache_folder_only_means_loading_again(kader, tmp_path):
    blocker = tmp_path / "geen-map"
    blocker.write_text("x", encoding="utf-8")
    for _ in range(2):
        assert run(kader, blocker)[1:] == [LOADED, LOADED]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other key", "empty", "not json", "wrong class",
                                    "directory", "symlink"])
def test_a_damaged_snapshot_is_loaded_again_and_replaced(kader, tmp_path, damage):
    cache = tmp_path / "cache"
    expected = run(kader, cache)[0]
    [path] = snapshots(cache)
    data = path.read_bytes()
    head, body = data.split(b"\n", 1)
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":  # a changed byte in the body: the checksum no longer matches
        path.write_bytes(data.replace(b'"KLT-VEI-02"', b'"KLT-VEI-03"', 1))
    elif damage == "other key":  # a valid snapshot under another name
        other = head.split(b" ")[0][::-1]
        path.write_bytes(other + b" " + head.split(b" ")[1] + b"\n" + body)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "not json":
        from kadertoets.infra import digest

        junk = b"\x00\xff{{{"
        path.write_bytes(head.split(b" ")[0] + b" " + digest.hex_digest(junk).encode() + b"\n" + junk)
    elif damage == "wrong class":  # well-formed, checksum right, but not a Kader
        from kadertoets.infra import digest

        source = b'["R","Source",null,null,null,null]'
        path.write_bytes(head.split(b" ")[0] + b" " + digest.hex_digest(source).encode() + b"\n" + source)
    elif damage == "directory":
        path.unlink()
        path.mkdir()
    elif damage == "symlink":
        target = tmp_path / "elders.json"
        target.write_bytes(data)
        path.unlink()
        path.symlink_to(target)
    assert run(kader, cache) == [expected, LOADED, LOADED]
    if damage not in ("directory",):
        assert run(kader, cache) == [expected, REMEMBERED, REMEMBERED]  # replaced by a good one


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="owners and rights are POSIX")
@pytest.mark.parametrize("shared", ["cache", "kaders"])
def test_a_folder_others_can_write_is_never_trusted(kader, tmp_path, shared):
    """Someone else who can write the folder could plant a snapshot that changes what the rules say."""
    cache = tmp_path / "cache"
    expected = run(kader, cache)[0]
    folder = cache if shared == "cache" else cache / "kaders"
    os.chmod(folder, 0o777)
    try:
        for _ in range(2):
            assert run(kader, cache) == [expected, LOADED, LOADED]
    finally:
        os.chmod(folder, 0o700)
    assert run(kader, cache) == [expected, REMEMBERED, REMEMBERED]


def test_snapshots_are_bounded(kader, tmp_path, monkeypatch):
    from kadertoets.sweep import snapshots as module

    cache = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(cache))
    monkeypatch.setattr(module, "MAX_SNAPSHOTS", 3)
    monkeypatch.chdir(tmp_path)
    for n in range(5):
        (tmp_path / f"w{n}").mkdir()
        monkeypatch.chdir(tmp_path / f"w{n}")  # another point of view, another key
        module.validated(kader, "1.0")
    assert len(snapshots(cache)) == 3


def test_nothing_is_remembered_when_the_files_change_during_the_load(kader, tmp_path, monkeypatch):
    from kadertoets.sweep import snapshots as module

    cache = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(cache))
    real = module.load_kader
    rule = sorted((kader / "rules").glob("*.yaml"))[0]

    def load_then_edit(*args):
        loaded = real(*args)
        rule.write_text(rule.read_text(encoding="utf-8") + "\n# later\n", encoding="utf-8")
        return loaded

    monkeypatch.setattr(module, "load_kader", load_then_edit)
    module.validated(kader, "1.0")
    assert snapshots(cache) == []


def test_a_snapshot_is_the_kader_it_remembers(kader, tmp_path, monkeypatch):
    """Decoding gives an equal Kader, and every type the bundled Kader is made of is declared."""
    from kadertoets.load.kader import load_kader
    from kadertoets.sweep import snapshots as module

    original = load_kader(kader, "1.0")
    assert module.CODEC.decode(module.CODEC.encode(original)) == original
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    first = module.validated(kader, "1.0")
    second = module.validated(kader, "1.0")
    assert first == second and first is not second
