"""The default backend: the compiled conditions evaluated directly in Python (three-valued)."""

from __future__ import annotations

from kadertoets.evaluate.conditions import evaluate
from kadertoets.evaluate.evaluation import rule_conditions


class PythonBackend:
    name = "python"

    def truths(self, rules, env, statuses, as_of):
        return {
            rule.id: {part: evaluate(cond, env, statuses, as_of) for part, cond in rule_conditions(rule).items()}
            for rule in rules
        }
