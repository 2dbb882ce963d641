"""JSON Schemas (draft 2020-12) for the YAML files of a Kader, for editors with a YAML language server.

`kader schema` writes these schemas to files. A YAML file whose first line is `header_line(...)`
then gets completion, hover texts and validation while typing in any editor that uses
yaml-language-server (VS Code with redhat.vscode-yaml, Neovim, Zed, ...):

- `rule_schema(kader)`         a rule, `rules/<ID>.yaml` (field paths, roles, deadlines and rule ids of
                               the Kader when one is given; generic otherwise)
- `manifest_schema()`          a Kader manifest, `kader/<versie>.yaml`
- `questions_schema()`         a questions file, `kader/vragen-<versie>.yaml`
- `assessment_schema(kader)`   an assessment for that Kader version: every question is a property of
                               `feiten:` with its type, allowed values and Dutch question text

The schemas mirror what the loaders accept (engine.kader, engine.questions, engine.facts,
engine.assessment, engine.conditions). Key lists come from the loaders' own constants where the
loaders have them; `_closed` refuses a key list that differs from the properties given for it, so a
key added to a loader without a schema for it fails the tests at once instead of drifting.

What a JSON Schema cannot say stays the loader's job (`kader check` and friends still report it):
checks across files (a rule's id equals its file name, the questions file exists), duplicate
example names, cycles between rules, whether a date exists in the calendar, and the difference
between `2023-03-01` (a date for the loader) and `"2023-03-01"` (text for the loader); a YAML
language server sees both as the same string.

The schema builders are pure functions, no I/O: the caller writes the files. The schema-line
helpers at the end (`schema_headers`, `header_instructions` for `kader schema`; `modeline_target`
and `retarget_schema` for `kader migrate`) look at paths (resolving them, whether a folder or
schema exists) but write nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from kadertoets.load import formats
from kadertoets.evaluate.conditions import TEAM_FIELDS
from kadertoets.evaluate.operators import (COMBINATORS, FIELD_KEY, MAX_MONTHS, OPERATORS, RULE_KEY, RULE_REF_KEYS,
                                           STATUS_KEY)
from kadertoets.evaluate.questiontypes import QUESTION_TYPES, TYPES, listed, types_where
from kadertoets.evaluate.schemaparts import (array as _array, boolean as _boolean, date as _date, enum as _enum,
                                             integer as _integer,
                                             number as _number, text as _text, with_meta as _with,
                                             yes_no as _yes_no)
from kadertoets.load.kader import RULE_ID_RE, VERSION_RE
from kadertoets.model import (ACTION_STATUSES, BASES, RESPONSIBLE, SOURCE_CODES, SOURCE_ROLES, SOURCE_TITLES, Kader,
                              Question, Status)
from kadertoets.load.questions import PATH_RE
from kadertoets.infra.records import record

DIALECT = "https://json-schema.org/draft/2020-12/schema"
HEADER_PREFIX = "# yaml-language-server: $schema="

# The keys of every block and their descriptions come from load/formats.py (one declaration per
# format); the allowed values a loader checks inline are named here, next to the loader that checks them.
MANIFEST_STATUSES = ("concept", "vastgesteld")  # kader._load
NORM_ORIGINS = ("bron", "afgeleid")  # kader.load_rule
NUMERIC_TYPES = types_where(lambda t: t.numeric)  # questions._question: minimum/maximum only for these
CHOICE_TYPES = types_where(lambda t: t.choices)  # questions._question: waarden only (and always) for these

STATUS_VALUES = [s.value for s in Status]
# team.id: letters and digits (any script, str.isalnum) plus '-', '_' and '.' (assessment._team).
# Written as "no whitespace and no ASCII punctuation except - _ ." so it means the same in
# Python's re and in the JavaScript RegExp of the language server.
TEAM_ID_PATTERN = r"^[^\s\u0000-\u002c/:-@\[-\^`{-\u007f]+$"


# ---------------------------------------------------------------- building blocks ----------------
# _with, _text, _date, _boolean, _number, _enum and _array come from evaluate/schemaparts.py,
# shared with the registries of question types and operators.

def _closed(properties: dict, required=(), optional=(), title: str | None = None,
            description: str | None = None) -> dict:
    """Node.mapping(required=..., optional=...): exactly these keys, the required ones present.

    `properties` must name exactly the loader's keys: a mismatch is a programming error (the schema
    would drift from the loader), so it fails loudly here rather than in an editor."""
    keys = list(required) + list(optional)
    if len(set(keys)) != len(keys) or set(properties) != set(keys):
        raise AssertionError(f"schema out of step with the loader ({title or description}): "
                             f"loader keys {keys}, schema keys {list(properties)}")
    out = {"type": "object", "properties": {k: properties[k] for k in keys}, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return _with(out, title, description)


def _document(title: str, description: str, body: dict, defs: dict | None = None) -> dict:
    out = {"$schema": DIALECT, "title": title, "description": description}
    out.update(body)
    if defs:
        out["$defs"] = defs
    return out


def _fmt(number) -> str:
    """A number as Dutch readers write it: 0,78; 100."""
    return f"{number:g}".replace(".", ",")


# ---------------------------------------------------------------- questions and facts -------------

def answer_schema(q: Question) -> dict:
    """The schema of one answer to a question (questions.check_value), without the fact's long form."""
    qt = QUESTION_TYPES.get(q.type)
    if qt is None:
        raise AssertionError(f"unknown question type {q.type}")
    return qt.answer_schema(q)


def _question_description(q: Question) -> str:
    parts = [q.help.strip()] if q.help and q.help.strip() else []
    facts = [f"Type: {QUESTION_TYPES[q.type].label}"]
    if q.unit:
        facts.append(f"eenheid: {q.unit}")
    if q.minimum is not None:
        facts.append(f"minimaal {_fmt(q.minimum)}")
    if q.maximum is not None:
        facts.append(f"maximaal {_fmt(q.maximum)}")
    if q.theme:
        facts.append(f"thema: {q.theme}")
    parts.append(", ".join(facts) + ".")
    if q.values:
        parts.append(("Een lijst met waarden uit" if QUESTION_TYPES[q.type].multiple else "Eén van") + ": "
                     + ", ".join(q.values) + ".")
    parts.append("Vul de waarde direct in (korte vorm) of als 'waarde' met 'toelichting' en 'bewijs' "
                 "(lange vorm); alleen een 'toelichting' zonder waarde betekent: onbekend, met uitleg.")
    return "\n\n".join(parts)


def _long_form(value: dict, what: str) -> dict:
    """facts._fact: {waarde, toelichting, bewijs}, with a waarde or a toelichting (or both)."""
    schema = _closed(
        {
            "waarde": _with({"anyOf": [value, {"type": "null"}]}, None,
                            "De waarde; leeg (of weggelaten, met een toelichting) betekent: onbekend."),
            "toelichting": _text("Uitleg bij de waarde, of waarom de waarde onbekend is."),
            "bewijs": _text("Waar de waarde vandaan komt (bron, document, datum)."),
            "bewijs_datum": _date(formats.FACT.description("bewijs_datum")),
            "bewijs_document": _text(formats.FACT.description("bewijs_document")),
            "herbevestigen": _yes_no("true: overgenomen bij een migratie naar een nieuwe Kaderversie en nog te "
                                      "bevestigen (de vraag is veranderd); haal weg na controle."),
        },
        optional=formats.FACT.optional,
        description=f"Lange vorm van {what}.",
    )
    schema["anyOf"] = [{"required": ["waarde"]}, {"required": ["toelichting"]}]
    return schema


def fact_schema(q: Question) -> dict:
    """One fact (facts.parse_facts): the bare answer, empty (= onbekend), or the long form."""
    value = answer_schema(q)
    return _with({"anyOf": [value, {"type": "null"}, _long_form(value, f"'{q.path}'")]},
                 q.question, _question_description(q))


def _facts_schema(questions: dict | None) -> dict:
    """The `feiten:` block: a mapping from question path to fact (empty is allowed)."""
    description = ("De feiten van het team: per vraagpad de waarde. Wat niet bekend is, laat u weg (dan is het "
                   "onbekend).")
    if questions is None:
        generic_value = {"not": {"type": "object"}}
        return _with({
            "type": ["object", "null"],
            "propertyNames": {"pattern": PATH_RE.pattern},
            "additionalProperties": {"anyOf": [generic_value, _long_form({}, "een feit")]},
        }, "Feiten", description)
    return _with({
        "type": ["object", "null"],
        "properties": {path: fact_schema(q) for path, q in questions.items()},
        "additionalProperties": False,
    }, "Feiten", description)


def questions_schema() -> dict:
    """The questions file `kader/vragen-<versie>.yaml` (questions.load_questions)."""
    question = _closed(
        {
            "type": _enum(TYPES, "Het type van het antwoord: " + "; ".join(
                f"{t.name} = {t.label}" for t in QUESTION_TYPES.values()) + "."),
            "vraag": _text(formats.QUESTION.description("vraag")),
            "hulp": _text(formats.QUESTION.description("hulp")),
            "eenheid": _text(formats.QUESTION.description("eenheid")),
            "waarden": _array(_text(), min_items=1, unique=True,
                              description=f"De toegestane waarden (alleen en verplicht bij {listed(CHOICE_TYPES)})."),
            "minimum": _number(description=f"Kleinste toegestane waarde (alleen bij {listed(NUMERIC_TYPES)})."),
            "maximum": _number(description=f"Grootste toegestane waarde (alleen bij {listed(NUMERIC_TYPES)})."),
            "thema": _text(formats.QUESTION.description("thema")),
            "kort": _text(formats.QUESTION.description("kort")),
            "labels": _with({"type": "object", "additionalProperties": _text()},
                            "Labels", formats.QUESTION.description("labels")),
        },
        required=formats.QUESTION.required, optional=formats.QUESTION.optional, title="Vraag",
        description="Eén feit dat een assessment kan bevatten.",
    )
    question["allOf"] = [
        {
            "if": {"required": ["type"], "properties": {"type": {"enum": list(CHOICE_TYPES)}}},
            "then": {"required": ["waarden"]},
            "else": {"properties": {"waarden": False}},
        },
        {
            "if": {"required": ["type"], "properties": {"type": {"enum": list(NUMERIC_TYPES)}}},
            "else": {"properties": {"minimum": False, "maximum": False}},
        },
    ]
    vragen = _with({
        "type": "object",
        "propertyNames": {"pattern": PATH_RE.pattern, "not": {"pattern": r"^team\."}},
        "additionalProperties": {"$ref": "#/$defs/vraag"},
    }, "Vragen", "Per vraagpad (kleine letters, cijfers en _ met punten ertussen, bv. "
                 "veiligheid.aandachtsfunctionarissen; team.* is gereserveerd) de vraag.")
    return _document(
        "Kadertoets: vragenbestand",
        "De vragen van een Kaderversie: elk feit dat een assessment kan bevatten, één keer gedeclareerd.",
        _closed({"vragen": vragen, "regio_vragen": _with({
            "type": "object",
            "propertyNames": {"pattern": r"^regio\.[a-z0-9_]+(\.[a-z0-9_]+)*$"},
            "additionalProperties": {"$ref": "#/$defs/vraag"},
        }, "Vragen over de regio", formats.QUESTIONS_FILE.description("regio_vragen"))},
            required=formats.QUESTIONS_FILE.required, optional=formats.QUESTIONS_FILE.optional),
        {"vraag": question},
    )


# ---------------------------------------------------------------- manifest ------------------------

def _version(description: str) -> dict:
    """Node.version(): "1.0", as text (an unquoted number could be 1.10 read as 1.1)."""
    return _with({"type": "string", "pattern": VERSION_RE.pattern}, None, description)


def manifest_schema() -> dict:
    """A Kader manifest `kader/<versie>.yaml` (kader._load)."""
    deadline = _closed(
        {
            "datum": _date(formats.DEADLINE.description("datum")),
            "label": _text(formats.DEADLINE.description("label")),
            "bron": _text(formats.DEADLINE.description("bron")),
            "afgeleid": _boolean(formats.DEADLINE.description("afgeleid")),
            "toelichting": _with({}, None, formats.DEADLINE.description("toelichting")),
        },
        required=formats.DEADLINE.required, optional=formats.DEADLINE.optional, title="Deadline",
    )
    months = _integer(1, MAX_MONTHS)
    norm_keys = {
        "bron": _text(formats.EXCEPTION_POLICY.description("bron")),
        "afgeleid": _boolean(formats.EXCEPTION_POLICY.description("afgeleid")),
        "toelichting": _text(formats.EXCEPTION_POLICY.description("toelichting")),
    }
    exception_policy = _closed(
        {"max_geldigheid_maanden": _with(months, None, formats.EXCEPTION_POLICY.description("max_geldigheid_maanden")),
         **norm_keys},
        required=formats.EXCEPTION_POLICY.required, optional=formats.EXCEPTION_POLICY.optional, title="Afwijkingen",
        description=formats.MANIFEST.description("afwijkingen"))
    evidence_policy = _closed(
        {"max_leeftijd_maanden": _with(months, None, formats.EVIDENCE_POLICY.description("max_leeftijd_maanden")),
         "per_thema": _with({"type": "object", "additionalProperties": months}, None,
                            formats.EVIDENCE_POLICY.description("per_thema")),
         "per_vraag": _with({"type": "object", "propertyNames": {"pattern": PATH_RE.pattern},
                             "additionalProperties": months}, None, formats.EVIDENCE_POLICY.description("per_vraag")),
         **norm_keys},
        required=formats.EVIDENCE_POLICY.required, optional=formats.EVIDENCE_POLICY.optional, title="Bewijs",
        description=formats.MANIFEST.description("bewijs"))
    for policy in (exception_policy, evidence_policy):  # kader._derived_noted: afgeleid: true needs a toelichting
        policy["if"] = {"properties": {"afgeleid": {"const": True}}, "required": ["afgeleid"]}
        policy["then"] = {"required": ["toelichting"]}
    properties = {
        "afwijkingen": exception_policy,
        "bewijs": evidence_policy,
        "versie": _version(formats.MANIFEST.description("versie")),
        "naam": _text(formats.MANIFEST.description("naam")),
        "status": _enum(MANIFEST_STATUSES, formats.MANIFEST.description("status")),
        "documentdatum": _date(formats.MANIFEST.description("documentdatum")),
        "ingangsdatum": _date(formats.MANIFEST.description("ingangsdatum")),
        "vragen": _text(formats.MANIFEST.description("vragen")),
        "rollen": _with({"type": "object", "additionalProperties": _text()}, "Rollen",
                        formats.MANIFEST.description("rollen")),
        "deadlines": _with({"type": "object", "additionalProperties": {"$ref": "#/$defs/deadline"}}, "Deadlines",
                           formats.MANIFEST.description("deadlines")),
        "regels": _array(_with({"type": "string", "pattern": RULE_ID_RE.pattern}, None,
                               "Een regel-id; het bestand is rules/<id>.yaml."),
                         min_items=1, unique=True, description=formats.MANIFEST.description("regels")),
        "ingangsdatum_toelichting": _text(formats.MANIFEST.description("ingangsdatum_toelichting")),
        "toelichting": _with({}, None, formats.MANIFEST.description("toelichting")),
        "bron": _with({}, None, formats.MANIFEST.description("bron")),
        "wijzigingen": {"anyOf": [_text(), _array(_text(), min_items=1)],
                        "description": formats.MANIFEST.description("wijzigingen")},
        "vorige_versie": _version(formats.MANIFEST.description("vorige_versie")),
        "regels_map": _with({"type": "string", "pattern": "^rules[A-Za-z0-9._-]*$"}, None,
                            formats.MANIFEST.description("regels_map")),
    }
    return _document(
        "Kadertoets: Kader-manifest",
        "Een versie van het Kader: status, datums, vragenbestand, rollen, deadlines en regels.",
        _closed(properties, required=formats.MANIFEST.required, optional=formats.MANIFEST.optional),
        {"deadline": deadline},
    )


# ---------------------------------------------------------------- rules and conditions ------------

def _rule_id(kader: Kader | None) -> dict:
    if kader is None:
        return _with({"type": "string", "pattern": RULE_ID_RE.pattern}, None, "Een regel-id, bv. KLT-VEI-01.")
    return _enum(kader.rules, f"Een regel van Kader {kader.version}.")


def _operator_values(qtype: str | None, values: tuple = ()) -> dict:
    """Per field operator the schema of its value (conditions.compile_condition; the operators' value
    kinds in operators.py).

    `qtype` None: any field (generic rule schema); otherwise the field's type, and an operator that
    does not fit the type is refused (schema `false`)."""
    qt = QUESTION_TYPES[qtype] if qtype is not None else None
    out = {}
    for op in OPERATORS.values():
        if qt is not None and not op.fits(qt.name):
            out[op.name] = False
            continue
        schema = op.value.schema(qt, values, op.types)
        out[op.name] = _with(schema, None, op.description + (f" Werkt op: {', '.join(op.types)}." if op.types else ""))
    return out


def _condition_schema(kader: Kader | None) -> dict:
    """A condition (conditions.compile_condition): a combinator alone, a rule reference, or a field
    with exactly one operator."""
    ref = {"$ref": "#/$defs/voorwaarde"}
    status = _enum(STATUS_VALUES)
    shapes = {c.name: _closed({c.name: _array(ref, min_items=1, description=c.description) if c.takes_list
                               else _with(ref, None, c.description)}, required=(c.name,))
              for c in COMBINATORS.values()}
    shapes.update({
        RULE_KEY: _closed(
            {
                RULE_KEY: _with(_rule_id(kader), None, "De conclusie van deze regel."),
                STATUS_KEY: _with({"anyOf": [status, _array(status, min_items=1)]}, None,
                                  "Waar als de regel één van deze statussen heeft."),
            },
            required=RULE_REF_KEYS,
        ),
    })
    if kader is None:
        field = _with({"type": "string", "pattern": r"\S"}, None, "Het vraagpad, bv. veiligheid.aandachtsfunctionarissen.")
    else:
        fields = list(kader.all_questions()) + [p for p in TEAM_FIELDS if p not in kader.questions]
        field = _enum(fields, f"Een vraagpad uit de vragen van Kader {kader.version}, of een vast teamveld.")
    veld = _closed({FIELD_KEY: field, **_operator_values(None)}, required=(FIELD_KEY,), optional=tuple(OPERATORS))
    veld["oneOf"] = [{"required": [op]} for op in OPERATORS]  # exactly one operator
    if kader is not None:
        veld["allOf"] = _typed_operators(kader)
    shapes[FIELD_KEY] = veld
    # every key the loader knows (conditions.ALL_OPERATORS plus 'status') has a shape to live in
    known = set(COMBINATORS) | set(RULE_REF_KEYS) | {FIELD_KEY} | set(OPERATORS)
    assert known == {k for s in shapes.values() for k in s["properties"]}, "condition keys out of step"
    return _with({"type": "object", "anyOf": list(shapes.values())}, "Voorwaarde",
                 f"Een voorwaarde: {' / '.join(COMBINATORS)}, een regel met status, of een veld met precies één "
                 f"operator ({', '.join(OPERATORS)}).")


def _typed_operators(kader: Kader) -> list[dict]:
    """Per group of fields with the same type (and allowed values) the operators and their values."""
    groups: dict[tuple, list[str]] = {}
    questions = dict(kader.questions)
    for path, q in TEAM_FIELDS.items():
        questions.setdefault(path, q)
    for path, q in questions.items():
        groups.setdefault((q.type, tuple(q.values)), []).append(path)
    out = []
    for (qtype, values), paths in groups.items():
        out.append({
            "if": {"required": [FIELD_KEY], "properties": {FIELD_KEY: {"enum": paths}}},
            "then": {"properties": _operator_values(qtype, values)},
        })
    return out


def _example_schema(kader: Kader | None) -> dict:
    regels = (_with({"type": "object", "propertyNames": {"pattern": RULE_ID_RE.pattern},
                     "additionalProperties": _enum(STATUS_VALUES)}, None,
                    formats.EXAMPLE.description("regels"))
              if kader is None else
              _closed({rid: _enum(STATUS_VALUES) for rid in kader.rules}, optional=tuple(kader.rules),
                      description=formats.EXAMPLE.description("regels")))
    return _closed(
        {
            "naam": _text(formats.EXAMPLE.description("naam")),
            "verwacht": _enum(STATUS_VALUES, formats.EXAMPLE.description("verwacht")),
            "feiten": _facts_schema(kader.all_questions() if kader is not None else None),
            "team_taken": _closed({k: _boolean() for k in formats.EXAMPLE_TASKS.names},
                                  optional=formats.EXAMPLE_TASKS.optional,
                                  description=formats.EXAMPLE.description("team_taken")),
            "regels": regels,
            "peildatum": _date(formats.EXAMPLE.description("peildatum")),
        },
        required=formats.EXAMPLE.required, optional=formats.EXAMPLE.optional, title="Voorbeeld",
        description="Een voorbeeld dat als test draait: feiten en de verwachte status.",
    )


def rule_schema(kader: Kader | None = None) -> dict:
    """A rule `rules/<ID>.yaml` (kader.load_rule). With a Kader, field paths, operator values, roles,
    deadlines and rule ids are those of that version (completion for `veld:`, `eigenaar:`, ...)."""
    source = _closed(
        {
            "bron": _enum(SOURCE_CODES, "Bron: " + "; ".join(f"{c} = {t}" for c, t in SOURCE_TITLES.items()) + "."),
            "sectie": _text(formats.SOURCE.description("sectie")),
            "citaat": _text(formats.SOURCE.description("citaat")),
            "url": _with({"type": "string", "pattern": r"^https?://"}, None, formats.SOURCE.description("url")),
            "rol": _enum(SOURCE_ROLES, formats.SOURCE.description("rol")),
        },
        optional=formats.SOURCE.optional, title="Bronverwijzing", description="Een bron (S0..S4) of een url.",
    )
    source["anyOf"] = [{"required": ["url"]}, {"required": ["bron"]}]
    owner = _text(formats.RULE_ACTION.description("eigenaar")) if kader is None else _enum(
        kader.roles, f"Een rol uit het manifest van Kader {kader.version}.")
    deadline = _text(formats.RULE_ACTION.description("deadline")) if kader is None else _enum(
        kader.deadlines, f"Een benoemde deadline uit het manifest van Kader {kader.version}.")
    properties = {
        "id": _with({"type": "string", "pattern": RULE_ID_RE.pattern}, None,
                    formats.RULE.description("id")),
        "titel": _text(formats.RULE.description("titel")),
        "thema": _text(formats.RULE.description("thema")),
        "uitleg": _text(formats.RULE.description("uitleg")),
        "bronnen": _array({"$ref": "#/$defs/bron"}, min_items=1, description=formats.RULE.description("bronnen")),
        "grondslag": _enum(BASES, formats.RULE.description("grondslag")),
        "grondslag_toelichting": _text(formats.RULE.description("grondslag_toelichting")),
        "norm_herkomst": _enum(NORM_ORIGINS, formats.RULE.description("norm_herkomst")),
        "norm_toelichting": _text(formats.RULE.description("norm_toelichting")),
        "verantwoordelijk": _enum(RESPONSIBLE, formats.RULE.description("verantwoordelijk")),
        "wijziging": _text(formats.RULE.description("wijziging")),
        "voorheen": _array(_with({"type": "string", "pattern": RULE_ID_RE.pattern}, None,
                                 "Een id uit een eerdere versie."), min_items=1, unique=True,
                           description=formats.RULE.description("voorheen")),
        "regionaal_product": _closed(
            {
                "naam": _text(formats.REGIONAL_PRODUCT.description("naam")),
                "voorwaarde": _with({"$ref": "#/$defs/voorwaarde"}, None,
                                    formats.REGIONAL_PRODUCT.description("voorwaarde")),
                "verwacht": _text(formats.REGIONAL_PRODUCT.description("verwacht")),
            },
            required=formats.REGIONAL_PRODUCT.required, optional=formats.REGIONAL_PRODUCT.optional,
            title="Regionaal product", description=formats.RULE.description("regionaal_product"),
        ),
        "van_toepassing": _with({"$ref": "#/$defs/voorwaarde"}, None,
                                formats.RULE.description("van_toepassing")),
        "norm": _closed(
            {
                "voldoet": _with({"$ref": "#/$defs/voorwaarde"}, None, formats.NORM.description("voldoet")),
                "deels": _with({"$ref": "#/$defs/voorwaarde"}, None, formats.NORM.description("deels")),
            },
            required=formats.NORM.required, optional=formats.NORM.optional, title="Norm",
        ),
        "actie": _closed(
            {
                "omschrijving": _text(formats.RULE_ACTION.description("omschrijving")),
                "eigenaar": owner,
                "deadline": deadline,
                "extra_middelen_mogelijk": _boolean(formats.RULE_ACTION.description("extra_middelen_mogelijk")),
                "onderdelen": _array(_closed(
                    {
                        "omschrijving": _text(formats.RULE_ACTION_PART.description("omschrijving")),
                        "tenzij": _with({"$ref": "#/$defs/voorwaarde"}, None,
                                        formats.RULE_ACTION_PART.description("tenzij")),
                    },
                    required=formats.RULE_ACTION_PART.required, optional=formats.RULE_ACTION_PART.optional,
                    title="Onderdeel van de actie",
                ), min_items=2, description=formats.RULE_ACTION.description("onderdelen")),
            },
            required=formats.RULE_ACTION.required, optional=formats.RULE_ACTION.optional, title="Actie", description=formats.RULE.description("actie"),
        ),
        "voorbeelden": _array({"$ref": "#/$defs/voorbeeld"}, min_items=1,
                              description=formats.RULE.description("voorbeelden")),
    }
    body = _closed(properties, required=formats.RULE.required, optional=formats.RULE.optional)
    body["allOf"] = [
        {"if": {"required": ["norm_herkomst"], "properties": {"norm_herkomst": {"const": "afgeleid"}}},
         "then": {"required": ["norm_toelichting"]}},
        {"if": {"required": ["grondslag"], "properties": {"grondslag": {"const": "buiten_bronnen"}}},
         "then": {"required": ["grondslag_toelichting"],  # a source S0..S4 is then only an illustration
                  "properties": {"bronnen": {"items": {"if": {"required": ["bron"]}, "then": {
                      "required": ["rol"], "properties": {"rol": {"const": "illustratie"}}}}}}},
         "else": {"not": {"required": ["grondslag_toelichting"]}}},
    ]
    version = f" (Kader {kader.version})" if kader is not None else ""
    return _document(
        "Kadertoets: regel" + version,
        "Eén eis van het Kader: bron, norm, verbeteractie en voorbeelden.",
        body,
        {"voorwaarde": _condition_schema(kader), "bron": source, "voorbeeld": _example_schema(kader)},
    )


# ---------------------------------------------------------------- assessment ----------------------

def assessment_schema(kader: Kader) -> dict:
    """An assessment for `kader` (assessment.build_assessment): its questions, rule ids and roles."""
    team = _closed(
        {
            "id": _with({"type": "string", "pattern": TEAM_ID_PATTERN}, None,
                        formats.TEAM.description("id")),
            "naam": _text(formats.TEAM.description("naam")),
            "gemeente": _text(formats.TEAM.description("gemeente")),
            "organisatie": _text(formats.TEAM.description("organisatie")),
            "taken": _closed({k: _boolean() for k in formats.TASKS.names}, required=formats.TASKS.required,
                             description=formats.TEAM.description("taken")),
        },
        required=formats.TEAM.required, title="Team",
    )
    filled_in = _closed(
        {
            "naam": _text(formats.FILLED_IN.description("naam")),
            "rol": _text(formats.FILLED_IN.description("rol")),
            "datum": _date(formats.FILLED_IN.description("datum")),
            "toelichting": _text(formats.FILLED_IN.description("toelichting")),
        },
        optional=formats.FILLED_IN.optional, title="Ingevuld door",
    )
    moved = _closed(
        {"naar": _date(formats.MOVED.description("naar")), "toelichting": _text(formats.MOVED.description("toelichting"))},
        required=formats.MOVED.required, optional=formats.MOVED.optional, title="Verplaatste deadline",
    )
    action = _closed(
        {
            "eis": _enum(kader.rules, f"Een eis (regel-id) van Kader {kader.version}."),
            "omschrijving": _text(formats.PLAN_ACTION.description("omschrijving")),
            "eigenaar": _text(formats.PLAN_ACTION.description("eigenaar"), None)
            | {"examples": list(kader.roles)},
            "deadline": _with({"anyOf": [_date(), {"type": "null"}]}, None,
                              formats.PLAN_ACTION.description("deadline")),
            "status": _enum(ACTION_STATUSES, formats.PLAN_ACTION.description("status")),
            "id": _text(formats.PLAN_ACTION.description("id")),
            "deadline_verplaatst": _array(moved, description="Geschiedenis van verplaatste deadlines; nooit "
                                                             "overschrijven, alleen toevoegen."),
            "extra_middelen_nodig": _boolean(formats.PLAN_ACTION.description("extra_middelen_nodig")),
            "toelichting": _text(formats.PLAN_ACTION.description("toelichting")),
        },
        required=formats.PLAN_ACTION.required, optional=formats.PLAN_ACTION.optional, title="Actie",
        description="Een actie in het transformatieplan.",
    )
    approver = _closed(
        {"rol": _enum(kader.roles, formats.APPROVER.description("rol")),
         "naam": _text(formats.APPROVER.description("naam"))},
        required=formats.APPROVER.required, optional=formats.APPROVER.optional, title="Goedgekeurd door")
    exception = _closed(
        {
            "eis": _enum(kader.rules, f"Een eis (regel-id) van Kader {kader.version}; hoogstens één afwijking per eis."),
            "reden": _text(formats.EXCEPTION.description("reden")),
            "goedgekeurd_door": approver,
            "datum": _date(formats.EXCEPTION.description("datum")),
            "geldig_tot": _date(formats.EXCEPTION.description("geldig_tot")
                                + (f" Hier: hoogstens {kader.exception_max_months} maanden na de datum."
                                   if kader.exception_max_months is not None else "")),
        },
        required=formats.EXCEPTION.required, optional=formats.EXCEPTION.optional, title="Afwijking",
        description="Een goedgekeurde afwijking van een eis.",
    )
    exceptions = _array(exception) if kader.exception_max_months is not None else \
        _with({"type": "array", "maxItems": 0}, None, f"Kader {kader.version} staat geen afwijkingen toe.")
    properties = {
        "afwijkingen": _with({"anyOf": [exceptions, {"type": "null"}]}, "Afwijkingen",
                             formats.ASSESSMENT.description("afwijkingen")),
        "kader": _with({"enum": [kader.version]}, None,
                       f'De Kaderversie van dit assessment: "{kader.version}".'),
        "peildatum": _date(formats.ASSESSMENT.description("peildatum")),
        "team": team,
        "feiten": _facts_schema(kader.questions),
        "ingevuld_door": filled_in,
        "transformatieplan": _with({"anyOf": [_array(action), {"type": "null"}]}, "Transformatieplan",
                                   formats.ASSESSMENT.description("transformatieplan")),
    }
    document = _document(
        f"Kadertoets: assessment voor Kader {kader.version}",
        f"Een assessment van één team aan het {kader.name} {kader.version}: team, peildatum, feiten en "
        "transformatieplan.",
        _closed(properties, required=formats.ASSESSMENT.required, optional=formats.ASSESSMENT.optional),
    )
    return document


def region_schema(kader: Kader) -> dict:
    """A regional file for `kader` (load/region.build_region): the region and its facts about the
    regional products (the questions of `regio_vragen`)."""
    region = _closed({"naam": _text(formats.REGION.description("naam")),
                      "toelichting": _text(formats.REGION.description("toelichting"))},
                     required=formats.REGION.required, optional=formats.REGION.optional, title="Regio")
    filled_in = _closed({key: (_date if key == "datum" else _text)(formats.FILLED_IN.description(key))
                         for key in formats.FILLED_IN.names}, optional=formats.FILLED_IN.optional,
                        title="Ingevuld door")
    properties = {
        "kader": _with({"enum": [kader.version]}, None, f'De Kaderversie van dit regiobestand: "{kader.version}".'),
        "peildatum": _date(formats.REGION_ASSESSMENT.description("peildatum")),
        "regio": region,
        "ingevuld_door": filled_in,
        "feiten": _facts_schema(kader.region_questions),
    }
    return _document(
        f"Kadertoets: regiobestand voor Kader {kader.version}",
        f"De stand van de regionale producten op een peildatum, voor het {kader.name} {kader.version}.",
        _closed(properties, required=formats.REGION_ASSESSMENT.required, optional=formats.REGION_ASSESSMENT.optional),
    )


# ---------------------------------------------------------------- files ---------------------------

def schema_files(kader: Kader) -> dict[str, dict]:
    """File name -> schema, for `kader schema`: the files a Kader editor and an assessment author need.

    Rule and assessment schemas are per Kader version (they name its questions, roles and rules);
    manifest and questions schemas are the same for every version."""
    return {
        "manifest.schema.json": manifest_schema(),
        "vragen.schema.json": questions_schema(),
        f"regel-{kader.version}.schema.json": rule_schema(kader),
        f"assessment-{kader.version}.schema.json": assessment_schema(kader),
        f"regio-{kader.version}.schema.json": region_schema(kader),
    }


def header_line(schema_file_name: str) -> str:
    """The first line that links a YAML file to its schema for yaml-language-server.

    `schema_file_name` is a path relative to the YAML file (or a URL), e.g.
    `../schemas/assessment-1.0.schema.json`; backslashes become slashes."""
    target = str(schema_file_name).replace("\\", "/").strip()
    if not target or any(c in target for c in "\r\n"):
        raise ValueError(f"invalid schema path {schema_file_name!r}")
    return HEADER_PREFIX + target


# ---------------------------------------------------------------- schema lines ------------------
# yaml-language-server reads the first comment that matches `^#\s+yaml-language-server\s*:` and
# takes the target from `$schema=<no spaces>`: a URL, a path relative to the YAML file, or an
# absolute path (from the filesystem root).
MODELINE_RE = re.compile(r"^#\s+yaml-language-server\s*:")
MODELINE_SCHEMA_RE = re.compile(r"\$schema=(\S+)")
ASSESSMENT_SCHEMA_RE = re.compile(r"(?:^|(?<=/))assessment-\d+(?:\.\d+)*\.schema\.json(?=$|[?#])")
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: C: is a Windows drive
MAX_CLIMB = 3  # a relative path going up more folders than this is shown absolute


def modeline_target(text: str) -> str | None:
    """The schema target of the yaml-language-server line among the comment lines on top of `text`
    (None when there is none)."""
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return None
        if MODELINE_RE.match(stripped):
            found = MODELINE_SCHEMA_RE.search(stripped)
            return found.group(1) if found else None
    return None


def retarget_schema(target: str, new_version: str, source_dir: Path, output_dir: Path
                    ) -> tuple[str, bool, Path | None]:
    """The schema target of a migrated assessment, from the `target` of the original (in
    `source_dir`) for the new file in `output_dir`: `assessment-<old>.schema.json` becomes
    `assessment-<new_version>.schema.json` in the same folder, and a relative path is recomputed
    for the new file's folder. Returns the target, whether the version part was replaced, and the
    schema file it names on this machine (None for a URL)."""
    import os

    target = target.replace("\\", "/")
    new_name = f"assessment-{new_version}.schema.json"
    renamed_target, count = ASSESSMENT_SCHEMA_RE.subn(new_name, target, count=1)
    renamed = count == 1
    if URL_RE.match(renamed_target):
        if renamed_target.lower().startswith("file://"):
            from urllib.parse import unquote, urlparse

            return renamed_target, renamed, Path(unquote(urlparse(renamed_target).path))
        return renamed_target, renamed, None
    if Path(renamed_target).is_absolute() or Path(renamed_target).drive:
        return renamed_target, renamed, Path(renamed_target)
    schema = Path(os.path.abspath(Path(source_dir) / renamed_target))
    here = os.path.abspath(output_dir)
    if os.path.abspath(source_dir) == here:
        return renamed_target, renamed, schema
    try:
        relative = Path(os.path.relpath(schema, here)).as_posix()
    except ValueError:  # another drive (Windows)
        return schema.as_uri(), renamed, schema
    return relative, renamed, schema


KIND_FILES = {
    "manifest": "manifest (kader/<versie>.yaml)",
    "vragen": "vragenbestand (kader/vragen-<versie>.yaml)",
    "regel": "regel ({rules}/<ID>.yaml)",
    "assessment": "assessment",
    "regio": "regiobestand (assessments/regio-*.yaml)",
}


@record
class HeaderTarget:
    """The schema line for one kind of file, and for which files it is right."""

    kind: str  # manifest | vragen | regel | assessment
    line: str  # the line to put on top of such a file
    target: str  # the path (or URI) in the line
    base: Path | None  # the folder a relative `target` is relative to; None: `target` is absolute
    files: str  # Dutch: which files this line is for


def _installed(path: Path) -> bool:
    """Whether `path` lies in an installed package (site-packages): nobody edits files there, and a
    relative path into it breaks at the next upgrade."""
    import sysconfig

    if any(part.lower() in ("site-packages", "dist-packages") for part in path.parts):
        return True
    for key in ("purelib", "platlib"):
        root = sysconfig.get_paths().get(key)
        if root and path.is_relative_to(Path(root).resolve()):
            return True
    return False


def _absolute(path: Path) -> str:
    return path.as_uri() if path.drive else path.as_posix()


def schema_headers(names, folder: Path, kader_root: Path, rules_folder: str = "rules",
                   cwd: Path | None = None) -> list[HeaderTarget]:
    """Per schema file written by `kader schema` the line to put on top of a file of its kind.

    The path is relative to where such files live: kader/ of the Kader folder for manifests and
    questions files, its rule folder for rules, and for assessments its assessments/ folder when
    it has one, else the working folder. It is absolute instead when a relative path would climb
    more than MAX_CLIMB folders, or lead into or out of an installed package (the bundled Kader in
    site-packages): an absolute path works for a file in any folder. Looks at the file system
    (resolving paths, whether assessments/ exists); writes nothing."""
    import os

    root = Path(kader_root).resolve()
    here = (Path(cwd) if cwd is not None else Path.cwd()).resolve()
    assessments = root / "assessments"
    where = {"manifest": root / "kader", "vragen": root / "kader", "regel": root / rules_folder,
             "assessment": assessments if assessments.is_dir() and not _installed(assessments) else here}
    where["regio"] = where["assessment"]
    schemas = Path(folder).resolve()
    out = []
    for name in names:
        kind = name.split(".")[0].split("-")[0]
        schema = schemas / name
        base = where[kind]
        target = None
        if not _installed(base) and not _installed(schema):
            try:
                relative = Path(os.path.relpath(schema, base))
            except ValueError:  # another drive (Windows)
                relative = None
            # relative only within a shared folder below the root, and not too far up
            if relative is not None and relative.parts.count("..") <= MAX_CLIMB and \
                    Path(os.path.commonpath([schema, base])) != Path(schema.anchor):
                target = relative.as_posix()
        files = KIND_FILES[kind].format(rules=rules_folder)
        if target is None:
            out.append(HeaderTarget(kind, header_line(_absolute(schema)), _absolute(schema), None, files))
        else:
            out.append(HeaderTarget(kind, header_line(target), target, base, files))
    return out


def header_targets(names, folder: Path, kader_root: Path, rules_folder: str = "rules") -> list[tuple[str, str]]:
    """Per schema file (kind, the header line to put on top of such a file); see `schema_headers`."""
    return [(h.kind, h.line) for h in schema_headers(names, folder, kader_root, rules_folder)]


def header_instructions(names, folder: Path, kader_root: Path, rules_folder: str = "rules",
                        cwd: Path | None = None) -> list[str]:
    """What `kader schema` prints after writing the schemas: per kind of file the line to put on top
    of it, and relative to which folder its path is (or that it is absolute)."""
    here = (Path(cwd) if cwd is not None else Path.cwd()).resolve()
    out = ["Zet als eerste regel in een YAML-bestand de regel voor zijn soort:"]
    relative = False
    for h in schema_headers(names, folder, kader_root, rules_folder, cwd=here):
        if h.base is None:
            where = "absoluut pad, werkt voor een bestand in elke map"
        else:
            relative = True
            where = f"pad relatief aan de map {h.base}"
            if h.base == here:
                where += " (de huidige map)"
            elif h.base.is_relative_to(here):
                where += f" ({h.base.relative_to(here).as_posix()}/ in de huidige map)"
        out += [f"  {h.files}; {where}:", f"    {h.line}"]
    if relative:
        out.append("Een relatief pad klopt alleen voor een bestand in die map. Staat het bestand elders, "
                   "maak het pad dan relatief aan dat bestand, of gebruik het absolute pad van de schemamap.")
    return out
