"""What a person may write as the answer to a question, per question type, in plain Dutch.

Used for the comment above each question in the file `kader nieuw` writes, and for the type column
of `kader vragen` (which never shows a raw type code like `geheel_getal`). Keyed by the type names of
the registry (evaluate/questiontypes.py; tests/test_nieuw.py holds the keys equal to it), so that
these texts can move into the registry entries without changing their callers.

The spellings named here (ja/nee, a decimal comma, 85%, dd-mm-jjjj) are the Dutch conventions of
issue 11 that the loader accepts next to the YAML spellings (true/false, 0.5, 2024-03-01).
"""

from __future__ import annotations

from kadertoets.evaluate.questiontypes import QUESTION_TYPES, choice_labels, is_percentage
from kadertoets.model import Question
from kadertoets.infra.records import record


@record
class AnswerForm:
    """One question type as a person reads it."""

    plain: str  # the type in plain Dutch: "ja/nee", "geheel getal"
    how: str  # what may be written, one sentence with an example


ANSWER_FORMS: dict[str, AnswerForm] = {
    "ja_nee": AnswerForm("ja/nee", "Schrijf ja of nee."),
    "geheel_getal": AnswerForm("geheel getal", "Schrijf een geheel getal zonder punt, bv. 1250."),
    "getal": AnswerForm("getal", "Schrijf een getal; decimalen mogen met een komma, bv. 0,5."),
    "tekst": AnswerForm("tekst", 'Schrijf de tekst tussen aanhalingstekens, bv. "Elke week overleg".'),
    "datum": AnswerForm("datum", "Schrijf de datum als dd-mm-jjjj, bv. 01-03-2024."),
    "keuze": AnswerForm("keuze", "Schrijf precies één van de toegestane waarden (of de omschrijving erachter)."),
    "meerkeuze": AnswerForm("meerkeuze", "Schrijf een lijst van een of meer toegestane waarden tussen [ ], "
                                         "gescheiden door komma's."),
}



def number_text(value) -> str:
    """A bound as a Dutch reader writes it: 0, 2,5 (decimal comma), no exponent."""
    if value == int(value):
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def bounds_text(q: Question) -> str:
    """'minimaal 0', 'maximaal 100', 'van 0 tot en met 100', or ''."""
    if q.minimum is not None and q.maximum is not None:
        return f"van {number_text(q.minimum)} tot en met {number_text(q.maximum)}"
    if q.minimum is not None:
        return f"minimaal {number_text(q.minimum)}"
    if q.maximum is not None:
        return f"maximaal {number_text(q.maximum)}"
    return ""


def type_phrase(q: Question) -> str:
    """The kind of answer in plain Dutch, with unit, bounds and allowed values: 'geheel getal
    (inwoners), minimaal 0', 'keuze uit: ja, deels, nee', 'ja/nee'. Texts from the Kader are not
    cleaned here: the caller shows them safely."""
    form = ANSWER_FORMS[q.type]
    text = form.plain
    if q.values:
        labels = choice_labels(q) or {}
        return f"{text} uit: " + ", ".join(f"{v} ({labels[v]})" if v in labels and labels[v] != v else v
                                          for v in q.values)
    if q.unit:
        text += f" ({q.unit})"
    bounds = bounds_text(q)
    return f"{text}, {bounds}" if bounds else text


def how_to_answer(q: Question) -> str:
    """What may be written, for the comment above the question: the type's sentence, plus the
    percent sign for a percentage and an example from the question's own values for a choice."""
    form = ANSWER_FORMS[q.type]
    text = form.how
    if is_percentage(q):
        text += " Een percentage mag met %, bv. 85%."
    if q.values:
        example = ", ".join(q.values[:2])
        multiple = QUESTION_TYPES[q.type].multiple
        text += f" Bijvoorbeeld: [{example}]." if multiple else f" Bijvoorbeeld: {q.values[0]}."
    return text
