"""Renderers for `kader plan`: the transformatieplan checklist as Markdown, text, JSON, CSV and
YAML (the YAML is the `transformatieplan:` block to paste back into the assessment: round trip)."""

from __future__ import annotations

import csv
import io
import json
from itertools import groupby

import yaml

from ..model import ACTION_STATUS_LABEL
from ..plan import Plan, PlanItem
from . import STATUS_LABEL, Options, renderer, summary_line


def owner_label(plan: Plan, owner: str) -> str:
    return plan.evaluation.kader.roles.get(owner, owner)


def deadline_text(item: PlanItem) -> str:
    if not item.deadline:
        return "geen deadline"
    text = item.deadline.isoformat()
    if item.moved:
        history = " → ".join([item.original_deadline.isoformat() if item.original_deadline else "?"]
                             + [m.to.isoformat() for m in item.moved])
        text += f" (verplaatst: {history})"
    if item.deadline_derived:
        text += " (afgeleide datum)"
    return text


def item_line(plan: Plan, item: PlanItem) -> str:
    box = "[x]" if item.done else "[ ]"
    parts = [f"- {box} **{item.requirement}** {item.description}"]
    meta = [f"status: {ACTION_STATUS_LABEL[item.status]}", f"eis: {STATUS_LABEL[item.finding_status]}"]
    if item.origin == "voorstel":
        meta.append("voorstel uit het Kader")
    if item.extra_budget:
        meta.append("mogelijk extra middelen nodig")
    if item.overdue:
        meta.append("VERLOPEN")
    parts.append(" (" + "; ".join(meta) + ")")
    if item.to_confirm:
        parts.append(" — TE BEVESTIGEN: de eis voldoet nu; bevestig dat deze actie behaald is")
    if item.note:
        parts.append(f" — {item.note}")
    return "".join(parts)


def _groups(plan: Plan, items):
    """(owner label, [(deadline text, items)]) in owner, deadline order."""
    out = []
    for owner, by_owner in groupby(items, key=lambda i: i.owner):
        by_owner = list(by_owner)
        groups = []
        for _, same in groupby(by_owner, key=lambda i: i.deadline):
            same = list(same)
            groups.append((deadline_text(same[0]), same))
        out.append((owner_label(plan, owner), groups))
    return out


def plan_lines(plan: Plan, heading: str = "#") -> list[str]:
    ev = plan.evaluation
    a, k = ev.assessment, ev.kader
    h1, h2, h3 = heading, heading + "#", heading + "##"
    lines = [
        f"{h1} Transformatieplan {a.team.name}",
        "",
        f"Gemeente: {a.team.municipality} · Kader {k.version} ({k.status}) · peildatum {a.reference_date.isoformat()}"
        f" · stand per {ev.as_of.isoformat()}",
        "",
        f"Toetsing: {summary_line(ev.counts())}",
        "",
        f"{h2} Eerstvolgende deadlines",
        "",
    ]
    upcoming = plan.upcoming()
    if upcoming:
        for item in upcoming:
            where = " (regionaal)" if item.regional else ""
            lines.append(f"- {item.deadline.isoformat()}: {item.requirement} {item.description}{where}")
    else:
        lines.append("- Geen openstaande deadlines na de peildatum.")
    overdue = plan.overdue()
    if overdue:
        lines += ["", "Verlopen (deadline voor de peildatum, niet behaald):", ""]
        for item in overdue:
            lines.append(f"- {item.deadline.isoformat()}: {item.requirement} {item.description}")
    lines += ["", f"{h2} Acties van gemeente en lokaal team", ""]
    if plan.items:
        for owner, groups in _groups(plan, plan.items):
            lines += [f"{h3} {owner}", ""]
            for deadline, items in groups:
                lines.append(f"Deadline {deadline}:")
                lines.append("")
                lines += [item_line(plan, i) for i in items]
                lines.append("")
    else:
        lines += ["Geen lokale acties nodig.", ""]
    lines += [f"{h2} Regionale afhankelijkheden", "",
              "Deze tekorten kan alleen de regio (met contractpartner en veiligheidspartners) oplossen; "
              "het team volgt ze, maar hoeft er zelf niets voor te doen.", ""]
    if plan.regional:
        for owner, groups in _groups(plan, plan.regional):
            lines += [f"{h3} {owner}", ""]
            for deadline, items in groups:
                lines.append(f"Deadline {deadline}:")
                lines.append("")
                lines += [item_line(plan, i) for i in items]
                lines.append("")
    else:
        lines += ["Geen.", ""]
    lines += [f"{h2} Nog vast te stellen (onbekend)", ""]
    if plan.unknown:
        lines.append("Voor deze eisen ontbreken gegevens; vul ze aan in het assessment:")
        lines.append("")
        for f in plan.unknown:
            missing = ", ".join(f.missing) if f.missing else "zie reden"
            where = "; regionaal" if f.responsible == "regio" else ""
            lines.append(f"- [ ] **{f.rule_id}** {f.title} (ontbrekend: {missing}{where})")
    else:
        lines.append("Niets: alle eisen zijn bepaald.")
    lines.append("")
    return lines


@renderer("plan", "markdown")
def plan_markdown(plan: Plan, options: Options) -> str:
    return "\n".join(plan_lines(plan))


@renderer("plan", "text")
def plan_text(plan: Plan, options: Options) -> str:
    out = []
    for line in plan_lines(plan):
        stripped = line.lstrip("#")
        if stripped != line:
            title = stripped.strip()
            level = len(line) - len(stripped)
            out.append(title.upper() if level == 1 else title)
            out.append(("=" if level == 1 else "-") * len(title))
        else:
            out.append(line.replace("**", ""))
    return "\n".join(out)


def item_json(plan: Plan, item: PlanItem) -> dict:
    return {
        "eis": item.requirement,
        "titel": item.title,
        "status_eis": item.finding_status.value,
        "verantwoordelijk": item.responsible,
        "omschrijving": item.description,
        "eigenaar": item.owner,
        "eigenaar_label": owner_label(plan, item.owner),
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "oorspronkelijke_deadline": item.original_deadline.isoformat() if item.original_deadline else None,
        "deadline_verplaatst": [{"naar": m.to.isoformat(), "toelichting": m.note} for m in item.moved],
        "status": item.status,
        "extra_middelen": item.extra_budget,
        "herkomst": item.origin,
        "te_bevestigen": item.to_confirm,
        "verlopen": item.overdue,
        "toelichting": item.note,
    }


@renderer("plan", "json")
def plan_json(plan: Plan, options: Options) -> str:
    ev = plan.evaluation
    data = {
        "team": {"id": ev.assessment.team.id, "naam": ev.assessment.team.name, "gemeente": ev.assessment.team.municipality},
        "kader": ev.kader.version,
        "peildatum": ev.assessment.reference_date.isoformat(),
        "stand_per": ev.as_of.isoformat(),
        "acties": [item_json(plan, i) for i in plan.items],
        "regionale_afhankelijkheden": [item_json(plan, i) for i in plan.regional],
        "nog_vast_te_stellen": [{"eis": f.rule_id, "titel": f.title, "ontbrekend": list(f.missing)} for f in plan.unknown],
        "eerstvolgende_deadlines": [
            {"eis": i.requirement, "deadline": i.deadline.isoformat(), "omschrijving": i.description} for i in plan.upcoming()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["eis", "titel", "status_eis", "verantwoordelijk", "omschrijving", "eigenaar", "deadline",
               "oorspronkelijke_deadline", "status", "extra_middelen", "herkomst", "te_bevestigen", "verlopen"]


@renderer("plan", "csv")
def plan_csv(plan: Plan, options: Options) -> str:
    """UTF-8 CSV with ';' as separator (what Dutch Excel expects); the CLI adds a BOM when writing a file."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in plan.items + plan.regional:
        row = item_json(plan, item)
        writer.writerow(["" if row[c] is None else ("ja" if row[c] is True else "nee" if row[c] is False else row[c])
                         for c in CSV_COLUMNS])
    return buf.getvalue()


def action_yaml(item: PlanItem) -> dict:
    data = {
        "eis": item.requirement,
        "omschrijving": item.description,
        "eigenaar": item.owner,
        "deadline": item.original_deadline,
        "status": item.status,
    }
    if item.id:
        data = {"id": item.id, **data}
    if item.moved:
        data["deadline_verplaatst"] = [
            {"naar": m.to, **({"toelichting": m.note} if m.note else {})} for m in item.moved
        ]
    if item.extra_budget is not None:
        data["extra_middelen_nodig"] = item.extra_budget
    if item.note:
        data["toelichting"] = item.note
    return data


@renderer("plan", "yaml")
def plan_yaml(plan: Plan, options: Options) -> str:
    """The `transformatieplan:` block, to replace the one in the assessment (statuses kept)."""
    actions = [action_yaml(i) for i in plan.items + plan.regional if i.origin == "team" or not i.regional]
    header = ("# Transformatieplan voor " + plan.evaluation.assessment.team.name
              + ": vervang hiermee het blok 'transformatieplan:' in het assessment.\n")
    return header + yaml.safe_dump({"transformatieplan": actions}, allow_unicode=True, sort_keys=False, width=100)
