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

from kadertoets.infra.dates import dutch_date
from kadertoets.evaluate.questiontypes import QUESTION_TYPES
from kadertoets.model import STATUS_LABEL, Check, Question, Status
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
    "team.taken.jeugd": Question("team.taken.jeugd", "ja_nee", "Heeft het team een jeugdtaak?",
                                 short="de jeugdtaak van het team",
                                 labels=(("ja", "het team heeft een jeugdtaak"), ("nee", "het team heeft geen jeugdtaak"))),
    "team.taken.wmo": Question("team.taken.wmo", "ja_nee", "Heeft het team een Wmo-taak?",
                               short="de Wmo-taak van het team",
                               labels=(("ja", "het team heeft een Wmo-taak"), ("nee", "het team heeft geen Wmo-taak"))),
    "team.gemeente": Question("team.gemeente", "tekst", "Gemeente van het team", short="de gemeente van het team"),
    "team.organisatie": Question("team.organisatie", "tekst", "Organisatie van het team",
                                 short="de organisatie van het team"),
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


def questions_of(rule) -> set[str]:
    """The fields a rule uses: in its norm, and in the `tenzij` of its action's parts (which decide
    what the plan proposes), and the region's fields its regional product reads. Team fields
    (team.taken.*) included."""
    out: set[str] = set()
    product = rule.region_product.condition if rule.region_product is not None else None
    for cond in (rule.applies, product, rule.meets, rule.partly, *(unless for _, unless in rule.action.parts)):
        if cond is not None:
            out |= fields_of(cond)
    return out


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
    """A value as Dutch readers expect it (16,5; ja/nee; JJJJ-MM-DD), without the question's words
    (editors' outputs: diff, migrate). Reasons use value_text, which labels and dates in words."""
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


def join_words(items, last: str = "en") -> str:
    """'a', 'a en b', 'a, b en c' (or with 'of')."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def question_of(path: str, questions: dict | None) -> Question | None:
    return (questions or {}).get(path) or TEAM_FIELDS.get(path)


def subject(path: str, questions: dict | None) -> str:
    """How a reader names a fact: the question's `kort`; without one its question; without the
    questions at all (editors comparing norms) its path."""
    q = question_of(path, questions)
    if q is not None and q.short:
        return q.short
    if q is not None and questions is not None:
        return f"het antwoord op '{q.question}'"
    return path


def missing_subject(name: str, questions: dict | None) -> str:
    """A name from a finding's `missing` (a path, or 'uitkomst <id>') as a reader names it."""
    if name.startswith("uitkomst "):
        return f"de uitkomst van eis {name[len('uitkomst '):]}"
    return subject(name, questions)


def _flag(q: Question | None) -> bool:
    """A yes/no question (its answers are labelled as 'ja' and 'nee')."""
    return q is not None and QUESTION_TYPES[q.type].witness == "booleans"


def _counted(q: Question | None) -> bool:
    """A whole-number question: its `kort` names the count ('het aantal ...'), so no unit follows."""
    return q is not None and QUESTION_TYPES[q.type].witness == "integers"


def value_text(v, q: Question | None) -> str:
    """An answer as a reader reads it: the label of a choice, 0,78 fte, 30 juni 2023, ja/nee."""
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, (int, float)):
        text = fmt_value(float(v)) if isinstance(v, float) else str(v)
        return f"{text} {q.unit}" if q is not None and q.unit and not _counted(q) else text
    if isinstance(v, dt.date):
        return dutch_date(v)
    if isinstance(v, (tuple, list)):
        return join_words(value_text(x, q) for x in v) if v else "geen"
    if q is not None and q.values:
        return q.label(v) or v.replace("_", " ")
    if q is not None and q.labels:
        return q.label(v) or v
    return f"'{v}'" if q is not None and not q.values else str(v)


def _statement(q: Question, truth: bool) -> str | None:
    """The label of ja or nee of a yes/no question: a statement ('er is een ... aangewezen')."""
    return q.label("ja" if truth else "nee") if _flag(q) else None


def _equality(leaf) -> bool | None:
    """For a leaf that compares for (in)equality with one or more values (is, is_niet, in, niet_in):
    True when a value must be among them, False when it must not; None for other operators."""
    if not isinstance(leaf, Compare):
        return None
    spec = OPERATORS[leaf.op]
    base = OPERATORS[spec.each] if spec.each else spec
    if base.durable is None or base.durable.reads != "value" or base.durable.op not in ("$eq", "$neq"):
        return None
    return base.durable.op == "$eq"


def _allowed(leaf, q: Question | None):
    """The values a choice leaf (is, is_niet, in, niet_in on a keuze) lets through, in the question's
    order; None when the leaf is not of that kind (then the operator's phrase says it)."""
    keep = _equality(leaf)
    if q is None or not q.values or QUESTION_TYPES[q.type].multiple or keep is None:
        return None
    wanted = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    return [v for v in q.values if (v in wanted) == keep]


def _wanted_value(leaf, q: Question | None) -> str:
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    return join_words((value_text(v, q) for v in values), "of")


def condition_text(leaf, questions: dict | None) -> str:
    """A leaf as what it requires, in the reader's words: 'het team heeft een jeugdtaak', 'het aantal
    aandachtsfunctionarissen veiligheid: minstens 1'. Without the questions (editors comparing
    norms): the field's path and the codes."""
    if questions is None:
        if isinstance(leaf, RuleRef):
            return f"uitkomst van {leaf.rule_id} {requirement(leaf)}"
        return f"{leaf.field} {requirement(leaf)}"
    if isinstance(leaf, RuleRef):
        return f"de uitkomst van eis {leaf.rule_id}: {_status_words(leaf.statuses)}"
    name = subject(leaf.field, questions)
    if isinstance(leaf, Present):
        return f"{name} {PRESENCE.phrase if leaf.expected else PRESENCE.phrase_not}"
    q = question_of(leaf.field, questions)
    if _flag(q) and q.labels and _equality(leaf) is not None and not isinstance(leaf.value, tuple):
        return _statement(q, leaf.value == _equality(leaf))
    return f"{name}: {asked_text(leaf, questions)}"


def asked_text(leaf, questions: dict | None) -> str:
    """What the Kader asks of a leaf, without the fact's name (after 'het Kader vraagt: ')."""
    if isinstance(leaf, RuleRef):
        return _status_words(leaf.statuses)
    if isinstance(leaf, Present):
        return PRESENCE.asked("") if leaf.expected else "dat het niet is ingevuld"
    q = question_of(leaf.field, questions)
    if _flag(q) and q.labels and _equality(leaf) is not None and not isinstance(leaf.value, tuple):
        return _statement(q, leaf.value == _equality(leaf))
    allowed = _allowed(leaf, q)
    if allowed is not None:
        return join_words((value_text(v, q) for v in allowed), "of")
    spec = OPERATORS[leaf.op]
    if spec.each and len(leaf.value) == 1:
        spec = OPERATORS[spec.each]
    return spec.asked(_wanted_value(leaf, q))


def fact_text(leaf, env: dict, statuses: dict, questions: dict | None) -> str:
    """What the team has for a leaf: 'de registratie van eigen begeleiding: een eigen Excelbestand',
    a yes/no answer as its statement ('er is een implementatieverantwoordelijke aangewezen')."""
    if isinstance(leaf, RuleRef):
        st = statuses.get(leaf.rule_id)
        return f"de uitkomst van eis {leaf.rule_id}: {STATUS_LABEL[st] if st else 'nog onbekend'}"
    name = subject(leaf.field, questions)
    if leaf.field not in env:
        return f"{name} is niet ingevuld"
    if isinstance(leaf, Present):
        return f"{name} is ingevuld"
    v = env[leaf.field]
    q = question_of(leaf.field, questions)
    if isinstance(v, bool) and q is not None:
        said = _statement(q, v)
        if said:
            return said
    return f"{name}: {value_text(v, q)}"


_WORD_ORDER = (Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT)


def _status_words(statuses) -> str:
    return join_words((STATUS_LABEL[s] for s in sorted(statuses, key=_WORD_ORDER.index)), "of")


def describe(cond, questions: dict | None = None) -> str:
    """The condition in Dutch, for `kader explain` (with the Kader's questions: in their words) and
    for editors comparing norms (without: field paths and codes)."""
    if isinstance(cond, All):
        return ALL_OF.phrase.format("; ".join(describe(p, questions) for p in cond.parts))
    if isinstance(cond, Any_):
        return ANY_OF.phrase.format("; ".join(describe(p, questions) for p in cond.parts))
    if isinstance(cond, Not):
        return NOT.phrase.format(describe(cond.part, questions))
    return condition_text(cond, questions)


@lru_cache(maxsize=4096)
def requirement(leaf) -> str:
    """What a leaf requires in codes, without the field: 'is minstens 2', 'is voldoet of deels'."""
    if isinstance(leaf, RuleRef):
        return "is " + " of ".join(s.value for s in sorted(leaf.statuses, key=lambda s: s.value))
    if isinstance(leaf, Present):
        return PRESENCE.phrase if leaf.expected else PRESENCE.phrase_not
    spec = OPERATORS[leaf.op]
    if spec.each and len(leaf.value) == 1:
        return OPERATORS[spec.each].phrase.format(fmt_value(leaf.value[0]))
    return spec.phrase.format(fmt_value(leaf.value))


# A group of leaves that decided a condition together: one leaf, or the parts of an een_van that all
# failed (any one of them would have been enough). `negated`: the leaves stand under a `niet`.
@record
class Group:
    leaves: tuple
    negated: bool = False


def decisive(cond, env: dict, statuses: dict, as_of: dt.date, truth=None, negated: bool = False) -> list[Group]:
    """The leaves that decided a condition's outcome, in groups. For alle-false / een_van-true the parts
    with that value, for onbekend the unknown parts, otherwise all parts; an een_van that failed is one
    group (each of its parts failed). `truth`, when given, is the condition's truth already known."""
    t = evaluate(cond, env, statuses, as_of) if truth is None else truth[0]
    cls = cond.__class__
    if cls is All or cls is Any_:
        if t is None:
            wanted = None
        elif cls is All:
            wanted = False if t is False else True
        else:
            wanted = True if t is True else False
        groups: list[Group] = []
        for part in cond.parts:
            pt = evaluate(part, env, statuses, as_of)
            if pt is wanted:
                groups.extend(decisive(part, env, statuses, as_of, (pt,), negated))
        if cls is Any_ and t is False and len(groups) > 1:
            return [Group(tuple(leaf for g in groups for leaf in g.leaves), negated)]
        return groups
    if cls is Not:
        return decisive(cond.part, env, statuses, as_of, None if t is None else (not t,), not negated)
    return [Group((cond,), negated)]


def missing_of(groups: list[Group], env: dict, statuses: dict) -> set[str]:
    """The fields (and 'uitkomst <id>') behind the unknown leaves of these groups."""
    out = set()
    for g in groups:
        for leaf in g.leaves:
            if isinstance(leaf, RuleRef):
                st = statuses.get(leaf.rule_id)
                if (st is None or st == Status.ONBEKEND) and Status.ONBEKEND not in leaf.statuses:
                    out.add(f"uitkomst {leaf.rule_id}")
            elif isinstance(leaf, Compare) and leaf.field not in env:
                out.add(leaf.field)
    return out


def _team_leaf(leaf) -> bool:
    """A leaf about the team itself (its tasks): a circumstance, never something the team is short of."""
    return isinstance(leaf, (Compare, Present)) and leaf.field.startswith("team.")


def holds_text(groups: list[Group], env: dict, statuses: dict, questions: dict | None) -> list[str]:
    """The facts of groups that hold (a condition that was met), each once."""
    return list(dict.fromkeys(fact_text(leaf, env, statuses, questions) for g in groups for leaf in g.leaves))


def gaps(groups: list[Group], env: dict, statuses: dict, questions: dict | None, said=()) -> list[tuple[str, str]]:
    """Per failed group what the team has and what the Kader asks, as (facts, ask): ('de registratie
    van eigen begeleiding: een eigen Excelbestand', 'de regionaal afgesproken werkwijze'). The ask is
    '' when the facts say it all (a yes/no statement: 'er is geen ... aangewezen'); the facts are ''
    when all of them are in `said` already (then the ask names the facts itself). A leaf about the
    team's own tasks is never a shortcoming: it is the circumstance that makes the rest necessary
    ('..., want het team heeft een Wmo-taak')."""
    out = []
    for g in groups:
        team = [leaf for leaf in g.leaves if _team_leaf(leaf)] if len(g.leaves) > 1 else []
        main = [leaf for leaf in g.leaves if leaf not in team] or list(g.leaves)
        facts = "; ".join(f for f in dict.fromkeys(fact_text(leaf, env, statuses, questions) for leaf in main)
                          if f not in said)
        if g.negated:
            ask = "niet: " + "; ".join(condition_text(leaf, questions) for leaf in main)
        elif len(main) > 1:
            ask = "een van: " + "; ".join(condition_text(leaf, questions) for leaf in main)
        elif not facts:
            ask = condition_text(main[0], questions)
        else:
            ask = asked_text(main[0], questions)
            q = question_of(main[0].field, questions) if not isinstance(main[0], RuleRef) else None
            if _flag(q) and q.labels and not team:
                ask = ""  # 'er is geen ... aangewezen' says what is asked
        if team:
            ask += ", want " + join_words(fact_text(leaf, env, statuses, questions) for leaf in team)
        out.append((facts, ask))
    return list(dict.fromkeys(out))


def gap_texts(groups: list[Group], env: dict, statuses: dict, questions: dict | None) -> list[str]:
    """gaps() as text: 'X: een eigen Excelbestand (het Kader vraagt: de regionaal afgesproken werkwijze)'."""
    return [f"{facts} (het Kader vraagt: {ask})" if ask else facts
            for facts, ask in gaps(groups, env, statuses, questions)]


def json_value(v):
    """A value as JSON has it: dates as JJJJ-MM-DD, statuses as their code, lists as tuples."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Status):
        return v.value
    if isinstance(v, (tuple, list, frozenset, set)):
        items = [json_value(x) for x in v]
        return tuple(sorted(items) if isinstance(v, (frozenset, set)) else items)
    return v


def checks_of(part: str, groups: list[Group], env: dict, statuses: dict, as_of: dt.date) -> list[Check]:
    """The decisive leaves as machine-readable Checks (JSON `voorwaarden`)."""
    out = []
    for g in groups:
        for leaf in g.leaves:
            met = eval_leaf(leaf, env, statuses, as_of)
            if isinstance(leaf, RuleRef):
                st = statuses.get(leaf.rule_id)
                out.append(Check(part, None, leaf.rule_id, STATUS_KEY, json_value(frozenset(leaf.statuses)),
                                 st.value if st is not None else None, met))
            elif isinstance(leaf, Present):
                out.append(Check(part, leaf.field, None, PRESENCE.name, leaf.expected, leaf.field in env, met))
            else:
                out.append(Check(part, leaf.field, None, leaf.op, json_value(leaf.value),
                                 json_value(env.get(leaf.field)), met))
    return list(dict.fromkeys(out))
