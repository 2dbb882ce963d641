"""kader diff beyond requirements and questions: the manifest (dates, status, changelog, roles,
deadlines), the action per part, and the words for a requirement missing from a version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from conftest import ROOT
from engine.diff import ABSENT, diff_kaders
from engine.kader import load_kader
from kaderversions import _edit, make_two_versions


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Path:
    folder = make_two_versions(tmp_path_factory.mktemp("kaderversies"))
    _edit(folder / "rules-1.1" / "KLT-VEI-02.yaml", ("  eigenaar: teamleider\n", "  eigenaar: gemeente_opdrachtgever\n"))
    _edit(folder / "kader" / "1.1.yaml", ("status: concept", "status: vastgesteld"))
    return folder


def test_manifest_changes_and_changelog(versions):
    d = diff_kaders(load_kader(versions, "1.0"), load_kader(versions, "1.1"))
    fields = {f.field: (f.old, f.new) for f in d.manifest}
    assert fields["status"] == ("concept", "vastgesteld")
    assert fields["ingangsdatum"] == ("2023-02-01", "2024-01-01")
    assert fields["vorige_versie"] == (None, "1.0")
    assert "wijzigingen" in fields and d.changelog == ("Testversie: zie tests/kaderversions.py.",)
    back = diff_kaders(load_kader(versions, "1.1"), load_kader(versions, "1.0"))
    assert {f.field: (f.new, f.old) for f in back.manifest} == fields  # mirrored


def test_an_action_change_names_the_part_that_changed(versions):
    d = diff_kaders(load_kader(versions, "1.0"), load_kader(versions, "1.1"))
    vei02 = {f.field: (f.old, f.new) for c in d.changed if c.new_id == "KLT-VEI-02" for f in c.changes}
    assert vei02["actie.eigenaar"] == ("teamleider", "gemeente_opdrachtgever")
    assert not any(k.startswith("actie.") and k != "actie.eigenaar" for k in vei02)


def test_outputs_show_manifest_and_changelog_and_say_what_absent_means(versions):
    runner = CliRunner()
    args = ["diff", "1.0", "1.1", "--kader-dir", str(versions), "--assessments", str(ROOT / "assessments")]
    text = runner.invoke(cli.main, args).output
    assert "Manifest gewijzigd" in text and "Testversie: zie tests/kaderversions.py." in text
    assert f"onbekend -> {ABSENT} ({ABSENT}: de eis staat niet in die versie)" in text
    md = runner.invoke(cli.main, [*args, "--format", "markdown"]).output
    assert md.startswith("## Kader 1.1 (ten opzichte van 1.0)\n\n- Testversie") and "### Manifest gewijzigd" in md
    data = json.loads(runner.invoke(cli.main, [*args, "--format", "json"]).output)
    assert {"veld": "status", "oud": "concept", "nieuw": "vastgesteld"} in data["manifest"]
    assert any(t["overgang"] == f"onbekend -> {ABSENT}" for t in data["gevolgen"]["overgangen"])


def test_diff_with_an_empty_assessment_folder_is_invalid_input(versions, tmp_path):
    result = CliRunner().invoke(cli.main, ["diff", "1.0", "1.1", "--kader-dir", str(versions),
                                           "--assessments", str(tmp_path)])
    assert result.exit_code == 2 and "map bevat geen assessments" in result.output
    sweep = CliRunner().invoke(cli.main, ["sweep", str(tmp_path), "--geen-cache"])
    assert sweep.exit_code == 2 and "map bevat geen assessments" in sweep.output
