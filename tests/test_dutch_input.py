"""Dutch input conventions in an assessment: ja/nee, a decimal comma, 85%, dd-mm-jjjj.

A person writes values as Dutch readers do; the loader accepts them wherever it asks for a yes/no,
a number or a date, and refuses what is ambiguous (1.000) with a Dutch message and its location."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT, write
from kadertoets.infra.errors import KaderFout
from kadertoets.sweep.run import check_file

TEAM = """\
kader: "1.0"
peildatum: {peildatum}
team:
  id: proef
  naam: Proefteam
  gemeente: Proefstad
  organisatie: Proef
  taken: {{jeugd: {jeugd}, wmo: {wmo}}}
feiten:
{feiten}
"""


def team(tmp_path, feiten: dict, peildatum="2023-03-01", jeugd="true", wmo="false"):
    lines = "\n".join(f"  {k}:\n    waarde: {v}" for k, v in feiten.items()) or "  {}"
    text = TEAM.format(peildatum=peildatum, jeugd=jeugd, wmo=wmo, feiten=lines)
    return write(tmp_path, "team.yaml", text)


def loaded(tmp_path, feiten: dict, **kw):
    return check_file(team(tmp_path, feiten, **kw), ROOT).assessment


def values(tmp_path, feiten: dict, **kw) -> dict:
    a = loaded(tmp_path, feiten, **kw)
    return {k: a.facts[k].value for k in feiten}


def problems(tmp_path, feiten: dict, **kw):
    with pytest.raises(KaderFout) as exc:
        loaded(tmp_path, feiten, **kw)
    return exc.value.problems


@pytest.mark.parametrize("written, meant", [
    ("ja", True), ("nee", False), ("Ja", True), ("NEE", False), ('" ja "', True), ("true", True), ("false", False),
])
def test_yes_no_question_takes_ja_and_nee(tmp_path, written, meant):
    assert values(tmp_path, {"skj_big.afwijking_onderbouwd": written}) == {"skj_big.afwijking_onderbouwd": meant}


def test_team_tasks_take_ja_and_nee(tmp_path):
    a = loaded(tmp_path, {}, jeugd="ja", wmo="nee")
    assert a.team.tasks == {"jeugd": True, "wmo": False}


def test_a_yes_no_answer_that_is_neither_names_the_question(tmp_path):
    (p,) = problems(tmp_path, {"skj_big.afwijking_onderbouwd": "misschien"})
    assert p.line == 11 and "ja of nee" in p.message and "misschien" in p.message and p.hint == "Schrijf ja of nee."


@pytest.mark.parametrize("written, meant", [
    ('"0,78"', 0.78), ("0,78", 0.78), ('"9.62"', 9.62), ("12", 12), ('"12"', 12), ('" 7,5 "', 7.5),
])
def test_number_with_a_decimal_comma(tmp_path, written, meant):
    assert values(tmp_path, {"formatie.fte_totaal": written}) == {"formatie.fte_totaal": meant}


@pytest.mark.parametrize("written, meant", [("85%", 85), ("18,5%", 18.5), ("18,5 %", 18.5), ("19", 19)])
def test_percentage_with_a_percent_sign(tmp_path, written, meant):
    assert values(tmp_path, {"algemeen.jeugd_tm18_pct": written}) == {"algemeen.jeugd_tm18_pct": meant}


def test_whole_number_question_takes_digits_as_text(tmp_path):
    assert values(tmp_path, {"algemeen.inwoners": '"9450"'}) == {"algemeen.inwoners": 9450}


@pytest.mark.parametrize("written, words", [
    ('"1.000"', "dubbelzinnig"),  # a thousand to a Dutch reader, one to a computer
    ('"12,5"', "geheel getal"),
    ("85%", "procent"),  # inhabitants are not a percentage
    ("negen", "geheel getal"),
])
def test_whole_number_refusals_say_why(tmp_path, written, words):
    (p,) = problems(tmp_path, {"algemeen.inwoners": written})
    assert words in p.message and p.line == 11


def test_a_percentage_above_hundred_is_still_refused(tmp_path):
    (p,) = problems(tmp_path, {"algemeen.jeugd_tm18_pct": "120%"})
    assert "maximum 100" in p.message


@pytest.mark.parametrize("written, meant", [
    ("15-6-2023", dt.date(2023, 6, 15)), ("01-03-2023", dt.date(2023, 3, 1)), ("2023-06-15", dt.date(2023, 6, 15)),
    ('"2023-06-15"', dt.date(2023, 6, 15)),
])
def test_dates_as_dd_mm_jjjj(tmp_path, written, meant):
    assert loaded(tmp_path, {}, peildatum=written).reference_date == meant


def test_a_date_that_does_not_exist(tmp_path):
    with pytest.raises(KaderFout) as exc:
        loaded(tmp_path, {}, peildatum="31-2-2023")
    (p,) = exc.value.problems
    assert p.line == 2 and "geen bestaande datum" in p.message and "dd-mm-jjjj" in p.hint


def test_the_dutch_and_the_plain_spelling_give_the_same_findings(tmp_path):
    (tmp_path / "a").mkdir()
    dutch = check_file(team(tmp_path / "a", {"formatie.fte_totaal": "9,62", "skj_big.afwijking_onderbouwd": "ja",
                                             "algemeen.jeugd_tm18_pct": "18%"}, peildatum="1-3-2023"), ROOT)
    (tmp_path / "b").mkdir()
    plain = check_file(team(tmp_path / "b", {"formatie.fte_totaal": "9.62", "skj_big.afwijking_onderbouwd": "true",
                                              "algemeen.jeugd_tm18_pct": "18"}), ROOT)
    assert [(f.rule_id, f.status, f.reason) for f in dutch.findings] == \
        [(f.rule_id, f.status, f.reason) for f in plain.findings]


def dutch_spelling(x: float) -> str:
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False))
def test_any_written_percentage_reads_back_as_its_number(tmp_path_factory, d):
    tmp = tmp_path_factory.mktemp("pct")
    written = dutch_spelling(float(d))
    got = values(tmp, {"algemeen.jeugd_tm18_pct": f'"{written}%"'})["algemeen.jeugd_tm18_pct"]
    assert got == pytest.approx(float(d))


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.booleans())
def test_any_date_written_day_first_reads_back(tmp_path_factory, day, padded):
    tmp = tmp_path_factory.mktemp("date")
    written = f"{day.day:02d}-{day.month:02d}-{day.year}" if padded else f"{day.day}-{day.month}-{day.year}"
    assert loaded(tmp, {}, peildatum=written).reference_date == day


def test_how_to_answer_states_the_conventions_the_loader_accepts(bundled_kader):
    from kadertoets.evaluate.answerforms import how_to_answer

    qs = bundled_kader.questions
    assert "ja of nee" in how_to_answer(qs["skj_big.afwijking_onderbouwd"])
    assert "0,5" in how_to_answer(qs["formatie.fte_totaal"])
    assert "85%" in how_to_answer(qs["algemeen.jeugd_tm18_pct"])
    assert "85%" not in how_to_answer(qs["algemeen.inwoners"])
    assert "dd-mm-jjjj" in how_to_answer(next(q for q in qs.values() if q.type == "datum"))


def test_explain_states_what_the_team_fills_in_and_how():
    from click.testing import CliRunner
    from kadertoets.cli import main

    out = CliRunner().invoke(main, ["explain", "KLT-EB-02"]).stdout
    section = out.split("Wat het team invult:")[1].split("Verbeteractie")[0]
    assert "Hoe registreert het team de eigen begeleiding?" in section and "regionaal_uniform" in section
    assert "Maakt de registratie van eigen begeleiding onderscheid tussen jeugd en Wmo?" in section
    assert section.count("Schrijf ja of nee.") == 2


def test_a_choice_may_be_written_as_its_label(tmp_path):
    got = values(tmp_path, {"eigen_begeleiding.registratie_methode": "Een eigen Excelbestand"})
    assert got == {"eigen_begeleiding.registratie_methode": "excel"}
    (p,) = problems(tmp_path, {"eigen_begeleiding.registratie_methode": "in een schrift"})
    assert "niet toegestaan" in p.message


def test_evidence_may_be_dated_but_not_after_the_peildatum(tmp_path):
    a = loaded(tmp_path, {"formatie.fte_totaal": "9,5\n    bewijs: jaarverslag\n    bewijs_datum: 15-1-2023"})
    fact = a.facts["formatie.fte_totaal"]
    assert fact.evidence == "jaarverslag" and fact.evidence_date == dt.date(2023, 1, 15)
    (p,) = problems(tmp_path, {"formatie.fte_totaal": "9,5\n    bewijs_datum: 15-6-2023"})
    assert "na de peildatum" in p.message and "15 juni 2023" in p.message and p.line == 12
