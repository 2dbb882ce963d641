"""More variants of the hardening classes, found by probing the fixes: endless inputs, odd paths,
forged output lines, names over several lines, plain-text files, half-written schema folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT

BUNSCHOTEN = (ROOT / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Interne fout" not in result.output
    return result


def run_process(*args, timeout=60):
    """The command in its own process, so that a hang is a failed test and not a stuck suite."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); import cli; cli.main(sys.argv[2:])"
    return subprocess.run([sys.executable, "-c", code, str(ROOT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "KADERTOETS_CACHE_DIR": os.environ["KADERTOETS_CACHE_DIR"]})


@pytest.fixture
def kader_copy(tmp_path):
    folder = tmp_path / "kaderkopie"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


# ---- endless inputs are read up to the size limit, never to the end -------------------------------
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="geen /dev/zero op dit systeem")
@pytest.mark.parametrize("command", ["sweep", "trend", "check"])
def test_an_endless_device_as_input_is_too_large_not_a_hang(tmp_path, command):
    link = tmp_path / "nul.yaml"
    link.symlink_to("/dev/zero")
    for target in ("/dev/zero", link):
        result = run_process(command, target, "--geen-cache" if command != "check" else "--alles")
        assert result.returncode == 2, result.stderr
        assert "te groot" in result.stdout + result.stderr


# ---- a manifest that is not a regular file -------------------------------------------------------
@pytest.mark.parametrize("command", [["rules"], ["lint"], ["schema", "-o", "SCHEMAS"], ["check", "TEAM"]])
def test_a_fifo_named_like_a_manifest_is_refused_not_waited_for(kader_copy, tmp_path, command):
    os.mkfifo(kader_copy / "kader" / "2.0.yaml")
    args = [str(tmp_path / "schemas") if a == "SCHEMAS" else
            str(ROOT / "assessments" / "bunschoten-2023-03.yaml") if a == "TEAM" else a for a in command]
    result = run_process(*args, "--kader-dir", kader_copy, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "geen gewoon bestand" in result.stdout + result.stderr


# ---- paths the system cannot even look at ---------------------------------------------------------
@pytest.mark.parametrize("command", ["sweep", "trend", "lint", "check"])
def test_a_name_too_long_is_a_dutch_error(tmp_path, command):
    path = tmp_path / ("x" * 300) / "a.yaml"
    result = run(command, path)
    assert result.exit_code == 2, result.output
    assert "te lang" in result.output or "bestaat niet" in result.output


# ---- no file can forge a line of output -----------------------------------------------------------
def test_a_key_with_line_breaks_cannot_forge_a_line(tmp_path):
    forged = "::error file=a.yaml,line=1::GEKAAPT"
    text = BUNSCHOTEN.replace("feiten:\n", f'feiten:\n  "x\\n{forged}\\u2028{forged}": 1\n', 1)
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    for args in (["check", path], ["plan", path], ["lint", path], ["sweep", tmp_path, "--geen-cache"]):
        result = run(*args)
        assert result.exit_code == 2
        lines = result.output.splitlines()
        assert not [line for line in lines if line.lstrip().startswith("::")], result.output
        assert "\u2028" not in result.output


def test_a_team_name_over_two_lines_is_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN.replace('naam: "BBS Lokaal team de Lingt"', 'naam: "BBS\\n# Kop\\n- [ ] nep"', 1),
                    encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2 and "regeleinde" in result.output
    assert "\n# Kop" not in result.output


def test_a_rule_title_over_two_lines_is_refused(kader_copy):
    rule = kader_copy / "rules" / "KLT-IMP-01.yaml"
    text = rule.read_text(encoding="utf-8")
    old = 'titel: "Implementatieverantwoordelijke aangewezen"'
    assert old in text
    rule.write_text(text.replace(old, 'titel: "Aangewezen\\n## nep"', 1), encoding="utf-8")
    result = run("rules", "--kader-dir", kader_copy)
    assert result.exit_code == 2 and "KLT-IMP-01.yaml" in result.output and "\n## nep" not in result.output


# ---- a file that is plain text is not quoted ------------------------------------------------------
def test_a_plain_text_file_in_a_kader_is_not_quoted(kader_copy):
    secret = "root:x:0:0:geheim-wachtwoord:/root:/bin/bash"
    (kader_copy / "rules" / "KLT-IMP-01.yaml").write_text(secret + "\n", encoding="utf-8")
    for args in (["lint"], ["check", ROOT / "assessments" / "bunschoten-2023-03.yaml"], ["rules"]):
        result = run(*args, "--kader-dir", kader_copy)
        assert result.exit_code == 2
        assert "geheim" not in result.output and "KLT-IMP-01.yaml" in result.output


# ---- a command that writes several files writes all of them or none --------------------------------
def test_schema_refuses_a_link_or_a_fifo_before_writing_anything(tmp_path):
    folder = tmp_path / "schemas"
    folder.mkdir()
    victim = tmp_path / "slachtoffer.json"
    victim.write_text("blijft", encoding="utf-8")
    (folder / "manifest.schema.json").symlink_to(victim)
    result = run("schema", "-o", folder, "--force")
    assert result.exit_code == 2 and victim.read_text(encoding="utf-8") == "blijft"
    (folder / "manifest.schema.json").unlink()
    os.mkfifo(folder / "vragen.schema.json")
    result = run("schema", "-o", folder, "--force")
    assert result.exit_code == 2
    assert sorted(p.name for p in folder.iterdir()) == ["vragen.schema.json"]  # nothing else written


def test_schema_files_escape_control_characters(tmp_path, kader_copy):
    manifest = kader_copy / "kader" / "1.0.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("\nnaam: ", '\nnaam: "\\u202e\\x9b"\nnaam_oud: ', 1).replace("naam_oud: ", "# ", 1),
                        encoding="utf-8")
    result = run("schema", "-o", tmp_path / "s", "--kader-dir", kader_copy)
    if result.exit_code == 0:
        for path in (tmp_path / "s").iterdir():
            content = path.read_text(encoding="utf-8")
            assert "\u202e" not in content and "\x9b" not in content


# ---- spreadsheet cells: blanks before a formula, full-width signs ---------------------------------
@pytest.mark.parametrize("start", [" =1+1", "\n=1+1", "\u00a0@SUM(1)", "\uff1d1+1", "  -2+3"])
def test_a_formula_after_blanks_is_neutralised_in_csv(tmp_path, start):
    from kadertoets.render import neutral_cell

    assert neutral_cell(start).startswith("'")
    assert neutral_cell(-3) == -3 and neutral_cell("gewoon") == "gewoon"


def test_a_very_long_team_name_is_refused_not_printed_whole(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN.replace('naam: "BBS Lokaal team de Lingt"', "naam: " + "B" * 300_000, 1),
                    encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2 and "langer dan" in result.output
    assert len(result.output) < 2000


# ---- second probe round ----------------------------------------------------------------------------
def test_thousands_of_wrong_keys_give_a_bounded_report(tmp_path, monkeypatch):
    from kadertoets.infra import located as schema

    calls = []
    real = schema.suggestion
    monkeypatch.setattr(schema, "suggestion", lambda *a: calls.append(a) or real(*a))
    extra = "".join(f"  algemeen.inwonerz{n}: {{waarde: 1}}\n" for n in range(5000))
    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN.replace("feiten:\n", "feiten:\n" + extra, 1), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert "alleen de eerste 50" in result.output
    assert result.output.count("onbekend feit") <= 50 and len(calls) <= 60


@pytest.mark.parametrize("where", ["key", "name", "file"])
def test_word_wrapping_never_starts_a_line_with_a_ci_command(tmp_path, where):
    forged = "::error title=Kadertoets::Alle eisen voldoen"
    folder = tmp_path / "regio"
    folder.mkdir()
    text = BUNSCHOTEN
    name = "a.yaml"
    if where == "key":
        text = text.replace("feiten:\n", f'feiten:\n  "xxxxxxxxxx {forged}": {{waarde: 1}}\n', 1)
    elif where == "name":
        text = text.replace('naam: "BBS Lokaal team de Lingt"', f'naam: "Lokaal team{" " * 84}{forged}"', 1)
    else:
        name = f"team{' ' * 80}::error::gekaapt.yaml"
        text = text.replace("feiten:\n", "feiten:\n  bestaat.niet: 1\n", 1)
    (folder / name).write_text(text, encoding="utf-8")
    outputs = [run("sweep", folder, "--geen-cache").output, run("trend", folder, "--geen-cache").output]
    if where != "file":
        outputs.append(run("check", folder / name).output)
    for out in outputs:
        assert not [line for line in out.splitlines() if line.lstrip().startswith("::")], out


def test_json_escapes_line_separators_and_invisible_characters(tmp_path):
    import json

    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN.replace('naam: "BBS Lokaal team de Lingt"', 'naam: "BBS\u2028x\u200by\ufeffz"', 1),
                    encoding="utf-8")
    for args in (["check", path, "--format", "json"], ["plan", path, "--format", "json"],
                 ["sweep", tmp_path, "--format", "json", "--geen-cache"]):
        out = run(*args).output
        assert "\u2028" not in out and "\u200b" not in out and "\ufeff" not in out
        assert "\\u2028" in out and "BBS\u2028x" in json.dumps(json.loads(out), ensure_ascii=False)


def test_files_in_a_folder_that_are_not_regular_are_named(tmp_path):
    shutil.copy(ROOT / "assessments" / "baarn-2023-03.yaml", tmp_path / "baarn.yaml")
    os.mkfifo(tmp_path / "pijp.yaml")
    (tmp_path / "weg.yaml").symlink_to(tmp_path / "bestaat-niet.yaml")
    result = run("sweep", tmp_path, "--geen-cache")
    assert result.exit_code == 2
    assert "pijp.yaml" in result.output and "weg.yaml" in result.output and "geen gewoon bestand" in result.output
    assert "Baarn" in result.output


def test_a_long_team_id_is_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN.replace("id: bunschoten", "id: " + "b" * 5000, 1), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2 and "langer dan" in result.output and len(result.output) < 2000
