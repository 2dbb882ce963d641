"""Renderers for `kader rules` (the list) and `kader explain` (one rule in full)."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from kadertoets.evaluate.answerforms import how_to_answer, type_phrase
from kadertoets.evaluate.conditions import describe, questions_of
from kadertoets.infra.dates import dutch_date
from kadertoets.model import RESPONSIBLE_LABEL, RESPONSIBLE_NAME, STATUS_LABEL, Kader, Rule
from kadertoets.render import Options, console, console_text, json_text, renderer, rich_text, safe_text, column_widths, word_width


def source_list(rule: Rule) -> list[str]:
    return [s.label() for s in rule.sources]


@renderer("rules", "text")
def rules_text(kader: Kader, options: Options) -> str:
    con, buf = console(options)
    con.print(rich_text(f"{kader.name} {kader.version} ({kader.status}, ingangsdatum "
                        f"{dutch_date(kader.effective_date)})", style="bold"))
    rules = sorted(kader.rules.values(), key=lambda r: r.id)
    table = Table(show_lines=False, expand=True, header_style="bold", pad_edge=False)
    widths = column_widths(options.width, pad_edge=False, columns=[
        (word_width(["Eis"] + [r.id for r in rules]), 0),
        (word_width(["Thema"] + [r.theme for r in rules], 12), 0),
        (word_width(["Titel"] + [r.title for r in rules], 16), 1),
        (word_width(["Wie"] + [RESPONSIBLE_NAME[r.responsible] for r in rules]), 0,
         max(cell_len(t) for t in ["Wie"] + [RESPONSIBLE_NAME[r.responsible] for r in rules])),
        (word_width(["Norm"] + [r.norm_origin for r in rules]), 0),
    ])
    for name, width in zip(("Eis", "Thema", "Titel", "Wie", "Norm"), widths):
        table.add_column(name, width=width, overflow="fold" if name == "Titel" else "ellipsis")
    for rule in rules:
        table.add_row(rule.id, rule.theme, rule.title, RESPONSIBLE_NAME[rule.responsible], rule.norm_origin)
    con.print(table)
    derived = sum(1 for r in kader.rules.values() if r.norm_origin == "afgeleid")
    con.print(Text(f"{len(kader.rules)} eisen, waarvan {derived} met een afgeleide norm (geen bron noemt de drempel)."))
    return console_text(buf)


@renderer("rules", "json")
def rules_json(kader: Kader, options: Options) -> str:
    data = [
        {
            "id": r.id,
            "titel": r.title,
            "thema": r.theme,
            "verantwoordelijk": r.responsible,
            "norm_herkomst": r.norm_origin,
            "bron": source_list(r),
        }
        for r in sorted(kader.rules.values(), key=lambda r: r.id)
    ]
    return json_text(data)


def explain_lines(kader: Kader, rule: Rule) -> list[str]:
    lines = [f"{rule.id}: {rule.title}", "", f"Thema: {rule.theme}", f"Kader: {kader.name} {kader.version}",
             f"Wie kan het tekort oplossen: {RESPONSIBLE_LABEL[rule.responsible]}", "", "Uitleg:", *textwrap.wrap(rule.explanation, 96, initial_indent="  ", subsequent_indent="  "), "",
             "Bronnen:"]
    for s in rule.sources:
        lines.append(f"  - {s.label()}" + (f': "{s.quote}"' if s.quote else ""))
    origin = "gesteld door een bron" if rule.norm_origin == "bron" else "AFGELEID (geen bron noemt deze norm)"
    lines += ["", f"Norm: {origin}"]
    if rule.norm_note:
        lines += textwrap.wrap(rule.norm_note, 96, initial_indent="  ", subsequent_indent="  ")
    q = kader.all_questions()
    if rule.applies is not None:
        lines.append(f"  Van toepassing als: {describe(rule.applies, q)}")
    lines.append(f"  Voldoet als: {describe(rule.meets, q)}")
    if rule.partly is not None:
        lines.append(f"  Deels als: {describe(rule.partly, q)}")
    lines.append("  Anders: voldoet niet; ontbreekt een gegeven dat de uitkomst bepaalt: onbekend.")
    asked = [q[path] for path in sorted(questions_of(rule)) if path in q]
    if asked:  # what the team fills in for this requirement, and how it may be written (issue 11)
        lines += ["", "Wat het team invult:"]
        for question in asked:
            lines.append(f"  - {question.question}")
            lines += textwrap.wrap(f"{type_phrase(question)[:1].upper()}{type_phrase(question)[1:]}. "
                                   f"{how_to_answer(question)}", 96, initial_indent="    ", subsequent_indent="    ")
    a = rule.action
    lines += ["", "Verbeteractie voor het transformatieplan:", f"  {a.description}",
              f"  Eigenaar: {kader.roles.get(a.owner, a.owner)}",
              f"  Deadline: {dutch_date(a.deadline.date)} ({a.deadline.label}{', afgeleide datum' if a.deadline.derived else ''})",
              f"  Mogelijk extra middelen nodig: {'ja' if a.extra_budget_possible else 'nee'}"]
    if rule.change_note:
        lines += ["", f"Wijziging t.o.v. de concept-eisenlijst: {rule.change_note}"]
    lines += ["", f"Voorbeelden ({len(rule.examples)}):"]
    for ex in rule.examples:
        lines.append(f"  - {ex.name}: {STATUS_LABEL[ex.expected]}")
    lines += ["", f"Bestand: {rule.file}"]
    return lines


@renderer("explain", "text")
def explain_text(payload, options: Options) -> str:
    kader, rule = payload
    return safe_text("\n".join(explain_lines(kader, rule)) + "\n")


@renderer("explain", "json")
def explain_json(payload, options: Options) -> str:
    kader, rule = payload
    data = {
        "id": rule.id,
        "titel": rule.title,
        "thema": rule.theme,
        "uitleg": rule.explanation,
        "bron": [{"bron": s.code, "sectie": s.section, "citaat": s.quote, "url": s.url} for s in rule.sources],
        "norm_herkomst": rule.norm_origin,
        "norm_toelichting": rule.norm_note,
        "verantwoordelijk": rule.responsible,
        "van_toepassing": describe(rule.applies, kader.all_questions()) if rule.applies is not None else None,
        "voldoet": describe(rule.meets, kader.all_questions()),
        "deels": describe(rule.partly, kader.all_questions()) if rule.partly is not None else None,
        "actie": {"omschrijving": rule.action.description, "eigenaar": rule.action.owner,
                  "deadline": rule.action.deadline.date.isoformat(), "extra_middelen_mogelijk": rule.action.extra_budget_possible},
        "wijziging": rule.change_note,
    }
    return json_text(data)
