"""Finding the assessment files under the paths a user gives: every *.yaml / *.yml file, each once,
and every path that cannot be used named as invalid (never skipped in silence)."""

from __future__ import annotations

import os
from pathlib import Path

from kadertoets.infra.paths import HISTORY_FOLDER
from kadertoets.infra.errors import Problem, display_path, os_reason
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.records import record

SUFFIXES = (".yaml", ".yml")


@record
class Invalid:
    """A file that could not be used, with its located problems."""

    file: str
    problems: tuple[Problem, ...]


def invalid_exit_code(invalid) -> int:
    """3 when kadertoets itself failed on a file (a bug), else 2 (invalid input)."""
    return 3 if any(p.internal for item in invalid for p in item.problems) else 2


def discover(paths) -> tuple[list[Path], list[Invalid]]:
    """All *.yaml / *.yml files under the given files and folders (folders sorted by path parts,
    symbolic links followed, each file once even when reached twice); missing paths are invalid.
    Paths come back absolute and normalised, not resolved: a file reached through a link keeps the
    name the user sees."""
    files: list[str] = []
    invalid: list[Invalid] = []
    seen: set = set()

    def add(name: str) -> None:
        try:
            st = os.stat(name)
        except OSError:
            return
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            files.append(name)

    for raw in paths:
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:  # a name too long, a folder without access on the way, a loop of links
            shown = display_path(path)
            invalid.append(Invalid(shown, (Problem(f"pad kan niet gelezen worden ({os_reason(exc)})", file=shown,
                                                   hint="Controleer het pad en de rechten.", code=Code.UNREADABLE),)))
            continue
        if is_dir:
            found, problems, odd = _walk(os.path.abspath(path))
            for name in sorted(odd):
                shown = display_path(Path(name))
                invalid.append(Invalid(shown, (Problem(
                    "geen gewoon bestand (een pijp, een apparaat, of een koppeling naar niets); niet gelezen",
                    file=shown, hint="Verwijder het of geef het juiste bestand op.", code=Code.UNREADABLE),)))
            for folder, exc in problems:
                shown = display_path(Path(folder))
                invalid.append(Invalid(shown, (Problem(f"map kan niet gelezen worden ({os_reason(exc)})", file=shown,
                                                       code=Code.UNREADABLE),)))
            for name in sorted(found, key=lambda n: n.split(os.sep)):
                add(name)
            if not found and not problems and not odd:
                shown = display_path(path)
                invalid.append(Invalid(shown, (Problem(
                    "map bevat geen assessments (geen bestanden *.yaml of *.yml, ook niet in submappen)", file=shown,
                    hint="Geef de map met de assessments op, of de bestanden zelf.", code=Code.UNREADABLE),)))
        elif exists:
            add(os.path.abspath(path))
        else:
            invalid.append(Invalid(display_path(path), (Problem(
                "pad bestaat niet" if not path.is_symlink() else "pad is een koppeling naar iets dat niet bestaat", file=display_path(path), hint="Controleer het pad en de spelling.",
                code=Code.UNREADABLE),)))
    return [Path(name) for name in files], invalid


def _walk(root: str) -> tuple[list[str], list[tuple[str, OSError]], list[str]]:
    """The YAML files under a folder (following links to folders, never twice into the same one),
    the folders that could not be read, and the *.yaml names that are not regular files (a pipe, a
    device, a link to nothing): those are named, never read and never skipped in silence."""
    found: list[str] = []
    odd: list[str] = []
    problems: list[tuple[str, OSError]] = []
    visited: set = set()
    for folder, dirs, names in os.walk(root, followlinks=True,
                                       onerror=lambda exc: problems.append((exc.filename or root, exc))):
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in visited:  # a link back up: a loop
                dirs[:] = []
                continue
            visited.add((st.st_dev, st.st_ino))
        except OSError:
            continue
        dirs[:] = [d for d in dirs if d != HISTORY_FOLDER]  # earlier versions of a file, not assessments
        for name in names:
            if name.endswith(SUFFIXES):
                full = os.path.join(folder, name)
                if os.path.isfile(full):
                    found.append(full)
                else:
                    odd.append(full)
    return found, problems, odd
