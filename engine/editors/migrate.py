"""Migrating an assessment to another Kader version: carry the team's answers over, say what
happened to every fact and action, and write the new assessment file's text.

Pure: (Assessment validated against OLD, OLD, NEW) -> Migration. Per fact:
- its question is unchanged in NEW (type, question text, unit, allowed values, bounds): `overgenomen`;
- its question changed, and the value is still valid: carried over and marked `herbevestigen`;
- its question changed and the value is no longer valid: `ongeldig`, left out and listed (and the
  question is open again);
- its question no longer exists: `vervallen`, left out and listed.
Questions that are new in NEW are listed as open (the new file leaves them out: `onbekend`).
Transformatieplan actions follow their requirement (`follow_requirement`), in both directions:
kept when the id still exists; else moved to the rule of NEW that names it in `voorheen` (forward),
or to the ids that its rule in OLD names in `voorheen` (backward, to an older version); a split
moves the action to the first successor and names the others, a merge is marked as one. An action
whose requirement has no successor is left out and listed. An afwijking follows its requirement the
same way when that leads to exactly one requirement of NEW that has no afwijking yet, and NEW allows
its validity (`afwijkingen.max_geldigheid_maanden`); otherwise it is left out and listed, since an
approval for one requirement is not an approval for another. Migrating to the same version changes
nothing.

The new file's comment block keeps what was left out (old value, reason, toelichting, bewijs; the
left-out actions in full), so the team's evidence survives the migration; every text in it is
written so that it cannot end the comment (each line of a text gets its own '#').
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from kadertoets.infra import yamlwrite

from kadertoets.infra.errors import KaderFout, display_path
from kadertoets.infra.exitcodes import ExitCode
from kadertoets.evaluate.operators import months_before
from kadertoets.model import ApprovedException, Assessment, Fact, Kader, PlanAction, Question
from kadertoets.load import formats
from kadertoets.load.questions import check_value
from kadertoets.infra.located import Node
from kadertoets.infra.records import record

FACT_OUTCOMES = ("overgenomen", "herbevestigen", "ongeldig", "vervallen")
ACTION_OUTCOMES = ("overgenomen", "hernoemd", "gesplitst", "samengevoegd", "vervallen")
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
    "samengevoegd": "overgenomen onder de eis waarin deze eis met andere is samengevoegd",
    "vervallen": "weggelaten: de eis bestaat niet meer en heeft geen opvolger",
}


@record
class FactOutcome:
    path: str
    outcome: str  # FACT_OUTCOMES
    value: object
    detail: str = ""  # what changed in the question, or why the value no longer fits
    note: str | None = None  # the fact's toelichting (kept here for a fact that is left out)
    evidence: str | None = None  # the fact's bewijs


@record
class ActionOutcome:
    requirement: str  # the id in the old version
    new_requirement: str | None
    outcome: str  # ACTION_OUTCOMES
    description: str
    others: tuple[str, ...] = ()  # for a split: the other successors
    merged_with: tuple[str, ...] = ()  # for a merge: the other ids of the old version in the same requirement
    action: PlanAction | None = None  # the action as it was in the old file


@record
class Migration:
    source: str  # the file migrated (as shown)
    old_version: str
    new_version: str
    assessment: Assessment  # the migrated assessment, valid against the new version
    facts: tuple[FactOutcome, ...]
    open_questions: tuple[Question, ...]  # new in this version
    actions: tuple[ActionOutcome, ...]
    answer_again: tuple[Question, ...] = ()  # changed questions whose old answer no longer fits ('ongeldig')
    exceptions_dropped: tuple[tuple[ApprovedException, str], ...] = ()  # afwijkingen left out, and why (Dutch)

    @property
    def needs_attention(self) -> bool:
        """Something for the team to do: facts to reconfirm or left out, actions or afwijkingen left out."""
        return any(f.outcome != "overgenomen" for f in self.facts) or \
            any(a.outcome == "vervallen" for a in self.actions) or bool(self.exceptions_dropped)

    @property
    def exit_code(self) -> int:
        """The exit code of `kader migrate` (kadertoets.infra.exitcodes): 0 when everything was carried
        over, 1 when something needs the team's attention (needs_attention)."""
        return ExitCode.GAPS if self.needs_attention else ExitCode.OK


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


def follow_requirement(rule_id: str, old: Kader, new: Kader) -> tuple[str, ...]:
    """The requirements of NEW that continue `rule_id` of OLD, in both directions (empty: none).

    - the id itself when NEW still has it;
    - forward: the rules of NEW that name it in `voorheen` (one: renamed; several: split);
    - backward (NEW is older): the ids that its rule in OLD names in `voorheen` and that NEW has
      (one: renamed; several: the merge of those, so backwards a split);
    - over several versions: the rules of NEW that continue an id the rule in OLD itself continues
      (1.1 renamed A to B with `voorheen: [A]`, 1.2 names A in `voorheen`: B -> the 1.2 rule).
    A chain through a version that is neither OLD nor NEW (1.1 renamed A to B, 1.2 renamed B to C
    naming only B) cannot be followed from OLD and NEW alone: a rule that lists every earlier id in
    `voorheen` is followed over any number of versions."""
    forward = new.successors(rule_id)
    if forward:
        return forward
    rule = old.rules.get(rule_id)
    earlier = rule.previous_ids if rule is not None else ()
    backward = tuple(n for n in earlier if n in new.rules)
    if backward:
        return backward
    return tuple(dict.fromkeys(s for e in earlier for s in new.successors(e)))


def migrate(assessment: Assessment, old: Kader, new: Kader) -> Migration:
    """Carry `assessment` (validated against `old`) over to `new`."""
    facts: dict[str, Fact] = {}
    outcomes = []
    answer_again = []
    for path, fact in assessment.facts.items():
        q_new = new.questions.get(path)
        if q_new is None:
            outcomes.append(FactOutcome(path, "vervallen", fact.value, note=fact.note, evidence=fact.evidence))
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
            outcomes.append(FactOutcome(path, "ongeldig", fact.value, f"{detail}; {why}", fact.note, fact.evidence))
            answer_again.append(q_new)
    open_questions = tuple(q for p, q in new.questions.items() if p not in old.questions)
    targets = {rid: follow_requirement(rid, old, new) for rid in old.rules}
    plan = []
    actions = []
    for action in assessment.plan:
        rid = action.requirement
        successors = targets.get(rid) or follow_requirement(rid, old, new)
        if not successors:
            actions.append(ActionOutcome(rid, None, "vervallen", action.description, action=action))
            continue
        target = successors[0]
        merged = tuple(o for o, ts in targets.items() if o != rid and ts and ts[0] == target)
        if target == rid:
            outcome, merged = "overgenomen", ()
        elif len(successors) > 1:
            outcome = "gesplitst"
        else:
            outcome = "samengevoegd" if merged else "hernoemd"
        actions.append(ActionOutcome(rid, target, outcome, action.description, successors[1:], merged, action))
        plan.append(replace(action, requirement=target))
    exceptions, dropped = _migrated_exceptions(assessment.exceptions, old, new)
    migrated = replace(assessment, kader_version=new.version, facts=facts, plan=tuple(plan),
                       kader_version_source="assessment", exceptions=exceptions)
    return Migration(source=assessment.file, old_version=old.version, new_version=new.version,
                     assessment=migrated, facts=tuple(outcomes), open_questions=open_questions,
                     actions=tuple(actions), answer_again=tuple(answer_again), exceptions_dropped=dropped)


def _migrated_exceptions(exceptions, old: Kader, new: Kader):
    """The afwijkingen that carry over to NEW (their eis followed), and those left out with the reason."""
    kept: list[ApprovedException] = []
    dropped: list[tuple[ApprovedException, str]] = []
    limit = new.exception_max_months
    for e in exceptions:
        successors = follow_requirement(e.requirement, old, new)
        if limit is None:
            dropped.append((e, f"Kader {new.version} staat geen afwijkingen toe"))
        elif len(successors) != 1:
            dropped.append((e, "de eis bestaat niet meer" if not successors else
                            f"de eis is gesplitst in {', '.join(successors)}; vraag per eis een nieuwe goedkeuring"))
        elif any(k.requirement == successors[0] for k in kept):
            dropped.append((e, f"eis {successors[0]} heeft al een afwijking (de eisen zijn samengevoegd)"))
        elif e.date < months_before(e.valid_until, limit):
            dropped.append((e, f"de afwijking geldt langer dan de {limit} maanden die Kader {new.version} toestaat"))
        else:
            kept.append(replace(e, requirement=successors[0]))
    return tuple(kept), tuple(dropped)


# ------------------------------------------------------------------ the new file -------------------
# What may stand in a YAML comment: libyaml refuses control characters anywhere in a stream, and
# \r, \n, U+0085, U+2028 and U+2029 end a comment. Everything else outside this set is written as
# an escape (\u0001), so no text from a file can end the comment or make the new file unreadable.
_COMMENT_SAFE = re.compile("[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what ends a line (and a comment) in YAML


def escape_comment(text: str) -> str:
    return _COMMENT_SAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _inline(value) -> str:
    """A value or text on one comment line: every line break and control character escaped."""
    return escape_comment(_shown(value))


def _shown(value) -> str:
    from kadertoets.evaluate.conditions import fmt_value

    if value is None:
        return "(geen)"
    return fmt_value(list(value) if isinstance(value, tuple) else value)


def _field(label: str, value, indent: str = "#     ") -> list[str]:
    """`label: value` as comment lines: a text of several lines gets one comment line per line, each
    continued with '|' (a line of the text can never be read as YAML, nor as a modeline)."""
    parts = _YAML_BREAK.split(_shown(value))
    out = [f"{indent}{label}: {escape_comment(parts[0])}".rstrip()]
    out += [f"{indent}  | {escape_comment(p)}".rstrip() for p in parts[1:]]
    return out


def migration_yaml(m: Migration, *, source_path: str | Path | None = None,
                   output_path: str | Path | None = None, source_text: str | None = None) -> str:
    """The text of the migrated assessment: it loads with our loader and validates against the new
    version. A comment on top says where it came from, lists the open questions and keeps what was
    left out (facts with their value, toelichting and bewijs; actions in full).

    With `source_path` (the original file; only read) or `source_text`, a yaml-language-server
    schema line on top of the original is carried over, pointing at the schema of the new version;
    `output_path` (where the new file goes) makes a relative schema path right for the new file's
    folder (without it, the new file is taken to be in the original's folder)."""
    data = assessment_blocks(m.assessment, version=m.new_version)
    lines = _schema_lines(m, source_path, output_path, source_text)
    lines.append(f"# Gemigreerd van Kader {m.old_version} naar {m.new_version} uit {_inline(m.source)} "
                 "(kader migrate).")
    reconfirm = [f.path for f in m.facts if f.outcome == "herbevestigen"]
    if reconfirm:
        lines.append("# Te herbevestigen (de vraag is veranderd; haal 'herbevestigen' weg na controle): "
                     + ", ".join(reconfirm) + ".")
    if m.open_questions or m.answer_again:
        lines.append("# Open vragen in deze versie (nog onbekend):")
        lines += [f"#   {q.path}: {_inline(' '.join(q.question.split()))}" for q in m.open_questions]
        lines += [f"#   {q.path}: {_inline(' '.join(q.question.split()))} (opnieuw te beantwoorden: de vraag "
                  "is veranderd en het oude antwoord past niet meer)" for q in m.answer_again]
    left_out = [f for f in m.facts if f.outcome in ("ongeldig", "vervallen")]
    if left_out:
        lines.append("# Weggelaten feiten (ter naslag; ze staan niet meer in het bestand):")
        for f in left_out:
            lines.append(f"#   - {f.path}")
            lines += _field("oude waarde", f.value)
            lines += _field("reden", FACT_OUTCOME_LABEL[f.outcome] + (f" ({f.detail})" if f.detail else ""))
            if f.note is not None:
                lines += _field("toelichting", f.note)
            if f.evidence is not None:
                lines += _field("bewijs", f.evidence)
    dropped = [x for x in m.actions if x.outcome == "vervallen"]
    if dropped:
        lines.append("# Weggelaten acties (de eis bestaat niet meer en heeft geen opvolger; ter naslag):")
        for x in dropped:
            act = x.action
            lines.append(f"#   - eis: {_inline(x.requirement)}")
            if act is not None and act.id:
                lines += _field("id", act.id)
            lines += _field("omschrijving", x.description)
            if act is not None:
                lines += _field("eigenaar", act.owner)
                lines += _field("deadline", act.deadline)
                for moved in act.moved:
                    lines += _field("deadline verplaatst naar", moved.to)
                    if moved.note:
                        lines += _field("  toelichting", moved.note)
                lines += _field("status", act.status)
                if act.extra_budget is not None:
                    lines += _field("extra middelen nodig", act.extra_budget)
                if act.note:
                    lines += _field("toelichting", act.note)
    if m.exceptions_dropped:
        lines.append("# Weggelaten afwijkingen (ter naslag; vraag zo nodig een nieuwe goedkeuring):")
        for e, why in m.exceptions_dropped:
            lines.append(f"#   - eis: {_inline(e.requirement)}")
            lines += _field("reden van weglaten", why)
            lines += _field("reden", e.reason)
            lines += _field("goedgekeurd door", f"{e.approver.name} ({e.approver.role})")
            lines += _field("datum", e.date)
            lines += _field("geldig tot", e.valid_until)
    body = yamlwrite.dump(data)
    return "\n".join(lines) + "\n" + body


def _schema_lines(m: Migration, source_path, output_path, source_text) -> list[str]:
    """The schema line for the new file (and a note when the schema needs doing), or nothing when
    the original had none."""
    from kadertoets.editors.jsonschema import header_line, modeline_target, retarget_schema

    if source_text is None and source_path is not None:
        try:
            with open(source_path, encoding="utf-8-sig") as fh:
                source_text = fh.read(64 * 1024)  # the comment block on top is enough
        except (OSError, UnicodeDecodeError):
            source_text = None
    target = modeline_target(source_text) if source_text else None
    if target is None:
        return []
    source_dir = Path(source_path).parent if source_path is not None else Path(".")
    output_dir = Path(output_path).parent if output_path is not None else source_dir
    new_target, renamed, local = retarget_schema(target, m.new_version, source_dir, output_dir)
    try:
        lines = [header_line(new_target)]
    except ValueError:
        return []
    if not renamed:
        lines.append(f"# Het schema hierboven is overgenomen uit het oude bestand; het hoort mogelijk bij "
                     f"Kader {m.old_version}. 'kader schema --kader {m.new_version} -o MAP' schrijft "
                     f"assessment-{m.new_version}.schema.json.")
    elif local is not None and not local.is_file():
        folder = _inline(display_path(local.parent))
        lines.append(f"# Het schema {_inline(local.name)} staat nog niet in {folder}: maak het met "
                     f"'kader schema --kader {m.new_version} -o {folder}' (met --overschrijf als de andere schema's "
                     "daar al staan).")
    return lines


def assessment_blocks(a: Assessment, version: str | None = None, keep_empty: bool = True) -> dict:
    """The assessment as plain YAML data: kader (`version`, default its own), peildatum, team,
    ingevuld_door, feiten and transformatieplan, in the declared order of load/formats.py. Facts with
    nothing in them are kept as empty entries, or left out (`keep_empty=False`: unknown either way)."""
    facts = {path: fact_yaml(f) for path, f in a.facts.items()}
    values: dict = {
        "kader": version or a.kader_version, "peildatum": a.reference_date,
        "team": formats.TEAM.write(id=a.team.id, naam=a.team.name, gemeente=a.team.municipality,
                                   organisatie=a.team.organisation, taken=dict(a.team.tasks)),
        "feiten": facts if keep_empty else {path: value for path, value in facts.items() if value is not None},
    }
    if a.filled_in_by:
        values["ingevuld_door"] = formats.FILLED_IN.write(**a.filled_in_by)
    if a.plan:
        values["transformatieplan"] = [action_yaml(x) for x in a.plan]
    if a.exceptions:
        values["afwijkingen"] = [exception_yaml(e) for e in a.exceptions]
    return formats.ASSESSMENT.write(**values)


def exception_yaml(e: ApprovedException) -> dict:
    """One afwijking as the YAML writers write it, in the declared order."""
    return formats.EXCEPTION.write(eis=e.requirement, reden=e.reason,
                                   goedgekeurd_door=formats.APPROVER.write(rol=e.approver.role, naam=e.approver.name),
                                   datum=e.date, geldig_tot=e.valid_until)


def fact_long(f: Fact | None) -> dict:
    """A fact in the long form, always with `waarde:` (empty: onbekend), as `kader nieuw` writes it."""
    if f is None:
        return formats.FACT.write(waarde=None)
    values: dict = {"waarde": list(f.value) if isinstance(f.value, tuple) else f.value}
    if f.note is not None:
        values["toelichting"] = f.note
    if f.evidence is not None:
        values["bewijs"] = f.evidence
    if f.evidence_date is not None:
        values["bewijs_datum"] = f.evidence_date
    if f.evidence_document is not None:
        values["bewijs_document"] = f.evidence_document
    if f.reconfirm:
        values["herbevestigen"] = True
    return formats.FACT.write(**values)


def fact_yaml(f: Fact):
    """A fact in its shortest form: the bare value when there is nothing else, else the long form
    without an empty `waarde:`; None for a fact with nothing in it."""
    long = fact_long(f)
    if long.keys() == {"waarde"}:
        return long["waarde"]
    out = {k: v for k, v in long.items() if not (k == "waarde" and v is None)}
    if not out:
        return None
    if "waarde" not in out and "toelichting" not in out:  # a value-less fact needs its toelichting
        out["toelichting"] = "Onbekend (overgenomen bij de migratie)."
    return formats.FACT.write(**out)


def action_yaml(a: PlanAction) -> dict:
    return formats.plan_action_yaml(id=a.id, requirement=a.requirement, description=a.description, owner=a.owner,
                                    deadline=a.deadline, status=a.status, moved=[(m.to, m.note) for m in a.moved],
                                    extra_budget=a.extra_budget, note=a.note)
