"""normcheck decides exactly which statuses a rule can give: narrow number intervals, integers,
windows of months against fixed dates, large meerkeuze questions, compared with brute force over
dense grids (no status reported unreachable that a situation gives, and a witness for every status
reported reachable)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINI, ROOT
from kadertoets.evaluate.conditions import TEAM_FIELDS, All, Any_, Compare, Not, Present, RuleRef, evaluate, months_before
from kadertoets.infra.errors import KaderFout
from kadertoets.evaluate.evaluation import decide, rule_conditions
from kadertoets.validate.semantic import validated_kader
from kadertoets.load.kader import load_kader
from kadertoets.editors.lint import lint
from kadertoets.model import Question, Rule, Status
from kadertoets.validate.normcheck import AS_OF, norm_problems, reachable_statuses, witnesses

NORM_CODES = {"KT401", "KT402", "KT403", "KT404"}


def rule(meets, partly=None, applies=None) -> Rule:
    return Rule("T-X-01", "Test", "Test", "Test.", (), "afgeleid", "Test.", "lokaal_team", applies, meets, partly,
                None, (), None, "<test>")


def num(field, op, value, ftype="getal"):
    return Compare(field, op, value, ftype)


def codes(r: Rule, questions: dict) -> set[str]:
    return {code for code, _, _ in norm_problems(r, questions)}


def status_of(r: Rule, facts: dict, statuses: dict | None = None, as_of: dt.date = AS_OF) -> Status:
    truths = {part: evaluate(c, facts, statuses or {}, as_of) for part, c in rule_conditions(r).items()}
    return decide(truths)[0]


def assert_witnesses(r: Rule, questions: dict) -> dict:
    """Every witness normcheck gives is an allowed answer and really gives its status."""
    found = witnesses(r, questions)
    assert found is not None
    for status, w in found.items():
        for path, value in w.facts.items():
            q = questions.get(path) or TEAM_FIELDS[path]
            if q.type in ("geheel_getal", "getal"):
                assert not isinstance(value, bool)
                assert isinstance(value, int) if q.type == "geheel_getal" else isinstance(value, (int, float))
                assert q.minimum is None or value >= q.minimum
                assert q.maximum is None or value <= q.maximum
            if q.type == "meerkeuze":
                assert set(value) <= set(q.values) and len(set(value)) == len(value)
        assert status_of(r, w.facts, w.statuses, w.as_of) == status, (status, w)
    return found


# -- the reported case: an open interval narrower than the old ±0.5 steps ------------------------

FOR_02_NORM = """  voldoet:
    een_van:
      - veld: formatie.gedragswetenschapper_fte
        min: 0.8
      - veld: expertise.consultatie_gedragswetenschapper
        is: structureel
  deels:
    alle:
      - {veld: formatie.gedragswetenschapper_fte, groter_dan: 0.4}
      - {veld: formatie.gedragswetenschapper_fte, kleiner_dan: 0.8}
"""
FOR_02_EXAMPLES = """voorbeelden:
  - {naam: "0,8 fte", feiten: {formatie.gedragswetenschapper_fte: 0.8}, verwacht: voldoet}
  - naam: "0,6 fte, geen consultatie"
    feiten: {formatie.gedragswetenschapper_fte: 0.6, expertise.consultatie_gedragswetenschapper: geen}
    verwacht: deels
  - naam: "0,2 fte, geen consultatie"
    feiten: {formatie.gedragswetenschapper_fte: 0.2, expertise.consultatie_gedragswetenschapper: geen}
    verwacht: voldoet_niet
  - {naam: "niets bekend", verwacht: onbekend}
"""


@pytest.fixture
def narrow_for_02(tmp_path) -> Path:
    folder = tmp_path / "kader"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    path = folder / "rules" / "KLT-FOR-02.yaml"
    text = path.read_text(encoding="utf-8")
    start, middle, end = text.index("  voldoet:\n"), text.index("actie:\n"), text.index("voorbeelden:\n")
    path.write_text(text[:start] + FOR_02_NORM + text[middle:end] + FOR_02_EXAMPLES, encoding="utf-8")
    return folder


def test_a_deels_between_two_close_thresholds_is_reachable(narrow_for_02):
    report = lint(narrow_for_02)
    assert not [f for f in report.findings if f.code in NORM_CODES | {"KT506"}], report.findings
    kader = load_kader(narrow_for_02)  # loads: no norm error blocks the commands
    r = kader.rules["KLT-FOR-02"]
    facts = {"formatie.gedragswetenschapper_fte": 0.6, "expertise.consultatie_gedragswetenschapper": "geen"}
    assert status_of(r, facts) == Status.DEELS
    found = assert_witnesses(r, kader.questions)
    assert set(found) == {Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND}
    assert 0.4 < found[Status.DEELS].facts["formatie.gedragswetenschapper_fte"] < 0.8


# -- integers and floats: the narrowest intervals -------------------------------------------------

COUNT = {"a.aantal": Question("a.aantal", "geheel_getal", "Hoeveel?", minimum=0)}
FTE = {"a.fte": Question("a.fte", "getal", "Hoeveel fte?", minimum=0)}


def between(field, low, high, ftype="getal"):
    return All((num(field, "groter_dan", low, ftype), num(field, "kleiner_dan", high, ftype)))


def test_an_integer_strictly_between_two_and_four_is_three():
    r = rule(num("a.aantal", "min", 4, "geheel_getal"), between("a.aantal", 2, 4, "geheel_getal"))
    assert codes(r, COUNT) == set()
    assert assert_witnesses(r, COUNT)[Status.DEELS].facts == {"a.aantal": 3}


def test_no_integer_lies_strictly_between_two_and_three():
    r = rule(num("a.aantal", "min", 4, "geheel_getal"), between("a.aantal", 2, 3, "geheel_getal"))
    assert codes(r, COUNT) == {"KT402"}


@pytest.mark.parametrize("low,high,reachable", [(2.5, 3.5, True), (2.2, 2.8, False), (2.0, 3.0, False),
                                                (-0.5, 0.5, True), (2.5, 3.0, False)])
def test_integers_between_fractional_thresholds(low, high, reachable):
    r = rule(num("a.aantal", "min", 10, "geheel_getal"), between("a.aantal", low, high, "geheel_getal"))
    assert (Status.DEELS in reachable_statuses(r, COUNT)) is reachable


def test_the_integer_deels_in_the_mini_kader(tmp_path):
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    path = folder / "rules" / "T-A-01.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  voldoet: {veld: a.aantal, min: 2}\n  deels: {veld: a.aantal, min: 1}\n",
                        "  voldoet: {veld: a.aantal, min: 4}\n"
                        "  deels: {alle: [{veld: a.aantal, groter_dan: 2}, {veld: a.aantal, kleiner_dan: 4}]}\n")
    text = text.replace("{naam: twee, feiten: {a.aantal: 2}, verwacht: voldoet}",
                        "{naam: vier, feiten: {a.aantal: 4}, verwacht: voldoet}")
    text = text.replace("{naam: een, feiten: {a.aantal: 1}, verwacht: deels}",
                        "{naam: drie, feiten: {a.aantal: 3}, verwacht: deels}")
    path.write_text(text, encoding="utf-8")
    assert not [f for f in lint(folder).findings if f.code in NORM_CODES]
    load_kader(folder, "1.0")
    path.write_text(text.replace("kleiner_dan: 4}", "kleiner_dan: 3}"), encoding="utf-8")
    assert [f.code for f in lint(folder).findings if f.code in NORM_CODES] == ["KT402"]
    with pytest.raises(KaderFout):
        validated_kader(folder, "1.0")


def test_adjacent_floats_leave_no_room_but_one_float_between_is_found():
    a = 0.1
    b = math.nextafter(a, 1)
    c = math.nextafter(b, 1)
    assert codes(rule(num("a.fte", "min", 5), between("a.fte", a, b)), FTE) == {"KT402"}
    found = assert_witnesses(rule(num("a.fte", "min", 5), between("a.fte", a, c)), FTE)
    assert found[Status.DEELS].facts == {"a.fte": b}


def test_the_question_bounds_limit_the_answers():
    bounded = {"a.fte": Question("a.fte", "getal", "?", minimum=0, maximum=1)}
    assert codes(rule(num("a.fte", "groter_dan", 1)), bounded) == {"KT401"}
    assert codes(rule(num("a.fte", "max", 0)), bounded) == set()
    assert assert_witnesses(rule(num("a.fte", "max", 0)), bounded)[Status.VOLDOET].facts == {"a.fte": 0}
    between_bounds = rule(All((num("a.fte", "groter_dan", 0), num("a.fte", "kleiner_dan", 1e-9))))
    assert codes(between_bounds, bounded) == set()


# -- dates: windows of months against fixed dates, over every as-of date --------------------------

DATE = {"b.datum": Question("b.datum", "datum", "Wanneer?")}


def test_a_window_and_a_fixed_date_depend_on_the_as_of_date():
    """Recent (within 12 months) and after 2025-01-01: impossible on 2024-01-01, possible later."""
    r = rule(All((Compare("b.datum", "binnen_maanden", 12, "datum"),
                  Compare("b.datum", "min", dt.date(2025, 1, 1), "datum"))))
    assert codes(r, DATE) == set()
    w = assert_witnesses(r, DATE)[Status.VOLDOET]
    assert w.facts["b.datum"] >= dt.date(2025, 1, 1) and w.as_of >= w.facts["b.datum"]


def test_a_date_after_the_as_of_date_is_outside_every_window():
    six, long = (Compare("b.datum", "binnen_maanden", m, "datum") for m in (6, 600))
    assert codes(rule(All((six, Not(long)))), DATE) == {"KT401"}  # within 6 months is within 600
    w = assert_witnesses(rule(six, Not(long)), DATE)[Status.DEELS]
    assert w.facts["b.datum"] > w.as_of or w.facts["b.datum"] < months_before(w.as_of, 600)


def test_a_fixed_date_in_a_window_at_the_end_of_february():
    """2024-01-30 lies within a month of the as-of date only from 2024-01-30 to 2024-02-29 (a month
    before 2024-03-01 is 2024-02-01): not on the default as-of date, so those are tried too."""
    r = rule(All((Compare("b.datum", "binnen_maanden", 1, "datum"),
                  Compare("b.datum", "is", dt.date(2024, 1, 30), "datum"))))
    assert codes(r, DATE) == set()
    assert dt.date(2024, 1, 30) <= assert_witnesses(r, DATE)[Status.VOLDOET].as_of <= dt.date(2024, 2, 29)
    never = rule(All((Compare("b.datum", "binnen_maanden", 0, "datum"),
                      Compare("b.datum", "is", dt.date(2024, 1, 30), "datum"),
                      Compare("b.datum", "groter_dan", dt.date(2024, 1, 30), "datum"))))
    assert codes(never, DATE) == {"KT401"}


# -- meerkeuze: more values than could all be tried before -----------------------------------------

MANY = {"c.opties": Question("c.opties", "meerkeuze", "Welke?", values=tuple("abcdefghij"))}


def test_a_large_meerkeuze_is_decided():
    contains = lambda v: Compare("c.opties", "bevat", v, "meerkeuze")
    at_least = lambda n: Compare("c.opties", "aantal_min", n, "meerkeuze")
    r = rule(All((contains("a"), at_least(9))), All((Not(contains("a")), at_least(9))))
    found = assert_witnesses(r, MANY)
    assert Status.DEELS in found and len(found[Status.DEELS].facts["c.opties"]) == 9
    assert codes(rule(All((Not(contains("a")), at_least(10)))), MANY) == {"KT401"}


# -- brute force -----------------------------------------------------------------------------------

QUARTERS = [x / 4 for x in range(-8, 13)]  # thresholds: -2 .. 3 in steps of 0.25
HALVES = [x / 2 for x in range(-6, 7)]  # integer thresholds and bounds: -3 .. 3 in steps of 0.5
REF = "T-R-01"


def leaf(fields):
    x = st.sampled_from(["min", "max", "groter_dan", "kleiner_dan", "is", "is_niet"]).flatmap(
        lambda op: st.sampled_from(QUARTERS).map(lambda v: num("x", op, v)))
    y_order = st.sampled_from(["min", "max", "groter_dan", "kleiner_dan"]).flatmap(
        lambda op: st.sampled_from(HALVES).map(lambda v: num("y", op, v, "geheel_getal")))
    y_equal = st.sampled_from(["is", "is_niet"]).flatmap(
        lambda op: st.integers(-3, 3).map(lambda v: num("y", op, v, "geheel_getal")))
    y_in = st.tuples(st.sampled_from(["in", "niet_in"]), st.lists(st.integers(-3, 3), min_size=1, max_size=3,
                                                                   unique=True)).map(
        lambda t: num("y", t[0], tuple(t[1]), "geheel_getal"))
    options = [x] if "x" in fields else []
    if "y" in fields:
        options += [y_order, y_equal, y_in]
    options.append(st.builds(Present, st.sampled_from(sorted(fields)), st.booleans()))
    options.append(st.builds(RuleRef, st.just(REF), st.frozensets(st.sampled_from(list(Status)), min_size=1)))
    return st.one_of(options)


def conditions(fields):
    return st.recursive(leaf(fields), lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: All(tuple(ps))),
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: Any_(tuple(ps))),
        inner.map(Not)), max_leaves=5)


@st.composite
def numeric_cases(draw):
    fields = draw(st.sampled_from([("x",), ("y",), ("x", "y")]))
    cond = conditions(fields)
    r = rule(draw(cond), draw(st.none() | cond), draw(st.none() | cond))
    questions = {}
    if "x" in fields:
        lo = draw(st.none() | st.sampled_from(QUARTERS))
        hi = draw(st.none() | st.sampled_from([v for v in QUARTERS if lo is None or v >= lo]))
        questions["x"] = Question("x", "getal", "?", minimum=lo, maximum=hi)
    if "y" in fields:
        lo = draw(st.none() | st.sampled_from(HALVES))
        hi = draw(st.none() | st.sampled_from([v for v in HALVES if (lo is None or v >= lo)]))
        questions["y"] = Question("y", "geheel_getal", "?", minimum=lo, maximum=hi)
    return r, questions


def grid(q: Question) -> list:
    """Every allowed answer on a grid far finer than the thresholds, well below and above them."""
    if q.type == "getal":
        values = [x / 16 for x in range(-64, 81)]  # -4 .. 5 in steps of 1/16
    else:
        values = list(range(-6, 7))
    return [v for v in values if (q.minimum is None or v >= q.minimum) and (q.maximum is None or v <= q.maximum)]


def brute_force(r: Rule, questions: dict, as_of_dates=(AS_OF,)) -> set[Status]:
    names = sorted(questions)
    domains = [grid(questions[n]) + [None] for n in names]
    found = set()
    for as_of in as_of_dates:
        for values in itertools.product(*domains):
            facts = {n: v for n, v in zip(names, values) if v is not None}
            for ref in Status:
                found.add(status_of(r, facts, {REF: ref}, as_of))
    return found


@settings(max_examples=200, deadline=None)
@given(case=numeric_cases())
def test_numbers_match_brute_force(case):
    r, questions = case
    assert reachable_statuses(r, questions) == brute_force(r, questions)


@settings(max_examples=100, deadline=None)
@given(case=numeric_cases())
def test_every_reachable_status_has_a_witness(case):
    r, questions = case
    assert set(assert_witnesses(r, questions)) == reachable_statuses(r, questions)


# dates: fixed dates around the end of February 2024 (clamping), windows of 0-2 months; brute force
# over every day and every as-of date in a span that holds every change of order
FIXED_DATES = [dt.date(2024, 1, 25) + dt.timedelta(days=k) for k in range(0, 41)]  # 2024-01-25 .. 2024-03-05
DAYS = [dt.date(2023, 11, 10) + dt.timedelta(days=k) for k in range(0, 224)]  # 2023-11-10 .. 2024-06-20
AS_OF_SPAN = [dt.date(2024, 1, 20) + dt.timedelta(days=k) for k in range(0, 117)]  # .. 2024-05-15


def date_leaf():
    fixed = st.sampled_from(["min", "max", "groter_dan", "kleiner_dan", "is", "is_niet"]).flatmap(
        lambda op: st.sampled_from(FIXED_DATES).map(lambda v: Compare("d", op, v, "datum")))
    window = st.integers(0, 2).map(lambda m: Compare("d", "binnen_maanden", m, "datum"))
    return st.one_of(fixed, window, st.builds(Present, st.just("d"), st.booleans()))


def window_and_dates():
    """A window together with fixed dates: the conditions whose outcome depends on the as-of date."""
    window = st.integers(0, 2).map(lambda m: Compare("d", "binnen_maanden", m, "datum"))
    return st.tuples(window | window.map(Not), st.lists(date_leaf(), min_size=1, max_size=2)).map(
        lambda t: All((t[0],) + tuple(t[1])))


date_conditions = st.one_of(window_and_dates(), st.recursive(date_leaf(), lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3).map(lambda ps: All(tuple(ps))),
    st.lists(inner, min_size=1, max_size=3).map(lambda ps: Any_(tuple(ps))),
    inner.map(Not)), max_leaves=4))


@settings(max_examples=25, deadline=None)
@given(meets=date_conditions, partly=st.none() | date_conditions)
def test_dates_match_brute_force_over_as_of_dates(meets, partly):
    r = rule(meets, partly)
    questions = {"d": Question("d", "datum", "?")}
    found = set()
    for as_of in AS_OF_SPAN:
        for day in DAYS + [None]:
            found.add(status_of(r, {} if day is None else {"d": day}, {}, as_of))
    assert set(assert_witnesses(r, questions)) == found


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_meerkeuze_matches_brute_force(data):
    values = tuple("abcdefg")
    q = Question("m", "meerkeuze", "?", values=values)
    leaf = st.one_of(st.sampled_from(values).map(lambda v: Compare("m", "bevat", v, "meerkeuze")),
                     st.integers(0, 8).map(lambda n: Compare("m", "aantal_min", n, "meerkeuze")),
                     st.builds(Present, st.just("m"), st.booleans()))
    cond = st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: All(tuple(ps))),
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: Any_(tuple(ps))),
        inner.map(Not)), max_leaves=5)
    r = rule(data.draw(cond), data.draw(st.none() | cond))
    subsets = [tuple(c) for n in range(len(values) + 1) for c in itertools.combinations(values, n)]
    found = {status_of(r, {} if s is None else {"m": s}) for s in subsets + [None]}
    assert set(assert_witnesses(r, {"m": q})) == found


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_choices_and_texts_match_brute_force(data):
    """keuze (k), tekst (t) and the always known team.gemeente: every value the rule mentions and one
    it does not stand for all answers."""
    values = ("geen", "concept", "vastgesteld", "herzien")
    texts = ("Eemnes", "Baarn", "Soest")
    questions = {"k": Question("k", "keuze", "?", values=values), "t": Question("t", "tekst", "?")}
    pick = lambda field, pool: st.one_of(
        st.sampled_from(["is", "is_niet"]).flatmap(
            lambda op: st.sampled_from(pool).map(lambda v: Compare(field, op, v, "tekst"))),
        st.tuples(st.sampled_from(["in", "niet_in"]), st.lists(st.sampled_from(pool), min_size=1, max_size=3,
                                                               unique=True)).map(
            lambda t: Compare(field, t[0], tuple(t[1]), "tekst")))
    leaf = st.one_of(pick("k", values), pick("t", texts), pick("team.gemeente", texts),
                     st.builds(Present, st.sampled_from(["k", "t"]), st.booleans()))
    cond = st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: All(tuple(ps))),
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: Any_(tuple(ps))),
        inner.map(Not)), max_leaves=5)
    r = rule(data.draw(cond), data.draw(st.none() | cond), data.draw(st.none() | cond))
    found = set()
    for k, t, gemeente in itertools.product(values + (None,), texts + ("Laren", None), texts + ("Laren",)):
        facts = {n: v for n, v in (("k", k), ("t", t), ("team.gemeente", gemeente)) if v is not None}
        found.add(status_of(r, facts))
    assert set(assert_witnesses(r, questions)) == found
