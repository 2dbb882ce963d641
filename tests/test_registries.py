"""The registries of question types (evaluate/questiontypes.py) and operators (evaluate/operators.py)
are complete, every consumer handles every entry, and no consumer keeps a second list of them.

Adding a question type or an operator should touch its registry entry only. These tests fail when an
entry misses a field, when a consumer cannot handle an entry (loading, conditions, JSON Schema, the
durable backend, the norm check), or when a consumer spells type or operator names itself.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

import kadertoets
from kadertoets.editors import jsonschema as js
from kadertoets.evaluate import operators as ops
from kadertoets.evaluate import questiontypes as qts
from kadertoets.evaluate.backends import durable
from kadertoets.evaluate.conditions import Compare, Present, compile_condition, describe, evaluate, requirement
from kadertoets.evaluate.operators import COMBINATORS, OPERATORS, PRESENCE
from kadertoets.evaluate.questiontypes import NOT_SURE, QUESTION_TYPES, TYPES
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.located import Node
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.load import questions as loader
from kadertoets.model import Question, Rule, Status
from kadertoets.validate import normcheck

AS_OF = dt.date(2024, 1, 1)
CHOICES = ("x", "y", "z")

# One plain answer per type, written as YAML. The only list of type names in the tests: a new type
# needs a sample here, and then every test below covers it.
SAMPLE_YAML = {
    "ja_nee": "true",
    "geheel_getal": "3",
    "getal": "2.5",
    "tekst": "abc",
    "datum": "2023-06-01",
    "keuze": "x",
    "meerkeuze": "[x, y]",
}
# A comparison value per value kind of operators.py (None: one answer of the field's type).
KIND_YAML = {"constant": None, "bound": None, "list": "[{}]", "count": "1", "months": "3", "flag": "true"}


def question(qtype: str, path: str = "a.veld") -> Question:
    return Question(path, qtype, "?", values=CHOICES if QUESTION_TYPES[qtype].choices else ())


def node(text: str) -> Node:
    return Node(load_yaml_text(f"v: {text}", "x.yaml"), "x.yaml", "").child("v")


def constant_yaml(op: ops.Operator, qtype: str) -> str:
    """A YAML value for `op` on a field of `qtype`: an answer, or an element of one for a meerkeuze."""
    scalar = "x" if QUESTION_TYPES[qtype].multiple else SAMPLE_YAML[qtype]
    kind = KIND_YAML[op.value.name]
    return scalar if kind is None else kind.format(scalar)


def pairs():
    """Every (operator, question type) the operator accepts."""
    return [(op, t) for op in OPERATORS.values() for t in TYPES if op.fits(t)]


def compiled(op: ops.Operator, qtype: str):
    q = question(qtype)
    text = f"{{veld: {q.path}, {op.name}: {constant_yaml(op, qtype)}}}"
    return compile_condition(Node(load_yaml_text(text, "x.yaml"), "x.yaml", ""), {q.path: q}), q


def rule(meets) -> Rule:
    return Rule("T-X-01", "Test", "Test", "Test.", (), "afgeleid", "Test.", "lokaal_team", None, meets, None,
                None, (), None, "<test>")


PAIR_IDS = [f"{op.name}-{t}" for op, t in pairs()]


# -- the entries are complete --------------------------------------------------------------------

def test_there_is_a_sample_for_every_type():
    assert set(SAMPLE_YAML) == set(TYPES), "add a sample answer for the new type to SAMPLE_YAML"
    assert set(KIND_YAML) == {op.value.name for op in OPERATORS.values()}, "add a sample for the new value kind"


@pytest.mark.parametrize("name", TYPES)
def test_each_question_type_entry_is_complete(name):
    t = QUESTION_TYPES[name]
    assert t.name == name and t.label.strip()
    for field in ("check", "quick", "constant", "answer_schema", "constant_schema", "generic_schema"):
        assert callable(getattr(t, field)), field
    for field in ("bound", "bound_schema"):
        assert getattr(t, field) is None or callable(getattr(t, field)), field
    assert t.durable in qts.DURABLE_ENCODINGS
    assert (t.durable_placeholder is None) == (t.durable == "members")
    assert t.witness in qts.WITNESS_STRATEGIES
    for trait in ("numeric", "ordered", "choices", "multiple", "listable", "calendar"):
        assert isinstance(getattr(t, trait), bool), trait
    assert not t.numeric or t.ordered
    assert not t.multiple or t.choices
    assert t.bound is None or t.ordered  # only an ordered type has thresholds


@pytest.mark.parametrize("name", list(OPERATORS))
def test_each_operator_entry_is_complete(name):
    op = OPERATORS[name]
    assert op.name == name
    assert op.types is None or (op.types and set(op.types) <= set(TYPES))
    assert op.value in (ops.CONSTANT, ops.BOUND, ops.LIST, ops.COUNT, ops.MONTHS, ops.FLAG)
    assert callable(op.value.read) and callable(op.value.schema)
    assert op.phrase.strip() and op.description.strip()
    if op is PRESENCE:
        assert op.test is None and op.phrase_not.strip() and op.witness == ""
        return
    assert callable(op.test) and "{}" in op.phrase
    assert op.witness in ops.WITNESS_ROLES
    if op.each:
        assert op.value.is_list and op.durable is None
        assert OPERATORS[op.each].durable is not None and OPERATORS[op.each].types is not None
        assert set(op.types) <= set(OPERATORS[op.each].types)
    else:
        assert op.durable.reads in ops.DURABLE_READS
        assert op.durable.op in durable._NEGATE or op.durable.op == "window"


def test_the_keys_of_a_condition_are_declared_once_and_do_not_clash():
    groups = [list(COMBINATORS), list(ops.RULE_REF_KEYS), [ops.FIELD_KEY], list(OPERATORS)]
    keys = [k for g in groups for k in g]
    assert len(keys) == len(set(keys))
    assert ops.ALL_OPERATORS == list(COMBINATORS) + [ops.RULE_KEY, ops.FIELD_KEY] + list(OPERATORS)
    for c in COMBINATORS.values():
        assert c.logic in ("and", "or", "not") and c.phrase.count("{}") == 1 and c.description.strip()


def test_every_type_has_operators_and_an_order_of_names_that_messages_rely_on():
    """Every type can be compared; operator type lists follow the registry order (messages list them)."""
    for t in TYPES:
        assert any(op.fits(t) and op is not PRESENCE for op in OPERATORS.values()), t
    for op in OPERATORS.values():
        if op.types is not None:
            assert list(op.types) == [t for t in TYPES if t in op.types]


# -- loading answers and compiling conditions ----------------------------------------------------

@pytest.mark.parametrize("name", TYPES)
def test_each_type_checks_and_quickly_accepts_its_sample(name):
    q = question(name)
    n = node(SAMPLE_YAML[name])
    value = loader.check_value(n, q)
    assert loader.quick_value(n.value, q) == value
    assert loader.quick_value(object(), q) is NOT_SURE


@pytest.mark.parametrize("name", TYPES)
def test_each_type_loads_from_a_questions_file(name):
    keys = [f"type: {name}", "vraag: v"] + (["waarden: [x, y, z]"] if QUESTION_TYPES[name].choices else []) \
        + (["minimum: 0"] if QUESTION_TYPES[name].numeric else [])
    text = "vragen: {a.b: {" + ", ".join(keys) + "}}"
    q = loader.load_questions(Node(load_yaml_text(text, "x.yaml"), "x.yaml", ""))["a.b"]
    assert q.type == name and bool(q.values) == QUESTION_TYPES[name].choices


@pytest.mark.parametrize("op, qtype", pairs(), ids=PAIR_IDS)
def test_each_operator_compiles_evaluates_and_reads_in_dutch(op, qtype):
    cond, q = compiled(op, qtype)
    assert isinstance(cond, Present if op is PRESENCE else Compare)
    answer = loader.check_value(node(SAMPLE_YAML[qtype]), q)
    assert evaluate(cond, {q.path: answer}, {}, AS_OF) in (True, False)
    assert evaluate(cond, {}, {}, AS_OF) is (False if op is PRESENCE else None)
    if not op.uses_as_of:  # only an operator that says so depends on the peildatum
        for day in (dt.date(1990, 1, 1), dt.date(2023, 6, 1), dt.date(2050, 12, 31)):
            assert evaluate(cond, {q.path: answer}, {}, day) == evaluate(cond, {q.path: answer}, {}, AS_OF)
    text = describe(cond)
    assert text.startswith(q.path + " ") and requirement(cond).strip() and "{}" not in text


@pytest.mark.parametrize("op", [op for op in OPERATORS.values() if op.types is not None], ids=lambda op: op.name)
def test_each_operator_refuses_the_types_it_does_not_accept(op):
    for qtype in TYPES:
        if op.fits(qtype):
            continue
        q = question(qtype)
        text = f"{{veld: {q.path}, {op.name}: {SAMPLE_YAML[qtype]}}}"
        with pytest.raises(KaderFout) as exc:
            compile_condition(Node(load_yaml_text(text, "x.yaml"), "x.yaml", ""), {q.path: q})
        assert exc.value.problems[0].code == "KT304"
        assert f"'{op.name}' werkt op: {', '.join(op.types)}." == exc.value.problems[0].hint


# -- JSON Schema -----------------------------------------------------------------------------------

def test_every_type_is_in_the_questions_schema():
    schema = js.questions_schema()
    vraag = schema["$defs"]["vraag"]
    assert vraag["properties"]["type"]["enum"] == list(TYPES)
    for t in QUESTION_TYPES.values():
        assert f"{t.name} = {t.label}" in vraag["properties"]["type"]["description"]
    choices, numeric = (rule_["if"]["properties"]["type"]["enum"] for rule_ in vraag["allOf"])
    assert choices == [t for t in TYPES if QUESTION_TYPES[t].choices]
    assert numeric == [t for t in TYPES if QUESTION_TYPES[t].numeric]


@pytest.mark.parametrize("name", TYPES)
def test_each_type_has_an_answer_schema(name):
    schema = js.fact_schema(question(name))
    assert schema["anyOf"][0] == QUESTION_TYPES[name].answer_schema(question(name))
    json.dumps(schema)


def test_every_operator_is_in_the_rule_schema_generic_and_per_type():
    generic = js.rule_schema(None)["$defs"]["voorwaarde"]
    shapes = {k for shape in generic["anyOf"] for k in shape["properties"]}
    assert set(OPERATORS) | set(COMBINATORS) | set(ops.RULE_REF_KEYS) | {ops.FIELD_KEY} == shapes
    for name in OPERATORS:
        assert name in generic["description"]
    for qtype in TYPES:
        values = js._operator_values(qtype, CHOICES if QUESTION_TYPES[qtype].choices else ())
        assert list(values) == list(OPERATORS)
        for op in OPERATORS.values():
            assert (values[op.name] is False) == (not op.fits(qtype)), (op.name, qtype)
            if values[op.name] is not False:
                assert values[op.name]["description"].startswith(op.description)


# -- the durable backend ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", TYPES)
def test_each_type_has_a_durable_encoding(name):
    t = QUESTION_TYPES[name]
    answer = loader.check_value(node(SAMPLE_YAML[name]), question(name))
    if t.durable == "members":
        assert durable._members("a.veld", name, answer) == answer
        return
    assert t.durable in durable._ENCODERS
    json.loads(durable._scalar("a.veld", name, answer))
    json.loads(durable._placeholder(name))


@pytest.mark.parametrize("op, qtype", pairs(), ids=PAIR_IDS)
def test_each_operator_translates_to_durable_tests(op, qtype):
    cond, q = compiled(op, qtype)
    lowered = durable._leaf(cond)
    dnfs = [durable._dnf(lowered, True), durable._dnf(lowered, False)]
    assert all(dnfs)
    for dnf in dnfs:
        for term in dnf:
            for slot, dop, const in term:
                assert dop in durable._NEGATE and slot[1] == q.path
                json.loads(const)


# -- the norm check ------------------------------------------------------------------------------

def test_every_witness_strategy_is_implemented():
    used = {t.witness for t in QUESTION_TYPES.values()}
    assert used <= set(normcheck._DOMAINS) | {normcheck.DATED}


@pytest.mark.parametrize("op, qtype", pairs(), ids=PAIR_IDS)
def test_the_norm_check_finds_both_outcomes_of_each_operator(op, qtype):
    """One leaf alone can be true and false: the answers the norm check tries tell its values apart."""
    cond, q = compiled(op, qtype)
    found = normcheck.witnesses(rule(cond), {q.path: q})
    expected = {Status.VOLDOET, Status.VOLDOET_NIET} | (set() if op is PRESENCE else {Status.ONBEKEND})
    assert found is not None and set(found) == expected
    for status, w in found.items():
        for value in w.facts.values():
            shown = list(value) if isinstance(value, tuple) else value
            assert loader.quick_value(shown, q) is not NOT_SURE, (status, value)


# -- no second list in the consumers -------------------------------------------------------------

PACKAGE = Path(kadertoets.__file__).resolve().parent
CONSUMERS = ("evaluate/conditions.py", "evaluate/backends/durable.py", "validate/normcheck.py",
             "editors/jsonschema.py", "load/questions.py", "load/facts.py")
# String constants that equal a registry name but are genuinely something else, or must be spelled:
ALLOWED = {
    # the fixed team fields (team.taken.jeugd, team.gemeente, ...) are declared like questions, with their type
    ("evaluate/conditions.py", "ja_nee"),
    ("evaluate/conditions.py", "tekst"),
    # 'datum' is also a key of other mappings (a deadline, ingevuld_door), not the question type
    ("editors/jsonschema.py", "datum"),
}


def _constants(path: Path):
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.value


def test_no_consumer_spells_a_type_or_operator_name():
    names = set(TYPES) | set(OPERATORS) | set(COMBINATORS)
    for module in CONSUMERS:
        spelled = {value for value in _constants(PACKAGE / module) if value in names}
        unexpected = {value for value in spelled if (module, value) not in ALLOWED}
        assert not unexpected, f"{module} spells {sorted(unexpected)}: use the registry (operators.py / questiontypes.py)"


def test_the_registries_are_the_only_definitions():
    """The old tables are gone from the consumers (no FIELD_OPS, OP_TEXT, TYPE_LABEL, _PLACEHOLDER)."""
    gone = {"FIELD_OPS", "OP_TEXT", "TYPE_LABEL", "SCALAR_EQ", "ORDERED", "_PLACEHOLDER", "_ORDER_OPS", "_NUMERIC"}
    for module in CONSUMERS:
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        assigned = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
        assert not assigned & gone, (module, assigned & gone)
