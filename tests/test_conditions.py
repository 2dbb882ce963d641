"""The condition language: compile-time checks and three-valued evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from kadertoets.evaluate.conditions import All, Any_, Compare, Not, Present, compile_condition, evaluate, months_before
from kadertoets.infra.errors import KaderFout
from kadertoets.model import Question, Status
from kadertoets.infra.located import Node
from kadertoets.infra.yamlload import load_yaml_text

Q = {
    "a.aantal": Question("a.aantal", "geheel_getal", "?"),
    "a.fte": Question("a.fte", "getal", "?"),
    "a.keuze": Question("a.keuze", "keuze", "?", values=("geen", "concept", "vastgesteld")),
    "a.lijst": Question("a.lijst", "meerkeuze", "?", values=("x", "y", "z")),
    "a.datum": Question("a.datum", "datum", "?"),
    "a.tekst": Question("a.tekst", "tekst", "?"),
    "a.bool": Question("a.bool", "ja_nee", "?"),
}
AS_OF = dt.date(2023, 3, 1)


def comp(text: str):
    return compile_condition(Node(load_yaml_text(text, "r.yaml"), "r.yaml"), Q, {"R-X-01"})


def ev(cond, env, statuses=None):
    return evaluate(cond, env, statuses or {}, AS_OF)


def test_compiles_nested_condition():
    cond = comp("alle:\n  - {veld: a.aantal, min: 1}\n  - een_van:\n      - {veld: a.keuze, is: concept}\n"
                "      - niet: {veld: a.bool, is: true}\n")
    assert isinstance(cond, All) and isinstance(cond.parts[1], Any_) and isinstance(cond.parts[1].parts[1], Not)


@pytest.mark.parametrize("text,needle,line", [
    ("{veld: a.aantl, min: 1}", "Bedoelde u 'a.aantal'", 1),
    ("{veld: a.aantal, minn: 1}", "onbekende operator", 1),
    ("{veld: a.aantal, min: '1'}", "verwacht een getal", 1),
    ("{veld: a.keuze, is: vastgestelt}", "Bedoelde u 'vastgesteld'", 1),
    ("{veld: a.keuze, min: 1}", "past niet bij veld", 1),
    ("{veld: a.tekst, is: 3}", "verwacht tekst", 1),
    ("{veld: a.aantal, min: 1, max: 3}", "precies één operator", 1),
    ("{regel: R-Y-01, status: voldoet}", "onbekende regel", 1),
    ("{regel: R-X-01, status: klaar}", "ongeldige waarde", 1),
    ("alle: []", "mag niet leeg zijn", 1),
    ("\nalle:\n  - {veld: a.aantal, min: 1}\n  - {veld: a.fte, is: ja}\n", "verwacht een getal", 4),
    ("{veld: a.lijst, bevat: w}", "geen toegestane waarde", 1),
])
def test_compile_errors_are_located(text, needle, line):
    with pytest.raises(KaderFout) as exc:
        comp(text)
    problem = exc.value.problems[0]
    assert needle in problem.render()
    assert problem.file == "r.yaml" and problem.line == line


def test_kleene_and_or_not():
    known_false = Compare("a.aantal", "min", 5, "geheel_getal")
    unknown = Compare("a.fte", "min", 1, "getal")
    known_true = Present("a.aantal", True)
    env = {"a.aantal": 2}
    assert ev(All((known_false, unknown)), env) is False
    assert ev(All((known_true, unknown)), env) is None
    assert ev(Any_((known_true, unknown)), env) is True
    assert ev(Any_((known_false, unknown)), env) is None
    assert ev(Not(unknown), env) is None
    assert ev(Not(known_false), env) is True


@pytest.mark.parametrize("text,env,expected", [
    ("{veld: a.aantal, min: 2}", {"a.aantal": 2}, True),
    ("{veld: a.aantal, groter_dan: 2}", {"a.aantal": 2}, False),
    ("{veld: a.fte, max: 16.5}", {"a.fte": 16.5}, True),
    ("{veld: a.fte, kleiner_dan: 16.5}", {"a.fte": 16.5}, False),
    ("{veld: a.keuze, in: [concept, vastgesteld]}", {"a.keuze": "geen"}, False),
    ("{veld: a.keuze, niet_in: [concept]}", {"a.keuze": "geen"}, True),
    ("{veld: a.keuze, is_niet: geen}", {}, None),
    ("{veld: a.lijst, bevat: y}", {"a.lijst": ("x", "y")}, True),
    ("{veld: a.lijst, aantal_min: 3}", {"a.lijst": ("x", "y")}, False),
    ("{veld: a.datum, binnen_maanden: 12}", {"a.datum": dt.date(2022, 3, 1)}, True),
    ("{veld: a.datum, binnen_maanden: 12}", {"a.datum": dt.date(2022, 2, 28)}, False),
    ("{veld: a.datum, binnen_maanden: 12}", {"a.datum": dt.date(2023, 3, 2)}, False),
    ("{veld: a.datum, min: 2023-01-01}", {"a.datum": dt.date(2023, 1, 1)}, True),
    ("{veld: a.bool, aanwezig: false}", {}, True),
    ("{veld: a.bool, aanwezig: true}", {}, False),
    ("{veld: a.tekst, is: x}", {"a.tekst": "x"}, True),
])
def test_operators(text, env, expected):
    assert ev(comp(text), env) is expected


def test_rule_reference_statuses():
    cond = comp("{regel: R-X-01, status: [voldoet, deels]}")
    assert ev(cond, {}, {"R-X-01": Status.DEELS}) is True
    assert ev(cond, {}, {"R-X-01": Status.VOLDOET_NIET}) is False
    assert ev(cond, {}, {"R-X-01": Status.ONBEKEND}) is None
    assert ev(cond, {}, {}) is None


def test_months_before_clamps_month_end():
    assert months_before(dt.date(2023, 3, 31), 1) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2023, 1, 15), 13) == dt.date(2021, 12, 15)


def test_months_before_never_leaves_the_calendar():
    assert months_before(dt.date(1, 3, 1), 12) == dt.date.min
    cond = comp("{veld: a.datum, binnen_maanden: 1200}")
    assert ev(cond, {"a.datum": dt.date(1990, 1, 1)}) is True


def test_huge_numbers_are_refused_at_load():
    with pytest.raises(KaderFout, match="onrealistisch groot"):
        comp("{veld: a.aantal, min: 99999999999999999999}")
    with pytest.raises(KaderFout, match="hoogstens 1200"):
        comp("{veld: a.datum, binnen_maanden: 5000}")
