"""Output formats in a registry: `@renderer("check", "json")` registers a function that turns a
result into text. The command line looks formats up here; no if/elif chains over formats.

Renderer modules are imported only for the command at hand (`MODULES`: which modules register
renderers for which command), so `kader sweep` does not pay for importing the lint or diff
machinery; a test checks that every module registers only the commands it is listed for.
"""

from __future__ import annotations

import datetime as dt

import io
import re
from typing import Callable

from kadertoets.model import STATUS_LABEL, Status  # noqa: F401  (STATUS_LABEL: renderers import it from here)
from kadertoets.infra.textsafe import UNSAFE_CLASS, clean, is_clean, no_commands
from kadertoets.infra.records import record

_REGISTRY: dict[tuple[str, str], Callable] = {}
_STREAMS: dict[tuple[str, str], Callable] = {}  # renderers that can give their text in pieces


@record
class Options:
    """How to render: colour (only on a terminal and without NO_COLOR), width, show compliant findings."""

    color: bool = False
    width: int = 100
    show_all: bool = False
    made_at: dt.datetime | None = None  # when the output is made, for exports (the caller reads the clock)


def renderer(command: str, fmt: str):
    def register(fn):
        _REGISTRY[(command, fmt)] = fn
        return fn

    return register


def stream_renderer(command: str, fmt: str):
    """Register a renderer that gives its text in pieces (an iterable of str, e.g. JSON team by team):
    `render_pieces` hands the pieces on to be written one at a time; `render` joins them, for callers
    that want the text (the web page)."""
    def register(fn):
        _STREAMS[(command, fmt)] = fn
        _REGISTRY[(command, fmt)] = lambda result, options: "".join(fn(result, options))
        return fn

    return register


# command -> the renderer modules (in engine/render/) that register its formats
MODULES: dict[str, tuple[str, ...]] = {
    "check": ("check",),
    "plan": ("plan",),
    "sweep": ("sweep", "sweep_html", "sweep_xlsx"),
    "trend": ("sweep", "sweep_html", "sweep_xlsx"),
    "rules": ("rules",),
    "vragen": ("questions",),
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
# Formats that get a byte-order mark when written to a file (Dutch Excel reads UTF-8 CSV only with one).
BOM_FORMATS = frozenset({"csv"})
# The file-name suffixes of each format: `-o regio.xlsx` without --formaat writes XLSX. A format without
# a suffix of its own (github annotations) is only chosen with --formaat.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "text": (".txt",), "markdown": (".md", ".markdown"), "json": (".json",), "csv": (".csv",), "xlsx": (".xlsx",),
    "html": (".html", ".htm"), "yaml": (".yaml", ".yml"), "junit": (".xml",),
}
_FORMAT_OF_SUFFIX = {suffix: fmt for fmt, suffixes in SUFFIXES.items() for suffix in suffixes}


def is_binary(fmt: str) -> bool:
    return fmt in BINARY_FORMATS


def has_bom(fmt: str) -> bool:
    return fmt in BOM_FORMATS


def suffix_of(fmt: str) -> str | None:
    """The usual file-name suffix of a format (xlsx -> `.xlsx`), or None for one without (github)."""
    suffixes = SUFFIXES.get(fmt)
    return suffixes[0] if suffixes else None


def format_of_suffix(suffix: str) -> str | None:
    """The format a file-name suffix names (`.xlsx` -> xlsx), or None for a suffix of no format."""
    return _FORMAT_OF_SUFFIX.get(suffix.lower())


def suffix_agrees(fmt: str, suffix: str) -> bool:
    """Whether writing `fmt` into a file with this suffix is what the name promises: a suffix of no
    format promises nothing; `.txt` suits every text format (github annotations, Markdown) but no
    binary one."""
    named = format_of_suffix(suffix)
    if named is None or named == fmt:
        return True
    return named == "text" and not is_binary(fmt)


def render(command: str, fmt: str, result, options: Options) -> str | bytes:
    """The rendered result: text, or bytes for the binary formats (BINARY_FORMATS)."""
    _load(command)
    return _REGISTRY[(command, fmt)](result, options)


def render_pieces(command: str, fmt: str, result, options: Options):
    """The rendered result as render() gives it, or, for a format registered with stream_renderer, its
    text as an iterable of pieces (made while they are written: a big document is never whole in memory)."""
    _load(command)
    stream = _STREAMS.get((command, fmt))
    return stream(result, options) if stream is not None else _REGISTRY[(command, fmt)](result, options)


def _load(command: str) -> None:
    """Import the modules that register the renderers of `command`."""
    import importlib

    for name in MODULES[command]:
        importlib.import_module(f"{__name__}.{name}")


WAITING_SYMBOL = "R"  # a matrix cell of a team that does not comply only because the region's product is missing
WAITING_LABEL = "wacht op de regio"
WAITING_LEGEND = f"{WAITING_SYMBOL} voldoet niet, wacht op de regio (het regionale product is er nog niet)"

STATUS_SYMBOL = {
    Status.VOLDOET: "✔",
    Status.DEELS: "◐",
    Status.VOLDOET_NIET: "✘",
    Status.ONBEKEND: "?",
    Status.NVT: "–",
}
STATUS_STYLE = {
    Status.VOLDOET: "green",
    Status.DEELS: "yellow",
    Status.VOLDOET_NIET: "bold red",
    Status.ONBEKEND: "magenta",
    Status.NVT: "dim",
}


def word_width(texts, floor: int = 1) -> int:
    """The width of the longest word in `texts` (at least `floor`): a table column at least this wide
    wraps between words and never cuts one in half or shortens it with an ellipsis."""
    from rich.cells import cell_len

    return max([floor] + [cell_len(word) for text in texts for word in clean(str(text)).split()])


def column_widths(total: int, columns: list[tuple], pad_edge: bool = True) -> list[int]:
    """Content widths for the columns of a rich Table with borders and padding (the default box) that
    is `total` wide. Each column is (minimum, ratio) or (minimum, 0, preferred): the minimum is
    word_width of its texts, so that no word is cut; a column of ratio 0 (ids, statuses, who) gets its
    preferred width (say the whole status on one line), or when space is short its minimum; the
    others share what is left by ratio. Only when the minimums do not fit either (a 30-letter word in
    a narrow terminal) do the ratio columns give way, down to MIN_TEXT_COLUMN: give those columns
    overflow="fold", so that only such an unbreakable word is folded. rich's own ratios ignore a
    column's min_width, which is why the widths are fixed here. `pad_edge`: as the Table's (False:
    no padding before the first and after the last column, two more characters for the text)."""
    room = total - (len(columns) + 1) - 2 * len(columns) + (0 if pad_edge else 2)
    widths = [c[2] if len(c) > 2 and c[2] else c[0] for c in columns]
    for i, c in enumerate(columns):  # fixed columns fall back to their minimum first
        if sum(widths) > room:
            widths[i] = c[0]
    flexible = [i for i, c in enumerate(columns) if c[1]]
    for i in sorted(flexible, key=lambda i: -widths[i]):  # then the widest text column gives way
        excess = sum(widths) - room
        if excess <= 0:
            break
        widths[i] = max(MIN_TEXT_COLUMN, widths[i] - excess)
    extra = room - sum(widths)
    ratios = sum(columns[i][1] for i in flexible)
    if extra <= 0 or not ratios:
        return widths
    shares = {i: extra * columns[i][1] // ratios for i in flexible}
    shares[max(flexible, key=lambda i: columns[i][1])] += extra - sum(shares.values())
    return [w + shares.get(i, 0) for i, w in enumerate(widths)]


MIN_TEXT_COLUMN = 16  # a text column is never squeezed narrower than this


def status_text(status: Status) -> str:
    """Symbol and word, so the status reads without colour too."""
    return f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"


def console(options: Options):
    """A rich Console writing into a buffer; plain text unless colour is asked for.

    Text from files is shown as it is: rich markup in it (`[link=...]`, `[/x]`) is not interpreted,
    and every control character in it is made visible (engine.textsafe.clean), also when colour is
    on and rich adds its own colour codes around it (see _console_classes and console_text)."""
    plain, coloured = _console_classes()
    buf = _Buffer()
    buf.escapes = options.color
    con = (coloured if options.color else plain)(
        file=buf,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    return con, buf


class _Buffer(io.StringIO):
    """A console's output; `escapes`: whether rich writes its own colour codes into it."""

    escapes = False


_CONSOLES = None


def _console_classes():
    """Two rich Consoles that never let a control character from the content through. Both clean every
    string before rich measures it (so tables stay aligned). Without colour, rich itself writes no
    escape codes, so console_text cleans the whole output once; with colour, the second class cleans
    the text of every rendered segment instead (rich's colour codes are not in a segment's text, so
    they stay)."""
    global _CONSOLES
    if _CONSOLES is None:
        from rich.console import Console
        from rich.segment import Segment

        class SafeConsole(Console):
            def render_str(self, text, **kwargs):
                return super().render_str(clean(text), **kwargs)

        class SafeColourConsole(SafeConsole):
            def render(self, renderable, options=None):
                for segment in super().render(renderable, options):
                    if segment.control is None and not is_clean(segment.text):
                        segment = Segment(clean(segment.text), segment.style)
                    yield segment

        _CONSOLES = (SafeConsole, SafeColourConsole)
    return _CONSOLES


def console_text(buf) -> str:
    """The rendered text without trailing spaces (rich pads table titles to the full width); without
    colour codes, also with every control character made visible."""
    text = no_commands("\n".join(line.rstrip() for line in buf.getvalue().split("\n")))
    return text if getattr(buf, "escapes", True) else clean(text)


def rich_text(value, style: str = ""):
    """A rich Text of a value from a file, cleaned first (so rich measures what it will show)."""
    from rich.text import Text

    return Text(clean(value), style=style)


# A cell starting with one of these is read as a formula by Excel and LibreOffice (OWASP "CSV injection"),
# also after leading spaces or line breaks, which some importers strip; the full-width forms (＝＋－＠)
# are folded to these by some spreadsheet locales.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_LEADING_BLANK = " \n\u00a0\u3000"
_CELL_RISK: list = []  # compiled on first use: only csv and xlsx need it


def _cell_risk():
    if not _CELL_RISK:
        _CELL_RISK.append(re.compile(f"^[{_LEADING_BLANK}]*[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]|[{UNSAFE_CLASS}]"))
    return _CELL_RISK[0]


def starts_formula(value: str) -> bool:
    """Whether a spreadsheet could read this text cell as a formula."""
    return value.lstrip(_LEADING_BLANK).startswith(FORMULA_START)


def xlsx_value(value):
    """A value from the input as it goes into an XLSX cell: text with its control characters made visible
    (engine.textsafe.clean; openpyxl refuses most of them), anything else (numbers, dates) as it is."""
    return clean(value) if isinstance(value, str) else value


def xlsx_keep_text(cell) -> None:
    """Keep an XLSX text cell text: one starting with =, +, -, @, a tab or a carriage return would be a
    formula (openpyxl makes '=...' one itself; Excel makes the others one when the cell is edited). A
    string-typed cell with Excel's quote prefix (the invisible leading apostrophe) stays text; numbers
    are never touched."""
    value = cell.value
    if isinstance(value, str) and starts_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_put(ws, row: int, column: int, value):
    """Write one cell of an openpyxl sheet (see xlsx_value and xlsx_keep_text) and return it: the one way
    the XLSX renderers write a value from a file."""
    c = ws.cell(row=row, column=column, value=xlsx_value(value))
    xlsx_keep_text(c)
    return c


def neutral_cell(value):
    """A CSV cell that no spreadsheet runs: text is cleaned (engine.textsafe.clean) and, when it starts
    (after blanks) with =, +, -, @ (or their full-width forms), a tab or a carriage return, prefixed
    with an apostrophe. Numbers stay numbers."""
    if not isinstance(value, str) or _cell_risk().search(value) is None:
        return value
    value = clean(value)
    return "'" + value if starts_formula(value) else value


def csv_text(header: list, rows) -> str:
    """CSV as Dutch Excel expects it: ';' as separator, CRLF; the CLI adds a BOM when writing a file.
    Every cell goes through neutral_cell (no formulas, no control characters)."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutral_cell(v) for v in header])
    writer.writerows([neutral_cell(v) for v in row] for row in rows)
    return buf.getvalue()


_MD_SPECIAL = re.compile(r"[&<>\\|\n\[\]`*]")


def md_escape(text) -> str:
    """Escape a value from a file for Markdown (a table cell, a list item or a heading): control
    characters made visible (engine.textsafe.clean), &, < and > as HTML entities (many viewers render
    Markdown as HTML: a <script> in a team name stays text), backslash and | escaped, [ ] escaped (no
    link or image: `![x](http://...)` would load a remote image, `[klik](javascript:...)` be a live
    link), ` and * escaped (no code span or emphasis), on one line."""
    text = clean(text)
    if _MD_SPECIAL.search(text):
        text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
                .replace("[", "\\[").replace("]", "\\]").replace("`", "\\`").replace("*", "\\*"))
    return text


def json_text(data) -> str:
    """JSON of `data` (indent 2, UTF-8 text, final newline) with every character a terminal could act
    on written as a \\uXXXX escape: the same data when read back, nothing raw on the screen (the
    encoder is in render/jsonstream.py, which also writes big documents in pieces)."""
    from kadertoets.render.jsonstream import json_text as text  # here: most commands never write JSON

    return text(data)


def safe_text(text: str, commands: bool = False) -> str:
    """The final text of a renderer that adds no escape codes itself (Markdown, plain text, CSV,
    HTML): every control character made visible except newline and tab. A last line of defence: the
    renderers clean the values from files already. No line starts a CI workflow command ('::'),
    unless the renderer writes such commands itself (`commands`, lint --formaat github)."""
    return clean(text) if commands else no_commands(clean(text))


def summary_line(counts: dict) -> str:
    order = [Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT]
    return ", ".join(f"{counts[s.value]} {STATUS_LABEL[s]}" for s in order)
