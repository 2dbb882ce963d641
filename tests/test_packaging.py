"""The installed `kader` command (a non-editable install) finds the bundled Kader and examples
from any working folder. Skipped, with the reason, when the package is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import ROOT


def _installed():
    exe = shutil.which("kader")
    if not exe:
        pytest.skip("het commando 'kader' is niet geïnstalleerd (pip install .)")
    return exe


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([_installed(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_installed_kader_lists_bundled_examples_and_checks_them(tmp_path):
    listed = run("voorbeelden", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    paths = listed.stdout.split()
    assert len(paths) == 7 and all(p.endswith("-2023-03.yaml") for p in paths)
    result = run("check", [p for p in paths if "bunschoten" in p][0], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Bunschoten" in result.stdout and "Traceback" not in result.stderr


def test_installed_kader_has_the_same_rules_as_this_checkout(tmp_path):
    result = run("rules", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    installed = {r["id"] for r in __import__("json").loads(result.stdout)}
    assert installed == {p.stem for p in (ROOT / "rules").glob("*.yaml")}
