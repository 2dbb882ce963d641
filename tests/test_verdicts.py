"""A Kader that passed the semantic checks with this code is not checked again at the next start
(sweep/verdicts.py), while any change of its files checks it again and a Kader with an error is
refused every time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

PROBE = """
import json, sys
from kadertoets.sweep.verdicts import validated
from kadertoets.infra.errors import KaderFout
try:
    validated(sys.argv[1], "1.0")
    outcome = "ok"
except KaderFout as exc:
    outcome = [p.code.value for p in exc.problems]
print(json.dumps([outcome, "kadertoets.validate.normcheck" in sys.modules]))
"""


def run(kader_dir, cache_dir):
    done = subprocess.run([sys.executable, "-c", PROBE, str(kader_dir)], capture_output=True, text=True,
                          timeout=120, env={"KADERTOETS_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def kader(tmp_path):
    folder = tmp_path / "kader-map"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


def test_a_pass_is_remembered_and_a_change_checks_again(kader, tmp_path):
    cache = tmp_path / "cache"
    assert run(kader, cache) == ["ok", True]
    assert run(kader, cache) == ["ok", True]  # no cache folder yet (a sweep makes it): nothing remembered
    cache.mkdir()
    assert run(kader, cache) == ["ok", True]  # checked
    assert run(kader, cache) == ["ok", False]  # remembered: the checks are not even imported
    rule = sorted((kader / "rules").glob("*.yaml"))[0]
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text + "\n# een opmerking\n", encoding="utf-8")
    assert run(kader, cache) == ["ok", True]  # other content: checked again


def test_a_kader_with_a_failing_example_is_refused_every_time(kader, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    assert run(kader, cache) == ["ok", True]
    rule = kader / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    assert "verwacht: voldoet\n" in text
    rule.write_text(text.replace("verwacht: voldoet\n", "verwacht: voldoet_niet\n", 1), encoding="utf-8")
    for _ in range(2):
        outcome, checked = run(kader, cache)
        assert outcome and "KT506" in outcome and checked


def test_an_unusable_cache_folder_only_means_checking_again(kader, tmp_path):
    blocker = tmp_path / "geen-map"
    blocker.write_text("x", encoding="utf-8")
    assert run(kader, blocker) == ["ok", True]
    assert run(kader, blocker) == ["ok", True]


def test_nothing_is_remembered_when_the_files_change_during_the_load(kader, tmp_path, monkeypatch):
    from kadertoets.sweep import verdicts

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(cache))
    real = verdicts.load_kader
    rule = sorted((kader / "rules").glob("*.yaml"))[0]

    def load_then_edit(*args):
        loaded = real(*args)
        rule.write_text(rule.read_text(encoding="utf-8") + "\n# later\n", encoding="utf-8")
        return loaded

    monkeypatch.setattr(verdicts, "load_kader", load_then_edit)
    checked = []
    monkeypatch.setattr(verdicts, "semantic_errors", lambda k: checked.append(k) or ())
    kader_obj = verdicts.validated(kader, "1.0")
    assert checked == [kader_obj]  # the loaded Kader itself was checked
    assert not (cache / verdicts.FOLDER).exists() or not list((cache / verdicts.FOLDER).iterdir())
