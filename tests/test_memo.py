"""FindingMemo (engine/evaluate.py): evaluating with the memo gives exactly what evaluating without it
gives, for families of similar teams (same facts here, other values, toelichtingen or peildata there),
which is where the memo serves findings it computed for another team."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.evaluate.evaluation import FindingMemo, evaluate
from kadertoets.load.kader import load_kader
from kadertoets.model import Fact
from strategies import assessments, value_for

KADER = load_kader(ROOT, "1.0")
PATHS = sorted(KADER.questions)


@st.composite
def families(draw):
    """A base assessment and variants of it: a few facts changed, left out, or given only a toelichting,
    the tasks or the peildatum moved."""
    base = draw(assessments(KADER))
    out = [base]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        facts = dict(base.facts)
        for path in draw(st.lists(st.sampled_from(PATHS), max_size=4, unique=True)):
            how = draw(st.sampled_from(["waarde", "weg", "toelichting"]))
            if how == "waarde":
                facts[path] = Fact(draw(value_for(KADER.questions[path])))
            elif how == "weg":
                facts.pop(path, None)
            else:
                facts[path] = Fact(None, note=draw(st.sampled_from(["navragen", "zie verslag", "?"])))
        team = base.team
        if draw(st.booleans()):
            team = dataclasses.replace(team, tasks={"jeugd": draw(st.booleans()), "wmo": draw(st.booleans())})
        day = base.reference_date + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 31, 400])))
        out.append(dataclasses.replace(base, facts=facts, team=team, reference_date=day))
    return out


@settings(max_examples=150, deadline=None)
@given(family=families())
def test_memo_never_changes_a_finding(family):
    memo = FindingMemo(KADER)
    backend = PythonBackend()
    for assessment in family + family:  # the second round is served from the memo
        with_memo = evaluate(KADER, assessment, assessment.reference_date, backend, memo)
        without = evaluate(KADER, assessment, assessment.reference_date, backend)
        assert with_memo == without


def test_memo_shares_findings_between_equal_teams_and_is_bounded(monkeypatch):
    from kadertoets.sweep.run import check_file

    ev = check_file(ROOT / "assessments" / "bunschoten-2023-03.yaml")
    memo = FindingMemo(KADER)
    first = evaluate(KADER, ev.assessment, ev.as_of, PythonBackend(), memo)
    again = evaluate(KADER, dataclasses.replace(ev.assessment, file="ander.yaml"), ev.as_of, PythonBackend(), memo)
    assert all(a is b for a, b in zip(first.findings, again.findings))
    assert len(memo.found) == len(KADER.rules)
    monkeypatch.setattr(FindingMemo, "LIMIT", 5)
    small = FindingMemo(KADER)
    assert evaluate(KADER, ev.assessment, ev.as_of, PythonBackend(), small) == first
    assert len(small.found) <= 5


def test_memo_of_another_kader_is_ignored():
    from conftest import MINI

    other = FindingMemo(load_kader(MINI, "1.0"))
    from kadertoets.sweep.run import check_file

    ev = check_file(ROOT / "assessments" / "eemnes-2023-03.yaml")
    assert evaluate(KADER, ev.assessment, ev.as_of, PythonBackend(), other) == \
        evaluate(KADER, ev.assessment, ev.as_of, PythonBackend())
    assert not other.found
