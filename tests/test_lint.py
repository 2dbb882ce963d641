"""kader lint: one broken file per kind of problem (code, file and line asserted), all problems at
once, the three output formats, exit codes, and fail-closed loading for check and sweep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import FIXTURES, MINI, ROOT
from kadertoets.infra.errors import KaderFout
from kadertoets.validate.semantic import validated_kader
from kadertoets.load.kader import load_kader
from kadertoets.editors.lint import lint
from kadertoets.infra.lintcodes import CODES

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
    (RULE_A, "thema: Test", "thema: [Test", "KT001", 'uitleg: "Test."'),  # the unclosed list ends there
    (RULE_A, "thema: Test", "\tthema: Test", "KT001", "\tthema: Test"),
    (RULE_A, 'titel: "Aantal"\nthema: Test', 'titel: &a "Aantal"\nthema: *a', "KT003", "titel: &a"),
    (RULE_A, 'bronnen:\n  - bron: S0\n    sectie: "§1"\n', "bronnen: []\n", "KT105", "bronnen: []"),
    (RULE_A, "id: T-A-01\n", "id: T-A-01\nvoorheen: [kapot]\n", "KT205", "voorheen: [kapot]"),
    (RULE_A, "id: T-A-01\n", "id: T-A-01\nvoorheen: [T-A-01]\n", "KT206", "voorheen: [T-A-01]"),
    ("rules/T-B-01.yaml", "verantwoordelijk: regio\n", "verantwoordelijk: regio\nvan_toepassing: {een_van: "
     "[{veld: team.taken.jeugd, is: true}, {veld: team.taken.jeugd, is: false}]}\n", "KT404", "van_toepassing:"),
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
    assert "T-A-01" in finding.message and "T-B-01" in finding.message
    assert finding.file.endswith("T-A-01.yaml") and (finding.line, finding.column) == (line_of(kader, RULE_A, "norm:"), 1)


def test_a_rule_file_that_is_not_utf8_is_kt004_with_its_line(kader):
    path = kader / RULE_A
    line = line_of(kader, RULE_A, "omschrijving:")
    path.write_bytes(path.read_bytes().replace(b"Doe iets.", b"Doe \xff iets."))
    finding = only(lint(kader), "KT004")
    assert finding.file.endswith("T-A-01.yaml") and finding.line == line


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
        validated_kader(kader, "1.0")
    assert info.value.problems[0].code == "KT402"
    result = CliRunner().invoke(cli.main, ["check", str(FIXTURES / "mini-team.yaml"), "--kader-dir", str(kader)])
    assert result.exit_code == 2 and "'deels' kan nooit de uitkomst zijn" in result.output
    result = CliRunner().invoke(cli.main, ["sweep", str(FIXTURES / "mini-team.yaml"), "--kader-dir", str(kader)])
    assert result.exit_code == 2


def test_a_broken_rule_does_not_hide_the_problems_of_the_other_rules(kader):
    """A load error in T-B-01 (an undeclared field) and a failing example in T-A-01: both at once."""
    edit(kader, "rules/T-B-01.yaml", "{veld: a.keuze, is: vastgesteld}", "{veld: a.keuzen, is: vastgesteld}")
    edit(kader, RULE_A, "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}",
         "{naam: een, feiten: {a.aantal: 1}, verwacht: voldoet}")
    edit(kader, RULE_A, "  - {naam: nul, feiten: {a.aantal: 0}, verwacht: voldoet_niet}\n", "")
    report = lint(kader)
    assert only(report, "KT301").file.endswith("T-B-01.yaml")
    failed = only(report, "KT506")
    assert failed.file.endswith("T-A-01.yaml") and failed.line == line_of(kader, RULE_A, "naam: een")
    assert failed.column == 5
    assert only(report, "KT505").file.endswith("T-A-01.yaml")  # no example for voldoet_niet any more


def test_an_unreadable_manifest_does_not_make_every_rule_unlisted(kader):
    edit(kader, "kader/1.0.yaml", "ingangsdatum: 2023-02-01", "ingangsdatum: 2023-02-30")
    report = lint(kader)
    assert report.errors >= 1
    assert not [f for f in report.findings if f.code == "KT204"]


def test_voorheen_naming_an_existing_requirement_has_a_code_and_a_line(kader):
    edit(kader, "rules/T-B-01.yaml", "id: T-B-01\n", "id: T-B-01\nvoorheen: [T-A-01]\n")
    finding = only(lint(kader), "KT206")
    assert finding.file.endswith("T-B-01.yaml") and finding.line == 2 and finding.column == 1
    assert "T-A-01" in finding.message


def test_check_plan_and_sweep_refuse_a_kader_with_a_failing_example_but_test_shows_it(kader):
    edit(kader, RULE_A, "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}",
         "{naam: een, feiten: {a.aantal: 1}, verwacht: voldoet}")
    team = str(FIXTURES / "mini-team.yaml")
    runner = CliRunner()
    for args in (["check", team], ["plan", team], ["sweep", team, "--geen-cache"], ["trend", team, "--geen-cache"]):
        result = runner.invoke(cli.main, [*args, "--kader-dir", str(kader)])
        assert result.exit_code == 2, (args, result.output)
        assert "KT506" not in result.output or "voorbeeld 'een' verwacht voldoet" in result.output
        assert "voorbeeld 'een' verwacht voldoet, maar de regel geeft deels" in result.output, args
    shown = runner.invoke(cli.main, ["test", "--kader-dir", str(kader)])
    assert shown.exit_code == 1 and "een" in shown.output
    assert runner.invoke(cli.main, ["rules", "--kader-dir", str(kader)]).exit_code == 0
    assert runner.invoke(cli.main, ["explain", "T-A-01", "--kader-dir", str(kader)]).exit_code == 0


def test_in_a_working_copy_the_commands_use_that_copy(kader, monkeypatch):
    """An editor who works in a copy of the Kader runs the commands there without --kader-dir."""
    edit(kader, RULE_A, 'thema: Test', 'thema: Test\nkleur: rood')
    monkeypatch.chdir(kader)
    runner = CliRunner()
    result = runner.invoke(cli.main, ["lint"])
    assert result.exit_code == 2 and "KT102" in result.output
    assert "Gecontroleerd: Kader-map de werkmap (.), versies 1.0." in result.output
    listed = runner.invoke(cli.main, ["rules", "--format", "json"])
    assert listed.exit_code == 2  # the copy's unknown field, not the bundled Kader


def test_a_broken_kader_is_reported_once_in_a_sweep_not_per_team(kader, tmp_path):
    edit(kader, RULE_A, "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}",
         "{naam: een, feiten: {a.aantal: 1}, verwacht: voldoet}")
    folder = tmp_path / "teams"
    folder.mkdir()
    text = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"team{i}.yaml").write_text(text.replace("id: ", f"id: t{i}", 1) if "id: " in text else text,
                                             encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["sweep", str(folder), "--kader-dir", str(kader), "--geen-cache"])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())  # the text output wraps long lines
    assert flat.count("voorbeeld 'een' verwacht voldoet") == 1
    assert "het Kader laadt niet, dus 3 assessments konden niet getoetst worden" in flat


def test_question_with_minimum_above_maximum(kader):
    edit(kader, "kader/vragen-1.0.yaml", "    type: geheel_getal\n    minimum: 0\n",
         "    type: geheel_getal\n    minimum: 10\n    maximum: 5\n")
    finding = only(lint(kader), "KT104")
    assert finding.line == line_of(kader, "kader/vragen-1.0.yaml", "maximum: 5") and "minimum" in finding.message


def test_two_manifests_for_one_version_and_an_unused_rule_folder(kader):
    shutil.copytree(kader / "rules", kader / "rules-oud")
    report = lint(kader)
    folder = only(report, "KT204")
    assert folder.file.endswith("rules-oud") and folder.severity == "waarschuwing"
    shutil.copy(kader / "kader" / "1.0.yaml", kader / "kader" / "1.0.yml")
    assert only(lint(kader), "KT202").file.endswith("1.0.yml")


def test_a_path_that_does_not_exist_is_kt004(kader, tmp_path):
    assert only(lint(kader, [tmp_path / "bestaat-niet.yaml"]), "KT004").file.endswith("bestaat-niet.yaml")


def test_every_code_has_its_row_in_the_format_docs():
    """docs/formaat.md lists every lint code with its severity, and no code that does not exist."""
    rows = {}
    for line in (ROOT / "docs" / "formaat.md").read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) == 3 and parts[0].startswith("KT") and parts[0][2:].isdigit():
            rows[parts[0]] = parts[1]
    assert rows == {code: sev for code, (sev, _) in CODES.items()}


def test_docs_code_table_is_the_code_table():
    """docs/formaat.md lists exactly the codes of infra/lintcodes.py, in order, with their severity
    and title: the table in the docs is the table in the code."""
    from kadertoets.infra.lintcodes import CODES

    text = (ROOT / "docs" / "formaat.md").read_text(encoding="utf-8")
    section = text[text.index("### `kader lint`: codes"):]
    rows = [line for line in section.splitlines() if line.startswith("| KT")]
    assert rows == [f"| {code.value} | {severity} | {title} |" for code, (severity, title) in CODES.items()]


def test_no_lint_code_is_written_as_a_string():
    """Every code is a member of Code (a typo fails at import, never becomes KT000 in silence)."""
    import re

    for path in [*(ROOT / "engine").rglob("*.py"), ROOT / "cli.py"]:
        if path.name == "lintcodes.py":
            continue
        assert not re.search(r"[\"']KT\d{3}[\"']", path.read_text(encoding="utf-8")), path


def test_problem_refuses_a_code_that_does_not_exist():
    from kadertoets.infra.errors import Problem

    with pytest.raises(ValueError):
        Problem("x", code="KT999")
