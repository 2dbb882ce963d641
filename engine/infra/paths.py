"""Where the bundled Kader and example assessments live, in a checkout and in an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the kadertoets package (engine/ in the repository)


def bundled_root() -> Path:
    """The folder holding `kader/`, `rules/` and `assessments/`.

    In an installed wheel the build copies them into `kadertoets/_data/` (see pyproject.toml);
    read from a source checkout (engine/ on its own) it is the repository root."""
    data = _PACKAGE / "_data"
    if (data / "kader").is_dir():
        return data
    return _PACKAGE.parent


def bundled_assessments() -> Path:
    return bundled_root() / "assessments"


def cache_dir() -> Path:
    """The cache folder; raises RuntimeError when there is no home folder to put it in."""
    env = os.environ.get("KADERTOETS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "kadertoets"


# Where a save from the web page keeps the previous version of an assessment, beside the file
# (editors/answersave.py); the sweep never reads in it (sweep/discover.py).
HISTORY_FOLDER = ".geschiedenis"
