"""Renderers for `kader check`: the gap list as text (rich), Markdown and JSON."""

from __future__ import annotations

import json

from rich.table import Table
from rich.text import Text

from ..model import RESPONSIBLE, RESPONSIBLE_LABEL, STATUS_ORDER, Evaluation, Status
from . import (STATUS_LABEL, STATUS_STYLE, Options, console, console_text, md_escape, renderer, status_text, summary_line)


def visible(evaluation: Evaluation, options: Options):
    """Findings to show: everything with --alles, otherwise all but voldoet and nvt."""
    if options.show_all:
        return list(evaluation.findings)
    return [f for f in evaluation.findings if f.status not in (Status.VOLDOET, Status.NVT)]


def grouped(findings):
    """(responsible, theme) -> findings, in the order lokaal_team, gemeente, regio; themes alphabetical;
    within a theme the weakest status first, then rule id."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    out = []
    for resp in RESPONSIBLE:
        mine = [f for f in findings if f.responsible == resp]
        for theme in sorted({f.theme for f in mine}):
            items = sorted((f for f in mine if f.theme == theme), key=lambda f: (rank[f.status], f.rule_id))
            out.append((resp, theme, items))
    return out


def header_lines(evaluation: Evaluation) -> list[str]:
    a, k = evaluation.assessment, evaluation.kader
    lines = [
        f"Team: {a.team.name} ({a.team.municipality}, {a.team.organisation})",
        f"Kader: {k.name} {k.version} ({k.status})",
        f"Peildatum: {a.reference_date.isoformat()}   Getoetst op: {evaluation.as_of.isoformat()}   Engine: {evaluation.engine}",
        f"Bestand: {a.file}",
    ]
    return lines


def hidden_note(evaluation: Evaluation, options: Options) -> str | None:
    if options.show_all:
        return None
    hidden = [f for f in evaluation.findings if f.status in (Status.VOLDOET, Status.NVT)]
    if not hidden:
        return None
    return f"{len(hidden)} eisen die voldoen of niet van toepassing zijn, zijn verborgen; gebruik --alles om ze te tonen."


@renderer("check", "text")
def check_text(evaluation: Evaluation, options: Options) -> str:
    con, buf = console(options)
    con.print(Text("Kadertoets: tekortenlijst", style="bold"))
    for line in header_lines(evaluation):
        con.print(Text(line))
    shown = visible(evaluation, options)
    current = None
    for resp, theme, items in grouped(shown):
        if resp != current:
            con.print()
            con.print(Text(f"== {RESPONSIBLE_LABEL[resp]} ==", style="bold"))
            if resp == "regio":
                con.print(Text("Deze eisen kan het team pas halen als de regio het gezamenlijke product heeft "
                               "uitgewerkt; ze zijn geen lokaal tekort.", style="italic"))
            current = resp
        table = Table(title=f"Thema: {theme}", title_justify="left", show_lines=True, expand=True,
                      header_style="bold")
        table.add_column("Status", no_wrap=True, width=14)
        table.add_column("Eis", no_wrap=True, width=11)
        table.add_column("Omschrijving en reden", ratio=1)
        for f in items:
            body = Text(f.title, style="bold")
            body.append("\n" + f.reason)
            table.add_row(Text(status_text(f.status), style=STATUS_STYLE[f.status]), f.rule_id, body)
        con.print(table)
    if not shown:
        con.print()
        con.print(Text("Geen tekorten en geen onbekende eisen."))
    note = hidden_note(evaluation, options)
    if note:
        con.print()
        con.print(Text(note, style="dim"))
    con.print()
    con.print(Text("Samenvatting: " + summary_line(evaluation.counts()), style="bold"))
    regional = sum(1 for f in evaluation.findings if f.regional_dependency)
    if regional:
        con.print(Text(f"Waarvan regionale afhankelijkheden: {regional}"))
    return console_text(buf)


@renderer("check", "markdown")
def check_markdown(evaluation: Evaluation, options: Options) -> str:
    a, k = evaluation.assessment, evaluation.kader
    lines = [
        f"# Tekortenlijst {a.team.name}",
        "",
        f"- Gemeente: {a.team.municipality}",
        f"- Organisatie: {a.team.organisation}",
        f"- Kader: {k.name} {k.version} ({k.status})",
        f"- Peildatum: {a.reference_date.isoformat()}",
        f"- Getoetst op: {evaluation.as_of.isoformat()}",
        f"- Samenvatting: {summary_line(evaluation.counts())}",
        "",
    ]
    current = None
    for resp, theme, items in grouped(visible(evaluation, options)):
        if resp != current:
            lines += [f"## {RESPONSIBLE_LABEL[resp]}", ""]
            if resp == "regio":
                lines += ["Deze eisen kan het team pas halen als de regio het gezamenlijke product heeft uitgewerkt; "
                          "ze zijn geen lokaal tekort.", ""]
            current = resp
        lines += [f"### {md_escape(theme)}", "", "| Status | Eis | Titel | Reden |", "|---|---|---|---|"]
        for f in items:
            lines.append(f"| {status_text(f.status)} | {f.rule_id} | {md_escape(f.title)} | {md_escape(f.reason)} |")
        lines.append("")
    note = hidden_note(evaluation, options)
    if note:
        lines += [f"_{note}_", ""]
    return "\n".join(lines)


def finding_json(f) -> dict:
    return {
        "eis": f.rule_id,
        "titel": f.title,
        "thema": f.theme,
        "status": f.status.value,
        "reden": f.reason,
        "verantwoordelijk": f.responsible,
        "regionale_afhankelijkheid": f.regional_dependency,
        "ontbrekend": list(f.missing),
        "norm_herkomst": f.norm_origin,
        "actie": {
            "omschrijving": f.action.description,
            "eigenaar": f.action.owner,
            "deadline": f.action.deadline.date.isoformat(),
            "deadline_label": f.action.deadline.label,
            "extra_middelen_mogelijk": f.action.extra_budget_possible,
        } if f.action else None,
    }


def evaluation_json(evaluation: Evaluation) -> dict:
    a, k = evaluation.assessment, evaluation.kader
    return {
        "team": {
            "id": a.team.id,
            "naam": a.team.name,
            "gemeente": a.team.municipality,
            "organisatie": a.team.organisation,
            "taken": dict(a.team.tasks),
        },
        "kader": {"versie": k.version, "naam": k.name, "status": k.status},
        "peildatum": a.reference_date.isoformat(),
        "getoetst_op": evaluation.as_of.isoformat(),
        "engine": evaluation.engine,
        "bestand": a.file,
        "bevindingen": [finding_json(f) for f in evaluation.findings],
        "samenvatting": evaluation.counts(),
    }


@renderer("check", "json")
def check_json(evaluation: Evaluation, options: Options) -> str:
    return json.dumps(evaluation_json(evaluation), ensure_ascii=False, indent=2) + "\n"


__all__ = ["STATUS_LABEL"]
