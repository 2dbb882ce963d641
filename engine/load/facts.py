"""Parsing the `feiten:` block (of an assessment or a rule example) against the questions."""

from __future__ import annotations

from kadertoets.load import formats
from kadertoets.infra.errors import KaderFout, enough, excerpt
from kadertoets.model import Fact
from kadertoets.load.questions import NOT_SURE, check_value, quick_value, unknown_field
from kadertoets.infra.located import Node, collect
from kadertoets.infra.yamlload import LDict
from kadertoets.infra.lintcodes import Code

FACT_KEYS = formats.FACT.names


def parse_facts(node: Node, questions: dict) -> dict[str, Fact]:
    """Each fact is either a bare value or {waarde, toelichting, bewijs, ...}; a fact without a
    waarde (only a toelichting) is recorded as explicitly unknown."""
    if node.value is None:
        return {}
    node.mapping_any()
    facts: dict[str, Fact] = {}
    problems = []
    key_pos = getattr(node.value, "key_pos", {})
    for path, raw in node.value.items():
        fact = _quick_fact(raw, questions.get(path), key_pos.get(path))
        if fact is not None:
            facts[path] = fact
            continue
        if enough(problems, node.file, node.line):
            break
        fact = collect(problems, _fact, path, node.child(path), questions)
        if fact is not None:
            facts[path] = fact
    if problems:
        raise KaderFout(problems)
    return facts


def _quick_fact(raw, q, pos) -> Fact | None:
    """The Fact for a plainly valid entry, without building nodes; None when not sure (then _fact
    decides, and words any error). Gives exactly what _fact gives."""
    if q is None or pos is None:
        return None
    line = pos[0]
    if raw.__class__ is not LDict:
        if raw is None:
            return Fact(None, None, None, line)
        value = quick_value(raw, q)
        return None if value is NOT_SURE else Fact(value, None, None, line)
    if not raw.keys() <= _FACT_KEY_SET or not raw.keys() & _VALUE_OR_NOTE:
        return None
    value = raw.get("waarde")
    if value is not None:
        value = quick_value(value, q)
        if value is NOT_SURE:
            return None
    note, evidence = raw.get("toelichting", _ABSENT), raw.get("bewijs", _ABSENT)
    for text in (note, evidence):
        if text is not _ABSENT and (text.__class__ is not str or not text.strip()):
            return None
    reconfirm = raw.get("herbevestigen", False)
    if reconfirm.__class__ is not bool or "bewijs_datum" in raw or "bewijs_document" in raw:
        return None  # dated evidence or a document reference: the full check
    return Fact(value, None if note is _ABSENT else note, None if evidence is _ABSENT else evidence, line, reconfirm)


_ABSENT = object()
_FACT_KEY_SET = frozenset(FACT_KEYS)
_VALUE_OR_NOTE = frozenset(("waarde", "toelichting"))


def _fact(path, fnode: Node, questions: dict) -> Fact:
    q = questions.get(path)
    if q is None:
        raise unknown_field(fnode, path, questions)
    line = fnode.line
    if isinstance(fnode.value, dict):  # long form; no answer type is itself a mapping
        fnode.mapping(optional=FACT_KEYS, what=f"feit {excerpt(path)}")
        if not fnode.has("waarde") and not fnode.has("toelichting"):
            raise fnode.fail("een feit in de lange vorm heeft 'waarde' of 'toelichting' nodig", code=Code.REQUIRED_MISSING)
        value = None
        if fnode.has("waarde") and fnode.value["waarde"] is not None:
            value = check_value(fnode.child("waarde"), q)
        note = fnode.child("toelichting").text() if fnode.has("toelichting") else None
        evidence = fnode.child("bewijs").text() if fnode.has("bewijs") else None
        reconfirm = fnode.child("herbevestigen").yes_no() if fnode.has("herbevestigen") else False
        dated = fnode.child("bewijs_datum").date() if fnode.has("bewijs_datum") else None
        document = fnode.child("bewijs_document").text() if fnode.has("bewijs_document") else None
        return Fact(value, note, evidence, line, reconfirm, dated, document)
    if fnode.value is None:
        return Fact(None, None, None, line)
    return Fact(check_value(fnode, q), None, None, line)
