"""`kader inlezen WERKMAP --bijwerken ASSESSMENT`: put the answers and plan statuses of a filled-in
questionnaire workbook back into the team's own assessment file, keeping everything else.

Only what the workbook changed is written: a fact whose value, toelichting, bewijs or herbevestigen is
the same keeps its own lines (short or long form, comments, quotes), and so does an unchanged action;
a question the file lists without an answer (the skeleton of `kader nieuw`) keeps its entry and its
comments until it is answered. The blocks are replaced with editors/yamlblock.py; the file is read once
and replaced only if it did not change meanwhile (editors/keptfile.py); the new text must load, with
the strict loader, as exactly the workbook's assessment, otherwise nothing is written (fail closed).
The workbook must belong to the file: the same team, peildatum and Kader version.
"""

from __future__ import annotations

from pathlib import Path

from kadertoets.editors.keptfile import read_kept, replace_kept
from kadertoets.editors.migrate import action_yaml, fact_yaml
from kadertoets.editors.yamlblock import replace_entries
from kadertoets.infra.errors import KaderFout, display_path, excerpt
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.load import formats
from kadertoets.model import Assessment, Fact, PlanAction
from kadertoets.sweep.questionnaire import assessment_from_workbook
from kadertoets.sweep.run import assessment_from_tree, kader_dir_or_default

AGAIN = "kader inlezen --bijwerken"


@record
class WorkbookUpdate:
    file: str
    facts_changed: tuple[str, ...]  # question ids whose answer, toelichting, bewijs or herbevestigen changed
    actions_changed: int
    filled_in_changed: bool
    written: bool


def _fact_key(f: Fact | None):
    return None if f is None else (f.value, f.note, f.evidence, f.reconfirm)


def _empty(f: Fact | None) -> bool:
    return f is None or _fact_key(f) == (None, None, None, False)


def _plain(value):
    """A loaded YAML value as plain dicts and lists (the loader's own containers carry positions)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _in_form_of(entry, fact: Fact | None):
    """The new fact in the form the file used for it: a long-form entry (`waarde:` on its own line,
    as kader nieuw writes it) stays long, so that only the lines that changed change."""
    if fact is None:
        return {"waarde": None} if isinstance(entry, dict) else None
    written = fact_yaml(fact)
    if isinstance(entry, dict) and not isinstance(written, dict):
        return {"waarde": list(fact.value) if isinstance(fact.value, tuple) else fact.value}
    return written


def _new_facts(raw: dict, old: Assessment, new: Assessment, order) -> tuple[dict, list[str]]:
    """The `feiten:` block with the workbook's answers: unchanged entries as they were."""
    out, changed = {}, []
    for path, entry in raw.items():
        before, after = old.facts.get(path), new.facts.get(path)
        if _fact_key(before) == _fact_key(after) or (after is None and _empty(before)):
            out[path] = _plain(entry)
        else:
            out[path] = _in_form_of(entry, after)
            changed.append(path)
    for path in order:  # answered in the workbook, not yet listed in the file: in question order
        if path not in out and path in new.facts and not _empty(new.facts[path]):
            out[path] = fact_yaml(new.facts[path])
            changed.append(path)
    return out, changed


def _action_key(a: PlanAction):
    return (a.requirement, a.description, a.owner, a.deadline, a.status, a.moved, a.extra_budget, a.note, a.id)


def _new_plan(raw: list, old: Assessment, new: Assessment) -> tuple[list, int]:
    out, changed = [], 0
    for i, action in enumerate(new.plan):
        if i < len(old.plan) and i < len(raw) and _action_key(old.plan[i]) == _action_key(action):
            out.append(_plain(raw[i]))
        else:
            out.append(action_yaml(action))
            changed += 1
    return out, changed + max(0, len(old.plan) - len(new.plan))


def _belongs(old: Assessment, new: Assessment, workbook: str, shown: str) -> None:
    """The workbook was made from this team's assessment at this peildatum, for this Kader version."""
    for what, mine, theirs in (("team", old.team.id, new.team.id),
                               ("peildatum", old.reference_date.isoformat(), new.reference_date.isoformat()),
                               ("Kaderversie", old.kader_version, new.kader_version)):
        if mine != theirs:
            raise KaderFout.single(
                f"de werkmap {excerpt(workbook, 200)} hoort bij {what} {excerpt(theirs, 80)}, dit assessment bij "
                f"{excerpt(mine, 80)}; er is niets geschreven", file=shown,
                hint="Kies het assessment waaruit de werkmap gemaakt is, of schrijf een nieuw bestand met -o.")


def update_from_workbook(workbook: Path, target: Path, kader_dir=None, version: str | None = None) -> WorkbookUpdate:
    source = read_kept(target, AGAIN)
    shown, text = source.shown, source.text
    tree = load_yaml_text(text, shown)
    kdir = kader_dir_or_default(kader_dir)
    old, kader = assessment_from_tree(tree, shown, kdir, version)
    new, _ = assessment_from_workbook(workbook, kdir, version)
    _belongs(old, new, display_path(workbook), shown)

    facts, facts_changed = _new_facts(tree.get("feiten") or {}, old, new, kader.questions)
    plan, actions_changed = _new_plan(tree.get("transformatieplan") or [], old, new)
    filled_in_changed = bool(new.filled_in_by) and new.filled_in_by != old.filled_in_by
    blocks = []
    if facts_changed:
        blocks.append(("feiten", facts))
    if actions_changed:
        blocks.append(("transformatieplan", plan))
    if filled_in_changed:
        blocks.append(("ingevuld_door", formats.FILLED_IN.write(**new.filled_in_by)))
    if not blocks:
        return WorkbookUpdate(shown, (), 0, False, written=False)
    new_text = text
    for key, value in blocks:
        new_text = replace_entries(new_text, key, value, shown)
    check, _ = assessment_from_tree(load_yaml_text(new_text, shown), shown, kdir, version or old.kader_version)
    same = ({p: _fact_key(f) for p, f in check.facts.items() if not _empty(f)}
            == {p: _fact_key(f) for p, f in new.facts.items() if not _empty(f)}
            and [_action_key(a) for a in check.plan] == [_action_key(a) for a in new.plan])
    if not same:  # fail closed: what would be written is not what the workbook says
        raise KaderFout.single("het bijgewerkte assessment zou iets anders bevatten dan de werkmap; er is niets "
                               "geschreven", file=shown,
                               hint="Dit is een fout in kadertoets; meld het met de werkmap en het bestand.")
    replace_kept(source, new_text)
    return WorkbookUpdate(shown, tuple(facts_changed), actions_changed, filled_in_changed, written=True)
