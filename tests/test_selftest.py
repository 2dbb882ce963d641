"""`kader test` runner (kadertoets.validate.selftest) and its renderers: results, coverage, rule selection,
extra example files and the text / JSON / JUnit output."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import MINI, ROOT, write
from kadertoets.infra.errors import KaderFout
from kadertoets.load.kader import load_kader
from kadertoets.model import Status
from kadertoets.render import Options, formats, render
from kadertoets.validate.selftest import collect, load_example_files, reachable_statuses, run_selftest

# the mini Kader's examples: T-A-01 has five (all five statuses reachable), T-B-01 four (no nvt)
MINI_EXAMPLES = {"T-A-01": 5, "T-B-01": 4}


@pytest.fixture
def kdir(tmp_path):
    target = tmp_path / "k"
    shutil.copytree(MINI, target)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def broken(kdir, monkeypatch):
    """The mini Kader with one wrong expectation: T-A-01 'een' (a.aantal 1) gives deels, not voldoet."""
    monkeypatch.chdir(kdir.parent)  # files show as k/rules/..., as for a user in their own folder
    rule_file = kdir / "rules" / "T-A-01.yaml"
    edit(rule_file, "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}", "{naam: een, feiten: {a.aantal: 1}, verwacht: voldoet}")
    return load_kader(kdir, "1.0"), rule_file


# -- running ------------------------------------------------------------------------------------

def test_bundled_kader_passes_with_full_coverage():
    kader = load_kader(ROOT, "1.0")
    report = run_selftest(kader)
    assert report.exit_code == 0
    assert report.failed == 0
    assert report.total == sum(len(r.examples) for r in kader.rules.values()) > 0
    assert [r.rule_id for r in report.rules] == sorted(kader.rules)
    cov = report.coverage
    assert cov.complete and cov.covered == cov.reachable > 0 and cov.percent == 100
    for rule_report in report.rules:
        assert rule_report.covered == rule_report.reachable == reachable_statuses(kader.rules[rule_report.rule_id])


def test_reachable_statuses_follow_the_rule_shape(mini_kader):
    assert reachable_statuses(mini_kader.rules["T-A-01"]) == frozenset(Status)  # deels and van_toepassing
    assert reachable_statuses(mini_kader.rules["T-B-01"]) == frozenset(Status) - {Status.NVT}


def test_a_wrong_expectation_fails_with_expected_actual_and_reason(broken):
    kader, rule_file = broken
    report = run_selftest(kader)
    assert report.exit_code == 1
    assert (report.total, report.passed, report.failed, report.rules_failed) == (9, 8, 1, 1)
    a, b = report.rules
    assert (a.rule_id, a.passed, a.failed, b.rule_id, b.failed) == ("T-A-01", 4, 1, "T-B-01", 0)
    (failure,) = a.failures
    assert failure.name == "een"
    assert failure.expected == Status.VOLDOET and failure.actual == Status.DEELS and not failure.passed
    assert failure.reason == "Deels: het aantal: 1 (het Kader vraagt: minstens 2)."
    assert failure.file.endswith("T-A-01.yaml") and failure.line == line_of(rule_file, "naam: een,")
    # the failing example no longer shows deels: coverage names the gap, for the rule and the Kader
    assert a.missing == {Status.DEELS} and a.covered == frozenset(Status) - {Status.DEELS}
    assert report.coverage.missing == (("T-A-01", (Status.DEELS,)),)
    assert report.coverage.covered == report.coverage.reachable - 1


def test_coverage_counts_only_passing_examples(kdir):
    """A failing example does not show that its expected status is reachable."""
    edit(kdir / "rules" / "T-A-01.yaml", "{naam: een, feiten: {a.aantal: 1}, verwacht: deels}",
         "{naam: een, feiten: {a.aantal: 0}, verwacht: deels}")
    report = run_selftest(load_kader(kdir, "1.0"))
    (failure,) = report.rules[0].failures
    assert (failure.expected, failure.actual) == (Status.DEELS, Status.VOLDOET_NIET)
    assert report.rules[0].missing == {Status.DEELS}
    assert not report.coverage.complete


def test_rule_ids_select_rules_case_insensitively_and_once(mini_kader):
    report = run_selftest(mini_kader, ["t-b-01", "T-B-01"])
    assert [r.rule_id for r in report.rules] == ["T-B-01"]
    assert report.total == MINI_EXAMPLES["T-B-01"]
    assert {c.rule.id for c in collect(mini_kader, ["T-A-01"])} == {"T-A-01"}
    assert len(collect(mini_kader)) == sum(MINI_EXAMPLES.values())


def test_selected_rule_hides_failures_elsewhere(broken):
    kader, _ = broken
    assert run_selftest(kader, ["T-B-01"]).exit_code == 0
    assert run_selftest(kader, ["T-A-01"]).exit_code == 1


def test_unknown_rule_ids_are_one_error_with_suggestions(mini_kader):
    with pytest.raises(KaderFout) as exc:
        run_selftest(mini_kader, ["T-A-1", "T-A-01", "ZZZ"])
    first, second = exc.value.problems
    assert first.message == "onbekende eis 'T-A-1' in Kader 1.0" and first.field == "EIS"
    assert "Bedoelde u 'T-A-01'?" in first.hint
    assert "onbekende eis 'ZZZ'" in second.message and "Bedoelde u" not in second.hint


# -- extra example files --------------------------------------------------------------------------

EXTRA_A = """\
regel: T-A-01
toelichting: "Grensgevallen."
voorbeelden:
  - {naam: drie, feiten: {a.aantal: 3}, verwacht: voldoet}
  - naam: precies twee zonder Wmo
    team_taken: {wmo: false}
    feiten: {a.aantal: 2}
    verwacht: voldoet
"""

EXTRA_B_WRONG = """\
regel: T-B-01
voorbeelden:
  - naam: concept maar verwacht voldoet
    regels: {T-A-01: voldoet}
    feiten: {a.keuze: concept}
    verwacht: voldoet
"""


def test_extra_example_files_are_run_with_their_own_file_and_line(tmp_path, mini_kader):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "sub").mkdir()
    write(folder, "a.yaml", EXTRA_A)
    wrong = write(folder / "sub", "b.yml", EXTRA_B_WRONG)
    write(folder, "notities.txt", "geen yaml")
    (folder / ".verborgen").mkdir()
    write(folder / ".verborgen", "x.yaml", "onzin: [")
    extra = load_example_files(mini_kader, folder)
    assert [(e.rule_id, len(e.examples)) for e in extra] == [("T-A-01", 2), ("T-B-01", 1)]
    report = run_selftest(mini_kader, extra_examples=extra)
    assert report.total == sum(MINI_EXAMPLES.values()) + 3
    assert report.exit_code == 1
    (failure,) = [r for rule in report.rules for r in rule.failures]
    assert failure.name == "concept maar verwacht voldoet" and failure.file.endswith("b.yml")
    assert failure.line == line_of(wrong, "naam: concept maar")
    assert (failure.expected, failure.actual) == (Status.VOLDOET, Status.DEELS)
    a_names = [r.name for r in report.rules[0].results]
    assert a_names[-2:] == ["drie", "precies twee zonder Wmo"]
    # selecting a rule leaves the other rule's extra examples out
    assert run_selftest(mini_kader, ["T-A-01"], extra).exit_code == 0


def test_one_extra_file_may_be_given_instead_of_a_folder(tmp_path, mini_kader):
    path = write(tmp_path, "a.yaml", EXTRA_A)
    assert [e.rule_id for e in load_example_files(mini_kader, path)] == ["T-A-01"]


def extra_problems(kader, folder):
    with pytest.raises(KaderFout) as exc:
        load_example_files(kader, folder)
    return exc.value.problems


@pytest.mark.parametrize("text,needle,message,hint", [
    ("regel: T-A-01\nvoorbeelden:\n  - {naam: x, verwachting: voldoet}\n", "verwachting", "onbekend veld 'verwachting'",
     "Bedoelde u 'verwacht'?"),
    ("regel: T-A-01\nvoorbeelden:\n  - {naam: x, feiten: {a.aantallen: 1}, verwacht: voldoet}\n", "a.aantallen",
     "onbekend feit 'a.aantallen'", "Bedoelde u 'a.aantal'?"),
    ("regel: T-A-01\nvoorbeelden:\n  - {naam: x, verwacht: voldoen}\n", "voldoen", "ongeldige waarde tekst 'voldoen'",
     "Bedoelde u 'voldoet'?"),
    ("regel: T-A-1\nvoorbeelden:\n  - {naam: x, verwacht: voldoet}\n", "T-A-1", "onbekende regel 'T-A-1'",
     "Bedoelde u 'T-A-01'?"),
    ("regel: T-A-01\nvoorbeelden:\n  - {naam: x, verwacht: voldoet}\n  - {naam: x, verwacht: deels}\n", "verwacht: voldoet",
     "voorbeeldnaam 'x' komt dubbel voor", "eigen naam"),
    ("regel: T-A-01\nvoorbeelden:\n  - {naam: twee, verwacht: voldoet}\n", "naam: twee",
     "voorbeeldnaam 'twee' bestaat al voor regel T-A-01", "eigen naam"),
    ("regel: T-A-01\nvoorbeeld:\n  - {naam: x, verwacht: voldoet}\n", "voorbeeld:", "onbekend veld 'voorbeeld'",
     "Bedoelde u 'voorbeelden'?"),
    ("regel: T-A-01\nvoorbeelden: [\n", "voorbeelden", "geen geldige YAML", "inspringing"),
])
def test_invalid_extra_file_is_a_located_error(tmp_path, mini_kader, text, needle, message, hint):
    path = write(tmp_path, "fout.yaml", text)
    problems = extra_problems(mini_kader, tmp_path)
    assert all(p.file.endswith("fout.yaml") for p in problems)
    matching = [p for p in problems if message in p.message]
    assert len(matching) == 1, [p.render() for p in problems]
    (p,) = matching
    assert hint in (p.hint or "")
    if "YAML" not in message:
        assert p.line == line_of(path, needle)


def test_extra_files_are_validated_by_the_rule_example_validator(tmp_path, kdir):
    """The same mistake gives the same message and hint in a rule file and in an extra file."""
    edit(kdir / "rules" / "T-A-01.yaml", "{naam: leeg, verwacht: onbekend}", "{naam: leeg, verwacht: onbekent}")
    with pytest.raises(KaderFout) as in_rule:
        load_kader(kdir, "1.0")
    folder = tmp_path / "extra"
    folder.mkdir()
    write(folder, "x.yaml", "regel: T-A-01\nvoorbeelden:\n  - {naam: leeg2, verwacht: onbekent}\n")
    (in_extra,) = extra_problems(load_kader(MINI, "1.0"), folder)
    (rule_problem,) = in_rule.value.problems
    assert (rule_problem.message, rule_problem.hint) == (in_extra.message, in_extra.hint)
    assert rule_problem.field.startswith("voorbeelden[") and in_extra.field.startswith("voorbeelden[")


def test_all_broken_extra_files_are_reported_at_once(tmp_path, mini_kader):
    write(tmp_path, "a.yaml", "regel: T-A-9\nvoorbeelden:\n  - {naam: x, verwacht: voldoet}\n")
    write(tmp_path, "b.yaml", "")
    problems = extra_problems(mini_kader, tmp_path)
    assert [p.file.rsplit("/", 1)[-1] for p in problems] == ["a.yaml", "b.yaml"]


def test_missing_or_empty_folder_is_an_error(tmp_path, mini_kader):
    (p,) = extra_problems(mini_kader, tmp_path / "bestaat-niet")
    assert "bestaat niet" in p.message and p.field == "--voorbeelden"
    (p,) = extra_problems(mini_kader, tmp_path)
    assert "geen voorbeeldbestanden" in p.message


# -- renderers ------------------------------------------------------------------------------------

def test_test_formats_are_registered():
    assert {"text", "json", "junit"} <= set(formats("test"))


def test_text_report_is_dutch_and_readable_without_colour(broken):
    kader, _ = broken
    report = run_selftest(kader)
    text = render("test", "text", report, Options(color=False, width=100))
    assert "\x1b[" not in text
    assert "Kader: Testkader 1.0" in text
    assert "✘ 4 van 5 voorbeelden geslaagd, 1 mislukt" in text
    assert "✔ 4 van 4 voorbeelden geslaagd" in text
    assert f"✘ mislukt: 'een' ({report.rules[0].failures[0].location})" in text
    assert "verwacht: ✔ voldoet" in text and "uitkomst: ◐ deels" in text and "reden: Deels: het aantal: 1" in text
    assert "Dekking: ✔ voldoet, ✘ voldoet niet, ? onbekend, – n.v.t.; ontbreekt: ◐ deels" in text
    assert "Dekking: volledig (✔ voldoet, ◐ deels, ✘ voldoet niet, ? onbekend)" in text
    assert "Samenvatting: 2 eisen, 9 voorbeelden: 8 geslaagd, 1 mislukt (bij 1 eis)." in text
    assert "Dekking Kader: 8 van 9 bereikbare statussen (88%); ontbrekend: T-A-01 (◐ deels)." in text
    assert text.rstrip().endswith("Resultaat: ✘ 1 voorbeeld mislukt.")
    assert all(len(line) <= 100 for line in text.splitlines())


def test_text_report_of_a_passing_kader(mini_kader):
    text = render("test", "text", run_selftest(mini_kader), Options())
    assert "mislukt" not in text.replace("0 mislukt", "")
    assert text.rstrip().endswith("Resultaat: ✔ alle voorbeelden geslaagd.")


def test_json_report_parses_in_a_stable_shape(broken):
    kader, _ = broken
    report = run_selftest(kader)
    text = render("test", "json", report, Options())
    assert text == render("test", "json", run_selftest(kader), Options())
    data = json.loads(text)
    assert list(data) == ["kader", "eisen", "samenvatting", "dekking", "exitcode"]
    assert data["samenvatting"] == {"eisen": 2, "voorbeelden": 9, "geslaagd": 8, "mislukt": 1, "eisen_mislukt": 1}
    assert data["exitcode"] == 1
    a = data["eisen"][0]
    assert list(a) == ["eis", "titel", "geslaagd", "mislukt", "voorbeelden", "dekking"]
    (failed,) = [v for v in a["voorbeelden"] if not v["geslaagd"]]
    assert list(failed) == ["naam", "bestand", "regelnummer", "verwacht", "uitkomst", "geslaagd", "reden"]
    assert (failed["naam"], failed["verwacht"], failed["uitkomst"]) == ("een", "voldoet", "deels")
    assert a["dekking"] == {"bereikbaar": ["voldoet", "deels", "voldoet_niet", "onbekend", "nvt"],
                            "bereikt": ["voldoet", "voldoet_niet", "onbekend", "nvt"], "ontbrekend": ["deels"]}
    assert data["dekking"]["ontbrekend"] == [{"eis": "T-A-01", "statussen": ["deels"]}]


def test_junit_report_parses_with_one_testcase_per_example(broken):
    kader, _ = broken
    report = run_selftest(kader)
    root = ET.fromstring(render("test", "junit", report, Options()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("9", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["T-A-01", "T-B-01"]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [("5", "1"), ("4", "0")]
    cases = root.iter("testcase")
    assert sum(1 for _ in cases) == 9
    failures = list(root.iter("failure"))
    assert len(failures) == 1
    assert failures[0].get("message") == "verwacht voldoet, kreeg deels"
    assert "Deels: het aantal: 1" in failures[0].text
    failed_case = [c for c in root.iter("testcase") if c.find("failure") is not None][0]
    assert failed_case.get("name") == "een" and failed_case.get("file").endswith("T-A-01.yaml")


def test_junit_escapes_every_input_string(tmp_path, mini_kader):
    nasty = 'a <b> & "c" ]]> \'d\'\x01'
    write(tmp_path, "x.yaml", 'regel: T-A-01\nvoorbeelden:\n  - naam: "a <b> & \\"c\\" ]]> \'d\'\\x01"\n'
                              '    feiten: {a.aantal: 3}\n    verwacht: deels\n')
    extra = load_example_files(mini_kader, tmp_path)
    assert extra[0].examples[0].name == nasty
    report = run_selftest(mini_kader, ["T-A-01"], extra)
    root = ET.fromstring(render("test", "junit", report, Options()))
    (case,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert case.get("name") == nasty.replace("\x01", "\ufffd")
    assert nasty.replace("\x01", "\ufffd") in case.find("failure").text
