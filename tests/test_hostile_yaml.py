"""Explicit YAML tags and odd scalars in assessments and rule files: never a silent wrong verdict,
never a crash. A tagged value is either read exactly as its untagged spelling (same verdict) or
refused with its line (exit 2); one such file in a sweep is listed, the other teams stay visible."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import example, HealthCheck, given, settings
from hypothesis import strategies as st

from kadertoets import cli
from conftest import ROOT
from kadertoets.infra.errors import KaderFout
from kadertoets.sweep.run import check_file
from strategies import ODD_SCALARS, YAML_TAGS

BUNSCHOTEN = (ROOT / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
# One fact per question type (answered in the Bunschoten file, or added to it), with a valid value.
FACTS = {
    "ja_nee": ("implementatie.verantwoordelijke_aangewezen", "true"),
    "geheel_getal": ("algemeen.inwoners", "22325"),
    "getal": ("formatie.fte_totaal", "14.2"),
    "keuze": ("toegang.eerste_triage_belegd_bij", "lokaal_team"),
    "tekst": ("escalatiemodel.mandaat_belegd_bij", "teamleider"),
    "datum": ("clientervaring.laatste_meting", "2022-11-01"),
    "meerkeuze": ("lerend_stelsel.niveaus", "[casus]"),
}
TAGS, ODD = YAML_TAGS, ODD_SCALARS


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Interne fout" not in result.output
    return result


def with_value(question: str, written: str, text: str = BUNSCHOTEN) -> str:
    """The Bunschoten file with the waarde of one fact replaced by `written` (its own line)."""
    pattern = re.compile(rf"(\n  {re.escape(question)}:\n    waarde: )[^\n]*")
    if not pattern.search(text):  # not answered in the file: add it as the first fact
        assert "\nfeiten:\n" in text
        return text.replace("\nfeiten:\n", f"\nfeiten:\n  {question}:\n    waarde: {written}\n", 1)
    return pattern.sub(lambda m: m.group(1) + written, text, count=1)


def outcome(tmp_path, text: str, name: str = "a.yaml"):
    """('ok', findings) or ('fout', problems) for an assessment text against the bundled Kader."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        ev = check_file(path, ROOT)
    except KaderFout as exc:
        return ("fout", exc.problems)
    return ("ok", [(f.rule_id, f.status, f.reason) for f in ev.findings])


def assert_located(result) -> None:
    kind, problems = result
    assert kind == "fout"
    assert problems and all(p.line is not None and p.file for p in problems), [p.render() for p in problems]


# ---- failure 1: a tag never turns a value into another one silently -----------------------------
@pytest.mark.parametrize("spelling", ["!!bool 'ja'", "!!bool 'yes'", "!!bool 'y'", "!!bool 'off'", "!!bool ''",
                                      "!!bool nee", "!!bool ja", "!<tag:yaml.org,2002:bool> yes", "!!bool 1"])
def test_a_bool_tag_on_a_non_boolean_is_refused_with_its_line(tmp_path, spelling):
    text = with_value("implementatie.verantwoordelijke_aangewezen", spelling)
    result = outcome(tmp_path, text)
    assert_located(result)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if spelling in ln)
    assert result[1][0].line == line


@pytest.mark.parametrize("kind,tag", [("ja_nee", "!!bool"), ("geheel_getal", "!!int"), ("getal", "!!float"),
                                      ("keuze", "!!str"), ("datum", "!!timestamp"), ("tekst", "!!str")])
def test_a_tag_that_says_what_the_value_is_changes_nothing(tmp_path, kind, tag):
    question, written = FACTS[kind]
    plain = outcome(tmp_path, with_value(question, written), "plain.yaml")
    tagged = outcome(tmp_path, with_value(question, f"{tag} {written}"), "tagged.yaml")
    assert plain[0] == "ok" and tagged == plain


def test_a_tagged_peildatum_is_the_same_date(tmp_path):
    text = BUNSCHOTEN.replace("peildatum: 2023-03-01", "peildatum: !!timestamp 2023-03-01", 1)
    assert text != BUNSCHOTEN
    assert outcome(tmp_path, text, "tagged.yaml") == outcome(tmp_path, BUNSCHOTEN, "plain.yaml")


# ---- failure 2 and 4: no crash, and a line, for every tag on every kind of node ------------------
@pytest.mark.parametrize("line", [
    "peildatum: !!timestamp gisteren", "peildatum: !!seq x", "peildatum: !!seq {a: 1}", "peildatum: !!int ''",
    "peildatum: !!int '-'", "peildatum: !!float '_'", "peildatum: !!int abc", "peildatum: " + "9" * 5000,
    "peildatum: !!int " + "9" * 5000, "peildatum: !!map [1]", "peildatum: !!set {x}", "peildatum: !!binary aGk=",
    "peildatum: !!timestamp 2023-13-01", "peildatum: !!omap [{a: 1}]", "peildatum: !!null x",
    "peildatum: !!float 1e99999", "peildatum: !!python/object/apply:os.system ['true']",
])
def test_odd_tags_and_numbers_give_a_located_error(tmp_path, line):
    text = BUNSCHOTEN.replace("peildatum: 2023-03-01", line, 1)
    assert_located(outcome(tmp_path, text))
    path = tmp_path / "cli.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert re.search(r"cli\.yaml:2:\d+", result.output), result.output
    assert len(result.output) < 2000  # a 5,000-digit value is not repeated whole


def test_a_huge_unknown_key_is_not_repeated_whole(tmp_path):
    path = tmp_path / "a.yaml"
    key = "x" * 900_000  # an explicit key (?): a plain key may not be longer than 1024 characters
    path.write_text(BUNSCHOTEN.replace("feiten:\n", f"feiten:\n  ? {key}\n  : {{waarde: 1}}\n", 1), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert len(result.output) < 5000


def test_messages_about_yaml_are_dutch(tmp_path):
    for text in ["a: &x [*x]\n", "a: !!python/object:x {}\n", "a: 'x\x1b'\n", "a: b: c\n", "%FOO\n---\na: 1\n",
                 "a: \"\\q\"\n", "[" * 2000, "a: *nergens\n", "- a\nb: 1\n"]:
        path = tmp_path / "a.yaml"
        path.write_text(text, encoding="utf-8")
        result = run("check", path)
        assert result.exit_code == 2
        english = re.findall(r"\b(found|expected|while|could not|cannot|not allowed|unconstructable|denied)\b",
                             result.output)
        assert not english, (text, result.output)
        assert "a.yaml:" in result.output


# ---- failure 3: one bad file does not stop a sweep -----------------------------------------------
def test_a_sweep_lists_a_tagged_bad_file_and_shows_the_other_teams(tmp_path):
    folder = tmp_path / "regio"
    shutil.copytree(ROOT / "assessments", folder)
    bad = BUNSCHOTEN.replace("peildatum: 2023-03-01", "peildatum: !!timestamp gisteren", 1).replace(
        "id: bunschoten", "id: kopie", 1)
    (folder / "kapot.yaml").write_text(bad, encoding="utf-8")
    for extra in ([], ["--geen-cache"]):
        result = run("sweep", folder, "--format", "json", *extra)
        assert result.exit_code == 2
        import json

        data = json.loads(result.output)
        text = json.dumps(data)
        assert "kapot.yaml" in text and "gisteren" in text
        assert len([t for t in data["teams"]]) == 7
        result = run("sweep", folder, *extra)
        assert result.exit_code == 2 and "kapot.yaml:2:" in result.output and "BBS Lokaal team de Lingt" in result.output


# ---- rule files ----------------------------------------------------------------------------------
@pytest.fixture
def kader_copy(tmp_path):
    folder = tmp_path / "kader-kopie"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


@pytest.mark.parametrize("old,new", [
    ("min: 1", "min: !!int ''"), ("min: 1", "min: !!seq x"), ("min: 1", "min: !!bool 'ja'"),
    ("min: 1", "min: !!float '_'"), ("min: 1", "min: !!timestamp gisteren"),
])
def test_tags_in_a_rule_file_are_refused_with_the_line_by_check_and_lint(kader_copy, old, new):
    rule = kader_copy / "rules" / "KLT-VEI-02.yaml"
    text = rule.read_text(encoding="utf-8")
    assert old in text
    rule.write_text(text.replace(old, new, 1), encoding="utf-8")
    for command in (["check", ROOT / "assessments" / "bunschoten-2023-03.yaml"], ["lint"]):
        result = run(*command, "--kader-dir", kader_copy)
        assert result.exit_code == 2, result.output
        assert re.search(r"KLT-VEI-02\.yaml:\d+:\d+", result.output), result.output


# ---- the fuzz: tagged and odd values for every question type, and elsewhere in the file ---------
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


_BOOLS = {"true", "True", "TRUE", "false", "False", "FALSE"}
_NULLS = {"", "~", "null", "Null", "NULL"}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
                   r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?")


def plain_spelling(tag: str, scalar: str) -> str | None:
    """What YAML 1.2 says `TAG SCALAR` means, written without a tag; None: it means nothing (refused).
    Written from the specification, independently of the loader under test."""
    quoted = scalar[:1] in ("'", '"')
    raw = scalar[1:-1].replace("''", "'") if scalar[:1] == "'" else scalar
    collection = scalar[:1] in ("{", "[")
    if tag == "":
        return scalar
    if tag == "!":
        return None  # YAML 1.2 says text, libyaml says "as if untagged": refused rather than guessed
    if not quoted and (scalar in ("-", "?", ":") or scalar[:2] in ("- ", "? ", ": ")):
        return None  # an indicator followed by a blank, not a plain scalar: `!!str -` is not valid YAML
    if collection:
        return scalar if (tag, scalar[0]) in (("!!map", "{"), ("!!seq", "[")) else None
    if tag == "!!str":
        return scalar if quoted else "'" + raw.replace("'", "''") + "'"
    if scalar[:1] == '"':
        return None  # only the escape cases in ODD_SCALARS are double-quoted; none is a bool, number or date
    if tag in ("!!bool", "!<tag:yaml.org,2002:bool>"):
        return raw if raw in _BOOLS else None
    if tag in ("!!int", "!<tag:yaml.org,2002:int>"):
        return raw if _INT.fullmatch(raw) and len(raw) <= 30 else None
    if tag == "!!float":
        if _INT.fullmatch(raw) and len(raw) <= 60:
            return raw + ".0"  # `!!float 5` is the number 5.0, not the whole number 5
        return raw if _FLOAT.fullmatch(raw) and len(raw) <= 60 else None
    if tag == "!!null":
        return "~" if raw in _NULLS else None
    if tag == "!!timestamp":
        return raw if _DATE.fullmatch(raw) else None
    return None  # !!binary, !!set, !!omap, !!pairs, unknown and python tags, a scalar tag on a collection


@FUZZ
@given(kind=st.sampled_from(sorted(FACTS)), tag=st.sampled_from(TAGS), scalar=st.sampled_from(ODD))
@example(kind="geheel_getal", tag="!!float", scalar="5")  # the number 5.0: refused for a whole number, as `5.0` is
@example(kind="tekst", tag="!!str", scalar="-")  # a block sequence indicator, not the text '-'
def test_a_tagged_answer_is_its_plain_spelling_or_a_located_error(tmp_path, kind, tag, scalar):
    question, _ = FACTS[kind]
    tagged = outcome(tmp_path, with_value(question, f"{tag} {scalar}".strip()), "tagged.yaml")
    plain = plain_spelling(tag, scalar)
    if plain is None:
        assert_located(tagged)
        return
    expected = outcome(tmp_path, with_value(question, plain), "plain.yaml")
    if tagged[0] == "fout":
        assert_located(tagged)
        assert expected[0] == "fout", (tag, scalar, [p.render() for p in tagged[1]])
    else:
        assert tagged == expected, (tag, scalar)


@FUZZ
@given(field=st.sampled_from(["peildatum", "kader", "id", "naam", "gemeente", "jeugd", "wmo"]),
       tag=st.sampled_from(TAGS), scalar=st.sampled_from(ODD))
def test_tags_anywhere_in_the_header_give_a_verdict_or_a_located_error(tmp_path, field, tag, scalar):
    pattern = re.compile(rf"(\b{field}: )([^\n,}}]+)")
    text = pattern.sub(lambda m: m.group(1) + f"{tag} {scalar}".strip(), BUNSCHOTEN, count=1)
    result = outcome(tmp_path, text)
    if result[0] == "fout":
        assert_located(result)


# ---- the class behind failure 3: whatever goes wrong on one file, the sweep goes on ----------------
@pytest.mark.parametrize("parallel_threshold", [10_000, 1])
def test_an_internal_error_on_one_file_is_reported_with_it_and_the_others_stay(monkeypatch, parallel_threshold):
    import kadertoets.sweep.sweep as sweep_module

    real = sweep_module.evaluate

    def fail_on_baarn(kader, assessment, *args, **kwargs):
        if assessment.team.id == "baarn":
            raise ZeroDivisionError("kapot")
        return real(kader, assessment, *args, **kwargs)

    monkeypatch.delenv("KADERTOETS_DEBUG", raising=False)
    monkeypatch.setattr(sweep_module, "evaluate", fail_on_baarn)
    result = sweep_module.load_sweep([ROOT / "assessments"], ROOT, use_cache=False,
                                     parallel_threshold=parallel_threshold)
    assert [ev.assessment.team.id for ev in result.evaluations] == [
        "amersfoort", "bunschoten", "eemnes", "leusden", "soest", "woudenberg"]
    assert [i.file for i in result.invalid] == ["assessments/baarn-2023-03.yaml"] or \
        [i.file.endswith("baarn-2023-03.yaml") for i in result.invalid] == [True]
    assert result.invalid[0].problems[0].internal and "interne fout" in result.invalid[0].problems[0].message
    assert result.exit_code == 3


# ---- the fuzz: bundled assessments mutated line by line, tags and odd scalars included -----------
ALL_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "assessments").glob("*.yaml")) if not p.name.startswith("regio")]
ALL_TEXTS.append((ROOT / "tests" / "fixtures" / "trend" / "bunschoten-2023-09.yaml").read_text(encoding="utf-8"))


@st.composite
def mutated_assessment(draw):
    """A bundled assessment (one with a transformatieplan too) with a few lines changed: a tag added,
    a value replaced by an odd scalar (tagged or not), a line deleted, duplicated, cut or indented."""
    lines = draw(st.sampled_from(ALL_TEXTS)).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        line, op = lines[i], draw(st.integers(min_value=0, max_value=6))
        key, colon, value = line.partition(":")
        if op == 0 and colon:
            lines[i] = f"{key}: {draw(st.sampled_from(TAGS))} {value.strip()}"
        elif op == 1 and colon:
            lines[i] = f"{key}: {draw(st.sampled_from(TAGS))} {draw(st.sampled_from(ODD))}"
        elif op == 2:
            del lines[i]
        elif op == 3:
            lines.insert(i, lines[draw(st.integers(min_value=0, max_value=len(lines) - 1))])
        elif op == 4:
            lines[i] = line[: draw(st.integers(min_value=0, max_value=len(line)))]
        elif op == 5:
            lines[i] = "  " + line
        else:
            lines[i] = line.replace("true", "ja").replace("false", "nee")
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_assessment())
def test_a_mutated_assessment_gives_a_verdict_and_plan_or_a_located_error(tmp_path, text):
    from kadertoets.evaluate.plan import build_plan
    from kadertoets.render import Options, render

    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        evaluation = check_file(path, ROOT)
    except KaderFout as exc:
        assert exc.problems and all(p.file for p in exc.problems)
        assert all(p.line is not None for p in exc.problems if p.file.endswith("a.yaml")), \
            [p.render() for p in exc.problems]
        return
    plan = build_plan(evaluation)
    for fmt in ("json", "markdown", "csv", "yaml", "text"):
        render("plan", fmt, plan, Options())
    for fmt in ("json", "markdown", "text"):
        render("check", fmt, evaluation, Options())


# ---- a version is text: unquoted, 1.10 would be read as 1.1 --------------------------------------
@pytest.mark.parametrize("written", ["1.10", "1.0", "1", "2.0e0"])
def test_an_unquoted_version_is_refused_with_its_line(tmp_path, written):
    text = BUNSCHOTEN.replace('kader: "1.0"', f"kader: {written}", 1)
    result = outcome(tmp_path, text)
    assert_located(result)
    assert result[1][0].line == 1 and "aanhalingstekens" in result[1][0].message


def test_an_unquoted_previous_version_in_a_manifest_is_refused(tmp_path):
    from kadertoets.load.kader import load_kader

    folder = tmp_path / "k"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    manifest = (folder / "kader" / "1.0.yaml").read_text(encoding="utf-8")
    (folder / "kader" / "1.1.yaml").write_text(
        manifest.replace('versie: "1.0"', 'versie: "1.1"', 1).replace("\nregels:", "\nvorige_versie: 1.0\nregels:", 1),
        encoding="utf-8")
    with pytest.raises(KaderFout) as exc:
        load_kader(folder, "1.1")
    assert any(p.field == "vorige_versie" and p.line for p in exc.value.problems), exc.value.render()
