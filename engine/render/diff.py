"""Renderers for `kader diff` (text, JSON, Markdown for the changelog) and `kader migrate` (the
report: text and JSON). The migrated file itself is written by migrate.migration_yaml."""

from __future__ import annotations

from kadertoets.editors.diff import ABSENT, Impact, KaderDiff
from kadertoets.editors.migrate import ACTION_OUTCOME_LABEL, FACT_OUTCOME_LABEL, Migration
from kadertoets.infra.textsafe import clean
from kadertoets.render import STATUS_LABEL, Options, json_text, md_escape, renderer, safe_text


def _status(s) -> str:
    return STATUS_LABEL[s] if s is not None else f"({ABSENT})"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _one_line(text) -> str:
    return " ".join(str(text).split()) if text is not None else "(geen)"


def _sections(d: KaderDiff, esc=clean) -> list[tuple[str, list[str]]]:
    """The diff as (heading, lines) in reading order; shared by text and Markdown. Every value from a
    Kader file goes through `esc` (clean for text, md_escape for Markdown)."""
    t = d.titles
    manifest = []
    for f in d.manifest:
        manifest += [f"{esc(f.field)}:", f"  oud:   {esc(_one_line(f.old))}", f"  nieuw: {esc(_one_line(f.new))}"]
    out = [
        ("Manifest gewijzigd", manifest),
        ("Eisen toegevoegd", [f"{esc(r)}: {esc(t.get(r, ''))}" for r in d.added]),
        ("Eisen verwijderd", [f"{esc(r)}: {esc(t.get(r, ''))}" for r in d.removed]),
        ("Eisen hernoemd, gesplitst of samengevoegd",
         [f"{', '.join(map(esc, r.old_ids))} -> {', '.join(map(esc, r.new_ids))} ({esc(r.kind)})" for r in d.renamed]),
    ]
    changed = []
    for c in d.changed:
        name = esc(c.new_id) if c.old_id == c.new_id else f"{esc(c.old_id)} -> {esc(c.new_id)}"
        changed.append(f"{name}: {esc(c.title)}")
        for f in c.changes:
            changed.append(f"  {esc(f.field)}:")
            changed.append(f"    oud:   {esc(_one_line(f.old))}")
            changed.append(f"    nieuw: {esc(_one_line(f.new))}")
    out.append(("Eisen gewijzigd", changed))
    out.append(("Vragen toegevoegd", [esc(q) for q in d.questions_added]))
    out.append(("Vragen verwijderd", [esc(q) for q in d.questions_removed]))
    qlines = []
    for q in d.questions_changed:
        qlines.append(esc(q.path))
        for f in q.changes:
            qlines.append(f"  {esc(f.field)}: {esc(_one_line(f.old))} -> {esc(_one_line(f.new))}")
    out.append(("Vragen gewijzigd", qlines))
    return out


def _impact_lines(imp: Impact, esc=clean) -> list[str]:
    lines = [f"{len(imp.teams)} van {imp.checked} teams krijgen op minstens één eis een andere status."]
    for label, n in imp.transitions():
        old, new = label.split(" -> ")
        lines.append(f"  {n}x {esc(old.replace('_', ' '))} -> {esc(new.replace('_', ' '))}"
                     + (f" ({ABSENT}: de eis staat niet in die versie)" if ABSENT in (old, new) else ""))
    for team in imp.teams:
        lines.append(f"{esc(team.team_id)} ({esc(team.team_name)}, {esc(team.file)}):")
        for c in team.changes:
            name = (esc(c.new_id) if c.old_id == c.new_id
                    else f"{esc(c.old_id or '(nieuw)')} -> {esc(c.new_id or '(vervallen)')}")
            lines.append(f"  {name}: {_status(c.old)} -> {_status(c.new)}")
        if team.migration_notes:
            lines.append("  feiten bij migratie: " + "; ".join(map(esc, team.migration_notes)))
    for file, problems in imp.invalid:
        lines.append("ONGELDIG (niet vergeleken): " + "; ".join(
            esc(p.render() if p.file else f"{file}: {p.render()}") for p in problems))
    return lines


@renderer("diff", "text")
def diff_text(result, options: Options) -> str:
    d, imp = result
    lines = [f"Kader {clean(d.old_label)} -> {clean(d.new_label)}"]
    if d.empty:
        lines.append("Geen verschillen in manifest, eisen en vragen.")
    elif d.changelog:
        lines += ["", f"Wijzigingen volgens het manifest van {clean(d.new_label)}:"] + [f"  - {clean(_one_line(c))}"
                                                                                     for c in d.changelog]
    for heading, body in _sections(d):
        if body:
            lines += ["", f"{heading} ({sum(1 for b in body if not b.startswith(' '))}):"]
            lines += [f"  {b}" for b in body]
    if imp is not None:
        lines += ["", "Gevolgen voor de teams (dezelfde feiten, na migratie):",
                  f"  (elk assessment is gelezen als assessment van Kader {clean(d.old_label)}, ook als het een andere "
                  "versie noemt)"]
        lines += [f"  {x}" for x in _impact_lines(imp)]
    return safe_text("\n".join(lines) + "\n")


@renderer("diff", "markdown")
def diff_markdown(result, options: Options) -> str:
    d, imp = result
    lines = [f"## Kader {md_escape(d.new_label)} (ten opzichte van {md_escape(d.old_label)})", ""]
    if d.empty:
        lines += ["Geen verschillen in manifest, eisen en vragen.", ""]
    elif d.changelog:
        lines += [f"- {md_escape(_one_line(c))}" for c in d.changelog] + [""]
    for heading, body in _sections(d, md_escape):
        if not body:
            continue
        lines += [f"### {heading}", ""]
        for b in body:
            depth = (len(b) - len(b.lstrip(" "))) // 2
            lines.append("  " * depth + "- " + b.strip())
        lines.append("")
    if imp is not None:
        lines += ["### Gevolgen voor de teams", ""]
        lines += [f"- {x.strip()}" if not x.startswith("  ") else f"  - {x.strip()}"
                  for x in _impact_lines(imp, md_escape)]
        lines.append("")
    return safe_text("\n".join(lines))


@renderer("diff", "json")
def diff_json(result, options: Options) -> str:
    d, imp = result
    data = {
        "oud": d.old_label,
        "nieuw": d.new_label,
        "wijzigingen": list(d.changelog),
        "manifest": [{"veld": f.field, "oud": f.old, "nieuw": f.new} for f in d.manifest],
        "eisen": {
            "toegevoegd": list(d.added),
            "verwijderd": list(d.removed),
            "hernoemd": [{"oud": list(r.old_ids), "nieuw": list(r.new_ids), "soort": r.kind} for r in d.renamed],
            "gewijzigd": [{"oud_id": c.old_id, "nieuw_id": c.new_id, "titel": c.title,
                           "velden": [{"veld": f.field, "oud": f.old, "nieuw": f.new} for f in c.changes]}
                          for c in d.changed],
        },
        "vragen": {
            "toegevoegd": list(d.questions_added),
            "verwijderd": list(d.questions_removed),
            "gewijzigd": [{"pad": q.path, "velden": [{"veld": f.field, "oud": f.old, "nieuw": f.new}
                                                     for f in q.changes]} for q in d.questions_changed],
        },
    }
    if imp is not None:
        data["gevolgen"] = {
            "teams_getoetst": imp.checked,
            "teams_met_verandering": len(imp.teams),
            "overgangen": [{"overgang": k, "aantal": n} for k, n in imp.transitions()],
            "teams": [{"team": t.team_id, "naam": t.team_name, "bestand": t.file,
                       "veranderingen": [{"oud_id": c.old_id, "nieuw_id": c.new_id,
                                          "oud": c.old.value if c.old else None,
                                          "nieuw": c.new.value if c.new else None} for c in t.changes],
                       "migratie": list(t.migration_notes)} for t in imp.teams],
            "ongeldig": [{"bestand": f, "problemen": [p.render() for p in ps]} for f, ps in imp.invalid],
        }
    return json_text(data)


# ------------------------------------------------------------------ migrate -----------------------
def _value(v) -> str:
    from kadertoets.evaluate.conditions import fmt_value

    return "(geen waarde)" if v is None else fmt_value(v)


@renderer("migrate", "text")
def migrate_text(m: Migration, options: Options) -> str:
    lines = [f"Migratie van {m.source}: Kader {m.old_version} -> {m.new_version}", "", "Feiten:"]
    for f in m.facts:
        extra = f" ({_one_line(f.detail)})" if f.detail else ""
        lines.append(f"  {f.path} = {_one_line(_value(f.value))}: {FACT_OUTCOME_LABEL[f.outcome]}{extra}")
    if not m.facts:
        lines.append("  (geen)")
    lines += ["", "Open vragen (nieuw in deze versie, of opnieuw te beantwoorden; nog onbekend):"]
    lines += [f"  {q.path}: {' '.join(q.question.split())}" for q in m.open_questions]
    lines += [f"  {q.path}: {' '.join(q.question.split())} (opnieuw te beantwoorden: het oude antwoord past niet "
              "meer)" for q in m.answer_again]
    if not m.open_questions and not m.answer_again:
        lines.append("  (geen)")
    lines += ["", "Acties in het transformatieplan:"]
    for a in m.actions:
        target = f" -> {a.new_requirement}" if a.new_requirement and a.new_requirement != a.requirement else ""
        others = f" (ook: {', '.join(a.others)})" if a.others else ""
        others += f" (samen met: {', '.join(a.merged_with)})" if a.merged_with else ""
        lines.append(f"  {a.requirement}{target}: {_one_line(a.description)}: {ACTION_OUTCOME_LABEL[a.outcome]}{others}")
    if not m.actions:
        lines.append("  (geen)")
    if m.assessment.exceptions or m.exceptions_dropped:
        lines += ["", "Afwijkingen:"]
        lines += [f"  {e.requirement}: overgenomen" for e in m.assessment.exceptions]
        lines += [f"  {e.requirement}: weggelaten: {_one_line(why)}" for e, why in m.exceptions_dropped]
    counts = {o: sum(1 for f in m.facts if f.outcome == o) for o in FACT_OUTCOME_LABEL}
    lines += ["", "Samenvatting: " + ", ".join(f"{n} {o}" for o, n in counts.items())
              + f"; {_n(len(m.open_questions) + len(m.answer_again), 'open vraag', 'open vragen')}; "
              + f"{_n(sum(1 for a in m.actions if a.outcome == 'vervallen'), 'actie', 'acties')} weggelaten"
              + (f"; {_n(len(m.exceptions_dropped), 'afwijking', 'afwijkingen')} weggelaten"
                 if m.exceptions_dropped else "") + "."]
    return safe_text("\n".join(lines) + "\n")


@renderer("migrate", "json")
def migrate_json(m: Migration, options: Options) -> str:
    data = {
        "bron": m.source,
        "oud": m.old_version,
        "nieuw": m.new_version,
        "feiten": [{"pad": f.path, "uitkomst": f.outcome, "waarde": _value(f.value) if f.value is not None else None,
                    "toelichting": f.detail or None} for f in m.facts],
        "open_vragen": [{"pad": q.path, "vraag": q.question} for q in m.open_questions],
        "opnieuw_te_beantwoorden": [{"pad": q.path, "vraag": q.question} for q in m.answer_again],
        "acties": [{"eis": a.requirement, "nieuwe_eis": a.new_requirement, "uitkomst": a.outcome,
                    "omschrijving": a.description, "ook": list(a.others), "samen_met": list(a.merged_with)}
                   for a in m.actions],
        "afwijkingen": [{"eis": e.requirement, "uitkomst": "overgenomen"} for e in m.assessment.exceptions]
        + [{"eis": e.requirement, "uitkomst": "vervallen", "toelichting": why} for e, why in m.exceptions_dropped],
    }
    return json_text(data)
