"""Every command's --help is Dutch with an example, and plain `kader` shows the overview (exit 0)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kadertoets.cli import main

ENGLISH = re.compile(r"\[required\]|\bUsage\b|\bOptions\b|Show this message|\bCommands\b|\[default:")


def run(args):
    return CliRunner().invoke(main, args, env={"COLUMNS": "100"})


def test_plain_kader_prints_the_overview_and_exits_0():
    result = run([])
    assert result.exit_code == 0
    assert "Opdrachten:" in result.output and "check" in result.output and "Gebruik:" in result.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_help_has_an_example_and_no_english(command):
    result = run([command, "--hulp"])
    assert result.exit_code == 0
    assert re.search(r"^ *Voorbeeld(en)?:$", result.output, re.M), result.output
    example = result.output.split("Voorbeeld", 1)[1]
    assert f"kader {command}" in example
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)
