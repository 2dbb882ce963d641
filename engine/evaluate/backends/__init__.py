"""Evaluation backends, chosen by name (`--engine`). Each decides the truth of the compiled top
conditions of a batch of rules: `truths(rules, env, statuses, as_of) -> {rule_id: {part: True|False|None}}`.
"""

from __future__ import annotations

import sys

from kadertoets.infra.errors import KaderFout
from kadertoets.infra.cli_names import suggest

BACKENDS = ("python", "durable")


def get_backend(name: str):
    """The backend by name; a clear Dutch error when it is unknown or cannot run here."""
    if name == "python":
        from kadertoets.evaluate.backends.python import PythonBackend

        return PythonBackend()
    if name == "durable":
        from kadertoets.evaluate.backends.durable import DurableBackend, durable_unavailable_reason

        reason = durable_unavailable_reason()
        if reason:
            hint = f"Gebruik {suggest('--motor')} python (de standaard, met dezelfde uitkomsten)"
            if sys.version_info < (3, 13):
                hint += ", of installeer de extra met: pip install '.[durable]' (vraagt een C-compiler)"
            raise KaderFout.single(f"de durable-rules-engine kan hier niet draaien: {reason}", field="--motor",
                                   hint=hint + ".")
        return DurableBackend.shared()
    raise KaderFout.single(f"onbekende engine '{name}'", field="--motor", hint="Kies python of durable.")
