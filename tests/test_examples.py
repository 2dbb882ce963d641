"""Every rule's examples run as tests, one test id per example (bundled Kader and the mini fixture).

The examples are the Kader editors' own test cases: if the Kader fails to load, collection fails
(fail closed) rather than silently running nothing. The cases and their evaluation come from the
same runner as `kader test` (kadertoets.validate.selftest), so the suite and the command cannot disagree.
"""

from __future__ import annotations

import pytest

from conftest import MINI, ROOT
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.load.kader import load_kader
from kadertoets.validate.selftest import collect, run_case, run_selftest


def _cases():
    cases = []
    for label, folder in (("kader-1.0", ROOT), ("mini", MINI)):
        kader = load_kader(folder, "1.0")
        for case in collect(kader):
            cases.append(pytest.param(case, id=f"{label}:{case.rule.id}:{case.example.name}"))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES)
def test_rule_example(case):
    result = run_case(case, PythonBackend())
    assert result.passed, (
        f"{result.location}: voorbeeld '{result.name}' verwacht {result.expected.value}, "
        f"kreeg {result.actual.value}: {result.reason}"
    )


def test_bundled_kader_has_examples_for_every_rule():
    report = run_selftest(load_kader(ROOT, "1.0"))
    assert report.rules, "het meegeleverde Kader heeft geen regels"
    for rule in report.rules:
        assert not rule.missing, f"{rule.rule_id}: geen voorbeeld voor {sorted(s.value for s in rule.missing)}"
    assert report.coverage.complete
