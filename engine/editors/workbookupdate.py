"""`kader inlezen WERKMAP --bijwerken ASSESSMENT`: put the answers and action statuses of a filled-in
questionnaire workbook back into the team's own assessment file, keeping everything else.

A three-way merge, per fact and per action: the workbook keeps (hidden, load/workbook.py BASE_SHEET) a
digest of what it held when `kader vragenlijst` made it. What the person changed in the workbook is
written; what they left alone keeps the file's current content (also when the file changed since, by
`kader plan --bijwerken` or another workbook); where both changed the same fact or action to different
things, nothing is written and every such question is named (a save based on an older version is
refused, not merged in silence). Reading the same workbook in twice changes nothing the second time.

Only what changes is written: an unchanged fact or action keeps its own lines byte for byte (short or
long form, comments, quotes), and a question the file lists without an answer (the skeleton of
`kader nieuw`) keeps its entry and comments until it is answered (editors/yamlblock.py replace_entries).
The file is read once and replaced only if it did not change meanwhile (editors/keptfile.py); the new
text must load, with the strict loader, as the merged assessment, otherwise nothing is written.
The workbook must belong to the file: the same team, peildatum and Kader version.
"""

from __future__ import annotations

from pathlib import Path

from kadertoets.editors.keptfile import read_kept, replace_kept
from kadertoets.editors.migrate import action_yaml, fact_long, fact_yaml
from kadertoets.editors.yamlblock import replace_entries
from kadertoets.infra.dates import dutch_date
from kadertoets.infra.errors import KaderFout, Problem, display_path, excerpt
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import load_yaml_text, plain
from kadertoets.load import formats
from kadertoets.load.workbook import action_print, fact_print
from kadertoets.model import Assessment, Fact
from kadertoets.sweep.questionnaire import read_questionnaire
from kadertoets.sweep.run import assessment_from_tree, kader_dir_or_default

AGAIN = "kader inlezen --bijwerken"


@record
class WorkbookUpdate:
    file: str
    facts_changed: tuple[str, ...]  # question ids whose answer, toelichting, bewijs or herbevestigen changed
    actions_changed: int
    filled_in_changed: bool
    written: bool


def _empty(f: Fact | None) -> bool:
    return f is None or f.empty


def _in_form_of(entry, fact: Fact | None):
    """The new fact in the form the file used for it: a long-form entry (`waarde:` on its own line,
    as kader nieuw writes it) stays long, so that only the lines that changed change."""
    if _empty(fact):
        return fact_long(None) if isinstance(entry, dict) else None
    return fact_long(fact) if isinstance(entry, dict) else fact_yaml(fact)


def _print(f: Fact | None) -> str:
    """A fact as the workbook shows it (see load/workbook.py fact_print)."""
    return fact_print(None if _empty(f) else f, as_shown=True)


def _merge_facts(raw: dict, old: Assessment, new: Assessment, base: dict, order, conflicts: list) -> tuple[dict, list]:
    """The `feiten:` block: changed in the workbook → the workbook's; else the file's, as it is."""
    changed = []
    wanted = {}
    for path in order:
        mine, theirs = _print(new.facts.get(path)), _print(old.facts.get(path))
        was = base.get(f"feit:{path}")
        if mine == was or mine == theirs:
            continue  # not changed in the workbook, or already so in the file
        if was is None or theirs != was:
            conflicts.append(path)
            continue
        wanted[path] = new.facts.get(path)
    out = {}
    for path, entry in raw.items():
        if path in wanted:
            out[path] = _in_form_of(entry, wanted.pop(path))
            changed.append(path)
        else:
            out[path] = plain(entry)
    for path, fact in wanted.items():  # answered in the workbook, not yet listed in the file
        if not _empty(fact):
            out[path] = fact_yaml(fact)
            changed.append(path)
    return out, changed


def _merge_plan(raw: list, old: Assessment, new: Assessment, base: dict, conflicts: list) -> tuple[list, int]:
    """The `transformatieplan:` block: an action changed in the workbook (its status, toelichting, ...)
    replaces the file's; actions the file gained since (kader plan --bijwerken) stay."""
    out, changed = [plain(item) for item in raw], 0
    for n, action in enumerate(new.plan):
        mine, was = action_print(action, as_shown=True), base.get(f"actie:{n}")
        theirs = action_print(old.plan[n], as_shown=True) if n < len(old.plan) else None
        if mine == was or mine == theirs:
            continue
        if was is None or theirs != was or n >= len(out):
            conflicts.append(f"actie {n + 1} ({action.requirement})")
            continue
        out[n] = action_yaml(action)
        changed += 1
    return out, changed


def _belongs(old: Assessment, new: Assessment, workbook: str, shown: str) -> None:
    """The workbook was made from this team's assessment at this peildatum, for this Kader version."""
    for what, mine, theirs in (("team", old.team.id, new.team.id),
                               ("peildatum", dutch_date(old.reference_date), dutch_date(new.reference_date)),
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
    book = display_path(workbook)
    new, _, read = read_questionnaire(workbook, kdir, version)
    _belongs(old, new, book, shown)
    base = read.base
    if base is None:
        raise KaderFout.single(f"de werkmap {excerpt(book, 200)} zegt niet wat er in stond toen hij gemaakt werd, "
                               "dus niet wat u veranderde; er is niets geschreven", file=shown,
                               hint="Schrijf de werkmap naar een nieuw bestand (kader inlezen WERKMAP -o NIEUW.yaml), "
                                    "of maak een nieuwe vragenlijst met kader vragenlijst.")
    numbers = sorted(row.values["nr"] for row in read.plan)
    made_with = sum(1 for key in base if key.startswith("actie:"))
    if numbers != list(range(1, made_with + 1)):  # a row deleted or added: which action is which is lost
        missing = sorted(set(range(1, made_with + 1)) - set(numbers))
        raise KaderFout.single(
            "het blad Plan van de werkmap heeft niet meer de acties waarmee het gemaakt is"
            + (f" (actie {', '.join(map(str, missing))} ontbreekt)" if missing else " (er staan rijen bij)")
            + "; er is niets geschreven", file=book,
            hint="Verwijder geen rijen uit het blad Plan en voeg er geen toe; zet een actie die niet doorgaat op "
                 "'Niet behaald'. Een nieuwe actie komt in het assessment (of via kader plan --bijwerken).")
    present = {row.values["id"] for row in read.questions}  # a deleted row is not a cleared answer
    conflicts: list[str] = []
    facts, facts_changed = _merge_facts(tree.get("feiten") or {}, old, new, base,
                                        [p for p in kader.questions if p in present], conflicts)
    plan, actions_changed = _merge_plan(tree.get("transformatieplan") or [], old, new, base, conflicts)
    if conflicts:
        names = [kader.questions[c].question if c in kader.questions else c for c in conflicts]
        raise KaderFout([Problem(f"{excerpt(name, 160)}: is in de werkmap én in het assessment veranderd, elk anders; "
                                 "er is niets geschreven", file=shown,
                                 hint="Kies zelf: pas de werkmap of het assessment aan, of maak een nieuwe vragenlijst "
                                      "van het huidige assessment.") for name in names])
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
    if any(_print(check.facts.get(p)) != _print(new.facts.get(p)) for p in facts_changed):
        raise KaderFout.single("het bijgewerkte assessment zou iets anders bevatten dan de werkmap; er is niets "
                               "geschreven", file=shown,
                               hint="Dit is een fout in kadertoets; meld het met de werkmap en het bestand.")
    replace_kept(source, new_text)
    return WorkbookUpdate(shown, tuple(facts_changed), actions_changed, filled_in_changed, written=True)
