"""`kader sweep` and `kader trend`: the regional overview, invalid files kept apart, the latest
assessment per team, and progress over peildata (a second peildatum exists only as a fixture)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ASSESSMENTS, FIXTURES, ROOT
from kadertoets.model import Status
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import build_trend, change

TREND = FIXTURES / "trend"


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_region_sweep_of_march_2023():
    sweep = load_sweep([ROOT / "assessments"], ROOT)
    assert [ev.assessment.team.id for ev in sweep.evaluations] == [
        "amersfoort", "baarn", "bunschoten", "eemnes", "leusden", "soest", "woudenberg"]
    assert not sweep.invalid and sweep.exit_code == 1
    for req in sweep.requirements():
        assert sum(req.counts.values()) == 7
    weakest = sweep.requirements()
    keys = [r.weakness for r in weakest]
    assert keys == sorted(keys)
    for team in sweep.teams():
        applicable = [f for f in team.evaluation.findings if f.status != Status.NVT]
        known = [f for f in applicable if f.status != Status.ONBEKEND]
        assert team.completeness == len(known) / len(applicable)


def test_sweep_json_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("sweep", "assessments", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert len(data["teams"]) == 7
    for team in data["teams"]:
        assert {"id", "gemeente"} <= set(team["team"]) and team["peildatum"] and team["kader"]["versie"] == "1.0"
        assert {"eis", "status", "reden", "verantwoordelijk"} <= set(team["bevindingen"][0])
    assert {e["eis"] for e in data["eisen"]} == {p.stem for p in (ROOT / "rules").glob("*.yaml")}
    assert data["ongeldige_bestanden"] == []


def test_one_broken_file_does_not_hide_the_others(tmp_path):
    for path in ASSESSMENTS:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "baarn-2023-03.yaml").write_text("kader: \"1.0\"\npeildatum: [\n", encoding="utf-8")
    (tmp_path / "notities.txt").write_text("geen yaml", encoding="utf-8")
    sweep = load_sweep([tmp_path], ROOT)
    assert len(sweep.evaluations) == 6 and sweep.exit_code == 2
    (bad,) = sweep.invalid
    assert bad.file.endswith("baarn-2023-03.yaml") and bad.problems[0].line in (2, 3)
    result = run("sweep", tmp_path, "--kader-dir", ROOT)
    assert result.exit_code == 2
    assert result.stdout.index("ONGELDIG") < result.stdout.index("Matrix")


def test_missing_path_is_reported(tmp_path):
    result = run("sweep", tmp_path / "bestaat-niet", "--kader-dir", ROOT)
    assert result.exit_code == 2 and "pad bestaat niet" in result.stdout


def test_two_files_for_the_same_team_and_peildatum_are_an_error(tmp_path):
    shutil.copy(ROOT / "assessments" / "eemnes-2023-03.yaml", tmp_path / "a.yaml")
    shutil.copy(ROOT / "assessments" / "eemnes-2023-03.yaml", tmp_path / "b.yml")
    sweep = load_sweep([tmp_path], ROOT)
    assert not sweep.evaluations and len(sweep.invalid) == 2
    assert all("meer dan één assessment" in i.problems[0].message for i in sweep.invalid)


def test_latest_peildatum_per_team_and_cutoff():
    latest = load_sweep([TREND], ROOT)
    (ev,) = latest.evaluations
    assert ev.assessment.reference_date == dt.date(2023, 9, 1)
    earlier = load_sweep([TREND], ROOT, reference_date_until=dt.date(2023, 6, 30))
    (ev,) = earlier.evaluations
    assert ev.assessment.reference_date == dt.date(2023, 3, 1)
    assert not load_sweep([TREND], ROOT, reference_date_until=dt.date(2022, 1, 1)).evaluations


def test_trend_changes_and_plan_progress():
    trend = build_trend(load_sweep([TREND], ROOT))
    (team,) = trend.teams
    assert team.dates == [dt.date(2023, 3, 1), dt.date(2023, 9, 1)]
    assert team.changes("KLT-EB-01") == ["nieuw", "verslechterd"]
    assert team.changes("KLT-EB-02") == ["nieuw", "verbeterd"]
    assert team.changes("KLT-EB-03") == ["nieuw", "gelijk"]
    first, second = team.plan_progress()
    assert (first["acties"], second["acties"], second["behaald"], second["verlopen"], second["verplaatst"]) == (0, 2, 1, 1, 1)
    days = [d for d, _ in trend.region_counts()]
    assert days == team.dates


@pytest.mark.parametrize("before,after,expected", [
    (None, Status.VOLDOET, "nieuw"),
    (Status.VOLDOET, None, "niet_in_kader"),
    (Status.DEELS, Status.DEELS, "gelijk"),
    (Status.VOLDOET_NIET, Status.DEELS, "verbeterd"),
    (Status.VOLDOET, Status.VOLDOET_NIET, "verslechterd"),
    (Status.ONBEKEND, Status.VOLDOET, "gewijzigd"),
    (Status.VOLDOET, Status.NVT, "gewijzigd"),
])
def test_change_labels(before, after, expected):
    assert change(before, after) == expected


@pytest.mark.parametrize("command", ["sweep", "trend"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv"])
def test_every_format_renders(command, fmt):
    result = run(command, TREND, "--kader-dir", ROOT, "--format", fmt)
    # the team by its id (machine formats, the text's team lines) or its name (the markdown's labels)
    assert result.exit_code == 1 and ("bunschoten" in result.stdout or "BBS Lokaal team de Lingt" in result.stdout)


def test_csv_file_for_excel(tmp_path):
    out = tmp_path / "sweep.csv"
    run("sweep", ROOT / "assessments", "--kader-dir", ROOT, "--format", "csv", "-o", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("gemeente;organisatie;team;peildatum") and len(rows) == 1 + 7 * 29
    result = run("sweep", ROOT / "assessments", "--kader-dir", ROOT, "-o", out)
    assert result.exit_code == 2 and "--force" in result.stderr


def test_sweep_never_writes_over_an_input(tmp_path):
    target = tmp_path / "eemnes.yaml"
    shutil.copy(ROOT / "assessments" / "eemnes-2023-03.yaml", target)
    before = target.read_bytes()
    result = run("sweep", tmp_path, "--kader-dir", ROOT, "-o", target, "--force")
    assert result.exit_code == 2 and target.read_bytes() == before


def test_xlsx_needs_an_output_file(tmp_path):
    result = run("sweep", ROOT / "assessments", "--kader-dir", ROOT, "--format", "xlsx")
    assert result.exit_code == 2 and "binair" in result.stderr
    out = tmp_path / "regio.xlsx"
    assert run("sweep", ROOT / "assessments", "--kader-dir", ROOT, "--format", "xlsx", "-o", out).exit_code == 1
    assert out.read_bytes()[:2] == b"PK"
