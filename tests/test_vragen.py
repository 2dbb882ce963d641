"""kader vragen: the questions of a Kader version per theme in text, markdown, csv and json, with the
requirements that use each question; --nodig; -o and --overschrijf; hostile texts stay text."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import MINI, ROOT, write
from kadertoets.evaluate.questiontypes import TYPES
from kadertoets.infra.yamlload import load_yaml_file

RULES = ROOT / "rules"


def run(args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert "Traceback" not in result.output and "Interne fout" not in result.output, result.output
    return result


def listed(*args) -> list[dict]:
    result = run(["vragen", "--formaat", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def questions_file() -> dict:
    return load_yaml_file(ROOT / "kader" / "vragen-1.0.yaml")["vragen"]


def test_json_lists_every_question_with_its_fields(questions_file):
    data = listed()
    assert [e["id"] for e in data] == sorted(questions_file, key=lambda p: _theme_order(questions_file).index(
        questions_file[p].get("thema")))  # stable: file order within a theme
    for entry in data:
        raw = questions_file[entry["id"]]
        assert {"id", "vraag", "type", "thema", "eisen"} <= set(entry)
        assert (entry["vraag"], entry["type"], entry["thema"]) == (raw["vraag"], raw["type"], raw.get("thema"))
        for key in ("hulp", "eenheid", "waarden", "minimum", "maximum"):
            assert entry.get(key) == raw.get(key), (entry["id"], key)


def _theme_order(questions_file) -> list:
    return list(dict.fromkeys(q.get("thema") for q in questions_file.values()))


def test_eisen_are_the_requirements_whose_norm_names_the_question():
    """Checked against the rule files themselves: a requirement listed names the question in a (norm or action part)
    `veld:`; a question listed as used by none is named by no rule file."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in RULES.glob("*.yaml")}
    named = {rid: set(re.findall(r"veld:\s*([a-z0-9_.]+)", text)) for rid, text in texts.items()}
    data = listed()
    assert any(e["eisen"] for e in data) and any(not e["eisen"] for e in data)
    for entry in data:
        expected = sorted(rid for rid, fields in named.items() if entry["id"] in fields)
        assert entry["eisen"] == expected, entry["id"]


def test_nodig_lists_only_the_questions_a_requirement_uses():
    every, needed = listed(), listed("--nodig")
    assert needed == [e for e in every if e["eisen"]]
    assert 0 < len(needed) < len(every)
    text = run(["vragen", "--nodig"]).stdout
    assert f"{len(needed)} van de {len(every)} vragen" in text


def test_text_shows_themes_and_plain_dutch_types_never_codes(questions_file):
    result = run(["vragen"])
    assert result.exit_code == 0
    out = result.stdout
    for theme in _theme_order(questions_file):
        assert theme in out
    assert "ja/nee" in out and "geheel getal" in out and "keuze uit" in out
    for code in TYPES:
        if "_" in code:
            assert code not in out, code
    assert "KLT-" in out


def test_markdown_has_a_section_per_theme(questions_file):
    out = run(["vragen", "--formaat", "markdown"]).stdout
    assert re.findall(r"(?m)^## (.+)$", out) == _theme_order(questions_file)
    assert "geheel_getal" not in out


def test_csv_has_a_row_per_question():
    out = run(["vragen", "--formaat", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert rows[0][:3] == ["thema", "veld", "vraag"]
    assert len(rows) - 1 == len(listed())
    assert "geheel_getal" not in out


def test_output_file_and_overschrijf(tmp_path):
    out = tmp_path / "vragen.csv"
    assert run(["vragen", "-o", out]).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and b"thema;veld" in out.read_bytes()
    result = run(["vragen", "-o", out, "--formaat", "csv"])
    assert result.exit_code == 2 and "bestaat al" in result.stderr and "vragen.csv" in result.stderr
    assert run(["vragen", "-o", out, "--overschrijf"]).exit_code == 0
    result = run(["vragen", "-o", tmp_path / "vragen.json", "--formaat", "csv"])
    assert result.exit_code == 2 and "vragen.json" in result.stderr
    assert not (tmp_path / "vragen.json").exists()


def test_an_unknown_version_is_refused():
    result = run(["vragen", "--kader", "9.9"])
    assert result.exit_code == 2 and "9.9" in result.stderr and "Kaderversie" in result.stderr


def test_help_is_dutch_with_an_example():
    out = run(["vragen", "--hulp"]).stdout
    assert "Voorbeeld" in out and "kader vragen" in out and "--nodig" in out


def test_a_kader_without_themes(tmp_path):
    data = listed("--kader-map", MINI)
    assert [e["id"] for e in data] == ["a.aantal", "a.keuze", "b.datum"]
    assert all(e["thema"] is None for e in data)
    assert data[0]["eisen"] == ["T-A-01"] and data[1]["eisen"] == ["T-B-01"]
    assert "Zonder thema" in run(["vragen", "--kader-map", MINI]).stdout


# ---- hostile texts --------------------------------------------------------------------------------
@pytest.fixture
def hostile_kader(tmp_path):
    folder = tmp_path / "kader-map"
    shutil.copytree(MINI, folder)
    vragen = folder / "kader" / "vragen-1.0.yaml"
    text = vragen.read_text(encoding="utf-8").replace(
        'vraag: "Hoeveel?"', 'vraag: "=HYPERLINK(\\"http://x\\")"\n    hulp: "<script>x</script> | [k](javascript:x)"\n'
                            '    thema: "-1+1\\e[2J"')
    vragen.write_text(text, encoding="utf-8")
    return folder


def test_hostile_texts_never_become_formulas_markup_or_escapes(hostile_kader):
    out = run(["vragen", "--kader-map", hostile_kader, "--formaat", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    row = next(r for r in rows if r[1] == "a.aantal")
    assert row[2].startswith("'=") and row[0].startswith("'-")
    assert "\x1b" not in out
    md = run(["vragen", "--kader-map", hostile_kader, "--formaat", "markdown"]).stdout
    assert "<script>" not in md and "[k](javascript" not in md and "\x1b" not in md
    text = run(["vragen", "--kader-map", hostile_kader]).stdout
    assert "\x1b" not in text
    data = listed("--kader-map", hostile_kader)
    assert data[0]["vraag"] == '=HYPERLINK("http://x")'  # JSON keeps the text exactly
