"""The installed `kader` command (a non-editable install) finds the bundled Kader and examples
from any working folder. Skipped, with the reason, when the package is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


def _installed():
    # next to the Python that runs the tests (a venv that is not activated: the README's commands), else on PATH
    beside = Path(sys.executable).parent / "kader"
    exe = str(beside) if beside.is_file() else shutil.which("kader")
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
    assert len(paths) == 8 and all(p.endswith("-2023-03.yaml") for p in paths)  # seven teams and the region
    assert sum("regio-" in p for p in paths) == 1
    result = run("check", [p for p in paths if "bunschoten" in p][0], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Bunschoten" in result.stdout and "Traceback" not in result.stderr


def test_installed_kader_has_the_same_rules_as_this_checkout(tmp_path):
    result = run("rules", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    installed = {r["id"] for r in __import__("json").loads(result.stdout)}
    assert installed == {p.stem for p in (ROOT / "rules").glob("*.yaml")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel `pip install .` builds from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("kadertoets-*.whl")
    return path


def test_wheel_installs_one_top_level_package(wheel):
    with zipfile.ZipFile(wheel) as z:
        tops = {name.split("/")[0] for name in z.namelist()}
    assert tops == {"kadertoets", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kader = kadertoets.cli:main" in entry_points
    assert {"kadertoets/cli.py", "kadertoets/__main__.py", "kadertoets/_data/kader/1.0.yaml"} <= names


def test_python_m_kadertoets_works_from_the_wheel_alone(wheel, tmp_path):
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import kadertoets; print(kadertoets.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.startswith(str(target)), where
    listed = subprocess.run([sys.executable, "-m", "kadertoets", "voorbeelden"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    bunschoten = next(p for p in listed.stdout.split() if "bunschoten" in p)
    assert bunschoten.startswith(str(target))
    checked = subprocess.run([sys.executable, "-m", "kadertoets", "check", bunschoten], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 1 and "Bunschoten" in checked.stdout, checked.stderr
    usage = subprocess.run([sys.executable, "-m", "kadertoets", "--help"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 0 and "kader" in usage.stdout.splitlines()[0], usage.stdout
