"""`kader inlezen WERKMAP --bijwerken ASSESSMENT`: the workbook's answers and action statuses go back
into the team's own file; only what changed changes, comments and all else stay byte for byte."""

from __future__ import annotations

import difflib
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import ROOT
from kadertoets.cli import main
from kadertoets.infra.yamlload import load_yaml_file
from test_workbook import edit

TEAM = ["--id", "proef", "--naam", "Proefteam", "--gemeente", "Soest", "--organisatie", "BBS", "--taken", "jeugd,wmo",
        "--peildatum", "01-03-2024"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def skeleton(tmp_path):
    target = tmp_path / "team.yaml"
    assert run("nieuw", "-o", target, *TEAM).exit_code == 0
    book = tmp_path / "team.xlsx"
    assert run("vragenlijst", target, "-o", book).exit_code == 0
    return target, book


def test_answers_from_the_workbook_fill_in_the_skeleton_and_nothing_else(skeleton):
    target, book = skeleton
    before = target.read_text(encoding="utf-8")
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5", ("algemeen.jeugd_tm18_pct", 6): "18%",
                          ("skj_big.afwijking_onderbouwd", 6): "ja"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    assert "3 antwoorden veranderd" in result.stderr
    after = target.read_text(encoding="utf-8")
    assert sorted(changed_lines(before, after)) == sorted(
        ["-    waarde:"] * 3 + ["+    waarde: 9.5", "+    waarde: 18", "+    waarde: true"])
    facts = load_yaml_file(target)["feiten"]
    assert facts["formatie.fte_totaal"]["waarde"] == 9.5
    assert run("check", target).exit_code == 1  # loads; most requirements still unknown


def test_nothing_changed_leaves_the_file_untouched(skeleton):
    target, book = skeleton
    stat = target.stat()
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0 and "niet gewijzigd" in result.stderr
    assert target.stat().st_mtime_ns == stat.st_mtime_ns


def test_a_changed_action_status_goes_back_with_the_plan_comments_kept(tmp_path):
    target = tmp_path / "baarn.yaml"
    shutil.copy(ROOT / "assessments" / "baarn-2023-03.yaml", target)
    assert run("plan", target, "--bijwerken").exit_code in (0, 1)
    text = target.read_text(encoding="utf-8").replace("\ntransformatieplan:", "\n# ons plan\ntransformatieplan:", 1)
    target.write_text(text, encoding="utf-8")
    book = tmp_path / "baarn.xlsx"
    assert run("vragenlijst", target, "-o", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    status = header.index(next(h for h in header if h and h.lower().startswith("status"))) + 1
    ws.cell(row=2, column=status, value="Deels behaald")  # the label a person picks
    wb.save(book)
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    after = target.read_text(encoding="utf-8")
    assert "# ons plan\ntransformatieplan:" in after
    diff = changed_lines(text, after)
    assert diff and all("status" in line for line in diff), diff
    assert load_yaml_file(target)["transformatieplan"][0]["status"] == "deels_behaald"


def test_a_workbook_of_another_team_is_refused(tmp_path, skeleton):
    target, _ = skeleton
    other = tmp_path / "baarn.xlsx"
    assert run("vragenlijst", ROOT / "assessments" / "baarn-2023-03.yaml", "-o", other).exit_code == 0
    before = target.read_bytes()
    result = run("inlezen", other, "--bijwerken", target)
    assert result.exit_code == 2 and "hoort bij team" in result.stderr and "Traceback" not in result.output
    assert target.read_bytes() == before


def test_a_bad_cell_writes_nothing(skeleton):
    target, book = skeleton
    before = target.read_bytes()
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "veel", ("algemeen.inwoners", 6): "1.000"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and result.stderr.count("Vragen!F") == 2
    assert target.read_bytes() == before


@pytest.mark.parametrize("extra", [[], ["-o", "x.yaml", "--bijwerken", "team.yaml"]])
def test_exactly_one_of_output_and_update(tmp_path, skeleton, extra):
    _, book = skeleton
    result = run("inlezen", book, *extra)
    assert result.exit_code == 2 and "óf -o" in result.stderr


def test_the_same_workbook_read_in_again_after_more_answers(skeleton):
    target, book = skeleton
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5"})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    edit(book, "Vragen", {("algemeen.inwoners", 6): 12000})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0 and "1 antwoord veranderd" in result.stderr, result.output
    facts = load_yaml_file(target)["feiten"]
    assert facts["formatie.fte_totaal"]["waarde"] == 9.5 and facts["algemeen.inwoners"]["waarde"] == 12000


def test_what_the_file_gained_since_the_workbook_stays(skeleton):
    target, book = skeleton
    edit(book, "Vragen", {("eigen_begeleiding.registratie_methode", 6): "excel"})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    assert run("plan", target, "--bijwerken").exit_code == 1  # adds a proposed action to the file
    actions = load_yaml_file(target)["transformatieplan"]
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5"})  # the old workbook, with one more answer
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    after = load_yaml_file(target)
    assert after["transformatieplan"] == actions and after["feiten"]["formatie.fte_totaal"]["waarde"] == 9.5


def test_a_fact_changed_in_both_places_is_refused_by_name(skeleton):
    target, book = skeleton
    text = target.read_text(encoding="utf-8")
    marker = "  formatie.fte_totaal:\n    waarde:\n"
    assert marker in text
    target.write_text(text.replace(marker, "  formatie.fte_totaal:\n    waarde: 8\n"), encoding="utf-8")
    before = target.read_bytes()
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5", ("algemeen.inwoners", 6): 12000})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "Hoeveel fte telt het lokale team in totaal" in result.stderr
    assert "elk anders" in result.stderr and target.read_bytes() == before


def test_a_workbook_without_its_base_is_refused(skeleton):
    target, book = skeleton
    wb = openpyxl.load_workbook(book)
    del wb["Basis"]
    wb.save(book)
    before = target.read_bytes()
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "-o" in result.stderr and target.read_bytes() == before


def test_a_choice_is_picked_by_its_label_and_kept_as_its_code(skeleton):
    target, book = skeleton
    ws = openpyxl.load_workbook(book)["Vragen"]
    from test_workbook import row_of

    assert ws.cell(row=row_of(ws, "eigen_begeleiding.registratie_methode"), column=6).value is None
    edit(book, "Vragen", {("eigen_begeleiding.registratie_methode", 6): "een eigen Excelbestand",
                          ("toegang.eerste_triage_belegd_bij", 6): "gemeente"})  # a code typed by hand also reads
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    facts = load_yaml_file(target)["feiten"]
    assert facts["eigen_begeleiding.registratie_methode"]["waarde"] == "excel"
    assert facts["toegang.eerste_triage_belegd_bij"]["waarde"] == "gemeente"
    again = target.parent / "again.xlsx"
    assert run("vragenlijst", target, "-o", again).exit_code == 0
    ws = openpyxl.load_workbook(again)["Vragen"]
    assert ws.cell(row=row_of(ws, "eigen_begeleiding.registratie_methode"), column=6).value == "een eigen Excelbestand"


def test_labels_that_cannot_stand_for_their_values_fall_back_to_codes():
    from kadertoets.load.workbook import choice_labels
    from kadertoets.model import Question

    def q(labels):
        return Question("a.b", "keuze", "?", values=("x", "y"), labels=tuple(labels.items()))

    assert choice_labels(q({"x": "Eerste", "y": "Tweede"})) == {"x": "Eerste", "y": "Tweede"}
    assert choice_labels(q({"x": "Zelfde", "y": "zelfde"})) is None  # twice the same
    assert choice_labels(q({"x": "y", "y": "Tweede"})) is None  # a label that is another value's code
    assert choice_labels(q({"x": "a; b", "y": "Tweede"})) is None  # the separator of several choices
    assert choice_labels(q({"x": "Eerste"})) is None  # not every value labelled


def test_a_choice_outside_the_list_is_answered_with_the_list_a_person_sees(skeleton):
    target, book = skeleton
    edit(book, "Vragen", {("eigen_begeleiding.registratie_methode", 6): "in een schrift"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "Vragen!F" in result.stderr
    assert "Kies uit de lijst" in result.stderr and "een eigen Excelbestand" in result.stderr
    assert "mc_zelfinkoop" not in result.stderr


def test_the_date_of_the_evidence_goes_back_too(skeleton):
    import datetime as dt

    target, book = skeleton
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5", ("formatie.fte_totaal", 7): "jaarverslag 2023",
                          ("formatie.fte_totaal", 8): dt.datetime(2024, 1, 15)})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    fact = load_yaml_file(target)["feiten"]["formatie.fte_totaal"]
    assert fact["bewijs"] == "jaarverslag 2023" and fact["bewijs_datum"] == dt.date(2024, 1, 15)
    edit(book, "Vragen", {("formatie.fte_totaal", 8): "1-6-2024"})  # after the peildatum
    before = target.read_bytes()
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "na de peildatum" in result.stderr and target.read_bytes() == before


def test_the_document_of_the_evidence_goes_back_and_forth(skeleton, tmp_path):
    """'Document bewijs' (bewijs_document) round trips: written into the workbook, read back unchanged,
    and a new value in the workbook lands in the assessment."""
    from openpyxl import load_workbook

    target, book = skeleton
    edit(book, "Vragen", {("formatie.fte_totaal", 6): "9,5", ("formatie.fte_totaal", 9): "Jaarverslag 2023, p. 4"})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    fact = load_yaml_file(target)["feiten"]["formatie.fte_totaal"]
    assert fact["waarde"] == 9.5 and fact["bewijs_document"] == "Jaarverslag 2023, p. 4"
    again = tmp_path / "opnieuw.xlsx"
    assert run("vragenlijst", target, "-o", again).exit_code == 0
    ws = load_workbook(again)["Vragen"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "formatie.fte_totaal")
    assert row[header.index("Document bewijs")].value == "Jaarverslag 2023, p. 4"
    before = target.read_bytes()
    assert run("inlezen", again, "--bijwerken", target).exit_code == 0
    assert target.read_bytes() == before  # nothing changed in the workbook: nothing written
