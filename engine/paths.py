"""Where the bundled Kader and example assessments live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_root() -> Path:
    """The folder holding `kader/`, `rules/` and `assessments/`.

    In a source checkout that is the repository root; in an installed wheel the build copies
    them into `engine/_data/` (see pyproject.toml)."""
    data = _PACKAGE / "_data"
    if (data / "kader").is_dir():
        return data
    return _PACKAGE.parent


def bundled_assessments() -> Path:
    return bundled_root() / "assessments"
