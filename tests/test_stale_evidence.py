"""Dated evidence (issue 12, point 3): a fact's `bewijs_datum` (and `bewijs_document`) and the manifest's
maximum age of evidence (`bewijs:` with a default, per_thema and per_vraag).

Evidence is stale when its date lies more than the maximum age in months before the as-of date; exactly
that old is not stale (counted as `binnen_maanden` counts). Stale evidence is flagged per finding (JSON
`verouderd_bewijs`), in the human outputs and per team in the sweep; it never changes a status."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from annotated_kader import make_kader, team
from conftest import MINI, ROOT
from strategies import assessments
from kadertoets.cli import main
from kadertoets.evaluate.annotate import stale_paths
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import load_kader
from kadertoets.model import Fact


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def kader_dir(tmp_path_factory):
    return make_kader(tmp_path_factory.mktemp("kader-bewijs"))


def dated(day: str, document: str | None = None) -> str:
    return f"\n    bewijs: verslag\n    bewijs_datum: {day}" + (f'\n    bewijs_document: "{document}"' if document else "")


def check_json(kader_dir, tmp_path, text, *extra):
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", path, "--kader-map", kader_dir, "--formaat", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def stale_of(data) -> dict:
    return {f["eis"]: f["verouderd_bewijs"] for f in data["bevindingen"]}


# ------------------------------------------------------------------ the boundary ------------------------
@pytest.mark.parametrize("day,stale", [
    ("2022-03-01", False),  # exactly 12 months before the peildatum 1 maart 2023: not stale
    ("2022-02-28", True),  # a day older: stale
    ("2023-03-01", False),  # of the peildatum itself
])
def test_evidence_exactly_the_maximum_age_is_not_stale_a_day_older_is(kader_dir, tmp_path, day, stale):
    data = check_json(kader_dir, tmp_path, team(aantal_bewijs=dated(day)))
    expected = ["a.aantal"] if stale else []
    assert stale_of(data)["T-A-01"] == expected  # T-A-01 reads a.aantal
    assert stale_of(data)["T-B-01"] == []  # T-B-01 does not
    assert data["verouderd_bewijs"] == expected


@pytest.mark.parametrize("day,stale", [("2022-09-01", False), ("2022-08-31", True)])
def test_a_question_may_have_its_own_maximum(kader_dir, tmp_path, day, stale):
    """per_vraag a.keuze: 6 months instead of the default 12."""
    data = check_json(kader_dir, tmp_path, team(keuze_bewijs=dated(day)))
    assert stale_of(data)["T-B-01"] == (["a.keuze"] if stale else [])


def test_the_as_of_date_decides_not_the_peildatum(kader_dir, tmp_path):
    text = team(aantal_bewijs=dated("2022-06-01"))
    assert stale_of(check_json(kader_dir, tmp_path, text))["T-A-01"] == []
    assert stale_of(check_json(kader_dir, tmp_path, text, "--toetsdatum", "01-06-2023"))["T-A-01"] == []
    assert stale_of(check_json(kader_dir, tmp_path, text, "--toetsdatum", "02-06-2023"))["T-A-01"] == ["a.aantal"]


def test_month_ends_count_as_binnen_maanden_does():
    """On 29 February 2024, twelve months back is 28 February 2023 (the day does not exist then)."""
    kader = replace(load_kader(MINI, "1.0"), evidence_max_months={"a.aantal": 12})
    from kadertoets.model import Assessment, Team

    def stale(day):
        a = Assessment("<t>", "1.0", dt.date(2024, 2, 29), Team("t", "T", "G", "O", {"jeugd": True, "wmo": True}), {},
                       {"a.aantal": Fact(2, evidence_date=day)}, ())
        return bool(stale_paths(kader, a, dt.date(2024, 2, 29)))

    assert not stale(dt.date(2023, 2, 28)) and stale(dt.date(2023, 2, 27))


def test_a_fact_without_a_date_is_never_flagged_and_a_kader_without_a_maximum_flags_nothing(kader_dir, tmp_path):
    assert check_json(kader_dir, tmp_path, team())["verouderd_bewijs"] == []
    path = tmp_path / "team.yaml"
    path.write_text(team(aantal_bewijs=dated("2010-01-01")), encoding="utf-8")
    data = json.loads(run("check", path, "--kader-map", MINI, "--formaat", "json").output)
    assert data["verouderd_bewijs"] == [] and all(f["verouderd_bewijs"] == [] for f in data["bevindingen"])


# ------------------------------------------------------------------ shown to people ---------------------
def test_check_text_and_markdown_show_stale_evidence_with_its_date_document_and_maximum(kader_dir, tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(team(aantal_bewijs=dated("2021-12-15", "Jaarverslag 2021, p. 4")), encoding="utf-8")
    result = run("check", path, "--kader-map", kader_dir, "--alles")
    out = " ".join(result.output.split())
    assert "== Verouderd bewijs ==" in out and "15 december 2021" in out and "12 maanden" in out
    assert "Jaarverslag" in out and "Verouderd bewijs: 1 feit" in out
    assert "Verouderd bewijs: het aantal." in out  # in T-A-01's row
    md = run("check", path, "--kader-map", kader_dir, "--formaat", "markdown").output
    assert "## Verouderd bewijs" in md
    assert "| het aantal (document: Jaarverslag 2021, p. 4) | 15 december 2021 | 12 maanden | T-A-01 |" in md
    plan = run("plan", path, "--kader-map", kader_dir).output
    assert "Verouderd bewijs: 1 feit" in plan


def test_stale_evidence_never_changes_a_status_or_the_exit_code(kader_dir, tmp_path):
    fresh = check_json(kader_dir, tmp_path, team(aantal_bewijs=dated("2023-01-01")))
    old = check_json(kader_dir, tmp_path, team(aantal_bewijs=dated("2019-01-01")))
    assert [(f["eis"], f["status"], f["reden"]) for f in fresh["bevindingen"]] == \
        [(f["eis"], f["status"], f["reden"]) for f in old["bevindingen"]]
    assert fresh["samenvatting"] == old["samenvatting"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessment=assessments(load_kader(ROOT, "1.0")), data=st.data())
def test_dating_evidence_changes_nothing_but_the_flags(assessment, data):
    kader = load_kader(ROOT, "1.0")
    day = st.dates(min_value=dt.date(2015, 1, 1), max_value=assessment.reference_date)
    facts = {p: replace(f, evidence_date=data.draw(day)) for p, f in assessment.facts.items()}
    plain = evaluate(kader, assessment, assessment.reference_date, PythonBackend())
    dated_ev = evaluate(kader, replace(assessment, facts=facts), assessment.reference_date, PythonBackend())
    assert [(f.rule_id, f.status, f.reason) for f in plain.findings] == \
        [(f.rule_id, f.status, f.reason) for f in dated_ev.findings]
    assert dated_ev.exit_code == plain.exit_code
    flagged = set(dated_ev.stale_evidence())
    read = {p for f in dated_ev.findings for p in _read(kader, f.rule_id)}
    for path, fact in facts.items():  # the bundled Kader: 12 months for every question
        age = (assessment.reference_date - fact.evidence_date).days
        if path in read and age > 366:
            assert path in flagged
        if age <= 365 or path not in read:
            assert path not in flagged


def _read(kader, rule_id):
    from kadertoets.evaluate.annotate import read_fields

    return read_fields(kader, rule_id)


# ------------------------------------------------------------------ bad input -------------------------
def test_evidence_dated_after_the_peildatum_is_invalid_input(kader_dir, tmp_path):
    text = team(aantal_bewijs=dated("2023-03-02"))
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", path, "--kader-map", kader_dir)
    line = next(i for i, x in enumerate(text.splitlines(), start=1) if "bewijs_datum" in x)
    assert result.exit_code == 2 and f"team.yaml:{line}:" in result.stderr
    assert "ligt na de peildatum" in result.stderr and "Traceback" not in result.output


def test_an_empty_document_reference_is_invalid_input(kader_dir, tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(team(aantal_bewijs="\n    bewijs_document: ''"), encoding="utf-8")
    result = run("check", path, "--kader-map", kader_dir)
    assert result.exit_code == 2 and "bewijs_document" in result.stderr and "mag niet leeg zijn" in result.stderr


@pytest.mark.parametrize("policy,message", [
    ("bewijs:\n  max_leeftijd_maanden: 12\n  per_vraag:\n    a.keuz: 6\n", "onbekende vraag 'a.keuz' in per_vraag"),
    ("bewijs:\n  max_leeftijd_maanden: 12\n  per_thema:\n    Tset: 6\n", "onbekend thema 'Tset' in per_thema"),
    ("bewijs:\n  max_leeftijd_maanden: 0\n", "moet minstens 1 zijn"),
    ("bewijs:\n  max_leeftijd_maanden: 12\n  afgeleid: true\n", "is afgeleid, maar de toelichting ontbreekt"),
    ("bewijs:\n  per_vraag: {a.keuze: 6}\n", "verplicht veld 'max_leeftijd_maanden' ontbreekt"),
])
def test_a_bad_manifest_bewijs_block_is_a_load_error(tmp_path, policy, message):
    folder = make_kader(tmp_path / "k", "\n" + policy)
    result = run("rules", "--kader-map", folder)
    assert result.exit_code == 2 and message in result.stderr and "1.0.yaml:" in result.stderr


def test_per_thema_applies_to_the_questions_of_that_theme_and_per_vraag_goes_first(tmp_path):
    folder = make_kader(tmp_path / "k", "\nbewijs:\n  max_leeftijd_maanden: 24\n  per_thema: {Tellen: 3}\n"
                                        "  per_vraag: {a.keuze: 6}\n")
    questions = folder / "kader" / "vragen-1.0.yaml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text.replace('kort: "het aantal"', 'kort: "het aantal"\n    thema: Tellen'), encoding="utf-8")
    kader = load_kader(folder, "1.0")
    themes = {p: q.theme for p, q in kader.questions.items()}
    for path, months in kader.evidence_max_months.items():
        expected = 6 if path == "a.keuze" else 3 if themes[path] == "Tellen" else 24
        assert months == expected, path
    assert set(kader.evidence_max_months) == set(kader.questions) and kader.evidence_max_months["a.aantal"] == 3


# ------------------------------------------------------------------ the sweep -------------------------
def test_the_sweep_shows_stale_evidence_per_team_next_to_completeness(kader_dir, tmp_path, cache_dir):
    folder = tmp_path / "regio"
    folder.mkdir()
    (folder / "a.yaml").write_text(team(aantal_bewijs=dated("2021-01-01"), keuze_bewijs=dated("2020-01-01")),
                                   encoding="utf-8")
    (folder / "b.yaml").write_text(team().replace("id: proef", "id: vers").replace("naam: Proefteam", "naam: Vers"),
                                   encoding="utf-8")
    args = ("sweep", folder, "--kader-map", kader_dir)
    data = json.loads(run(*args, "--formaat", "json").output)
    teams = {t["team"]["id"]: t for t in data["teams"]}
    assert teams["proef"]["verouderd_bewijs"] == ["a.aantal", "a.keuze"] and teams["vers"]["verouderd_bewijs"] == []
    assert "compleetheid" in teams["proef"]
    assert data["verouderd_bewijs"] == {"feiten": 2, "teams": 1}
    assert run(*args, "--formaat", "json").output == run(*args, "--formaat", "json", "--geen-cache").output
    text = run(*args).output
    header = next(x for x in text.splitlines() if "Compleet" in x)
    assert header.index("Compleet") < header.index("Oud bewijs")
    row = next(x for x in text.splitlines() if "proef:" in x)
    assert row.rstrip(" │").endswith("2")
    md = run(*args, "--formaat", "markdown").output
    assert "| Compleet | Afwijking | Oud bewijs |" in md
    assert "verouderd bewijs: 2 feiten bij 1 team." in " ".join(md.split())
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run(*args, "--formaat", "csv").output), delimiter=";"))
    assert {(r["team"], r["eis"]): r["verouderd_bewijs"] for r in rows} == {
        ("proef", "T-A-01"): "a.aantal", ("proef", "T-B-01"): "a.keuze", ("vers", "T-A-01"): "", ("vers", "T-B-01"): ""}
    xlsx = tmp_path / "regio.xlsx"
    assert run(*args, "-o", xlsx).exit_code == 1  # the gaps of T-B-01
    from openpyxl import load_workbook

    ws = load_workbook(xlsx)["Per team"]
    header = [c.value for c in ws[1]]
    values = {r[header.index("team")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values["proef"][header.index("feiten met verouderd bewijs")] == 2
    assert values["vers"][header.index("compleet")] == "100%"
    findings = load_workbook(xlsx)["Bevindingen"]
    fheader = [c.value for c in findings[1]]
    stale = {(r[2], r[5]): r[fheader.index("verouderd bewijs")] for r in findings.iter_rows(min_row=2, values_only=True)}
    assert stale[("proef", "T-B-01")] == "de status"  # for people: the question's words, not its path
    html = tmp_path / "regio.html"
    run(*args, "-o", html)
    page = html.read_text(encoding="utf-8")
    assert "<th>Compleet</th>" in page and "Oud bewijs</th>" in page and "Verouderd bewijs: de status." in page
