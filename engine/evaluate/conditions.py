"""The condition language: a small closed set of operators, compiled to an IR and evaluated
three-valued (True / False / None = onbekend). No eval, no Python in YAML.

The operators, combinators and keys are declared in operators.py (and the question types in
questiontypes.py); this module compiles, evaluates and describes conditions from those registries.

`compile_condition` checks every condition against the declared questions at load time
(unknown field, unknown operator, value of the wrong type or outside the allowed set), so a
rule that cannot be evaluated fails the load instead of being skipped silently.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Union

from kadertoets.model import Question, Status
from kadertoets.infra.located import Node, allowed_hint, describe_value, hint_with
from kadertoets.infra.lintcodes import Code
from kadertoets.evaluate.operators import (ALL_OF, ALL_OPERATORS, ANY_OF, COMBINATORS, FIELD_KEY, NOT, OPERATORS,
                                           PRESENCE, RULE_KEY, RULE_REF_KEYS, STATUS_KEY)
# declared in operators.py; re-exported here, where they lived before (tests and older imports)
from kadertoets.evaluate.operators import MAX_MONTHS, months_before  # noqa: F401
from kadertoets.infra.records import record

Truth = Union[bool, None]

# The fields every team has (assessment `team:`), declared like questions so conditions can test them.
TEAM_FIELDS = {
    "team.taken.jeugd": Question("team.taken.jeugd", "ja_nee", "Heeft het team een jeugdtaak?"),
    "team.taken.wmo": Question("team.taken.wmo", "ja_nee", "Heeft het team een Wmo-taak?"),
    "team.gemeente": Question("team.gemeente", "tekst", "Gemeente van het team"),
    "team.organisatie": Question("team.organisatie", "tekst", "Organisatie van het team"),
}

# Bounds on the size of a rule's conditions, so that loading, evaluating and checking a rule stays
# cheap (the bundled Kader has at most 11 comparisons in a rule and nests alle/een_van/niet 2 deep).
MAX_COMPARISONS = 100  # per rule (van_toepassing, voldoet and deels together); each value of in/niet_in counts
MAX_CONDITION_DEPTH = 20  # alle/een_van/niet inside each other
TOO_COMPLEX_HINT = "Splits de regel of gebruik minder vergelijkingen."
_TESTS = {name: op.test for name, op in OPERATORS.items() if op.test is not None}


# ---------------------------------------------------------------- IR --------
@record
class All:
    parts: tuple


@record
class Any_:
    parts: tuple


@record
class Not:
    part: object


@record
class RuleRef:
    rule_id: str
    statuses: frozenset


@record
class Present:
    field: str
    expected: bool


@record
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
        if key not in ALL_OPERATORS and key != STATUS_KEY:
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
        combinator = COMBINATORS[key]
        sub = node.child(key)
        if not combinator.takes_list:
            return Not(_compile(sub, questions, rule_ids, size, depth + 1))
        sub.sequence(min_items=1)
        parts = tuple(_compile(e, questions, rule_ids, size, depth + 1) for e in sub.elements())
        return All(parts) if combinator is ALL_OF else Any_(parts)
    if RULE_KEY in keys:
        size.add(1)
        node.mapping(required=RULE_REF_KEYS, what="een regel-voorwaarde")
        rid = node.child(RULE_KEY).text()
        if rule_ids is not None and rid not in rule_ids:
            raise node.child(RULE_KEY).fail(f"onbekende regel '{rid}'",
                                            hint_with(rid, sorted(rule_ids), "Gebruik een regel-id uit het manifest."), code=Code.UNKNOWN_RULE_REF)
        st = node.child(STATUS_KEY)
        items = st.sequence(min_items=1).elements() if isinstance(st.value, list) else [st]
        return RuleRef(rid, frozenset(Status(e.choice([s.value for s in Status])) for e in items))
    if FIELD_KEY not in keys:
        raise node.fail("een voorwaarde heeft 'veld', 'regel', 'alle', 'een_van' of 'niet' nodig", code=Code.INVALID_CONDITION)
    ops = [k for k in keys if k in OPERATORS]
    extra = [k for k in keys if k not in OPERATORS and k != FIELD_KEY]
    if extra:
        raise node.child(extra[0]).fail(f"'{extra[0]}' hoort niet bij een veld-voorwaarde", code=Code.UNKNOWN_OPERATOR)
    if len(ops) != 1:
        raise node.fail(
            "een veld-voorwaarde heeft precies één operator nodig" + (f" (vond: {', '.join(ops)})" if ops else ""),
            "Operatoren: " + ", ".join(OPERATORS) + ".", code=Code.INVALID_CONDITION
        )
    op = ops[0]
    spec = OPERATORS[op]
    size.add(spec.value.comparisons(node.value.get(op)))
    fnode = node.child(FIELD_KEY)
    path = fnode.text()
    question = questions.get(path) or TEAM_FIELDS.get(path)
    if question is None:
        raise fnode.fail(f"onbekend veld '{path}': het staat niet in de vragen van deze Kaderversie",
                         hint_with(path, list(questions) + list(TEAM_FIELDS), "Declareer het veld eerst in het vragenbestand."), code=Code.UNDECLARED_FIELD)
    vnode = node.child(op)
    if spec is PRESENCE:
        return Present(path, spec.value.read(vnode, question))
    if not spec.fits(question.type):
        raise vnode.fail(f"operator '{op}' past niet bij veld '{path}' van type {question.type}",
                         f"'{op}' werkt op: {', '.join(spec.types)}.", code=Code.TYPE_MISMATCH)
    return Compare(path, op, spec.value.read(vnode, question), question.type)


# ---------------------------------------------------------- evaluate --------
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
    test = _TESTS.get(cond.op)
    if test is None:
        raise AssertionError(f"unknown operator {cond.op}")
    return test(env[cond.field], cond.value, as_of)


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
        return ALL_OF.phrase.format("; ".join(describe(p) for p in cond.parts))
    if isinstance(cond, Any_):
        return ANY_OF.phrase.format("; ".join(describe(p) for p in cond.parts))
    if isinstance(cond, Not):
        return NOT.phrase.format(describe(cond.part))
    if isinstance(cond, RuleRef):
        return f"uitkomst van {cond.rule_id} {requirement(cond)}"
    return f"{cond.field} {requirement(cond)}"


@lru_cache(maxsize=4096)
def requirement(leaf) -> str:
    """What a leaf requires, without the field: 'is minstens 2', 'is ingevuld', 'is voldoet of deels'."""
    if isinstance(leaf, RuleRef):
        return "is " + " of ".join(s.value for s in sorted(leaf.statuses, key=lambda s: s.value))
    if isinstance(leaf, Present):
        return PRESENCE.phrase if leaf.expected else PRESENCE.phrase_not
    spec = OPERATORS[leaf.op]
    if spec.each and len(leaf.value) == 1:
        return OPERATORS[spec.each].phrase.format(fmt_value(leaf.value[0]))
    return spec.phrase.format(fmt_value(leaf.value))


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
