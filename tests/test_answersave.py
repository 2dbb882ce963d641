"""Saving answers into an assessment (editors/answersave.py), the use case behind the web page's forms
and the API's PUT: a named version or nothing, the loader's validation per question, only the
changed entries rewritten (comments kept), the previous version kept beside the file, undo."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from kadertoets.editors import answersave
from kadertoets.infra.errors import KaderFout
from kadertoets.sweep.run import check_file

from conftest import ROOT

MOMENT = dt.datetime(2026, 12, 5, 10, 0, 0, 123456)
TEAM = "bunschoten-2023-03.yaml"


@pytest.fixture
def team(tmp_path) -> Path:
    folder = tmp_path / "assessments"
    folder.mkdir()
    shutil.copy(ROOT / "assessments" / TEAM, folder / TEAM)
    shutil.copy(ROOT / "assessments" / "regio-2023-03.yaml", folder / "regio-2023-03.yaml")
    path = folder / TEAM
    text = path.read_text(encoding="utf-8")
    path.write_text("# opmerking van de implementatieverantwoordelijke: niet weghalen\n" + text, encoding="utf-8")
    return path


def tag(path: Path) -> str:
    return answersave.version_tag(path.read_bytes())


def facts(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["feiten"]


def test_a_changed_answer_is_written_alone_and_the_rest_stays_byte_for_byte(team):
    before = team.read_text(encoding="utf-8")
    result = answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": "12000"}})
    assert isinstance(result, answersave.Saved) and result.written
    assert result.changed == ("algemeen.inwoners",)
    after = team.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(before.splitlines()) == len(after.splitlines())
    assert len(changed) == 1 and "22325" in changed[0][0] and "12000" in changed[0][1]
    assert after.startswith("# opmerking van de implementatieverantwoordelijke")
    assert facts(team)["algemeen.inwoners"] == 12000 or facts(team)["algemeen.inwoners"]["waarde"] == 12000
    assert result.version == tag(team)


def test_the_value_written_is_the_typed_value_not_the_text_typed(team):
    answersave.save(team, tag(team), MOMENT, answers={"algemeen.jeugd_tm18_pct": {"waarde": "22,5"}})
    value = facts(team)["algemeen.jeugd_tm18_pct"]
    assert (value["waarde"] if isinstance(value, dict) else value) == 22.5


def test_the_previous_version_is_kept_beside_the_file_and_the_sweep_does_not_read_it(team):
    old = team.read_bytes()
    result = answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}})
    kept = Path(result.history)
    assert kept.read_bytes() == old
    assert kept.parent == team.parent / ".geschiedenis" / team.stem
    from kadertoets.sweep.sweep import load_sweep

    swept = load_sweep([team.parent], use_cache=False)
    assert not swept.invalid and len(swept.evaluations) == 1  # the old version is no second Bunschoten


def test_a_save_based_on_an_older_version_is_refused_and_nothing_is_written(team):
    old_tag = tag(team)
    answersave.save(team, old_tag, MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}})
    now = team.read_bytes()
    result = answersave.save(team, old_tag, MOMENT, answers={"algemeen.inwoners": {"waarde": "2"}})
    assert isinstance(result, answersave.Stale)
    assert result.current == tag(team)
    assert team.read_bytes() == now


@pytest.mark.parametrize("based_on", [None, "", '"0000"', "*"])
def test_a_save_without_the_current_version_is_refused(team, based_on):
    before = team.read_bytes()
    assert isinstance(answersave.save(team, based_on, MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}}),
                      answersave.Stale)
    assert team.read_bytes() == before


def test_invalid_answers_come_back_per_question_in_dutch_and_nothing_is_written(team):
    before = team.read_bytes()
    result = answersave.save(team, tag(team), MOMENT, answers={
        "algemeen.inwoners": {"waarde": "veel"},
        "algemeen.kenmerken_team": {"waarde": "Bel de teamleider op 06-12345678"},
        "expertise.ontbrekende_expertise_bijgehouden": {"waarde": "misschien"},
    })
    assert isinstance(result, answersave.Invalid)
    assert set(result.by_question) == {"algemeen.inwoners", "algemeen.kenmerken_team",
                                       "expertise.ontbrekende_expertise_bijgehouden"}
    assert "geheel getal" in result.by_question["algemeen.inwoners"][0].message
    assert "telefoonnummer" in result.by_question["algemeen.kenmerken_team"][0].message
    assert "12345678" not in str(result.by_question)  # the personal data is not echoed
    assert team.read_bytes() == before
    assert not (team.parent / ".geschiedenis").exists()


def test_an_unknown_question_is_refused_by_name(team):
    result = answersave.save(team, tag(team), MOMENT, answers={"bestaat.niet": {"waarde": "1"}})
    assert isinstance(result, answersave.Invalid) and "bestaat.niet" in result.by_question


def test_nothing_changed_writes_nothing(team):
    before = team.read_bytes()
    current = facts(team)["algemeen.inwoners"]
    value = current["waarde"] if isinstance(current, dict) else current
    result = answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": str(value)}})
    assert isinstance(result, answersave.Saved) and not result.written
    assert team.read_bytes() == before
    assert not (team.parent / ".geschiedenis").exists()


def test_clearing_an_answer_makes_it_onbekend_and_the_check_says_so(team):
    answersave.save(team, tag(team), MOMENT, answers={"veiligheid.aandachtsfunctionarissen": {"waarde": None}})
    ev = check_file(team)
    vei02 = next(f for f in ev.findings if f.rule_id == "KLT-VEI-02")
    assert vei02.status.value == "onbekend"


def test_a_crash_while_replacing_leaves_the_old_file_whole(team, monkeypatch):
    before = team.read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kadertoets.infra.output._write_anonymous", crash)
    monkeypatch.setattr("kadertoets.infra.output._write_named", crash)
    with pytest.raises(KaderFout):
        answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}})
    assert team.read_bytes() == before


def test_action_statuses_are_saved_and_a_bad_one_is_refused(team):
    from kadertoets.editors.planwrite import update_plan_file

    path = team
    assert update_plan_file(path).written  # the plan's proposals as the team's actions
    bad = answersave.save(path, tag(path), MOMENT, statuses={1: "klaar"})
    assert isinstance(bad, answersave.Invalid)
    result = answersave.save(path, tag(path), MOMENT, statuses={1: "behaald"})
    assert isinstance(result, answersave.Saved)
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))["transformatieplan"]
    assert plan[0]["status"] == "behaald"


def test_a_kept_version_can_be_put_back_and_that_can_be_undone_too(team):
    original = team.read_bytes()
    answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}})
    changed = team.read_bytes()
    (version,) = answersave.kept_versions(team)
    result = answersave.restore(team, version.name, tag(team), MOMENT + dt.timedelta(seconds=1))
    assert isinstance(result, answersave.Saved)
    assert team.read_bytes() == original
    names = [v.name for v in answersave.kept_versions(team)]
    assert len(names) == 2
    assert answersave.kept_bytes(team, names[0]) == changed


@pytest.mark.parametrize("name", ["../" + TEAM, "..", "/etc/passwd", "2026-12-05T10-00-00.123456.yaml/../../x",
                                  "x.yaml", ""])
def test_only_kept_versions_by_their_own_names_are_opened(team, name):
    answersave.save(team, tag(team), MOMENT, answers={"algemeen.inwoners": {"waarde": "1"}})
    assert answersave.kept_bytes(team, name) is None
    result = answersave.restore(team, name, tag(team), MOMENT)
    assert isinstance(result, answersave.Invalid)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_saved_as_itself_or_refused_never_a_broken_file(team, text):
    path = team
    result = answersave.save(path, tag(path), MOMENT, answers={"algemeen.kenmerken_team": {"waarde": text,
                                                                                          "toelichting": text}})
    assert isinstance(result, (answersave.Saved, answersave.Invalid))
    ev = check_file(path)  # the file on disk always loads
    fact = ev.assessment.facts.get("algemeen.kenmerken_team")
    if isinstance(result, answersave.Saved) and result.written and fact is not None and fact.value is not None:
        assert fact.value == text  # what was typed is what is in the file: no folding, no lost characters
