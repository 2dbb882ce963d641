"""Hypothesis invariants of the transformatieplan merge on generated assessments and plans."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import load_kader
from kadertoets.evaluate.plan import build_plan
from kadertoets.render import Options, render
from kadertoets.infra.yamlload import load_yaml_text
from strategies import assessments, plan_actions

KADER = load_kader(ROOT, "1.0")


@settings(max_examples=120, deadline=None)
@given(assessment=assessments(KADER), actions=plan_actions(KADER), data=st.data())
def test_merge_invariants(assessment, actions, data):
    assessment = dataclasses.replace(assessment, plan=actions)
    evaluation = evaluate(KADER, assessment, assessment.reference_date, PythonBackend())
    plan = build_plan(evaluation)
    items = plan.items + plan.regional
    status = {f.rule_id: f.status for f in evaluation.findings}

    # every action of the team appears exactly once, with its own status and dates untouched
    team_items = [i for i in items if i.origin == "team"]
    assert len(team_items) == len(actions)
    for action in actions:
        match = [i for i in team_items if (i.requirement, i.description, i.status, i.original_deadline, i.moved)
                 == (action.requirement, action.description, action.status, action.deadline, action.moved)]
        assert match, action
    # every gap has an action; a proposal only where the team has none
    for rid, st_ in status.items():
        mine = [i for i in items if i.requirement == rid]
        if st_.is_gap:
            assert mine, rid
        if any(i.origin == "voorstel" for i in mine):
            assert all(i.origin == "voorstel" for i in mine) and st_.is_gap
    # regional dependencies are apart, local items never regional
    assert all(i.regional for i in plan.regional) and not any(i.regional for i in plan.items)
    # flags mean what they say
    for i in items:
        assert not i.to_confirm or (not status[i.requirement].is_gap and status[i.requirement].value != "onbekend"
                                    and not i.done)
        assert not i.done_but_gap or (i.done and status[i.requirement].is_gap)
        assert not i.overdue or (i.origin == "team" and not i.done and i.deadline < evaluation.as_of)
    # every output format renders, and the YAML block reads back with our own loader
    for fmt in ("markdown", "text", "json", "csv"):
        assert render("plan", fmt, plan, Options())
    load_yaml_text(render("plan", "yaml", plan, Options()), "plan.yaml")


@settings(max_examples=80, deadline=None)
@given(assessment=assessments(KADER), actions=plan_actions(KADER))
def test_yaml_block_round_trips_into_an_assessment(assessment, actions):
    """The `--format yaml` block, put back into an assessment, gives the same actions (statuses,
    owners, original deadlines and their history)."""
    from kadertoets.load.assessment import build_assessment
    from kadertoets.infra.located import Node

    assessment = dataclasses.replace(assessment, plan=actions)
    plan = build_plan(evaluate(KADER, assessment, assessment.reference_date, PythonBackend()))
    block = load_yaml_text(render("plan", "yaml", plan, Options()), "plan.yaml")
    team = assessment.team
    text = (
        f'kader: "1.0"\npeildatum: {assessment.reference_date.isoformat()}\n'
        f"team: {{id: t, naam: T, gemeente: G, organisatie: O, taken: {{jeugd: {str(team.tasks['jeugd']).lower()}, "
        f"wmo: {str(team.tasks['wmo']).lower()}}}}}\nfeiten: {{}}\n"
    ) + render("plan", "yaml", plan, Options()).split("\n", 1)[1]
    again = build_assessment(Node(load_yaml_text(text, "a.yaml"), "a.yaml"), KADER)
    expected = [i for i in plan.items + plan.regional if i.origin == "team" or not i.regional]
    assert len(again.plan) == len(block["transformatieplan"]) == len(expected)
    for action, item in zip(again.plan, expected):
        assert (action.requirement, action.description, action.owner, action.status, action.deadline) == \
            (item.requirement, item.description, item.owner, item.status, item.original_deadline)
        assert [m.to for m in action.moved] == [m.to for m in item.moved]
