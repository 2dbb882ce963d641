"""The exit-code contract: every command's result knows its exit code (kadertoets.infra.exitcodes),
every command in cli.py ends with `sys.exit(result.exit_code)`, and no command special-cases an
output format (the renderer registry decides)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import replace

import pytest
from click.testing import CliRunner

from kadertoets import cli
from kadertoets.editors.diff import DiffResult, Impact, diff_kaders
from kadertoets.editors.migrate import migrate
from kadertoets.evaluate.plan import build_plan
from kadertoets.infra.exitcodes import ExitCode
from kadertoets.render import SUFFIXES, formats, MODULES
from kadertoets.sweep.run import check_file, load_assessments_against
from conftest import FIXTURES, MINI, ROOT, write

TEAM = FIXTURES / "mini-team.yaml"


def test_the_codes():
    assert [int(c) for c in (ExitCode.OK, ExitCode.GAPS, ExitCode.INVALID, ExitCode.INTERNAL)] == [0, 1, 2, 3]


# ---- the results know their code --------------------------------------------------------------------
def test_check_and_plan(tmp_path):
    gaps = check_file(TEAM, MINI)
    assert gaps.exit_code == ExitCode.GAPS and not gaps.fully_compliant
    assert build_plan(gaps).exit_code == ExitCode.GAPS
    text = TEAM.read_text(encoding="utf-8").replace("waarde: concept", "waarde: vastgesteld")
    fine = check_file(write(tmp_path, "t.yaml", text), MINI)
    assert fine.exit_code == ExitCode.OK and build_plan(fine).exit_code == ExitCode.OK


def test_an_unknown_requirement_is_never_ok(tmp_path):
    text = TEAM.read_text(encoding="utf-8").replace("  a.aantal: 2\n", "")
    evaluation = check_file(write(tmp_path, "t.yaml", text.replace("waarde: concept", "waarde: vastgesteld")), MINI)
    assert any(f.status.value == "onbekend" for f in evaluation.findings) and evaluation.exit_code == ExitCode.GAPS


def test_diff(old, new):
    changes = diff_kaders(old, new)
    assert DiffResult(changes).exit_code == ExitCode.OK
    clean = Impact((), 3, ())
    assert clean.exit_code == ExitCode.OK and DiffResult(changes, clean).exit_code == ExitCode.OK
    broken = replace(clean, invalid=(("kapot.yaml", ()),))
    assert broken.exit_code == ExitCode.INVALID and DiffResult(changes, broken).exit_code == ExitCode.INVALID
    first, second = DiffResult(changes, clean)  # renderers unpack it as a pair
    assert first is changes and second is clean


def test_migrate(old, new):
    teams, _ = load_assessments_against([ROOT / "assessments"], old)
    by_id = {a.team.id: a for a in teams}
    assert migrate(by_id["bunschoten"], old, old).exit_code == ExitCode.OK  # to the same version: nothing to do
    leusden = migrate(by_id["leusden"], old, new)  # 'pilot' is no longer an answer: left out
    assert leusden.needs_attention and leusden.exit_code == ExitCode.GAPS


# ---- the command line uses them ---------------------------------------------------------------------
def command_functions():
    """Every command's function; a group's subcommands (kader gebruiker toevoegen), not the group itself."""
    import click

    out = []
    for name, command in cli.main.commands.items():
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", c.callback) for sub, c in command.commands.items()]
        else:
            out.append((name, command.callback))
    return sorted(out)


def body(fn) -> list[ast.stmt]:
    return ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0].body


def exit_argument(statement) -> ast.expr | None:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if ast.unparse(call.func) == "sys.exit" and len(call.args) == 1:
            return call.args[0]
    return None


@pytest.mark.parametrize("name,fn", command_functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_ends_with_the_exit_code_of_its_result(name, fn):
    """`sys.exit(result.exit_code)`; LintReport.exit_code(strict) takes --streng; a command that only shows
    or writes something (rules, explain, schema, voorbeelden) ends with `sys.exit(ExitCode.OK)`."""
    arg = exit_argument(body(fn)[-1])
    assert arg is not None, f"kader {name} does not end with sys.exit(...)"
    target = arg.func if isinstance(arg, ast.Call) else arg
    assert (isinstance(target, ast.Attribute) and target.attr == "exit_code") or ast.unparse(arg) == "ExitCode.OK", \
        f"kader {name} ends with sys.exit({ast.unparse(arg)})"
    # and nowhere else decides an exit code with a literal
    for node in ast.walk(ast.Module(body=body(fn), type_ignores=[])):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "ctx.exit"):
            assert not isinstance(node.args[0], ast.Constant), f"kader {name}: {ast.unparse(node)}"


def test_no_command_special_cases_a_format():
    """Which formats are binary, get a BOM, or belong to a suffix is the registry's (kadertoets.render);
    cli.py compares no value with the name or suffix of a format."""
    names = {fmt for command in MODULES for fmt in formats(command)}
    names |= {s for suffixes in SUFFIXES.values() for s in suffixes}
    tree = ast.parse((ROOT / "cli.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                constants = part.elts if isinstance(part, (ast.Tuple, ast.List, ast.Set)) else [part]
                for c in constants:
                    assert not (isinstance(c, ast.Constant) and c.value in names), ast.unparse(node)


@pytest.mark.parametrize("args,code", [
    (["check", str(TEAM), "--kader-map", str(MINI)], 1),
    (["plan", str(TEAM), "--kader-map", str(MINI)], 1),
    (["rules", "--kader-map", str(MINI)], 0),
    (["explain", "T-A-01", "--kader-map", str(MINI)], 0),
    (["diff", "1.0", "1.0", "--kader-map", str(MINI)], 0),
    (["diff", "1.0", "1.0", "--kader-map", str(MINI), "--assessments", "bestaat-niet.yaml"], 2),
    (["voorbeelden"], 0),
    (["check", "bestaat-niet.yaml"], 2),
    (["check", str(TEAM), "--formaat", "pdf"], 2),
])
def test_exit_codes_end_to_end(args, code):
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == code, result.output
    assert isinstance(result.exit_code, int)
