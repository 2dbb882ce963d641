"""Renderers for `kader vragen`: the questions of a Kader version per theme, with what may be answered
(in plain Dutch, never a type code) and the requirements that use each question.

text (a table per theme), markdown, csv (Dutch Excel; every cell through the formula guard of
render.csv_text) and json (a list of objects with the raw type, for tools)."""

from __future__ import annotations

import textwrap

from kadertoets.editors.questionlist import QuestionList
from kadertoets.evaluate.answerforms import type_phrase
from kadertoets.render import Options, csv_text, json_text, md_escape, renderer, safe_text


def _requirements(ids) -> str:
    return ", ".join(ids) if ids else "geen (informatief)"


def _summary(result: QuestionList) -> str:
    shown = len(result.questions)
    themes = len(result.themes)
    if result.needed_only:
        return (f"{shown} van de {result.total} vragen worden door een eis gebruikt, in {themes} "
                f"{'thema' if themes == 1 else 'thema’s'}.")
    used = sum(1 for item in result.questions if item.requirements)
    return (f"{shown} {'vraag' if shown == 1 else 'vragen'} in {themes} {'thema' if themes == 1 else 'thema’s'}, "
            f"waarvan {used} door een eis gebruikt.")


@renderer("vragen", "text")
def questions_text(result: QuestionList, options: Options) -> str:
    """Per theme each question with its field, what may be answered and the requirements that use it,
    as indented lines wrapped between words: at any width nothing is cut or shortened."""
    width = max(40, options.width)
    lines = [f"Vragen van {result.kader_name} {result.version}"]

    def wrapped(text: str, indent: str, label: str = "") -> list[str]:
        return textwrap.wrap(label + " ".join(str(text).split()), width, initial_indent=indent,
                             subsequent_indent=indent + " " * len(label), break_long_words=False,
                             break_on_hyphens=False) or [indent + label]

    for theme, items in result.themes:
        lines += ["", theme]
        for item in items:
            q = item.question
            lines += wrapped(q.question, "  ")
            lines += wrapped(q.path, "    ", "veld: ")
            lines += wrapped(type_phrase(q), "    ", "antwoord: ")
            lines += wrapped(_requirements(item.requirements), "    ", "eisen: ")
    lines += ["", _summary(result)]
    return safe_text("\n".join(lines) + "\n")


@renderer("vragen", "markdown")
def questions_markdown(result: QuestionList, options: Options) -> str:
    lines = [f"# Vragen van {md_escape(result.kader_name)} {md_escape(result.version)}", ""]
    for theme, items in result.themes:
        lines += [f"## {md_escape(theme)}", "", "| Veld | Vraag | Antwoord | Eisen |", "|---|---|---|---|"]
        for item in items:
            q = item.question
            question = md_escape(q.question) + (f"<br>*{md_escape(q.help)}*" if q.help else "")
            lines.append(f"| `{md_escape(q.path)}` | {question} | {md_escape(type_phrase(q))} | "
                         f"{md_escape(_requirements(item.requirements))} |")
        lines.append("")
    lines.append(_summary(result))
    return safe_text("\n".join(lines) + "\n")


CSV_HEADER = ["thema", "veld", "vraag", "hulp", "antwoord", "eenheid", "waarden", "minimum", "maximum", "eisen"]


@renderer("vragen", "csv")
def questions_csv(result: QuestionList, options: Options) -> str:
    rows = []
    for theme, items in result.themes:
        for item in items:
            q = item.question
            rows.append([theme, q.path, q.question, q.help, type_phrase(q), q.unit or "", ", ".join(q.values),
                         "" if q.minimum is None else q.minimum, "" if q.maximum is None else q.maximum,
                         ", ".join(item.requirements)])
    return csv_text(CSV_HEADER, rows)


@renderer("vragen", "json")
def questions_json(result: QuestionList, options: Options) -> str:
    data = []
    for item in result.questions:
        q = item.question
        entry = {"id": q.path, "vraag": q.question, "type": q.type, "thema": q.theme,
                 "eisen": list(item.requirements)}
        optional = {"hulp": q.help or None, "eenheid": q.unit, "waarden": list(q.values) or None,
                    "minimum": q.minimum, "maximum": q.maximum}
        entry.update((key, value) for key, value in optional.items() if value is not None)
        data.append(entry)
    return json_text(data)
