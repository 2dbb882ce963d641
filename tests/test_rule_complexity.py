"""A rule too large to check is refused before any search starts (KT405), with its location: too many
comparisons or too deep a nesting (when the rule compiles), too many pairs of a fixed date and a
window on one date field, too many combinations of answers or meerkeuze subsets (the norm check), too
many examples (the self-test every check runs). The work is asserted structurally (date calculations
and evaluations counted), never by the clock; a generous timeout is only a backstop against a hang.
Under the limits the check is exactly what it was (compared with brute force)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kadertoets import cli
from conftest import FIXTURES, MINI, ROOT
from kadertoets.validate import normcheck
from kadertoets.validate import selftest
from kadertoets.evaluate.conditions import (MAX_COMPARISONS, MAX_CONDITION_DEPTH, All, Any_, Compare, Not, Present,
                               compile_condition)
from kadertoets.infra.errors import KaderFout
from kadertoets.evaluate.evaluation import decide, rule_conditions
from kadertoets.validate.semantic import validated_kader
from kadertoets.load.kader import dependency_layers, load_kader
from kadertoets.editors.lint import lint
from kadertoets.infra.lintcodes import CODES, ERROR
from kadertoets.model import Question, Rule, Status
from kadertoets.validate.normcheck import LIMIT, MAX_DATE_PAIRS, SCAN, check_norm, norm_problems
from kadertoets.infra.located import Node

RULE_A = "rules/T-A-01.yaml"
TEAM = FIXTURES / "mini-team.yaml"
DATE = "b.datum"
QUESTIONS = {DATE: Question(DATE, "datum", "Wanneer?"),
             "a.aantal": Question("a.aantal", "geheel_getal", "?", minimum=0)}

# What the norm check of one rule may cost at most: per pair of a fixed date and a window (or the
# as-of date itself) one date calculation and one per scanned day, plus one per window per as-of date
# tried (those add at least as many combinations, so together at most LIMIT and one last step); and
# one evaluation per part per combination.
DATE_BOUND = 2 * MAX_DATE_PAIRS * (2 * SCAN + 2) + LIMIT + MAX_COMPARISONS
EVALUATION_BOUND = 3 * LIMIT


def rule(meets, partly=None, applies=None) -> Rule:
    return Rule("T-X-01", "Test", "Test", "Test.", (), "afgeleid", "Test.", "lokaal_team", applies, meets, partly,
                None, (), None, "<test>")


def fixed(k: int) -> dt.date:
    return dt.date(2000, 1, 1) + dt.timedelta(days=7 * k)


def dates_and_windows(n: int, m: int):
    """n fixed dates and m windows on one date field, any of them enough."""
    return Any_(tuple(Compare(DATE, "min", fixed(k), "datum") for k in range(n))
                + tuple(Compare(DATE, "binnen_maanden", k, "datum") for k in range(1, m + 1)))


def status_of(r: Rule, facts: dict, as_of: dt.date) -> Status:
    truths = {part: normcheck.evaluate(c, facts, {}, as_of) for part, c in rule_conditions(r).items()}
    return decide(truths)[0]


@pytest.fixture
def counted(monkeypatch):
    """Date calculations and evaluations the norm check makes, counted."""
    counts = {"dates": 0, "evaluations": 0}

    def count(name, key):
        real = getattr(normcheck, name)

        def counting(*args, **kwargs):
            counts[key] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(normcheck, name, counting)

    count("months_before", "dates")
    count("evaluate", "evaluations")
    return counts


# -- the reported case, through the files and the command line ------------------------------------

def hostile_kader(tmp_path: Path, n: int, m: int) -> Path:
    """The mini Kader with n fixed dates and m windows on b.datum in T-A-01's deels (its examples,
    which leave b.datum empty, still pass)."""
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    path = folder / RULE_A
    text = path.read_text(encoding="utf-8")
    old = "  deels: {veld: a.aantal, min: 1}\n"
    assert old in text
    lines = ["  deels:\n", "    een_van:\n", "      - {veld: a.aantal, min: 1}\n", "      - alle:\n",
             f"        - {{veld: {DATE}, aanwezig: true}}\n", "        - een_van:\n"]
    lines += [f"          - {{veld: {DATE}, min: {fixed(k).isoformat()}}}\n" for k in range(n)]
    lines += [f"          - {{veld: {DATE}, binnen_maanden: {k}}}\n" for k in range(1, m + 1)]
    path.write_text(text.replace(old, "".join(lines)), encoding="utf-8")
    return folder


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / RULE_A).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize("n,m,what", [(15, 15, "15 vaste datums × 15 termijnen = 225 vergelijkingen op één datumveld, "
                                                "'b.datum'; hoogstens 200"),
                                      (300, 300, f"meer dan {MAX_COMPARISONS} vergelijkingen"),
                                      (1200, 1200, f"meer dan {MAX_COMPARISONS} vergelijkingen")])
def test_many_dates_and_windows_on_one_field_are_a_located_lint_error(tmp_path, counted, n, m, what):
    folder = hostile_kader(tmp_path, n, m)
    report = lint(folder)
    hits = [f for f in report.findings if f.code == "KT405"]
    assert len(hits) == 1, report.findings
    finding = hits[0]
    assert finding.severity == ERROR and report.exit_code() == 2
    assert finding.file.endswith("T-A-01.yaml") and (finding.line, finding.column) == (line_of(folder, "  deels:"), 3)
    assert finding.field == "norm.deels"
    assert "te complex om te controleren" in finding.message and what in finding.message
    assert finding.hint == "Splits de regel of gebruik minder vergelijkingen."
    assert counted["dates"] <= 2 * DATE_BOUND  # two rules, each within the bound
    with pytest.raises(KaderFout) as info:  # fails closed: check, plan, sweep and trend refuse it
        validated_kader(folder, "1.0")
    assert [p.code for p in info.value.problems] == ["KT405"]


@pytest.mark.parametrize("n,m", [(15, 15), (1200, 1200)])
def test_check_refuses_a_hostile_rule_at_once_with_its_location(tmp_path, n, m):
    folder = hostile_kader(tmp_path, n, m)
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(TEAM), "--kader-dir", str(folder)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)  # a backstop, not a measurement
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"T-A-01.yaml:{line_of(folder, '  deels:')}:3: veld 'norm.deels':" in done.stderr  # where lint shows it
    assert "te complex om te controleren" in done.stderr and "Traceback" not in done.stderr
    runner = CliRunner()
    for args in (["plan", str(TEAM)], ["sweep", str(TEAM), "--geen-cache"], ["trend", str(TEAM), "--geen-cache"]):
        result = runner.invoke(cli.main, [*args, "--kader-dir", str(folder)])
        assert result.exit_code == 2 and "te complex om te controleren" in result.output, (args, result.output)


# -- the norm check: no work at all on a rule over a limit -----------------------------------------

@pytest.mark.parametrize("n,m,what", [(49, 50, "49 vaste datums × 50 termijnen = 2.450 vergelijkingen op één "
                                                "datumveld"),
                                      (300, 300, "601 vergelijkingen, hoogstens 100 per regel"),
                                      (15, 14, "15 vaste datums × 14 termijnen = 210")])
def test_a_rule_over_a_limit_is_not_searched(counted, n, m, what):
    """Built directly (past the compile-time bound), so the norm check's own bound is what stops it."""
    result = check_norm(rule(Present(DATE, True), dates_and_windows(n, m)), QUESTIONS)
    assert [code for code, _, _ in result.problems] == ["KT405"] and what in result.problems[0][1]
    assert result.reachable is None and result.too_complex.part in (None, "deels")
    assert counted == {"dates": 0, "evaluations": 0}


@pytest.mark.parametrize("n", [10, 13])
def test_under_the_date_limit_the_work_stays_bounded(counted, n):
    """11 fixed dates × 10 windows on one date field are searched; at 14 × 13 (under MAX_DATE_PAIRS) the as-of
    dates multiply the combinations past LIMIT, counted before a single evaluation."""
    meets = Compare(DATE, "is", fixed(100), "datum")
    result = check_norm(rule(meets, dates_and_windows(n, n)), {DATE: QUESTIONS[DATE]})
    assert counted["dates"] <= DATE_BOUND and counted["evaluations"] <= EVALUATION_BOUND
    if n == 10:
        assert result.problems == [] and result.reachable == {Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET,
                                                               Status.ONBEKEND}
    else:
        assert "meer dan 20.000 combinaties van antwoorden om na te gaan, op 1 veld" in result.problems[0][1]
        assert counted["evaluations"] == 0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), m=st.integers(0, 40), other=st.integers(0, 30), partly=st.booleans())
def test_the_work_of_the_norm_check_never_exceeds_its_bound(n, m, other, partly):
    """Whatever the sizes: the date calculations and evaluations stay within the bound, a rule past a
    limit is KT405, and a rule under them is decided with witnesses that really give their status."""
    counts = {"dates": 0, "evaluations": 0}
    real_months, real_evaluate = normcheck.months_before, normcheck.evaluate

    def months(*args):
        counts["dates"] += 1
        return real_months(*args)

    def evaluate(*args):
        counts["evaluations"] += 1
        return real_evaluate(*args)

    numbers = tuple(Compare("a.aantal", "is_niet", k, "geheel_getal") for k in range(other))
    meets = All((Present(DATE, True),) + numbers)
    r = rule(meets, dates_and_windows(n, m) if partly else None)
    normcheck.months_before, normcheck.evaluate = months, evaluate
    try:
        result = check_norm(r, QUESTIONS)
        found = normcheck.witnesses(r, QUESTIONS)
    finally:
        normcheck.months_before, normcheck.evaluate = real_months, real_evaluate
    assert counts["dates"] <= 2 * DATE_BOUND and counts["evaluations"] <= 2 * EVALUATION_BOUND  # two runs
    size = 1 + other + (n + m if partly else 0)
    if size > MAX_COMPARISONS or (partly and n * m > MAX_DATE_PAIRS):
        assert result.too_complex is not None and found is None
    if result.too_complex is None:
        assert set(found) == result.reachable
        for status, w in found.items():
            assert status_of(r, w.facts, w.as_of) == status


def test_too_many_combinations_is_too_complex_not_silently_undecided(counted):
    """Nine optional yes/no fields make 3^9 = 19.683 combinations (checked); ten make 59.049."""
    def fields(k):
        return {f"j.v{i}": Question(f"j.v{i}", "ja_nee", "?") for i in range(k)}

    def all_true(k):
        return All(tuple(Compare(f"j.v{i}", "is", True, "ja_nee") for i in range(k)))

    assert check_norm(rule(all_true(9)), fields(9)).reachable == {Status.VOLDOET, Status.VOLDOET_NIET, Status.ONBEKEND}
    before = counted["evaluations"]
    result = check_norm(rule(all_true(10)), fields(10))
    assert [code for code, _, _ in result.problems] == ["KT405"]
    assert "meer dan 20.000 combinaties van antwoorden om na te gaan, op 10 velden" in result.problems[0][1]
    assert counted["evaluations"] == before


def test_too_many_meerkeuze_values_is_too_complex_before_the_subsets_are_made(counted, monkeypatch):
    values = tuple(f"w{i}" for i in range(20))
    q = {"m": Question("m", "meerkeuze", "?", values=values)}
    made = []
    monkeypatch.setattr(normcheck, "_multi_domain", lambda *a: made.append(a) or [])
    asks = lambda k: Any_(tuple(Compare("m", "bevat", v, "meerkeuze") for v in values[:k]))  # noqa: E731
    result = check_norm(rule(asks(15)), q)
    assert [code for code, _, _ in result.problems] == ["KT405"]
    assert "15 waarden met 'bevat' op één meerkeuzeveld, 'm': 32.768 combinaties" in result.problems[0][1]
    assert made == [] and counted["evaluations"] == 0
    monkeypatch.undo()
    assert check_norm(rule(asks(14)), q).too_complex is None


def test_the_comparisons_of_all_parts_count_together():
    """Each part within the compile-time bound, together over it: the norm check refuses the rule.
    A value of in/niet_in counts as one comparison."""
    half = Compare("a.aantal", "niet_in", tuple(range(60)), "geheel_getal")
    problems = norm_problems(rule(half, Compare("a.aantal", "in", tuple(range(41)), "geheel_getal")), QUESTIONS)
    assert [(code, message) for code, message, _ in problems] == [
        ("KT405", "deze regel is te complex om te controleren (101 vergelijkingen, hoogstens 100 per regel; een "
                  "waarde in de lijst van 'in' of 'niet_in' telt als één)")]
    assert norm_problems(rule(half, Compare("a.aantal", "in", tuple(range(40)), "geheel_getal")), QUESTIONS) == []


# -- under the limits nothing changes: the same statuses as brute force -----------------------------

FIXED_DATES = [dt.date(2024, 1, 25) + dt.timedelta(days=k) for k in range(0, 41)]
DAYS = [dt.date(2023, 11, 10) + dt.timedelta(days=k) for k in range(0, 224)]
AS_OF_SPAN = [dt.date(2024, 1, 20) + dt.timedelta(days=k) for k in range(0, 117)]
ORDER = ["min", "max", "groter_dan", "kleiner_dan", "is", "is_niet"]


@st.composite
def several_dates_and_windows(draw):
    """Up to three fixed dates and two windows on one field, mixed with alle/een_van/niet: more pairs
    of a fixed date and a window than the other date properties try."""
    leaves = [Compare("d", draw(st.sampled_from(ORDER)), draw(st.sampled_from(FIXED_DATES)), "datum")
              for _ in range(draw(st.integers(1, 3)))]
    leaves += [Compare("d", "binnen_maanden", draw(st.integers(0, 2)), "datum") for _ in range(draw(st.integers(1, 2)))]
    leaves = draw(st.permutations(leaves))
    wrap = [draw(st.sampled_from([lambda c: c, Not])) for _ in leaves]
    leaves = [w(c) for w, c in zip(wrap, leaves)]
    cut = draw(st.integers(1, len(leaves)))
    meets = All(tuple(leaves[:cut])) if draw(st.booleans()) else Any_(tuple(leaves[:cut]))
    partly = Any_(tuple(leaves[cut:])) if cut < len(leaves) else None
    return rule(meets, partly)


@settings(max_examples=20, deadline=None)
@given(r=several_dates_and_windows())
def test_under_the_limits_the_bounded_check_finds_every_status(r):
    result = check_norm(r, {"d": Question("d", "datum", "?")})
    found = {status_of(r, {} if day is None else {"d": day}, as_of) for as_of, day in
             itertools.product(AS_OF_SPAN, DAYS + [None])}
    assert result.too_complex is None and result.reachable == found


# -- the bounds of the condition language (compile time) --------------------------------------------

NUMBER = {"a.x": Question("a.x", "geheel_getal", "?")}


def compile_plain(value):
    return compile_condition(Node(value, "regel.yaml", "norm.voldoet"), NUMBER, set())


@pytest.mark.parametrize("count", [MAX_COMPARISONS, MAX_COMPARISONS + 1])
def test_a_condition_has_at_most_max_comparisons(count):
    """Leaves and values of `in` count alike; the first over the limit stops the compile."""
    leaves = [{"veld": "a.x", "is": k} for k in range(count // 2)]
    values = {"alle": leaves + [{"veld": "a.x", "in": list(range(count - len(leaves)))}]}
    if count <= MAX_COMPARISONS:
        assert isinstance(compile_plain(values), All)
        return
    with pytest.raises(KaderFout) as info:
        compile_plain(values)
    problem = info.value.problems[0]
    assert problem.code == "KT405" and problem.field == "norm.voldoet"
    assert f"meer dan {MAX_COMPARISONS} vergelijkingen" in problem.message


@pytest.mark.parametrize("depth", [MAX_CONDITION_DEPTH, MAX_CONDITION_DEPTH + 1])
def test_a_condition_nests_at_most_max_condition_depth(depth):
    value = {"veld": "a.x", "is": 1}
    for k in range(depth):  # inside out: the first wrapper is the innermost
        value = {"niet": value} if k % 2 else {"alle": [value]}
    if depth <= MAX_CONDITION_DEPTH:
        compile_plain(value)
        return
    with pytest.raises(KaderFout) as info:
        compile_plain(value)
    problem = info.value.problems[0]
    assert problem.code == "KT405" and "te diep genest" in problem.message
    innermost = "norm.voldoet" + "".join(".niet" if k % 2 else ".alle[1]" for k in range(depth - 1, 0, -1))
    assert problem.field == innermost  # located at the condition one level too deep


def test_a_deep_condition_in_a_rule_file_is_located(tmp_path):
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    path = folder / RULE_A
    deep = "{veld: a.aantal, min: 2}"
    for _ in range(MAX_CONDITION_DEPTH + 1):
        deep = f"{{niet: {deep}}}"
    path.write_text(path.read_text(encoding="utf-8").replace("{veld: a.aantal, min: 2}", deep), encoding="utf-8")
    finding = next(f for f in lint(folder).findings if f.code == "KT405")
    assert finding.file.endswith("T-A-01.yaml") and finding.line == line_of(folder, "  voldoet:")
    assert "te diep genest" in finding.message


# -- the examples every check runs ----------------------------------------------------------------

def with_examples(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    path = folder / RULE_A
    extra = "".join(f"  - {{naam: leeg {k}, verwacht: onbekend}}\n" for k in range(count - 5))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def test_a_rule_with_too_many_examples_is_refused_without_running_them(tmp_path, monkeypatch):
    folder = with_examples(tmp_path, selftest.MAX_EXAMPLES + 1)
    ran = []
    real = selftest.run_case
    monkeypatch.setattr(selftest, "run_case",
                        lambda case, backend=None: ran.append(case.rule.id) or real(case, backend))
    with pytest.raises(KaderFout) as info:
        validated_kader(folder, "1.0")
    problem = info.value.problems[0]
    assert problem.code == "KT405" and problem.file.endswith("T-A-01.yaml")
    assert problem.line == line_of(folder, f"leeg {selftest.MAX_EXAMPLES - 5}")  # the first example over the limit
    assert f"{selftest.MAX_EXAMPLES + 1} voorbeelden" in problem.message
    assert "T-A-01" not in ran and "T-B-01" in ran  # the other rule's examples still ran
    assert [f.code for f in lint(folder).findings if f.severity == ERROR] == ["KT405"]
    monkeypatch.undo()
    shown = CliRunner().invoke(cli.main, ["test", "--kader-dir", str(folder)])
    assert shown.exit_code == 0  # kader test runs every example


def test_max_examples_is_allowed(tmp_path):
    load_kader(with_examples(tmp_path, selftest.MAX_EXAMPLES), "1.0")


# -- lint searches each rule once -----------------------------------------------------------------

def test_lint_searches_each_rule_once(monkeypatch, tmp_path):
    plans = []
    real = normcheck._plan
    monkeypatch.setattr(normcheck, "_plan", lambda r, *a: plans.append(r.id) or real(r, *a))
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    lint(folder)
    assert sorted(plans) == ["T-A-01", "T-B-01"]


# -- dependency layers in one pass ----------------------------------------------------------------

class Deps(set):
    """A rule's dependencies that count how often they are looked at."""

    looks = 0

    def __iter__(self):
        Deps.looks += 1
        return super().__iter__()

    def __le__(self, other):
        Deps.looks += 1
        return super().__le__(other)


class FakeRule:
    def __init__(self, deps):
        self.deps = Deps(deps)



@settings(max_examples=50, deadline=None)
@given(st.lists(st.sets(st.integers(0, 59), max_size=3), min_size=1, max_size=60))
def test_dependency_layers_are_the_earliest_possible_and_computed_in_one_pass(raw):
    """Rule i depends only on rules before it (no cycle). Each rule stands one layer after its last
    dependency, every layer sorted, and each rule's dependencies are looked at a bounded number of
    times (not once per layer)."""
    ids = [f"R-{i:02d}" for i in range(len(raw))]
    rules = {ids[i]: FakeRule({ids[d] for d in deps if d < i}) for i, deps in enumerate(raw)}
    Deps.looks = 0
    from unittest import mock

    with mock.patch("kadertoets.load.kader.rule_dependencies", lambda rule: rule.deps):
        layers = dependency_layers(rules)
    assert Deps.looks <= 2 * len(rules)
    where = {rid: k for k, layer in enumerate(layers) for rid in layer}
    assert sorted(where) == sorted(ids) and all(list(layer) == sorted(layer) for layer in layers)
    for rid, r in rules.items():
        assert where[rid] == (1 + max(where[d] for d in r.deps) if r.deps else 0)


def test_a_long_chain_of_rules_is_layered_in_one_pass():
    ids = [f"R-{i:04d}" for i in range(2000)]
    rules = {rid: FakeRule({ids[i - 1]} if i else set()) for i, rid in enumerate(ids)}
    Deps.looks = 0
    from unittest import mock

    with mock.patch("kadertoets.load.kader.rule_dependencies", lambda rule: rule.deps):
        assert len(dependency_layers(rules)) == len(ids)
    assert Deps.looks <= 2 * len(ids)


def test_kt405_is_a_documented_error():
    assert CODES["KT405"][0] == ERROR
