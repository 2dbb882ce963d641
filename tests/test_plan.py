"""The transformatieplan merge: keep the team's actions, propose for new gaps, flag what now complies,
list regional dependencies apart, and survive a round trip through the YAML block."""

from __future__ import annotations

import datetime as dt

import yaml

from conftest import FIXTURES, MINI, write
from kadertoets.infra.dates import dutch_date
from kadertoets.model import Status
from kadertoets.evaluate.plan import build_plan
from kadertoets.render import Options, render
from kadertoets.sweep.run import check_file

BASE = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")


def plan_for(tmp_path, text, as_of=None):
    return build_plan(check_file(write(tmp_path, "team.yaml", text), MINI, as_of=as_of))


def test_existing_action_kept_and_flagged_when_requirement_complies(tmp_path):
    plan = plan_for(tmp_path, BASE)
    (item,) = plan.items
    assert item.origin == "team" and item.status == "gepland"
    assert item.original_deadline == dt.date(2023, 6, 1) and item.deadline == dt.date(2023, 9, 1)
    assert item.finding_status == Status.VOLDOET and item.to_confirm


def test_new_gap_gets_a_proposal_and_regional_gap_is_apart(tmp_path):
    plan = plan_for(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: 0"))
    (local,) = plan.items
    assert local.origin == "team" and not local.to_confirm  # the team's own action stays the action
    (regional,) = plan.regional
    assert regional.requirement == "T-B-01" and regional.origin == "voorstel" and regional.regional


def test_proposal_when_team_has_no_action(tmp_path):
    text = BASE.split("transformatieplan:")[0].replace("a.aantal: 2", "a.aantal: 1")
    plan = plan_for(tmp_path, text)
    (item,) = plan.items
    assert item.origin == "voorstel" and item.description == "Doe iets." and item.deadline == dt.date(2024, 1, 1)


def test_overdue_and_upcoming(tmp_path):
    plan = plan_for(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: 0"), as_of=dt.date(2023, 10, 1))
    assert [i.requirement for i in plan.overdue()] == ["T-A-01"]
    assert [i.requirement for i in plan.upcoming()] == ["T-B-01"]


def test_round_trip_keeps_statuses(tmp_path):
    text = BASE.split("transformatieplan:")[0].replace("a.aantal: 2", "a.aantal: 1")
    first = plan_for(tmp_path, text)
    block = yaml.safe_load(render("plan", "yaml", first, Options()))
    block["transformatieplan"][0]["status"] = "deels_behaald"
    block["transformatieplan"][0]["deadline_verplaatst"] = [{"naar": dt.date(2024, 6, 1)}]
    second_text = text + yaml.safe_dump(block, allow_unicode=True, sort_keys=False)
    second = plan_for(tmp_path, second_text)
    (item,) = second.items
    assert item.origin == "team" and item.status == "deels_behaald"
    assert item.original_deadline == dt.date(2024, 1, 1) and item.deadline == dt.date(2024, 6, 1)
    # and a third pass reproduces the same block: the round trip is stable
    again = yaml.safe_load(render("plan", "yaml", second, Options()))
    assert again == yaml.safe_load(render("plan", "yaml", plan_for(tmp_path, second_text), Options()))
    assert again["transformatieplan"][0]["status"] == "deels_behaald"


def test_markdown_checklist(tmp_path):
    text = BASE.replace("status: gepland", "status: behaald")
    md = render("plan", "markdown", plan_for(tmp_path, text), Options())
    assert "- [x] **T-A-01** Werven" in md
    assert "## Eerstvolgende deadlines" in md and "## Regionale afhankelijkheden" in md


def test_round_trip_on_a_shipped_assessment(tmp_path, root):
    """Bunschoten, March 2023: the proposed plan, pasted back with the team's own statuses, keeps them."""
    source = (root / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
    first = build_plan(check_file(write(tmp_path, "b.yaml", source), root))
    proposals = [i for i in first.items if i.origin == "voorstel"]
    assert proposals, "Bunschoten heeft lokale tekorten in maart 2023"
    block = yaml.safe_load(render("plan", "yaml", first, Options()))
    assert [a["eis"] for a in block["transformatieplan"]] == [i.requirement for i in first.items]
    block["transformatieplan"][0]["status"] = "behaald"
    text = source.rstrip("\n") + "\n" + yaml.safe_dump(block, allow_unicode=True, sort_keys=False)
    second = build_plan(check_file(write(tmp_path, "b2.yaml", text), root))
    assert [(i.requirement, i.origin) for i in second.items] == [(i.requirement, "team") for i in first.items]
    assert second.items[0].status == "behaald"
    assert "- [x] **" + second.items[0].requirement in render("plan", "markdown", second, Options())
    # regional dependencies are never put on the team's own list
    assert all(not i.regional for i in second.items)


def test_yaml_block_is_readable_by_our_own_loader(root):
    """Shared deadlines must not come out as YAML aliases, which our loader refuses."""
    from conftest import ASSESSMENTS
    from kadertoets.infra.yamlload import load_yaml_text

    for path in ASSESSMENTS:
        text = render("plan", "yaml", build_plan(check_file(path, root)), Options())
        assert "&id" not in text and "*id" not in text
        load_yaml_text(text, "plan.yaml")


def test_moved_deadline_history_is_shown_per_action(tmp_path):
    extra = """  - eis: T-A-01
    omschrijving: "Opleiden"
    eigenaar: implementatieverantwoordelijke
    deadline: 2023-09-01
    status: gepland
"""
    md = render("plan", "markdown", plan_for(tmp_path, BASE + extra), Options())
    lines = [line for line in md.splitlines() if line.startswith("- [ ] **T-A-01**")]
    assert len(lines) == 2
    werven = next(line for line in lines if "Werven" in line)
    opleiden = next(line for line in lines if "Opleiden" in line)
    assert "deadline verplaatst: 1 juni 2023 → 1 september 2023 (vacature)" in werven
    assert "verplaatst" not in opleiden


def test_action_marked_behaald_while_gap_remains_is_flagged(tmp_path):
    text = BASE.replace("a.aantal: 2", "a.aantal: 0").replace("status: gepland", "status: behaald")
    plan = plan_for(tmp_path, text)
    (item,) = plan.items
    assert item.done and item.done_but_gap
    assert "TE CONTROLEREN" in render("plan", "markdown", plan, Options())


def test_proposals_are_not_overdue_but_say_the_kader_deadline_passed(tmp_path):
    text = BASE.split("transformatieplan:")[0].replace("a.aantal: 2", "a.aantal: 1")
    plan = plan_for(tmp_path, text, as_of=dt.date(2024, 6, 1))
    (item,) = plan.items
    assert item.origin == "voorstel" and not item.overdue and plan.overdue() == []
    # the passed Kader deadline stays visible, with a proposed new one (3 months after the as-of date)
    assert item.deadline == dt.date(2024, 9, 1) and item.original_deadline < dt.date(2024, 6, 1)
    shown = render("plan", "markdown", plan, Options())
    assert (f"de Kader-deadline {dutch_date(item.original_deadline)} was op de toetsdatum 1 juni 2024 al verstreken; "
            "voorgestelde nieuwe deadline 1 september 2024 (3 maanden na de toetsdatum)") in shown


def test_yaml_block_keeps_unicode_line_breaks(tmp_path):
    """Found by hypothesis: U+0085 (NEL) in a description was folded into a space."""
    from kadertoets.infra.yamlload import load_yaml_text

    text = BASE.replace('omschrijving: "Werven"', 'omschrijving: "Werven\\Nintern"')
    block = load_yaml_text(render("plan", "yaml", plan_for(tmp_path, text), Options()), "plan.yaml")
    assert block["transformatieplan"][0]["omschrijving"] == "Werven\x85intern"
