"""`kader trend`: the region's totals per peildatum count every team with its latest assessment on or
before that peildatum, carried forward (and marked so) when it has none of its own, so one team's new
assessment does not make the totals swing (issue 12, point 5); teams are labelled by their name,
unique within the view. Built on the bundled assessments, copied with a later peildatum and other facts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from conftest import ROOT
from kadertoets.cli import main
from kadertoets.model import Status
from kadertoets.render.sweep import team_labels
from kadertoets.sweep.sweep import Sweep, load_sweep
from kadertoets.sweep.trend import build_trend

ASSESSMENTS = ROOT / "assessments"
MARCH, SEPTEMBER = dt.date(2023, 3, 1), dt.date(2023, 9, 1)


def later(name: str, day: str, *edits: tuple[str, str], kader: str | None = None) -> str:
    """The text of a bundled assessment with a later peildatum and the given edits (each must apply)."""
    text = (ASSESSMENTS / name).read_text(encoding="utf-8").replace("peildatum: 2023-03-01", f"peildatum: {day}", 1)
    if kader is not None:
        text = text.replace('kader: "1.0"', f'kader: "{kader}"', 1)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# Baarn half a year later: four aandachtsfunctionarissen and eigen begeleiding tenzij now 'ja'.
BAARN_LATER = (("  veiligheid.aandachtsfunctionarissen:\n    toelichting:",
                "  veiligheid.aandachtsfunctionarissen:\n    waarde: 4\n    toelichting:"),
               ('  eigen_begeleiding.tenzij:\n    waarde: "deels"', '  eigen_begeleiding.tenzij:\n    waarde: "ja"'))


def region_folder(folder: Path) -> Path:
    """The seven teams of March 2023, and Baarn again on 1 September 2023 with other facts."""
    shutil.copytree(ASSESSMENTS, folder)
    (folder / "baarn-2023-09.yaml").write_text(later("baarn-2023-03.yaml", "2023-09-01", *BAARN_LATER),
                                                encoding="utf-8")
    return folder


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def summary(path: Path) -> dict:
    """The counts `kader check` gives one file: independent of the trend."""
    return json.loads(run("check", path, "--formaat", "json").stdout)["samenvatting"]


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    return region_folder(tmp_path_factory.mktemp("regio") / "teams")


@pytest.fixture(scope="module")
def region_json(region) -> dict:
    result = run("trend", region, "--formaat", "json", "--geen-cache")
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def bundled_unknown() -> int:
    """How many findings are onbekend over the bundled teams (with the regional file), as the sweep counts."""
    data = json.loads(run("sweep", ROOT / "assessments", "--formaat", "json", "--geen-cache").stdout)
    return data["samenvatting"]["onbekend"]


def test_one_teams_new_assessment_changes_the_totals_by_its_own_difference_only(region, region_json):
    march, september = region_json["regio"]
    assert (march["peildatum"], september["peildatum"]) == ("2023-03-01", "2023-09-01")
    old, new = summary(region / "baarn-2023-03.yaml"), summary(region / "baarn-2023-09.yaml")
    assert old != new  # the later file does change Baarn's counts
    expected = {s: march["aantallen"][s] - old[s] + new[s] for s in old}
    assert september["aantallen"] == expected
    # the swing of issue 12: 'onbekend' stays the region's (as the sweep counts it), not Baarn's alone
    assert march["aantallen"]["onbekend"] == bundled_unknown()
    assert september["aantallen"]["onbekend"] == bundled_unknown() - old["onbekend"] + new["onbekend"]
    assert march["teams_meegeteld"] == september["teams_meegeteld"] == 7


def test_a_team_with_only_an_early_assessment_counts_later_and_is_marked(region_json):
    march, september = region_json["regio"]
    assert march["overgenomen"] == [] and march["zonder_assessment"] == []
    carried = {c["team"]: c for c in september["overgenomen"]}
    assert sorted(carried) == ["amersfoort", "bunschoten", "eemnes", "leusden", "soest", "woudenberg"]
    assert carried["eemnes"] == {"team": "eemnes", "overgenomen_van": "2023-03-01", "kader": "1.0"}
    assert set(september) == {"peildatum", "aantallen", "teams_meegeteld", "overgenomen", "zonder_assessment",
                              "kaderversies"}
    assert september["kaderversies"] == ["1.0"]


def test_the_per_team_section_keeps_the_teams_own_peildata(region_json):
    teams = {t["team"]["id"]: t for t in region_json["teams"]}
    assert teams["eemnes"]["peildata"] == ["2023-03-01"]
    assert teams["baarn"]["peildata"] == ["2023-03-01", "2023-09-01"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_people_read_which_teams_were_carried_forward(region, fmt):
    out = run("trend", region, "--formaat", fmt, "--geen-cache").stdout
    text = plain(re.sub(r"<[^>]+>", " ", out)) if fmt == "html" else plain(out)
    assert "6 teams met een eerder assessment meegeteld (overgenomen)" in text
    assert "Jeugd- en Gezinsteam Eemnes (van 1 maart 2023)" in text
    assert "telt elk team mee met zijn laatste assessment op of vóór die datum" in text
    assert "BBS Lokaal team Baarn (van" not in text  # Baarn counts with its own assessment there
    assert "Kaderversies (" not in text  # one version: nothing to say about it


def test_the_chart_marks_the_carried_teams(region):
    page = run("trend", region, "--formaat", "html", "--geen-cache").stdout
    assert re.search(r'<text class="carried"[^>]*>6 overgenomen</text>', page)
    assert re.search(r"1 september 2023: \d+ onbekend \(7 teams, waarvan 6 overgenomen\)", page)


def test_xlsx_states_per_peildatum_and_team_what_counts(region, tmp_path):
    import openpyxl

    target = tmp_path / "trend.xlsx"
    assert run("trend", region, "--formaat", "xlsx", "-o", target, "--geen-cache").exit_code == 1
    wb = openpyxl.load_workbook(target)
    rows = list(wb["Regio"].iter_rows(min_row=2, values_only=True))
    assert [r[6:] for r in rows] == [(7, 0, 0, "1.0"), (7, 6, 0, "1.0")]
    per_team = [r for r in wb["Regio per team"].iter_rows(min_row=2, values_only=True)]
    september = [r for r in per_team if r[0].date() == SEPTEMBER]
    eemnes = next(r for r in september if r[1] == "eemnes")
    assert eemnes[2:6] == ("Jeugd- en Gezinsteam Eemnes", "ja, overgenomen", dt.datetime(2023, 3, 1), "1.0")
    assert next(r for r in september if r[1] == "baarn")[3] == "ja"
    for day_row in rows:  # the per-team rows add up to the region's totals
        mine = [r for r in per_team if r[0] == day_row[0]]
        assert [sum(r[6 + i] or 0 for r in mine) for i in range(5)] == list(day_row[1:6])


def test_a_team_not_yet_in_is_not_counted_and_said_so(tmp_path):
    folder = region_folder(tmp_path / "teams")
    text = later("leusden-2023-03.yaml", "2023-09-01", ("id: leusden", "id: leusden-ambulant"),
                 ('naam: "Lariks-Leusden, lokaal team en ambulant team"', 'naam: "Ambulant team Leusden"'))
    (folder / "ambulant.yaml").write_text(text, encoding="utf-8")
    data = json.loads(run("trend", folder, "--formaat", "json", "--geen-cache").stdout)
    march, september = data["regio"]
    assert march["zonder_assessment"] == ["leusden-ambulant"] and march["teams_meegeteld"] == 7
    assert march["aantallen"]["onbekend"] == bundled_unknown()  # as without the new team
    assert september["zonder_assessment"] == [] and september["teams_meegeteld"] == 8
    out = plain(run("trend", folder, "--geen-cache").stdout)
    assert "1 maart 2023: 1 team nog zonder assessment, niet meegeteld: - Ambulant team Leusden" in out


def test_a_carried_assessment_keeps_its_own_kader_version(versions, tmp_path):
    folder = tmp_path / "teams"
    folder.mkdir()
    for name in ("baarn-2023-03.yaml", "eemnes-2023-03.yaml"):
        shutil.copy(ASSESSMENTS / name, folder / name)
    (folder / "baarn-2024-03.yaml").write_text(later("baarn-2023-03.yaml", "2024-03-01", kader="1.1"),
                                                encoding="utf-8")
    sweep = load_sweep([folder], versions, use_cache=False)
    assert not sweep.invalid, sweep.invalid
    trend = build_trend(sweep)
    day = dt.date(2024, 3, 1)
    (team, ev), = trend.carried(day)
    assert team.team_id == "eemnes" and ev is team.evaluations[0]  # the same evaluation: nothing evaluated again
    assert ev.kader.version == "1.0" and "KLT-CLI-01" in {f.rule_id for f in ev.findings}  # gone in 1.1
    assert trend.region()[-1].versions == ("1.0", "1.1")
    data = json.loads(run("trend", folder, "--kader-map", versions, "--formaat", "json", "--geen-cache").stdout)
    assert data["regio"][-1]["kaderversies"] == ["1.0", "1.1"]
    assert data["regio"][-1]["overgenomen"] == [{"team": "eemnes", "overgenomen_van": "2023-03-01", "kader": "1.0"}]
    out = plain(run("trend", folder, "--kader-map", versions, "--geen-cache").stdout)
    assert "geteld met verschillende Kaderversies (1.0 en 1.1)" in out
    assert "Jeugd- en Gezinsteam Eemnes (van 1 maart 2023, Kader 1.0)" in out


# ---------------------------------------------------------------- labels ----------------------
def two_teams_named_alike(folder: Path) -> Path:
    """Soest and Woudenberg both called 'Sociaal team'."""
    folder.mkdir()
    for name, naam in (("soest-2023-03.yaml", "BBS Sociaal team en Jeugdteam Soest"),
                       ("woudenberg-2023-03.yaml", "Sociaal team De Kleine Schans")):
        text = (ASSESSMENTS / name).read_text(encoding="utf-8").replace(f'naam: "{naam}"', 'naam: "Sociaal team"', 1)
        assert 'naam: "Sociaal team"' in text
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["trend", "sweep"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_two_teams_of_one_name_are_told_apart_by_id_not_gemeente(tmp_path, command, fmt):
    folder = two_teams_named_alike(tmp_path / "teams")
    out = run(command, folder, "--formaat", fmt, "--geen-cache").stdout
    out = out.replace("\\[", "[").replace("\\]", "]")  # markdown escapes the brackets
    assert "Sociaal team [soest]" in out and "Sociaal team [woudenberg]" in out
    assert "Sociaal team (Soest)" not in out and "Sociaal team (Woudenberg)" not in out


def test_labels_are_names_never_gemeente_or_organisatie():
    from kadertoets.model import Team

    teams = [Team(id="a", name="BBS Lokaal team Baarn", municipality="Baarn", organisation="BBS", tasks={}),
             Team(id="b", name="BBS Lokaal team de Lingt", municipality="Bunschoten", organisation="BBS", tasks={}),
             Team(id="c", name="Wijkteam", municipality="Amersfoort", organisation="SWA", tasks={}),
             Team(id="d", name="Wijkteam", municipality="Soest", organisation="BBS", tasks={})]
    assert team_labels(teams) == {"a": "BBS Lokaal team Baarn", "b": "BBS Lokaal team de Lingt",
                                  "c": "Wijkteam [c]", "d": "Wijkteam [d]"}


# ---------------------------------------------------------------- invariant ----------------------
@pytest.fixture(scope="module")
def bundled_evaluations():
    return load_sweep([ASSESSMENTS], use_cache=False).evaluations


DAYS = [dt.date(2023, 3, 1) + dt.timedelta(days=91 * i) for i in range(5)]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_totals_are_every_teams_latest_assessment_on_or_before_the_day(bundled_evaluations, data):
    """Any teams with any peildata (findings borrowed from any team): at each peildatum the totals
    are the sum over the teams of their latest assessment on or before it; counted, carried and
    not-yet teams agree with that."""
    evs = list(bundled_evaluations)
    made = []
    plan = {}
    for ev in evs:
        days = data.draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True),
                         label=ev.assessment.team.id)
        plan[ev.assessment.team.id] = {}
        for day in days:
            donor = data.draw(st.sampled_from(evs))
            made.append(dataclasses.replace(ev, assessment=dataclasses.replace(ev.assessment, reference_date=day),
                                            findings=donor.findings))
            plan[ev.assessment.team.id][day] = donor.counts()
    trend = build_trend(Sweep(evaluations=(), invalid=(), all_evaluations=tuple(made)))
    region = trend.region()
    assert [r.day for r in region] == sorted({d for days in plan.values() for d in days})
    for r in region:
        latest = {tid: max(d for d in days if d <= r.day) for tid, days in plan.items() if min(days) <= r.day}
        assert r.counts == {s.value: sum(plan[tid][d][s.value] for tid, d in latest.items()) for s in Status}
        assert r.teams == len(latest) and r.not_yet == len(plan) - len(latest)
        assert r.carried == sum(1 for d in latest.values() if d < r.day)
        assert {t.team_id: ev.assessment.reference_date for t, ev in trend.carried(r.day)} == \
            {tid: d for tid, d in latest.items() if d < r.day}
        assert {t.team_id for t in trend.not_yet(r.day)} == set(plan) - set(latest)
