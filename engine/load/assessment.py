"""Loading and validating a team's assessment file against the questions of its Kader version."""

from __future__ import annotations

from pathlib import Path

from kadertoets.infra.dates import dutch_date
from kadertoets.infra.errors import KaderFout, Problem, display_path, enough, excerpt
from kadertoets.load import formats
from kadertoets.load.facts import parse_facts
from kadertoets.load.exceptions import approved_exceptions
from kadertoets.load.privacy import refuse_personal_data
from kadertoets.model import ACTION_STATUSES, Assessment, MovedDeadline, PlanAction, Team
from kadertoets.infra.located import Node, collect, hint_with
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.infra.lintcodes import Code

MAX_TEAM_ID = 64  # characters; an id is a key in every table and file name the region makes


def load_assessment(path: Path, kader) -> Assessment:
    """Load an assessment and validate it against `kader` (its questions, rules and roles)."""
    root = Node(load_yaml_file(Path(path)), display_path(Path(path)))
    assessment_form(root)
    named = root.has("kader")
    return build_assessment(root, kader, "assessment" if named else "peildatum")


def assessment_form(root: Node) -> Node:
    """The outer form of an assessment (a mapping with its known keys), checked before the Kader version
    is chosen; when it is wrong, any personal data in the file is reported with it (load/privacy.py)."""
    try:
        return root.mapping(required=formats.ASSESSMENT.required, optional=formats.ASSESSMENT.optional,
                            what="het assessment")
    except KaderFout as exc:
        refuse_personal_data(root, exc.problems)
        raise


def build_assessment(root: Node, kader, version_source: str = "assessment") -> Assessment:
    """Validate an assessment against `kader`, the version chosen for it (`version_source`: named in
    the assessment, in effect on its peildatum, or forced with --kader; see VERSION_SOURCE_LABEL).
    Every reader of an assessment comes here, so here the file is refused when it holds personal data
    (load/privacy.py), together with its other problems."""
    problems: list[Problem] = []
    version = kader.version
    if root.has("kader"):  # its form (text, not 1.10 read as 1.1); which version is used, the caller decided
        collect(problems, root.child("kader").version)
    reference = collect(problems, root.child("peildatum").date)
    team = collect(problems, team_block, root.child("team"))
    filled = filled_in(root, problems)
    facts = collect(problems, parse_facts, root.child("feiten"), kader.questions)
    if facts and reference is not None:
        problems += evidence_problems(root.child("feiten"), facts, reference)
    plan = ()
    if root.has("transformatieplan") and root.value.get("transformatieplan") is not None:
        plan = collect(problems, _plan, root.child("transformatieplan"), kader)
    exceptions = ()
    if root.has("afwijkingen") and root.value.get("afwijkingen") is not None:
        exceptions = collect(problems, approved_exceptions, root.child("afwijkingen"), kader, reference) or ()
    refuse_personal_data(root, problems)  # returns when there is neither personal data nor a problem
    return Assessment(
        file=root.file,
        kader_version=version,
        reference_date=reference,
        team=team,
        filled_in_by=filled,
        facts=facts,
        plan=plan,
        kader_version_source=version_source,
        exceptions=exceptions,
    )


def filled_in(root: Node, problems: list[Problem]) -> dict:
    """The `ingevuld_door` block (of an assessment or a regional file), its problems added to `problems`."""
    filled = {}
    if root.has("ingevuld_door"):
        node = root.child("ingevuld_door")
        if collect(problems, node.mapping, optional=formats.FILLED_IN.optional, what="ingevuld_door"):
            for key, sub in node.items():
                value = collect(problems, sub.date if key == "datum" else sub.text)
                if value is not None:
                    filled[key] = value
    return filled


def evidence_problems(facts_node: Node, facts: dict, reference) -> list[Problem]:
    """Evidence cannot be dated after the day the facts hold (the peildatum)."""
    out = []
    for path, fact in facts.items():
        if fact.evidence_date is not None and fact.evidence_date > reference:
            node = facts_node.child(path).child("bewijs_datum")
            out.append(node.problem(
                f"de datum van het bewijs ({dutch_date(fact.evidence_date)}) ligt na de peildatum "
                f"({dutch_date(reference)})", "Bewijs van na de peildatum hoort bij een volgend assessment; "
                "controleer de datum.", code=Code.VALUE_NOT_ALLOWED))
    return out


def team_block(node: Node) -> Team:
    node.mapping(required=formats.TEAM.required, what="het team-blok")
    tasks_node = node.child("taken").mapping(required=formats.TASKS.required, what="taken")
    tasks = {k: tasks_node.child(k).yes_no() for k in ("jeugd", "wmo")}
    tid = node.child("id")
    tid_text = tid.text()
    if len(tid_text) > MAX_TEAM_ID:
        raise tid.fail(f"team-id {excerpt(tid_text)} is langer dan {MAX_TEAM_ID} tekens",
                       "Gebruik een korte id, bv. amersfoort of bbs-baarn.", code=Code.VALUE_NOT_ALLOWED)
    if not all(c.isalnum() or c in "-_." for c in tid_text):
        raise tid.fail(f"team-id {excerpt(tid_text)} bevat tekens die niet mogen",
                       "Gebruik letters, cijfers, '-' en '_', bv. amersfoort of bbs-baarn.", code=Code.VALUE_NOT_ALLOWED)
    return Team(
        id=tid_text,
        name=node.child("naam").name(),
        municipality=node.child("gemeente").name(),
        organisation=node.child("organisatie").name(),
        tasks=tasks,
    )


def _plan(node: Node, kader) -> tuple[PlanAction, ...]:
    """Every action of the plan, with every problem of every action reported at once (a wrong 'eis'
    does not hide a bad 'deadline' in the same or a later action)."""
    node.sequence()
    out = []
    problems: list[Problem] = []
    for e in node.elements():
        if enough(problems, node.file, node.line):
            break
        action = collect(problems, _action, e, kader)
        if action is not None:
            out.append(action)
    if problems:
        raise KaderFout(problems)
    return tuple(out)


def _action(e: Node, kader) -> PlanAction:
    """One action; all its problems together (a missing or unknown key, a wrong eis, date or status)."""
    if not isinstance(e.value, dict):
        e.mapping(what="een actie in het transformatieplan")  # raises: not a mapping
    problems: list[Problem] = []
    collect(problems, e.mapping, required=formats.PLAN_ACTION.required, optional=formats.PLAN_ACTION.optional,
            what="een actie in het transformatieplan")

    def field(key, check, *args, default=None):
        """The checked value of `key` when present (a missing required key is reported above)."""
        if not e.has(key):
            return default
        return collect(problems, check, e.child(key), *args)

    rid = field("eis", Node.text)
    if rid is not None and rid not in kader.rules:
        problems.append(e.child("eis").problem(
            f"onbekende eis {excerpt(rid)} in Kader {kader.version}",
            hint_with(rid, kader.rules, "Gebruik een regel-id uit 'kader rules'."), code=Code.UNKNOWN_RULE_REF))
    deadline = field("deadline", Node.date) if e.value.get("deadline") is not None else None
    moved = collect(problems, _moved, e.child("deadline_verplaatst")) if e.has("deadline_verplaatst") else ()
    description = field("omschrijving", Node.text)
    owner = field("eigenaar", Node.text)
    status = field("status", Node.choice, ACTION_STATUSES)
    extra = field("extra_middelen_nodig", Node.yes_no)
    note = field("toelichting", Node.text)
    aid = field("id", Node.text)
    if problems:
        raise KaderFout(problems)
    return PlanAction(
        requirement=rid,
        description=description.strip(),
        owner=owner,
        deadline=deadline,
        status=status,
        moved=moved,
        extra_budget=extra,
        note=note,
        id=aid,
    )


def _moved(node: Node) -> tuple[MovedDeadline, ...]:
    """The history of moved deadlines, every problem of every step at once."""
    node.sequence()
    out = []
    problems: list[Problem] = []
    for m in node.elements():
        if collect(problems, m.mapping, required=formats.MOVED.required, optional=formats.MOVED.optional,
                   what="een verplaatste deadline") is None:
            continue
        to = collect(problems, m.child("naar").date)
        note = collect(problems, m.child("toelichting").text) if m.has("toelichting") else None
        if to is not None:
            out.append(MovedDeadline(to, note))
    if problems:
        raise KaderFout(problems)
    return tuple(out)
