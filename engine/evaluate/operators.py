"""The vocabulary of the condition language, declared once: the field operators (is, in, min, ...)
in one registry, and the combinators (alle, een_van, niet), rule references and `veld` beside it.

An operator's entry holds everything the engine does with it, so adding one touches one place:

- its name (the YAML key) and the question types it accepts (derived from the traits of the types
  in questiontypes.py, so a new type gets the operators its traits allow);
- how its YAML value is read and typed (a ValueKind: one value typed like the field, a threshold,
  a list, a count, a number of months, true/false), and the JSON schema of that value;
- how it is evaluated (a function of the answer, the value and as_of: the toetsdatum, by default the peildatum);
- its Dutch phrase for `kader explain` and reasons, and its hover text in the JSON schema;
- how the durable backend tests it (which property of the fact, which durable comparison);
- what its values mean to the norm check (a point where answers change class, a window of months,
  a value asked for in a meerkeuze, a count to reach).

evaluate/conditions.py compiles, evaluates and describes conditions from it; durable.py,
validate/normcheck.py and editors/jsonschema.py read it too. Nothing here runs at import beyond
building the small tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, NamedTuple

from kadertoets.evaluate import schemaparts as sp
from kadertoets.evaluate.questiontypes import QUESTION_TYPES, QuestionType, types_where
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import Node
from kadertoets.model import Question
from kadertoets.infra.records import record

MAX_MONTHS = 1200  # binnen_maanden: 100 years


def months_before(day: dt.date, months: int) -> dt.date:
    """The same calendar day `months` earlier (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    if year < dt.MINYEAR:
        return dt.date.min
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d, day.day))
        except ValueError:
            continue
    raise ValueError("unreachable")


# ---------------------------------------------------------------- values --------------------------

def _typed_value(node: Node, q: Question, bound: bool = False):
    """A comparison value of the field's type (a string is never compared with a number); a value of
    the wrong type is a type mismatch (KT304), not a schema error."""
    qt = QUESTION_TYPES.get(q.type)
    if qt is None:
        raise node.fail(f"type {q.type} kan niet vergeleken worden", code=Code.TYPE_MISMATCH)
    try:
        return qt.read_bound(node, q) if bound else qt.constant(node, q)
    except KaderFout as exc:
        for p in exc.problems:
            if p.code == Code.WRONG_TYPE:
                p.code = Code.TYPE_MISMATCH
        raise


def _widest(types) -> dict:
    """The widest comparison value over `types`, when the field (so its type) is not known."""
    scalar: list[dict] = []
    for name in types:
        schema = QUESTION_TYPES[name].generic_schema()
        if schema not in scalar:
            scalar.append(schema)
    return {"anyOf": scalar} if len(scalar) > 1 else scalar[0]


def _read_list(node: Node, q: Question) -> tuple:
    node.sequence(min_items=1)
    return tuple(_typed_value(e, q) for e in node.elements())


def _read_months(node: Node, q: Question) -> int:
    value = node.integer(minimum=0)
    if value > MAX_MONTHS:
        raise node.fail(f"binnen_maanden mag hoogstens {MAX_MONTHS} zijn (100 jaar), maar is {value}",
                        code=Code.VALUE_NOT_ALLOWED)
    return value


# The small value types below are NamedTuples, the registry entries frozen dataclasses: a dataclass
# costs about a millisecond to create at import, a NamedTuple a tenth of that.

class ValueKind(NamedTuple):
    """How an operator's YAML value is read (checked against the field's question) and what JSON
    schema describes it: `schema(type, values, types)` gets the field's type and allowed values, or
    None and () when the field is not known, and the types the operator accepts."""

    name: str
    read: Callable[[Node, Question], object]
    schema: Callable[[QuestionType | None, tuple, tuple], dict]
    is_list: bool = False  # a list of values; each counts as one comparison

    def comparisons(self, raw) -> int:
        """How many comparisons a YAML value stands for (before it is read)."""
        return len(raw) if self.is_list and isinstance(raw, list) else 1


CONSTANT = ValueKind("constant", lambda node, q: _typed_value(node, q),
                     lambda qt, values, types: qt.constant_schema(values) if qt else _widest(types))
BOUND = ValueKind("bound", lambda node, q: _typed_value(node, q, bound=True),
                  lambda qt, values, types: qt.threshold_schema(values) if qt else _widest(types))
LIST = ValueKind("list", _read_list,
                 lambda qt, values, types: sp.array(qt.constant_schema(values) if qt else _widest(types), min_items=1),
                 is_list=True)
COUNT = ValueKind("count", lambda node, q: node.integer(minimum=0), lambda qt, values, types: sp.integer(0))
MONTHS = ValueKind("months", _read_months, lambda qt, values, types: sp.integer(0, MAX_MONTHS))
FLAG = ValueKind("flag", lambda node, q: node.boolean(), lambda qt, values, types: {"type": "boolean"})


# ---------------------------------------------------------------- operators -----------------------

# What a durable test reads from the fact (evaluate/backends/durable.py):
DURABLE_READS = ("value", "member", "count", "months")
# What an operator's values mean to the norm check (validate/normcheck.py):
WITNESS_ROLES = ("point", "window", "member", "count")


class DurableTest(NamedTuple):
    """How the durable backend tests an operator: what it reads from the fact ('value': the
    normalised answer; 'member': 1/0, the meerkeuze holds the value; 'count': the number of choices;
    'months': months before the peildatum, -1 after it) and the durable comparison that makes it
    true ($eq, $neq, $gte, $lte, $gt, $lt; 'window': 0 <= months <= the value)."""

    reads: str
    op: str


@record
class Operator:
    """One field operator: `{veld: pad, <name>: value}`."""

    name: str
    types: tuple[str, ...] | None  # the question types it accepts (registry order); None: every type
    value: ValueKind
    test: Callable[[object, object, dt.date], bool] | None  # (answer, value, as_of); None: presence
    phrase: str  # Dutch requirement after the field's name, '{}' the value (lists joined with 'of'): "is minstens {}"
    description: str  # JSON-schema hover text
    durable: DurableTest | None  # None: a list operator, tested per value with `each`
    witness: str  # one of WITNESS_ROLES ('' when it has no value to compare with)
    each: str = ""  # a list operator: the operator each value is tested with
    any_of: bool = False  # a list operator: one value is enough (else every value must hold)
    phrase_not: str = ""  # a true/false operator: the phrase of false
    uses_as_of: bool = False  # the outcome depends on as_of, the toetsdatum (results cached per date)
    asks: str = ""  # what the Kader asks, without the field ("het Kader vraagt: minstens 1"); '' = phrase without 'is '

    def asked(self, value_text: str) -> str:
        """The requirement without the field's name: 'minstens 1', 'niet een eigen format'."""
        template = self.asks or (self.phrase[3:] if self.phrase.startswith("is ") else self.phrase)
        return template.format(value_text)

    def fits(self, qtype: str) -> bool:
        return self.types is None or qtype in self.types


OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("is", types=types_where(lambda t: t.scalar), value=CONSTANT,
             test=lambda v, p, as_of: v == p, phrase="is {}", description="Gelijk aan deze waarde.",
             durable=DurableTest("value", "$eq"), witness="point"),
    Operator("is_niet", types=types_where(lambda t: t.scalar), value=CONSTANT,
             test=lambda v, p, as_of: v != p, phrase="is niet {}", description="Niet gelijk aan deze waarde.",
             durable=DurableTest("value", "$neq"), witness="point"),
    Operator("in", types=types_where(lambda t: t.listable), value=LIST,
             test=lambda v, p, as_of: v in p, phrase="is {}", description="Een van deze waarden.",
             durable=None, witness="point", each="is", any_of=True),
    Operator("niet_in", types=types_where(lambda t: t.listable), value=LIST,
             test=lambda v, p, as_of: v not in p, phrase="is niet {}", description="Geen van deze waarden.",
             durable=None, witness="point", each="is_niet"),
    Operator("min", types=types_where(lambda t: t.ordered), value=BOUND,
             test=lambda v, p, as_of: v >= p, phrase="is minstens {}", description="Minstens (>=).",
             durable=DurableTest("value", "$gte"), witness="point"),
    Operator("max", types=types_where(lambda t: t.ordered), value=BOUND,
             test=lambda v, p, as_of: v <= p, phrase="is hoogstens {}", description="Hoogstens (<=).",
             durable=DurableTest("value", "$lte"), witness="point"),
    Operator("groter_dan", types=types_where(lambda t: t.ordered), value=BOUND,
             test=lambda v, p, as_of: v > p, phrase="is meer dan {}", description="Groter dan (>).",
             durable=DurableTest("value", "$gt"), witness="point"),
    Operator("kleiner_dan", types=types_where(lambda t: t.ordered), value=BOUND,
             test=lambda v, p, as_of: v < p, phrase="is minder dan {}", description="Kleiner dan (<).",
             durable=DurableTest("value", "$lt"), witness="point"),
    Operator("bevat", types=types_where(lambda t: t.multiple), value=CONSTANT,
             test=lambda v, p, as_of: p in v, phrase="bevat {}", asks="{} (gekozen)",
             description="Een meerkeuzeveld bevat deze waarde.",
             durable=DurableTest("member", "$eq"), witness="member"),
    Operator("aantal_min", types=types_where(lambda t: t.multiple), value=COUNT,
             test=lambda v, p, as_of: len(v) >= p, phrase="telt minstens {} keuzes", asks="minstens {} keuzes",
             description="Een meerkeuzeveld heeft minstens zoveel waarden.",
             durable=DurableTest("count", "$gte"), witness="count"),
    Operator("binnen_maanden", types=types_where(lambda t: t.calendar), value=MONTHS,
             test=lambda v, p, as_of: months_before(as_of, p) <= v <= as_of,
             phrase="ligt hoogstens {} maanden vóór de peildatum",
             asks="een datum hoogstens {} maanden vóór de peildatum",
             description="De datum ligt hoogstens zoveel maanden vóór de peildatum (en niet erna).",
             durable=DurableTest("months", "window"), witness="window", uses_as_of=True),
    # presence: true when the fact is filled in, false when not; never onbekend (the IR node Present,
    # which conditions.py, durable.py and normcheck.py handle beside the comparisons)
    Operator("aanwezig", types=None, value=FLAG, test=None, phrase="is ingevuld", phrase_not="is niet ingevuld",
             asks="dat het is ingevuld",
             description="true: het feit is ingevuld; false: niet ingevuld (nooit onbekend).",
             durable=None, witness=""),
)}
PRESENCE = OPERATORS["aanwezig"]


# ---------------------------------------------------------------- combinators and other keys ------

class Combinator(NamedTuple):
    """A condition made of conditions, Kleene three-valued: `logic` is 'and', 'or' or 'not'."""

    name: str
    logic: str
    phrase: str  # Dutch, for describe(): '{}' the parts joined with '; '
    description: str  # JSON-schema hover text of its value

    @property
    def takes_list(self) -> bool:
        """alle / een_van take a list of conditions, niet one condition."""
        return self.logic != "not"


COMBINATORS: dict[str, Combinator] = {c.name: c for c in (
    Combinator("alle", "and", "alle van: ({})", "Alle voorwaarden in de lijst (en)."),
    Combinator("een_van", "or", "een van: ({})", "Minstens één voorwaarde (of)."),
    Combinator("niet", "not", "niet ({})", "Het omgekeerde van deze voorwaarde."),
)}
ALL_OF, ANY_OF, NOT = COMBINATORS["alle"], COMBINATORS["een_van"], COMBINATORS["niet"]

RULE_KEY, STATUS_KEY = "regel", "status"  # {regel: ID, status: ...}: the outcome of another rule
RULE_REF_KEYS = (RULE_KEY, STATUS_KEY)
FIELD_KEY = "veld"  # {veld: pad, <operator>: value}

# every key that can open a condition, in the order hints suggest them ('status' only goes with 'regel')
ALL_OPERATORS = list(COMBINATORS) + [RULE_KEY, FIELD_KEY] + list(OPERATORS)
