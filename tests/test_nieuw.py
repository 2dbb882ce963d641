"""kader nieuw: a new assessment file with every question of a Kader version, per theme, that loads as
it is (every requirement `onbekend`); options checked as the loader checks a file; prompts for what
is missing; --van carries a previous assessment over; bad input refused with exit code 2 and nothing
written. Also: an empty `waarde:` is a fact without an answer (onbekend) in the loader."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from kadertoets import cli
from conftest import MINI, ROOT, write
from kadertoets.editors.newassessment import assessment_yaml, start, team_from_values, verify
from kadertoets.evaluate.answerforms import ANSWER_FORMS, type_phrase
from kadertoets.evaluate.questiontypes import QUESTION_TYPES, TYPES
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.load.assessment import load_assessment
from kadertoets.load.kader import load_kader
from kadertoets.model import Question, Status
from kadertoets.sweep.run import check_file

AMERSFOORT = ROOT / "assessments" / "amersfoort-2023-03.yaml"
TEAM_OPTIONS = ["--id", "soest", "--naam", "Sociaal Team Soest", "--gemeente", "Soest", "--organisatie",
                "Gemeente Soest", "--taken", "jeugd,wmo", "--peildatum", "2024-03-01"]


def run(args, input=None):
    result = CliRunner().invoke(cli.main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output and "Interne fout" not in result.output, result.output
    return result


def refused(result, *words):
    """Exit code 2 with a Dutch message on stderr that names each of `words`."""
    assert result.exit_code == 2, result.output
    assert "Fout:" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# ---- the new file ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled():
    return load_kader(ROOT, "1.0")


@pytest.fixture(scope="module")
def new_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("nieuw") / "soest-2024.yaml"
    result = run(["nieuw", "-o", out, *TEAM_OPTIONS])
    assert result.exit_code == 0, result.output
    assert "Geschreven" in result.stderr and "kader check" in result.stderr
    return out


def test_the_new_file_holds_every_question_and_loads_with_nothing_known(new_file, bundled):
    assessment = load_assessment(new_file, bundled)
    assert assessment.kader_version == "1.0" and assessment.reference_date == dt.date(2024, 3, 1)
    assert list(assessment.facts) != [] and set(assessment.facts) == set(bundled.questions)
    assert all(f.value is None and f.note is None and f.evidence is None for f in assessment.facts.values())
    evaluation = check_file(new_file)
    assert {f.status for f in evaluation.findings} == {Status.ONBEKEND}
    result = run(["check", new_file])
    assert result.exit_code == 1, result.output  # unknowns: 1, not an invalid file (2)


def test_questions_stand_per_theme_in_the_order_of_the_questions_file(new_file, bundled):
    text = new_file.read_text(encoding="utf-8")
    written = re.findall(r"(?m)^  ([a-z][a-z0-9_.]*):$", text.split("\nfeiten:\n", 1)[1])
    themes = list(dict.fromkeys(q.theme for q in bundled.questions.values()))
    expected = [p for t in themes for p, q in bundled.questions.items() if q.theme == t]
    assert written == expected
    headings = re.findall(r"(?m)^  # Thema: (.+)$", text)
    assert headings == themes


def test_each_question_has_its_text_help_and_answer_form_as_comments(new_file, bundled):
    text = new_file.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    q = bundled.questions["toegang.eerste_triage_belegd_bij"]
    block = next(b for b in blocks if "  toegang.eerste_triage_belegd_bij:" in b)
    comment = " ".join(line.strip()[1:].strip() for line in block.splitlines() if line.strip().startswith("#"))
    assert q.question in comment and "Hulp:" in comment
    assert all(v in comment for v in q.values) and "keuze uit" in comment
    assert block.rstrip().endswith("waarde:")
    flag = next(p for p, q in bundled.questions.items() if q.type == "ja_nee")
    block = next(b for b in blocks if f"  {flag}:" in b)
    assert "ja of nee" in block and "ja_nee" not in block


def test_the_header_says_how_to_fill_in_and_what_to_run(new_file):
    head = new_file.read_text(encoding="utf-8").split("kader:", 1)[0]
    assert all(line.startswith("#") for line in head.splitlines())
    assert "waarde:" in head and "onbekend" in head and "toelichting" in head and "bewijs" in head
    assert f"kader check {new_file.name}" in head or "kader check" in head
    assert "kader plan" in head


def test_answer_forms_cover_the_registry_and_show_no_type_codes():
    assert set(ANSWER_FORMS) == set(TYPES)
    for name, qt in QUESTION_TYPES.items():
        q = Question("a.b", name, "?", values=("x", "y") if qt.choices else ())
        assert "_" not in type_phrase(q)


def test_no_tasks_is_allowed(tmp_path, bundled):
    out = tmp_path / "geen.yaml"
    options = [o if o != "jeugd,wmo" else "geen" for o in TEAM_OPTIONS]
    assert run(["nieuw", "-o", out, *options]).exit_code == 0
    assert load_assessment(out, bundled).team.tasks == {"jeugd": False, "wmo": False}
    out2 = tmp_path / "leeg.yaml"  # nothing at all is not 'geen': never guessed
    options = [o if o != "jeugd,wmo" else "" for o in TEAM_OPTIONS]
    result = run(["nieuw", "-o", out2, *options])
    assert result.exit_code == 2 and "geen taken opgegeven" in result.output and not out2.exists()


def test_help_is_dutch_with_an_example():
    out = run(["nieuw", "--hulp"]).stdout
    assert "Voorbeeld" in out and "kader nieuw -o" in out and "--van" in out


# ---- prompts -------------------------------------------------------------------------------------
def test_what_is_not_given_is_asked(tmp_path, bundled):
    out = tmp_path / "team.yaml"
    answers = "a b\nsoest\nSociaal Team Soest\nSoest\nGemeente Soest\nwmo\n2024-02-30\n2024-03-01\n"
    result = run(["nieuw", "-o", out], input=answers)
    assert result.exit_code == 0, result.output
    assert "Team-id" in result.output and "Peildatum" in result.output
    assert "bevat tekens die niet mogen" in result.output  # 'a b' explained, then asked again
    assert "geen datum" in result.output
    a = load_assessment(out, bundled)
    assert (a.team.id, a.team.name, a.team.tasks) == ("soest", "Sociaal Team Soest", {"jeugd": False, "wmo": True})


def test_without_input_a_missing_option_is_an_error(tmp_path):
    out = tmp_path / "team.yaml"
    refused(run(["nieuw", "-o", out, "--id", "soest"], input=""), "--naam", "ontbreekt")
    assert not out.exists()


def test_prompts_give_up_after_a_few_wrong_answers(tmp_path):
    out = tmp_path / "team.yaml"
    refused(run(["nieuw", "-o", out], input="a b\n" * 10), "--id", "pogingen")
    assert not out.exists()


# ---- bad input: exit 2, the option or file named, nothing written --------------------------------
def test_an_existing_file_is_refused_before_anything_is_asked(tmp_path):
    out = write(tmp_path, "team.yaml", "oud")
    result = run(["nieuw", "-o", out], input="")
    refused(result, "team.yaml", "bestaat al")
    assert "Team-id" not in result.output
    assert out.read_text(encoding="utf-8") == "oud"


def test_overschrijf_replaces_an_existing_file(tmp_path, bundled):
    out = write(tmp_path, "team.yaml", "oud")
    assert run(["nieuw", "-o", out, "--overschrijf", *TEAM_OPTIONS]).exit_code == 0
    assert load_assessment(out, bundled).team.id == "soest"


@pytest.mark.parametrize("option,value,words", [
    ("--id", "soest team", ["--id", "tekens die niet mogen"]),
    ("--id", "x" * 65, ["--id", "langer dan 64"]),
    ("--id", "", ["--id", "leeg"]),
    ("--naam", "Team\nSoest", ["--naam", "regeleinde"]),
    ("--naam", "n" * 201, ["--naam", "langer dan 200"]),
    ("--gemeente", "  ", ["--gemeente", "leeg"]),
    ("--taken", "jeugd,ouderen", ["--taken", "ouderen"]),
    ("--peildatum", "2024-13-01", ["--peildatum", "geen datum"]),
    ("--peildatum", "1 maart 2024", ["--peildatum", "geen datum"]),
    ("--peildatum", "2020-01-01", ["--peildatum", "gold nog geen Kaderversie"]),
    ("--kader", "9.9", ["9.9", "Kaderversie"]),
])
def test_a_bad_option_is_refused(tmp_path, option, value, words):
    out = tmp_path / "team.yaml"
    args = list(TEAM_OPTIONS)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    refused(run(["nieuw", "-o", out, *args]), *words)
    assert not out.exists()


def test_the_output_must_be_yaml(tmp_path):
    out = tmp_path / "team.txt"
    refused(run(["nieuw", "-o", out, *TEAM_OPTIONS]), "team.txt", ".yaml")
    assert not out.exists()


# ---- --van ---------------------------------------------------------------------------------------
def test_van_carries_answers_team_and_plan_over(tmp_path, bundled):
    old = tmp_path / "oud.yaml"
    old.write_text(AMERSFOORT.read_text(encoding="utf-8") + (
        "transformatieplan:\n"
        "  - {eis: KLT-VEI-02, omschrijving: \"Werven: 'x' # y\", eigenaar: teamleider, deadline: 2024-01-01,"
        " status: gepland, deadline_verplaatst: [{naar: 2024-06-01, toelichting: vacature}]}\n"), encoding="utf-8")
    out = tmp_path / "amersfoort-2024.yaml"
    result = run(["nieuw", "-o", out, "--van", old, "--peildatum", "2024-03-01", "--naam", "SWA: nieuw"])
    assert result.exit_code == 0, result.output
    before, after = load_assessment(old, bundled), load_assessment(out, bundled)
    assert after.reference_date == dt.date(2024, 3, 1)
    assert after.team == before.team.__class__(**{**before.team.__dict__, "name": "SWA: nieuw"})
    answered = {p: f for p, f in after.facts.items() if f.value is not None or f.note is not None}
    assert {p: (f.value, f.note, f.evidence) for p, f in answered.items()} == \
        {p: (f.value, f.note, f.evidence) for p, f in before.facts.items()}
    assert set(after.facts) == set(bundled.questions)  # the unanswered questions are there, empty
    assert after.plan == before.plan
    assert old.read_text(encoding="utf-8").startswith(AMERSFOORT.read_text(encoding="utf-8"))  # not modified


def test_van_needs_a_later_peildatum(tmp_path):
    out = tmp_path / "team.yaml"
    refused(run(["nieuw", "-o", out, "--van", AMERSFOORT, "--peildatum", "2023-03-01"]),
            "--peildatum", "niet na de peildatum", "amersfoort-2023-03.yaml")
    assert not out.exists()


def test_van_asks_for_the_peildatum_only(tmp_path, bundled):
    out = tmp_path / "team.yaml"
    result = run(["nieuw", "-o", out, "--van", AMERSFOORT], input="2024-03-01\n")
    assert result.exit_code == 0, result.output
    assert "Team-id" not in result.output and "Peildatum" in result.output
    assert load_assessment(out, bundled).team.id == "amersfoort"


def test_van_with_a_broken_file_is_refused(tmp_path):
    broken = write(tmp_path, "kapot.yaml", AMERSFOORT.read_text(encoding="utf-8").replace(
        "waarde: 158642", "waarde: veel"))
    out = tmp_path / "team.yaml"
    refused(run(["nieuw", "-o", out, "--van", broken, "--peildatum", "2024-03-01"]), "kapot.yaml", "algemeen.inwoners")
    assert not out.exists()
    missing = tmp_path / "bestaat-niet.yaml"
    refused(run(["nieuw", "-o", out, "--van", missing, "--peildatum", "2024-03-01"]), "bestaat-niet.yaml")
    assert not out.exists()


def test_van_may_not_be_overwritten(tmp_path):
    old = write(tmp_path, "oud.yaml", AMERSFOORT.read_text(encoding="utf-8"))
    refused(run(["nieuw", "-o", old, "--overschrijf", "--van", old, "--peildatum", "2024-03-01"]), "oud.yaml")
    assert old.read_text(encoding="utf-8") == AMERSFOORT.read_text(encoding="utf-8")


def test_van_to_a_version_that_cannot_hold_an_answer_is_refused(tmp_path, versions):
    """Leusden answers `pilot`, which 1.1 no longer allows, and answers a question 1.1 dropped: refused
    (not dropped), with the way out through kader migrate."""
    out = tmp_path / "leusden-2024.yaml"
    leusden = ROOT / "assessments" / "leusden-2023-03.yaml"
    result = run(["nieuw", "-o", out, "--van", leusden, "--peildatum", "2024-03-01", "--kader-map", versions])
    refused(result, "--van", "kader migrate", "veiligheid.casuistiekbespreking_save_bsa")
    assert not out.exists()


def test_van_to_another_version_marks_changed_questions(tmp_path, versions):
    """Bunschoten carries over to 1.1 (the version of the new peildatum): answers to changed questions
    are marked herbevestigen, as kader migrate marks them."""
    out = tmp_path / "bunschoten-2024.yaml"
    bunschoten = ROOT / "assessments" / "bunschoten-2023-03.yaml"
    result = run(["nieuw", "-o", out, "--van", bunschoten, "--peildatum", "2024-03-01", "--kader-map", versions])
    if result.exit_code == 2:  # Bunschoten holds something 1.1 cannot: then the refusal names migrate
        refused(result, "kader migrate")
        return
    assert result.exit_code == 0, result.output
    a = load_assessment(out, load_kader(versions, "1.1"))
    assert a.kader_version == "1.1"
    marked = [p for p, f in a.facts.items() if f.reconfirm]
    assert ("herbevestigen" in result.stderr) == bool(marked)


# ---- the loader: an empty waarde is onbekend -------------------------------------------------------
@pytest.mark.parametrize("fact", ["a.aantal:", "a.aantal:\n    waarde:", "a.aantal: {waarde: null}",
                                  "a.aantal:\n    waarde:\n    bewijs: \"nog zoeken\""])
def test_an_empty_waarde_is_a_fact_without_an_answer(tmp_path, mini_kader, fact):
    path = write(tmp_path, "a.yaml", "kader: \"1.0\"\npeildatum: 2023-03-01\nteam:\n  id: t\n  naam: T\n"
                                     "  gemeente: G\n  organisatie: O\n  taken: {jeugd: true, wmo: true}\n"
                                     f"feiten:\n  {fact}\n")
    a = load_assessment(path, mini_kader)
    assert a.facts["a.aantal"].value is None
    evaluation = check_file(path, MINI)
    assert next(f for f in evaluation.findings if f.rule_id == "T-A-01").status == Status.ONBEKEND


# ---- hostile texts in the Kader stay comments ------------------------------------------------------
HOSTILE = '"Hoeveel?\\nfeiten: {a.keuze: vastgesteld}\\r# x\\e[2J\\u2028kader: \\"9\\"\\x85\\uFFFE\\u202e!"'


@pytest.fixture
def hostile_kader(tmp_path):
    folder = tmp_path / "kader-map"
    shutil.copytree(MINI, folder)
    vragen = folder / "kader" / "vragen-1.0.yaml"
    text = vragen.read_text(encoding="utf-8").replace('vraag: "Hoeveel?"', f"vraag: {HOSTILE}\n    hulp: {HOSTILE}")
    text = text.replace("waarden: [geen, concept, vastgesteld]", 'waarden: [geen, concept, vastgesteld, "x\\n# y: z"]')
    text = text.replace('vastgesteld: "vastgesteld"}', 'vastgesteld: "vastgesteld", "x\\n# y: z": "x"}')
    vragen.write_text(text, encoding="utf-8")
    return folder


def test_hostile_question_texts_cannot_leave_their_comment(tmp_path, hostile_kader):
    kader = load_kader(hostile_kader, "1.0")
    assert "\n" in kader.questions["a.aantal"].question
    out = tmp_path / "team.yaml"
    result = run(["nieuw", "-o", out, "--kader-map", hostile_kader, *TEAM_OPTIONS])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\r" not in text and "\u2028" not in text and "\x85" not in text
    for line in text.splitlines():
        assert line == "" or line.lstrip().startswith("#") or not ("feiten: {" in line or 'kader: "9"' in line), line
    a = load_assessment(out, kader)
    assert all(f.value is None for f in a.facts.values())
    assert load_yaml_file(out)["kader"] == "1.0"


# ---- the team block reads back exactly -------------------------------------------------------------
ID_CHARS = st.characters(categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0x2FFF) | st.sampled_from("-_.")
NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40) | \
    st.sampled_from(["'", '"', ": x", "# niet", "a: b # c", "- x", "[x]", "{x}", "true", "null", "1.0", "2024-03-01",
                     "&anker", "*ster", "!tag", "%YAML", "@x", "`x`", "Zoë ‘t Hooft", "日本", " spatie "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tid=st.text(ID_CHARS, min_size=1, max_size=64), name=NAME, municipality=NAME, organisation=NAME,
       jeugd=st.booleans(), wmo=st.booleans())
def test_any_team_the_loader_accepts_reads_back_exactly(mini_kader, tid, name, municipality, organisation, jeugd, wmo):
    values = {"id": tid, "naam": name, "gemeente": municipality, "organisatie": organisation,
              "taken": {"jeugd": jeugd, "wmo": wmo}}
    try:
        team = team_from_values(values)
    except KaderFout:
        return  # the loader would refuse it in a file too; kader nieuw refuses it as an option
    new = start(mini_kader, team, dt.date(2024, 3, 1))
    text = assessment_yaml(new, "team.yaml")
    loaded = verify(text, "team.yaml", new)  # loads with the strict loader, as kader check loads it
    assert loaded.team == team
    assert (team.id, team.name, team.municipality, team.organisation) == (tid, name, municipality, organisation)


def test_a_quirky_team_through_the_command_line(tmp_path, mini_kader):
    out = tmp_path / "team.yaml"
    args = ["nieuw", "-o", out, "--kader-map", MINI, "--id", "zoë.ä-1_b", "--naam", "'Team' \"A\": # 1 {x}",
            "--gemeente", "- Gemeente: ‘s-Hertogenbosch", "--organisatie", "true", "--taken", "jeugd",
            "--peildatum", "2024-03-01"]
    assert run(args).exit_code == 0
    team = load_assessment(out, mini_kader).team
    assert (team.id, team.name, team.municipality, team.organisation) == (
        "zoë.ä-1_b", "'Team' \"A\": # 1 {x}", "- Gemeente: ‘s-Hertogenbosch", "true")
    assert run(["check", out, "--kader-map", MINI]).exit_code == 1
