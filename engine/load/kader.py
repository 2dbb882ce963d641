"""Loading one Kader version: manifest (`kader/<versie>.yaml`), questions and rules (`rules/<id>.yaml`).

Loading fails closed: any problem in any file (reported all at once, each with file and line)
stops the run, so a rule that cannot be evaluated is never skipped silently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path

from kadertoets.evaluate.conditions import compile_condition, fields_of, rule_dependencies
from kadertoets.evaluate.operators import MAX_MONTHS
from kadertoets.infra.cli_names import suggest
from kadertoets.infra.errors import KaderFout, Problem, display_path, excerpt, os_reason
from kadertoets.infra.lintcodes import Code
from kadertoets.load import formats
from kadertoets.load.facts import parse_facts
from kadertoets.model import (BASES, REGION_PREFIX, RESPONSIBLE, SOURCE_CODES, SOURCE_ROLES, ActionTemplate, Deadline,
                              Example, Kader, RegionalProduct, Rule, Source, Status)
from kadertoets.load.questions import load_questions, load_region_questions
from kadertoets.infra.located import Node, collect, hint_with
from kadertoets.infra.yamlload import load_yaml_file

VERSION_RE = re.compile(r"^\d+(\.\d+)*$")
RULE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
RULES_FOLDER_RE = re.compile(r"^rules[A-Za-z0-9._-]*$")
QUESTIONS_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")  # a file name in kader/, nothing more


def version_key(version: str) -> tuple:
    return tuple(int(x) for x in version.split("."))


def available_versions(kader_dir: Path) -> dict[str, Path]:
    """Manifests in <kader_dir>/kader/: files named <versie>.yaml."""
    folder = kader_dir / "kader"
    if not _is_dir(folder):
        raise KaderFout.single(
            "map 'kader/' met Kader-manifesten niet gevonden",
            file=display_path(kader_dir),
            hint=f"Geef met {suggest('--kader-map')} een map op die 'kader/' en 'rules/' bevat.", code=Code.UNREADABLE
        )
    found = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise KaderFout.single(f"map kan niet gelezen worden ({os_reason(exc)})", file=display_path(folder),
                               hint="Controleer de leesrechten van de map.", code=Code.UNREADABLE) from None
    for path in entries:
        if path.suffix in (".yaml", ".yml") and VERSION_RE.match(path.stem):
            if not _is_file(path):  # a FIFO or device would make every command wait forever
                raise KaderFout.single("dit manifest is geen gewoon bestand (maar een map, pijp of apparaat)",
                                       file=display_path(path), code=Code.MISSING_REFERENCE,
                                       hint="Een manifest is een YAML-bestand; verwijder of hernoem dit.")
            if path.stem in found:
                raise KaderFout.single(
                    f"versie {path.stem} staat twee keer in de map: {found[path.stem].name} en {path.name}",
                    file=display_path(path), code=Code.DUPLICATE_ID,
                    hint="Houd één manifest per versie; verwijder of hernoem een van beide.")
            found[path.stem] = path
    if not found:
        raise KaderFout.single("geen Kader-manifest (zoals 1.0.yaml) gevonden", file=display_path(folder), code=Code.UNREADABLE)
    return found


def inside(kader_dir: Path, path: Path) -> bool:
    """Whether `path` (after resolving every symbolic link) lies within the Kader folder: a Kader
    may only make us read its own files, never /etc/passwd through a name or a link."""
    try:
        return path.resolve().is_relative_to(Path(kader_dir).resolve())
    except (OSError, RuntimeError):  # unreadable, or a loop of links
        return False


def _outside(what: str, kader_dir: Path) -> str:
    return f"{what} ligt buiten de Kader-map {display_path(kader_dir)} (via '..', een absoluut pad of een koppeling)"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def resolve_version(kader_dir: Path, version: str | None) -> str:
    versions = available_versions(kader_dir)
    if version is None:
        return max(versions, key=version_key)
    if version not in versions:
        raise KaderFout.single(
            f"onbekende Kaderversie '{version}'",
            file=display_path(kader_dir / "kader"),
            field="kader",
            hint=hint_with(version, versions, "Beschikbaar: " + ", ".join(sorted(versions, key=version_key)) + "."), code=Code.MISSING_REFERENCE
        )
    return version


class PartialLoad(KaderFout):
    """A Kader version that does not load, with what did: `partial` is the Kader built from the rules
    that loaded (when the manifest or the questions themselves fail, a plain KaderFout is raised
    instead), so `kader lint` can check those rules too and report every problem at once."""

    def __init__(self, problems, partial: "Kader | None"):
        super().__init__(list(problems))
        self.partial = partial


_CACHE: dict = {}


def load_kader(kader_dir: Path, version: str | None = None) -> Kader:
    """Load one Kader version and validate its files (memoised per process on folder, version and file
    times). Only loads: the semantic checks that `kader lint` also makes (norms that cannot be right,
    examples that give another status) are validate/semantic.py, which check, plan, sweep and trend
    call before they use a Kader (fail closed); the editors' commands show a Kader with such errors."""
    kader_dir = Path(kader_dir)
    version = resolve_version(kader_dir, version)
    stamp = _stamp(kader_dir)
    key = (str(kader_dir.resolve()), version)
    hit = _CACHE.get(key)
    if stamp is not None and hit and hit[0] == stamp:
        return hit[1]
    kader = _load(kader_dir, version)
    if stamp is not None:
        _CACHE[key] = (stamp, kader)
    return kader


def kader_files(kader_dir: Path) -> list[Path]:
    """Every file a Kader folder's versions can read: kader/* and the rule folders rules*/*
    (sorted). Raises OSError when one cannot be listed."""
    kader_dir = Path(kader_dir)
    with os.scandir(kader_dir) as entries:  # scandir, not glob: this runs at every start (snapshot key)
        folders = ["kader"] + sorted(e.name for e in entries if e.name.startswith("rules") and e.is_dir())
    out = []
    for folder in folders:
        with os.scandir(kader_dir / folder) as entries:
            out.extend(kader_dir / folder / e.name for e in entries if e.is_file())
    return sorted(out)


def _stamp(kader_dir: Path):
    try:
        items = []
        for p in kader_files(kader_dir):
            st = p.stat()
            items.append((str(p), st.st_mtime_ns, st.st_size))
    except OSError:
        return None  # unreadable: never cache; the load itself reports the problem
    return tuple(items)


_DATES: dict = {}


def effective_dates(kader_dir: Path) -> dict[str, "dt.date | None"]:
    """Per version the ingangsdatum its manifest states (None when it cannot be read; loading that
    version reports why). Memoised like load_kader."""
    kader_dir = Path(kader_dir)
    stamp = _stamp(kader_dir)
    key = str(kader_dir.resolve())
    hit = _DATES.get(key)
    if stamp is not None and hit and hit[0] == stamp:
        return hit[1]
    out = {}
    for version, path in available_versions(kader_dir).items():
        try:
            data = load_yaml_file(path)
            day = data.get("ingangsdatum") if isinstance(data, dict) else None
        except KaderFout:
            day = None
        out[version] = day if isinstance(day, dt.date) and not isinstance(day, dt.datetime) else None
    if stamp is not None:
        _DATES[key] = (stamp, out)
    return out


def version_on(kader_dir: Path, day: dt.date) -> str | None:
    """The version in effect on `day`: the latest whose ingangsdatum is on or before it (like a dated
    parameter); of two with the same date the higher version. None when none was in effect yet."""
    dates = effective_dates(kader_dir)
    candidates = [(d, version_key(v), v) for v, d in dates.items() if d is not None and d <= day]
    return max(candidates)[2] if candidates else None


def _load(kader_dir: Path, version: str) -> Kader:
    mpath = available_versions(kader_dir)[version]
    mshown = display_path(mpath)
    if not inside(kader_dir, mpath):
        raise KaderFout.single(_outside("dit manifest", kader_dir), file=mshown, code=Code.MISSING_REFERENCE,
                               hint="Zet het manifest zelf in de map kader/, niet een koppeling naar een bestand elders.")
    root = Node(load_yaml_file(mpath), mshown)
    root.mapping(required=formats.MANIFEST.required, optional=formats.MANIFEST.optional, what="het manifest")
    mversion = root.child("versie").version()
    if mversion != version:
        raise root.child("versie").fail(f"versie '{mversion}' komt niet overeen met de bestandsnaam '{mpath.name}'",
                                        f"Noem het bestand {mversion}.yaml of zet versie: \"{version}\".", code=Code.ID_MISMATCH)
    status = root.child("status").choice(("concept", "vastgesteld"))
    effective = root.child("ingangsdatum").date()
    document_date = root.child("documentdatum").date()
    roles = {}
    rnode = root.child("rollen").mapping_any()
    for key, node in rnode.items():
        roles[key] = node.text()
    deadlines = {}
    for key, node in root.child("deadlines").mapping_any().items():
        node.mapping(required=formats.DEADLINE.required, optional=formats.DEADLINE.optional, what=f"deadline '{key}'")
        deadlines[key] = Deadline(
            key=key,
            date=node.child("datum").date(),
            label=node.child("label").text(),
            source=node.child("bron").text() if node.has("bron") else None,
            derived=node.child("afgeleid").boolean() if node.has("afgeleid") else False,
        )
    qname = root.child("vragen").text()
    if not QUESTIONS_FILE_RE.match(qname):
        raise root.child("vragen").fail(
            f"ongeldige naam van het vragenbestand {excerpt(qname)}",
            "Noem alleen de naam van een .yaml-bestand in de map kader/, bv. vragen-1.0.yaml (zonder / of ..).",
            code=Code.VALUE_NOT_ALLOWED)
    qpath = mpath.parent / qname
    if not qpath.is_file():
        raise root.child("vragen").fail(f"vragenbestand {excerpt(qname)} bestaat niet in {display_path(mpath.parent)}",
                                        code=Code.MISSING_REFERENCE)
    if not inside(kader_dir, qpath):
        raise root.child("vragen").fail(_outside(f"vragenbestand {excerpt(qname)}", kader_dir), code=Code.MISSING_REFERENCE,
                                        hint="Zet het vragenbestand zelf in de map kader/, niet een koppeling.")
    qroot = Node(load_yaml_file(qpath), display_path(qpath))
    questions = load_questions(qroot)
    region_questions = load_region_questions(qroot)
    readable = {**questions, **region_questions}  # what conditions may read

    rnodes = root.child("regels").sequence(min_items=1)
    listed: list[tuple[Node, str]] = []
    problems: list[Problem] = []
    for e in rnodes.elements():
        rid = collect(problems, e.text)
        if rid is None:
            continue
        if not RULE_ID_RE.match(rid):  # an id is also a file name: never '../x' or '/etc/x'
            problems.append(e.problem(f"ongeldige regel-id {excerpt(rid)}",
                                      "Een regel-id is bv. KLT-VEI-01: hoofdletters, cijfers en streepjes.", code=Code.VALUE_NOT_ALLOWED))
            continue
        if rid in [r for _, r in listed]:
            problems.append(e.problem(f"regel '{rid}' staat dubbel in het manifest", code=Code.DUPLICATE_ID))
        listed.append((e, rid))
    changelog = _changelog(root.child("wijzigingen"))
    previous = None
    if root.has("vorige_versie"):
        previous = root.child("vorige_versie").version()
        if previous not in available_versions(kader_dir):
            raise root.child("vorige_versie").fail(
                f"vorige versie '{previous}' bestaat niet in {display_path(kader_dir / 'kader')}",
                hint_with(previous, available_versions(kader_dir), "Noem een bestaande versie of laat de sleutel weg."), code=Code.MISSING_REFERENCE)
        if version_key(previous) >= version_key(version):
            raise root.child("vorige_versie").fail(f"vorige versie '{previous}' is niet ouder dan {version}", code=Code.VALUE_NOT_ALLOWED)
    folder = "rules"
    if root.has("regels_map"):
        folder = root.child("regels_map").text()
        if not RULES_FOLDER_RE.match(folder):
            raise root.child("regels_map").fail(
                f"ongeldige regelmap {excerpt(folder)}",
                "Noem een map naast 'kader/' waarvan de naam met 'rules' begint, bv. rules-1.1 (zonder / of ..).", code=Code.VALUE_NOT_ALLOWED)
    rules_dir = kader_dir / folder
    if _is_dir(rules_dir) and not inside(kader_dir, rules_dir):
        raise root.child("regels_map" if root.has("regels_map") else "regels").fail(
            _outside(f"regelmap '{folder}/'", kader_dir), code=Code.MISSING_REFERENCE,
            hint="Zet de regelbestanden zelf in een map naast kader/, niet een koppeling naar een map elders.")
    if not _is_dir(rules_dir):
        if root.has("regels_map"):
            raise root.child("regels_map").fail(f"map '{folder}/' met de regelbestanden niet gevonden in "
                                                f"{display_path(kader_dir)}", code=Code.MISSING_REFERENCE)
        raise KaderFout.single("map 'rules/' met de regelbestanden niet gevonden", file=display_path(kader_dir),
                               hint="Een Kader-map bevat 'kader/' (manifesten en vragen) en 'rules/' (één bestand per eis).", code=Code.MISSING_REFERENCE)
    try:
        existing = sorted(p.stem for p in rules_dir.glob("*.yaml"))
    except OSError:
        existing = []
    rules = {}
    id_set = {rid for _, rid in listed}
    shown_dir = display_path(rules_dir)  # the rules folder is inside (checked above): a file in it that is
    for e, rid in listed:               # not a link is inside too, without resolving it again
        path = rules_dir / f"{rid}.yaml"
        link = path.is_symlink()
        if link and path.exists() and not inside(kader_dir, path):
            problems.append(e.problem(_outside(f"regelbestand {display_path(path)}", kader_dir), code=Code.MISSING_REFERENCE,
                                      hint="Zet het regelbestand zelf in de regelmap, niet een koppeling."))
            continue
        if path.exists() and not path.is_file():
            problems.append(e.problem(f"{display_path(path)} is geen bestand", "Een regel is één YAML-bestand per eis.", code=Code.MISSING_REFERENCE))
            continue
        if not path.exists():
            problems.append(e.problem(f"regel '{rid}' staat in het manifest, maar {display_path(path)} bestaat niet",
                                      hint_with(rid, existing, "Maak het regelbestand aan of verwijder de regel uit het manifest."), code=Code.MISSING_REFERENCE))
            continue
        rule = collect(problems, load_rule, path, readable, roles, deadlines, id_set,
                       None if link else os.path.join(shown_dir, path.name))
        if rule is not None:
            rules[rid] = rule
    problems += _history_problems(rules)
    exception_max, evidence_max = _exception_and_evidence_norms(root, questions, problems)
    name = collect(problems, root.child("naam").name)
    note = collect(problems, root.child("ingangsdatum_toelichting").text) if root.has("ingangsdatum_toelichting") \
        else None
    # with problems, the rules that did load still make a Kader, for lint (references to the others dropped)
    layers = collect(problems, dependency_layers, rules, missing_ok=bool(problems))
    kader = Kader(
        version=version,
        name=name,
        status=status,
        document_date=document_date,
        effective_date=effective,
        effective_note=note,
        roles=roles,
        deadlines=deadlines,
        questions=questions,
        rules=rules,
        layers=layers or (),
        root=display_path(kader_dir),
        changelog=changelog,
        previous_version=previous,
        rules_folder=folder,
        region_questions=region_questions,
        exception_max_months=exception_max,
        evidence_max_months=evidence_max,
    )
    if problems:
        raise PartialLoad(problems, kader)
    return kader


def _changelog(node: Node) -> tuple[str, ...]:
    """`wijzigingen`: one text, or a list of texts."""
    if isinstance(node.value, list):
        node.sequence(min_items=1)
        return tuple(e.text().strip() for e in node.elements())
    return (node.text().strip(),)


def _norm_months(node: Node) -> int:
    """A number of months in the manifest: a whole number from 1 to MAX_MONTHS."""
    months = node.integer(minimum=1)
    if months > MAX_MONTHS:
        raise node.fail(f"hoogstens {MAX_MONTHS} maanden (100 jaar), maar is {months}", code=Code.VALUE_NOT_ALLOWED)
    return months


def _derived_noted(node: Node, block, what: str) -> Node:
    """`afgeleid: true` needs a toelichting (as a derived norm of a rule does); its keys are `block`'s."""
    node.mapping(required=block.required, optional=block.optional, what=what)
    problems: list[Problem] = []
    derived = collect(problems, node.child("afgeleid").boolean) if node.has("afgeleid") else False
    for key in ("bron", "toelichting"):
        if node.has(key):
            collect(problems, node.child(key).text)
    if derived and not node.has("toelichting"):
        problems.append(node.problem(f"{what} is afgeleid, maar de toelichting ontbreekt",
                                     "Zeg onder 'toelichting:' waarom deze termijn gekozen is; geen bron noemt hem.",
                                     field=f"{node.path}.toelichting", code=Code.DERIVED_WITHOUT_NOTE))
    if problems:
        raise KaderFout(problems)
    return node


def _exception_and_evidence_norms(root: Node, questions: dict, problems: list[Problem]) -> tuple[int | None, dict]:
    """The manifest's `afwijkingen` (the longest validity of an afwijking, in months; None: none allowed)
    and `bewijs` (per question path the maximum age of its evidence in months: per_vraag, else per_thema
    of the question's theme, else max_leeftijd_maanden), every problem added to `problems`."""
    exception_max = None
    if root.has("afwijkingen"):
        node = root.child("afwijkingen")
        if collect(problems, _derived_noted, node, formats.EXCEPTION_POLICY, "afwijkingen") is not None:
            exception_max = collect(problems, _norm_months, node.child("max_geldigheid_maanden"))
    evidence: dict = {}
    if not root.has("bewijs"):
        return exception_max, evidence
    node = root.child("bewijs")
    if collect(problems, _derived_noted, node, formats.EVIDENCE_POLICY, "bewijs") is None:
        return exception_max, evidence
    default = collect(problems, _norm_months, node.child("max_leeftijd_maanden"))
    themes = sorted({q.theme for q in questions.values() if q.theme})
    by_theme = _months_by(node, "per_thema", themes, problems, "onbekend thema",
                          "Noem een thema van de vragen (thema: in het vragenbestand).")
    by_path = _months_by(node, "per_vraag", questions, problems, "onbekende vraag",
                         "Noem een vraagpad uit het vragenbestand ('kader vragen').")
    for path, q in questions.items():
        months = by_path.get(path, by_theme.get(q.theme, default))
        if months is not None:
            evidence[path] = months
    return exception_max, evidence


def _months_by(node: Node, key: str, known, problems: list[Problem], what: str, tail: str) -> dict:
    """`per_thema` or `per_vraag`: a name (a theme or question path of `known`) -> months."""
    if not node.has(key):
        return {}
    sub = collect(problems, node.child(key).mapping_any)
    if sub is None:
        return {}
    out = {}
    for name, child in sub.items():
        if name not in known:
            problems.append(child.problem(f"{what} {excerpt(name)} in {key}", hint_with(name, known, tail),
                                          code=Code.MISSING_REFERENCE))
            continue
        months = collect(problems, _norm_months, child)
        if months is not None:
            out[name] = months
    return out


def _history_problems(rules: dict) -> list[Problem]:
    """`voorheen` names ids of earlier versions: never a requirement that still exists in this one."""
    problems = []
    for rule in rules.values():
        for old in rule.previous_ids:
            if old in rules:
                line, column = rule.position("voorheen")
                problems.append(Problem(
                    f"'{old}' bestaat nog in deze versie; 'voorheen' kan alleen een verdwenen eis voortzetten",
                    file=rule.file, line=line, column=column, field="voorheen", code=Code.INVALID_PREVIOUS,
                    hint=f"Haal '{old}' weg uit 'voorheen', of haal de oude eis uit het manifest."))
    return problems


def load_rule(path: Path, questions: dict, roles: dict, deadlines: dict, rule_ids: set[str],
              shown: str | None = None) -> Rule:
    """One rule file, validated against the questions, roles, deadlines and rule ids of its version.
    `shown`: the file's name as the user sees it, when the caller knows it already."""
    shown = shown if shown is not None else display_path(path)
    root = Node(load_yaml_file(path), shown)
    problems: list[Problem] = []
    try:
        root.mapping(required=formats.RULE.required, optional=formats.RULE.optional, what="een regel")
    except KaderFout as exc:  # only unknown keys: report them and check the rest of the rule too
        if not isinstance(root.value, dict) or any(p.code != Code.UNKNOWN_KEY for p in exc.problems):
            raise
        problems.extend(exc.problems)
    rid = root.child("id").text()
    if rid != path.stem:
        problems.append(root.child("id").problem(f"id '{rid}' komt niet overeen met de bestandsnaam '{path.name}'",
                                                 f"Noem het bestand {rid}.yaml of zet id: {path.stem}.", code=Code.ID_MISMATCH))
    elif not RULE_ID_RE.match(rid):
        problems.append(root.child("id").problem(f"ongeldig regel-id '{rid}'", "Gebruik de vorm KLT-THEMA-01.", code=Code.INVALID_RULE_ID))
    sources = collect(problems, _sources, root.child("bronnen"))
    basis, basis_note = _basis(root, sources, problems)
    origin = collect(problems, root.child("norm_herkomst").choice, ("bron", "afgeleid"))
    note = collect(problems, root.child("norm_toelichting").text) if root.has("norm_toelichting") else None
    if origin == "afgeleid" and not note:
        problems.append(root.problem("een afgeleide norm heeft een 'norm_toelichting' nodig",
                                     "Leg uit welke drempel geen bron noemt en waarom deze gekozen is.",
                                     field="norm_toelichting", code=Code.DERIVED_WITHOUT_NOTE))
    responsible = collect(problems, root.child("verantwoordelijk").choice, RESPONSIBLE)
    applies = collect(problems, compile_condition, root.child("van_toepassing"), questions, rule_ids) \
        if root.has("van_toepassing") else None
    norm = root.child("norm")
    meets = partly = None
    if collect(problems, norm.mapping, required=formats.NORM.required, optional=formats.NORM.optional, what="de norm") is not None:
        meets = collect(problems, compile_condition, norm.child("voldoet"), questions, rule_ids)
        if norm.has("deels"):
            partly = collect(problems, compile_condition, norm.child("deels"), questions, rule_ids)
    product = collect(problems, _region_product, root.child("regionaal_product"), questions, responsible) \
        if root.has("regionaal_product") else None
    for part, cond in (("van_toepassing", applies), ("voldoet", meets), ("deels", partly)):
        read = sorted(p for p in fields_of(cond) if p.startswith(REGION_PREFIX)) if cond is not None else []
        if read and product is None:
            node = root.child("van_toepassing") if part == "van_toepassing" else norm.child(part)
            problems.append(node.problem(
                f"de {part.replace('_', ' ')} leest {read[0]}, een feit over de regio, maar de regel heeft geen "
                "regionaal_product", "Noem het product onder regionaal_product (met de voorwaarde waaronder de "
                "regio het heeft); pas dan weet de regel wat het team zonder regiobestand mist.",
                code=Code.INVALID_CONDITION))
    action = collect(problems, _action, root.child("actie"), roles, deadlines, questions, rule_ids)
    examples = collect(problems, parse_examples, root.child("voorbeelden"), questions, rule_ids)
    if action is not None and action.parts and examples:
        problems += _parts_problems(root.child("actie"), action, examples)
    texts = {}
    for key in ("titel", "thema", "uitleg"):  # titel and thema are shown as names, on one line
        node = root.child(key)
        texts[key] = collect(problems, node.text if key == "uitleg" else node.name)
    change = collect(problems, root.child("wijziging").text) if root.has("wijziging") else None
    previous_ids = collect(problems, _previous_ids, root.child("voorheen"), rid) if root.has("voorheen") else ()
    if problems:
        raise KaderFout(problems)
    rule = Rule(
        id=rid, title=texts["titel"], theme=texts["thema"], explanation=texts["uitleg"].strip(),
        sources=sources, norm_origin=origin, norm_note=note, responsible=responsible,
        applies=applies, meets=meets, partly=partly, action=action, examples=examples,
        change_note=change, file=shown, norm_line=norm.line, norm_column=norm.column, previous_ids=previous_ids or (),
        positions=_positions(root, norm), region_product=product, basis=basis, basis_note=basis_note,
    )
    if rid in rule_dependencies(rule):
        raise root.child("norm").fail(f"regel '{rid}' verwijst naar zichzelf", code=Code.RULE_CYCLE)
    return rule


def _region_product(node: Node, questions: dict, responsible: str | None) -> RegionalProduct:
    """`regionaal_product`: only on a regional requirement; its condition reads only the region's
    facts (regio.*), which the team cannot supply."""
    node.mapping(required=formats.REGIONAL_PRODUCT.required, optional=formats.REGIONAL_PRODUCT.optional,
                 what="regionaal_product")
    if responsible is not None and responsible != "regio":
        raise node.fail("regionaal_product hoort alleen bij een eis met verantwoordelijk: regio",
                        "Zet verantwoordelijk: regio, of laat regionaal_product weg.", code=Code.VALUE_NOT_ALLOWED)
    problems: list[Problem] = []
    name = collect(problems, node.child("naam").name)
    expected = collect(problems, node.child("verwacht").name) if node.has("verwacht") else None
    cond = collect(problems, compile_condition, node.child("voorwaarde"), questions)
    if cond is not None:
        team_fields = sorted(p for p in fields_of(cond) if not p.startswith(REGION_PREFIX))
        if team_fields:
            problems.append(node.child("voorwaarde").problem(
                f"de voorwaarde van het regionale product leest {excerpt(team_fields[0])}, een feit over het team",
                "De voorwaarde leest alleen feiten over de regio (regio.*); wat het team doet hoort in de norm.",
                code=Code.INVALID_CONDITION))
        if not fields_of(cond):
            problems.append(node.child("voorwaarde").problem(
                "de voorwaarde van het regionale product leest geen feit over de regio",
                "Bijvoorbeeld: {veld: regio.escalatiemodel.status, is: vastgesteld}.", code=Code.INVALID_CONDITION))
    if problems:
        raise KaderFout(problems)
    return RegionalProduct(name=name, condition=cond, expected=expected)


def _positions(root: Node, norm: Node) -> tuple[tuple[str, int | None, int | None], ...]:
    """Where the parts that later checks (norms, examples, sources) point at stand in the rule's file.
    A part that is absent gets the position of what holds it, as Node.child gives it."""
    nodes = [norm, root.child("norm_herkomst"), root.child("voorbeelden"), root.child("voorheen")]
    nodes += [root.child("van_toepassing")] if root.has("van_toepassing") else []
    nodes += [norm.child(part) for part in ("voldoet", "deels") if norm.has(part)]
    if isinstance(root.value, dict) and isinstance(root.value.get("bronnen"), list):
        nodes += list(root.child("bronnen").elements())
    return tuple((n.path, n.line, n.column) for n in nodes)


def _previous_ids(node: Node, own: str) -> tuple[str, ...]:
    """`voorheen`: the ids (of earlier versions) this requirement continues: renamed, split or merged."""
    node.sequence(min_items=1)
    out = []
    for e in node.elements():
        old = e.text()
        if not RULE_ID_RE.match(old):
            raise e.fail(f"ongeldig regel-id '{old}'", "Gebruik de vorm KLT-THEMA-01.", code=Code.INVALID_RULE_ID)
        if old == own:
            raise e.fail(f"'{old}' is het id van deze eis zelf", "Noem in 'voorheen' alleen ids uit eerdere versies.", code=Code.INVALID_PREVIOUS)
        if old in out:
            raise e.fail(f"'{old}' staat dubbel in 'voorheen'", code=Code.INVALID_PREVIOUS)
        out.append(old)
    return tuple(out)


def _sources(node: Node) -> tuple[Source, ...]:
    node.sequence(min_items=1)
    out = []
    for e in node.elements():
        e.mapping(optional=formats.SOURCE.optional, what="een bronverwijzing")
        role = e.child("rol").choice(SOURCE_ROLES) if e.has("rol") else "grondslag"
        if e.has("url"):
            url = e.child("url").text()
            if not url.startswith(("http://", "https://")):
                raise e.child("url").fail("een url begint met http:// of https://", code=Code.VALUE_NOT_ALLOWED)
            out.append(Source(url=url, section=e.child("sectie").text() if e.has("sectie") else None, role=role))
            continue
        if not e.has("bron"):
            raise e.fail("een bronverwijzing heeft 'bron' (S0..S4) of 'url' nodig", code=Code.REQUIRED_MISSING)
        code = e.child("bron").choice(tuple(SOURCE_CODES))
        out.append(Source(
            code=code,
            section=e.child("sectie").text() if e.has("sectie") else None,
            quote=e.child("citaat").text() if e.has("citaat") else None,
            role=role,
        ))
    return tuple(out)


def _basis(root: Node, sources, problems: list[Problem]) -> tuple[str, str | None]:
    """`grondslag` and `grondslag_toelichting` of a rule: a requirement that no source S0..S4 states says
    so (buiten_bronnen) and why; it may still cite them, but only as illustrations (`rol: illustratie`)."""
    basis = collect(problems, root.child("grondslag").choice, BASES) if root.has("grondslag") else "bronnen"
    note = collect(problems, root.child("grondslag_toelichting").text) if root.has("grondslag_toelichting") else None
    if basis == "buiten_bronnen" and not note:
        problems.append(root.child("grondslag").problem(
            "een eis met 'grondslag: buiten_bronnen' heeft een 'grondslag_toelichting' nodig",
            "Leg uit waar de eis vandaan komt (bv. een wet of publieke norm) en wat de bronnen er wel over zeggen.",
            field="grondslag_toelichting", code=Code.REQUIRED_MISSING))
    if basis == "bronnen" and note is not None:
        problems.append(root.child("grondslag_toelichting").problem(
            "'grondslag_toelichting' hoort alleen bij 'grondslag: buiten_bronnen'",
            "Zet 'grondslag: buiten_bronnen' als geen van S0..S4 de eis stelt, of haal de toelichting weg.",
            code=Code.VALUE_NOT_ALLOWED))
    if basis == "buiten_bronnen" and sources:
        for e, source in zip(root.child("bronnen").elements(), sources):
            if source.seed_basis:
                problems.append(e.problem(
                    f"de eis heeft 'grondslag: buiten_bronnen', maar bron {source.code} staat er als grondslag",
                    "Zet bij deze bron 'rol: illustratie' als hij de eis alleen laat zien, of haal "
                    "'grondslag: buiten_bronnen' weg als hij de eis wel stelt.", code=Code.VALUE_NOT_ALLOWED))
    return basis or "bronnen", note


def _action(node: Node, roles: dict, deadlines: dict, questions: dict, rule_ids: set[str]) -> ActionTemplate:
    node.mapping(required=formats.RULE_ACTION.required, optional=formats.RULE_ACTION.optional, what="de actie")
    owner = node.child("eigenaar").choice(tuple(roles))
    deadline = node.child("deadline").choice(tuple(deadlines))
    parts = _action_parts(node.child("onderdelen"), questions, rule_ids) if node.has("onderdelen") else ()
    return ActionTemplate(
        description=node.child("omschrijving").text().strip(),
        owner=owner,
        deadline=deadlines[deadline],
        extra_budget_possible=node.child("extra_middelen_mogelijk").boolean(),
        parts=parts,
    )


def _action_parts(node: Node, questions: dict, rule_ids: set[str]) -> tuple:
    """`onderdelen` of a rule's action: (description, unless) pairs, the conditions compiled (and so
    checked against the questions) like the norm's, every problem at once."""
    node.sequence(min_items=2)  # one part is the action itself: write it as omschrijving only
    out = []
    problems: list[Problem] = []
    for e in node.elements():
        if collect(problems, e.mapping, required=formats.RULE_ACTION_PART.required,
                   optional=formats.RULE_ACTION_PART.optional, what="een onderdeel van de actie") is None:
            continue
        text = collect(problems, e.child("omschrijving").text)
        unless = collect(problems, compile_condition, e.child("tenzij"), questions, rule_ids)
        if text is not None and unless is not None:
            out.append((" ".join(text.split()), unless))
    if problems:
        raise KaderFout(problems)
    return tuple(out)


def _parts_problems(node: Node, action: ActionTemplate, examples) -> list[Problem]:
    """A rule whose action comes in parts must leave a part to propose for every example with a gap
    (deels or voldoet niet): otherwise the plan would propose nothing, or a part the team already
    reached, for a requirement that is not met. Checked at load time on the rule's own examples."""
    from kadertoets.evaluate.conditions import evaluate as truth_of, leaves
    from kadertoets.evaluate.evaluation import example_env
    from kadertoets.evaluate.operators import OPERATORS

    dated = any(OPERATORS[leaf.op].uses_as_of for _, unless in action.parts for leaf in leaves(unless)
                if getattr(leaf, "op", None) in OPERATORS)
    out = []
    for ex in examples:
        # a part that counts months needs a date: an example without its own peildatum is then left out
        # (the rule loader does not know the Kader's ingangsdatum, the examples' default)
        if not ex.expected.is_gap or (dated and ex.reference_date is None):
            continue
        env, statuses = example_env(ex), dict(ex.rule_statuses)
        as_of = ex.reference_date or dt.date(1, 1, 1)
        if all(truth_of(unless, env, statuses, as_of) is True for _, unless in action.parts):
            out.append(node.child("onderdelen").problem(
                f"in voorbeeld '{ex.name}' (verwacht: {ex.expected.value}) zijn alle onderdelen van de actie al "
                "bereikt; het plan zou niets voorstellen voor een eis die niet voldoet",
                "Voeg een onderdeel toe voor wat in dit voorbeeld ontbreekt, of pas de 'tenzij' van een onderdeel aan.",
                code=Code.VALUE_NOT_ALLOWED))
    return out


def parse_examples(node: Node, questions: dict, rule_ids: set[str]) -> tuple[Example, ...]:
    """Validate a `voorbeelden:` list (a rule's own, or an extra example file's for `kader test`)."""
    node.sequence(min_items=1)
    out = []
    problems: list[Problem] = []
    for e in node.elements():
        ex = collect(problems, _example, e, questions, rule_ids)
        if ex is not None:
            out.append(ex)
    names = Counter(x.name for x in out)  # counted once: a rule may have many examples
    for e, ex in zip(node.elements(), out):
        if names[ex.name] > 1:
            problems.append(e.problem(f"voorbeeldnaam '{ex.name}' komt dubbel voor", "Geef elk voorbeeld een eigen naam.", code=Code.DUPLICATE_ID))
            break
    if problems:
        raise KaderFout(problems)
    return tuple(out)


def _example(e: Node, questions: dict, rule_ids: set[str]) -> Example:
    e.mapping(required=formats.EXAMPLE.required, optional=formats.EXAMPLE.optional,
              what="een voorbeeld")
    facts = parse_facts(e.child("feiten"), questions) if e.has("feiten") else {}
    tasks = {"jeugd": True, "wmo": True}
    if e.has("team_taken"):
        tn = e.child("team_taken").mapping(optional=formats.EXAMPLE_TASKS.optional, what="team_taken")
        for key, sub in tn.items():
            tasks[key] = sub.boolean()
    statuses = {}
    if e.has("regels"):
        for rid, sub in e.child("regels").mapping_any().items():
            if rid not in rule_ids:
                raise sub.fail(f"onbekende regel '{rid}'", code=Code.UNKNOWN_RULE_REF)
            statuses[rid] = Status(sub.choice([s.value for s in Status]))
    return Example(
        name=e.child("naam").text(),
        facts=facts,
        expected=Status(e.child("verwacht").choice([s.value for s in Status])),
        tasks=tasks,
        rule_statuses=statuses,
        line=e.line,
        column=e.column,
        reference_date=e.child("peildatum").date() if e.has("peildatum") else None,
    )


def dependency_layers(rules: dict, missing_ok: bool = False) -> tuple[tuple[str, ...], ...]:
    """Rules in topological layers (each sorted by id); a cycle is a load error naming the rules.
    `missing_ok`: references to rules that are not in `rules` (they failed to load) are ignored."""
    deps = {rid: rule_dependencies(r) for rid, r in rules.items()}
    if missing_ok:
        deps = {rid: {d for d in ds if d in rules} for rid, ds in deps.items()}
    waiting = {rid: len(ds) for rid, ds in deps.items()}  # dependencies not yet in a layer
    users: dict[str, list[str]] = {}
    for rid, ds in deps.items():
        for d in ds:
            users.setdefault(d, []).append(rid)
    layers = []
    ready = sorted(rid for rid, n in waiting.items() if n == 0)
    while ready:  # linear in rules and references: each reference is counted down once
        layers.append(tuple(ready))
        later = []
        for rid in ready:
            del waiting[rid]
            for user in users.get(rid, ()):
                waiting[user] -= 1
                if waiting[user] == 0:
                    later.append(user)
        ready = sorted(later)
    if waiting:
        cycle = _find_cycle({rid: deps[rid] for rid in waiting})
        first = rules[cycle[0]]
        raise KaderFout.single(
            "regels verwijzen in een kring naar elkaar: " + " → ".join(cycle + [cycle[0]]),
            file=first.file,
            line=first.norm_line,
            column=first.norm_column,
            field="norm",
            hint="Een regel mag alleen steunen op regels die zelf niet (via andere) naar hem verwijzen.", code=Code.RULE_CYCLE
        )
    return tuple(layers)


def _find_cycle(graph: dict) -> list[str]:
    for start in sorted(graph):
        path, seen = [start], {start}
        node = start
        while True:
            nxt = sorted(d for d in graph.get(node, ()) if d in graph)
            if not nxt:
                break
            node = nxt[0]
            if node in seen:
                return path[path.index(node):]
            path.append(node)
            seen.add(node)
    return sorted(graph)[:1]
