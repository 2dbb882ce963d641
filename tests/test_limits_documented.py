"""The limits table in docs/formaat.md says what the code enforces: each named constant, its number."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from kadertoets.load import assessment
from kadertoets.evaluate import conditions
from kadertoets.infra import errors
from kadertoets.validate import normcheck
from kadertoets.infra import located as schema
from kadertoets.validate import selftest
from kadertoets.infra import yamlload

DOC = (ROOT / "docs" / "formaat.md").read_text(encoding="utf-8")
SECTION = DOC.split("## Grenzen", 1)[1].split("\n## ", 1)[0]
CONSTANTS = {
    "MAX_BYTES": yamlload.MAX_BYTES, "MAX_DEPTH": yamlload.MAX_DEPTH, "MAX_DIGITS": yamlload.MAX_DIGITS,
    "MAX_NUMBER": schema.MAX_NUMBER, "MAX_NAME": schema.MAX_NAME, "MAX_TEAM_ID": assessment.MAX_TEAM_ID,
    "MAX_PROBLEMS": errors.MAX_PROBLEMS, "MAX_MONTHS": conditions.MAX_MONTHS,
    "MAX_COMPARISONS": conditions.MAX_COMPARISONS, "MAX_CONDITION_DEPTH": conditions.MAX_CONDITION_DEPTH,
    "MAX_DATE_PAIRS": normcheck.MAX_DATE_PAIRS, "LIMIT": normcheck.LIMIT, "MAX_EXAMPLES": selftest.MAX_EXAMPLES,
}


def documented(text: str) -> int:
    """A number as the table writes it: 1 MiB, 10^12, 20.000, 50 niveaus."""
    text = text.strip().split(" ")[0] if "MiB" not in text else text.strip()
    if text.endswith("MiB"):
        return int(text.split()[0]) * 1024 * 1024
    if "^" in text:
        base, power = text.split("^")
        return int(base) ** int(power)
    return int(text.replace(".", ""))


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_each_limit_is_in_the_table_with_its_value(name):
    rows = [row for row in SECTION.splitlines() if row.startswith("|") and f"`{name}`" in row]
    assert len(rows) == 1, f"{name} staat niet (of dubbel) in de tabel Grenzen van docs/formaat.md"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert documented(cells[1]) == CONSTANTS[name]


def test_the_table_names_no_constant_the_code_does_not_have():
    named = set(re.findall(r"`([A-Z_]+)` \|$", SECTION, re.M))
    assert named == set(CONSTANTS)
