"""The questionnaire workbook: `kader vragenlijst` writes a team's assessment as an Excel workbook,
`kader inlezen` reads it back into an assessment YAML, checked as a YAML file is.

What a civil servant sees: the answers as they write them (ja/nee, real numbers and dates), only the
answer cells editable, dropdowns; hand-typed Dutch values accepted; every bad cell reported at once as
`Vragen!F14` with the question, exit 2 and nothing written; formulas never read nor written."""

from __future__ import annotations

import re

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ASSESSMENTS, ROOT
from strategies import plan_actions, value_for
from kadertoets.cli import main
from kadertoets.infra.errors import KaderFout
from kadertoets.load.assessment import load_assessment
from kadertoets.load.kader import load_kader
from kadertoets.load.workbook import QUESTION_COLUMNS, answer_kind
from kadertoets.model import Assessment, Fact, Team
from kadertoets.render.assessment_yaml import assessment_yaml
from kadertoets.render.questionnaire_xlsx import questionnaire_xlsx
from kadertoets.sweep.questionnaire import assessment_from_workbook

BAARN = ROOT / "assessments" / "baarn-2023-03.yaml"
ANSWER = list(QUESTION_COLUMNS).index("waarde") + 1
KADER = load_kader(ROOT, "1.0")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def questionnaire(tmp_path, source=BAARN, name="team.xlsx") -> Path:
    out = tmp_path / name
    result = run("vragenlijst", source, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def read_back(tmp_path, book: Path, name="terug.yaml"):
    out = tmp_path / name
    return run("inlezen", book, "-o", out), out


def row_of(ws, qid: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == qid:
            return row
    raise AssertionError(qid)


def edit(book: Path, sheet: str, changes: dict) -> None:
    """Change cells as a person does in Excel: {(question id or cell, column): value} or {"F14": value}."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    for where, value in changes.items():
        if isinstance(where, tuple):
            qid, column = where
            ws.cell(row=row_of(ws, qid), column=column, value=value)
        else:
            ws[where] = value
    wb.save(book)


def first_of(kind: str, unit=None) -> str:
    return next(p for p, q in KADER.questions.items() if answer_kind(q) == kind and (unit is None or q.unit == unit))


def facts_of(a: Assessment) -> dict:
    """What a fact holds, without its line; a fact with nothing in it is unknown, as a missing one."""
    return {p: (f.value, f.note, f.evidence, f.reconfirm) for p, f in a.facts.items()
            if (f.value, f.note, f.evidence, f.reconfirm) != (None, None, None, False)}


def same_assessment(a: Assessment, b: Assessment) -> None:
    assert facts_of(a) == facts_of(b)
    assert a.plan == b.plan
    assert (a.team, a.reference_date, a.filled_in_by, a.kader_version) == \
           (b.team, b.reference_date, b.filled_in_by, b.kader_version)


# ---------------------------------------------------------------- round trip
@pytest.mark.parametrize("path", ASSESSMENTS, ids=lambda p: p.stem)
def test_each_bundled_assessment_comes_back_the_same_through_the_workbook(tmp_path, path):
    book = questionnaire(tmp_path, path)
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 0, result.output
    same_assessment(load_assessment(path, KADER), load_assessment(out, KADER))


def test_a_plan_with_moved_deadlines_comes_back_the_same(tmp_path):
    text = BAARN.read_text(encoding="utf-8") + """transformatieplan:
- id: A-1
  eis: KLT-EB-03
  omschrijving: "=Realisatie compleet maken"
  eigenaar: implementatieverantwoordelijke
  deadline: 2023-06-30
  status: deels_behaald
  deadline_verplaatst:
  - naar: 2023-09-30
    toelichting: "Zomer; \\"capaciteit\\""
  - naar: 2024-01-31
  extra_middelen_nodig: true
  toelichting: "regel 1\\nregel 2"
- eis: KLT-EB-01
  omschrijving: Eigen begeleiding invoeren
  eigenaar: teamleider
  deadline:
  status: gepland
"""
    source = tmp_path / "plan.yaml"
    source.write_text(text, encoding="utf-8")
    result, out = read_back(tmp_path, questionnaire(tmp_path, source))
    assert result.exit_code == 0, result.output
    before, after = load_assessment(source, KADER), load_assessment(out, KADER)
    same_assessment(before, after)
    assert after.plan[0].moved[0].note == 'Zomer; "capaciteit"' and after.plan[1].deadline is None


# Texts as people write them: quotes, a leading =, +, - or @, accents and other scripts, line breaks in a
# toelichting. Not control characters: a workbook shows those made visible (textsafe.clean), by design.
_letters = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"))
_text = st.one_of(
    st.text(_letters, min_size=1, max_size=12),
    st.sampled_from(['=HYPERLINK("http://x","klik")', "+31 6 1234", "-5 graden", "@team", '"geciteerd"',
                     "l'Ami", "Ünïcode €", "日本語", "  spaties  ", "_x0041_"]),
).filter(lambda s: s.strip())
_note = st.one_of(_text, st.tuples(_text, _text).map("\n".join))


@st.composite
def generated(draw):
    paths = draw(st.lists(st.sampled_from(sorted(KADER.questions)), unique=True, min_size=1, max_size=25))
    facts = {}
    for p in paths:
        q = KADER.questions[p]
        value = draw(st.one_of(st.none(), _text) if answer_kind(q) == "text" else st.one_of(st.none(), value_for(q)))
        if isinstance(value, float):  # Excel keeps 15 significant digits (its own limit, not ours)
            value = float(f"{value:.15g}")
        note, evidence = draw(st.one_of(st.none(), _note)), draw(st.one_of(st.none(), _text))
        if value is None and note is None:
            note = "Onbekend: de bron zegt het niet."
        facts[p] = Fact(value, note, evidence, None, draw(st.booleans()))
    plan = tuple(replace(a, description=draw(_text).strip() or "x", note=draw(st.one_of(st.none(), _note)),
                         moved=tuple(replace(m, note=draw(st.one_of(st.none(), _note))) for m in a.moved))
                 for a in draw(plan_actions(KADER)))
    team = Team("gen-1", draw(_text.filter(lambda s: "\n" not in s)), "Testdorp", "Test",
                {"jeugd": draw(st.booleans()), "wmo": draw(st.booleans())})
    filled = {"naam": draw(_text), "datum": draw(st.dates(dt.date(1890, 1, 1), dt.date(2030, 1, 1)))}
    return Assessment("<gegenereerd>", "1.0", draw(st.dates(dt.date(2023, 1, 1), dt.date(2025, 1, 1))), team, filled,
                      facts, plan)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(a=generated())
def test_yaml_to_workbook_to_yaml_keeps_facts_evidence_and_plan(tmp_path, a):
    source = tmp_path / "gen.yaml"
    source.write_text(assessment_yaml(a, "gegenereerd"), encoding="utf-8")
    before = load_assessment(source, KADER)
    book = tmp_path / "gen.xlsx"
    book.write_bytes(questionnaire_xlsx(before, KADER))
    after, _ = assessment_from_workbook(book, ROOT, None)
    again = tmp_path / "terug.yaml"
    again.write_text(assessment_yaml(after, "gen.xlsx"), encoding="utf-8")
    same_assessment(before, load_assessment(again, KADER))


# ---------------------------------------------------------------- what the workbook looks like
def test_the_sheets_are_protected_with_only_the_answers_editable_and_the_id_hidden(tmp_path):
    wb = openpyxl.load_workbook(questionnaire(tmp_path))
    assert {"Uitleg", "Vragen", "Team", "Plan", "Verplaatst"} <= set(wb.sheetnames)
    ws = wb["Vragen"]
    assert [c.value for c in ws[1]] == list(QUESTION_COLUMNS.values())
    assert ws.protection.sheet and ws.column_dimensions["A"].hidden
    row = row_of(ws, "formatie.fte_totaal")
    locked = {ws.cell(row=1, column=i).value: ws.cell(row=row, column=i).protection.locked
              for i in range(1, len(QUESTION_COLUMNS) + 1)}
    assert locked == {"id": True, "Thema": True, "Vraag": True, "Hulp": True, "Eenheid": True, "Antwoord": False,
                      "Bewijs": False, "Datum bewijs": False, "Document bewijs": False, "Toelichting": False,
                      "Herbevestigen": False}
    assert ws.max_row == len(KADER.questions) + 1  # every question of the version, answered or not
    team = wb["Team"]
    assert team.protection.sheet and team.column_dimensions["A"].hidden
    values = {team.cell(row=r, column=1).value: team.cell(row=r, column=3) for r in range(2, team.max_row + 1)}
    assert values["team.id"].value == "baarn" and values["team.id"].protection.locked
    assert values["kader"].value == "1.0" and values["kader"].protection.locked
    assert values["team.taken.jeugd"].value == "ja"
    assert values["peildatum"].value == dt.datetime(2023, 3, 1) and values["peildatum"].number_format == "dd-mm-yyyy"
    assert not values["ingevuld_door.naam"].protection.locked
    assert wb["Plan"].protection.sheet and wb["Uitleg"]["A1"].value


def test_answers_are_shown_as_a_person_writes_them(tmp_path):
    ws = openpyxl.load_workbook(questionnaire(tmp_path))["Vragen"]

    def answer(qid):
        return ws.cell(row=row_of(ws, qid), column=ANSWER)

    assert answer("formatie.fte_totaal").value == 13.45  # a real number
    assert answer("eigen_begeleiding.registratie_reden_niet_zelf").value == "ja"
    assert answer("veiligheid.beschikbaarheid_gespecialiseerde_medewerkers").value == "beperkt"
    assert answer("veiligheid.zelfscan_wav_datum").number_format == "dd-mm-yyyy"
    assert answer("veiligheid.zelfscan_wav_datum").value is None  # unknown: empty


def test_each_answer_cell_has_its_dropdown_or_check(tmp_path):
    ws = openpyxl.load_workbook(questionnaire(tmp_path))["Vragen"]

    def check_of(qid):
        cell = ws.cell(row=row_of(ws, qid), column=ANSWER).coordinate
        found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
        assert len(found) == 1, qid
        return found[0]

    flag = check_of(first_of("flag"))
    assert flag.type == "list" and flag.formula1.startswith("Keuzes!")
    choice_q = KADER.questions[first_of("choice")]
    choice = check_of(choice_q.path)
    assert choice.type == "list"
    wb = openpyxl.load_workbook(tmp_path / "team.xlsx")
    column = choice.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    # a person picks the labels of the vragen file ("het lokale team zelf"), the file keeps the codes
    labels = dict(choice_q.labels)
    assert [c.value for c in wb["Keuzes"][column] if c.value] == [labels[v] for v in choice_q.values]
    assert wb["Keuzes"].sheet_state == "hidden"
    whole_q = KADER.questions[first_of("whole")]
    whole = check_of(whole_q.path)
    assert whole.type == "whole" and float(whole.formula1) == (whole_q.minimum or 0)
    pct = check_of("algemeen.jeugd_tm18_pct")
    assert pct.type == "decimal" and (float(pct.formula1), float(pct.formula2)) == (0, 100)
    assert check_of(first_of("date")).type == "date"
    plan_statuses = [dv for dv in wb["Plan"].data_validations.dataValidation]
    assert plan_statuses == [] or all(dv.type == "list" for dv in plan_statuses)


def test_a_text_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path):
    baarn = load_assessment(BAARN, KADER)
    qid = next(p for p, q in KADER.questions.items() if answer_kind(q) == "text" and p not in baarn.facts)
    source = tmp_path / "formule.yaml"
    source.write_text(BAARN.read_text(encoding="utf-8").replace(
        "feiten:\n", f"feiten:\n  {qid}:\n    waarde: '=HYPERLINK(\"http://x\",\"klik\")'\n    toelichting: '@SUM(1)'\n"),
        encoding="utf-8")
    load_assessment(source, KADER)
    book = questionnaire(tmp_path, source)
    ws = openpyxl.load_workbook(book)["Vragen"]
    cell = ws.cell(row=row_of(ws, qid), column=ANSWER)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","klik")' and cell.quotePrefix
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 0, result.output
    fact = load_assessment(out, KADER).facts[qid]
    assert (fact.value, fact.note) == ('=HYPERLINK("http://x","klik")', "@SUM(1)")


# ---------------------------------------------------------------- reading what people type
def test_hand_typed_dutch_values_are_read_as_the_loader_reads_them(tmp_path):
    book = questionnaire(tmp_path)
    flag, date, whole = first_of("flag"), "veiligheid.zelfscan_wav_datum", first_of("whole")
    wb = openpyxl.load_workbook(book)
    ws = wb["Vragen"]
    ws.cell(row=row_of(ws, "formatie.fte_totaal"), column=ANSWER, value="0,5")
    ws.cell(row=row_of(ws, flag), column=ANSWER, value="Ja")
    ws.cell(row=row_of(ws, date), column=ANSWER, value="1-3-2023")
    ws.cell(row=row_of(ws, "algemeen.jeugd_tm18_pct"), column=ANSWER, value="85%")
    excel_pct = ws.cell(row=row_of(ws, "algemeen.ouderen_65plus_pct"), column=ANSWER, value=0.25)
    excel_pct.number_format = "0%"  # Excel makes 25% typed in a cell the number 0,25 shown as a percentage
    ws.cell(row=row_of(ws, whole), column=ANSWER, value=12.0)
    ws.cell(row=row_of(ws, "samenwerking.afspraken_contractpartner_datum"), column=ANSWER,
            value=dt.datetime(2022, 11, 30))
    ws.cell(row=row_of(ws, "perspectiefplan.leefgebieden"), column=ANSWER, value="wonen ; zorg")
    ws.cell(row=row_of(ws, "lerend_stelsel.niveaus"), column=ANSWER, value="(geen)")
    ws.cell(row=row_of(ws, "formatie.fte_generalisten"), column=ANSWER).value = None  # now unknown
    wb.save(book)
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 0, result.output
    facts = load_assessment(out, KADER).facts
    assert facts["formatie.fte_totaal"].value == 0.5
    assert facts[flag].value is True
    assert facts[date].value == dt.date(2023, 3, 1)
    assert facts["algemeen.jeugd_tm18_pct"].value == 85
    assert facts["algemeen.ouderen_65plus_pct"].value == 25
    assert facts[whole].value == 12 and isinstance(facts[whole].value, int)
    assert facts["samenwerking.afspraken_contractpartner_datum"].value == dt.date(2022, 11, 30)
    assert facts["perspectiefplan.leefgebieden"].value == ("wonen", "zorg")
    assert facts["lerend_stelsel.niveaus"].value == ()
    assert facts["formatie.fte_generalisten"].value is None  # its toelichting stays, the value is unknown
    assert facts["formatie.fte_generalisten"].note == '"11 fte generalisten"'


def test_every_bad_cell_is_reported_at_once_with_its_cell_and_question(tmp_path):
    book = questionnaire(tmp_path)
    flag, choice = first_of("flag"), first_of("choice")
    ws = openpyxl.load_workbook(book)["Vragen"]
    rows = {q: row_of(ws, q) for q in ("formatie.fte_totaal", flag, choice, "algemeen.jeugd_tm18_pct")}
    edit(book, "Vragen", {("formatie.fte_totaal", ANSWER): "veel", (flag, ANSWER): "misschien",
                          (choice, ANSWER): "onzin", ("algemeen.jeugd_tm18_pct", ANSWER): 140,
                          "H2": "Onbekend"})
    edit(book, "Team", {"C6": "soms"})  # taak jeugd
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 2
    assert not out.exists()
    err = result.output
    for qid, row in rows.items():
        assert f"team.xlsx:Vragen!F{row}: vraag " in err, err
        assert " ".join(KADER.questions[qid].question.split())[:40] in err
    assert "verwacht een getal" in err and "ongeldige waarde" not in err.split("Vragen!F")[0]
    assert "groter dan het maximum 100" in err
    assert "team.xlsx:Team!C6: Taak jeugd (ja/nee): verwacht ja of nee" in err
    assert "Traceback" not in err and "feiten." not in err


def test_a_formula_cell_is_refused_not_read_as_its_value(tmp_path):
    book = questionnaire(tmp_path)
    edit(book, "Vragen", {("formatie.fte_totaal", ANSWER): "=10+3.45", ("formatie.fte_totaal", ANSWER + 2): "=A1"})
    row = row_of(openpyxl.load_workbook(book)["Vragen"], "formatie.fte_totaal")
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 2 and not out.exists()
    assert f"team.xlsx:Vragen!F{row}: deze cel bevat een formule" in result.output
    assert f"team.xlsx:Vragen!H{row}: deze cel bevat een formule" in result.output
    assert result.output.count(f"Vragen!F{row}") == 1  # not again as the empty answer it was read as


def test_evidence_without_answer_or_toelichting_is_explained_in_the_words_of_the_sheet(tmp_path):
    book = questionnaire(tmp_path)
    qid = first_of("date")
    edit(book, "Vragen", {(qid, ANSWER + 1): "Rapport 2023"})  # Bewijs only
    row = row_of(openpyxl.load_workbook(book)["Vragen"], qid)
    result, _ = read_back(tmp_path, book)
    assert result.exit_code == 2
    assert (f"team.xlsx:Vragen!F{row}: vraag '{' '.join(KADER.questions[qid].question.split())[:30]}" in result.output)
    assert "geen antwoord en geen toelichting" in result.output and "lange vorm" not in result.output


# ---------------------------------------------------------------- workbooks that are not ours
def test_a_file_that_is_no_workbook_is_refused(tmp_path):
    fake = tmp_path / "team.xlsx"
    fake.write_text("id;antwoord\n", encoding="utf-8")
    result, out = read_back(tmp_path, fake)
    assert result.exit_code == 2 and "geen Excel-werkmap" in result.output and not out.exists()


def test_a_missing_sheet_and_a_moved_header_are_refused(tmp_path):
    book = questionnaire(tmp_path)
    wb = openpyxl.load_workbook(book)
    del wb["Plan"]
    wb["Vragen"]["F1"], wb["Vragen"]["H1"] = "Toelichting", "Antwoord"
    wb.save(book)
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 2 and not out.exists()
    assert "het werkblad 'Plan' ontbreekt" in result.output
    assert "team.xlsx:Vragen!F1: kolomkop 'Toelichting' hoort 'Antwoord' te zijn" in result.output


def test_an_unknown_or_duplicate_question_id_is_refused(tmp_path):
    book = questionnaire(tmp_path)
    ws = openpyxl.load_workbook(book)["Vragen"]
    unknown_row, dup_row = row_of(ws, "formatie.fte_totaal"), row_of(ws, first_of("date"))
    edit(book, "Vragen", {f"A{unknown_row}": "formatie.fte_totaall", f"A{dup_row}": "algemeen.inwoners"})
    result, out = read_back(tmp_path, book)
    assert result.exit_code == 2 and not out.exists()
    assert f"team.xlsx:Vragen!F{unknown_row}:" in result.output and "onbekend feit 'formatie.fte_totaall'" in result.output
    assert f"team.xlsx:Vragen!A{dup_row}: vraag-id 'algemeen.inwoners' staat twee keer" in result.output


def test_too_many_rows_are_refused(tmp_path):
    from kadertoets.load.workbook import MAX_ROWS, MAX_SCANNED

    for sheet, cell in (("Plan", f"B{MAX_ROWS + 5}"), ("Vragen", f"B{MAX_SCANNED + 10}")):
        book = questionnaire(tmp_path, name=f"{sheet}.xlsx")
        edit(book, sheet, {cell: "x"})
        result, out = read_back(tmp_path, book)
        assert result.exit_code == 2 and f"het werkblad '{sheet}' heeft meer dan" in result.output, result.output
        assert not out.exists()


def test_an_existing_output_is_kept_without_overschrijf(tmp_path):
    book = questionnaire(tmp_path)
    out = tmp_path / "terug.yaml"
    out.write_text("oud\n", encoding="utf-8")
    result = run("inlezen", book, "-o", out)
    assert result.exit_code == 2 and out.read_text(encoding="utf-8") == "oud\n"
    assert run("inlezen", book, "-o", out, "--overschrijf").exit_code == 0
    assert run("vragenlijst", BAARN, "-o", book).exit_code == 2  # the workbook too


def test_the_help_of_both_commands_has_a_dutch_example():
    for command in ("vragenlijst", "inlezen"):
        result = run(command, "--help")
        assert result.exit_code == 0 and re.search(r"Voorbeeld(en)?:\n +kader " + command, result.output)


def test_reading_directly_raises_a_located_kaderfout(tmp_path):
    book = questionnaire(tmp_path)
    edit(book, "Vragen", {("formatie.fte_totaal", ANSWER): "veel"})
    with pytest.raises(KaderFout) as exc:
        assessment_from_workbook(book, ROOT, None)
    (problem,) = exc.value.problems
    assert problem.cell.startswith("Vragen!F") and problem.line is None and problem.field is None
