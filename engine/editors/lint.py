"""`kader lint`: every problem in a Kader folder (all versions, questions, rules) and, when given,
in assessments, at once, each with a code (lintcodes.py), file, line and column.

Loading problems come with their code from where they are raised; on top of those lint adds what a
loader cannot: norms that cannot be right or that are too complex to check (normcheck.py; each rule
searched once), sources without section or quote, a
source norm without any quote (an illustration's quote does not count), a requirement that no source
S0..S4 grounds without saying so (`grondslag: buiten_bronnen`), examples missing for a status the rule can produce, examples that
give another status than they expect, and rule files no manifest lists. Findings are deduplicated
and sorted by file and position.
"""

from __future__ import annotations

from pathlib import Path

from kadertoets.infra.errors import KaderFout, Problem, display_path
from kadertoets.evaluate.conditions import fields_of
from kadertoets.load.kader import PartialLoad, available_versions, load_kader
from kadertoets.load.questions import label_keys
from kadertoets.validate.semantic import example_problems, part_field
from kadertoets.infra.lintcodes import Code, ERROR, WARNING, severity
from kadertoets.model import Kader, Rule
from kadertoets.validate.normcheck import check_norm
from kadertoets.validate.selftest import reachable_statuses as syntactic_reachable
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.infra.records import record

PART_OF = {Code.NEVER_APPLIES: "van_toepassing", Code.ALWAYS_APPLIES: "van_toepassing"}  # other norm codes stand at the norm


@record
class LintFinding:
    code: str
    severity: str  # fout | waarschuwing
    file: str | None
    line: int | None
    column: int | None
    field: str | None
    message: str
    hint: str | None = None

    def location(self) -> str:
        parts = [self.file or "<invoer>"] + [str(x) for x in (self.line, self.column) if x is not None]
        return ":".join(parts)


@record
class LintReport:
    findings: tuple[LintFinding, ...]
    versions: tuple[str, ...]
    assessments: int
    folder: str = ""  # the Kader folder checked (as shown)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def exit_code(self, strict: bool = False) -> int:
        if self.errors:
            return 2
        return 1 if strict and self.warnings else 0


def _from_problem(p: Problem) -> LintFinding:
    code = p.code or Code.OTHER
    if code == Code.REQUIRED_MISSING and p.field == "actie":
        code = Code.NO_ACTION
    return LintFinding(code, severity(code), p.file, p.line, p.column, p.field, p.message, p.hint)


def lint(kader_dir: Path, assessment_paths=()) -> LintReport:
    kader_dir = Path(kader_dir)
    found: list[LintFinding] = []
    versions: tuple[str, ...] = ()
    try:
        manifests = available_versions(kader_dir)
        versions = tuple(manifests)
    except KaderFout as exc:
        manifests = {}
        found += [_from_problem(p) for p in exc.problems]
    listed: dict[str, set | None] = {}
    for version in manifests:
        folder, ids = _rules_folder(manifests[version]), _manifest_rules(manifests[version])
        if ids is None or listed.get(folder, set()) is None:
            listed[folder] = None  # a manifest that cannot be read: whether a rule is listed is unknown
        else:
            listed.setdefault(folder, set()).update(ids)
        try:
            kader = load_kader(kader_dir, version)
        except PartialLoad as exc:  # report these, and check the rules that did load too
            found += [_from_problem(p) for p in exc.problems]
            found += _kader_findings(exc.partial)
            continue
        except KaderFout as exc:
            found += [_from_problem(p) for p in exc.problems]
            continue
        found += _kader_findings(kader)
    found += _unlisted(kader_dir, listed)
    count = 0
    if assessment_paths:
        from kadertoets.load.region import is_region_file
        from kadertoets.sweep.run import load_for_assessment, load_region_file
        from kadertoets.sweep.discover import discover

        files, invalid = discover(assessment_paths)
        found += [_from_problem(p) for i in invalid for p in i.problems]
        for path in files:
            region = is_region_file(path)  # a regional file is checked like an assessment, but is not a team
            count += 0 if region else 1
            try:
                (load_region_file if region else load_for_assessment)(path, kader_dir, None)
            except KaderFout as exc:
                found += [_from_problem(p) for p in exc.problems]
    unique = {(f.file, f.line, f.column, f.code, f.message): f for f in found}
    ordered = sorted(unique.values(), key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.code, f.message))
    return LintReport(tuple(ordered), versions, count, display_path(kader_dir))


def _manifest_rules(path: Path) -> set[str] | None:
    """The rule ids a manifest lists; None when it cannot be read (its own problems are reported)."""
    try:
        data = load_yaml_file(path)
    except KaderFout:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("regels"), list):
        return None
    return {r for r in data["regels"] if isinstance(r, str)}


def _rules_folder(path: Path) -> str:
    try:
        data = load_yaml_file(path)
        folder = data.get("regels_map", "rules") if isinstance(data, dict) else "rules"
        return folder if isinstance(folder, str) else "rules"
    except KaderFout:
        return "rules"


def _unlisted(kader_dir: Path, listed: dict[str, set | None]) -> list[LintFinding]:
    """Rule files in a rule folder that no manifest using that folder lists (not decided for a folder
    whose manifest cannot be read)."""
    out = []
    if listed and None not in listed.values():
        for path in sorted(kader_dir.glob("rules*")):
            if path.is_dir() and path.name not in listed and any(path.glob("*.yaml")):
                out.append(LintFinding(Code.UNLISTED_RULE, severity(Code.UNLISTED_RULE), display_path(path), None, None, None,
                                       f"map '{path.name}/' wordt door geen enkel manifest gebruikt ('regels_map'), "
                                       "dus de regels erin worden niet gecontroleerd",
                                       "Noem de map in 'regels_map:' van een manifest, of verwijder hem."))
    for folder, ids in listed.items():
        path = kader_dir / folder
        if ids is None or not path.is_dir():
            continue
        for rule_file in sorted(path.glob("*.yaml")):
            if rule_file.stem not in ids:
                out.append(LintFinding(Code.UNLISTED_RULE, severity(Code.UNLISTED_RULE), display_path(rule_file), 1, 1, None,
                                       f"regel '{rule_file.stem}' staat in geen enkel manifest dat {folder}/ gebruikt",
                                       "Zet de regel in 'regels:' van een manifest, of verwijder het bestand."))
    return out


def _kader_findings(kader: Kader) -> list[LintFinding]:
    out = [_from_problem(p) for p in example_problems(kader)]
    for rule in kader.rules.values():
        out += _rule_findings(kader, rule)
    out += _wording_findings(kader)
    return out


def _wording_findings(kader: Kader) -> list[LintFinding]:
    """Questions that a rule reads but that lack the words reasons are made of: a `kort` (else the
    reason quotes the whole question) or, for answers from a fixed list, `labels` (else the reader sees
    the codes)."""
    used: dict[str, str] = {}
    for rule in kader.rules.values():
        product = rule.region_product.condition if rule.region_product is not None else None
        for cond in (rule.applies, product, rule.meets, rule.partly):
            for path in sorted(fields_of(cond)) if cond is not None else ():
                used.setdefault(path, rule.id)
    out = []
    code = Code.QUESTION_WITHOUT_WORDING
    for path, rule_id in sorted(used.items()):
        q = kader.all_questions().get(path)
        if q is None:
            continue  # team.* fields: their words are built in
        lacking = ([] if q.short else ["'kort'"]) + \
            (["'labels'"] if label_keys(q.type, q.values) and not q.labels else [])
        if lacking:
            out.append(LintFinding(code, severity(code), q.file, q.line, None, path,
                                   f"vraag '{path}' (gebruikt door {rule_id}) heeft geen {' en geen '.join(lacking)}: "
                                   "redenen tonen dan de hele vraag of de codes van de antwoorden",
                                   "Voeg 'kort:' toe (een korte omschrijving, bv. 'de registratie van eigen begeleiding')"
                                   + (" en 'labels:' (per waarde de tekst voor de lezer)" if "'labels'" in lacking else "")
                                   + "."))
    return out


def _rule_findings(kader: Kader, rule: Rule) -> list[LintFinding]:
    """The norm and rule-set findings of one loaded rule, located with the positions the model keeps
    (the file is not parsed again)."""
    out = []
    checked = check_norm(rule, kader.all_questions())
    for code, message, hint in checked.problems:
        part = checked.too_complex.part if code == Code.TOO_COMPLEX else PART_OF.get(code)
        out.append(_at(rule, part_field(rule, part), code, message, hint))
    for i, source in enumerate(rule.sources, start=1):
        if source.url is None and source.section is None and source.quote is None:
            out.append(_at(rule, f"bronnen[{i}]", Code.SOURCE_WITHOUT_CITATION,
                           "bronverwijzing zonder sectie of citaat: niet na te gaan waar de eis staat",
                           "Voeg 'sectie:' (en waar het kan 'citaat:') toe."))
    if rule.basis == "bronnen" and not rule.seed_basis:
        out.append(_at(rule, "bronnen[1]", Code.NO_SEED_BASIS,
                       "geen bron uit S0..S4 is grondslag voor deze eis (alleen illustraties of url's); "
                       "de eis wordt getoond als eis zonder grondslag in de bronnen",
                       "Noem de bron die de eis stelt, of zet 'grondslag: buiten_bronnen' met een "
                       "'grondslag_toelichting' die zegt waar de eis vandaan komt."))
    if rule.norm_origin == "bron" and not any((s.quote or s.url) and not s.illustration for s in rule.sources):
        out.append(_at(rule, "norm_herkomst", Code.NORM_SOURCE_WITHOUT_QUOTE,
                       "de norm heet 'bron', maar geen bronverwijzing citeert hem",
                       "Voeg het citaat toe dat de norm geeft, of zet norm_herkomst: afgeleid met een "
                       "norm_toelichting."))
    reach = checked.reachable if checked.reachable is not None else syntactic_reachable(rule)
    covered = {ex.expected for ex in rule.examples}
    missing = sorted(s.value for s in reach if s not in covered)
    if missing:
        out.append(_at(rule, "voorbeelden", Code.STATUS_WITHOUT_EXAMPLE,
                       f"geen voorbeeld voor {', '.join(missing)}, terwijl de regel die status kan geven",
                       "Voeg per status die de regel kan geven minstens één voorbeeld toe."))
    return out


def _at(rule: Rule, field: str, code: Code, message: str, hint: str | None = None) -> LintFinding:
    line, column = rule.position(field)
    return LintFinding(code, severity(code), rule.file, line, column, field, message, hint)
