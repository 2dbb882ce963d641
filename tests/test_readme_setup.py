"""The README's set-up is two commands (install and run on the bundled data; run the tests) that work
where PEP 668 refuses a system-wide pip install, and CI runs exactly the README's test command."""

from __future__ import annotations

import re

from conftest import ROOT


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Aan de slag"):text.index("## Commando's")]
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
