"""Kader versions: the manifest's history keys, the version in effect on a peildatum, and a trend
that follows a renamed requirement (`voorheen`). Built on a copy of the mini fixture with a 1.1."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import FIXTURES, MINI
from kadertoets.infra.errors import KaderFout
from kadertoets.load.kader import load_kader, version_on
from kadertoets.sweep.run import check_file
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import build_trend

TEAM = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


@pytest.fixture
def two_versions(tmp_path) -> Path:
    """Mini Kader 1.0 plus a 1.1 (from 2024-01-01) in rules-1.1/, where T-B-01 is renamed T-C-01."""
    root = tmp_path / "kader"
    shutil.copytree(MINI, root)
    manifest = (root / "kader" / "1.0.yaml").read_text(encoding="utf-8")
    manifest = replaced(manifest, 'versie: "1.0"', 'versie: "1.1"')
    manifest = replaced(manifest, "ingangsdatum: 2023-02-01", "ingangsdatum: 2024-01-01\nvorige_versie: \"1.0\"\n"
                                                              "regels_map: rules-1.1")
    manifest = replaced(manifest, 'wijzigingen: "Testversie."', 'wijzigingen:\n  - "T-B-01 heet nu T-C-01."')
    manifest = replaced(manifest, "  - T-B-01", "  - T-C-01")
    (root / "kader" / "1.1.yaml").write_text(manifest, encoding="utf-8")
    (root / "rules-1.1").mkdir()
    shutil.copy(root / "rules" / "T-A-01.yaml", root / "rules-1.1" / "T-A-01.yaml")
    rule = (root / "rules" / "T-B-01.yaml").read_text(encoding="utf-8")
    rule = replaced(rule, "id: T-B-01\n", "id: T-C-01\nvoorheen: [T-B-01]\n")
    (root / "rules-1.1" / "T-C-01.yaml").write_text(rule, encoding="utf-8")
    return root


def team_file(folder: Path, name: str, day: str, version: str | None) -> Path:
    text = replaced(TEAM, "peildatum: 2023-03-01", f"peildatum: {day}")
    text = replaced(text, 'kader: "1.0"\n', f'kader: "{version}"\n' if version else "")
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_version_has_its_own_rules_history_and_changelog(two_versions):
    old, new = load_kader(two_versions, "1.0"), load_kader(two_versions, "1.1")
    assert sorted(old.rules) == ["T-A-01", "T-B-01"] and sorted(new.rules) == ["T-A-01", "T-C-01"]
    assert new.previous_version == "1.0" and new.rules_folder == "rules-1.1"
    assert new.changelog == ("T-B-01 heet nu T-C-01.",) and old.changelog == ("Testversie.",)
    assert new.rules["T-C-01"].previous_ids == ("T-B-01",)
    assert new.successors("T-B-01") == ("T-C-01",) and new.successors("T-A-01") == ("T-A-01",)
    assert new.successors("T-X-01") == ()


@pytest.mark.parametrize("day,expected", [
    (dt.date(2023, 2, 1), "1.0"), (dt.date(2023, 12, 31), "1.0"), (dt.date(2024, 1, 1), "1.1"),
    (dt.date(2030, 1, 1), "1.1"), (dt.date(2023, 1, 31), None),
])
def test_version_in_effect_on_a_date(two_versions, day, expected):
    assert version_on(two_versions, day) == expected


def test_assessment_without_version_gets_the_one_of_its_peildatum_and_says_so(two_versions, tmp_path):
    early = check_file(team_file(tmp_path, "vroeg.yaml", "2023-03-01", None), two_versions)
    late = check_file(team_file(tmp_path, "laat.yaml", "2024-03-01", None), two_versions)
    assert (early.kader.version, late.kader.version) == ("1.0", "1.1")
    assert late.assessment.kader_version_source == "peildatum"
    named = check_file(team_file(tmp_path, "genoemd.yaml", "2024-03-01", "1.0"), two_versions)
    assert named.kader.version == "1.0" and named.assessment.kader_version_source == "assessment"
    forced = check_file(team_file(tmp_path, "optie.yaml", "2023-03-01", None), two_versions, "1.1")
    assert forced.kader.version == "1.1" and forced.assessment.kader_version_source == "optie"
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path / "laat.yaml"), "--kader-dir", str(two_versions)])
    assert "Kader: Testkader 1.1 (concept); de versie die op de peildatum gold" in result.output


def test_peildatum_before_every_version_is_a_clear_error(two_versions, tmp_path):
    path = team_file(tmp_path, "te-vroeg.yaml", "2022-06-01", None)
    with pytest.raises(KaderFout) as info:
        check_file(path, two_versions)
    problem = info.value.problems[0]
    assert problem.field == "peildatum" and problem.line == 1
    assert "1.0 vanaf 1 februari 2023, 1.1 vanaf 1 januari 2024" in problem.message


def test_trend_follows_a_renamed_requirement(two_versions, tmp_path):
    team_file(tmp_path / "team", "a.yaml", "2023-03-01", "1.0")
    team_file(tmp_path / "team", "b.yaml", "2024-03-01", "1.1")
    sweep = load_sweep([tmp_path / "team"], two_versions)
    assert not sweep.invalid
    (team,) = build_trend(sweep).teams
    assert team.rule_ids() == ["T-A-01", "T-C-01"]
    first, second = team.evaluations
    old_status = next(f.status for f in first.findings if f.rule_id == "T-B-01")
    new_status = next(f.status for f in second.findings if f.rule_id == "T-C-01")
    assert team.statuses("T-C-01") == [old_status, new_status]
    assert team.changes("T-C-01")[0] == "nieuw" and team.changes("T-C-01")[1] != "niet_in_kader"
    assert team.former_ids("T-C-01") == ["T-B-01"] and team.former_ids("T-A-01") == []


def test_voorheen_naming_a_requirement_that_still_exists_is_refused(two_versions):
    path = two_versions / "rules-1.1" / "T-C-01.yaml"
    path.write_text(replaced(path.read_text(encoding="utf-8"), "voorheen: [T-B-01]", "voorheen: [T-A-01]"),
                    encoding="utf-8")
    with pytest.raises(KaderFout) as info:
        load_kader(two_versions, "1.1")
    assert info.value.problems[0].field == "voorheen"
    assert "T-A-01" in info.value.problems[0].message


@pytest.mark.parametrize("key,value,message", [
    ("regels_map", "../elders", "ongeldige regelmap"),
    ("regels_map", "rules-2.0", "niet gevonden"),
    ("vorige_versie", '"0.9"', "bestaat niet"),
])
def test_bad_history_keys_name_the_field(two_versions, key, value, message):
    path = two_versions / "kader" / "1.1.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KaderFout) as info:
        load_kader(two_versions, "1.1")
    problem = info.value.problems[0]
    assert problem.field == key and message in problem.message and problem.line is not None
