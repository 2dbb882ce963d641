"""Hostile text in assessments and Kader files never steers what reads the output (issue 9, classes 7,
8 and 12): no formula in a CSV or XLSX cell, no HTML in Markdown, no control character on the
terminal in any text format (also with colour on), JSON that is escaped but reads back the same, and
an XLSX export that does not ask the sheet its row count per row."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import FIXTURES, ROOT
from kadertoets.render import Options, csv_text, md_escape, neutral_cell, render
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import build_trend
from kadertoets.infra.textsafe import clean, excerpt

openpyxl = pytest.importorskip("openpyxl")

# Terminal steering: clear screen, OSC 0 window title, OSC 8 hyperlink, BEL, backspace, an 8-bit CSI
# (C1), a right-to-left override, DEL; plus rich markup that must stay text (and must not crash).
ESCAPES = ("\x1b[2J\x1b]0;gekaapt\x07\x1b]8;;http://x\x1b\\klik\x1b]8;;\x1b\\ \x08\x9b31m\u202eesrever\u202c"
           "\x7f\x00\x0b\x0c einde")
MARKUP = "[/x] [link=http://x]markup[/link]"
NAAM = f"<script>alert(1)</script> & team {ESCAPES} {MARKUP}"
GEMEENTE = '=HYPERLINK("http://x","klik")'
ORGANISATIE = f"+cmd|' /C calc'!A0 <i>org</i> {ESCAPES} {MARKUP}"
TEAM_ID = "-bunschoten"  # '-' is allowed in a team id, and starts a formula
# Action descriptions (the loader strips their surrounding white space) and their notes (kept as they are).
ACTIONS = ["@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "=1+1", f"<b>vet</b> {ESCAPES}"]
NOTE = f"toelichting {ESCAPES}"
NOTES = ["\t=1+1", "\r=1+1", NOTE, NOTE]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def hostile(text: str, actions: bool) -> str:
    """A trend fixture assessment with hostile team fields, filler and (in the later one) actions."""
    pairs = [("  id: bunschoten", f"  id: {TEAM_ID}"), ('  naam: "BBS Lokaal team de Lingt"', f"  naam: {q(NAAM)}"),
             ("  gemeente: Bunschoten", f"  gemeente: {q(GEMEENTE)}"),
             ("  organisatie: BBS", f"  organisatie: {q(ORGANISATIE)}"),
             ("ingevuld_door:\n", f"ingevuld_door:\n  naam: {q(NAAM)}\n")]
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    if actions:
        assert text.rstrip().endswith("status: gepland")
        text = text.rstrip() + "\n" + "".join(
            f"  - eis: KLT-EB-03\n    omschrijving: {q(a)}\n    eigenaar: teamleider\n    deadline: 2023-12-01\n"
            f"    deadline_verplaatst:\n      - naar: 2024-01-01\n        toelichting: {q(NOTE)}\n"
            f"    status: gepland\n    toelichting: {q(note)}\n" for a, note in zip(ACTIONS, NOTES))
    return text


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Two peildata of one hostile team (for trend), and a normal team beside it."""
    path = tmp_path_factory.mktemp("vijandig")
    for name, actions in (("bunschoten-2023-03.yaml", False), ("bunschoten-2023-09.yaml", True)):
        text = (FIXTURES / "trend" / name).read_text(encoding="utf-8")
        (path / name).write_text(hostile(text, actions), encoding="utf-8")
    shutil.copy(ROOT / "assessments" / "soest-2023-03.yaml", path / "soest.yaml")
    return path


@pytest.fixture(scope="module")
def team(folder):
    return folder / "bunschoten-2023-09.yaml"


@pytest.fixture(scope="module")
def hostile_kader(tmp_path_factory):
    """A copy of the bundled Kader with hostile text in a rule's title and action."""
    dest = tmp_path_factory.mktemp("vijandig-kader")
    shutil.copytree(ROOT / "kader", dest / "kader")
    shutil.copytree(ROOT / "rules", dest / "rules")
    rule = dest / "rules" / "KLT-IMP-01.yaml"
    text = rule.read_text(encoding="utf-8")
    old = 'titel: "Implementatieverantwoordelijke aangewezen"'
    assert old in text
    rule.write_text(text.replace(old, f"titel: {q('=1+1 <i>titel</i> ' + ESCAPES + ' ' + MARKUP)}", 1),
                    encoding="utf-8")
    return dest


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def unsafe(text: str) -> list[str]:
    """The characters in `text` that a terminal acts on (or that reorder a line), newline and tab aside."""
    return sorted({c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
                   or c in BIDI or 0xD800 <= ord(c) <= 0xDFFF})


def assert_terminal_safe(text: str) -> None:
    assert text
    assert unsafe(text) == [], f"ruwe stuurtekens in de uitvoer: {unsafe(text)!r}"


def strings(data) -> list[str]:
    if isinstance(data, dict):
        return [s for v in data.values() for s in strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return [data] if isinstance(data, str) else []


# ------------------------------------------------------------------ the helper -------------------
def test_clean_makes_every_control_character_visible_one_for_one():
    out = clean(ESCAPES + "\n\tnormaal")
    assert unsafe(out) == [] and len(out) == len(ESCAPES) + 9
    assert out.startswith("␛[2J␛]0;gekaapt␇") and out.endswith("\n\tnormaal")
    assert "\ufffd31m" in out and "\ufffdesrever" in out and "␡␀␋␌" in out  # C1 CSI, bidi, DEL, C0
    assert clean("gewoon: é ß 中 ✔") == "gewoon: é ß 中 ✔"
    assert clean("\ud800x") == "\ufffdx"  # a lone surrogate cannot even be written as UTF-8
    assert clean(12) == "12" and clean("abcdef", limit=4) == "abc…"


def test_excerpt_is_one_line_and_short():
    out = excerpt("regel 1\nregel\t2 \x1b[2J" + "x" * 1000, limit=30)
    assert len(out) == 30 and out.endswith("…") and "\n" not in out and "\t" not in out
    assert out.startswith("regel 1␤regel␉2 ␛[2J")
    assert excerpt(["a", 1]) == "['a', 1]" and excerpt("kort") == "kort"


# ------------------------------------------------------------------ formula injection (7) -------
def test_csv_cells_are_neutralised_and_numbers_stay_numbers():
    rows = list(csv.reader(io.StringIO(csv_text(["a", "b", "c", "d"], [[-3, 1.5, "-3", "=1+1"]])), delimiter=";"))
    assert rows[1] == ["-3", "1.5", "'-3", "'=1+1"]
    for start in "=+-@\t":
        assert neutral_cell(start + "x") == "'" + start + "x"
    assert neutral_cell("\r=x") == "␍=x"  # a carriage return is made visible: no formula, nothing raw
    assert neutral_cell(-3) == -3 and neutral_cell("Baarn") == "Baarn"


def csv_cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]


@pytest.mark.parametrize("command", ["sweep", "trend", "plan"])
def test_no_csv_cell_starts_a_formula(command, folder, team):
    target = team if command == "plan" else folder
    cells = csv_cells(run(command, target, "--format", "csv"))
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    expected = {"sweep": [GEMEENTE, ORGANISATIE, TEAM_ID], "trend": [GEMEENTE, ORGANISATIE, TEAM_ID],
                "plan": ACTIONS[:3] + NOTES[:1]}[command]
    for value in expected:  # the value is there (control characters made visible), behind an apostrophe
        assert "'" + clean(value) in cells
    if command == "plan":
        assert "␍=1+1" in cells  # a carriage return is made visible, never raw


def formula_cells(wb) -> list[str]:
    return [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("command", ["sweep", "trend"])
def test_no_xlsx_cell_is_a_formula(command, folder, tmp_path):
    out = tmp_path / f"{command}.xlsx"
    run(command, folder, "--format", "xlsx", "-o", out)  # openpyxl refuses raw control characters: no crash
    wb = openpyxl.load_workbook(out)
    assert formula_cells(wb) == []
    text_cells = {c.value: c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for value in (GEMEENTE, ORGANISATIE, TEAM_ID) + (tuple(ACTIONS[:3]) if command == "sweep" else ()):
        cell = text_cells[clean(value)]  # as text, with Excel's quote prefix (stays text when edited)
        assert cell.data_type == "s" and cell.quotePrefix
    numbers = [c for ws in wb for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, int)]
    assert numbers and not any(c.quotePrefix for c in numbers)


# ------------------------------------------------------------------ HTML in Markdown (7) ---------
def test_md_escape_escapes_html_and_table_syntax():
    assert md_escape("<script>a & b</script> | x\\y\nz") == "&lt;script&gt;a &amp; b&lt;/script&gt; \\| x\\\\y z"
    assert md_escape("Gewoon team") == "Gewoon team"


@pytest.mark.parametrize("command", ["check", "plan", "sweep", "trend"])
def test_markdown_has_no_html_from_the_input(command, folder, team):
    target = team if command in ("check", "plan") else folder
    out = run(command, target, "--format", "markdown")
    assert "<script>" not in out and "<b>" not in out and "<i>" not in out
    # region views label a team by its name (issue 11), as check and plan do
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; team" in out
    if command == "plan":
        assert "&lt;b&gt;vet&lt;/b&gt;" in out


def test_markdown_of_rules_in_a_diff_has_no_html(hostile_kader):
    out = run("diff", "1.0", f"{hostile_kader}@1.0", "--format", "markdown")
    assert "<i>" not in out and "&lt;i&gt;titel&lt;/i&gt;" in out
    assert_terminal_safe(out)


# ------------------------------------------------------------------ terminal control (8) ---------
@pytest.mark.parametrize("command,formats", [
    ("check", ["text", "markdown"]), ("plan", ["text", "markdown", "yaml"]),
    ("sweep", ["text", "markdown", "html"]), ("trend", ["text", "markdown", "html"]),
])
def test_no_control_character_reaches_the_terminal(command, formats, folder, team):
    target = team if command in ("check", "plan") else folder
    for fmt in formats:
        out = run(command, target, "--format", fmt, *(["--alles"] if command == "check" else []))
        assert_terminal_safe(out)
        # the text is still shown, made harmless (Markdown escapes the brackets: no link)
        assert "gekaapt" in out.lower() and ("[/x]" in out.lower() or "\\[/x\\]" in out.lower())


def test_many_teams_as_plain_columns_are_cleaned_too(folder, monkeypatch):
    """Above MAX_RICH_ROWS teams the per-team table is written without rich."""
    import kadertoets.render.sweep as sweep_render

    monkeypatch.setattr(sweep_render, "MAX_RICH_ROWS", 0)
    out = render("sweep", "text", load_sweep([folder], ROOT), Options())
    assert "Compleet: aandeel" in out and "gekaapt" in out
    assert_terminal_safe(out)


@pytest.mark.parametrize("command", ["sweep", "trend", "plan"])
def test_csv_has_no_control_character_but_its_line_ends(command, folder, team):
    out = run(command, team if command == "plan" else folder, "--format", "csv")
    assert unsafe(out.replace("\r\n", "\n")) == []


def test_text_with_colour_on_keeps_only_rich_colour_codes(team):
    from kadertoets.evaluate.plan import build_plan
    from kadertoets.sweep.run import check_file

    evaluation = check_file(team, ROOT)
    for command, payload in (("check", evaluation), ("plan", build_plan(evaluation))):
        out = render(command, "text", payload, Options(color=True, show_all=True))
        if command == "check":
            assert "\x1b[" in out  # colour is really on
        assert_terminal_safe(re.sub(r"\x1b\[[0-9;]*m", "", out))


@pytest.mark.parametrize("color", [False, True])
def test_the_console_itself_cleans_what_a_renderer_forgot(color):
    """The last line of defence: a rich Text with raw escapes, printed as it is (no rich_text)."""
    from rich.table import Table
    from rich.text import Text

    from kadertoets.render import console, console_text

    con, buf = console(Options(color=color))
    table = Table()
    table.add_column(ESCAPES)
    table.add_row(Text(ESCAPES, style="bold"))
    con.print(Text(ESCAPES, style="red"), table)
    out = console_text(buf)
    assert ("\x1b[" in out) == color
    assert_terminal_safe(re.sub(r"\x1b\[[0-9;]*m", "", out))
    assert out.count("gekaapt") == 3


def test_rich_markup_in_the_input_is_text(folder, hostile_kader):
    """'[/x]' in a table cell made rich stop with an error (exit 3); '[link=...]' made a hyperlink."""
    for out in (run("sweep", folder), run("rules", "--kader-dir", hostile_kader)):
        assert MARKUP in out.replace("\n", " ") or ("[/x]" in out and "[link=http://x]" in out)


@pytest.mark.parametrize("args", [["rules"], ["explain", "KLT-IMP-01"], ["diff", "1.0", "{kader}@1.0"]])
def test_kader_text_reaches_the_terminal_harmless(args, hostile_kader):
    args = [a.format(kader=hostile_kader) for a in args]
    extra = [] if args[0] == "diff" else ["--kader-dir", hostile_kader]
    out = run(*args, *extra)
    assert_terminal_safe(out)
    assert "titel" in out


@pytest.mark.parametrize("command,args", [
    ("check", ["--alles"]), ("plan", []), ("sweep", []), ("trend", []), ("rules", []), ("explain", ["KLT-IMP-01"]),
])
def test_json_escapes_control_characters_and_reads_back_the_same(command, args, folder, team, hostile_kader):
    target = {"check": [team], "plan": [team], "sweep": [folder], "trend": [folder]}.get(command, [])
    kader = ["--kader-dir", hostile_kader] if command in ("rules", "explain") else []
    out = run(command, *target, *args, *kader, "--format", "json")
    assert unsafe(out) == []
    assert any(ESCAPES in s for s in strings(json.loads(out)))  # escaped, not changed


def test_plan_yaml_reads_back_the_same(team):
    from kadertoets.infra.yamlload import load_yaml_text

    out = run("plan", team, "--format", "yaml")
    assert_terminal_safe(out)
    actions = load_yaml_text(out, "plan.yaml")["transformatieplan"]
    assert set(ACTIONS) <= {a["omschrijving"] for a in actions}
    assert set(NOTES) <= {a.get("toelichting") for a in actions}


def test_xlsx_holds_control_characters_made_visible(folder):
    sweep = load_sweep([folder], ROOT)
    wb = openpyxl.load_workbook(io.BytesIO(render("sweep", "xlsx", sweep, Options())))
    descriptions = [r[2].value for r in wb["Acties"].iter_rows(min_row=2)]
    assert clean(ACTIONS[-1]) in descriptions


# ------------------------------------------------------------------ XLSX linear (12) ------------
def test_xlsx_export_does_not_ask_the_row_count_per_row(monkeypatch):
    """Worksheet.max_row walks every cell: asked per row, the export is quadratic. Three times the
    teams must not mean more questions."""
    from dataclasses import replace

    from openpyxl.worksheet.worksheet import Worksheet

    calls = []
    original = Worksheet.max_row

    def counting(ws):
        calls.append(ws.title)
        return original.fget(ws)

    monkeypatch.setattr(Worksheet, "max_row", property(counting))
    small = load_sweep([ROOT / "assessments"], ROOT)
    big = replace(small, evaluations=small.evaluations * 3)
    counts = []
    for sweep in (small, big):
        calls.clear()
        render("sweep", "xlsx", sweep, Options())
        counts.append(len(calls))
    trend = build_trend(load_sweep([FIXTURES / "trend"], ROOT))
    calls.clear()
    render("trend", "xlsx", trend, Options())
    assert counts[0] == counts[1] and counts[0] <= 20 and len(calls) <= 20


MD_LINKS = "![t](http://evil.example/t.png) [klik](javascript:alert(1)) `code` *nadruk*"


@pytest.mark.parametrize("command", ["check", "plan"])
def test_markdown_link_image_and_code_syntax_in_a_team_name_stays_text(tmp_path, command):
    text = (ROOT / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8").replace(
        'naam: "BBS Lokaal team de Lingt"', f"naam: {q(MD_LINKS)}", 1)
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    args = [command, str(path), "--format", "markdown"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code in (0, 1), result.output
    out = result.stdout
    import re

    assert not re.search(r"(?<!\\)\]\(", out) and "![t]" not in out  # no unescaped ](...): no link, no image
    assert "\\[klik\\]" in out and "\\`code\\`" in out and "\\*nadruk\\*" in out
