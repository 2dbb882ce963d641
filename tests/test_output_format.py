"""`-o FILE` without --format writes the format its suffix names; a suffix that disagrees with --format,
or one that names no format of the command, is invalid input (exit 2) and writes nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT

TEAM = ROOT / "assessments" / "bunschoten-2023-03.yaml"
FOLDER = ROOT / "assessments"


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Interne fout" not in result.output
    return result


def looks_like(fmt: str, data: bytes) -> bool:
    text = data.decode("utf-8-sig", errors="replace")
    return {
        "xlsx": lambda: data[:2] == b"PK",
        "html": lambda: text.lstrip().lower().startswith("<!doctype html"),
        "csv": lambda: data.startswith(b"\xef\xbb\xbf") and ";" in text.splitlines()[0],
        "json": lambda: isinstance(json.loads(text), dict),
        "markdown": lambda: text.lstrip().startswith("#"),
        "yaml": lambda: text.lstrip().startswith(("transformatieplan:", "#")),
        "text": lambda: data[:2] != b"PK" and not text.lstrip().startswith(("<", "{", "#")),
    }[fmt]()


@pytest.mark.parametrize("command,args,name,fmt", [
    ("sweep", [FOLDER], "regio.xlsx", "xlsx"),
    ("sweep", [FOLDER], "regio.html", "html"),
    ("sweep", [FOLDER], "regio.csv", "csv"),
    ("sweep", [FOLDER], "regio.json", "json"),
    ("sweep", [FOLDER], "regio.md", "markdown"),
    ("sweep", [FOLDER], "regio.txt", "text"),
    ("trend", [FOLDER], "trend.xlsx", "xlsx"),
    ("trend", [FOLDER], "trend.htm", "html"),
    ("plan", [TEAM], "plan.csv", "csv"),
    ("plan", [TEAM], "plan.json", "json"),
    ("plan", [TEAM], "plan.YAML", "yaml"),
    ("plan", [TEAM], "plan.md", "markdown"),
])
def test_the_suffix_chooses_the_format(tmp_path, command, args, name, fmt):
    out = tmp_path / name
    result = run(command, *args, "-o", out)
    assert result.exit_code in (0, 1), result.output
    assert looks_like(fmt, out.read_bytes()), out.read_bytes()[:200]


@pytest.mark.parametrize("command,args,name,fmt", [
    ("sweep", [FOLDER], "regio.xlsx", "text"),
    ("sweep", [FOLDER], "regio.csv", "html"),
    ("sweep", [FOLDER], "regio.txt", "xlsx"),
    ("plan", [TEAM], "plan.csv", "markdown"),
    ("plan", [TEAM], "plan.json", "yaml"),
])
def test_a_suffix_that_disagrees_with_the_format_is_refused(tmp_path, command, args, name, fmt):
    out = tmp_path / name
    result = run(command, *args, "--format", fmt, "-o", out)
    assert result.exit_code == 2
    assert "--format" in result.output and name in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command,args,name", [
    ("sweep", [FOLDER], "regio.pdf"), ("sweep", [FOLDER], "regio"), ("plan", [TEAM], "plan.xlsx"),
    ("plan", [TEAM], "plan.html"), ("lint", [], "lint.csv"),
])
def test_a_suffix_of_no_format_of_the_command_needs_format(tmp_path, command, args, name):
    out = tmp_path / name
    result = run(command, *args, "-o", out)
    assert result.exit_code == 2
    assert "--format" in result.output
    assert not out.exists()


def test_txt_suits_any_text_format_given_explicitly(tmp_path):
    out = tmp_path / "lint.txt"
    result = run("lint", "--format", "github", "-o", out)
    assert result.exit_code in (0, 1), result.output
    assert out.exists()


def test_without_output_the_default_format_stays(tmp_path):
    result = run("plan", TEAM)
    assert result.output.lstrip().startswith("#")  # markdown, the plan's default
