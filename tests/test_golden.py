"""Golden files for the reports of the shipped assessments: `check` (text, markdown, json), `plan`
(markdown), `sweep` and `trend` (text, markdown), plain and without colour codes. Regenerate
deliberately with KADERTOETS_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ASSESSMENTS, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = [("check", "text", []), ("check", "markdown", []), ("check", "json", []), ("plan", "markdown", []),
         ("check", "text", ["--alles"])]


def _id(case):
    command, fmt, extra = case
    return f"{command}-{fmt}{''.join(extra).replace('--', '-')}"


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("assessment", ASSESSMENTS, ids=lambda p: p.stem)
def test_golden(assessment, case, monkeypatch):
    command, fmt, extra = case
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = CliRunner().invoke(cli.main, [command, f"assessments/{assessment.name}", "--format", fmt, *extra])
    assert result.exit_code in (0, 1), result.output
    assert "\x1b[" not in result.stdout
    suffix = {"text": "txt", "markdown": "md", "json": "json"}[fmt]
    golden = GOLDEN / f"{assessment.stem}.{_id(case)}.{suffix}"
    if os.environ.get("KADERTOETS_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"golden file ontbreekt: {golden} (maak aan met KADERTOETS_UPDATE_GOLDEN=1)"
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_golden_sweep(fmt, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.main, ["sweep", "assessments", "--format", fmt])
    assert result.exit_code == 1, result.output
    golden = GOLDEN / ("sweep-assessments." + {"text": "txt", "markdown": "md"}[fmt])
    if os.environ.get("KADERTOETS_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_golden_trend(fmt, monkeypatch):
    """The region over two peildata: the seven teams of March 2023 and Bunschoten again in September,
    so six teams are carried forward there."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.main, ["trend", "assessments", "tests/fixtures/trend/bunschoten-2023-09.yaml",
                                           "--format", fmt])
    assert result.exit_code == 1, result.output
    golden = GOLDEN / ("trend-assessments." + {"text": "txt", "markdown": "md"}[fmt])
    if os.environ.get("KADERTOETS_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_every_municipality_ships():
    names = sorted(p.stem for p in ASSESSMENTS)
    assert names == [f"{g}-2023-03" for g in
                     ("amersfoort", "baarn", "bunschoten", "eemnes", "leusden", "soest", "woudenberg")]
