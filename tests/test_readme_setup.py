"""The README's set-up is two commands (install and run on the bundled data; run the tests) that work
where PEP 668 refuses a system-wide pip install, and CI runs exactly the README's test command."""

from __future__ import annotations

import re

from conftest import ROOT


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Aan de slag"):text.index("## Uw team toetsen")]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]


def test_two_commands_each_in_its_own_virtual_environment():
    install, tests = setup_commands()
    for command in (install, tests):
        assert "\n" not in command and command.startswith("python3 -m venv .venv && .venv/bin/pip install ")
        assert "--break-system-packages" not in command and "sudo" not in command
    assert install.endswith(".venv/bin/kader check assessments/bunschoten-2023-03.yaml")
    assert (ROOT / "assessments" / "bunschoten-2023-03.yaml").is_file()
    assert tests.endswith(".venv/bin/python -m pytest -q")


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = setup_commands()
    lines = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == tests


def test_the_walkthrough_uses_only_commands_and_options_that_exist():
    """'Uw team toetsen': every `kader ...` line of the walk-through is accepted by the command line
    as far as its options go (each command with its options, parsed by click without running)."""
    import shlex

    import click

    from kadertoets.cli import main

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Uw team toetsen"):text.index("## Commando's")]
    commands = [" ".join(block.replace("\\\n", " ").split())
                for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]
    lines = [c for block in commands for c in block.split(" kader ") if c]
    assert len(lines) >= 7
    for line in lines:
        words = shlex.split(line.removeprefix("kader "))
        command = main.commands[words[0]]
        while isinstance(command, click.Group):  # kader gebruiker toevoegen ...: the subcommand's options
            words = words[1:]
            command = command.commands[words[0]]
        ctx = command.make_context(words[0], words[1:], resilient_parsing=True)
        assert ctx.params, line
