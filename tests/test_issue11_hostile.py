"""Hostile and new-user tests of the commands of issue 11 (`kader nieuw`, `vragen`, `vragenlijst`,
`inlezen`, `plan --bijwerken`). Tests marked xfail(strict=True) reproduce a bug that is still open:
the lead removes the mark when fixing it. The other tests pin behaviour that already works."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import ROOT
from kadertoets.cli import main
from kadertoets.infra.yamlload import load_yaml_file

BAARN = ROOT / "assessments" / "baarn-2023-03.yaml"
TEAM = ["--id", "proef", "--naam", "Proefteam", "--gemeente", "Soest", "--organisatie", "BBS",
        "--taken", "jeugd,wmo", "--peildatum", "01-03-2024"]

PLAN_HEAD = "transformatieplan:\n"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row_of(ws, qid: str) -> int:
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == qid:
            return r
    raise KeyError(qid)


def set_cells(book, sheet: str, changes: dict, out=None):
    """{(question id, column) or (row, column): value} on a copy (or in place)."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    for (where, column), value in changes.items():
        r = row_of(ws, where) if isinstance(where, str) else where
        ws.cell(r, column).value = value
    wb.save(out or book)
    return out or book


@pytest.fixture
def baarn(tmp_path):
    """A copy of the Baarn assessment and its questionnaire."""
    target = tmp_path / "baarn.yaml"
    shutil.copy(BAARN, target)
    book = tmp_path / "baarn.xlsx"
    assert run("vragenlijst", target, "-o", book).exit_code == 0
    return target, book


def with_plan(tmp_path, actions: str):
    """Baarn with an own transformatieplan, and its questionnaire."""
    target = tmp_path / "plan.yaml"
    target.write_text(BAARN.read_text(encoding="utf-8") + PLAN_HEAD + actions, encoding="utf-8")
    book = tmp_path / "plan.xlsx"
    result = run("vragenlijst", target, "-o", book)
    assert result.exit_code == 0, result.output
    return target, book


THREE_ACTIONS = """\
  - eis: KLT-EB-03
    omschrijving: Realisatie en prognose compleet maken.
    eigenaar: implementatieverantwoordelijke
    deadline: 2023-06-30
    status: gepland
  - eis: KLT-EB-01
    omschrijving: Eigen begeleiding, tenzij invoeren.
    eigenaar: teamleider
    deadline: 2024-01-01
    status: gepland
  - eis: KLT-EB-02
    omschrijving: Uniforme registratie invoeren.
    eigenaar: teamleider
    deadline: 2024-01-01
    status: gepland
"""


# ---------------------------------------------------------------------------------------------------
# Bugs (xfail until fixed)
# ---------------------------------------------------------------------------------------------------

def test_deleting_a_plan_row_never_overwrites_another_action(tmp_path):
    target, book = with_plan(tmp_path, THREE_ACTIONS)
    wb = openpyxl.load_workbook(book)
    wb["Plan"].delete_rows(3)  # the row of action 2 (KLT-EB-01)
    wb.save(book)
    result = run("inlezen", book, "--bijwerken", target)
    eisen = [a["eis"] for a in load_yaml_file(target)["transformatieplan"]]
    # either refused (exit 2, nothing written) or every action kept: never a duplicate and a lost one
    assert (result.exit_code == 2) or eisen == ["KLT-EB-03", "KLT-EB-01", "KLT-EB-02"], eisen


def test_sorting_the_plan_sheet_changes_nothing(tmp_path):
    target, book = with_plan(tmp_path, THREE_ACTIONS)
    before = digest(target)
    wb = openpyxl.load_workbook(book)
    ws = wb["Plan"]
    for c in range(1, 10):
        ws.cell(2, c).value, ws.cell(3, c).value = ws.cell(3, c).value, ws.cell(2, c).value
    wb.save(book)
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    assert digest(target) == before


def test_status_of_an_action_with_a_key_after_deadline_verplaatst_can_be_updated(tmp_path):
    target, book = with_plan(tmp_path, """\
  - eis: KLT-IMP-02
    omschrijving: Plan maken
    eigenaar: teamleider
    deadline: 15-6-2023
    deadline_verplaatst:
      - naar: 31-12-2023
    status: gepland
""")
    set_cells(book, "Plan", {(2, 7): "Behaald"})
    result = run("inlezen", book, "--bijwerken", target)
    assert "'x'" not in result.output
    assert result.exit_code == 0, result.output
    assert load_yaml_file(target)["transformatieplan"][0]["status"] == "behaald"


def test_crlf_file_stays_crlf_without_double_carriage_returns(tmp_path):
    target = tmp_path / "crlf.yaml"
    text = BAARN.read_text(encoding="utf-8").replace(
        "  algemeen.inwoners:\n    waarde: 24876\n", "  algemeen.inwoners:\n    waarde: 24876   # uit S0\n")
    target.write_bytes(text.replace("\n", "\r\n").encode())
    book = tmp_path / "crlf.xlsx"
    assert run("vragenlijst", target, "-o", book).exit_code == 0
    set_cells(book, "Vragen", {("algemeen.inwoners", 6): 25000})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert b"waarde: 25000" in data
    assert b"\r\r" not in data


def test_unchanged_workbook_with_control_character_in_an_action_changes_nothing(tmp_path):
    target, book = with_plan(tmp_path, """\
  - eis: KLT-IMP-02
    omschrijving: "Plan \\u001b[31m maken"
    eigenaar: teamleider
    deadline: 15-6-2023
    status: gepland
""")
    before = digest(target)
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    assert digest(target) == before


def test_deleting_a_question_row_does_not_erase_the_answer(baarn):
    target, book = baarn
    wb = openpyxl.load_workbook(book)
    ws = wb["Vragen"]
    ws.delete_rows(row_of(ws, "formatie.fte_totaal"))
    wb.save(book)
    result = run("inlezen", book, "--bijwerken", target)
    fact = load_yaml_file(target)["feiten"]["formatie.fte_totaal"]
    assert result.exit_code == 2 or fact["waarde"] == 13.45, fact


def test_a_lone_semicolon_is_not_read_as_none_of_these(baarn):
    target, book = baarn
    set_cells(book, "Vragen", {("lerend_stelsel.niveaus", 6): ";"})
    result = run("inlezen", book, "--bijwerken", target)
    facts = load_yaml_file(target)["feiten"]
    assert result.exit_code == 2 or facts.get("lerend_stelsel.niveaus") in (None, {"waarde": None})


@pytest.mark.parametrize("how", ["option", "prompt"])
def test_empty_taken_is_not_read_as_geen(tmp_path, how):
    target = tmp_path / "t.yaml"
    if how == "option":
        args = [a if a != "jeugd,wmo" else "" for a in TEAM]
        result = run("nieuw", "-o", target, *args)
    else:
        args = [a for a in TEAM[:8]]  # id, naam, gemeente, organisatie
        result = run("nieuw", "-o", target, *args, "--peildatum", "01-03-2024", input="\n")
    assert result.exit_code == 2, result.output
    assert not target.exists()


def test_nieuw_refuses_control_characters_in_a_name(tmp_path):
    target = tmp_path / "t.yaml"
    args = [a if a != "Proefteam" else "Team\x1b[31m rood\x07" for a in TEAM]
    result = run("nieuw", "-o", target, *args)
    assert result.exit_code == 2
    assert "--naam" in result.output
    assert not target.exists()


def test_yaml_number_with_three_decimals_after_a_dot_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    text = BAARN.read_text(encoding="utf-8").replace("    waarde: 13.45\n", "    waarde: 12.500\n")
    path.write_text(text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert "dubbelzinnig" in result.output


def test_vragen_text_never_cuts_allowed_answers():
    result = run("vragen")
    assert result.exit_code == 0
    assert "…" not in result.output


def test_bad_plan_status_is_explained_in_plain_dutch(tmp_path):
    target, book = with_plan(tmp_path, THREE_ACTIONS)
    set_cells(book, "Plan", {(2, 7): "Klaar"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2
    assert "Plan!G2" in result.output
    assert "deels_behaald" not in result.output and "niet_behaald" not in result.output


# ---------------------------------------------------------------------------------------------------
# Behaviour that already works
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("=1+1", "formule"),
    ("=HYPERLINK(\"http://x\")", "formule"),
])
def test_formula_in_an_answer_cell_is_refused_and_nothing_written(baarn, value, message):
    target, book = baarn
    before = digest(target)
    set_cells(book, "Vragen", {("formatie.fte_totaal", 6): value})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2
    assert "baarn.xlsx:Vragen!F" in result.output and message in result.output
    assert digest(target) == before


@pytest.mark.parametrize("value, expected", [
    ("0,5", 0.5), (" 12 ", 12), ("12,5", 12.5),
])
def test_dutch_numbers_typed_as_text_are_read(baarn, value, expected):
    target, book = baarn
    set_cells(book, "Vragen", {("formatie.fte_totaal", 6): value})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0, result.output
    assert load_yaml_file(target)["feiten"]["formatie.fte_totaal"]["waarde"] == expected


def test_percentage_typed_in_excel_is_read_as_percent(baarn):
    target, book = baarn
    wb = openpyxl.load_workbook(book)
    ws = wb["Vragen"]
    cell = ws.cell(row_of(ws, "skj_big.pct_geregistreerd"), 6)
    cell.value, cell.number_format = 0.85, "0%"  # what Excel stores for 85%
    wb.save(book)
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    facts = load_yaml_file(target)["feiten"]
    assert facts["skj_big.pct_geregistreerd"] == 85


@pytest.mark.parametrize("qid, value, words", [
    ("algemeen.inwoners", "1.000", "dubbelzinnig"),
    ("formatie.fte_totaal", "12.500", "dubbelzinnig"),
    ("algemeen.inwoners", "veel", "geheel getal"),
    ("veiligheid.zelfscan_wav_datum", "31-02-2023", "geen bestaande datum"),
    ("implementatie.verantwoordelijke_aangewezen", 1, "ja of nee"),
])
def test_bad_typed_answers_name_the_cell_and_write_nothing(baarn, qid, value, words):
    target, book = baarn
    before = digest(target)
    set_cells(book, "Vragen", {(qid, 6): value})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2
    assert "baarn.xlsx:Vragen!F" in result.output and words in result.output
    assert "Traceback" not in result.output
    assert digest(target) == before


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04 broken"])
def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, content):
    book = tmp_path / "team.xlsx"
    book.write_bytes(content)
    result = run("inlezen", book, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert "team.xlsx" in result.output and "Excel-werkmap" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_zip_bomb_is_refused_without_unpacking(baarn, tmp_path):
    _, book = baarn
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sheet3.xml"):
                data = data.replace(b"</sheetData>", b"<row r=\"900\"><c r=\"A900\" t=\"inlineStr\"><is><t>"
                                    + b"A" * (300 * 1024 * 1024) + b"</t></is></c></row></sheetData>")
            zout.writestr(info, data)
    result = run("inlezen", bomb, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert "onredelijk groot" in result.output


def test_workbook_of_another_team_is_refused(baarn, tmp_path):
    target, book = baarn
    before = digest(target)
    set_cells(book, "Team", {(2, 3): "soest"})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2
    assert "'soest'" in result.output and "'baarn'" in result.output
    assert digest(target) == before


def test_edited_hidden_id_column_is_refused(baarn):
    target, book = baarn
    before = digest(target)
    set_cells(book, "Vragen", {(3, 1): "algemeen.inwoners"})  # a duplicate id
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "Vragen!A3" in result.output
    assert digest(target) == before


def test_renamed_sheet_is_refused(baarn):
    target, book = baarn
    wb = openpyxl.load_workbook(book)
    wb["Vragen"].title = "Vragen (2)"
    wb.save(book)
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "'Vragen' ontbreekt" in result.output


def test_reading_the_same_workbook_twice_changes_nothing_the_second_time(baarn):
    target, book = baarn
    set_cells(book, "Vragen", {("formatie.fte_totaal", 6): "14"})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    after_first = digest(target)
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 0 and "niet gewijzigd" in result.output
    assert digest(target) == after_first


def test_conflict_writes_nothing(baarn):
    target, book = baarn
    target.write_text(target.read_text(encoding="utf-8").replace("waarde: 24876", "waarde: 25000"), encoding="utf-8")
    before = digest(target)
    set_cells(book, "Vragen", {("algemeen.inwoners", 6): 26000})
    result = run("inlezen", book, "--bijwerken", target)
    assert result.exit_code == 2 and "elk anders" in result.output
    assert digest(target) == before


@pytest.mark.parametrize("variant", ["bom", "no-final-newline"])
def test_bijwerken_keeps_bom_and_missing_final_newline(tmp_path, variant):
    raw = BAARN.read_bytes()
    raw = b"\xef\xbb\xbf" + raw if variant == "bom" else raw.rstrip(b"\n")
    target = tmp_path / "t.yaml"
    target.write_bytes(raw)
    book = tmp_path / "t.xlsx"
    assert run("vragenlijst", target, "-o", book).exit_code == 0
    set_cells(book, "Vragen", {("formatie.fte_totaal", 6): "14"})
    assert run("inlezen", book, "--bijwerken", target).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (variant == "bom")
    assert data.endswith(b"\n") == (variant == "bom")
    assert b"waarde: 14\n" in data


def test_plan_bijwerken_is_idempotent_and_keeps_comments(tmp_path):
    target = tmp_path / "t.yaml"
    target.write_text(BAARN.read_text(encoding="utf-8") + "# slotopmerking\n", encoding="utf-8")
    first = run("plan", target, "--bijwerken")
    assert first.exit_code == 1, first.output
    once = target.read_bytes()
    assert b"# slotopmerking" in once and b"transformatieplan:" in once
    second = run("plan", target, "--bijwerken")
    assert "al bij" in second.output
    assert target.read_bytes() == once


def test_vragen_csv_guards_formulas_from_a_hostile_kader(tmp_path):
    kader = tmp_path / "k"
    shutil.copytree(ROOT / "kader", kader / "kader")
    shutil.copytree(ROOT / "rules", kader / "rules")
    questions = kader / "kader" / "vragen-1.0.yaml"
    questions.write_text(questions.read_text(encoding="utf-8").replace(
        'vraag: "Hoeveel inwoners heeft het werkgebied van het team?"', 'vraag: "=HYPERLINK(1)"', 1),
        encoding="utf-8")
    result = run("vragen", "--kader-map", kader, "--formaat", "csv")
    assert result.exit_code == 0
    cells = [c.strip('"') for line in result.output.splitlines() for c in line.split(";")]
    assert not any(c[:1] in "=+-@" for c in cells if c)


def test_nieuw_never_overwrites_existing_or_previous_file(tmp_path):
    previous = tmp_path / "vorig.yaml"
    shutil.copy(BAARN, previous)
    before = digest(previous)
    result = run("nieuw", "-o", previous, "--van", previous, "--peildatum", "01-03-2024", "--overschrijf")
    assert result.exit_code == 2 and "nooit overschreven" in result.output
    result = run("nieuw", "-o", previous, "--van", previous, "--peildatum", "01-03-2024")
    assert result.exit_code == 2
    assert digest(previous) == before


@pytest.mark.parametrize("name", ["ja", "# geen opmerking", "key: value", "'\"aanhalingstekens\"'", "null"])
def test_nieuw_keeps_yaml_looking_names_as_text(tmp_path, name):
    target = tmp_path / "t.yaml"
    args = [a if a != "Proefteam" else name for a in TEAM]
    result = run("nieuw", "-o", target, *args)
    assert result.exit_code == 0, result.output
    assert load_yaml_file(target)["team"]["naam"] == name
    assert run("check", target).exit_code == 1
