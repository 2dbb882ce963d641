"""Plain Dutch wherever a person reads the reasons: reasons composed from the questions' `kort` and
`labels`, no field paths or codes in the human formats of `kader check`, `explain` and `rules`, the
codes kept beside the Dutch in JSON, and terminal tables that never cut a word at 80 columns."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from kadertoets import cli
from kadertoets.infra.dates import dutch_date
from kadertoets.render import Options, render
from kadertoets.sweep.run import check_file, load_kader_for_listing
from conftest import ASSESSMENTS, ROOT

# a team without a jeugdtaak, with a Wmo-taak, and answers that give every status
TEAM = """\
kader: "1.0"
peildatum: 2023-06-30
team:
  id: t1
  naam: "Team Een"
  gemeente: Ergens
  organisatie: "Org"
  taken: {jeugd: false, wmo: true}
feiten:
  eigen_begeleiding.tenzij: "ja"
  eigen_begeleiding.registratie_methode: regionaal_uniform
  eigen_begeleiding.registratie_onderscheid_jeugd_wmo: false
  implementatie.verantwoordelijke_aangewezen: false
  veiligheid.aandachtsfunctionarissen: 0
  veiligheid.aandachtsfunctionarissen_in_opleiding: 0
  clientervaring.laatste_meting: 2021-05-03
  clientervaring.aansluiting_contractpartner: true
  clientervaring.methode: geen
  kwaliteit.werkbegeleiding_structureel: true
  minder_beschikken.realisatie_2021_2022: volledig
"""

FIELD_PATH = re.compile(r"\b[a-z_]{2,}\.[a-z_0-9]{2,}\b")
CODES = re.compile(r"\b(voldoet_niet|lokaal_team|nvt|regionaal_uniform|ja_nee)\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


# the region's state beside it: the measurement of client experience exists, so KLT-CLI-01 reads the team
REGION = """\
kader: "1.0"
peildatum: 2023-06-01
regio: {naam: "Regio Ergens"}
feiten:
  regio.clientervaring.status: vastgesteld
"""


@pytest.fixture
def team(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    (tmp_path / "regio-2023-06.yaml").write_text(REGION, encoding="utf-8")
    return path


def reasons(path) -> dict:
    result = CliRunner().invoke(cli.main, ["check", str(path), "--format", "json", "--kader-dir", str(ROOT)])
    assert result.exit_code == 1, result.output
    return {f["eis"]: f for f in json.loads(result.stdout)["bevindingen"]}


def test_each_status_has_a_reason_in_the_teams_terms(team):
    found = reasons(team)
    assert found["KLT-EB-01"]["status"] == "voldoet"
    assert found["KLT-EB-01"]["reden"] == "Voldoet: het werken volgens eigen begeleiding, tenzij: ja."
    assert found["KLT-IMP-01"]["status"] == "voldoet_niet"
    assert found["KLT-IMP-01"]["reden"] == "Voldoet niet: er is geen implementatieverantwoordelijke aangewezen."
    assert found["KLT-VEI-02"]["reden"] == (
        "Voldoet niet: het aantal aandachtsfunctionarissen veiligheid: 0 (het Kader vraagt: minstens 1). "
        "Ook niet deels: het aantal aandachtsfunctionarissen in opleiding: 0 (het Kader vraagt: minstens 1).")
    assert found["KLT-CLI-01"]["reden"].startswith(
        "Voldoet niet: de laatste meting van cliëntervaring: 3 mei 2021 (het Kader vraagt: een datum hoogstens "
        "12 maanden vóór de peildatum).")
    assert found["KLT-FOR-04"]["status"] == "onbekend"
    assert found["KLT-FOR-04"]["reden"] == "Onbekend: nog niet ingevuld: het scholingsplan."
    assert found["KLT-18-01"]["status"] == "nvt"
    assert found["KLT-18-01"]["reden"] == ("Niet van toepassing: het team heeft geen jeugdtaak (de eis geldt alleen "
                                           "als: het team heeft een jeugdtaak).")
    assert found["KLT-EB-03"]["status"] == "onbekend"
    assert found["KLT-EB-03"]["reden"] == ("Onbekend: nog niet ingevuld: de prognose 2023 tot en met 2025 van "
                                           "ambulante begeleiding met beschikking.")
    assert found["KLT-VEI-08"]["reden"] == (
        "Voldoet niet volledig: de uitkomst van eis KLT-VEI-02: voldoet niet (het Kader vraagt: voldoet). "
        "Onbekend of de eis deels voldoet: nog niet bekend: de uitkomst van eis KLT-VEI-01.")


def test_a_task_of_the_team_is_the_circumstance_not_the_shortcoming(team):
    """KLT-EB-02: distinguishing jeugd and Wmo is needed because the team has a Wmo task; having that
    task is never listed as what the team fails to meet."""
    eb02 = reasons(team)["KLT-EB-02"]
    assert eb02["status"] == "deels"
    assert eb02["reden"] == ("Deels: de registratie van eigen begeleiding maakt geen onderscheid tussen jeugd en "
                             "Wmo (het Kader vraagt: de registratie van eigen begeleiding maakt onderscheid tussen "
                             "jeugd en Wmo, want het team heeft een Wmo-taak).")
    assert not eb02["reden"].startswith("Deels: het team heeft")


def test_json_keeps_the_codes_beside_the_dutch(team):
    found = reasons(team)
    eb02 = found["KLT-EB-02"]
    assert {"onderdeel": "voldoet", "veld": "eigen_begeleiding.registratie_onderscheid_jeugd_wmo", "operator": "is",
            "vereist": True, "waarde": False, "voldaan": False} in eb02["voorwaarden"]
    assert {"onderdeel": "deels", "veld": "eigen_begeleiding.registratie_methode", "operator": "niet_in",
            "vereist": ["geen"], "waarde": "regionaal_uniform", "voldaan": True} in eb02["voorwaarden"]
    assert found["KLT-IMP-01"]["status"] == "voldoet_niet" and found["KLT-IMP-01"]["verantwoordelijk"] == "gemeente"
    assert found["KLT-18-01"]["status"] == "nvt"
    assert found["KLT-18-01"]["voorwaarden"] == [{"onderdeel": "van_toepassing", "veld": "team.taken.jeugd",
                                                  "operator": "is", "vereist": True, "waarde": False,
                                                  "voldaan": False}]
    assert found["KLT-CLI-01"]["voorwaarden"][0]["waarde"] == "2021-05-03"  # dates as JJJJ-MM-DD
    assert found["KLT-EB-03"]["ontbrekend"] == ["minder_beschikken.prognose_2023_2025"]
    assert found["KLT-EB-03"]["voorwaarden"][0]["voldaan"] is None
    assert {"onderdeel": "deels", "regel": "KLT-VEI-01", "operator": "status", "vereist": ["deels", "voldoet"],
            "waarde": "onbekend", "voldaan": None} in found["KLT-VEI-08"]["voorwaarden"]
    assert found["KLT-VEI-08"]["ontbrekend"] == ["uitkomst KLT-VEI-01"]


def _notes(path) -> list[str]:
    """The assessment's own toelichtingen: the team's words, shown as written."""
    ev = check_file(path, ROOT)
    return [note for f in ev.findings for _, note in f.notes]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("assessment", ASSESSMENTS + ["team"], ids=lambda p: getattr(p, "stem", p))
def test_human_formats_show_no_field_paths_codes_or_iso_dates(assessment, fmt, team, monkeypatch):
    path = team if assessment == "team" else assessment
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.main, ["check", str(path), "--format", fmt, "--alles"])
    assert result.exit_code == 1, result.output
    text = result.stdout.replace(str(path), "").replace(path.name, "")  # the file name is the user's
    notes = " ".join(_notes(path))  # what the team wrote itself may say anything
    assert not set(FIELD_PATH.findall(text)) - set(FIELD_PATH.findall(notes))
    assert not set(CODES.findall(text)) - set(CODES.findall(notes))
    assert not set(ISO_DATE.findall(text)) - set(ISO_DATE.findall(notes))


def test_explain_and_rules_speak_the_teams_language():
    kader = load_kader_for_listing(ROOT)
    text = render("explain", "text", (kader, kader.rules["KLT-VEI-05"]), Options())
    assert "Van toepassing als: het team heeft een jeugdtaak" in text
    assert "Deadline: 1 januari 2024" in text
    norm = text[text.index("Norm:"):text.index("Verbeteractie")]
    assert not FIELD_PATH.findall(norm) and not CODES.findall(norm)
    listing = render("rules", "text", kader, Options(width=80))
    assert "lokaal team" in listing and "lokaal_team" not in listing
    assert "1 februari 2023" in listing


@pytest.mark.parametrize("assessment", ASSESSMENTS + ["team"], ids=lambda p: getattr(p, "stem", p))
def test_tables_fit_80_columns_without_cutting_a_word(assessment, team):
    ev = check_file(team if assessment == "team" else assessment, ROOT)
    text = render("check", "text", ev, Options(width=80, show_all=True))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    # every word of every reason stands whole on one line of the table
    cells = " ".join(part.strip() for line in text.splitlines() for part in line.split("│"))
    for f in ev.findings:
        shown = f.reason if f.status.value != "onbekend" else f.title
        for word in re.findall(r"[\wëéï-]{12,}", shown):
            assert word in cells, word
    listing = render("rules", "text", load_kader_for_listing(ROOT), Options(width=80))
    assert max(len(line) for line in listing.splitlines()) <= 80 and "…" not in listing


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dutch_dates(day):
    text = dutch_date(day)
    number, month, year = text.split(" ")
    assert int(number) == day.day and int(year) == day.year and not number.startswith("0")
    assert month in ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                     "oktober", "november", "december")
    assert dutch_date(dt.date(2023, 6, 30)) == "30 juni 2023"


# -- the questions file: kort and labels ------------------------------------------------------------

@pytest.fixture
def kader_copy(tmp_path):
    folder = tmp_path / "k"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


def _edit(folder, old: str, new: str) -> None:
    path = folder / "kader" / "vragen-1.0.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, message", [
    ('      "excel": "een eigen Excelbestand"\n', '      "excell": "een eigen Excelbestand"\n',
     "label voor 'excell', maar dat is geen waarde van vraag 'eigen_begeleiding.registratie_methode'"),
    ('      "excel": "een eigen Excelbestand"\n', "",
     "geen label voor excel: geef elke waarde van vraag 'eigen_begeleiding.registratie_methode' een label"),
    ('    kort: "het aantal aandachtsfunctionarissen veiligheid"\n',
     '    kort: "het aantal aandachtsfunctionarissen veiligheid"\n    labels: {"ja": "x"}\n',
     "'labels' hoort niet bij vraag 'veiligheid.aandachtsfunctionarissen' van type geheel_getal"),
    ('    kort: "het aantal aandachtsfunctionarissen veiligheid"\n', '    kort: "twee\\nregels"\n',
     "bevat een regeleinde"),
    ('    kort: "het aantal aandachtsfunctionarissen veiligheid"\n', f'    kort: "{"x" * 121}"\n',
     "is langer dan 120 tekens"),
])
def test_bad_kort_or_labels_is_refused_with_a_location(kader_copy, old, new, message):
    _edit(kader_copy, old, new)
    result = CliRunner().invoke(cli.main, ["rules", "--kader-dir", str(kader_copy)])
    assert result.exit_code == 2, result.output
    assert "vragen-1.0.yaml:" in result.output and message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_lint_warns_for_a_question_a_rule_uses_without_kort_or_labels(kader_copy):
    _edit(kader_copy, '    kort: "het implementatieplan"\n', "")
    _edit(kader_copy, '    labels:\n      "niet_nodig": "niet nodig"\n      "geen": "geen plan"\n'
                      '      "concept": "een concept"\n      "vastgesteld": "vastgesteld"\n', "")
    result = CliRunner().invoke(cli.main, ["lint", "--kader-dir", str(kader_copy), "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning, not an error
    found = [p for p in json.loads(result.stdout)["problemen"] if p["code"] == "KT507"]
    assert len(found) == 1 and found[0]["ernst"] == "waarschuwing"
    assert "implementatieplan.status" in found[0]["melding"] and "'kort' en geen 'labels'" in found[0]["melding"]
    assert found[0]["bestand"].endswith("vragen-1.0.yaml") and found[0]["regel"]
    # without kort the reason quotes the question, never the path
    team = kader_copy / "t.yaml"
    team.write_text(TEAM + "  implementatieplan.status: concept\n", encoding="utf-8")
    out = CliRunner().invoke(cli.main, ["check", str(team), "--kader-dir", str(kader_copy), "--format", "json"])
    imp02 = {f["eis"]: f for f in json.loads(out.stdout)["bevindingen"]}["KLT-IMP-02"]
    assert imp02["reden"].startswith("Deels: het antwoord op 'Wat is de stand van het implementatieplan")


def test_every_bundled_question_has_kort_and_every_choice_its_labels():
    from kadertoets.load.questions import label_keys

    kader = load_kader_for_listing(ROOT)
    assert len(kader.questions) == 114
    for q in kader.questions.values():
        assert q.short, q.path
        assert [k for k, _ in q.labels] == list(label_keys(q.type, q.values)), q.path
