"""A copied assessment whose `team.id` was not changed never silently replaces the other team in a
sweep or trend (issue 11, safety nets): files with the same team id but another naam, gemeente or
organisatie are invalid input, each naming the others; the same team over several peildata is fine."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kadertoets import cli
from kadertoets.sweep.sweep import load_sweep

SOURCE = ROOT / "assessments" / "eemnes-2023-03.yaml"


def copy(folder, name, *, replace=(), peildatum="2023-06-01"):
    text = SOURCE.read_text(encoding="utf-8")
    assert "\npeildatum: 2023-03-01\n" in text
    text = text.replace("\npeildatum: 2023-03-01\n", f"\npeildatum: {peildatum}\n", 1)
    for old, new in replace:
        assert old in text
        text = text.replace(old, new, 1)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "teams"
    target.mkdir()
    for path in (ROOT / "assessments").glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.mark.parametrize("field,old,new", [
    ("naam", 'naam: "Jeugd- en Gezinsteam Eemnes"\n', "naam: Lokaal team Baarn-Noord\n"),
    ("gemeente", "gemeente: Eemnes\n", "gemeente: Baarn\n"),
    ("organisatie", 'organisatie: "Jeugd- en Gezinsteam Eemnes (JGT)"\n', "organisatie: Andere organisatie\n"),
])
def test_same_id_other_team_is_invalid_for_both_files(folder, field, old, new):
    copy(folder, "kopie.yaml", replace=[(old, new)])
    result = load_sweep([folder], use_cache=False)
    refused = {i.file.rsplit("/", 1)[-1]: i for i in result.invalid}
    assert set(refused) == {"eemnes-2023-03.yaml", "kopie.yaml"}
    for item in refused.values():
        [problem] = item.problems
        assert "eemnes-2023-03.yaml" in problem.message and "kopie.yaml" in problem.message
        assert problem.field == "team.id" and problem.hint
    assert all(ev.assessment.team.id != "eemnes" for ev in result.evaluations)
    assert len(result.evaluations) == 6  # the other teams are all there


def test_the_command_exits_2_and_names_both_files(folder):
    copy(folder, "kopie.yaml", replace=[('naam: "Jeugd- en Gezinsteam Eemnes"\n', "naam: Kopie\n")])
    for command in ("sweep", "trend"):
        result = CliRunner().invoke(cli.main, [command, str(folder), "--geen-cache"])
        assert result.exit_code == 2, result.output
        assert "kopie.yaml" in result.output and "eemnes-2023-03.yaml" in result.output
        assert "Traceback" not in result.output


def test_the_same_team_at_a_later_peildatum_is_its_next_assessment(folder):
    copy(folder, "eemnes-2023-06.yaml")
    result = load_sweep([folder], use_cache=False)
    assert result.invalid == ()
    [eemnes] = [ev for ev in result.evaluations if ev.assessment.team.id == "eemnes"]
    assert eemnes.assessment.reference_date.isoformat() == "2023-06-01"
