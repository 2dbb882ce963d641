"""Region views label a team by its name, unique within the view, and every export states its Kader
version, its peildata and when it was made (issue 11, safety nets)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from conftest import ROOT
from kadertoets.cli import main
from kadertoets.model import Team
from kadertoets.render.sweep import team_labels

AMERSFOORT = ROOT / "assessments" / "amersfoort-2023-03.yaml"


def second_amersfoort_team(folder):
    """Two SWA teams of Amersfoort: the same gemeente and organisatie, other names."""
    shutil.copy(AMERSFOORT, folder / "amersfoort.yaml")
    text = AMERSFOORT.read_text(encoding="utf-8")
    text = text.replace("id: amersfoort", "id: amersfoort-noord").replace(
        'naam: "Stichting Wijkteams Amersfoort (SWA), 9 wijkteams"', 'naam: "Wijkteam Amersfoort Noord"')
    (folder / "noord.yaml").write_text(text, encoding="utf-8")


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {})


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_two_teams_of_one_gemeente_and_organisation_read_differently(tmp_path, fmt):
    second_amersfoort_team(tmp_path)
    out = run("sweep", str(tmp_path), "--formaat", fmt).stdout
    assert "Amersfoort (SWA) | Amersfoort (SWA)" not in out
    assert "Wijkteam Amersfoort Noord" in out and "Stichting Wijkteams Amersfoort (SWA), 9 wijkteams" in out


def test_xlsx_matrix_headers_are_unique(tmp_path):
    import openpyxl

    second_amersfoort_team(tmp_path)
    target = tmp_path / "regio.xlsx"
    assert run("sweep", str(tmp_path), "--formaat", "xlsx", "-o", str(target)).exit_code == 1
    ws = openpyxl.load_workbook(target)["Matrix"]
    headers = [c.value for c in ws[1]][3:]
    assert len(headers) == 2 and len(set(headers)) == 2


team_names = st.sampled_from(["Wijkteam", "Wijkteam Noord", "Team [b]", "Amersfoort", "Sociaal team"])


@settings(max_examples=200)
@given(st.lists(st.tuples(team_names, st.sampled_from(["Amersfoort", "Baarn", "Soest"])), min_size=1, max_size=8))
def test_labels_are_unique_for_any_set_of_teams(pairs):
    teams = [Team(id=f"t{i}" if i % 3 else "b", name=n, municipality=m, organisation="SWA", tasks={})
             for i, (n, m) in enumerate(pairs)]
    teams = list({t.id: t for t in teams}.values())
    labels = team_labels(teams)
    assert set(labels) == {t.id for t in teams}
    assert len(set(labels.values())) == len(teams)
    for t in teams:
        assert labels[t.id].startswith(t.name)


def test_label_is_the_name_alone():
    """Issue 12: a team by its name, not by its gemeente (no longer beside the name either)."""
    teams = [Team(id="a", name="BBS Lokaal team Baarn", municipality="Baarn", organisation="BBS", tasks={}),
             Team(id="b", name="BBS Lokaal team de Lingt", municipality="Bunschoten", organisation="BBS", tasks={})]
    assert team_labels(teams) == {"a": "BBS Lokaal team Baarn", "b": "BBS Lokaal team de Lingt"}


ABOUT = re.compile(r"Kaderversie: 1\.0 · Peildata: 1 maart 2023 · Gemaakt op: 4 december 2023 om 10:12")


@pytest.mark.parametrize("command", ["sweep", "trend"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_human_export_states_version_peildata_and_moment(command, fmt):
    out = run(command, str(ROOT / "assessments"), "--formaat", fmt).stdout
    assert ABOUT.search(out), out[:400]


@pytest.mark.parametrize("command", ["sweep", "trend"])
def test_csv_and_xlsx_state_version_peildatum_and_moment(tmp_path, command):
    import openpyxl

    rows = list(csv.DictReader(io.StringIO(run(command, str(ROOT / "assessments"), "--formaat", "csv").stdout),
                               delimiter=";"))
    assert rows and all(r["kader"] == "1.0" and r["peildatum"] == "2023-03-01" for r in rows)
    assert {r["gemaakt_op"] for r in rows} == {"2023-12-04T10:12"}
    target = tmp_path / "x.xlsx"
    run(command, str(ROOT / "assessments"), "--formaat", "xlsx", "-o", str(target))
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(target)["Over dit bestand"].iter_rows(min_row=2)}
    assert about == {"Kaderversie": "1.0", "Peildata": "1 maart 2023", "Gemaakt op": "4 december 2023 om 10:12"}


def test_the_moment_is_the_clock_without_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = dt.datetime.now().replace(second=0, microsecond=0)
    out = run("sweep", str(ROOT / "assessments"), "--formaat", "markdown").stdout
    from kadertoets.infra.dates import dutch_date

    assert f"Gemaakt op: {dutch_date(before.date())} om " in out or f"Gemaakt op: {dutch_date(dt.date.today())} om " in out
    assert "4 december 2023" not in out


@pytest.mark.parametrize("width", [80, 100, 120])
def test_sweep_and_trend_text_fit_the_terminal_without_cutting_words(width):
    from rich.cells import cell_len

    from kadertoets.render import Options, render
    from kadertoets.sweep.sweep import load_sweep
    from kadertoets.sweep.trend import build_trend

    sweep = load_sweep([ROOT / "assessments"], use_cache=False)
    trend = build_trend(load_sweep([ROOT / "assessments"], use_cache=False))
    for command, result in (("sweep", sweep), ("trend", trend)):
        out = render(command, "text", result, Options(width=width))
        lines = out.splitlines()
        assert max(cell_len(line) for line in lines) <= width
        assert "…" not in out
        tokens = set(re.findall(r"KLT-[A-Z0-9]+-\d\d", out))
        assert tokens >= {r.rule_id for r in sweep.requirements()}, command
    matrix = render("sweep", "text", sweep, Options(width=width))
    for ev in sweep.evaluations:  # every team id readable whole in a header
        assert re.search(rf"[┃│ ]{ev.assessment.team.id}[ ┃│]", matrix)


CODES = re.compile(r"\b(lokaal_team|voldoet_niet|deels_behaald|niet_behaald|nvt)\b|\b\d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize("command", ["sweep", "trend"])
def test_region_views_show_no_codes_or_iso_dates(tmp_path, command):
    import html as html_module

    import openpyxl

    source = ROOT / "tests" / "fixtures" / "trend" if command == "trend" else ROOT / "assessments"
    for fmt in ("text", "markdown"):
        out = run(command, str(source), "--formaat", fmt).stdout
        assert not CODES.search(out), (fmt, CODES.search(out))
    page = run(command, str(source), "--formaat", "html").stdout
    visible = html_module.unescape(re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S))
    assert not CODES.search(visible), CODES.search(visible)
    target = tmp_path / "x.xlsx"
    run(command, str(source), "--formaat", "xlsx", "-o", str(target))
    for ws in openpyxl.load_workbook(target):
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not CODES.search(value), (ws.title, value)
