"""A rich Table drawn without rich, for the one case where that is exact and worth it: the trend's
per-team tables (thousands of them in a large region, where rich spends over 90% of `kader trend`).

`box_table` returns the very text `Console.print(Table(header_style="bold"))` writes without colour
(default box, padding 1, left-justified columns with a minimum width), or None when it cannot be
sure of that (colour, a cell that rich would wrap, fold or pad differently): the caller then prints
the rich Table. A test compares the two on generated tables."""

from __future__ import annotations

import re

from rich.cells import cell_len

from kadertoets.infra.textsafe import clean

# One line of visible text: no leading, trailing or double spaces and no other white space, so that
# rich, given room for the whole text, keeps it on one line exactly as it is.
_SIMPLE = re.compile(r"[^\s]+(?: [^\s]+)*")


def _simple(text: str) -> bool:
    return _SIMPLE.fullmatch(text) is not None and text.isprintable()


def box_table(header: list[str], rows: list[list[str]], min_widths: list[int], width: int,
              justify: list[str] | None = None) -> str | None:
    """The table's lines (each ending in a newline), or None. `header` and the cells are plain text
    (cleaned here, as the Console cleans them); `min_widths`: each column's min_width; `width`: the
    console's width; `justify`: per column "left" (the default) or "right"."""
    if not rows:
        return None
    measured: dict[str, tuple[str, int]] = {}  # the cells repeat (statuses): each text once
    lines = []
    widths = list(min_widths)
    for line in [header, *rows]:
        if len(line) != len(widths):
            return None
        cells = []
        for i, text in enumerate(line):
            m = measured.get(text)
            if m is None:
                shown = clean(text)
                if shown and not _simple(shown):
                    return None
                m = measured[text] = (shown, cell_len(shown))
            if m[1] > widths[i]:
                widths[i] = m[1]
            cells.append(m)
        lines.append(cells)
    if sum(w + 2 for w in widths) > width - (len(widths) + 1):  # rich would shrink and wrap the columns
        return None

    right = [j == "right" for j in justify] if justify else [False] * len(widths)

    def row(cells, side: str) -> str:
        return side + side.join(f" {' ' * (w - n)}{c} " if r else f" {c}{' ' * (w - n)} "
                                for (c, n), w, r in zip(cells, widths, right)) + side + "\n"

    out = ["┏" + "┳".join("━" * (w + 2) for w in widths) + "┓\n", row(lines[0], "┃"),
           "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩\n"]
    out += [row(cells, "│") for cells in lines[1:]]
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘\n")
    return "".join(out)


def plain_lines(text: str, width: int) -> str | None:
    """The lines `Console.print(Text(text))` writes without colour at this width (wrapped between
    words, each line ending in a newline; trailing spaces aside, which the renderers strip), or None
    when rich would do more than that (a word wider than the line, several spaces, a newline).
    Leading spaces (an indented item) stay on the first line only, as rich keeps them."""
    text = clean(text)
    rest = text.lstrip(" ")
    if not _simple(rest):
        return None
    words = rest.split(" ")
    words[0] = text[:len(text) - len(rest)] + words[0]
    lines, current, used = [], [], 0
    for word in words:
        n = cell_len(word)
        if n > width:
            return None
        if current and used + 1 + n > width:
            lines.append(" ".join(current))
            current, used = [], 0
        used += n + (1 if current else 0)
        current.append(word)
    lines.append(" ".join(current))
    return "\n".join(lines) + "\n"
