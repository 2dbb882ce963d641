"""The one error type that may escape the engine: a located, Dutch, user-facing problem."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from pathlib import Path

# Characters that must never reach a terminal or a message raw: C0 and C1 control characters
# (escape sequences, bell, backspace, carriage return), and the invisible format characters that
# can reorder or hide text (bidirectional overrides and isolates, zero-width characters, BOM).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# Per part of a rendered problem: how many characters are shown at most.
_LIMITS = {"file": 300, "field": 160, "message": 1000, "hint": 600}


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text, limit: int | None = None) -> str:
    """Text safe to print: every control and invisible format character made visible as an escape
    (`\\x1b`), newlines and tabs kept; cut to `limit` characters with '…' when it is longer."""
    text = _UNSAFE.sub(_visible, str(text))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def excerpt(value, limit: int = 60, quote: bool = True) -> str:
    """A value from a file, for echoing in a message: on one line, control characters visible, cut
    short ('…'), in quotes unless asked otherwise."""
    text = clean(str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", " "), limit)
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


@dataclass
class Problem:
    """One problem in an input file: where it is, what is wrong, how to fix it (Dutch)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None
    code: str | None = None  # kind of problem (engine/lintcodes.py), for `kader lint`

    def location(self) -> str:
        parts = [self.file or "<invoer>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """`file:line:column: veld 'x': message` and the hint on its own line; every part is cleaned
        of control characters and cut short, whatever the caller put in it."""
        text = f"{clean(self.location(), _LIMITS['file'])}: " if self.file or self.line is not None else ""
        if self.field:
            text += f"veld '{clean(self.field, _LIMITS['field'])}': "
        text += clean(self.message, _LIMITS["message"])
        if self.hint:
            text += f"\n  Oplossing: {clean(self.hint, _LIMITS['hint'])}"
        return text


@dataclass
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
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(p)
