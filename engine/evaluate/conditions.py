"""The condition language: a small closed set of operators, compiled to an IR and evaluated
three-valued (True / False / None = onbekend). No eval, no Python in YAML.

`compile_condition` checks every condition against the declared questions at load time
(unknown field, unknown operator, value of the wrong type or outside the allowed set), so a
rule that cannot be evaluated fails the load instead of being skipped silently.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from dataclasses import dataclass
from typing import Union

from kadertoets.infra.errors import KaderFout
from kadertoets.model import Question, Status
from kadertoets.infra.located import Node, allowed_hint, describe_value, hint_with
from kadertoets.infra.lintcodes import Code

Truth = Union[bool, None]

TEAM_FIELDS = {
    "team.taken.jeugd": Question("team.taken.jeugd", "ja_nee", "Heeft het team een jeugdtaak?"),
    "team.taken.wmo": Question("team.taken.wmo", "ja_nee", "Heeft het team een Wmo-taak?"),
    "team.gemeente": Question("team.gemeente", "tekst", "Gemeente van het team"),
    "team.organisatie": Question("team.organisatie", "tekst", "Organisatie van het team"),
}

NUMERIC = ("geheel_getal", "getal")
ORDERED = NUMERIC + ("datum",)
SCALAR_EQ = ("ja_nee", "geheel_getal", "getal", "tekst", "datum", "keuze")

# operator -> field types it accepts
FIELD_OPS = {
    "is": SCALAR_EQ,
    "is_niet": SCALAR_EQ,
    "in": ("geheel_getal", "tekst", "keuze"),
    "niet_in": ("geheel_getal", "tekst", "keuze"),
    "min": ORDERED,
    "max": ORDERED,
    "groter_dan": ORDERED,
    "kleiner_dan": ORDERED,
    "bevat": ("meerkeuze",),
    "aantal_min": ("meerkeuze",),
    "binnen_maanden": ("datum",),
    "aanwezig": None,  # any type
}
COMBINATORS = ("alle", "een_van", "niet")
MAX_MONTHS = 1200
# Bounds on the size of a rule's conditions, so that loading, evaluating and checking a rule stays
# cheap (the bundled Kader has at most 11 comparisons in a rule and nests alle/een_van/niet 2 deep).
MAX_COMPARISONS = 100  # per rule (van_toepassing, voldoet and deels together); each value of in/niet_in counts
MAX_CONDITION_DEPTH = 20  # alle/een_van/niet inside each other
TOO_COMPLEX_HINT = "Splits de regel of gebruik minder vergelijkingen."
ALL_OPERATORS = list(COMBINATORS) + ["regel", "veld"] + list(FIELD_OPS)


# ---------------------------------------------------------------- IR --------
@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class Any_:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


@dataclass(frozen=True)
class RuleRef:
    rule_id: str
    statuses: frozenset


@dataclass(frozen=True)
class Present:
    field: str
    expected: bool


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: object  # scalar, or tuple for in/niet_in
    ftype: str


Condition = Union[All, Any_, Not, RuleRef, Present, Compare]


def rule_refs(cond) -> set[str]:
    if isinstance(cond, (All, Any_)):
        return set().union(*(rule_refs(p) for p in cond.parts)) if cond.parts else set()
    if isinstance(cond, Not):
        return rule_refs(cond.part)
    if isinstance(cond, RuleRef):
        return {cond.rule_id}
    return set()


def rule_dependencies(rule) -> set[str]:
    """The ids of the rules whose status a rule's conditions read."""
    deps: set[str] = set()
    for cond in (rule.applies, rule.meets, rule.partly):
        if cond is not None:
            deps |= rule_refs(cond)
    return deps


def fields_of(cond) -> set[str]:
    if isinstance(cond, (All, Any_)):
        return set().union(*(fields_of(p) for p in cond.parts)) if cond.parts else set()
    if isinstance(cond, Not):
        return fields_of(cond.part)
    if isinstance(cond, (Present, Compare)):
        return {cond.field}
    return set()


def leaves(cond):
    if isinstance(cond, (All, Any_)):
        for p in cond.parts:
            yield from leaves(p)
    elif isinstance(cond, Not):
        yield from leaves(cond.part)
    else:
        yield cond


# ----------------------------------------------------------- compile --------
def comparisons(leaf) -> int:
    """How many comparisons a leaf makes: one, or one per value of in/niet_in."""
    return len(leaf.value) if isinstance(leaf, Compare) and isinstance(leaf.value, tuple) else 1


class _Size:
    """Comparisons counted while one condition compiles; more than MAX_COMPARISONS stops the compile
    at once (a rule's parts together are checked against the same limit by normcheck)."""

    def __init__(self, top: Node):
        self.top, self.count = top, 0

    def add(self, n: int) -> None:
        self.count += n
        if self.count > MAX_COMPARISONS:
            raise self.top.fail(f"deze voorwaarde is te complex om te controleren (meer dan {MAX_COMPARISONS} "
                                "vergelijkingen; een waarde in de lijst van 'in' of 'niet_in' telt als één)",
                                TOO_COMPLEX_HINT, code=Code.TOO_COMPLEX)


def compile_condition(node: Node, questions: dict, rule_ids: set[str] | None = None) -> Condition:
    """Compile a YAML condition (a Node) into the IR, validating it against the questions. A condition
    with more than MAX_COMPARISONS comparisons or nested deeper than MAX_CONDITION_DEPTH is refused
    (KT405) as soon as the compile gets there."""
    return _compile(node, questions, rule_ids, _Size(node), 1)


def _compile(node: Node, questions: dict, rule_ids: set[str] | None, size: _Size, depth: int) -> Condition:
    if not isinstance(node.value, dict):
        raise node.fail(f"een voorwaarde moet een mapping zijn, maar vond {describe_value(node.value)}",
                        "Bijvoorbeeld: {veld: veiligheid.aandachtsfunctionarissen, min: 1}.", code=Code.INVALID_CONDITION)
    keys = [k for k in node.value]
    for key in keys:
        if key not in ALL_OPERATORS and key != "status":
            raise node.child(key).fail(
                f"onbekende operator '{key}'",
                allowed_hint(key, ALL_OPERATORS), code=Code.UNKNOWN_OPERATOR
            )
    combos = [k for k in keys if k in COMBINATORS]
    if combos:
        if len(keys) != 1:
            raise node.fail(f"'{combos[0]}' moet alleen staan in een voorwaarde (vond ook: "
                            f"{', '.join(k for k in keys if k != combos[0])})",
                            "Zet extra voorwaarden als onderdeel in de lijst van 'alle' of 'een_van'.", code=Code.INVALID_CONDITION)
        key = combos[0]
        if depth > MAX_CONDITION_DEPTH:
            raise node.fail(f"deze voorwaarde is te diep genest (meer dan {MAX_CONDITION_DEPTH} niveaus "
                            "'alle', 'een_van' of 'niet' in elkaar)", TOO_COMPLEX_HINT, code=Code.TOO_COMPLEX)
        sub = node.child(key)
        if key == "niet":
            return Not(_compile(sub, questions, rule_ids, size, depth + 1))
        sub.sequence(min_items=1)
        parts = tuple(_compile(e, questions, rule_ids, size, depth + 1) for e in sub.elements())
        return All(parts) if key == "alle" else Any_(parts)
    if "regel" in keys:
        size.add(1)
        node.mapping(required=("regel", "status"), what="een regel-voorwaarde")
        rid = node.child("regel").text()
        if rule_ids is not None and rid not in rule_ids:
            raise node.child("regel").fail(f"onbekende regel '{rid}'",
                                           hint_with(rid, sorted(rule_ids), "Gebruik een regel-id uit het manifest."), code=Code.UNKNOWN_RULE_REF)
        st = node.child("status")
        items = st.sequence(min_items=1).elements() if isinstance(st.value, list) else [st]
        return RuleRef(rid, frozenset(Status(e.choice([s.value for s in Status])) for e in items))
    if "veld" not in keys:
        raise node.fail("een voorwaarde heeft 'veld', 'regel', 'alle', 'een_van' of 'niet' nodig", code=Code.INVALID_CONDITION)
    ops = [k for k in keys if k in FIELD_OPS]
    extra = [k for k in keys if k not in FIELD_OPS and k != "veld"]
    if extra:
        raise node.child(extra[0]).fail(f"'{extra[0]}' hoort niet bij een veld-voorwaarde", code=Code.UNKNOWN_OPERATOR)
    if len(ops) != 1:
        raise node.fail(
            "een veld-voorwaarde heeft precies één operator nodig" + (f" (vond: {', '.join(ops)})" if ops else ""),
            "Operatoren: " + ", ".join(FIELD_OPS) + ".", code=Code.INVALID_CONDITION
        )
    op = ops[0]
    values = node.value.get(op)
    size.add(len(values) if op in ("in", "niet_in") and isinstance(values, list) else 1)
    fnode = node.child("veld")
    path = fnode.text()
    question = questions.get(path) or TEAM_FIELDS.get(path)
    if question is None:
        raise fnode.fail(f"onbekend veld '{path}': het staat niet in de vragen van deze Kaderversie",
                         hint_with(path, list(questions) + list(TEAM_FIELDS), "Declareer het veld eerst in het vragenbestand."), code=Code.UNDECLARED_FIELD)
    vnode = node.child(op)
    if op == "aanwezig":
        return Present(path, vnode.boolean())
    allowed = FIELD_OPS[op]
    if question.type not in allowed:
        raise vnode.fail(f"operator '{op}' past niet bij veld '{path}' van type {question.type}",
                         f"'{op}' werkt op: {', '.join(allowed)}.", code=Code.TYPE_MISMATCH)
    if op in ("in", "niet_in"):
        vnode.sequence(min_items=1)
        value = tuple(_typed_value(e, question, op) for e in vnode.elements())
    elif op == "aantal_min":
        value = vnode.integer(minimum=0)
    elif op == "binnen_maanden":
        value = vnode.integer(minimum=0)
        if value > MAX_MONTHS:
            raise vnode.fail(f"binnen_maanden mag hoogstens {MAX_MONTHS} zijn (100 jaar), maar is {value}", code=Code.VALUE_NOT_ALLOWED)
    elif op == "bevat":
        value = _typed_value(vnode, question, op, element=True)
    else:
        value = _typed_value(vnode, question, op)
    return Compare(path, op, value, question.type)


def _typed_value(node: Node, q: Question, op: str, element: bool = False):
    """Check that a comparison value has the field's type (a string is never compared with a number);
    a value of the wrong type is a type mismatch (KT304), not a schema error."""
    try:
        return _typed(node, q, op)
    except KaderFout as exc:
        for p in exc.problems:
            if p.code == Code.WRONG_TYPE:
                p.code = Code.TYPE_MISMATCH
        raise


def _typed(node: Node, q: Question, op: str):
    t = q.type
    v = node.value
    if t in ("keuze", "meerkeuze"):
        if not isinstance(v, str) or v not in q.values:
            raise node.fail(f"waarde {describe_value(v)} is geen toegestane waarde van '{q.path}'",
                            allowed_hint(v, q.values), code=Code.VALUE_OUTSIDE_FIELD)
        return v
    if t == "ja_nee":
        return node.boolean()
    if t == "geheel_getal":
        if op in ("min", "max", "groter_dan", "kleiner_dan"):
            return node.number()
        return node.integer()
    if t == "getal":
        return node.number()
    if t == "datum":
        return node.date()
    if t == "tekst":
        return node.text()
    raise node.fail(f"type {t} kan niet vergeleken worden", code=Code.TYPE_MISMATCH)


# ---------------------------------------------------------- evaluate --------
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


def eval_leaf(cond, env: dict, statuses: dict, as_of: dt.date) -> Truth:
    if isinstance(cond, Present):
        return (cond.field in env) == cond.expected
    if isinstance(cond, RuleRef):
        status = statuses.get(cond.rule_id)
        if status is None or status == Status.ONBEKEND:
            return None if Status.ONBEKEND not in cond.statuses else True
        return status in cond.statuses
    if cond.field not in env:
        return None
    v = env[cond.field]
    p = cond.value
    op = cond.op
    if op == "is":
        return v == p
    if op == "is_niet":
        return v != p
    if op == "in":
        return v in p
    if op == "niet_in":
        return v not in p
    if op == "min":
        return v >= p
    if op == "max":
        return v <= p
    if op == "groter_dan":
        return v > p
    if op == "kleiner_dan":
        return v < p
    if op == "bevat":
        return p in v
    if op == "aantal_min":
        return len(v) >= p
    if op == "binnen_maanden":
        return months_before(as_of, p) <= v <= as_of
    raise AssertionError(f"unknown operator {op}")


def evaluate(cond, env: dict, statuses: dict, as_of: dt.date) -> Truth:
    """Kleene three-valued evaluation."""
    if isinstance(cond, All):
        result: Truth = True
        for part in cond.parts:
            t = evaluate(part, env, statuses, as_of)
            if t is False:
                return False
            if t is None:
                result = None
        return result
    if isinstance(cond, Any_):
        result = False
        for part in cond.parts:
            t = evaluate(part, env, statuses, as_of)
            if t is True:
                return True
            if t is None:
                result = None
        return result
    if isinstance(cond, Not):
        t = evaluate(cond.part, env, statuses, as_of)
        return None if t is None else not t
    return eval_leaf(cond, env, statuses, as_of)


# ----------------------------------------------------------- explain --------
OP_TEXT = {
    "is": "is",
    "is_niet": "is niet",
    "in": "is een van",
    "niet_in": "is geen van",
    "min": "is minstens",
    "max": "is hoogstens",
    "groter_dan": "is groter dan",
    "kleiner_dan": "is kleiner dan",
    "bevat": "bevat",
    "aantal_min": "heeft minstens dit aantal keuzes:",
}


def fmt_value(v) -> str:
    """A value as Dutch readers expect it (16,5; ja/nee; JJJJ-MM-DD)."""
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, float):
        text = f"{v:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return ", ".join(fmt_value(x) for x in v) if v else "(geen)"
    return str(v)


def describe(cond) -> str:
    """The condition in Dutch, for `kader explain` and reasons."""
    if isinstance(cond, All):
        return "alle van: (" + "; ".join(describe(p) for p in cond.parts) + ")"
    if isinstance(cond, Any_):
        return "een van: (" + "; ".join(describe(p) for p in cond.parts) + ")"
    if isinstance(cond, Not):
        return "niet (" + describe(cond.part) + ")"
    if isinstance(cond, RuleRef):
        return f"uitkomst van {cond.rule_id} {requirement(cond)}"
    return f"{cond.field} {requirement(cond)}"


@lru_cache(maxsize=4096)
def requirement(leaf) -> str:
    """What a leaf requires, without the field: 'is minstens 2', 'is ingevuld', 'is voldoet of deels'."""
    if isinstance(leaf, RuleRef):
        return "is " + " of ".join(s.value for s in sorted(leaf.statuses, key=lambda s: s.value))
    if isinstance(leaf, Present):
        return "is ingevuld" if leaf.expected else "is niet ingevuld"
    if leaf.op == "binnen_maanden":
        return f"ligt hoogstens {leaf.value} maanden vóór de peildatum"
    if leaf.op in ("in", "niet_in") and len(leaf.value) == 1:
        return f"{'is' if leaf.op == 'in' else 'is niet'} {fmt_value(leaf.value[0])}"
    return f"{OP_TEXT[leaf.op]} {fmt_value(leaf.value)}"


def _leaf_with_value(cond, env, statuses) -> str:
    """A leaf as 'field = actual value (vereist: ...)', so it never reads as a statement of fact."""
    wanted = requirement(cond)
    if isinstance(cond, RuleRef):
        st = statuses.get(cond.rule_id)
        return f"uitkomst {cond.rule_id} = {st.value if st else 'onbekend'} (vereist: {wanted})"
    if cond.field not in env:
        return f"{cond.field} niet ingevuld (vereist: {wanted})"
    if isinstance(cond, Present):
        return f"{cond.field} ingevuld (vereist: {wanted})"
    return f"{cond.field} = {fmt_value(env[cond.field])} (vereist: {wanted})"


def explain(cond, env: dict, statuses: dict, as_of: dt.date, truth=None) -> tuple[list[str], set[str]]:
    """The parts of a condition that decided its outcome, and the missing fields behind an onbekend.
    `truth`, when given, is the condition's truth already known (each part is evaluated once)."""
    t = evaluate(cond, env, statuses, as_of) if truth is None else truth[0]
    cls = cond.__class__
    if cls is All or cls is Any_:
        # decisive parts: for All-false / Any-true the parts with that value; for unknown the unknown parts;
        # otherwise all parts
        if t is None:
            wanted = None
        elif cls is All:
            wanted = False if t is False else True
        else:
            wanted = True if t is True else False
        texts, missing = [], set()
        for part in cond.parts:
            pt = evaluate(part, env, statuses, as_of)
            if pt is wanted:
                sub_texts, sub_missing = explain(part, env, statuses, as_of, (pt,))
                texts.extend(sub_texts)
                missing |= sub_missing
        return texts, missing
    if cls is Not:
        texts, missing = explain(cond.part, env, statuses, as_of)
        return ([f"niet: {x}" for x in texts], missing)
    missing = set()
    if t is None:
        if cls is RuleRef:
            missing.add(f"uitkomst {cond.rule_id}")
        elif cls is Compare:
            missing.add(cond.field)
    return [_leaf_with_value(cond, env, statuses)], missing
