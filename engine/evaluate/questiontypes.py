"""The question types of the Kader (ja_nee, geheel_getal, ...): one registry, one entry per type.

Everything the engine knows about a type sits in its entry, so adding a type touches one place:

- its Dutch label (schema hover texts);
- how an answer is checked and normalised (load/questions.py, and through it load/facts.py and
  migration), and the fast path for a plainly valid answer in a large sweep;
- how a comparison value in a condition is typed (evaluate/conditions.py through operators.py);
- its JSON-schema fragments: an answer, a comparison value, and the widest value when the field is
  unknown (editors/jsonschema.py);
- how the durable backend encodes its values, and the placeholder for an absent one
  (evaluate/backends/durable.py);
- how the norm check picks one answer per class of answers (validate/normcheck.py);
- its traits (numeric, ordered, choices, ...), from which the loader decides which keys a question
  may have and operators.py decides which operators fit it.

The consumers name the strategies they implement ('double', 'subsets', ...), never a type.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from kadertoets.evaluate import schemaparts as sp
from kadertoets.infra.errors import excerpt
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import MAX_NUMBER, Node, allowed_hint, describe_value, fmt_number
from kadertoets.model import Question
from kadertoets.infra.records import record

NOT_SURE = object()  # `quick` could not decide: the full check decides, and words any error

# How the durable backend encodes a value (evaluate/backends/durable.py):
DURABLE_ENCODINGS = ("flag", "double", "hex", "iso", "members")
# How the norm check picks one answer per class (validate/normcheck.py):
WITNESS_STRATEGIES = ("booleans", "integers", "reals", "texts", "days", "choices", "subsets")


@record
class QuestionType:
    """One question type. The callables take the Question for its values and bounds."""

    name: str  # the YAML value of a question's `type:`
    label: str  # Dutch, for hover texts: "ja/nee (true/false)"
    check: Callable[[Node, Question], object]  # an answer validated and normalised (a Dutch error otherwise)
    quick: Callable[[object, Question], object]  # a plain answer normalised without a Node, or NOT_SURE
    constant: Callable[[Node, Question], object]  # a value a condition compares the field with (is, in, bevat)
    answer_schema: Callable[[Question], dict]  # JSON schema of an answer
    constant_schema: Callable[[tuple], dict]  # JSON schema of a comparison value, given the question's values
    generic_schema: Callable[[], dict]  # JSON schema of a comparison value when the field is not known
    durable: str  # one of DURABLE_ENCODINGS
    durable_placeholder: str | None  # JSON text for an absent value (never decisive); None: no scalar value
    witness: str  # one of WITNESS_STRATEGIES
    numeric: bool = False  # a number: the question may have minimum and maximum
    ordered: bool = False  # answers have an order: min, max, groter_dan, kleiner_dan
    choices: bool = False  # answers come from the question's `waarden` (required)
    multiple: bool = False  # the answer is a list of choices, not one value
    listable: bool = False  # in / niet_in: the answer is one of a list of values
    calendar: bool = False  # a date: binnen_maanden
    # a threshold of an ordering operator (min, max, ...) and its JSON schema, when it is typed
    # otherwise than a compared value (None: the same as `constant` / `constant_schema`)
    bound: Callable[[Node, Question], object] | None = None
    bound_schema: Callable[[tuple], dict] | None = None

    @property
    def scalar(self) -> bool:
        """The answer is one value (is / is_niet compare it)."""
        return not self.multiple

    def read_bound(self, node: Node, q: Question):
        return (self.bound or self.constant)(node, q)

    def threshold_schema(self, values: tuple) -> dict:
        return (self.bound_schema or self.constant_schema)(values)


# ---------------------------------------------------------------- labels -----------------------
LIST_SEPARATOR = ";"  # several choices in one cell of a questionnaire: "a; b"
NONE_CHOSEN = "(geen)"  # none of the choices (an empty list), which is not the same as unknown


def choice_labels(q: Question) -> dict | None:
    """{value: label} for the dropdown of a choice question: what a person picks instead of the code
    (`labels:` in the vragen file, "een eigen Excelbestand" for `excel`). None when the labels cannot
    stand for the values one to one (missing, empty, the same twice, another value's code, or holding
    the separator of several choices): then the codes themselves are shown."""
    labels = dict(q.labels)
    if not labels or set(labels) != set(q.values):
        return None
    shown = [labels[v].strip() for v in q.values]
    folded = [x.casefold() for x in shown]
    codes = {v.casefold(): v for v in q.values}
    if not all(shown) or len(set(folded)) != len(folded) or any(LIST_SEPARATOR in x for x in shown) \
            or NONE_CHOSEN in folded or any(codes.get(f, v) != v for f, v in zip(folded, q.values)):
        return None
    return dict(zip(q.values, shown))


def from_label(text, q: Question):
    """The value behind a label a person wrote or picked ("een eigen Excelbestand" for excel); any
    other text as it is (a value written as its code is itself; the check refuses what is neither)."""
    labels = choice_labels(q)
    if not labels or not isinstance(text, str) or text in q.values:
        return text
    back = {label.casefold(): value for value, label in labels.items()}
    return back.get(text.strip().casefold(), text)


# ---------------------------------------------------------------- answers ----------------------

def _check_flag(node: Node, q: Question):
    return node.yes_no()


PERCENT_UNITS = ("procent", "%")  # a number in one of these units may also be written as 85%


def is_percentage(q: Question) -> bool:
    return q.unit is not None and q.unit.strip().lower() in PERCENT_UNITS


def _in_range(node: Node, q: Question, value):
    if q.minimum is not None and value < q.minimum:
        raise node.fail(f"waarde {fmt_number(value)} is kleiner dan het minimum {fmt_number(q.minimum)}",
                        code=Code.VALUE_NOT_ALLOWED)
    if q.maximum is not None and value > q.maximum:
        raise node.fail(f"waarde {fmt_number(value)} is groter dan het maximum {fmt_number(q.maximum)}",
                        code=Code.VALUE_NOT_ALLOWED)
    return value


def _check_integer(node: Node, q: Question):
    return _in_range(node, q, node.dutch_number(percent=is_percentage(q), whole=True))


def _check_number(node: Node, q: Question):
    return _in_range(node, q, node.dutch_number(percent=is_percentage(q)))


def _check_text(node: Node, q: Question):
    return node.text()


def _check_date(node: Node, q: Question):
    return node.date()


def _check_choice(node: Node, q: Question):
    v = from_label(node.value, q)
    if not isinstance(v, str) or v not in q.values:
        raise node.fail(f"waarde {describe_value(v)} is niet toegestaan",
                        allowed_hint(v, q.values), code=Code.VALUE_NOT_ALLOWED)
    return v


def _check_choices(node: Node, q: Question):
    node.sequence()
    out = []
    for e in node.elements():
        v = from_label(e.value, q)
        if not isinstance(v, str) or v not in q.values:
            raise e.fail(f"waarde {describe_value(e.value)} is niet toegestaan",
                         allowed_hint(e.value, q.values), code=Code.VALUE_NOT_ALLOWED)
        if v in out:
            raise e.fail(f"waarde {excerpt(e.value)} staat dubbel in de lijst", code=Code.VALUE_NOT_ALLOWED)
        out.append(v)
    return tuple(sorted(out))


# The quick checks run for every fact of every file in a sweep: class tests, no Node, no message.

def _quick_flag(v, q: Question):
    return v if v.__class__ is bool else NOT_SURE


def _quick_bounded(v, q: Question):
    if abs(v) > MAX_NUMBER or (q.minimum is not None and v < q.minimum) or \
            (q.maximum is not None and v > q.maximum):
        return NOT_SURE
    return v


def _quick_integer(v, q: Question):
    return _quick_bounded(v, q) if v.__class__ is int else NOT_SURE


def _quick_number(v, q: Question):
    cls = v.__class__
    if not (cls is int or (cls is float and v == v and abs(v) != float("inf"))):
        return NOT_SURE
    return _quick_bounded(v, q)


def _quick_text(v, q: Question):
    return v if v.__class__ is str and v.strip() else NOT_SURE


def _quick_date(v, q: Question):
    return v if v.__class__ is dt.date else NOT_SURE


def _quick_choice(v, q: Question):
    return v if v.__class__ is str and v in q.values else NOT_SURE


def _quick_choices(v, q: Question):
    if not isinstance(v, list) or not all(e.__class__ is str and e in q.values for e in v) or len(set(v)) != len(v):
        return NOT_SURE
    return tuple(sorted(v))


# ---------------------------------------------------------------- comparison values ------------

def _constant_flag(node: Node, q: Question):
    return node.boolean()


def _constant_integer(node: Node, q: Question):
    return node.integer()


def _constant_number(node: Node, q: Question):
    return node.number()


def _constant_text(node: Node, q: Question):
    return node.text()


def _constant_date(node: Node, q: Question):
    return node.date()


def _constant_choice(node: Node, q: Question):
    """One of the question's values (for keuze and for an element of meerkeuze)."""
    v = node.value
    if not isinstance(v, str) or v not in q.values:
        raise node.fail(f"waarde {describe_value(v)} is geen toegestane waarde van '{q.path}'",
                        allowed_hint(v, q.values), code=Code.VALUE_OUTSIDE_FIELD)
    return v


# ---------------------------------------------------------------- JSON schema ------------------

def _writable(q: Question) -> tuple:
    """What an answer to a choice question may be: its values, and the labels that stand for them."""
    labels = choice_labels(q)
    return tuple(q.values) + (tuple(label for label in labels.values() if label not in q.values) if labels else ())


def _boolean_schema(*_) -> dict:
    return {"type": "boolean"}


def _choice_schema(values: tuple) -> dict:
    return {"type": "string", "enum": list(values)}


def _number_schema(*_) -> dict:
    return sp.number()


def _string_schema(*_) -> dict:
    return {"type": "string", "pattern": sp.TEXT_PATTERN}


# ---------------------------------------------------------------- the registry -----------------

QUESTION_TYPES: dict[str, QuestionType] = {t.name: t for t in (
    QuestionType(
        "ja_nee", "ja/nee",
        check=_check_flag, quick=_quick_flag, constant=_constant_flag,
        answer_schema=lambda q: sp.yes_no(), constant_schema=_boolean_schema,
        generic_schema=_boolean_schema,
        durable="flag", durable_placeholder="0", witness="booleans",
    ),
    QuestionType(
        "geheel_getal", "geheel getal",
        # a threshold may be a decimal number (min: 2.5 on a count), a compared value may not
        check=_check_integer, quick=_quick_integer, constant=_constant_integer,
        answer_schema=lambda q: sp.written_number(sp.integer(q.minimum, q.maximum), is_percentage(q), whole=True), constant_schema=lambda values: sp.integer(),
        generic_schema=_number_schema,
        durable="double", durable_placeholder="0.0", witness="integers",
        numeric=True, ordered=True, listable=True,
        bound=_constant_number, bound_schema=_number_schema,
    ),
    QuestionType(
        "getal", "getal",
        check=_check_number, quick=_quick_number, constant=_constant_number,
        answer_schema=lambda q: sp.written_number(sp.number(q.minimum, q.maximum), is_percentage(q)), constant_schema=_number_schema,
        generic_schema=_number_schema,
        durable="double", durable_placeholder="0.0", witness="reals",
        numeric=True, ordered=True,
    ),
    QuestionType(
        "tekst", "tekst",
        check=_check_text, quick=_quick_text, constant=_constant_text,
        answer_schema=lambda q: sp.text(), constant_schema=lambda values: sp.text(),
        generic_schema=_string_schema,
        durable="hex", durable_placeholder='"-"', witness="texts",
        listable=True,
    ),
    QuestionType(
        "datum", "datum (dd-mm-jjjj)",
        check=_check_date, quick=_quick_date, constant=_constant_date,
        answer_schema=lambda q: sp.date(), constant_schema=lambda values: sp.date(),
        generic_schema=_string_schema,
        durable="iso", durable_placeholder='"0001-01-01"', witness="days",
        ordered=True, calendar=True,
    ),
    QuestionType(
        "keuze", "keuze",
        check=_check_choice, quick=_quick_choice, constant=_constant_choice,
        answer_schema=lambda q: _choice_schema(_writable(q)), constant_schema=_choice_schema,
        generic_schema=_string_schema,
        durable="hex", durable_placeholder='"-"', witness="choices",
        choices=True, listable=True,
    ),
    QuestionType(
        "meerkeuze", "meerkeuze (lijst)",
        check=_check_choices, quick=_quick_choices, constant=_constant_choice,
        answer_schema=lambda q: sp.array(_choice_schema(_writable(q)), unique=True), constant_schema=_choice_schema,
        generic_schema=_string_schema,
        durable="members", durable_placeholder=None, witness="subsets",
        choices=True, multiple=True,
    ),
)}

TYPES = tuple(QUESTION_TYPES)  # the names, in the order of the registry (messages and schemas list them so)


def types_where(trait: Callable[[QuestionType], bool]) -> tuple[str, ...]:
    """The names of the types with a trait, in registry order."""
    return tuple(t.name for t in QUESTION_TYPES.values() if trait(t))


def listed(names) -> str:
    """Type names as Dutch messages list them: 'a', 'a en b', 'a, b en c'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
