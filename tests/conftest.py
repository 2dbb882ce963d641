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
ASSESSMENTS = sorted((ROOT / "assessments").glob("*.yaml"))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def mini_kader():
    from engine.kader import load_kader

    return load_kader(MINI, "1.0")


@pytest.fixture
def bundled_kader():
    from engine.kader import load_kader

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
    from engine.kader import load_kader

    return load_kader(versions, "1.0")


@pytest.fixture(scope="module")
def new(versions):
    from engine.kader import load_kader

    return load_kader(versions, "1.1")
