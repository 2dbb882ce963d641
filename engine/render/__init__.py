"""Output formats in a registry: `@renderer("check", "json")` registers a function that turns a
result into text. The command line looks formats up here; no if/elif chains over formats.

Renderer modules are imported only for the command at hand (`MODULES`: which modules register
renderers for which command), so `kader sweep` does not pay for importing the lint or diff
machinery; a test checks that every module registers only the commands it is listed for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from ..model import Status

_REGISTRY: dict[tuple[str, str], Callable] = {}


@dataclass(frozen=True)
class Options:
    """How to render: colour (only on a terminal and without NO_COLOR), width, show compliant findings."""

    color: bool = False
    width: int = 100
    show_all: bool = False


def renderer(command: str, fmt: str):
    def register(fn):
        _REGISTRY[(command, fmt)] = fn
        return fn

    return register


# command -> the renderer modules (in engine/render/) that register its formats
MODULES: dict[str, tuple[str, ...]] = {
    "check": ("check",),
    "plan": ("plan",),
    "sweep": ("sweep", "sweep_html", "sweep_xlsx"),
    "trend": ("sweep", "sweep_html", "sweep_xlsx"),
    "rules": ("rules",),
    "explain": ("rules",),
    "test": ("selftest",),
    "lint": ("lint",),
    "diff": ("diff",),
    "migrate": ("diff",),
}


def formats(command: str) -> list[str]:
    _load(command)
    return [fmt for (cmd, fmt) in _REGISTRY if cmd == command]


# Formats whose renderer returns bytes instead of text: written to a file as they are, never to a terminal.
BINARY_FORMATS = frozenset({"xlsx"})


def is_binary(fmt: str) -> bool:
    return fmt in BINARY_FORMATS


def render(command: str, fmt: str, result, options: Options) -> str | bytes:
    """The rendered result: text, or bytes for the binary formats (BINARY_FORMATS)."""
    _load(command)
    return _REGISTRY[(command, fmt)](result, options)


def _load(command: str) -> None:
    """Import the modules that register the renderers of `command`."""
    import importlib

    for name in MODULES[command]:
        importlib.import_module(f"{__name__}.{name}")


STATUS_SYMBOL = {
    Status.VOLDOET: "✔",
    Status.DEELS: "◐",
    Status.VOLDOET_NIET: "✘",
    Status.ONBEKEND: "?",
    Status.NVT: "–",
}
STATUS_LABEL = {
    Status.VOLDOET: "voldoet",
    Status.DEELS: "deels",
    Status.VOLDOET_NIET: "voldoet niet",
    Status.ONBEKEND: "onbekend",
    Status.NVT: "n.v.t.",
}
STATUS_STYLE = {
    Status.VOLDOET: "green",
    Status.DEELS: "yellow",
    Status.VOLDOET_NIET: "bold red",
    Status.ONBEKEND: "magenta",
    Status.NVT: "dim",
}


def status_text(status: Status) -> str:
    """Symbol and word, so the status reads without colour too."""
    return f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"


def console(options: Options):
    """A rich Console writing into a buffer; plain text unless colour is asked for."""
    from rich.console import Console

    buf = io.StringIO()
    con = Console(
        file=buf,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    return con, buf


def console_text(buf) -> str:
    """The rendered text without trailing spaces (rich pads table titles to the full width)."""
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def csv_text(header: list, rows) -> str:
    """CSV as Dutch Excel expects it: ';' as separator, CRLF; the CLI adds a BOM when writing a file."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_line(counts: dict) -> str:
    order = [Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT]
    return ", ".join(f"{counts[s.value]} {STATUS_LABEL[s]}" for s in order)
