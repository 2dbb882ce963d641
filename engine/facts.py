"""Parsing the `feiten:` block (of an assessment or a rule example) against the questions."""

from __future__ import annotations

from .errors import KaderFout
from .model import Fact
from .questions import check_value, unknown_field
from .schema import Node, collect

FACT_KEYS = ("waarde", "toelichting", "bewijs")


def parse_facts(node: Node, questions: dict) -> dict[str, Fact]:
    """Each fact is either a bare value or {waarde, toelichting, bewijs}; a fact without a
    waarde (only a toelichting) is recorded as explicitly unknown."""
    if node.value is None:
        return {}
    node.mapping_any()
    facts: dict[str, Fact] = {}
    problems = []
    for path, fnode in node.items():
        fact = collect(problems, _fact, path, fnode, questions)
        if fact is not None:
            facts[path] = fact
    if problems:
        raise KaderFout(problems)
    return facts


def _fact(path, fnode: Node, questions: dict) -> Fact:
    q = questions.get(path)
    if q is None:
        raise unknown_field(fnode, path, questions)
    line = fnode.line
    if isinstance(fnode.value, dict):  # long form; no answer type is itself a mapping
        fnode.mapping(optional=FACT_KEYS, what=f"feit '{path}'")
        if not fnode.has("waarde") and not fnode.has("toelichting"):
            raise fnode.fail("een feit in de lange vorm heeft 'waarde' of 'toelichting' nodig")
        value = None
        if fnode.has("waarde") and fnode.value["waarde"] is not None:
            value = check_value(fnode.child("waarde"), q)
        note = fnode.child("toelichting").text() if fnode.has("toelichting") else None
        evidence = fnode.child("bewijs").text() if fnode.has("bewijs") else None
        return Fact(value, note, evidence, line)
    if fnode.value is None:
        return Fact(None, None, None, line)
    return Fact(check_value(fnode, q), None, None, line)
