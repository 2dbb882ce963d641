"""The questionnaire as web form fields, and a posted form back into answers.

One field per question, its input chosen from the question type's traits (load/workbook.py
answer_kind, which the Excel questionnaire uses too): ja/nee radio buttons, a number with its unit, a
date, a select for a choice, checkboxes for several choices, a text area. Beside each: the
toelichting, the evidence and its date. The values posted go to editors/answersave.py as they were
typed ('12,5', '01-03-2024', 'ja'): the loader reads them with the Dutch input conventions and says
in Dutch what is wrong, exactly as for a YAML file.

Form names: `w:<vraag>` the answer (several for checkboxes, with the marker `m:<vraag>`), `t:<vraag>`
the toelichting, `b:<vraag>` the evidence, `d:<vraag>` the evidence's date.
"""

from __future__ import annotations

import datetime as dt

from kadertoets.editors.questionlist import by_theme, requirements_per_question
from kadertoets.evaluate.answerforms import type_phrase
from kadertoets.evaluate.questiontypes import NONE_CHOSEN, choice_labels
from kadertoets.infra.located import fmt_number
from kadertoets.infra.records import record
from kadertoets.load.workbook import answer_kind
from kadertoets.model import Assessment, Fact, Kader, Question

VALUE, NOTE, EVIDENCE, EVIDENCE_DATE, MULTI = "w:", "t:", "b:", "d:", "m:"
PARTS = {VALUE: "waarde", NOTE: "toelichting", EVIDENCE: "bewijs", EVIDENCE_DATE: "bewijs_datum"}


@record
class Field:
    """One question as the form shows it."""

    path: str
    question: Question
    kind: str  # flag, whole, number, date, choice, choices, text (load/workbook.py answer_kind)
    phrase: str  # what may be answered, in plain Dutch
    options: tuple[tuple[str, str], ...]  # (value, label) for a choice
    value: str  # the answer as the input shows it ('' unknown)
    chosen: tuple[str, ...]  # for several choices; NONE_CHOSEN for "none of these"
    note: str
    evidence: str
    evidence_date: str
    reconfirm: bool
    used_by: tuple[str, ...]
    problems: tuple[str, ...] = ()


def shown_value(value, kind: str) -> str:
    """A typed answer as its input shows it."""
    if value is None:
        return ""
    if kind == "flag":
        return "ja" if value is True else "nee" if value is False else str(value)
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value)
    return str(value)


def _field(q: Question, f: Fact | None, used_by: tuple[str, ...]) -> Field:
    kind = answer_kind(q)
    labels = choice_labels(q) or {}
    options = tuple((v, labels.get(v, v)) for v in q.values)
    value = None if f is None else f.value
    chosen: tuple[str, ...] = ()
    if kind == "choices" and value is not None:
        chosen = tuple(value) if value else (NONE_CHOSEN,)
    return Field(q.path, q, kind, type_phrase(q), options,
                 "" if kind == "choices" else shown_value(value, kind), chosen,
                 (f.note or "") if f else "", (f.evidence or "") if f else "",
                 f.evidence_date.isoformat() if f and f.evidence_date else "", bool(f and f.reconfirm),
                 used_by)


def grouped(kader: Kader, assessment: Assessment, overlay: dict | None = None,
            problems: dict | None = None) -> list[tuple[str, list[Field]]]:
    """Per theme, the fields of every question of the assessment's Kader version with its answers; with
    what a person typed put back (`overlay`, from posted_answers) and the problems per question, for a
    form shown again after a refused save."""
    from dataclasses import replace

    users = requirements_per_question(kader)
    out = []
    for theme, questions in by_theme(list(kader.questions.values())):
        fields = []
        for q in questions:
            f = _field(q, assessment.facts.get(q.path), tuple(users.get(q.path, ())))
            typed = (overlay or {}).get(f.path)
            if typed is not None:
                value = typed.get("waarde")
                if f.kind == "choices":
                    f = replace(f, chosen=tuple(value or ()) if value != [] else (NONE_CHOSEN,))
                else:
                    f = replace(f, value=value or "")
                f = replace(f, note=typed.get("toelichting") or "", evidence=typed.get("bewijs") or "",
                            evidence_date=typed.get("bewijs_datum") or "")
            if problems and f.path in problems:
                f = replace(f, problems=tuple(problems[f.path]))
            fields.append(f)
        out.append((theme, fields))
    return out


def posted_answers(form, kader: Kader) -> dict:
    """{question id: {part: text}} for every question of the Kader the form holds (a part left out of
    the form is left alone). Several choices come as a list; '(geen)' alone is 'none of these' ([])."""
    out: dict[str, dict] = {}
    for path, q in kader.questions.items():
        parts: dict = {}
        kind = answer_kind(q)
        if kind == "choices":
            if (MULTI + path) in form:
                chosen = [v for v in form.getlist(VALUE + path) if isinstance(v, str) and v][:len(q.values) + 1]
                parts["waarde"] = [] if chosen == [NONE_CHOSEN] else ([c for c in chosen if c != NONE_CHOSEN] or None)
        elif (VALUE + path) in form:
            parts["waarde"] = _text(form.get(VALUE + path))
        for prefix in (NOTE, EVIDENCE, EVIDENCE_DATE):
            if (prefix + path) in form:
                parts[PARTS[prefix]] = _text(form.get(prefix + path))
        if parts:
            out[path] = parts
    return out


def _text(value) -> str | None:
    """A posted text: line endings as the file writes them, trimmed; empty is None (onbekend)."""
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None
