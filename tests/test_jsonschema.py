"""The JSON Schemas for editors (engine/jsonschema.py) mirror what the loaders accept.

Every shipped file validates against its schema; broken files are rejected by the schema *and*
by the real loader (so the schema is neither stricter nor looser on those cases); every key the
schema offers is accepted by the loader. Validation uses a small checker for exactly the subset of
JSON Schema the module emits (it refuses any keyword it does not know, so it cannot pass by
ignoring one); when the `jsonschema` package happens to be installed, every check runs with it too
(it is not a dependency of the project).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from kadertoets.evaluate.questiontypes import choice_labels
import yaml

from conftest import ASSESSMENTS, FIXTURES, MINI, ROOT
from kadertoets.editors import jsonschema as js
from kadertoets.load.assessment import load_assessment
from kadertoets.infra.errors import KaderFout
from kadertoets.load.kader import load_kader
from kadertoets.infra.yamlload import load_yaml_file

try:  # optional: the project does not depend on it
    import jsonschema as jsonschema_pkg
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema_pkg = None


# ---------------------------------------------------------------- a small validator ----------------

ANNOTATIONS = {"$schema", "$defs", "title", "description", "format", "examples", "default", "$comment"}


class SchemaError(Exception):
    pass


def _json_equal(a, b) -> bool:
    """Equality as JSON means it: true is not 1, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _has_type(value, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise SchemaError(f"unknown type {name}")


def mini_errors(schema, value, root=None, where="$") -> list[str]:
    """The errors of `value` against `schema`, for the keywords engine/jsonschema.py emits."""
    root = schema if root is None else root
    if schema is True:
        return []
    if schema is False:
        return [f"{where}: not allowed"]
    errors: list[str] = []
    for key, arg in schema.items():
        if key in ANNOTATIONS or key in ("then", "else"):
            continue
        if key == "$ref":
            assert arg.startswith("#/"), arg
            target = root
            for part in arg[2:].split("/"):
                target = target[part]
            errors += mini_errors(target, value, root, where)
        elif key == "type":
            names = arg if isinstance(arg, list) else [arg]
            if not any(_has_type(value, n) for n in names):
                errors.append(f"{where}: expected {arg}, got {value!r}")
        elif key == "enum":
            if not any(_json_equal(value, e) for e in arg):
                errors.append(f"{where}: {value!r} not in {arg}")
        elif key == "const":
            if not _json_equal(value, arg):
                errors.append(f"{where}: {value!r} is not {arg!r}")
        elif key == "pattern":
            if isinstance(value, str) and not re.search(arg, value):
                errors.append(f"{where}: {value!r} does not match {arg}")
        elif key in ("minimum", "maximum"):
            if _has_type(value, "number") and (value < arg if key == "minimum" else value > arg):
                errors.append(f"{where}: {value!r} violates {key} {arg}")
        elif key == "properties":
            if isinstance(value, dict):
                for name, sub in arg.items():
                    if name in value:
                        errors += mini_errors(sub, value[name], root, f"{where}.{name}")
        elif key == "additionalProperties":
            if isinstance(value, dict):
                known = schema.get("properties", {})
                for name in value:
                    if name not in known:
                        errors += mini_errors(arg, value[name], root, f"{where}.{name}")
        elif key == "propertyNames":
            if isinstance(value, dict):
                for name in value:
                    errors += mini_errors(arg, name, root, f"{where} key {name!r}")
        elif key == "required":
            if isinstance(value, dict):
                errors += [f"{where}: missing {name}" for name in arg if name not in value]
        elif key == "items":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    errors += mini_errors(arg, item, root, f"{where}[{i}]")
        elif key == "minItems":
            if isinstance(value, list) and len(value) < arg:
                errors.append(f"{where}: fewer than {arg} items")
        elif key == "uniqueItems":
            if arg and isinstance(value, list) and any(
                    _json_equal(x, y) for i, x in enumerate(value) for y in value[i + 1:]):
                errors.append(f"{where}: items not unique")
        elif key == "anyOf":
            results = [mini_errors(s, value, root, where) for s in arg]
            if all(results):
                errors.append(f"{where}: matches none of anyOf ({'; '.join(r[0] for r in results)})")
        elif key == "oneOf":
            matches = sum(not mini_errors(s, value, root, where) for s in arg)
            if matches != 1:
                errors.append(f"{where}: matches {matches} of oneOf, expected exactly 1")
        elif key == "allOf":
            for s in arg:
                errors += mini_errors(s, value, root, where)
        elif key == "not":
            if not mini_errors(arg, value, root, where):
                errors.append(f"{where}: matches a 'not' schema")
        elif key == "if":
            branch = "else" if mini_errors(arg, value, root, where) else "then"
            if branch in schema:
                errors += mini_errors(schema[branch], value, root, where)
        else:
            raise SchemaError(f"the test validator does not know keyword {key!r}")
    return errors


def jsonschema_errors(schema, value) -> list[str]:
    validator = jsonschema_pkg.Draft202012Validator(schema)
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(value)]


VALIDATORS = [pytest.param(mini_errors, id="mini")]
if jsonschema_pkg is not None:
    VALIDATORS.append(pytest.param(jsonschema_errors, id="jsonschema"))


@pytest.fixture(params=VALIDATORS)
def errors_of(request):
    return request.param


def as_json(value):
    """What a YAML language server sees: plain mappings and lists, dates as JJJJ-MM-DD text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def plain(value):
    """A loaded YAML document as plain Python (dates kept), to change and dump again."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def read(path: Path):
    return plain(load_yaml_file(path))


# ---------------------------------------------------------------- fixtures ----------------------------

@pytest.fixture(scope="module")
def bundled():
    return load_kader(ROOT, "1.0")


@pytest.fixture(scope="module")
def mini():
    return load_kader(MINI, "1.0")


@pytest.fixture(scope="module")
def bundled_files(bundled):
    return js.schema_files(bundled)


@pytest.fixture(scope="module")
def mini_files(mini):
    return js.schema_files(mini)


# ---------------------------------------------------------------- the validator itself ---------------

def test_the_test_validator_refuses_unknown_keywords_and_can_fail():
    with pytest.raises(SchemaError):
        mini_errors({"maxLength": 3}, "abcd")
    schema = {"type": "object", "properties": {"a": {"enum": [1]}}, "required": ["a"], "additionalProperties": False}
    assert mini_errors(schema, {"a": 1}) == []
    assert mini_errors(schema, {"a": True})  # true is not 1
    assert mini_errors(schema, {"a": 1, "b": 2})
    assert mini_errors(schema, {})


# ---------------------------------------------------------------- shape of the schemas ----------------

def test_schema_files_names_and_dialect(bundled_files):
    assert set(bundled_files) == {"manifest.schema.json", "vragen.schema.json", "regel-1.0.schema.json",
                                  "assessment-1.0.schema.json", "regio-1.0.schema.json"}
    for name, schema in bundled_files.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["title"].startswith("Kadertoets: ") and schema["description"], name
        assert "$id" not in schema
        # pure JSON: no tuples, dates or other Python objects (a tuple would not round-trip equal)
        assert json.loads(json.dumps(schema, ensure_ascii=False)) == schema, name


@pytest.mark.skipif(jsonschema_pkg is None, reason="het pakket jsonschema is niet geïnstalleerd")
@pytest.mark.parametrize("kader_dir", [ROOT, MINI], ids=["bundled", "mini"])
def test_schemas_are_valid_draft_2020_12(kader_dir):
    files = js.schema_files(load_kader(kader_dir, "1.0"))
    files["regel.schema.json"] = js.rule_schema()
    for schema in files.values():
        jsonschema_pkg.Draft202012Validator.check_schema(schema)


def test_every_question_is_a_fact_with_its_type_and_values(bundled):
    feiten = js.assessment_schema(bundled)["properties"]["feiten"]
    assert feiten["additionalProperties"] is False
    assert list(feiten["properties"]) == list(bundled.questions)
    expected_type = {"ja_nee": "boolean", "geheel_getal": "integer", "getal": "number", "tekst": "string",
                     "datum": "string", "keuze": "string", "meerkeuze": "array"}
    for path, q in bundled.questions.items():
        fact = feiten["properties"][path]
        assert fact["title"] == q.question
        short, empty, long = fact["anyOf"]
        # yes/no and numbers may also be written as Dutch text (ja, 0,5, 85%): the typed form comes first
        typed = short["anyOf"][0] if "anyOf" in short else short
        assert typed["type"] == expected_type[q.type], path
        assert ("anyOf" in short) == (q.type in ("ja_nee", "geheel_getal", "getal")), path
        assert empty == {"type": "null"}
        assert set(long["properties"]) == {"waarde", "toelichting", "bewijs", "bewijs_datum", "bewijs_document", "herbevestigen"} and long["additionalProperties"] is False
        assert long["properties"]["waarde"]["anyOf"][0] == short
        labels = [label for _, label in q.labels if label not in q.values] if choice_labels(q) else []  # for its value
        if q.type == "keuze":
            assert short["enum"] == list(q.values) + labels
        elif q.type == "meerkeuze":
            assert short["items"]["enum"] == list(q.values) + labels and short["uniqueItems"] is True
        else:
            assert "enum" not in short
        if q.minimum is not None:
            assert typed["minimum"] == q.minimum
        if q.maximum is not None:
            assert typed["maximum"] == q.maximum
        if q.help:
            assert q.help.strip() in fact["description"]
        if q.unit:
            assert q.unit in fact["description"]


def test_plan_actions_name_the_rules_statuses_and_roles(bundled):
    plan = js.assessment_schema(bundled)["properties"]["transformatieplan"]
    action = plan["anyOf"][0]["items"]
    assert action["properties"]["eis"]["enum"] == list(bundled.rules)
    assert action["properties"]["status"]["enum"] == ["gepland", "behaald", "deels_behaald", "niet_behaald"]
    assert action["properties"]["eigenaar"]["examples"] == list(bundled.roles)


def test_rule_schema_offers_the_fields_roles_and_deadlines_of_the_kader(bundled):
    schema = js.rule_schema(bundled)
    veld = next(s for s in schema["$defs"]["voorwaarde"]["anyOf"] if "veld" in s["properties"])
    assert set(veld["properties"]["veld"]["enum"]) == set(bundled.all_questions()) | {
        "team.taken.jeugd", "team.taken.wmo", "team.gemeente", "team.organisatie"}
    actie = schema["properties"]["actie"]["properties"]
    assert actie["eigenaar"]["enum"] == list(bundled.roles)
    assert actie["deadline"]["enum"] == list(bundled.deadlines)


def test_drift_between_loader_keys_and_schema_fails_loudly(monkeypatch, bundled):
    """A key added to a format declaration (load/formats.py) without a schema for it must not go unnoticed."""
    from dataclasses import replace

    from kadertoets.load import formats

    def with_key(block, name):
        return replace(block, keys=block.keys + (formats.Key(name, False, "nieuw"),))

    monkeypatch.setattr(formats, "ASSESSMENT", with_key(formats.ASSESSMENT, "bijlagen"))
    with pytest.raises(AssertionError, match="bijlagen"):
        js.assessment_schema(bundled)
    monkeypatch.undo()
    monkeypatch.setattr(formats, "RULE", with_key(formats.RULE, "prioriteit"))
    with pytest.raises(AssertionError, match="prioriteit"):
        js.rule_schema()


# ---------------------------------------------------------------- shipped files validate --------------

RULE_FILES = sorted((ROOT / "rules").glob("*.yaml"))
TREND = sorted((FIXTURES / "trend").glob("*.yaml"))


def test_shipped_files_are_all_there():
    assert len(ASSESSMENTS) == 7 and len(RULE_FILES) >= 26


@pytest.mark.parametrize("path", ASSESSMENTS + TREND, ids=lambda p: p.name)
def test_shipped_assessments_validate(path, bundled_files, errors_of):
    assert errors_of(bundled_files["assessment-1.0.schema.json"], as_json(read(path))) == []


def test_shipped_regional_file_validates_and_a_team_fact_in_it_does_not(bundled_files, errors_of):
    doc = as_json(read(ROOT / "assessments" / "regio-2023-03.yaml"))
    assert errors_of(bundled_files["regio-1.0.schema.json"], doc) == []
    doc["feiten"]["veiligheid.aandachtsfunctionarissen"] = 2
    assert errors_of(bundled_files["regio-1.0.schema.json"], doc) != []


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_shipped_rules_validate(path, bundled_files, errors_of):
    doc = as_json(read(path))
    assert errors_of(bundled_files["regel-1.0.schema.json"], doc) == []
    assert errors_of(js.rule_schema(), doc) == []  # and against the generic rule schema


def test_shipped_manifest_and_questions_validate(bundled_files, errors_of):
    assert errors_of(bundled_files["manifest.schema.json"], as_json(read(ROOT / "kader" / "1.0.yaml"))) == []
    assert errors_of(bundled_files["vragen.schema.json"], as_json(read(ROOT / "kader" / "vragen-1.0.yaml"))) == []


def test_mini_fixture_validates(mini_files, errors_of):
    assert errors_of(mini_files["manifest.schema.json"], as_json(read(MINI / "kader" / "1.0.yaml"))) == []
    assert errors_of(mini_files["vragen.schema.json"], as_json(read(MINI / "kader" / "vragen-1.0.yaml"))) == []
    for path in sorted((MINI / "rules").glob("*.yaml")):
        assert errors_of(mini_files["regel-1.0.schema.json"], as_json(read(path))) == [], path.name
    assert errors_of(mini_files["assessment-1.0.schema.json"], as_json(read(FIXTURES / "mini-team.yaml"))) == []


# ---------------------------------------------------------------- schema and loader agree -------------
# Each case: a change to a valid file of the mini fixture, and whether the loader accepts the result.
# The schema must give the same answer (with either validator).

def _dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def loader_accepts_assessment(tmp_path, doc) -> bool:
    path = tmp_path / "team.yaml"
    path.write_text(_dump(doc), encoding="utf-8")
    try:
        load_assessment(path, load_kader(MINI, "1.0"))
    except KaderFout:
        return False
    return True


def loader_accepts_kader_file(tmp_path, relative: str, doc) -> bool:
    folder = tmp_path / "kader-dir"
    shutil.copytree(MINI, folder)
    (folder / relative).write_text(_dump(doc), encoding="utf-8")
    try:
        load_kader(folder, "1.0")  # the schema checks form, not semantics
    except KaderFout:
        return False
    return True


def _set(path: str, value):
    """A change: set a (dotted; [i] for list items) key to value; value DELETE removes it."""
    def change(doc):
        *parents, last = _split(path)
        target = doc
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return change


def _split(path: str) -> list:
    parts = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", path.replace("\\.", "\0")):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece.replace("\0", "."))
    return parts


DELETE = object()
D = dt.date

ASSESSMENT_CASES = {
    "unchanged": (lambda d: None, True),
    "every optional key": (lambda d: d.update({
        "ingevuld_door": {"naam": "A. de Vries", "rol": "teamleider", "datum": D(2023, 3, 2), "toelichting": "x"},
        "transformatieplan": [{"eis": "T-A-01", "omschrijving": "Werven", "eigenaar": "wie dan ook",
                               "deadline": None, "status": "deels_behaald", "id": "A1",
                               "deadline_verplaatst": [{"naar": D(2023, 9, 1)}], "extra_middelen_nodig": True,
                               "toelichting": "x"}]}), True),
    "kader as an unquoted decimal number": (_set("kader", 1.0), False),
    "empty feiten": (_set("feiten", None), True),
    "empty transformatieplan": (_set("transformatieplan", None), True),
    "short fact left empty": (_set("feiten.a\\.aantal", None), True),
    "long fact with empty waarde": (_set("feiten.a\\.keuze", {"waarde": None}), True),
    "decimal where a number is asked": (_set("feiten.a\\.aantal", 2.5), False),
    "unknown top key": (_set("opmerking", "x"), False),
    "missing team": (_set("team", DELETE), False),
    "unknown fact": (_set("feiten.a\\.onbekend", 1), False),
    "choice outside the allowed values": (_set("feiten.a\\.keuze", "gepland"), False),
    "text where a number is asked": (_set("feiten.a\\.aantal", "twee"), False),
    "a whole number written as text": (_set("feiten.a\\.aantal", "2"), True),
    "a thousands separator": (_set("feiten.a\\.aantal", "1.000"), False),
    "a decimal where a whole number is asked": (_set("feiten.a\\.aantal", "2,5"), False),
    "a percent sign outside a percentage": (_set("feiten.a\\.aantal", "2%"), False),
    "a Dutch date": (_set("feiten.b\\.datum", "15-6-2023"), True),
    "a choice written as its label": (_set("feiten.a\\.keuze", "een concept"), True),
    "boolean where a number is asked": (_set("feiten.a\\.aantal", True), False),
    "number below the minimum": (_set("feiten.a\\.aantal", -1), False),
    "date as loose text": (_set("feiten.b\\.datum", "1 maart 2023"), False),
    "long form with an unknown key": (_set("feiten.a\\.keuze.bron", "S0"), False),
    "long form with only bewijs": (_set("feiten.a\\.keuze", {"bewijs": "S0"}), False),
    "empty toelichting": (_set("feiten.b\\.datum.toelichting", "  "), False),
    "action with an unknown status": (_set("transformatieplan[0].status", "klaar"), False),
    "action for an unknown rule": (_set("transformatieplan[0].eis", "T-X-99"), False),
    "action without omschrijving": (_set("transformatieplan[0].omschrijving", DELETE), False),
    "action with an unknown key": (_set("transformatieplan[0].prioriteit", 1), False),
    "moved deadline without naar": (_set("transformatieplan[0].deadline_verplaatst[0].naar", DELETE), False),
    "team id with a space": (_set("team.id", "mini team"), False),
    "team without wmo task": (_set("team.taken.wmo", DELETE), False),
    "ingevuld_door with an unknown key": (_set("ingevuld_door", {"email": "x@example.org"}), False),
    "peildatum with a time": (_set("peildatum", "2023-03-01 10:00"), False),
}


@pytest.mark.parametrize("case", list(ASSESSMENT_CASES))
def test_assessment_schema_agrees_with_the_loader(case, tmp_path, mini_files, errors_of):
    change, accepted = ASSESSMENT_CASES[case]
    doc = read(FIXTURES / "mini-team.yaml")
    change(doc)
    assert loader_accepts_assessment(tmp_path, doc) is accepted, "the case itself is wrong"
    errors = errors_of(mini_files["assessment-1.0.schema.json"], as_json(doc))
    assert (errors == []) is accepted, errors


RULE_CASES = {
    "unchanged": ("T-A-01", lambda d: None, True),
    "rule reference with one status": ("T-B-01", _set("norm.voldoet.alle[0].status", "voldoet"), True),
    "every optional key": ("T-B-01", lambda d: d.update({
        "wijziging": "x",
        "van_toepassing": {"niet": {"veld": "team.taken.wmo", "is": False}},
        "bronnen": [{"bron": "S4", "sectie": "§2", "citaat": "x", "rol": "illustratie"},
                    {"url": "https://example.org/", "sectie": "y", "rol": "grondslag"}],
        "voorbeelden": d["voorbeelden"] + [{"naam": "alles", "feiten": {"a.keuze": {"waarde": "geen", "bewijs": "S0"}},
                                            "team_taken": {"wmo": True}, "regels": {"T-A-01": "nvt"},
                                            "peildatum": D(2023, 5, 1), "verwacht": "voldoet_niet"}]}), True),
    "field present": ("T-A-01", _set("norm.deels", {"veld": "b.datum", "aanwezig": True}), True),
    "unknown top key": ("T-A-01", _set("prioriteit", 1), False),
    "missing voorbeelden": ("T-A-01", _set("voorbeelden", DELETE), False),
    "two operators": ("T-A-01", _set("norm.voldoet.max", 5), False),
    "no operator": ("T-A-01", _set("norm.voldoet", {"veld": "a.aantal"}), False),
    "unknown operator": ("T-A-01", _set("norm.voldoet", {"veld": "a.aantal", "gelijk": 2}), False),
    "min on a choice": ("T-B-01", _set("norm.voldoet.alle[1]", {"veld": "a.keuze", "min": 1}), False),
    "is with a value that is not allowed": ("T-B-01", _set("norm.voldoet.alle[1].is", "gepland"), False),
    "is with text on a number": ("T-A-01", _set("norm.voldoet", {"veld": "a.aantal", "is": "twee"}), False),
    "in with an empty list": ("T-B-01", _set("norm.deels.een_van[0].in", []), False),
    "within too many months": ("T-B-01", _set("norm.deels.een_van[1].binnen_maanden", 1201), False),
    "count on a number field": ("T-A-01", _set("norm.voldoet", {"veld": "a.aantal", "aantal_min": 1}), False),
    "unknown field": ("T-A-01", _set("norm.voldoet.veld", "a.aantl"), False),
    "combinator with an extra key": ("T-B-01", _set("norm.voldoet.veld", "a.aantal"), False),
    "rule reference without status": ("T-B-01", _set("norm.voldoet.alle[0].status", DELETE), False),
    "rule reference with an unknown status": ("T-B-01", _set("norm.voldoet.alle[0].status", ["goed"]), False),
    "rule reference to an unknown rule": ("T-B-01", _set("norm.voldoet.alle[0].regel", "T-C-01"), False),
    "derived norm without explanation": ("T-A-01", _set("norm_toelichting", DELETE), False),
    "unknown responsible party": ("T-A-01", _set("verantwoordelijk", "provincie"), False),
    "unknown role": ("T-A-01", _set("actie.eigenaar", "wethouder"), False),
    "unknown deadline": ("T-A-01", _set("actie.deadline", "ooit"), False),
    "no sources": ("T-A-01", _set("bronnen", []), False),
    "unknown source code": ("T-A-01", _set("bronnen[0].bron", "S9"), False),
    "source without bron or url": ("T-A-01", _set("bronnen[0]", {"sectie": "§1"}), False),
    "url without http": ("T-B-01", _set("bronnen[0].url", "example.org"), False),
    "unknown source role": ("T-A-01", _set("bronnen[0].rol", "voorbeeld"), False),
    "source as illustration only, basis not stated": ("T-A-01", _set("bronnen[0].rol", "illustratie"), True),
    "unknown basis": ("T-B-01", _set("grondslag", "wet"), False),
    "basis outside the sources without explanation": ("T-B-01", _set("grondslag_toelichting", DELETE), False),
    "basis explanation without buiten_bronnen": ("T-A-01", _set("grondslag_toelichting", "x"), False),
    "basis outside the sources but a seed as basis": (
        "T-B-01", _set("bronnen", [{"bron": "S0", "sectie": "§1"}, {"url": "https://example.org/"}]), False),
    "basis outside the sources, seed as illustration": (
        "T-B-01", _set("bronnen", [{"bron": "S0", "sectie": "§1", "rol": "illustratie"}]), True),
    "unknown expected status": ("T-A-01", _set("voorbeelden[0].verwacht", "ok"), False),
    "example with an unknown key": ("T-A-01", _set("voorbeelden[0].toelichting", "x"), False),
    "example with an unknown fact": ("T-A-01", _set("voorbeelden[0].feiten", {"a.aantl": 2}), False),
    "example with an unknown task": ("T-A-01", _set("voorbeelden[4].team_taken.zorg", True), False),
    "rule id in the wrong form": ("T-A-01", _set("id", "t-a-01"), False),
}


@pytest.mark.parametrize("case", list(RULE_CASES))
def test_rule_schema_agrees_with_the_loader(case, tmp_path, mini_files, errors_of):
    rule_id, change, accepted = RULE_CASES[case]
    doc = read(MINI / "rules" / f"{rule_id}.yaml")
    change(doc)
    assert loader_accepts_kader_file(tmp_path, f"rules/{rule_id}.yaml", doc) is accepted, "the case itself is wrong"
    errors = errors_of(mini_files["regel-1.0.schema.json"], as_json(doc))
    assert (errors == []) is accepted, errors


MANIFEST_CASES = {
    "unchanged": (lambda d: None, True),
    "every optional key": (lambda d: d.update({
        "ingangsdatum_toelichting": "afgeleid", "toelichting": "x", "bron": "S0 §1",
        "deadlines": {"nieuwe_rol_2024": {"datum": D(2024, 1, 1), "label": "x", "bron": "S0", "afgeleid": True,
                                          "toelichting": "x"}}}), True),
    "version as an unquoted decimal number": (_set("versie", 1.0), False),
    "unknown status": (_set("status", "definitief"), False),
    "unknown key": (_set("auteur", "x"), False),
    "no rules": (_set("regels", []), False),
    "rule listed twice": (_set("regels", ["T-A-01", "T-B-01", "T-A-01"]), False),
    "deadline without label": (_set("deadlines.nieuwe_rol_2024.label", DELETE), False),
    "deadline with an unknown key": (_set("deadlines.nieuwe_rol_2024.dag", 1), False),
    "role that is not text": (_set("rollen.implementatieverantwoordelijke", 3), False),
    "missing questions file name": (_set("vragen", DELETE), False),
}


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
def test_manifest_schema_agrees_with_the_loader(case, tmp_path, mini_files, errors_of):
    change, accepted = MANIFEST_CASES[case]
    doc = read(MINI / "kader" / "1.0.yaml")
    change(doc)
    assert loader_accepts_kader_file(tmp_path, "kader/1.0.yaml", doc) is accepted, "the case itself is wrong"
    errors = errors_of(mini_files["manifest.schema.json"], as_json(doc))
    assert (errors == []) is accepted, errors


QUESTION_CASES = {
    "unchanged": (lambda d: None, True),
    "every optional key": (_set("vragen.c\\.fte", {"type": "getal", "vraag": "Hoeveel fte?", "hulp": "x",
                                                  "eenheid": "fte", "minimum": 0, "maximum": 99.5, "thema": "T"}),
                           True),
    "multiple choice": (_set("vragen.c\\.dagen", {"type": "meerkeuze", "waarden": ["ma", "di"], "vraag": "Welke?"}),
                        True),
    "unknown type": (_set("vragen.a\\.aantal.type", "lijst"), False),
    "choice without values": (_set("vragen.a\\.keuze.waarden", DELETE), False),
    "values on a text question": (_set("vragen.c\\.x", {"type": "tekst", "vraag": "?", "waarden": ["a"]}), False),
    "minimum on a text question": (_set("vragen.c\\.x", {"type": "tekst", "vraag": "?", "minimum": 1}), False),
    "duplicate values": (_set("vragen.a\\.keuze.waarden", ["geen", "concept", "vastgesteld", "geen"]), False),
    "reserved team path": (_set("vragen.team\\.grootte", {"type": "geheel_getal", "vraag": "?"}), False),
    "path with a capital": (_set("vragen.C\\.x", {"type": "tekst", "vraag": "?"}), False),
    "question without vraag": (_set("vragen.a\\.aantal.vraag", DELETE), False),
    "unknown question key": (_set("vragen.a\\.aantal.opties", 1), False),
    "unknown top key": (_set("versie", "1.0"), False),
}


@pytest.mark.parametrize("case", list(QUESTION_CASES))
def test_questions_schema_agrees_with_the_loader(case, tmp_path, mini_files, errors_of):
    change, accepted = QUESTION_CASES[case]
    doc = read(MINI / "kader" / "vragen-1.0.yaml")
    change(doc)
    assert loader_accepts_kader_file(tmp_path, "kader/vragen-1.0.yaml", doc) is accepted, "the case itself is wrong"
    errors = errors_of(mini_files["vragen.schema.json"], as_json(doc))
    assert (errors == []) is accepted, errors


def test_team_id_pattern_never_refuses_what_the_loader_accepts():
    """ASCII: exactly the loader's rule (letters, digits, - _ .); other scripts' letters are allowed."""
    pattern = re.compile(js.TEAM_ID_PATTERN)
    for c in [chr(i) for i in range(32, 127)] + list("éüßçλж\u00a0\u2003"):
        loader = all(ch.isalnum() or ch in "-_." for ch in f"a{c}b")
        schema = bool(pattern.search(f"a{c}b"))
        if c.isascii() or c.isspace():
            assert schema is loader, repr(c)
        else:
            assert schema or not loader, repr(c)


# ---------------------------------------------------------------- header line ------------------------

def test_header_line():
    assert js.header_line("../schemas/assessment-1.0.schema.json") == \
        "# yaml-language-server: $schema=../schemas/assessment-1.0.schema.json"
    assert js.header_line("schemas\\regel-1.0.schema.json") == "# yaml-language-server: $schema=schemas/regel-1.0.schema.json"
    with pytest.raises(ValueError):
        js.header_line("a.json\n# x")
    with pytest.raises(ValueError):
        js.header_line("")


def test_a_file_with_the_header_line_still_loads(tmp_path, mini):
    text = (FIXTURES / "mini-team.yaml").read_text(encoding="utf-8")
    path = tmp_path / "team.yaml"
    path.write_text(js.header_line("assessment-1.0.schema.json") + "\n" + text, encoding="utf-8")
    assert load_assessment(path, mini).team.id == "mini"
