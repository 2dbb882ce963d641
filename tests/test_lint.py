"""kader lint: one broken file per kind of problem (code, file and line asserted), all problems at
once, the three output formats, exit codes, and fail-closed loading for check and sweep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from conftest import FIXTURES, MINI, ROOT
from engine.errors import KaderFout
from engine.kader import load_kader
from engine.lint import lint
from engine.lintcodes import CODES

RULE_A = "rules/T-A-01.yaml"


@pytest.fixture
def kader(tmp_path) -> Path:
    folder = tmp_path / "kader"
    shutil.copytree(MINI, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(folder: Path, name: str, needle: str) -> int:
    """The last line with `needle` (a duplicate is reported where it occurs the second time)."""
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    return max(i for i, line in enumerate(lines, 1) if needle in line)


def only(report, code):
    hits = [f for f in report.findings if f.code == code]
    assert hits, f"geen {code} in {[(f.code, f.message) for f in report.findings]}"
    return hits[0]


# (file, old text, new text, expected code, text on the reported line)
BROKEN = [
    (RULE_A, 'titel: "Aantal"', 'titel: "Aantal"\ntitel: "Nog eens"', "KT002", 'titel: "Nog eens"'),
    (RULE_A, 'titel: "Aantal"\n', "", "KT101", "id: T-A-01"),
    (RULE_A, 'thema: Test', 'thema: Test\nkleur: rood', "KT102", "kleur: rood"),
    (RULE_A, "extra_middelen_mogelijk: false", "extra_middelen_mogelijk: misschien", "KT103", "extra_middelen_mogelijk"),
    (RULE_A, "verantwoordelijk: lokaal_team", "verantwoordelijk: iedereen", "KT104", "verantwoordelijk:"),
    (RULE_A, "id: T-A-01", "id: T-A-02", "KT201", "id: T-A-02"),
    (RULE_A, "{veld: a.aantal, min: 2}", "{veld: a.aantallen, min: 2}", "KT301", "voldoet:"),
    (RULE_A, "{veld: a.aantal, min: 2}", "{veld: a.aantal, minstens: 2}", "KT302", "voldoet:"),
    (RULE_A, "{veld: a.aantal, min: 2}", "{veld: a.aantal, min: twee}", "KT304", "voldoet:"),
    (RULE_A, "{veld: a.aantal, min: 2}", "{veld: a.aantal, min: 2, is: 3}", "KT107", "voldoet:"),
    (RULE_A, "  deels: {veld: a.aantal, min: 1}\n", "  deels: {veld: a.aantal, min: 3}\n", "KT402", "norm:"),
    (RULE_A, "{veld: a.aantal, min: 2}", "{alle: [{veld: a.aantal, min: 5}, {veld: a.aantal, max: 3}]}", "KT401",
     "norm:"),
    (RULE_A, "van_toepassing: {veld: team.taken.jeugd, is: true}",
     "van_toepassing: {alle: [{veld: team.taken.jeugd, is: true}, {veld: team.taken.jeugd, is: false}]}", "KT403",
     "van_toepassing:"),
    (RULE_A, "norm_herkomst: afgeleid\nnorm_toelichting: \"Test.\"", "norm_herkomst: afgeleid", "KT503", "id: T-A-01"),
    (RULE_A, "    sectie: \"§1\"\n", "", "KT501", "- bron: S0"),
    (RULE_A, "  - {naam: een, feiten: {a.aantal: 1}, verwacht: deels}\n", "", "KT505", "voorbeelden:"),
    (RULE_A, "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}", "{naam: een, feiten: {a.aantal: 1}, verwacht: voldoet}",
     "KT506", "naam: een"),
    ("rules/T-B-01.yaml", "{regel: T-A-01, status: [voldoet]}", "{regel: T-X-01, status: [voldoet]}", "KT306",
     "regel: T-X-01"),
    ("rules/T-B-01.yaml", "{veld: a.keuze, is: vastgesteld}", "{veld: a.keuze, is: klaar}", "KT303",
     "a.keuze, is: klaar"),
    ("kader/1.0.yaml", "  - T-B-01\n", "  - T-B-01\n  - T-C-01\n", "KT203", "- T-C-01"),
    ("kader/1.0.yaml", "  - T-B-01\n", "  - T-B-01\n  - T-B-01\n", "KT202", "- T-B-01"),
    ("kader/1.0.yaml", "naam: \"Testkader\"", "naam: \"Testkader\"\nnaam: \"Dubbel\"", "KT002", "Dubbel"),
    ("kader/vragen-1.0.yaml", "    type: datum", "    type: tijdstip", "KT104", "type: tijdstip"),
]


@pytest.mark.parametrize("name,old,new,code,on_line", BROKEN, ids=[f"{b[3]}-{i}" for i, b in enumerate(BROKEN)])
def test_each_broken_file_gives_its_code_file_and_line(kader, name, old, new, code, on_line):
    edit(kader, name, old, new)
    report = lint(kader)
    finding = only(report, code)
    assert finding.file.endswith(name.split("/")[-1]), finding
    assert finding.line == line_of(kader, name, on_line), finding
    assert CODES[code][0] == finding.severity
    assert report.exit_code() == (2 if finding.severity == "fout" else 0)


def test_cycle_between_rules(kader):
    edit(kader, RULE_A, "  voldoet: {veld: a.aantal, min: 2}",
         "  voldoet: {alle: [{veld: a.aantal, min: 2}, {regel: T-B-01, status: [voldoet]}]}")
    finding = only(lint(kader), "KT305")
    assert "T-A-01" in finding.message and "T-B-01" in finding.message and finding.line is not None


def test_rule_file_in_no_manifest_is_a_warning(kader):
    shutil.copy(kader / RULE_A, kader / "rules" / "T-Z-01.yaml")
    edit(kader, "rules/T-Z-01.yaml", "id: T-A-01", "id: T-Z-01")
    report = lint(kader)
    finding = only(report, "KT204")
    assert finding.file.endswith("T-Z-01.yaml") and finding.line == 1 and finding.severity == "waarschuwing"
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1


def test_source_norm_without_any_quote_is_a_warning(kader):
    edit(kader, RULE_A, "norm_herkomst: afgeleid\nnorm_toelichting: \"Test.\"", "norm_herkomst: bron")
    finding = only(lint(kader), "KT502")
    assert finding.line == line_of(kader, RULE_A, "norm_herkomst: bron")


def test_missing_action_has_its_own_code(kader):
    text = (kader / RULE_A).read_text(encoding="utf-8")
    start, end = text.index("actie:"), text.index("voorbeelden:")
    (kader / RULE_A).write_text(text[:start] + text[end:], encoding="utf-8")
    assert only(lint(kader), "KT504").file.endswith("T-A-01.yaml")


def test_all_problems_at_once_sorted_by_position_and_every_one_coded(kader):
    edit(kader, RULE_A, 'thema: Test', 'thema: Test\nkleur: rood')
    edit(kader, RULE_A, "extra_middelen_mogelijk: false", "extra_middelen_mogelijk: misschien")
    edit(kader, "rules/T-B-01.yaml", "{veld: a.keuze, is: vastgesteld}", "{veld: a.keuze, is: klaar}")
    report = lint(kader)
    codes = [f.code for f in report.findings]
    assert {"KT102", "KT103", "KT303"} <= set(codes)
    keys = [(f.file, f.line or 0, f.column or 0) for f in report.findings]
    assert keys == sorted(keys)
    for name, old, new, code, _ in BROKEN:  # nothing falls through to the catch-all code
        assert "KT000" not in codes


def test_assessments_are_linted_too(kader, tmp_path):
    bad = tmp_path / "team.yaml"
    text = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("  a.aantal: 2\n", "  a.aantal: twee\n  a.bestaat_niet: 1\n"), encoding="utf-8")
    report = lint(kader, [bad])
    assert report.assessments == 1
    assert only(report, "KT103").line == 10 and only(report, "KT301").line == 11


def test_bundled_kader_and_assessments_lint_clean():
    report = lint(ROOT, [ROOT / "assessments"])
    assert report.errors == 0, [(f.code, f.location(), f.message) for f in report.findings]
    assert report.assessments == 7


def test_formats_and_exit_codes_on_the_command_line(kader):
    edit(kader, RULE_A, 'thema: Test', 'thema: Test\nkleur: rood')
    runner = CliRunner()
    result = runner.invoke(cli.main, ["lint", "--kader-dir", str(kader)])
    assert result.exit_code == 2
    line = line_of(kader, RULE_A, "kleur: rood")
    assert f"T-A-01.yaml:{line}:1: KT102: veld 'kleur': onbekend veld 'kleur'" in result.output
    data = json.loads(runner.invoke(cli.main, ["lint", "--kader-dir", str(kader), "--format", "json"]).output)
    assert data["fouten"] == 1 and data["problemen"][0]["code"] == "KT102"
    gh = runner.invoke(cli.main, ["lint", "--kader-dir", str(kader), "--format", "github"]).output
    assert gh.startswith("::error file=") and f",line={line},col=1,title=KT102 onbekend veld::" in gh
    clean = runner.invoke(cli.main, ["lint", "--kader-dir", str(MINI)])
    assert clean.exit_code == 0 and "Geen problemen gevonden." in clean.output


def test_check_and_sweep_refuse_a_kader_whose_norm_cannot_be_right(kader):
    edit(kader, RULE_A, "  deels: {veld: a.aantal, min: 1}\n", "  deels: {veld: a.aantal, min: 3}\n")
    with pytest.raises(KaderFout) as info:
        load_kader(kader, "1.0")
    assert info.value.problems[0].code == "KT402"
    result = CliRunner().invoke(cli.main, ["check", str(FIXTURES / "mini-team.yaml"), "--kader-dir", str(kader)])
    assert result.exit_code == 2 and "'deels' kan nooit de uitkomst zijn" in result.output
    result = CliRunner().invoke(cli.main, ["sweep", str(FIXTURES / "mini-team.yaml"), "--kader-dir", str(kader)])
    assert result.exit_code == 2
