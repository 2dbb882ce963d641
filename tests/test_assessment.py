"""Assessment validation against the questions: every problem located, with a hint."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, MINI, write
from kadertoets.infra.errors import KaderFout
from kadertoets.sweep.run import check_file

BASE = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")


def fails(tmp_path, text):
    path = write(tmp_path, "team.yaml", text)
    with pytest.raises(KaderFout) as exc:
        check_file(path, MINI)
    return exc.value.problems


def test_valid_assessment_evaluates(tmp_path):
    ev = check_file(write(tmp_path, "team.yaml", BASE), MINI)
    assert [f.rule_id for f in ev.findings] == ["T-A-01", "T-B-01"]
    assert ev.as_of == ev.assessment.reference_date


def test_unknown_fact_gets_a_suggestion(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("  a.aantal: 2", "  a.aantl: 2"))
    assert p.line == 10 and "a.aantl" in p.message and "Bedoelde u 'a.aantal'" in p.hint


def test_wrong_type(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: \"twee\""))
    assert p.field == "feiten.a.aantal" and "geheel getal" in p.message


def test_value_outside_allowed_set(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("waarde: concept", "waarde: konsept"))
    assert "Bedoelde u 'concept'" in p.hint


def test_value_below_minimum(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: -1"))
    assert "minimum" in p.message


def test_unknown_top_level_key(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("peildatum:", "peildatm: 2023-03-01\npeildatum:"))
    assert "peildatm" in p.message and "Bedoelde u 'peildatum'" in p.hint


def test_several_problems_reported_together(tmp_path):
    text = BASE.replace("a.aantal: 2", "a.aantal: x").replace("status: gepland", "status: klaar")
    found = fails(tmp_path, text)
    assert len(found) == 2


def test_unknown_kader_version(tmp_path):
    (p,) = fails(tmp_path, BASE.replace('kader: "1.0"', 'kader: "7.0"'))
    assert p.line == 1 and "7.0" in p.message


def test_team_tasks_must_be_booleans(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("jeugd: true", "jeugd: misschien"))
    assert p.field == "team.taken.jeugd" and "ja of nee" in p.message


def test_plan_action_for_unknown_requirement(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("- eis: T-A-01", "- eis: T-A-1"))
    assert "T-A-1" in p.message and "T-A-01" in p.hint


def test_fact_without_value_is_unknown_with_its_note(tmp_path):
    text = BASE.replace("  a.aantal: 2\n", "  a.aantal:\n    toelichting: \"bron noemt 2 met een vraagteken\"\n")
    ev = check_file(write(tmp_path, "team.yaml", text), MINI)
    finding = ev.findings[0]
    assert finding.status.value == "onbekend"
    assert finding.missing == ("a.aantal",)
    assert "vraagteken" in finding.reason


def test_huge_number_in_a_fact_is_refused(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: 99999999999999999999"))
    assert "onrealistisch groot" in p.message and p.line == 10


def test_yaml11_octal_is_not_read_as_a_number(tmp_path):
    (p,) = fails(tmp_path, BASE.replace("a.aantal: 2", "a.aantal: 1:30"))
    assert "geheel getal" in p.message
