"""Dutch option names with the English names of earlier versions as aliases (cli_options.py), and
options that take several values after one flag (cli_multi.py)."""

from __future__ import annotations

import shutil

import click
import pytest
from click.testing import CliRunner

from kadertoets import cli
from kadertoets.infra.cli_multi import Grammar, NoValues, spread
from kadertoets.infra.cli_names import ALIASES, OLD_NAMES
from conftest import FIXTURES, MINI, ROOT

TEAM = str(FIXTURES / "mini-team.yaml")


def invoke(args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert "Traceback" not in result.output and "Interne fout" not in result.output, result.output
    return result


# ---- every English option of earlier versions still works, with the same result ---------------------
def aliased_options():
    """(command, Dutch name) for every option of every command that has an old English name."""
    out = []
    for name, command in sorted(cli.main.commands.items()):
        if name in RUNS_A_SERVER:
            continue
        for param in command.params:
            if isinstance(param, click.Option):
                out += [(name, o) for o in param.opts if o in ALIASES]
    return out


# `kader serve` runs until stopped: its aliases are checked by parsing, in test_serve_aliases_parse_alike
RUNS_A_SERVER = {"serve"}


def test_serve_aliases_parse_alike():
    command = cli.main.commands["serve"]
    dutch = command.make_context("serve", ["--poort", "8123", "--kader-map", str(MINI)]).params
    english = command.make_context("serve", ["--poort", "8123", "--kader-dir", str(MINI)]).params
    assert dutch == english and dutch["port"] == 8123


def _mini_workbook() -> str:
    """A questionnaire workbook of the mini team (for `kader inlezen`), made once per test run."""
    import tempfile
    from pathlib import Path

    from kadertoets.render.questionnaire_xlsx import questionnaire_xlsx
    from kadertoets.sweep.run import load_for_assessment

    path = Path(tempfile.mkdtemp(prefix="kadertoets-werkmap-")) / "mini-team.xlsx"
    path.write_bytes(questionnaire_xlsx(*load_for_assessment(Path(TEAM), MINI, None)))
    return str(path)


def _content(path) -> bytes:
    """What a file holds; for a workbook its cell values (its zip carries the time it was written)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return repr([[c.value for row in ws.iter_rows() for c in row] for ws in wb]).encode()


BASE = {"check": [TEAM], "plan": [TEAM], "sweep": [TEAM], "trend": [TEAM], "rules": [], "explain": ["T-A-01"],
        "test": [], "schema": [], "lint": [], "diff": ["1.0", "1.0"], "migrate": [TEAM, "--naar", "1.0"],
        "vragen": [], "nieuw": ["--id", "mini", "--naam", "Miniteam", "--gemeente", "Testdorp", "--organisatie",
                                "Test", "--taken", "jeugd,wmo", "--peildatum", "2024-03-01"],
        "vragenlijst": [TEAM], "inlezen": [_mini_workbook()]}
OUTPUT = {"plan": "plan.md", "sweep": "regio.md", "trend": "trend.md", "test": "test.txt", "lint": "lint.txt",
          "diff": "diff.md", "schema": "schemas", "migrate": "nieuw.yaml", "vragen": "vragen.md",
          "nieuw": "team.yaml", "vragenlijst": "team.xlsx", "inlezen": "team.yaml"}
REQUIRED_OUTPUT = {"schema", "migrate", "nieuw", "vragenlijst", "inlezen"}
VALUES = {"--formaat": "json", "--toetsdatum": "2022-06-01", "--motor": "python"}


def command_line(command: str, dutch: str, spelling: str, out) -> list:
    """`kader COMMAND` with the option `dutch` written as `spelling`; the mini Kader throughout."""
    args = [command, *BASE[command]]
    args += [spelling if dutch == "--kader-map" else "--kader-map", MINI]
    if dutch in ("--uitvoer", "--overschrijf") or command in REQUIRED_OUTPUT:
        args += [spelling if dutch == "--uitvoer" else "-o", out]
    if dutch in VALUES:
        args += [spelling, VALUES[dutch]]
    elif dutch in ("--overschrijf", "--streng"):
        args.append(spelling)
    return args


def outcome(command, dutch, spelling, tmp_path):
    out = tmp_path / OUTPUT.get(command, "uit.txt")
    if dutch == "--overschrijf":  # something to overwrite
        if command == "schema":
            invoke(command_line(command, "--uitvoer", "-o", out))
        else:
            out.write_text("oud", encoding="utf-8")
    result = invoke(command_line(command, dutch, spelling, out))
    files = {}
    if out.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        shutil.rmtree(out)
    elif out.exists():
        files = {out.name: _content(out)}
        out.unlink()
    # a message may name the option as the user wrote it (see test_errors_name_the_option_as_written)
    return result.exit_code, result.stdout, result.stderr.replace(spelling, dutch), files


@pytest.mark.parametrize("command,dutch", aliased_options(), ids=lambda v: v)
def test_the_english_name_gives_the_same_result_as_the_dutch_one(tmp_path, command, dutch):
    dutch_run = outcome(command, dutch, dutch, tmp_path)
    english_run = outcome(command, dutch, ALIASES[dutch], tmp_path)
    assert dutch_run == english_run
    assert dutch_run[0] in (0, 1), dutch_run  # the option did something, it was not refused
    if dutch in ("--uitvoer", "--overschrijf") or command in REQUIRED_OUTPUT:
        assert dutch_run[3], "nothing written"
    if dutch == "--overschrijf":
        assert all(content != b"oud" for content in dutch_run[3].values())


def test_every_command_has_its_aliases():
    """The table above is not empty by accident: the options users know are all there."""
    found = set(aliased_options())
    for command in ("check", "plan", "sweep", "trend"):
        assert {(command, "--formaat"), (command, "--toetsdatum"), (command, "--motor"),
                (command, "--kader-map")} <= found
    for command in ("plan", "sweep", "trend", "test", "lint", "diff", "schema", "migrate"):
        assert {(command, "--uitvoer"), (command, "--overschrijf")} <= found
    assert ("lint", "--streng") in found


@pytest.mark.parametrize("dutch,english", [("--hulp", "--help"), ("--versie", "--version")])
def test_help_and_version_under_both_names(dutch, english):
    a, b = invoke([dutch]), invoke([english])
    assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout and a.stdout
    if dutch == "--hulp":  # also the help of a command
        a, b = invoke(["check", dutch]), invoke(["check", english])
        assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout and "Gebruik:" in a.stdout


# ---- help reads Dutch ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [None] + sorted(cli.main.commands))
def test_help_lists_the_dutch_names_only(command):
    args = ([command] if command else []) + ["--hulp"]
    out = invoke(args).stdout
    options = out[out.index("Opties:"):]
    options = options[:options.index("Opdrachten:")] if "Opdrachten:" in options else options
    for english in OLD_NAMES:
        assert english not in options, (command, english)
    assert "-h, --hulp" in options
    if command is not None:
        for param in cli.main.commands[command].params:
            if isinstance(param, click.Option):
                assert any(o in options for o in param.opts if o not in OLD_NAMES), param.opts


def test_main_help_says_the_english_names_still_work():
    out = invoke(["--hulp"]).stdout
    assert "Engelse namen" in out and "--format" in out and "--force" in out and "--kader-dir" in out


def test_help_option_is_still_found_when_the_option_list_is_restored():
    """Writing a help text hides the old names only for as long as it is written."""
    invoke(["check", "--hulp"])
    check = cli.main.commands["check"]
    fmt = next(p for p in check.params if p.name == "fmt")
    assert fmt.opts == ["--formaat", "--format"]
    assert invoke(["check", TEAM, "--kader-map", MINI, "--format", "json"]).exit_code == 1


# ---- errors name the option the way the user wrote it, or by its Dutch name ---------------------------
@pytest.mark.parametrize("spelling", ["--formaat", "--format"])
def test_errors_name_the_option_as_written(spelling):
    result = invoke(["check", TEAM, "--kader-map", MINI, spelling, "pdf"])
    assert result.exit_code == 2 and f"Ongeldige waarde voor '{spelling}'" in result.stderr


@pytest.mark.parametrize("spelling", ["--toetsdatum", "--as-of"])
def test_date_errors_and_warnings_name_the_option_as_written(spelling):
    bad = invoke(["check", TEAM, "--kader-map", MINI, spelling, "1 maart 2023"])
    assert bad.exit_code == 2 and f"'{spelling}'" in bad.stderr and "dd-mm-jjjj" in bad.stderr
    early = invoke(["check", TEAM, "--kader-map", MINI, spelling, "2022-01-01"])
    assert early.exit_code == 1 and f"Let op: {spelling} 1 januari 2022 ligt vóór de peildatum" in early.stderr


def test_a_missing_required_option_is_named_in_dutch(tmp_path):
    result = invoke(["migrate", TEAM, "--kader-map", MINI, "--naar", "1.0"])
    assert result.exit_code == 2 and "Ontbrekende optie '-o' / '--uitvoer'" in result.stderr
    assert "--output" not in result.stderr


def test_a_suffix_that_names_no_format_suggests_the_dutch_option(tmp_path):
    result = invoke(["plan", TEAM, "--kader-map", MINI, "-o", tmp_path / "plan.pdf"])
    assert result.exit_code == 2 and "--formaat" in result.stderr


@pytest.mark.parametrize("spelling", ["--formaat", "--format"])
def test_a_binary_format_on_the_terminal_is_refused_naming_the_option_as_written(spelling):
    result = invoke(["sweep", TEAM, "--kader-map", MINI, spelling, "xlsx"])
    assert result.exit_code == 2 and "binair" in result.stderr and f"veld '{spelling}'" in result.stderr


def test_unknown_option_is_a_dutch_usage_error():
    result = invoke(["check", TEAM, "--formaatt", "json"])
    assert result.exit_code == 2 and "Onbekende optie" in result.stderr


# ---- several values after one flag: the rewriting -----------------------------------------------------
G = Grammar(values={"--assessments": 1, "--formaat": 1, "--format": 1, "-o": 1, "--uitvoer": 1, "--overschrijf": 0},
            multi={"--assessments": "--assessments"},
            param={"--assessments": "paths", "--formaat": "fmt", "--format": "fmt", "-o": "output"},
            positionals=2)


@pytest.mark.parametrize("args,expected", [
    (["1.0", "1.1", "--assessments", "a", "b"], ["1.0", "1.1", "--assessments=a", "--assessments=b"]),
    (["1.0", "1.1", "--assessments", "a", "--assessments", "b"], ["1.0", "1.1", "--assessments=a", "--assessments=b"]),
    (["1.0", "--assessments", "a", "b", "--formaat", "json", "--assessments", "c", "1.1"],
     ["1.0", "--assessments=a", "--assessments=b", "--formaat", "json", "--assessments=c", "1.1"]),
    (["--assessments", "a", "b", "--", "1.0", "1.1"], ["--assessments=a", "--assessments=b", "--", "1.0", "1.1"]),
    (["--assessments=-raar.yaml", "b", "1.0", "1.1"], ["--assessments=-raar.yaml", "--assessments=b", "1.0", "1.1"]),
    (["1.0", "1.1", "--assessments", "met spatie/a.yaml", "-"], ["1.0", "1.1", "--assessments=met spatie/a.yaml",
                                                                "--assessments=-"]),
    # the value of another option is never a flag, even when it looks like one
    (["1.0", "1.1", "-o", "--assessments", "--assessments", "a"], ["1.0", "1.1", "-o", "--assessments",
                                                                   "--assessments=a"]),
    (["1.0", "1.1", "-o--assessments", "--assessments", "a"], ["1.0", "1.1", "-o--assessments", "--assessments=a"]),
    # what a list took from the positional arguments it gives back (the old one-value-per-flag reading)
    (["--assessments", "a", "1.0", "1.1"], ["--assessments=a", "1.0", "1.1"]),
    (["--assessments", "a", "1.0", "--assessments", "b", "1.1"], ["--assessments=a", "1.0", "--assessments=b", "1.1"]),
    (["--assessments", "a", "b", "1.0", "1.1", "--formaat", "json"],
     ["--assessments=a", "--assessments=b", "1.0", "1.1", "--formaat", "json"]),
    (["--assessments", "a", "b"], ["--assessments=a", "b"]),  # each list keeps one value: NIEUW is missing
])
def test_spread(args, expected):
    assert spread(args, G).args == expected


@pytest.mark.parametrize("args,next_arg", [
    (["1.0", "1.1", "--assessments"], None),
    (["1.0", "1.1", "--assessments", "--formaat", "json"], "--formaat"),
    (["1.0", "1.1", "--assessments", "--", "a"], "--"),
    (["1.0", "1.1", "--assessments", "-raar.yaml"], "-raar.yaml"),
])
def test_spread_refuses_a_flag_without_values(args, next_arg):
    with pytest.raises(NoValues) as info:
        spread(args, G)
    assert info.value.name == "--assessments" and info.value.next_arg == next_arg


def test_spread_records_how_each_option_was_written():
    assert spread(["1.0", "1.1", "--format", "json", "-o", "x"], G).spelled == {"fmt": "--format", "output": "-o"}
    assert spread(["1.0", "1.1", "--formaat=json"], G).spelled == {"fmt": "--formaat"}


# ---- several values after one flag: kader diff --assessments ------------------------------------------
@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    """Three assessments in folders with spaces, and a file whose name starts with '-'."""
    folder = tmp_path_factory.mktemp("teams")
    paths = []
    for i, name in enumerate(("bunschoten", "eemnes", "soest")):
        sub = folder / f"map met spatie {i}"
        sub.mkdir()
        paths.append(sub / f"{name} 2023.yaml")
        shutil.copy(ROOT / "assessments" / f"{name}-2023-03.yaml", paths[-1])
    odd = folder / "-raar.yaml"
    shutil.copy(ROOT / "assessments" / "baarn-2023-03.yaml", odd)
    return folder, paths, odd


def checked(result) -> int:
    import json

    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["gevolgen"]["teams_getoetst"]


def diff(*args):
    return invoke(["diff", "--formaat", "json", *args])


def test_several_values_after_one_flag(teams):
    _, paths, _ = teams
    assert checked(diff("1.0", "1.0", "--assessments", *paths)) == 3


def test_the_flag_repeated_and_mixed(teams):
    _, paths, _ = teams
    assert checked(diff("1.0", "1.0", *[x for p in paths for x in ("--assessments", p)])) == 3
    assert checked(diff("1.0", "1.0", "--assessments", paths[0], paths[1], "--assessments", paths[2])) == 3
    assert checked(diff("1.0", "--assessments", paths[0], paths[1], "--kader-map", ROOT, "--assessments", paths[2],
                        "1.0")) == 3


def test_versions_after_the_list_still_work(teams):
    """`--assessments PAD OUD NIEUW` meant one path before; it still does."""
    _, paths, _ = teams
    assert checked(diff("--assessments", paths[0], "1.0", "1.0")) == 1
    assert checked(diff("--assessments", paths[0], paths[1], "1.0", "1.0")) == 2
    assert checked(diff("--assessments", paths[0], paths[1], "--", "1.0", "1.0")) == 2


def test_a_value_that_looks_like_an_option(teams, monkeypatch):
    folder, paths, odd = teams
    monkeypatch.chdir(folder)
    assert checked(diff("1.0", "1.0", f"--assessments={odd.name}", paths[0])) == 2
    assert checked(diff("1.0", "1.0", "--assessments", f"./{odd.name}")) == 1
    refused = diff("1.0", "1.0", "--assessments", odd.name)
    assert refused.exit_code == 2 and f"--assessments={odd.name}" in refused.stderr
    # after `--` everything is a positional argument, also what looks like an option
    after = invoke(["lint", "--kader-map", MINI, "--formaat", "json", "--", odd.name])
    assert after.exit_code in (0, 1, 2) and "Onbekende optie" not in after.output and odd.name in after.stdout


@pytest.mark.parametrize("args", [["--assessments"], ["--assessments", "--formaat", "text"],
                                  ["--assessments", "--"]])
def test_a_flag_without_values_is_a_dutch_usage_error(args):
    result = invoke(["diff", "1.0", "1.0", *args])
    assert result.exit_code == 2
    assert "Optie '--assessments' vraagt een of meer waarden (PAD...)" in result.stderr
    assert "diff [OPTIES] OUD NIEUW" in result.stderr


def test_the_help_says_how(teams):
    out = " ".join(invoke(["diff", "--hulp"]).stdout.split())
    assert "--assessments PAD..." in out and "mag ook vaker" in out


# ---- found by a hostile review ------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["check", TEAM, "--format=pdf", "--formaat", "json"],
    ["check", TEAM, "--formaat", "json", "--formaat", "text"],
    ["sweep", TEAM, "--toetsdatum", "2023-02-30", "--as-of", "2024-01-01"],
    ["diff", "1.0", "1.0", "-o", "x.md", "--assessments", TEAM, "--uitvoer", "y.md"],
])
def test_an_option_given_twice_is_refused_not_half_used(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke([*args, "--kader-map", MINI] if args[0] in ("diff",) else args)
    assert result.exit_code == 2 and "meer dan eens gegeven" in result.output, result.output
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("args", [["diff", "--assessments", "--hulp"], ["diff", "1.0", "1.0", "--assessments", "-h"],
                                  ["diff", "--assessments", "--help"], ["check", "--formaat", "json", "--formaat",
                                                                       "text", "--hulp"]])
def test_help_wins_over_a_usage_error(args):
    result = invoke(args)
    assert result.exit_code == 0 and "Gebruik:" in result.output


@pytest.mark.parametrize("args", [["diff", "1.0", "1.0", "--assessments="], ["diff", "1.0", "1.0", "--assessments", ""],
                                  ["sweep", ""], ["lint", ""], ["schema", "-o", ""], ["plan", TEAM, "-o", " "],
                                  ["plan", TEAM, "-o", "-"]])
def test_an_empty_path_or_a_dash_is_refused(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(args)
    assert result.exit_code == 2 and ("leeg pad" in result.output or "'-'" in result.output), result.output
    assert not list(tmp_path.iterdir())


def test_files_after_assessments_are_not_taken_as_versions(tmp_path):
    other = tmp_path / "b.yaml"
    shutil.copy(TEAM, other)
    result = invoke(["diff", "--kader-map", MINI, "--assessments", TEAM, str(other)])
    assert result.exit_code == 2 and "Ontbrekend argument" in result.output and "OUD" in result.output
    assert "geen Kaderversie" not in result.output
    # the form of earlier versions still works: versions after the list are given back
    assert invoke(["diff", "--kader-map", MINI, "--assessments", TEAM, "1.0", "1.0"]).exit_code == 0


def test_a_typo_suggests_the_dutch_name():
    result = invoke(["plan", TEAM, "--engin", "python"])
    assert result.exit_code == 2 and "--motor" in result.output and "--engine" not in result.output.split(
        "Bedoelde")[-1]


def test_migrate_writes_only_a_yaml_name(tmp_path):
    target = tmp_path / "nieuw.json"
    result = invoke(["migrate", TEAM, "--naar", "1.0", "--kader-map", MINI, "-o", target])
    assert result.exit_code == 2 and ".yaml" in result.output and not target.exists()


def test_required_is_dutch_in_help():
    result = invoke(["migrate", "--hulp"])
    assert "verplicht" in result.output and "required" not in result.output
