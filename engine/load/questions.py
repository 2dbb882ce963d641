"""The questions of a Kader version: each fact an assessment can hold, declared once.

Loading the questions file and validating a fact's value against its question live here, so
assessments, rule examples (and later templates and migration) all derive from one declaration.
"""

from __future__ import annotations

import datetime as dt
import re

from kadertoets.infra.errors import KaderFout, excerpt
from kadertoets.model import Question
from kadertoets.infra.located import MAX_NUMBER, Node, allowed_hint, collect, describe_value, hint_with
from kadertoets.infra.lintcodes import Code

TYPES = ("ja_nee", "geheel_getal", "getal", "tekst", "datum", "keuze", "meerkeuze")
TYPE_LABEL = {
    "ja_nee": "ja/nee (true/false)",
    "geheel_getal": "geheel getal",
    "getal": "getal",
    "tekst": "tekst",
    "datum": "datum (JJJJ-MM-DD)",
    "keuze": "keuze",
    "meerkeuze": "meerkeuze (lijst)",
}
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
QUESTION_KEYS = ("type", "vraag", "hulp", "eenheid", "waarden", "minimum", "maximum", "thema")


def load_questions(root: Node) -> dict[str, Question]:
    root.mapping(required=("vragen",), what="het vragenbestand")
    vragen = root.child("vragen").mapping_any()
    questions: dict[str, Question] = {}
    problems = []
    for path, node in vragen.items():
        q = collect(problems, _question, path, node)
        if q is not None:
            questions[path] = q
    if problems:
        raise KaderFout(problems)
    return questions


def _question(path, node: Node) -> Question:
    if not isinstance(path, str) or not PATH_RE.match(path) or path.startswith("team."):
        raise node.fail(f"ongeldig vraagpad {excerpt(path)}",
                        "Gebruik kleine letters, cijfers en _ met punten ertussen, bv. veiligheid.aandachtsfunctionarissen "
                        "(team.* is gereserveerd).", code=Code.VALUE_NOT_ALLOWED)
    node.mapping(required=("type", "vraag"), optional=QUESTION_KEYS[2:], what=f"vraag '{path}'")
    qtype = node.child("type").choice(TYPES)
    values: tuple[str, ...] = ()
    if qtype in ("keuze", "meerkeuze"):
        if not node.has("waarden"):
            raise node.fail(f"vraag '{path}' van type {qtype} heeft 'waarden' nodig", code=Code.REQUIRED_MISSING)
        wn = node.child("waarden").sequence(min_items=1)
        values = tuple(e.text() for e in wn.elements())
        if len(set(values)) != len(values):
            raise wn.fail("waarden mogen niet dubbel voorkomen", code=Code.VALUE_NOT_ALLOWED)
    elif node.has("waarden"):
        raise node.child("waarden").fail(f"'waarden' hoort alleen bij keuze en meerkeuze, niet bij {qtype}", code=Code.UNKNOWN_KEY)
    minimum = maximum = None
    for key in ("minimum", "maximum"):
        if node.has(key):
            if qtype not in ("geheel_getal", "getal"):
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
    )


def check_value(node: Node, q: Question):
    """Validate an answer against its question; returns the normalised value (lists as tuples)."""
    v = node.value
    t = q.type
    if t == "ja_nee":
        if not isinstance(v, bool):
            hint = "Schrijf true of false (zonder aanhalingstekens)."
            raise node.fail(f"verwacht ja/nee (true of false), maar vond {describe_value(v)}", hint, code=Code.WRONG_TYPE)
        return v
    if t in ("geheel_getal", "getal"):
        if t == "geheel_getal":
            value = node.integer()
        else:
            value = node.number()
        if q.minimum is not None and value < q.minimum:
            raise node.fail(f"waarde {value} is kleiner dan het minimum {q.minimum:g}", code=Code.VALUE_NOT_ALLOWED)
        if q.maximum is not None and value > q.maximum:
            raise node.fail(f"waarde {value} is groter dan het maximum {q.maximum:g}", code=Code.VALUE_NOT_ALLOWED)
        return value
    if t == "tekst":
        return node.text()
    if t == "datum":
        return node.date()
    if t == "keuze":
        if not isinstance(v, str) or v not in q.values:
            raise node.fail(f"waarde {describe_value(v)} is niet toegestaan",
                            allowed_hint(v, q.values), code=Code.VALUE_NOT_ALLOWED)
        return v
    if t == "meerkeuze":
        node.sequence()
        out = []
        for e in node.elements():
            if not isinstance(e.value, str) or e.value not in q.values:
                raise e.fail(f"waarde {describe_value(e.value)} is niet toegestaan",
                             allowed_hint(e.value, q.values), code=Code.VALUE_NOT_ALLOWED)
            if e.value in out:
                raise e.fail(f"waarde {excerpt(e.value)} staat dubbel in de lijst", code=Code.VALUE_NOT_ALLOWED)
            out.append(e.value)
        return tuple(sorted(out))
    raise AssertionError(t)


NOT_SURE = object()


def quick_value(v, q: Question):
    """check_value for a plain, valid answer without building error context (thousands of files in a
    sweep): the same normalised value, or NOT_SURE, and then check_value decides and words the error."""
    t = q.type
    cls = v.__class__
    if t == "ja_nee":
        return v if cls is bool else NOT_SURE
    if t == "keuze":
        return v if cls is str and v in q.values else NOT_SURE
    if t == "tekst":
        return v if cls is str and v.strip() else NOT_SURE
    if t == "geheel_getal" or t == "getal":
        if not (cls is int or (cls is float and t == "getal" and v == v and abs(v) != float("inf"))):
            return NOT_SURE
        if abs(v) > MAX_NUMBER or (q.minimum is not None and v < q.minimum) or \
                (q.maximum is not None and v > q.maximum):
            return NOT_SURE
        return v
    if t == "datum":
        return v if cls is dt.date else NOT_SURE
    if t == "meerkeuze":
        if not isinstance(v, list) or not all(e.__class__ is str and e in q.values for e in v) or \
                len(set(v)) != len(v):
            return NOT_SURE
        return tuple(sorted(v))
    return NOT_SURE


def unknown_field(node: Node, path, questions: dict) -> KaderFout:
    return node.fail(
        f"onbekend feit {excerpt(path)}: deze vraag bestaat niet in deze Kaderversie",
        hint_with(path, questions, "Zie 'kader rules' en het vragenbestand voor de geldige velden."), code=Code.UNDECLARED_FIELD
    )
