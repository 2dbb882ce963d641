"""Renderers for `kader rules` (the list) and `kader explain` (one rule in full)."""

from __future__ import annotations

import textwrap

from rich.table import Table
from rich.text import Text

from kadertoets.evaluate.conditions import describe
from kadertoets.model import RESPONSIBLE_LABEL, Kader, Rule
from kadertoets.render import Options, console, console_text, json_text, renderer, rich_text, safe_text


def source_list(rule: Rule) -> list[str]:
    return [s.label() for s in rule.sources]


@renderer("rules", "text")
def rules_text(kader: Kader, options: Options) -> str:
    con, buf = console(options)
    con.print(rich_text(f"{kader.name} {kader.version} ({kader.status}, ingangsdatum "
                        f"{kader.effective_date.isoformat()})", style="bold"))
    table = Table(show_lines=False, expand=True, header_style="bold")
    table.add_column("Eis", no_wrap=True, width=11)
    table.add_column("Thema", width=16)
    table.add_column("Titel", ratio=1)
    table.add_column("Wie", width=12)
    table.add_column("Norm", width=8)
    for rule in sorted(kader.rules.values(), key=lambda r: r.id):
        table.add_row(rule.id, rule.theme, rule.title, rule.responsible, rule.norm_origin)
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
    if rule.applies is not None:
        lines.append(f"  Van toepassing als: {describe(rule.applies)}")
    lines.append(f"  Voldoet als: {describe(rule.meets)}")
    if rule.partly is not None:
        lines.append(f"  Deels als: {describe(rule.partly)}")
    lines.append("  Anders: voldoet niet; ontbreekt een gegeven dat de uitkomst bepaalt: onbekend.")
    a = rule.action
    lines += ["", "Verbeteractie voor het transformatieplan:", f"  {a.description}",
              f"  Eigenaar: {kader.roles.get(a.owner, a.owner)}",
              f"  Deadline: {a.deadline.date.isoformat()} ({a.deadline.label}{', afgeleide datum' if a.deadline.derived else ''})",
              f"  Mogelijk extra middelen nodig: {'ja' if a.extra_budget_possible else 'nee'}"]
    if rule.change_note:
        lines += ["", f"Wijziging t.o.v. de concept-eisenlijst: {rule.change_note}"]
    lines += ["", f"Voorbeelden ({len(rule.examples)}):"]
    for ex in rule.examples:
        lines.append(f"  - {ex.name}: {ex.expected.value}")
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
        "van_toepassing": describe(rule.applies) if rule.applies is not None else None,
        "voldoet": describe(rule.meets),
        "deels": describe(rule.partly) if rule.partly is not None else None,
        "actie": {"omschrijving": rule.action.description, "eigenaar": rule.action.owner,
                  "deadline": rule.action.deadline.date.isoformat(), "extra_middelen_mogelijk": rule.action.extra_budget_possible},
        "wijziging": rule.change_note,
    }
    return json_text(data)
