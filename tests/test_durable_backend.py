"""The durable backend returns exactly what the python backend returns, including the cases where
durable-rules 2.0.28 itself goes wrong (mixed types, exponent floats, the alpha-node cap, swallowed
exceptions, background threads)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest

pytest.importorskip("durable", reason="durable-rules is niet geïnstalleerd (pip install '.[durable]'; "
                                      "alleen Python 3.11/3.12): de durable-backend wordt overgeslagen")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kadertoets.evaluate.backends import durable as durable_mod  # noqa: E402
from kadertoets.evaluate.backends.durable import ALPHA_BUDGET, ALPHA_LIMIT, DurableBackend, durable_unavailable_reason  # noqa: E402
from kadertoets.evaluate.backends.python import PythonBackend  # noqa: E402
from kadertoets.evaluate.conditions import compile_condition  # noqa: E402
from kadertoets.infra.errors import KaderFout  # noqa: E402
from kadertoets.model import ActionTemplate, Deadline, Question, Rule, Status  # noqa: E402
from kadertoets.infra.located import Node  # noqa: E402

Q = {
    "a.bool": Question("a.bool", "ja_nee", "?"),
    "a.aantal": Question("a.aantal", "geheel_getal", "?"),
    "a.fte": Question("a.fte", "getal", "?"),
    "a.tekst": Question("a.tekst", "tekst", "?"),
    "a.datum": Question("a.datum", "datum", "?"),
    "a.keuze": Question("a.keuze", "keuze", "?", values=("geen", "concept", "vastgesteld")),
    "a.lijst": Question("a.lijst", "meerkeuze", "?", values=("x", "y", "z", "w")),
}
RULE_IDS = {"R-A", "R-B"}
AS_OF = dt.date(2023, 3, 1)
ACTION = ActionTemplate("doen", "rol", Deadline("d", dt.date(2024, 1, 1), "deadline"), False)

if durable_unavailable_reason():
    pytest.skip(f"durable-rules niet bruikbaar: {durable_unavailable_reason()}", allow_module_level=True)


def cond(value):
    return compile_condition(Node(value, "test.yaml"), Q, RULE_IDS)


_ids = itertools.count()


def rule(meets, applies=None, partly=None, rid=None):
    return Rule(
        id=rid or f"T-{next(_ids)}", title="t", theme="t", explanation="t", sources=(), norm_origin="bron",
        norm_note=None, responsible="lokaal_team",
        applies=cond(applies) if applies is not None else None,
        meets=cond(meets),
        partly=cond(partly) if partly is not None else None,
        action=ACTION, examples=(), change_note=None, file="test.yaml",
    )


@pytest.fixture(scope="module")
def backend():
    return DurableBackend.shared()


def agree(backend, rules, env, statuses=None, as_of=AS_OF):
    statuses = statuses or {}
    expected = PythonBackend().truths(rules, env, statuses, as_of)
    got = backend.truths(rules, env, statuses, as_of)
    assert got == expected, (env, statuses, as_of)
    return got


# ---------------------------------------------------------------- operators -------------------
OPERATOR_CASES = [
    ({"veld": "a.bool", "is": True}, [True, False]),
    ({"veld": "a.bool", "is_niet": False}, [True, False]),
    ({"veld": "a.aantal", "is": 3}, [3, 4, -3, 0]),
    ({"veld": "a.aantal", "is_niet": 3}, [3, 4]),
    ({"veld": "a.aantal", "in": [1, 3, 5]}, [1, 2, 5, 6]),
    ({"veld": "a.aantal", "niet_in": [1, 3, 5]}, [1, 2, 5, 6]),
    ({"veld": "a.aantal", "min": 2}, [1, 2, 3]),
    ({"veld": "a.aantal", "min": 2.5}, [2, 3]),
    ({"veld": "a.aantal", "max": 2}, [1, 2, 3]),
    ({"veld": "a.aantal", "groter_dan": 2}, [1, 2, 3]),
    ({"veld": "a.aantal", "kleiner_dan": 2}, [1, 2, 3]),
    ({"veld": "a.fte", "is": 16.5}, [16.5, 16, 16.50000001]),
    ({"veld": "a.fte", "min": 16.5}, [16.4999999, 16.5, 17, 16]),
    ({"veld": "a.fte", "max": 0.78}, [0.78, 0.780001, 0]),
    ({"veld": "a.fte", "groter_dan": 0}, [1e-7, 0.0, -0.0, -1e-7, 5e-324]),
    ({"veld": "a.fte", "kleiner_dan": 1e-7}, [1e-7, 1e-8, 0.0, 2e-7]),
    ({"veld": "a.fte", "min": 0.30000000000000004}, [0.3, 0.1 + 0.2, 0.31]),
    ({"veld": "a.fte", "is": 3}, [3, 3.0, 3.0000000000000004]),
    ({"veld": "a.fte", "is": 0}, [0, 0.0, -0.0]),
    ({"veld": "a.fte", "max": 1e12}, [1e12, 999999999999.5, 1e11]),  # the largest values the loader accepts
    ({"veld": "a.fte", "groter_dan": 10**12 - 1}, [10**12, 10**12 - 1, 999999999999.5]),
    ({"veld": "a.tekst", "is": "10"}, ["10", "010", "10.0", "1e1", " 10", "9"]),
    ({"veld": "a.tekst", "is_niet": "10"}, ["10", "010"]),
    ({"veld": "a.tekst", "in": ["9", "10", "true", "null"]}, ["9", "10", "11", "true", "null", "", "9 "]),
    ({"veld": "a.tekst", "niet_in": ["1", "2"]}, ["1", "01", "3"]),
    ({"veld": "a.tekst", "is": 'é"x\\n'}, ['é"x\\n', 'é"x\n', "é", 'a\\']),
    ({"veld": "a.keuze", "is": "concept"}, ["concept", "geen"]),
    ({"veld": "a.keuze", "in": ["geen", "concept"]}, ["concept", "vastgesteld"]),
    ({"veld": "a.keuze", "niet_in": ["geen"]}, ["concept", "geen"]),
    ({"veld": "a.datum", "is": dt.date(2023, 1, 31)}, [dt.date(2023, 1, 31), dt.date(2023, 2, 1)]),
    ({"veld": "a.datum", "min": dt.date(2023, 1, 31)},
     [dt.date(2023, 1, 30), dt.date(2023, 1, 31), dt.date(2024, 1, 1)]),
    ({"veld": "a.datum", "max": dt.date(2023, 1, 31)},
     [dt.date(2023, 1, 30), dt.date(2023, 2, 1), dt.date(999, 1, 1)]),
    ({"veld": "a.datum", "groter_dan": dt.date(2023, 1, 31)}, [dt.date(2023, 1, 31), dt.date(2023, 2, 1)]),
    ({"veld": "a.datum", "kleiner_dan": dt.date(2023, 1, 31)}, [dt.date(2023, 1, 31), dt.date(2022, 12, 31)]),
    ({"veld": "a.datum", "binnen_maanden": 3}, [dt.date(2022, 12, 1), dt.date(2022, 11, 30), AS_OF, dt.date(2023, 3, 2)]),
    ({"veld": "a.datum", "binnen_maanden": 0}, [AS_OF, dt.date(2023, 2, 28), dt.date(2023, 3, 2)]),
    ({"veld": "a.lijst", "bevat": "y"}, [(), ("y",), ("x", "z"), ("w", "x", "y", "z")]),
    ({"veld": "a.lijst", "aantal_min": 2}, [(), ("y",), ("x", "z"), ("w", "x", "y")]),
    ({"veld": "a.lijst", "aantal_min": 0}, [(), ("x",)]),
    ({"veld": "a.bool", "aanwezig": True}, [True, False]),
    ({"veld": "a.fte", "aanwezig": False}, [1.5]),
    ({"veld": "a.lijst", "aanwezig": True}, [(), ("x",)]),
]


@pytest.mark.parametrize("condition,values", OPERATOR_CASES, ids=lambda x: str(x)[:60])
def test_every_operator_agrees(backend, condition, values):
    r = rule(condition)
    field = condition["veld"]
    for value in values:
        agree(backend, [r], {field: value})
    got = agree(backend, [r], {})  # the field missing
    if "aanwezig" not in condition:
        assert got[r.id]["voldoet"] is None
    agree(backend, [r], {"a.andere": 1})


def test_missing_fields_are_onbekend_and_aanwezig_never_is(backend):
    r = rule({"alle": [{"veld": "a.aantal", "min": 1}, {"veld": "a.fte", "aanwezig": False}]},
             applies={"veld": "a.bool", "aanwezig": True},
             partly={"een_van": [{"veld": "a.aantal", "min": 1}, {"veld": "a.tekst", "aanwezig": True}]})
    assert agree(backend, [r], {})[r.id] == {"van_toepassing": False, "voldoet": None, "deels": None}
    assert agree(backend, [r], {"a.tekst": "x"})[r.id] == {"van_toepassing": False, "voldoet": None, "deels": True}
    assert agree(backend, [r], {"a.fte": 1.0, "a.bool": True})[r.id] == {
        "van_toepassing": True, "voldoet": False, "deels": None}
    assert agree(backend, [r], {"a.aantal": 1, "a.bool": False})[r.id] == {
        "van_toepassing": True, "voldoet": True, "deels": True}


# ---------------------------------------------------------------- combinators ------------------
LEAVES = [{"veld": "a.aantal", "min": 2}, {"veld": "a.fte", "kleiner_dan": 16.5}, {"veld": "a.keuze", "is": "geen"}]
# one value per leaf making it true, one making it false; absent = onbekend
LEAF_VALUES = [("a.aantal", 2, 1), ("a.fte", 16.4, 16.5), ("a.keuze", "geen", "concept")]


def _shapes(a, b, c):
    return [
        {"alle": [a, b, c]},
        {"een_van": [a, b, c]},
        {"niet": {"alle": [a, {"niet": b}]}},
        {"alle": [{"een_van": [a, b]}, {"niet": c}]},
        {"een_van": [{"alle": [a, {"niet": b}]}, {"niet": {"een_van": [c, a]}}]},
        {"niet": {"niet": {"een_van": [{"alle": [a, b]}, {"alle": [b, c]}, {"alle": [a, c]}]}}},
        {"alle": [{"een_van": [a, {"alle": [b, {"een_van": [c, {"niet": a}]}]}]}, {"een_van": [b, c]}]},
    ]


def test_nested_combinators_agree_on_every_three_valued_assignment(backend):
    rules = [rule(shape) for shape in _shapes(*LEAVES)]
    for assignment in itertools.product((True, False, None), repeat=3):
        env = {}
        for (field, yes, no), truth in zip(LEAF_VALUES, assignment):
            if truth is not None:
                env[field] = yes if truth else no
        agree(backend, rules, env)


# ---------------------------------------------------------------- rule references --------------
@pytest.mark.parametrize("wanted", [["voldoet"], ["voldoet", "deels"], ["onbekend"], ["nvt", "onbekend"],
                                    [s.value for s in Status]])
def test_rule_references(backend, wanted):
    r = rule({"regel": "R-A", "status": wanted}, partly={"niet": {"regel": "R-B", "status": wanted}})
    for status in list(Status) + [None]:
        for other in (None, Status.VOLDOET, Status.ONBEKEND):
            statuses = {k: v for k, v in (("R-A", status), ("R-B", other)) if v is not None}
            agree(backend, [r], {}, statuses)


def test_rule_reference_statuses_given_as_text(backend):
    r = rule({"regel": "R-A", "status": ["deels", "onbekend"]})
    for status in ("deels", "voldoet", "onbekend", "iets_anders"):
        agree(backend, [r], {}, {"R-A": status})


# ---------------------------------------------------------------- dates --------------------------
def test_binnen_maanden_on_every_day_around_month_ends(backend):
    rules = [rule({"veld": "a.datum", "binnen_maanden": n}) for n in (0, 1, 2, 3, 6, 12, 13, 24)]
    rules.append(rule({"niet": {"veld": "a.datum", "binnen_maanden": 1}}))
    for as_of in (dt.date(2023, 3, 31), dt.date(2024, 2, 29), dt.date(2023, 1, 1), dt.date(2023, 5, 31)):
        day = as_of - dt.timedelta(days=800)
        while day <= as_of + dt.timedelta(days=40):
            agree(backend, rules, {"a.datum": day}, as_of=as_of)
            day += dt.timedelta(days=1 if abs((as_of - day).days) < 120 or day.day >= 27 or day.day <= 2 else 7)
        agree(backend, rules, {}, as_of=as_of)


def test_dates_compare_as_dates(backend):
    rules = [rule({"veld": "a.datum", op: dt.date(2023, 3, 1)}) for op in ("min", "max", "groter_dan",
                                                                          "kleiner_dan", "is", "is_niet")]
    for day in (dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2023, 2, 28), dt.date(2023, 3, 1),
                dt.date(2023, 3, 2), dt.date(9999, 12, 31)):
        agree(backend, rules, {"a.datum": day})


# ---------------------------------------------------------------- numbers and text -------------
def test_floats_and_number_like_text(backend):
    rules = [
        rule({"veld": "a.fte", "min": 16.5}),
        rule({"veld": "a.fte", "is": 1e-7}),
        rule({"veld": "a.fte", "groter_dan": -1e-7}),
        rule({"veld": "a.aantal", "kleiner_dan": 1e-7}),
        rule({"veld": "a.tekst", "is": "9"}),
        rule({"veld": "a.tekst", "in": ["10", "9.0", "1e-7", "0x10"]}),
    ]
    for fte, aantal, tekst in itertools.product(
            (16.5, 16, 17, 1e-7, 1.0000000000000001e-7, 0.0, -0.0, -1e-7, 1e-17, 123456789.123),
            (0, 1, -1),
            ("9", "10", "09", "9.0", "1e-7", "0x10", "16")):
        agree(backend, rules, {"a.fte": fte, "a.aantal": aantal, "a.tekst": tekst})


def test_wrong_value_types_are_a_clear_error_not_a_guess(backend):
    r = rule({"veld": "a.aantal", "min": 10})
    with pytest.raises(KaderFout) as exc:
        backend.truths([r], {"a.aantal": "9"}, {}, AS_OF)  # durable would say "9" >= 10
    assert "Gebruik --motor (of --engine) python" in exc.value.render()
    with pytest.raises(KaderFout):
        backend.truths([r], {"a.aantal": True}, {}, AS_OF)
    with pytest.raises(KaderFout):
        backend.truths([rule({"veld": "a.datum", "max": AS_OF})], {"a.datum": "2023-01-01"}, {}, AS_OF)
    # and the backend still works afterwards
    agree(backend, [r], {"a.aantal": 9})


# ---------------------------------------------------------------- large conditions -------------
def _chunks(backend, r):
    return [len(c.chunks) for key, c in backend._compiled.items() if key[0] == r.id]


def _alpha_tests(ruleset):
    text = ruleset._definition  # the JSON we gave durable
    return text.count('{"kt_run":1}') + text.count('{"a') - text.count('{"all"')


LARGE = [
    {"alle": [{"veld": "a.aantal", "is_niet": i} for i in range(70)]},
    {"een_van": [{"veld": "a.aantal", "is": i} for i in range(70)]},
    {"veld": "a.aantal", "in": list(range(100))},
    {"veld": "a.tekst", "niet_in": [str(i) for i in range(80)]},
    {"alle": [{"een_van": [{"veld": "a.aantal", "min": i}, {"veld": "a.fte", "max": i},
                           {"veld": "a.lijst", "bevat": "xyzw"[i % 4]}]} for i in range(10)]},
    {"een_van": [{"alle": [{"veld": "a.aantal", "is_niet": i}, {"veld": "a.fte", "kleiner_dan": i / 2},
                           {"niet": {"regel": "R-A", "status": ["voldoet", "deels", "nvt"]}}]} for i in range(12)]},
    {"alle": [{"regel": "R-A", "status": ["voldoet", "deels", "nvt", "onbekend"]},
              {"regel": "R-B", "status": ["voldoet", "deels", "nvt"]},
              {"niet": {"regel": "R-A", "status": ["voldoet_niet", "deels", "nvt"]}}] * 4},
]


@pytest.mark.parametrize("condition", LARGE, ids=range(len(LARGE)))
def test_large_conditions_are_split_under_the_alpha_cap(backend, condition):
    r = rule(condition, partly={"niet": condition})
    envs = [{}, {"a.aantal": 5}, {"a.aantal": 200}, {"a.tekst": "7"}, {"a.tekst": "abc"},
            {"a.aantal": 3, "a.fte": 1.5, "a.lijst": ("y",)}, {"a.fte": 100.0}, {"a.aantal": -1, "a.lijst": ()}]
    for env in envs:
        for statuses in ({}, {"R-A": Status.VOLDOET, "R-B": Status.DEELS}, {"R-A": Status.VOLDOET_NIET}):
            agree(backend, [r], env, statuses)
    assert max(_chunks(backend, r)) > 1  # it really was split
    for compiled in (c for key, c in backend._compiled.items() if key[0] == r.id):
        for chunk in compiled.chunks:
            assert _alpha_tests(chunk.ruleset) == chunk.alpha <= ALPHA_BUDGET < ALPHA_LIMIT


def test_measured_alpha_limit(backend):
    """Documents the cap the split guards against: 64 matching alpha nodes below one node pass, 65 fail."""
    import durable_rules_engine

    def attempt(n):
        name = f"limit{n}_{next(_ids)}"
        rules = ",".join('"r%d":{"all":[{"m":{"$and":[{"kt_run":1},{"f%d":1}]}}]}' % (i, i) for i in range(n))
        fired = []
        rs = durable_mod._make_ruleset(backend._host, name, "{" + rules + "}",
                                       {f"r{i}": (lambda c: fired.append(1)) for i in range(n)})
        fact = '{"sid":"x","id":"1","kt_run":1,%s}' % ",".join('"f%d":1' % i for i in range(n))
        try:
            durable_mod._run_json(rs, durable_rules_engine.assert_fact, fact)
        except Exception as exc:  # noqa: BLE001
            return str(exc)
        durable_mod._run_json(rs, durable_rules_engine.retract_fact, fact)
        return len(fired)

    assert attempt(ALPHA_LIMIT) == ALPHA_LIMIT
    assert "303" in str(attempt(ALPHA_LIMIT + 1))


# ---------------------------------------------------------------- durable pitfalls -------------
def test_an_exception_inside_an_action_surfaces(backend, monkeypatch):
    r = rule({"veld": "a.aantal", "min": 1})
    agree(backend, [r], {"a.aantal": 2})

    def boom(kind, c):
        raise ValueError("kapot in de actie")

    monkeypatch.setattr(backend, "_on_fire", boom)
    with pytest.raises(KaderFout) as exc:
        backend.truths([r], {"a.aantal": 2}, {}, AS_OF)
    text = exc.value.render()
    assert "kapot in de actie" in text and "Gebruik --motor (of --engine) python" in text
    monkeypatch.undo()
    # the fact was retracted: nothing left behind, and the next call is right again
    chunk = backend._compiled[(r.id, "voldoet", r.meets)].chunks[-1]
    assert chunk.ruleset.get_facts(durable_mod.SID) == []
    agree(backend, [r], {"a.aantal": 2})
    agree(backend, [r], {"a.aantal": 0})


def test_facts_are_retracted_after_each_call(backend):
    r = rule({"alle": [{"veld": "a.aantal", "min": 1}, {"veld": "a.tekst", "is": "x"}]})
    for n in range(5):
        agree(backend, [r], {"a.aantal": n, "a.tekst": "x"})
    for chunk in backend._compiled[(r.id, "voldoet", r.meets)].chunks:
        assert chunk.ruleset.get_facts(durable_mod.SID) == []


def test_one_host_and_no_background_threads():
    before = {t.ident for t in threading.enumerate()}
    backend = DurableBackend.shared()
    assert DurableBackend.shared() is backend
    r = rule({"veld": "a.aantal", "min": 1})
    agree(backend, [r], {"a.aantal": 3})
    assert {t.ident for t in threading.enumerate()} <= before
    assert backend._host._d_timer is None and backend._host._t_timer is None


def test_use_from_several_threads_is_serialised(backend):
    rules = [rule(shape) for shape in _shapes(*LEAVES)]
    envs = [{"a.aantal": n, "a.fte": n / 3, "a.keuze": ("geen", "concept")[n % 2]} for n in range(6)] + [{}]
    expected = [PythonBackend().truths(rules, env, {}, AS_OF) for env in envs]
    failures = []

    def work():
        try:
            for _ in range(10):
                for env, want in zip(envs, expected):
                    if backend.truths(rules, env, {}, AS_OF) != want:
                        failures.append(env)
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_unavailable_reason(monkeypatch):
    assert durable_unavailable_reason() is None
    monkeypatch.setattr(durable_mod.importlib.util, "find_spec", lambda name: None)
    assert "niet geïnstalleerd" in durable_unavailable_reason()
    monkeypatch.undo()
    monkeypatch.setattr(durable_mod.sys, "version_info", (3, 13, 0, "final", 0))
    assert "3.13" in durable_unavailable_reason()

    def broken(name):
        raise RuntimeError("stuk")

    monkeypatch.undo()
    monkeypatch.setattr(durable_mod.importlib.util, "find_spec", broken)
    assert "stuk" in durable_unavailable_reason()  # never raises


def test_shipped_kader_agrees(backend, bundled_kader):
    from kadertoets.load.assessment import load_assessment
    from kadertoets.evaluate.evaluation import decide

    from conftest import ASSESSMENTS

    for path in ASSESSMENTS:
        assessment = load_assessment(path, bundled_kader)
        env, statuses = assessment.values(), {}
        for layer in bundled_kader.layers:
            rules = [bundled_kader.rules[rid] for rid in layer]
            truths = agree(backend, rules, env, statuses, assessment.reference_date)
            statuses.update({rid: decide(truths[rid])[0] for rid in layer})


# ---------------------------------------------------------------- hypothesis -------------------
NUMBERS = [0, 1, 2, 3, -1, 16, 10**12, 16.5, 1e-7, 0.1, 0.3, 0.30000000000000004, -0.0, 0.78, 1e12]  # loader bound
TEXTS = ["9", "10", "010", "10.0", "1e3", "", " ", "true", "é", 'a"b', "a\\", "null"]
DATES = [dt.date(2022, 11, 30), dt.date(2022, 12, 1), dt.date(2023, 1, 31), dt.date(2023, 2, 28),
         dt.date(2023, 3, 1), dt.date(2023, 3, 31), dt.date(2024, 2, 29)]

ints = st.one_of(st.sampled_from([n for n in NUMBERS if isinstance(n, int)]), st.integers(-5, 40))
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-5, 40),
                    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False, width=64))
texts = st.one_of(st.sampled_from(TEXTS), st.text(max_size=3))
dates = st.one_of(st.sampled_from(DATES), st.dates(dt.date(2021, 1, 1), dt.date(2024, 12, 31)))
keuzes = st.sampled_from(Q["a.keuze"].values)
lists = st.lists(st.sampled_from(Q["a.lijst"].values), unique=True).map(lambda xs: tuple(sorted(xs)))
ORDER = ["min", "max", "groter_dan", "kleiner_dan"]


def _field_leaf():
    def one(field, op, values):
        return values.map(lambda v: {"veld": field, op: v})

    return st.one_of(
        st.sampled_from(sorted(Q)).flatmap(lambda f: st.booleans().map(lambda b: {"veld": f, "aanwezig": b})),
        st.sampled_from(["is", "is_niet"]).flatmap(lambda op: one("a.bool", op, st.booleans())),
        st.sampled_from(["is", "is_niet"]).flatmap(lambda op: one("a.aantal", op, ints)),
        st.sampled_from(["in", "niet_in"]).flatmap(
            lambda op: one("a.aantal", op, st.lists(ints, min_size=1, max_size=4))),
        st.sampled_from(ORDER).flatmap(lambda op: one("a.aantal", op, numbers)),
        st.sampled_from(["is", "is_niet"] + ORDER).flatmap(lambda op: one("a.fte", op, numbers)),
        st.sampled_from(["is", "is_niet"]).flatmap(lambda op: one("a.tekst", op, texts.filter(str.strip))),
        st.sampled_from(["in", "niet_in"]).flatmap(
            lambda op: one("a.tekst", op, st.lists(texts.filter(str.strip), min_size=1, max_size=4))),
        st.sampled_from(["is", "is_niet"]).flatmap(lambda op: one("a.keuze", op, keuzes)),
        st.sampled_from(["in", "niet_in"]).flatmap(
            lambda op: one("a.keuze", op, st.lists(keuzes, min_size=1, max_size=3))),
        st.sampled_from(["is", "is_niet"] + ORDER).flatmap(lambda op: one("a.datum", op, dates)),
        one("a.datum", "binnen_maanden", st.integers(0, 30)),
        one("a.lijst", "bevat", st.sampled_from(Q["a.lijst"].values)),
        one("a.lijst", "aantal_min", st.integers(0, 5)),
        st.builds(lambda rid, s: {"regel": rid, "status": s}, st.sampled_from(sorted(RULE_IDS)),
                  st.lists(st.sampled_from([s.value for s in Status]), min_size=1, max_size=5, unique=True)),
    )


conditions = st.recursive(
    _field_leaf(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4).map(lambda xs: {"alle": xs}),
        st.lists(children, min_size=1, max_size=4).map(lambda xs: {"een_van": xs}),
        children.map(lambda x: {"niet": x}),
    ),
    max_leaves=12,
)

envs = st.fixed_dictionaries({}, optional={
    "a.bool": st.booleans(), "a.aantal": ints, "a.fte": numbers, "a.tekst": texts, "a.datum": dates,
    "a.keuze": keuzes, "a.lijst": lists,
})
statuses_st = st.fixed_dictionaries({}, optional={rid: st.sampled_from(list(Status)) for rid in RULE_IDS})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meets=conditions, applies=st.none() | conditions, partly=st.none() | conditions,
       env_list=st.lists(envs, min_size=1, max_size=4), statuses=statuses_st,
       as_of=st.one_of(st.sampled_from(DATES), st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31))))
def test_random_conditions_agree_with_python(meets, applies, partly, env_list, statuses, as_of):
    backend = DurableBackend.shared()
    r = rule(meets, applies, partly)
    for env in env_list:
        agree(backend, [r], env, statuses, as_of)
