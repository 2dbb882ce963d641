"""The privacy guard (issue 12, point 4): an assessment goes round the region and holds no personal data.

What a user sees: a file with a BSN, an e-mail address, a telephone number, an IBAN or a date of birth
next to a name, anywhere in its texts, is invalid input for every command that reads it (exit 2, file
and line or workbook cell, the kind of data, the value masked and never whole, nothing written). What
is not personal data (years, amounts, fte, dates, the bundled assessments, nine digits that fail the
elfproef) passes."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings, strategies as st

from conftest import ASSESSMENTS, ROOT
from kadertoets.cli import main
from kadertoets.infra.located import Node
from kadertoets.infra.yamlload import load_yaml_file, load_yaml_text
from kadertoets.load.privacy import MAX_SHOWN, findings, mask, privacy_problems

BAARN = ROOT / "assessments" / "baarn-2023-03.yaml"
BAARN_TEXT = BAARN.read_text(encoding="utf-8")
SHARED = "een assessment wordt in de regio gedeeld en mag geen persoonsgegevens bevatten"

# per kind: a value, its Dutch name in the message, what the message shows of it
EXAMPLES = {
    "bsn": ("123456782", "een burgerservicenummer", "1234*****"),
    "bsn-punten": ("123.456.782", "een burgerservicenummer", "123.***.***"),
    "email": ("jan.jansen@example.nl", "een e-mailadres", "ja*.******@*******.**"),
    "mobiel": ("06-12345678", "een telefoonnummer", "06-1*******"),
    "vast": ("(033) 123 45 67", "een telefoonnummer", "(033) *** ** **"),
    "internationaal": ("+31 6 12345678", "een telefoonnummer", "+31 * ********"),
    "iban": ("NL91 ABNA 0417 1643 00", "een IBAN-rekeningnummer", "NL91 **** **** **** **"),
    "geboren": ("geboren 12-03-2008", "een geboortedatum", "12-**-****"),
    "naam-en-datum": ("Jan de Vries (12-03-2008)", "een geboortedatum", "12-**-****"),
}


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output and "interne fout" not in result.output.lower(), result.output
    return result


def write(tmp_path, text, name="team.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


def never_whole(output: str, value: str) -> None:
    """The value is nowhere in the output, nor its digits in a row (123456782 for 123.456.782)."""
    digits = re.sub(r"[^0-9]", "", value)
    assert value not in output and (len(digits) < 8 or digits not in output), output


# ---------------------------------------------------------------- every kind, in every kind of place
PLACES = {  # where in an assessment a text goes: (old, new with {v}), the key whose line is named
    "toelichting": ('    waarde: 24876\n', '    waarde: 24876\n    toelichting: "navraag bij {v}"\n', "toelichting"),
    "bewijs": ('    waarde: 4726\n    bewijs: "S0 Bijlage, Algemeen overzicht inwoners en kenmerken lokale teams"\n',
               '    waarde: 4726\n    bewijs: "mail van {v}"\n', "bewijs"),
    "teamnaam": ('  naam: "BBS Lokaal team Baarn"\n', '  naam: "BBS Lokaal team Baarn {v}"\n', "naam"),
    "ingevuld_door": ("ingevuld_door:\n", 'ingevuld_door:\n  naam: "Piet, {v}"\n', "naam"),
}
PLAN = """transformatieplan:
- eis: KLT-EB-01
  omschrijving: "Afspraak met {v} over eigen begeleiding"
  eigenaar: teamleider
  deadline: 2023-12-31
  status: gepland
"""


def with_value(place: str, value: str) -> tuple[str, int]:
    """Baarn's assessment with `value` in `place`, and the line the message must name."""
    if place == "plan":
        text = BAARN_TEXT + PLAN.format(v=value)
        return text, line_of(text, "  omschrijving: \"Afspraak")
    old, new, key = PLACES[place]
    assert old in BAARN_TEXT
    inserted = new.format(v=value)
    text = BAARN_TEXT.replace(old, inserted, 1)
    return text, text[:text.index(inserted) + inserted.index(f"{key}:")].count("\n") + 1


@pytest.mark.parametrize("kind", EXAMPLES)
@pytest.mark.parametrize("place", [*PLACES, "plan"])
def test_check_refuses_personal_data_naming_file_line_and_kind_masked(tmp_path, kind, place):
    value, name, shown = EXAMPLES[kind]
    text, line = with_value(place, value)
    path = write(tmp_path, text)
    result = run("check", path)
    assert result.exit_code == 2, result.output
    assert f"team.yaml:{line}:" in result.stderr, result.stderr
    assert name in result.stderr and f"({shown})" in result.stderr and SHARED in result.stderr
    assert "Oplossing: Haal het weg" in result.stderr
    never_whole(result.output, value)


def test_all_places_are_named_at_once_each_at_its_line(tmp_path):
    text = BAARN_TEXT.replace('  naam: "BBS Lokaal team Baarn"', '  naam: "BBS Lokaal team Baarn 0612345678"', 1)
    text += PLAN.format(v="piet@example.org")
    result = run("check", write(tmp_path, text))
    assert result.exit_code == 2
    assert result.stderr.count("persoonsgegevens") == 2
    assert f"team.yaml:{line_of(text, '  naam: ')}:" in result.stderr
    assert f"team.yaml:{line_of(text, '  omschrijving: ')}:" in result.stderr


def test_an_answer_that_is_personal_data_is_not_echoed_by_the_other_checks(tmp_path):
    """A telephone number as the answer to a number question: the number check would quote it whole
    ('verwacht een getal, maar vond tekst ...'); only the masked privacy message is shown. A problem
    elsewhere in the file is still reported with it (all problems at once)."""
    text = BAARN_TEXT.replace("    waarde: 24876\n", '    waarde: "06-1234 5678"\n', 1)
    text = text.replace("    waarde: 4726\n", "    waarde: veel\n", 1)
    result = run("check", write(tmp_path, text))
    assert result.exit_code == 2
    assert "06-1*** ****" in result.stderr and "06-1234 5678" not in result.output
    assert "'veel'" in result.stderr  # the other problem, elsewhere, is still there


def test_a_bare_nine_digit_number_and_a_key_are_texts_too(tmp_path):
    text = BAARN_TEXT.replace("    waarde: 24876\n", "    waarde: 24876\n    toelichting: 123456782\n", 1)
    text = text.replace("feiten:\n", 'feiten:\n  "jan@example.nl": 3\n', 1)
    result = run("check", write(tmp_path, text))
    assert result.exit_code == 2
    assert "1234*****" in result.stderr and "veld 'feiten.ja*@*******.**': hier staat een e-mailadres" in result.stderr
    never_whole(result.output, "123456782")
    never_whole(result.output, "jan@example.nl")  # not as the unknown key either


# ---------------------------------------------------------------- every command that reads an assessment
@pytest.fixture
def private(tmp_path):
    text, _ = with_value("toelichting", "BSN 123456782")
    return write(tmp_path, text)


@pytest.mark.parametrize("command", [["check"], ["plan"], ["vragenlijst", "-o", "uit.xlsx"],
                                     ["migrate", "--naar", "1.0", "-o", "uit.yaml"], ["sweep"], ["trend"],
                                     ["diff", "1.0", "1.0", "--assessments"]])
def test_every_command_that_reads_the_file_refuses_it(tmp_path, private, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    args = [*command, private] if command[0] not in ("vragenlijst", "migrate") else \
        [command[0], private, *command[1:]]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "1234*****" in result.output  # (a sweep wraps its lines)
    never_whole(result.output, "123456782")
    assert not (tmp_path / "uit.xlsx").exists() and not (tmp_path / "uit.yaml").exists()


def test_sweep_shows_the_other_teams_and_no_export_holds_the_value(tmp_path, private):
    other = write(tmp_path, (ROOT / "assessments" / "soest-2023-03.yaml").read_text(encoding="utf-8"), "soest.yaml")
    for fmt in ("json", "csv", "markdown", "text"):
        result = run("sweep", private, other, "--formaat", fmt, "--geen-cache")
        assert result.exit_code == 2, result.output
        assert "Soest" in result.stdout
        assert "123456782" not in result.output
    data = json.loads(run("sweep", private, other, "--formaat", "json").stdout)
    assert "1234*****" in json.dumps(data, ensure_ascii=False)


def test_lint_reports_it_with_its_code(private):
    result = run("lint", private)
    assert result.exit_code == 2
    assert re.search(r"team\.yaml:\d+:\d+: KT108: ", result.stdout), result.stdout
    assert "123456782" not in result.output


def test_plan_bijwerken_leaves_the_file_as_it_was(private):
    before = private.read_bytes()
    result = run("plan", private, "--bijwerken")
    assert result.exit_code == 2 and "1234*****" in result.stderr
    assert private.read_bytes() == before


def test_nieuw_refuses_a_previous_assessment_and_options_and_prompts_with_personal_data(tmp_path, private):
    out = tmp_path / "nieuw.yaml"
    result = run("nieuw", "-o", out, "--van", private, "--peildatum", "2024-03-01")
    assert result.exit_code == 2 and "1234*****" in result.stderr and not out.exists()
    options = ["--id", "baarn", "--gemeente", "Baarn", "--organisatie", "BBS", "--taken", "jeugd",
               "--peildatum", "2024-03-01"]
    result = run("nieuw", "-o", out, "--naam", "Team Jan 06-12345678", *options)
    assert result.exit_code == 2 and not out.exists()
    assert "veld '--naam': hier staat een telefoonnummer (06-1*******)" in result.stderr
    assert "06-12345678" not in result.output
    # at the prompt: refused and asked again; a name without personal data is then taken
    result = run("nieuw", "-o", out, *options, input="Team van piet@example.org\nSociaal team Baarn\n")
    assert result.exit_code == 0, result.output
    refusal = [line for line in result.stderr.splitlines() if line.startswith("Fout:")]
    assert refusal == ["Fout: veld '--naam': hier staat een e-mailadres (pi**@*******.***); " + SHARED]
    assert "Sociaal team Baarn" in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the workbook
def questionnaire(tmp_path):
    source = tmp_path / "team.yaml"
    source.write_text(BAARN_TEXT, encoding="utf-8")
    book = tmp_path / "team.xlsx"
    assert run("vragenlijst", source, "-o", book).exit_code == 0
    return source, book


def set_cells(book, sheet, changes):
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for (key_col, key, column), value in changes.items():
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=header.index(key_col) + 1).value == key)
        ws.cell(row=row, column=header.index(column) + 1, value=value)
    wb.save(book)


@pytest.mark.parametrize("how", ["-o", "--bijwerken"])
def test_inlezen_names_the_cell_and_writes_nothing(tmp_path, how):
    source, book = questionnaire(tmp_path)
    set_cells(book, "Vragen", {("id", "algemeen.inwoners", "Toelichting"): "Contact: Jan Jansen (12-03-1980)",
                               ("id", "algemeen.jeugd_tm18", "Bewijs"): "NL91ABNA0417164300"})
    set_cells(book, "Team", {("sleutel", "ingevuld_door.naam", "Waarde"): "Piet 0612345678"})
    before = source.read_bytes()
    target = tmp_path / "nieuw.yaml"
    result = run("inlezen", book, *(["-o", target] if how == "-o" else ["--bijwerken", source]))
    assert result.exit_code == 2, result.output
    assert re.search(r"team\.xlsx:Vragen!J\d+: vraag '.*': hier staat een geboortedatum \(12-\*\*-\*\*\*\*\)",
                     result.stderr), result.stderr
    assert re.search(r"team\.xlsx:Vragen!G\d+: .*een IBAN-rekeningnummer \(NL91\*+\)", result.stderr)
    assert re.search(r"team\.xlsx:Team!C\d+: Ingevuld door: hier staat een telefoonnummer \(0612\*+\)", result.stderr)
    for value in ("12-03-1980", "NL91ABNA0417164300", "0612345678"):
        assert value not in result.output
    assert source.read_bytes() == before and not target.exists()


# ---------------------------------------------------------------- what is not personal data
def test_the_bundled_and_generated_assessments_pass(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    generate(30, tmp_path)
    for path in [*ASSESSMENTS, *sorted(tmp_path.rglob("*.yaml"))]:
        assert privacy_problems(Node(load_yaml_file(path), path.name)) == [], path


NOT_PERSONAL = [
    "Totaal 14,2 fte (peildatum 1-1-2023).", "€ 21.610", "3.324.123 en 7.662.295", "158.642 inwoners",
    "per 1 januari 2023", "deadline 31-12-2023", "2021-2022", "85%", "13,45 fte", "0-100 jr.",
    "687 654 654 125 (een tabel)", "€ 123.456.782", "123456782,50 euro", "bel Veilig Thuis: 0800-2000",
    "Verslag BOSD (d.d. 12-03-2023)", "geboren in 2008", "Kader 1.0 (februari 2023)", "SWA (01-03-2023)",
    "Indebuurt030", "06-03-2023 12 teams", "09.00 - 17.00 uur", "zaak Z123456782", "123456789",
    "NL91ABNA0417164301",  # fails the IBAN check
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_numbers_dates_and_amounts_are_not_personal_data(text):
    assert findings(text) == []


def elfproef(digits) -> bool:
    return sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1))) % 11 == 0


@st.composite
def bsn_digits(draw, valid: bool = True):
    """Nine digits that pass the elfproef (valid: every such number but 000000000) or fail it."""
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    if valid:
        check = sum(d * w for d, w in zip(first, (9, 8, 7, 6, 5, 4, 3, 2))) % 11
        assume(check != 10 and any(first + [check]))  # no digit makes these pass
        digits = first + [check]
        assert elfproef(digits)
    else:
        last = draw(st.integers(0, 9).filter(lambda d: not elfproef(first + [d])))
        digits = first + [last]
    return "".join(map(str, digits))


def written(digits: str, form: str, sep: str) -> str:
    if form == "333":
        return sep.join((digits[:3], digits[3:6], digits[6:]))
    if form == "423":
        return sep.join((digits[:4], digits[4:6], digits[6:]))
    return digits


# surrounding text as people write it: words, punctuation, line breaks; no digits, no e-mail address
# (@), not the words that make a number an amount (eur, euro) or a date a date of birth (geb...)
_around = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Zs", "Po", "Ps", "Pe"),
                                whitelist_characters="\n", blacklist_characters="@"), max_size=40) \
    .filter(lambda s: not any(w in s.lower() for w in ("eur", "geb")))


@settings(max_examples=300, deadline=None)
@given(digits=bsn_digits(), form=st.sampled_from(["9", "333", "423"]), sep=st.sampled_from([" ", ".", "-"]),
       before=_around, after=_around)
def test_every_valid_bsn_is_caught_however_written_and_wherever(digits, form, sep, before, after):
    value = written(digits, form, sep)
    text = f"{before} {value} {after}"
    found = findings(text)
    assert ("een burgerservicenummer", value) in [(k.name, f) for k, f in found], (text, found)
    tree = load_yaml_text(f"feiten:\n  x:\n    toelichting: {json.dumps(text, ensure_ascii=False)}\n", "t.yaml")
    (problem,) = privacy_problems(Node(tree, "t.yaml"))
    assert problem.line == 3 and problem.field == "feiten.x.toelichting"
    assert value not in problem.render() and digits not in problem.render()


@settings(max_examples=300, deadline=None)
@given(digits=bsn_digits(valid=False), form=st.sampled_from(["9", "333", "423"]),
       sep=st.sampled_from([" ", ".", "-"]), before=_around, after=_around)
def test_nine_digits_that_fail_the_elfproef_are_not_flagged(digits, form, sep, before, after):
    assert findings(f"{before} {written(digits, form, sep)} {after}") == []


def dutch_thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


_dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
everyday = st.one_of(
    st.integers(1900, 2100).map(str),  # years
    st.tuples(st.integers(1990, 2030), st.integers(1, 5)).map(lambda t: f"{t[0]}-{t[0] + t[1]}"),  # ranges
    st.decimals(0, 999, places=2).map(lambda d: f"{d} fte".replace(".", ",")),  # fte
    st.integers(0, 10**12).map(lambda n: f"€ {dutch_thousands(n)}"),  # amounts
    st.integers(0, 10**12).map(lambda n: f"{dutch_thousands(n)},00 euro"),
    st.integers(0, 99_999_999).map(dutch_thousands),  # numbers up to eight digits (inwoners)
    st.integers(0, 100).map(lambda n: f"{n}%"),
    _dates.map(lambda d: f"peildatum {d.day}-{d.month}-{d.year}"),
    _dates.map(lambda d: f"per {d:%d-%m-%Y}"),
    _dates.map(lambda d: d.isoformat()),
)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(everyday, min_size=1, max_size=4), words=_around)
def test_years_ranges_fte_amounts_and_dates_are_not_flagged(parts, words):
    text = f"{words} " + " en ".join(parts) + "."
    assert findings(text) == [], text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_gives_findings_never_a_crash_and_a_mask_never_shows_a_value_whole(text):
    for kind, found in findings(text):
        assert found in text
        shown = mask(found, kind.shown)
        assert len(shown) <= MAX_SHOWN and shown != found


@pytest.mark.parametrize("text", ["123456782 " * 100_000, "1" * 1_000_000, "01 " * 330_000, "Aa " * 330_000 + "(1-1-2000)",
                                  "a@" * 500_000, "a." * 500_000 + "@x", "NL91" * 250_000, "geb. " * 200_000,
                                  "( 1" * 300_000, "A" + "a" * 1_000_000 + " Bb (1-1-2000)"])
def test_a_hostile_text_of_a_megabyte_is_looked_at_in_bounded_time(text):
    start = time.perf_counter()
    findings(text)
    assert time.perf_counter() - start < 2.0


# ---------------------------------------------------------------- for another kind of file
def test_privacy_problems_walks_any_tree_with_lines_and_paths():
    """The function a regional file's loader calls: every string anywhere, each at its line and field,
    named as what is shared."""
    tree = load_yaml_text("regio:\n  naam: Regio Amersfoort\n  contact:\n    - bel 033-1234567\n"
                          "  afwijkingen: {KLT-EB-01: 'zie Jan Jansen (1-2-1990)'}\n", "regio.yaml")
    problems = privacy_problems(Node(tree, "regio.yaml"), shared="een regionaal overzicht")
    assert [(p.line, p.field) for p in problems] == [(4, "regio.contact[1]"), (5, "regio.afwijkingen.KLT-EB-01")]
    assert all("een regionaal overzicht wordt in de regio gedeeld" in p.message for p in problems)
    assert [p.code for p in problems] == ["KT108", "KT108"]
