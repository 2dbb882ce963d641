"""Renderers for `kader check`: the gap list as text (rich), Markdown and JSON."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from kadertoets.evaluate.conditions import missing_subject
from kadertoets.infra.dates import dutch_date
from kadertoets.load.region import missing_text as region_missing_text
from kadertoets.model import (RESPONSIBLE, RESPONSIBLE_LABEL, RESPONSIBLE_NAME, STATUS_ORDER, VERSION_SOURCE_LABEL, Check,
                              Evaluation, Status)
from kadertoets.render.annotations import (STALE_NOTE, exception_json, exception_text, excused_counts, stale_rows,
                                          stale_text, summary_extra)
from kadertoets.render import (STATUS_STYLE, Options, console, console_text, json_text, md_escape, renderer, rich_text, safe_text,
               status_text, summary_line, column_widths, word_width)


def visible(evaluation: Evaluation, options: Options):
    """Findings for the main tables: the gaps, and with --alles also what complies or does not apply.
    Unknowns get their own compact section (`unknowns`)."""
    hidden = () if options.show_all else (Status.VOLDOET, Status.NVT)
    return [f for f in evaluation.findings if f.status not in hidden and f.status != Status.ONBEKEND]


def unknowns(evaluation: Evaluation):
    return [f for f in evaluation.findings if f.status == Status.ONBEKEND]


def grouped(findings):
    """[(responsible, findings)] in the order lokaal_team, gemeente, regio; within a group by theme,
    then the weakest status first, then rule id."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    out = []
    for resp in RESPONSIBLE:
        mine = sorted((f for f in findings if f.responsible == resp), key=lambda f: (f.theme, rank[f.status], f.rule_id))
        if mine:
            out.append((resp, mine))
    return out


REGIONAL_NOTE = ("Deze eisen kan het team pas halen als de regio het gezamenlijke product heeft uitgewerkt; "
                 "ze zijn geen lokaal tekort.")
UNKNOWN_NOTE = "Voor deze eisen ontbreken gegevens; er wordt niet gegokt. Vul de ontbrekende feiten aan in het assessment."


def missing_text(f, questions: dict) -> str:
    """What is missing for an onbekend finding, in the questions' words (their `kort`), with the
    assessment's explanation where it gives one."""
    text = ", ".join(missing_subject(p, questions) for p in f.missing)
    for path, note in f.notes:
        text += f"\nToelichting bij {missing_subject(path, questions)}: {note}"
    return text


def extra_lines(f, evaluation: Evaluation) -> list[str]:
    """What a finding's row says besides its reason: its afwijking and its stale evidence."""
    k = evaluation.kader
    return [t for t in (exception_text(f, k, evaluation.as_of), stale_text(f, k)) if t]


def stale_table_rows(evaluation: Evaluation) -> list[tuple[str, str, str, str]]:
    """(fact, date of its evidence, maximum age, requirements) per fact with stale evidence, for people."""
    return [(subject, dutch_date(day), f"{months} maanden", ", ".join(ids))
            for _, subject, day, months, ids in stale_rows(evaluation)]


def filled_in_text(filled: dict) -> str:
    """'naam (rol), datum' from the assessment's ingevuld_door block; the toelichting stays in JSON."""
    who = filled.get("naam", "")
    if filled.get("rol"):
        who = f"{who} ({filled['rol']})" if who else filled["rol"]
    if filled.get("datum"):
        who = f"{who}, {dutch_date(filled['datum'])}" if who else dutch_date(filled["datum"])
    return " ".join(str(who).split())


def version_note(assessment) -> str:
    """Why this Kader version, when the assessment did not name it itself."""
    if assessment.kader_version_source == "assessment":
        return ""
    return f"; {VERSION_SOURCE_LABEL[assessment.kader_version_source]}"


def header_lines(evaluation: Evaluation) -> list[str]:
    a, k = evaluation.assessment, evaluation.kader
    return [
        f"Team: {a.team.name} ({a.team.municipality}, {a.team.organisation})",
        f"Kader: {k.name} {k.version} ({k.status})" + version_note(a),
        f"Peildatum: {dutch_date(a.reference_date)}   Getoetst op: {dutch_date(evaluation.as_of)}   Engine: {evaluation.engine}",
        f"Bestand: {a.file}",
    ] + ([f"Ingevuld door: {filled_in_text(a.filled_in_by)}"] if filled_in_text(a.filled_in_by) else []) + \
        ([f"Te herbevestigen (overgenomen bij een migratie, de vraag is veranderd): "
          f"{', '.join(missing_subject(p, k.all_questions()) for p in reconfirm)}"]
         if (reconfirm := sorted(p for p, f in a.facts.items() if f.reconfirm)) else []) + region_lines(evaluation)


def region_lines(evaluation: Evaluation) -> list[str]:
    """Which state of the region the regional requirements read, or that it is missing and how to add it."""
    r = evaluation.region
    if r is not None:
        return [f"Stand van de regio: {r.name}, peildatum {dutch_date(r.reference_date)} ({r.file})"]
    if evaluation.region_missing:
        return [region_missing_text(evaluation.assessment.reference_date)]
    return []


def waiting_line(evaluation: Evaluation) -> str | None:
    """The summary's separate count of requirements that wait on the region's products."""
    n = len(evaluation.waiting_on_region)
    if not n:
        return None
    return (f"Waarvan wachtend op de regio: {n} {'eis voldoet' if n == 1 else 'eisen voldoen'} niet omdat het "
            "regionale product er nog niet is.")


def _eisen(n: int) -> str:
    return f"{n} eis" if n == 1 else f"{n} eisen"


def outcome_line(evaluation: Evaluation) -> str | None:
    """The first thing a reader should know when there are no gaps to list: that nothing is known
    yet, or that there are no gaps among what could be decided; never a bare "no gaps" while
    requirements are still unknown. None when there are gaps (the tables show them)."""
    counts = evaluation.counts()
    gaps = counts[Status.DEELS.value] + counts[Status.VOLDOET_NIET.value]
    if gaps:
        return None
    unknown, decided = counts[Status.ONBEKEND.value], counts[Status.VOLDOET.value]
    if unknown and not decided:
        return f"Nog niets vastgesteld: {_eisen(unknown)} onbekend."
    if unknown:
        verb = "is" if unknown == 1 else "zijn"
        return (f"Geen tekorten bij de {_eisen(decided)} die al vast te stellen {'is' if decided == 1 else 'zijn'}; "
                f"{_eisen(unknown)} {verb} nog onbekend.")
    return "Geen tekorten gevonden."


def hidden_note(evaluation: Evaluation, options: Options) -> str | None:
    if options.show_all:
        return None
    hidden = [f for f in evaluation.findings if f.status in (Status.VOLDOET, Status.NVT)]
    if not hidden:
        return None
    if len(hidden) == 1:
        return "1 eis die voldoet of niet van toepassing is, is verborgen; gebruik --alles om die te tonen."
    return f"{len(hidden)} eisen die voldoen of niet van toepassing zijn, zijn verborgen; gebruik --alles om ze te tonen."


@renderer("check", "text")
def check_text(evaluation: Evaluation, options: Options) -> str:
    con, buf = console(options)
    con.print(Text("Kadertoets: tekortenlijst", style="bold"))
    for line in header_lines(evaluation):
        con.print(rich_text(line))
    outcome = outcome_line(evaluation)
    if outcome:
        con.print()
        con.print(Text(outcome))
    shown = visible(evaluation, options)
    for resp, items in grouped(shown):
        con.print()
        con.print(Text(f"== {RESPONSIBLE_LABEL[resp]} ==", style="bold"))
        if resp == "regio":
            con.print(Text(REGIONAL_NOTE, style="italic"))
        table = Table(show_lines=True, expand=True, header_style="bold", pad_edge=False)
        widths = column_widths(options.width, pad_edge=False, columns=[
            (word_width(["Status"] + [status_text(f.status) for f in items]), 0,
             max(cell_len(t) for t in ["Status"] + [status_text(f.status) for f in items])),
            (word_width(["Eis"] + [f.rule_id for f in items]), 0),
            (word_width(["Thema"] + [f.theme for f in items], 12), 0),
            (word_width(["Omschrijving"] + [t for f in items for t in (f.title, f.reason, *extra_lines(f, evaluation))],
                        20), 1),
        ])
        for name, width in zip(("Status", "Eis", "Thema"), widths):
            table.add_column(name, width=width)
        table.add_column("Omschrijving en reden", width=widths[3], overflow="fold")
        for f in items:
            body = Text()
            body.append(rich_text(f.title, style="bold"))
            body.append(rich_text("\n" + f.reason))
            for line in extra_lines(f, evaluation):
                body.append(rich_text("\n" + line, style="italic"))
            table.add_row(Text(status_text(f.status), style=STATUS_STYLE[f.status]), f.rule_id, f.theme, body)
        con.print(table)
    unknown = unknowns(evaluation)
    if unknown:
        con.print()
        con.print(Text(f"== {status_text(Status.ONBEKEND).capitalize()}: nog vast te stellen ==", style="bold"))
        con.print(Text(UNKNOWN_NOTE, style="italic"))
        rows = [(f, missing_text(f, evaluation.kader.all_questions()))
                for f in sorted(unknown, key=lambda f: (RESPONSIBLE.index(f.responsible), f.rule_id))]
        table = Table(show_lines=False, expand=True, header_style="bold", pad_edge=False)
        widths = column_widths(options.width, pad_edge=False, columns=[
            (word_width(["Eis"] + [f.rule_id for f, _ in rows]), 0),
            (word_width(["Wie"] + [RESPONSIBLE_NAME[f.responsible] for f, _ in rows]), 0,
             max(cell_len(t) for t in ["Wie"] + [RESPONSIBLE_NAME[f.responsible] for f, _ in rows])),
            (word_width(["Titel"] + [f.title for f, _ in rows], 12), 2),
            (word_width(["Ontbrekend"] + [m for _, m in rows], 16), 3),
        ])
        for name, width in zip(("Eis", "Wie"), widths):
            table.add_column(name, width=width)
        table.add_column("Titel", width=widths[2], overflow="fold")
        table.add_column("Ontbrekend", width=widths[3], overflow="fold")
        for f, missing in rows:
            table.add_row(Text(f.rule_id, style=STATUS_STYLE[f.status]), RESPONSIBLE_NAME[f.responsible], f.title, missing)
        con.print(table)
    stale = stale_table_rows(evaluation)
    if stale:
        con.print()
        con.print(Text("== Verouderd bewijs ==", style="bold"))
        con.print(Text(STALE_NOTE, style="italic"))
        table = Table(show_lines=False, expand=True, header_style="bold", pad_edge=False)
        header = ("Feit", "Datum bewijs", "Hoogstens", "Eisen")
        widths = column_widths(options.width, pad_edge=False, columns=[
            (word_width([header[0]] + [r[0] for r in stale], 16), 3),
            (word_width([header[1]] + [r[1] for r in stale]), 0, max(cell_len(t) for t in [header[1]] + [r[1] for r in stale])),
            (word_width([header[2]] + [r[2] for r in stale]), 0, max(cell_len(t) for t in [header[2]] + [r[2] for r in stale])),
            (word_width([header[3]] + [r[3] for r in stale], 10), 1),
        ])
        for name, width in zip(header, widths):
            table.add_column(name, width=width, overflow="fold")
        for row in stale:
            table.add_row(*(rich_text(cell) for cell in row))
        con.print(table)
    note = hidden_note(evaluation, options)
    if note:
        con.print()
        con.print(Text(note, style="dim"))
    con.print()
    con.print(Text("Samenvatting: " + summary_line(evaluation.counts()), style="bold"))
    regional = sum(1 for f in evaluation.findings if f.regional_dependency)
    if regional:
        con.print(Text(f"Waarvan regionale afhankelijkheden (tekorten die alleen de regio kan oplossen): {regional}"))
    waiting = waiting_line(evaluation)
    if waiting:
        con.print(Text(waiting))
    for line in summary_extra(evaluation):
        con.print(Text(line))
    return console_text(buf)


@renderer("check", "markdown")
def check_markdown(evaluation: Evaluation, options: Options) -> str:
    a, k = evaluation.assessment, evaluation.kader
    lines = [
        f"# Tekortenlijst {md_escape(a.team.name)}",
        "",
        f"- Gemeente: {md_escape(a.team.municipality)}",
        f"- Organisatie: {md_escape(a.team.organisation)}",
        f"- Kader: {md_escape(k.name)} {md_escape(k.version)} ({md_escape(k.status)})",
        f"- Peildatum: {dutch_date(a.reference_date)}",
        f"- Getoetst op: {dutch_date(evaluation.as_of)}",
        f"- Samenvatting: {summary_line(evaluation.counts())}",
        *(f"- {md_escape(line)}" for line in summary_extra(evaluation)),
    ] + [f"- {md_escape(line)}" for line in [waiting_line(evaluation)] + region_lines(evaluation) if line] + [
        "",
    ]
    outcome = outcome_line(evaluation)
    if outcome:
        lines += [outcome, ""]
    shown = visible(evaluation, options)
    for resp, items in grouped(shown):
        lines += [f"## {RESPONSIBLE_LABEL[resp]}", ""]
        if resp == "regio":
            lines += [REGIONAL_NOTE, ""]
        lines += ["| Status | Eis | Thema | Titel | Reden |", "|---|---|---|---|---|"]
        for f in items:
            reason = " ".join([f.reason] + extra_lines(f, evaluation))
            lines.append(f"| {status_text(f.status)} | {md_escape(f.rule_id)} | {md_escape(f.theme)} "
                         f"| {md_escape(f.title)} | {md_escape(reason)} |")
        lines.append("")
    unknown = unknowns(evaluation)
    if unknown:
        lines += ["## Onbekend: nog vast te stellen", "", UNKNOWN_NOTE, "",
                  "| Eis | Wie | Titel | Ontbrekend |", "|---|---|---|---|"]
        for f in sorted(unknown, key=lambda f: (RESPONSIBLE.index(f.responsible), f.rule_id)):
            lines.append(f"| {md_escape(f.rule_id)} | {md_escape(RESPONSIBLE_NAME[f.responsible])} | {md_escape(f.title)} "
                         f"| {md_escape(missing_text(f, evaluation.kader.all_questions()))} |")
        lines.append("")
    stale = stale_table_rows(evaluation)
    if stale:
        lines += ["## Verouderd bewijs", "", STALE_NOTE, "", "| Feit | Datum bewijs | Hoogstens | Eisen |", "|---|---|---|---|"]
        lines += [f"| {' | '.join(md_escape(cell) for cell in row)} |" for row in stale]
        lines.append("")
    note = hidden_note(evaluation, options)
    if note:
        lines += [f"_{note}_", ""]
    return safe_text("\n".join(lines))


def finding_json(f) -> dict:
    return {
        "eis": f.rule_id,
        "titel": f.title,
        "thema": f.theme,
        "status": f.status.value,
        "reden": f.reason,
        "verantwoordelijk": f.responsible,
        "regionale_afhankelijkheid": f.regional_dependency,
        "wacht_op": f.waits_on,
        "ontbrekend": list(f.missing),
        "toelichting_ontbrekend": {path: note for path, note in f.notes},
        "voorwaarden": [condition_json(c) for c in f.checks],
        "norm_herkomst": f.norm_origin,
        "actie": {
            "omschrijving": f.action.description,
            "eigenaar": f.action.owner,
            "deadline": f.action.deadline.date.isoformat(),
            "deadline_label": f.action.deadline.label,
            "extra_middelen_mogelijk": f.action.extra_budget_possible,
        } if f.action else None,
        "afwijking": exception_json(f.exception),
        "verouderd_bewijs": list(f.stale_evidence),
    }


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def condition_json(c: Check) -> dict:
    """One deciding comparison for tools: `onderdeel` (van_toepassing, regionaal_product, voldoet, deels), `veld` (a
    question path) or `regel` (a rule id), `operator`, `vereist`, `waarde` (null: not filled in) and
    `voldaan` (true, false, or null when unknown), all as codes: tools need not read the Dutch."""
    out = {"onderdeel": c.part}
    if c.rule is not None:
        out["regel"] = c.rule
    else:
        out["veld"] = c.field
    out.update({"operator": c.op, "vereist": _plain(c.required), "waarde": _plain(c.value), "voldaan": c.met})
    return out


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
        "kader": {"versie": k.version, "naam": k.name, "status": k.status, "gekozen": a.kader_version_source},
        "peildatum": a.reference_date.isoformat(),
        "getoetst_op": evaluation.as_of.isoformat(),
        "engine": evaluation.engine,
        "bestand": a.file,
        "ingevuld_door": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in a.filled_in_by.items()},
        "regio": region_json(evaluation.region),
        "bevindingen": [finding_json(f) for f in evaluation.findings],
        "samenvatting": evaluation.counts(),
        "wacht_op_regio": len(evaluation.waiting_on_region),
        "tekorten_met_afwijking": excused_counts(evaluation),
        "verouderd_bewijs": list(evaluation.stale_evidence()),
    }


def region_json(region) -> dict | None:
    """The region's state a team was evaluated with (null: none was given or in force)."""
    if region is None:
        return None
    return {"naam": region.name, "peildatum": region.reference_date.isoformat(), "bestand": region.file}


@renderer("check", "json")
def check_json(evaluation: Evaluation, options: Options) -> str:
    return json_text(evaluation_json(evaluation))

