"""Every rule's examples run as tests, one test id per example (bundled Kader and the mini fixture).

The examples are the Kader editors' own test cases: if the Kader fails to load, collection fails
(fail closed) rather than silently running nothing.
"""

from __future__ import annotations

import pytest

from conftest import MINI, ROOT
from engine.backends.python import PythonBackend
from engine.evaluate import evaluate_example
from engine.kader import load_kader

def _cases():
    cases = []
    for label, folder in (("kader-1.0", ROOT), ("mini", MINI)):
        kader = load_kader(folder, "1.0")
        for rule in kader.rules.values():
            for example in rule.examples:
                cases.append(pytest.param(rule, example, kader.effective_date, id=f"{label}:{rule.id}:{example.name}"))
    return cases


CASES = _cases()


@pytest.mark.parametrize("rule,example,default_date", CASES)
def test_rule_example(rule, example, default_date):
    finding = evaluate_example(rule, example, default_date, PythonBackend())
    assert finding.status == example.expected, (
        f"{rule.file}:{example.line}: voorbeeld '{example.name}' verwacht {example.expected.value}, "
        f"kreeg {finding.status.value}: {finding.reason}"
    )


def test_bundled_kader_has_examples_for_every_rule():
    kader = load_kader(ROOT, "1.0")
    assert kader.rules, "het meegeleverde Kader heeft geen regels"
    for rule in kader.rules.values():
        reachable = {"voldoet", "voldoet_niet", "onbekend"}
        if rule.partly is not None:
            reachable.add("deels")
        if rule.applies is not None:
            reachable.add("nvt")
        covered = {ex.expected.value for ex in rule.examples}
        assert reachable <= covered, f"{rule.id}: geen voorbeeld voor {sorted(reachable - covered)}"
