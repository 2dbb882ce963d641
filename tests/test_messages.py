"""Every message is Dutch, every echoed value is cut short and has no terminal control characters."""

from __future__ import annotations

import errno
import re

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT
from kadertoets.infra import yamlload
from kadertoets.infra.errors import KaderFout, Problem, excerpt, os_reason

BUNSCHOTEN = (ROOT / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
ENGLISH = re.compile(r"\b(Permission|denied|No such|found|expected|while|could not|cannot|Errno|Input/output|"
                     r"Read-only|No space|Is a directory|unconstructable)\b")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Interne fout" not in result.output
    return result


@pytest.mark.parametrize("code", sorted({errno.EACCES, errno.EPERM, errno.EIO, errno.ENOSPC, errno.EROFS, errno.ELOOP,
                                         errno.ENAMETOOLONG, errno.EMFILE, errno.ENXIO, errno.EOVERFLOW, 0}))
def test_a_failed_read_is_explained_in_dutch(tmp_path, monkeypatch, code):
    path = tmp_path / "a.yaml"
    path.write_text(BUNSCHOTEN, encoding="utf-8")

    def refuse(*args, **kwargs):
        raise OSError(code, "Some English text (Permission denied)")

    monkeypatch.setattr(yamlload, "open", refuse, raising=False)
    result = run("check", path)
    assert result.exit_code == 2
    assert "a.yaml" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_every_errno_has_a_dutch_reason():
    for code in errno.errorcode:
        reason = os_reason(OSError(code, "English"))
        assert reason and "English" not in reason


def test_control_characters_in_an_invalid_file_never_reach_the_terminal(tmp_path):
    evil = "\x1b[2J\x1b]0;titel\x07\x1b]8;;http://x\x1b\\klik\x1b]8;;\x1b\\\u202e"
    text = BUNSCHOTEN.replace('naam: "BBS Lokaal team de Lingt"', 'naam: "BBS"\n  onzin: "' +
                              evil.replace("\x1b", "\\e").replace("\x07", "\\a").replace("\\\\", "\\\\\\\\") + '"', 1)
    text = text.replace("algemeen.inwoners:", '"algemeen.\\e[2Jinwoners":', 1)
    text = text.replace("kader: \"1.0\"", "kader: \"1.0\\e[2J\"", 1)
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert not CONTROL.search(result.output), repr(result.output)
    assert "a.yaml" in result.output


def test_a_problem_is_cleaned_and_cut_whatever_the_caller_put_in_it():
    problem = Problem("m\x1b[2J" + "x" * 5000, file="f\x07.yaml", line=3, field="veld\x1b" * 100, hint="h\x9b" * 2000)
    rendered = problem.render()
    assert not CONTROL.search(rendered)
    assert len(rendered) < 2500
    assert rendered.startswith("f")


def test_excerpt_is_one_short_line():
    shown = excerpt("a\nb\r\x1b" + "c" * 500)
    assert "\n" not in shown and "\r" not in shown and not CONTROL.search(shown)
    assert len(shown) <= 62 and shown.endswith("…'")


def test_a_long_value_is_not_repeated_whole(tmp_path):
    text = BUNSCHOTEN.replace('gemeente: Bunschoten', 'gemeente: ' + "B" * 200_000, 1).replace(
        "    waarde: 22325", "    waarde: " + "x" * 300_000, 1)
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert len(result.output) < 5000


def test_an_unreadable_kader_folder_is_dutch(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    kader = tmp_path / "k"
    shutil.copytree(ROOT / "kader", kader / "kader")
    shutil.copytree(ROOT / "rules", kader / "rules")
    real = Path.iterdir

    def refuse(self):
        if self.name == "kader":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    result = run("check", ROOT / "assessments" / "bunschoten-2023-03.yaml", "--kader-dir", kader)
    assert result.exit_code == 2
    assert "geen toegang" in result.output and not ENGLISH.search(result.output), result.output


def test_kaderfout_render_is_what_the_cli_prints(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: !!bool ja\n", encoding="utf-8")
    with pytest.raises(KaderFout) as exc:
        yamlload.load_yaml_file(path)
    result = run("check", path)
    assert exc.value.problems[0].message in result.output
