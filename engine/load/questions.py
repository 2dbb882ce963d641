"""The questions of a Kader version: each fact an assessment can hold, declared once.

Loading the questions file and validating a fact's value against its question live here, so
assessments, rule examples (and later templates and migration) all derive from one declaration.
What each question type accepts is declared in its entry of evaluate/questiontypes.py.
"""

from __future__ import annotations

import re

from kadertoets.load import formats
from kadertoets.evaluate.questiontypes import NOT_SURE, QUESTION_TYPES, TYPES, listed, types_where
from kadertoets.infra.errors import KaderFout, excerpt
from kadertoets.model import REGION_PREFIX, Question
from kadertoets.infra.located import Node, allowed_hint, collect, hint_with
from kadertoets.infra.lintcodes import Code

# NOT_SURE is imported from here too (load/facts.py): quick_value's "let check_value decide".
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
MAX_WORDING = 120  # characters in a `kort` or a label: it stands in the middle of a sentence


def load_questions(root: Node) -> dict[str, Question]:
    """The questions about a team (`vragen`); load_region_questions gives those about the region."""
    root.mapping(required=formats.QUESTIONS_FILE.required, optional=formats.QUESTIONS_FILE.optional,
                 what="het vragenbestand")
    return _questions(root.child("vragen"), region=False)


def load_region_questions(root: Node) -> dict[str, Question]:
    """The questions about the region (`regio_vragen`, every path under regio.), answered in the
    regional file; empty when the questions file has none. Call after load_questions."""
    return _questions(root.child("regio_vragen"), region=True) if root.has("regio_vragen") else {}


def _questions(block: Node, region: bool) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    problems = []
    for path, node in block.mapping_any().items():
        q = collect(problems, _question, path, node, region)
        if q is not None:
            questions[path] = q
    if problems:
        raise KaderFout(problems)
    return questions


def _question(path, node: Node, region: bool = False) -> Question:
    if not isinstance(path, str) or not PATH_RE.match(path) or path.startswith("team."):
        raise node.fail(f"ongeldig vraagpad {excerpt(path)}",
                        "Gebruik kleine letters, cijfers en _ met punten ertussen, bv. veiligheid.aandachtsfunctionarissen "
                        "(team.* is gereserveerd).", code=Code.VALUE_NOT_ALLOWED)
    if path.startswith(REGION_PREFIX) != region:
        raise node.fail(f"vraagpad {excerpt(path)} hoort " + ("niet " if region else "") + "onder regio_vragen",
                        "Een vraag over de regio staat onder regio_vragen en begint met regio. (bv. "
                        "regio.escalatiemodel.status); een vraag over het team staat onder vragen en begint niet "
                        "met regio.", code=Code.VALUE_NOT_ALLOWED)
    node.mapping(required=formats.QUESTION.required, optional=formats.QUESTION.optional, what=f"vraag '{path}'")
    qtype = node.child("type").choice(TYPES)
    qt = QUESTION_TYPES[qtype]
    values: tuple[str, ...] = ()
    if qt.choices:
        if not node.has("waarden"):
            raise node.fail(f"vraag '{path}' van type {qtype} heeft 'waarden' nodig", code=Code.REQUIRED_MISSING)
        wn = node.child("waarden").sequence(min_items=1)
        values = tuple(e.text() for e in wn.elements())
        if len(set(values)) != len(values):
            raise wn.fail("waarden mogen niet dubbel voorkomen", code=Code.VALUE_NOT_ALLOWED)
    elif node.has("waarden"):
        raise node.child("waarden").fail(f"'waarden' hoort alleen bij {listed(types_where(lambda t: t.choices))}, "
                                         f"niet bij {qtype}", code=Code.UNKNOWN_KEY)
    minimum = maximum = None
    for key in ("minimum", "maximum"):
        if node.has(key):
            if not qt.numeric:
                raise node.child(key).fail(f"'{key}' hoort alleen bij getallen", code=Code.UNKNOWN_KEY)
            if key == "minimum":
                minimum = node.child(key).number()
            else:
                maximum = node.child(key).number()
    if minimum is not None and maximum is not None and minimum > maximum:
        raise node.child("maximum").fail(f"het maximum {maximum:g} is kleiner dan het minimum {minimum:g}: geen "
                                         "enkel antwoord is dan geldig", "Draai ze om of pas een van beide aan.",
                                         code=Code.VALUE_NOT_ALLOWED)
    return Question(
        path=path,
        type=qtype,
        question=node.child("vraag").text(),
        help=node.child("hulp").text() if node.has("hulp") else "",
        unit=node.child("eenheid").text() if node.has("eenheid") else None,
        values=values,
        minimum=minimum,
        maximum=maximum,
        theme=node.child("thema").text() if node.has("thema") else None,
        short=_wording(node.child("kort")) if node.has("kort") else "",
        labels=_labels(node.child("labels"), path, qtype, values) if node.has("labels") else (),
        file=node.file,
        line=node.line,
    )


def label_keys(qtype: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """The answers a question's `labels:` names: its `waarden` for a choice, "ja" and "nee" for a
    yes/no question; () when its answers are not labelled (numbers, dates, text)."""
    qt = QUESTION_TYPES[qtype]
    if qt.choices:
        return values
    if qt.witness == "booleans":  # the yes/no type: the only one with two fixed answers
        return ("ja", "nee")
    return ()


def _wording(node: Node) -> str:
    """A `kort` or a label: text on one line, at most MAX_WORDING characters (it stands in sentences)."""
    text = node.name()
    if len(text) > MAX_WORDING:
        raise node.fail(f"{excerpt(text)} is langer dan {MAX_WORDING} tekens; deze tekst staat midden in een zin",
                        "Houd het kort: een paar woorden.", code=Code.VALUE_NOT_ALLOWED)
    return " ".join(text.split())


def _labels(node: Node, path: str, qtype: str, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    keys = label_keys(qtype, values)
    if not keys:
        raise node.fail(f"'labels' hoort niet bij vraag '{path}' van type {qtype}: alleen antwoorden uit een "
                        "vaste lijst (keuze, meerkeuze, ja_nee) krijgen een label",
                        "Haal 'labels' weg; gebruik 'kort' en 'eenheid' voor getallen en datums.", code=Code.UNKNOWN_KEY)
    node.mapping_any()
    labels = []
    for key, child in node.items():
        if key not in keys:
            raise child.fail(f"label voor {excerpt(key)}, maar dat is geen waarde van vraag '{path}'",
                             allowed_hint(key, keys), code=Code.VALUE_NOT_ALLOWED)
        labels.append((key, _wording(child)))
    missing = [k for k in keys if k not in dict(labels)]
    if missing:
        raise node.fail(f"geen label voor {', '.join(missing)}: geef elke waarde van vraag '{path}' een label, "
                        "of geen enkele", f"Voeg toe: {missing[0]}: \"...\".", code=Code.REQUIRED_MISSING)
    return tuple(sorted(labels, key=lambda kv: keys.index(kv[0])))


def check_value(node: Node, q: Question):
    """Validate an answer against its question; returns the normalised value (lists as tuples)."""
    qt = QUESTION_TYPES.get(q.type)
    if qt is None:
        raise AssertionError(q.type)
    return qt.check(node, q)


def quick_value(v, q: Question):
    """check_value for a plain, valid answer without building error context (thousands of files in a
    sweep): the same normalised value, or NOT_SURE, and then check_value decides and words the error."""
    qt = QUESTION_TYPES.get(q.type)
    return NOT_SURE if qt is None else qt.quick(v, q)


def unknown_field(node: Node, path, questions: dict) -> KaderFout:
    if isinstance(path, str) and path.startswith(REGION_PREFIX) != any(p.startswith(REGION_PREFIX) for p in questions):
        if path.startswith(REGION_PREFIX):
            return node.fail(f"{excerpt(path)} is een feit over de regio; dat staat niet in het assessment van een team",
                             "Zet de stand van de regionale producten in het regiobestand (assessments/regio-….yaml, "
                             "met een blok regio: in plaats van team:) en haal het hier weg.", code=Code.UNDECLARED_FIELD)
        return node.fail(f"{excerpt(path)} is een feit over een team; het regiobestand noemt alleen feiten over de regio",
                         "Zet dit feit in het assessment van het team; hier horen alleen vragen die met regio. beginnen.",
                         code=Code.UNDECLARED_FIELD)
    return node.fail(
        f"onbekend feit {excerpt(path)}: deze vraag bestaat niet in deze Kaderversie",
        hint_with(path, questions, "Zie 'kader rules' en het vragenbestand voor de geldige velden."), code=Code.UNDECLARED_FIELD
    )
