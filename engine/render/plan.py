"""Renderers for `kader plan`: the transformatieplan checklist as Markdown, text, JSON, CSV and
YAML (the YAML is the `transformatieplan:` block to paste back into the assessment: round trip)."""

from __future__ import annotations

from itertools import groupby

from kadertoets.infra.dates import dutch_date
from kadertoets.model import ACTION_STATUS_LABEL
from kadertoets.infra import yamlwrite
from kadertoets.editors.planwrite import item_yaml
from kadertoets.evaluate.plan import Plan, PlanItem
from kadertoets.infra.textsafe import clean
from kadertoets.render.annotations import exception_json, exception_state, exception_text, summary_extra
from kadertoets.render import STATUS_LABEL, Options, csv_text, json_text, md_escape, renderer, safe_text, summary_line
from kadertoets.render.check import region_json, region_lines, waiting_line


def owner_label(plan: Plan, owner: str) -> str:
    return plan.evaluation.kader.roles.get(owner, owner)


def one_line(text: str) -> str:
    """User text on one line, so a multi-line toelichting or name cannot break a list or heading;
    control characters made visible (engine.textsafe.clean)."""
    return clean(" ".join(str(text).split()))


def md_line(text: str) -> str:
    """User text on one line for Markdown: also &, <, >, backslash and | escaped (md_escape)."""
    return md_escape(" ".join(str(text).split()))


def history_text(item: PlanItem, esc=one_line) -> str | None:
    """A moved deadline as history on the action itself: 2023-06-01 → 2023-09-01 (reason)."""
    if not item.moved:
        return None
    steps = [dutch_date(item.original_deadline) if item.original_deadline else "geen"]
    for m in item.moved:
        steps.append(dutch_date(m.to) + (f" ({esc(m.note)})" if m.note else ""))
    return "deadline verplaatst: " + " → ".join(steps)


def item_line(plan: Plan, item: PlanItem, esc=one_line) -> str:
    box = "[x]" if item.done else "[ ]"
    parts = [f"- {box} **{esc(item.requirement)}** {esc(item.description)}"]
    meta = [f"actie: {ACTION_STATUS_LABEL[item.status].lower()}", f"stand eis: {STATUS_LABEL[item.finding_status]}"]
    if item.origin == "voorstel":
        meta.append("voorstel uit het Kader")
    if item.deadline_proposed:  # the Kader's deadline had passed: say so, with the proposed new one
        meta.append(esc(item.moved[-1].note))
    else:
        history = history_text(item, esc)
        if history:
            meta.append(history)
    if item.parts_left_out:
        n = len(item.parts_left_out)
        meta.append(f"{n} {'onderdeel' if n == 1 else 'onderdelen'} van de Kader-actie al bereikt, niet voorgesteld")
    if item.deadline_derived and not item.deadline_proposed:
        meta.append("afgeleide datum")
    if item.extra_budget:
        meta.append("extra middelen nodig")
    elif item.extra_budget_possible:
        meta.append("mogelijk extra middelen nodig")
    if item.overdue:
        meta.append("VERLOPEN")
    if item.exception_expired:
        finding = _finding(plan, item.requirement)
        meta.append(exception_state(finding.exception, plan.evaluation.as_of))
    parts.append(" (" + "; ".join(meta) + ")")
    if item.to_confirm:
        why = "voldoet nu" if item.finding_status.value == "voldoet" else "is niet (meer) van toepassing"
        parts.append(f" — TE BEVESTIGEN: de eis {why}; bevestig dat deze actie behaald is")
    if item.done_but_gap:
        parts.append(" — TE CONTROLEREN: de actie is behaald, maar de eis voldoet nog niet")
    if item.note:
        parts.append(f" — {esc(item.note)}")
    return "".join(parts)


def _finding(plan: Plan, rule_id: str):
    return next(f for f in plan.evaluation.findings if f.rule_id == rule_id)


def _groups(plan: Plan, items, esc=one_line):
    """(owner label, [(deadline heading, items)]) in owner, current-deadline order."""
    out = []
    for _, by_owner in groupby(items, key=lambda i: i.owner.casefold()):
        by_owner = list(by_owner)
        groups = []
        for deadline, same in groupby(by_owner, key=lambda i: i.deadline):
            groups.append((f"Deadline {dutch_date(deadline)}" if deadline else "Zonder deadline", list(same)))
        out.append((esc(owner_label(plan, by_owner[0].owner)), groups))
    return out


def plan_lines(plan: Plan, heading: str = "#", esc=one_line) -> list[str]:
    """The plan as lines of Markdown; every value from a file goes through `esc` (one_line for plain
    text, md_line for Markdown)."""
    ev = plan.evaluation
    a, k = ev.assessment, ev.kader
    h1, h2, h3 = heading, heading + "#", heading + "##"
    lines = [
        f"{h1} Transformatieplan {esc(a.team.name)}",
        "",
        f"Gemeente: {esc(a.team.municipality)} · Kader {esc(k.version)} ({esc(k.status)}) · peildatum "
        f"{dutch_date(a.reference_date)}"
        f" · stand per {dutch_date(ev.as_of)}",
        "",
        f"Toetsing: {summary_line(ev.counts())}",
        *(f"{esc(line)}" for line in summary_extra(ev)),
        "",
    ] + [line for text in [waiting_line(ev)] + region_lines(ev) if text for line in (esc(text), "")] + [
        f"{h2} Eerstvolgende deadlines",
        "",
    ]
    upcoming = plan.upcoming()
    if upcoming:
        for item in upcoming:
            where = " (regionaal)" if item.regional else ""
            lines.append(f"- {dutch_date(item.deadline)}: {esc(item.requirement)} {esc(item.description)}{where}")
    elif plan.open_items():  # open actions, but none with a deadline ahead: never "Geen" then
        n = len(plan.open_items())
        which = "De open actie is verlopen of heeft" if n == 1 else f"Alle {n} open acties zijn verlopen of hebben"
        lines.append(f"- {which} geen deadline: zie hieronder, en spreek een nieuwe deadline af.")
    else:
        lines.append(f"- Geen openstaande deadlines vanaf {dutch_date(ev.as_of)}.")
    overdue = plan.overdue()
    if overdue:
        lines += ["", f"Verlopen (deadline vóór {dutch_date(ev.as_of)}, niet behaald):", ""]
        for item in overdue:
            lines.append(f"- {dutch_date(item.deadline)}: {esc(item.requirement)} {esc(item.description)}")
    lines += ["", f"{h2} Acties van gemeente en lokaal team", ""]
    if plan.items:
        for owner, groups in _groups(plan, plan.items, esc):
            lines += [f"{h3} {owner}", ""]
            for deadline, items in groups:
                lines.append(f"{deadline}:")
                lines.append("")
                lines += [item_line(plan, i, esc) for i in items]
                lines.append("")
    else:
        lines += ["Geen lokale acties nodig.", ""]
    lines += [f"{h2} Regionale afhankelijkheden", "",
              "Deze tekorten kan alleen de regio (met contractpartner en veiligheidspartners) oplossen; "
              "het team volgt ze, maar hoeft er zelf niets voor te doen.", ""]
    if plan.regional:
        for owner, groups in _groups(plan, plan.regional, esc):
            lines += [f"{h3} {owner}", ""]
            for deadline, items in groups:
                lines.append(f"{deadline}:")
                lines.append("")
                lines += [item_line(plan, i, esc) for i in items]
                lines.append("")
    else:
        lines += ["Geen.", ""]
    if plan.exceptions:
        lines += [f"{h2} Afwijkingen", "",
                  "Voor een tekort met een geldige afwijking stelt het plan geen actie voor; is de afwijking "
                  "verlopen, dan wel.", ""]
        for f in plan.exceptions:
            status = STATUS_LABEL[f.status]
            lines.append(f"- **{esc(f.rule_id)}** {esc(f.title)} (stand eis: {status}): "
                         f"{esc(exception_text(f, k, ev.as_of))}")
        lines.append("")
    lines += [f"{h2} Nog vast te stellen (onbekend)", ""]
    if plan.unknown:
        lines.append("Voor deze eisen ontbreken gegevens; vul ze aan in het assessment:")
        lines.append("")
        questions = plan.evaluation.kader.all_questions()
        for f in plan.unknown:
            where = " (regionaal)" if f.responsible == "regio" else ""
            lines.append(f"- [ ] **{esc(f.rule_id)}** {esc(f.title)}{where}")
            for path in f.missing:
                q = questions.get(path)
                ask = esc(q.question) if q else esc(path)  # the question as the team reads it, not its field
                lines.append(f"  - {ask}")
    else:
        lines.append("Niets: alle eisen zijn bepaald.")
    lines.append("")
    return lines


@renderer("plan", "markdown")
def plan_markdown(plan: Plan, options: Options) -> str:
    return safe_text("\n".join(plan_lines(plan, esc=md_line)))


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
    return safe_text("\n".join(out))


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
        "extra_middelen_nodig": item.extra_budget,
        "extra_middelen_mogelijk": item.extra_budget_possible,
        "herkomst": item.origin,
        "deadline_voorgesteld": item.deadline_proposed,
        "al_bereikt": list(item.parts_left_out),
        "te_bevestigen": item.to_confirm,
        "te_controleren": item.done_but_gap,
        "verlopen": item.overdue,
        "afwijking_verlopen": item.exception_expired,
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
        "wacht_op_regio": [f.rule_id for f in ev.waiting_on_region],
        "regio": region_json(ev.region),
        "nog_vast_te_stellen": [{"eis": f.rule_id, "titel": f.title, "ontbrekend": list(f.missing)} for f in plan.unknown],
        "afwijkingen": [{"titel": f.title, "status_eis": f.status.value, **exception_json(f.exception)}
                        for f in plan.exceptions],
        "eerstvolgende_deadlines": [
            {"eis": i.requirement, "deadline": i.deadline.isoformat(), "omschrijving": i.description} for i in plan.upcoming()
        ],
    }
    return json_text(data)


CSV_COLUMNS = ["eis", "titel", "status_eis", "verantwoordelijk", "omschrijving", "eigenaar", "deadline",
               "oorspronkelijke_deadline", "status", "extra_middelen_nodig", "extra_middelen_mogelijk", "herkomst",
               "te_bevestigen", "te_controleren", "verlopen", "afwijking_verlopen", "toelichting"]


@renderer("plan", "csv")
def plan_csv(plan: Plan, options: Options) -> str:
    def cell(value):
        return "" if value is None else ("ja" if value is True else "nee" if value is False else value)

    return csv_text(CSV_COLUMNS, ([cell(item_json(plan, i)[c]) for c in CSV_COLUMNS] for i in plan.items + plan.regional))


@renderer("plan", "yaml")
def plan_yaml(plan: Plan, options: Options) -> str:
    """The `transformatieplan:` block, to replace the one in the assessment (statuses kept)."""
    actions = [item_yaml(i) for i in plan.items + plan.regional if i.origin == "team" or not i.regional]
    name = one_line(plan.evaluation.assessment.team.name)
    header = f"# Transformatieplan voor {name}: vervang hiermee het blok 'transformatieplan:' in het assessment.\n"
    return header + yamlwrite.dump({"transformatieplan": actions})
