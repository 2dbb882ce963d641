"""The one error type that may escape the engine: a located, Dutch, user-facing problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
        text = f"{self.location()}: " if self.file or self.line is not None else ""
        if self.field:
            text += f"veld '{self.field}': "
        text += self.message
        if self.hint:
            text += f"\n  Oplossing: {self.hint}"
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
    except (ValueError, OSError):
        return str(p)
