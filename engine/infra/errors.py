"""The one error type that may escape the engine: a located, Dutch, user-facing problem."""

from __future__ import annotations

import errno
import os
from dataclasses import field
from pathlib import Path

from kadertoets.infra import textsafe
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.records import record
from kadertoets.infra.textsafe import excerpt as one_line  # newlines visible too: a file cannot forge a line of output

MAX_PROBLEMS = 50  # problems reported per part of a file; then one "en meer" problem, and no more work

# Per part of a rendered problem: how many characters are shown at most.
_LIMITS = {"file": 300, "field": 160, "message": 1000, "hint": 600}


def enough(problems: list, file: str | None, line: int | None = None) -> bool:
    """True (and one closing problem added) once `problems` holds MAX_PROBLEMS: the caller stops
    looking, so a file with 24,000 wrong keys costs as little as one with fifty."""
    if len(problems) < MAX_PROBLEMS:
        return False
    problems.append(Problem(f"en mogelijk nog meer problemen; alleen de eerste {MAX_PROBLEMS} worden genoemd",
                            file=file, line=line, hint="Los deze eerst op en controleer het bestand opnieuw."))
    return True


def excerpt(value, limit: int = 60, quote: bool = True) -> str:
    """A value from a file, for echoing in a message: on one line, unsafe characters visible (see
    textsafe.py), cut short ('…'), in single quotes unless asked otherwise."""
    text = textsafe.excerpt(value, limit)
    return f"'{text}'" if quote else text


_OS_REASONS = {
    errno.EACCES: "geen toegang", errno.EPERM: "geen toegang", errno.ENOENT: "bestaat niet",
    errno.ENOTDIR: "een deel van het pad is geen map", errno.EISDIR: "is een map", errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte (quota) is op", errno.EROFS: "alleen-lezen bestandssysteem",
    errno.ENAMETOOLONG: "de naam is te lang", errno.ELOOP: "te veel symbolische koppelingen achter elkaar",
    errno.EEXIST: "bestaat al", errno.EBUSY: "is in gebruik", errno.EMFILE: "te veel open bestanden",
    errno.ENFILE: "te veel open bestanden", errno.EIO: "lees- of schrijffout van het apparaat",
    errno.ETXTBSY: "is in gebruik", errno.EXDEV: "ligt op een ander bestandssysteem",
    errno.EINVAL: "ongeldige bewerking voor dit bestand",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Dutch (never the system's English text)."""
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason is None:
        name = errno.errorcode.get(exc.errno or 0)
        reason = f"systeemfout {name}" if name else "systeemfout"
    return reason


@record(frozen=False)  # a @dataclass, cheaper to declare (infra/records.py)
class Problem:
    """One problem in an input file: where it is, what is wrong, how to fix it (Dutch)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None
    code: Code | None = None  # kind of problem (infra/lintcodes.py), for `kader lint`
    internal: bool = False  # kadertoets itself failed here (a bug, exit code 3), not the file
    cell: str | None = None  # in a workbook: the sheet and cell (Vragen!F14), where a YAML file has a line

    def __post_init__(self) -> None:
        if self.code is not None and not isinstance(self.code, Code):
            self.code = Code(self.code)  # a value that is no code fails here, not later as KT000
        # cut at the source, so that every output (text, JSON, lint, sweep) gets a short field and
        # message, however long the key or value in the file was
        if self.field is not None and len(self.field) > _LIMITS["field"]:
            self.field = textsafe.clean(self.field, _LIMITS["field"])
        if len(self.message) > _LIMITS["message"]:
            self.message = textsafe.clean(self.message, _LIMITS["message"])
        if self.hint is not None and len(self.hint) > _LIMITS["hint"]:
            self.hint = textsafe.clean(self.hint, _LIMITS["hint"])

    def location(self) -> str:
        parts = [self.file or "<invoer>"]
        if self.cell is not None:
            parts.append(self.cell)
        elif self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """`file:line:column: veld 'x': message` and the hint on its own line; every part is cleaned
        of control characters and newlines (a key or file name cannot start a line of its own, such as
        a forged `::error` command in CI) and cut short, whatever the caller put in it."""
        located = self.file or self.line is not None or self.cell is not None
        text = f"{one_line(self.location(), _LIMITS['file'])}: " if located else ""
        if self.field:
            text += f"veld '{one_line(self.field, _LIMITS['field'])}': "
        text += one_line(self.message, _LIMITS["message"])
        if self.hint:
            text += f"\n  Oplossing: {one_line(self.hint, _LIMITS['hint'])}"
        return textsafe.no_commands(text)


@record(frozen=False)
class KaderFout(Exception):
    """Invalid input: one or more problems. Exit code 2 in the command line."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    @classmethod
    def single(cls, message: str, **where) -> "KaderFout":
        return cls([Problem(message, **where)])

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)

    def __str__(self) -> str:  # dataclass would otherwise print the field list
        return self.render()


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working folder where possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(_working_folder()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(p)


_CWD: list = [None, None]  # the working folder as the system names it, and resolved


def _working_folder() -> Path:
    """The resolved working folder, resolved again only when the working folder changed (resolving
    stats every part of the path: a check shows dozens of paths)."""
    here = os.getcwd()
    if _CWD[0] != here:
        _CWD[1] = Path(here).resolve()
        _CWD[0] = here
    return _CWD[1]
