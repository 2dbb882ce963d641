"""Renderers for `kader rules` (the list) and `kader explain` (one rule in full)."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from kadertoets.evaluate.answerforms import how_to_answer, type_phrase
from kadertoets.evaluate.conditions import describe, questions_of
from kadertoets.infra.dates import dutch_date
from kadertoets.model import (RESPONSIBLE_LABEL, RESPONSIBLE_NAME, SOURCE_ROLE_LABEL, STATUS_LABEL,
                              Kader, Rule)
from kadertoets.render import Options, console, console_text, json_text, renderer, rich_text, safe_text, column_widths, word_width


def source_list(rule: Rule) -> list[str]:
    return [s.label() for s in rule.sources]


def basis_code(rule: Rule) -> str:
    """The rule's basis as JSON shows it: bronnen when a source S0..S4 grounds it, else buiten_bronnen
    (also when the rule does not say so, but cites S0..S4 only as illustrations, or only urls)."""
    return "bronnen" if rule.seed_basis else "buiten_bronnen"


def basis_note(rule: Rule) -> str | None:
    """Why a rule has no basis in the sources, in plain Dutch; None when it has one."""
    if rule.seed_basis:
        return None
    if rule.basis_note:
        return " ".join(rule.basis_note.split())
    if any(s.code for s in rule.sources):
        return "Elke bron uit S0..S4 die de eis noemt, staat er ter illustratie, niet als grondslag."
    return "De eis noemt alleen bronnen buiten S0..S4."




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
    for rule in rules:  # a requirement without a basis in the sources says so where it is named
        title = rule.title if rule.seed_basis else f"{rule.title} (geen grondslag in de bronnen)"
        table.add_row(rule.id, rule.theme, title, RESPONSIBLE_NAME[rule.responsible], rule.norm_origin)
    con.print(table)
    derived = sum(1 for r in kader.rules.values() if r.norm_origin == "afgeleid")
    con.print(Text(f"{len(kader.rules)} eisen, waarvan {derived} met een afgeleide norm (geen bron noemt de drempel)."))
    outside = [r.id for r in rules if not r.seed_basis]
    if outside:
        con.print(Text(f"{_count(len(outside))} zonder grondslag in de bronnen S0..S4: {', '.join(outside)} "
                       "(zie kader explain)."))
    illustrated = [r.id for r in rules if any(s.illustration for s in r.sources)]
    if illustrated:
        verb = "noemt" if len(illustrated) == 1 else "noemen"
        con.print(Text(f"{_count(len(illustrated))} {verb} een bron {SOURCE_ROLE_LABEL['illustratie']}: "
                       f"{', '.join(illustrated)}."))
    return console_text(buf)


def _count(n: int) -> str:
    return "1 eis" if n == 1 else f"{n} eisen"


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
            "bron_ter_illustratie": [s.label() for s in r.sources if s.illustration],
            "grondslag": basis_code(r),
            "grondslag_toelichting": basis_note(r),
            "regionaal_product": r.region_product.name if r.region_product is not None else None,
        }
        for r in sorted(kader.rules.values(), key=lambda r: r.id)
    ]
    return json_text(data)


def explain_lines(kader: Kader, rule: Rule) -> list[str]:
    lines = [f"{rule.id}: {rule.title}", "", f"Thema: {rule.theme}", f"Kader: {kader.name} {kader.version}",
             f"Wie kan het tekort oplossen: {RESPONSIBLE_LABEL[rule.responsible]}", "", "Uitleg:", *textwrap.wrap(rule.explanation, 96, initial_indent="  ", subsequent_indent="  "), "",
             "Bronnen:"]
    for s in rule.sources:
        lines.append(f"  - {s.label()}" + (f': "{s.quote}"' if s.quote else "")
                     + (f" ({SOURCE_ROLE_LABEL[s.role]})" if s.illustration else ""))
    if not rule.seed_basis:
        lines += ["", "Grondslag: GEEN IN DE BRONNEN (geen van S0..S4 stelt deze eis)"]
        lines += textwrap.wrap(basis_note(rule), 96, initial_indent="  ", subsequent_indent="  ")
    origin = "gesteld door een bron" if rule.norm_origin == "bron" else "AFGELEID (geen bron noemt deze norm)"
    lines += ["", f"Norm: {origin}"]
    if rule.norm_note:
        lines += textwrap.wrap(rule.norm_note, 96, initial_indent="  ", subsequent_indent="  ")
    q = kader.all_questions()
    if rule.applies is not None:
        lines.append(f"  Van toepassing als: {describe(rule.applies, q)}")
    product = rule.region_product
    if product is not None:  # the team cannot comply before the region has it (evaluation.decide)
        when = f" (verwacht: {product.expected})" if product.expected else ""
        lines += textwrap.wrap(f"Wacht op de regio: zolang de regio geen {product.name} heeft vastgesteld{when}, "
                               f"voldoet het team niet. Het regiobestand zegt het ({describe(product.condition, q)}); "
                               "zonder regiobestand is de eis onbekend.", 96,
                               initial_indent="  ", subsequent_indent="    ")
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
        "bron": [{"bron": s.code, "sectie": s.section, "citaat": s.quote, "url": s.url, "rol": s.role}
                 for s in rule.sources],
        "grondslag": basis_code(rule),
        "grondslag_toelichting": basis_note(rule),
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
