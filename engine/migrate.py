"""Migrating an assessment to another Kader version: carry the team's answers over, say what
happened to every fact and action, and write the new assessment file's text.

Pure: (Assessment validated against OLD, OLD, NEW) -> Migration. Per fact:
- its question is unchanged in NEW (type, question text, unit, allowed values, bounds): `overgenomen`;
- its question changed, and the value is still valid: carried over and marked `herbevestigen`;
- its question changed and the value is no longer valid: `ongeldig`, left out and listed;
- its question no longer exists: `vervallen`, left out and listed.
Questions that are new in NEW are listed as open (the new file leaves them out: `onbekend`).
Transformatieplan actions follow their requirement: kept when the id still exists, moved to the
successor named by `voorheen` (renamed; for a split the first successor, with the others named),
else left out and listed. Migrating to the same version changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import yaml

from .errors import KaderFout
from .model import Assessment, Fact, Kader, PlanAction, Question
from .questions import check_value
from .schema import Node

FACT_OUTCOMES = ("overgenomen", "herbevestigen", "ongeldig", "vervallen")
ACTION_OUTCOMES = ("overgenomen", "hernoemd", "gesplitst", "vervallen")
FACT_OUTCOME_LABEL = {
    "overgenomen": "overgenomen",
    "herbevestigen": "overgenomen, te herbevestigen (de vraag is veranderd)",
    "ongeldig": "weggelaten: de waarde past niet meer bij de veranderde vraag",
    "vervallen": "weggelaten: de vraag bestaat niet meer",
}
ACTION_OUTCOME_LABEL = {
    "overgenomen": "overgenomen",
    "hernoemd": "overgenomen onder de nieuwe naam van de eis",
    "gesplitst": "overgenomen onder de eerste van de eisen waarin de eis is gesplitst",
    "vervallen": "weggelaten: de eis bestaat niet meer en heeft geen opvolger",
}


@dataclass(frozen=True)
class FactOutcome:
    path: str
    outcome: str  # FACT_OUTCOMES
    value: object
    detail: str = ""  # what changed in the question, or why the value no longer fits


@dataclass(frozen=True)
class ActionOutcome:
    requirement: str  # the id in the old version
    new_requirement: str | None
    outcome: str  # ACTION_OUTCOMES
    description: str
    others: tuple[str, ...] = ()  # for a split: the other successors


@dataclass(frozen=True)
class Migration:
    source: str  # the file migrated (as shown)
    old_version: str
    new_version: str
    assessment: Assessment  # the migrated assessment, valid against the new version
    facts: tuple[FactOutcome, ...]
    open_questions: tuple[Question, ...]
    actions: tuple[ActionOutcome, ...]

    @property
    def needs_attention(self) -> bool:
        """Something for the team to do: facts to reconfirm or left out, actions left out."""
        return any(f.outcome != "overgenomen" for f in self.facts) or \
            any(a.outcome == "vervallen" for a in self.actions)


def question_changes(old: Question, new: Question) -> list[str]:
    """What changed in a question in a way that can change the meaning of an answer (Dutch field names)."""
    out = []
    for label, a, b in (("type", old.type, new.type), ("vraag", old.question, new.question),
                        ("eenheid", old.unit, new.unit), ("waarden", old.values, new.values),
                        ("minimum", old.minimum, new.minimum), ("maximum", old.maximum, new.maximum)):
        if a != b:
            out.append(label)
    return out


def _still_valid(value, q: Question) -> tuple[bool, object, str]:
    """Whether `value` is a valid answer to `q`, the normalised value, and if not, why."""
    plain = list(value) if isinstance(value, tuple) else value
    try:
        return True, check_value(Node(plain, "", q.path), q), ""
    except KaderFout as exc:
        return False, None, exc.problems[0].message


def migrate(assessment: Assessment, old: Kader, new: Kader) -> Migration:
    """Carry `assessment` (validated against `old`) over to `new`."""
    facts: dict[str, Fact] = {}
    outcomes = []
    for path, fact in assessment.facts.items():
        q_new = new.questions.get(path)
        if q_new is None:
            outcomes.append(FactOutcome(path, "vervallen", fact.value))
            continue
        changed = question_changes(old.questions[path], q_new) if path in old.questions else ["vraag"]
        if not changed:
            facts[path] = fact
            outcomes.append(FactOutcome(path, "herbevestigen" if fact.reconfirm else "overgenomen", fact.value))
            continue
        if fact.value is None:
            ok, value, why = True, None, ""
        else:
            ok, value, why = _still_valid(fact.value, q_new)
        detail = "veranderd: " + ", ".join(changed)
        if ok:
            facts[path] = replace(fact, value=value, reconfirm=True)
            outcomes.append(FactOutcome(path, "herbevestigen", fact.value, detail))
        else:
            outcomes.append(FactOutcome(path, "ongeldig", fact.value, f"{detail}; {why}"))
    open_questions = tuple(q for p, q in new.questions.items() if p not in old.questions)
    plan = []
    actions = []
    for action in assessment.plan:
        successors = new.successors(action.requirement)
        if not successors:
            actions.append(ActionOutcome(action.requirement, None, "vervallen", action.description))
            continue
        target = successors[0]
        outcome = "overgenomen" if target == action.requirement else \
            ("gesplitst" if len(successors) > 1 else "hernoemd")
        actions.append(ActionOutcome(action.requirement, target, outcome, action.description, successors[1:]))
        plan.append(replace(action, requirement=target))
    migrated = replace(assessment, kader_version=new.version, facts=facts, plan=tuple(plan),
                       kader_version_source="assessment")
    return Migration(source=assessment.file, old_version=old.version, new_version=new.version,
                     assessment=migrated, facts=tuple(outcomes), open_questions=open_questions,
                     actions=tuple(actions))


# ------------------------------------------------------------------ the new file -------------------
def migration_yaml(m: Migration) -> str:
    """The text of the migrated assessment: it loads with our loader and validates against the new
    version. A comment on top says where it came from and lists the open questions."""
    from .render.plan import _NoAliasDumper  # the dumper that round-trips with our loader

    a = m.assessment
    data: dict = {"kader": m.new_version, "peildatum": a.reference_date}
    data["team"] = {"id": a.team.id, "naam": a.team.name, "gemeente": a.team.municipality,
                    "organisatie": a.team.organisation, "taken": dict(a.team.tasks)}
    if a.filled_in_by:
        data["ingevuld_door"] = dict(a.filled_in_by)
    data["feiten"] = {path: _fact_yaml(f) for path, f in a.facts.items()}
    if a.plan:
        data["transformatieplan"] = [_action_yaml(x) for x in a.plan]
    lines = [f"# Gemigreerd van Kader {m.old_version} naar {m.new_version} uit {m.source} (kader migrate)."]
    reconfirm = [f.path for f in m.facts if f.outcome == "herbevestigen"]
    if reconfirm:
        lines.append("# Te herbevestigen (de vraag is veranderd; haal 'herbevestigen' weg na controle): "
                     + ", ".join(reconfirm) + ".")
    if m.open_questions:
        lines.append("# Open vragen in deze versie (nog onbekend):")
        lines += [f"#   {q.path}: {' '.join(q.question.split())}" for q in m.open_questions]
    body = yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
    return "\n".join(lines) + "\n" + body


def _fact_yaml(f: Fact):
    value = list(f.value) if isinstance(f.value, tuple) else f.value
    if f.note is None and f.evidence is None and not f.reconfirm and value is not None:
        return value
    out: dict = {}
    if value is not None:
        out["waarde"] = value
    if f.note is not None:
        out["toelichting"] = f.note
    if f.evidence is not None:
        out["bewijs"] = f.evidence
    if f.reconfirm:
        out["herbevestigen"] = True
    if not out:
        return None
    if "waarde" not in out and "toelichting" not in out:  # a value-less fact needs its toelichting
        out["toelichting"] = "Onbekend (overgenomen bij de migratie)."
    return out


def _action_yaml(a: PlanAction) -> dict:
    data: dict = {}
    if a.id:
        data["id"] = a.id
    data.update({"eis": a.requirement, "omschrijving": a.description, "eigenaar": a.owner,
                 "deadline": a.deadline, "status": a.status})
    if a.moved:
        data["deadline_verplaatst"] = [{"naar": m.to, **({"toelichting": m.note} if m.note else {})}
                                       for m in a.moved]
    if a.extra_budget is not None:
        data["extra_middelen_nodig"] = a.extra_budget
    if a.note:
        data["toelichting"] = a.note
    return data
