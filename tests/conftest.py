"""Shared fixtures: the repository root, the bundled Kader, the mini test Kader, and the two-version
test Kader of tests/kaderversions.py (`versions`, `old`, `new`; one copy per test module)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# the test suite never writes into the user's own cache folder
os.environ.setdefault("KADERTOETS_CACHE_DIR", tempfile.mkdtemp(prefix="kadertoets-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
# the teams' assessments; the regional file beside them (regio-*.yaml) is not one
ASSESSMENTS = sorted(p for p in (ROOT / "assessments").glob("*.yaml") if not p.name.startswith("regio"))
REGION_FILES = sorted((ROOT / "assessments").glob("regio*.yaml"))


def pytest_sessionstart(session):
    """The tests import the installed package `kadertoets` (the wheel maps engine/ to it; an editable
    install cannot rename a folder). Stop at once when that copy is missing or older than this checkout,
    instead of testing stale code."""
    try:
        import kadertoets
    except ImportError:
        pytest.exit("kadertoets is niet geïnstalleerd: python3 -m venv .venv && .venv/bin/pip install '.[test]'", returncode=2)
    installed = Path(kadertoets.__file__).resolve().parent
    pairs = [(ROOT / "cli.py", installed / "cli.py")]
    pairs += [(p, installed / p.relative_to(ROOT / "engine")) for p in (ROOT / "engine").rglob("*.py")]
    for folder in ("kader", "rules", "assessments"):
        pairs += [(p, installed / "_data" / p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*.yaml")]
    stale = [str(src.relative_to(ROOT)) for src, copy in pairs
             if not copy.is_file() or copy.read_bytes() != src.read_bytes()]
    if stale:
        pytest.exit(f"de geïnstalleerde kadertoets ({installed}) is ouder dan deze checkout ({', '.join(stale[:3])}"
                    f"{' …' if len(stale) > 3 else ''}): python3 -m venv .venv && .venv/bin/pip install '.[test]'", returncode=2)
    # Exports state when they were made; a fixed moment (the reproducible-builds convention) keeps two
    # runs of a test, and the golden files, byte for byte the same. tests/test_exports_about.py unsets it.
    os.environ["SOURCE_DATE_EPOCH"] = FIXED_MOMENT


FIXED_MOMENT = "1701684720"  # 4 december 2023 om 10:12 (UTC)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def mini_kader():
    from kadertoets.load.kader import load_kader

    return load_kader(MINI, "1.0")


@pytest.fixture
def bundled_kader():
    from kadertoets.load.kader import load_kader

    return load_kader(ROOT, "1.0")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Path:
    """A Kader folder with 1.0 and the test-only 1.1 (tests/kaderversions.py)."""
    from kaderversions import make_two_versions

    return make_two_versions(tmp_path_factory.mktemp("kaderversies"))


@pytest.fixture(scope="module")
def old(versions):
    from kadertoets.load.kader import load_kader

    return load_kader(versions, "1.0")


@pytest.fixture(scope="module")
def new(versions):
    from kadertoets.load.kader import load_kader

    return load_kader(versions, "1.1")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A cache folder of this test's own (not yet made)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("KADERTOETS_CACHE_DIR", str(folder))
    return folder


def make_corpus(folder: Path) -> Path:
    """The bundled assessments under folder/echt, a broken file and a file with an unknown field
    (line-located): what a sweep of a region's folder meets."""
    import shutil

    shutil.copytree(ROOT / "assessments", folder / "echt")
    (folder / "kapot.yaml").write_text("kader: '1.0'\npeildatum: [\n", encoding="utf-8")
    text = (ROOT / "assessments" / "baarn-2023-03.yaml").read_text(encoding="utf-8")
    (folder / "onbekend-veld.yaml").write_text(text.replace("feiten:\n", "feiten:\n  bestaat.niet: 3\n", 1),
                                                encoding="utf-8")
    return folder

