"""`kader test`: run the rules' own examples (and extra example files) as the Kader editors' tests.

Every rule carries `voorbeelden:` (facts plus the expected status). The runner evaluates each
example on its rule and reports, per rule, which examples passed or failed (with the expected and
the actual status and the reason) and the coverage: which of the statuses the rule can give are
shown by a passing example. The project's own test suite (tests/test_examples.py) uses the same
`collect` and `run_case`, so `kader test` and pytest cannot disagree.

Apart from `load_example_files`, which reads the folder it is given, everything here is pure:
(Kader, selection, extra examples, backend) -> SelfTestReport.

Extra example files (`kader test --voorbeelden MAP`): every *.yaml / *.yml file under the folder
(recursively; names starting with '.' are skipped) has this shape, where `voorbeelden:` is
validated by exactly the code that validates a rule's own `voorbeelden:`:

    regel: KLT-VEI-02                  # the rule these examples are for
    toelichting: "..."                 # optional, for the editor
    voorbeelden:
      - naam: "vier in opleiding"      # unique per rule, also against the rule's own examples
        feiten: {veiligheid.aandachtsfunctionarissen_in_opleiding: 4}
        verwacht: onbekend
"""

from __future__ import annotations

import datetime as dt
import dataclasses
from pathlib import Path

from kadertoets.infra.errors import KaderFout, Problem, display_path, os_reason
from kadertoets.evaluate.evaluation import evaluate_example
from kadertoets.load import formats
from kadertoets.load.kader import parse_examples
from kadertoets.model import Example, Kader, Rule, Status
from kadertoets.infra.located import Node, hint_with
from kadertoets.infra.located import collect as collect_problems
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.infra.records import record

# The order statuses are listed in (coverage lines, JSON lists).
STATUSES = (Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT)
# A rule's own examples run on every load of check, plan, sweep and trend (a failing one refuses the
# Kader), so their number is bounded: a rule with more is refused (KT405) without running them. The
# bundled Kader has at most 6 per rule; `kader test` runs every example, however many.
MAX_EXAMPLES = 200


# -- result model -------------------------------------------------------------------------------

@record
class ExampleResult:
    """One example evaluated on its rule."""

    rule_id: str
    name: str
    file: str  # the rule file, or the extra example file the example came from (as shown to the user)
    line: int | None
    expected: Status
    actual: Status
    reason: str  # the reason of the actual outcome, as `kader check` would give it
    passed: bool

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@record
class RuleReport:
    """All examples of one rule, and which of its reachable statuses passing examples show."""

    rule_id: str
    title: str
    results: tuple[ExampleResult, ...]
    reachable: frozenset  # of Status
    covered: frozenset  # of Status: expected status of a passing example

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed)

    @property
    def failures(self) -> tuple[ExampleResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def missing(self) -> frozenset:
        return self.reachable - self.covered

    @property
    def ok(self) -> bool:
        return self.failed == 0


@record
class Coverage:
    """Coverage over (rule, status) pairs: how many reachable statuses a passing example shows."""

    covered: int
    reachable: int
    missing: tuple[tuple[str, tuple[Status, ...]], ...]  # (rule id, missing statuses in STATUSES order)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> int:
        """Rounded down, so 100 only when complete."""
        return 100 if self.reachable == 0 else (100 * self.covered) // self.reachable


@record
class SelfTestReport:
    kader_name: str
    kader_version: str
    rules: tuple[RuleReport, ...]

    @property
    def total(self) -> int:
        return sum(len(r.results) for r in self.rules)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rules)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rules)

    @property
    def rules_failed(self) -> int:
        return sum(1 for r in self.rules if not r.ok)

    @property
    def coverage(self) -> Coverage:
        return Coverage(
            covered=sum(len(r.covered & r.reachable) for r in self.rules),
            reachable=sum(len(r.reachable) for r in self.rules),
            missing=tuple((r.rule_id, ordered(r.missing)) for r in self.rules if r.missing),
        )

    @property
    def exit_code(self) -> int:
        """1 when any example fails; coverage gaps are reported but do not fail the run."""
        return 1 if self.failed else 0


def ordered(statuses) -> tuple[Status, ...]:
    return tuple(s for s in STATUSES if s in statuses)


def reachable_statuses(rule: Rule) -> frozenset:
    """voldoet, voldoet_niet and onbekend always; deels only with a deels condition, nvt only with van_toepassing."""
    out = {Status.VOLDOET, Status.VOLDOET_NIET, Status.ONBEKEND}
    if rule.partly is not None:
        out.add(Status.DEELS)
    if rule.applies is not None:
        out.add(Status.NVT)
    return frozenset(out)


# -- extra example files ------------------------------------------------------------------------

@record
class ExampleFile:
    """Examples for one rule from an extra example file."""

    rule_id: str
    file: str  # as shown to the user
    examples: tuple[Example, ...]


def load_example_files(kader: Kader, folder: str | Path) -> list[ExampleFile]:
    """Read and validate every example file under `folder` (or the one file `folder` names).

    All problems of all files are reported at once, each with file, line and field."""
    paths = _example_paths(Path(folder))
    problems: list[Problem] = []
    loaded: list[ExampleFile] = []
    for path in paths:
        item = collect_problems(problems, _load_example_file, kader, path)
        if item is not None:
            loaded.append(item)
    if problems:
        raise KaderFout(problems)
    _check_unique_names(kader, loaded)
    return loaded


def _example_paths(folder: Path) -> list[Path]:
    shown = display_path(folder)
    try:
        if folder.is_file():
            return [folder]
        if not folder.is_dir():
            raise KaderFout.single("map met voorbeeldbestanden bestaat niet", file=shown, field="--voorbeelden",
                                   hint="Geef een map op met voorbeeldbestanden (*.yaml), of laat --voorbeelden weg.")
        paths = sorted(
            p for p in folder.rglob("*")
            if p.suffix in (".yaml", ".yml") and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
    except OSError as exc:
        raise KaderFout.single(f"map kan niet gelezen worden ({os_reason(exc)})", file=shown,
                               field="--voorbeelden", hint="Controleer de leesrechten van de map.") from None
    if not paths:
        raise KaderFout.single("geen voorbeeldbestanden (*.yaml of *.yml) gevonden", file=shown, field="--voorbeelden",
                               hint="Een voorbeeldbestand heeft 'regel: <eis>' en 'voorbeelden:' zoals in een regel.")
    return paths


def _load_example_file(kader: Kader, path: Path) -> ExampleFile:
    root = Node(load_yaml_file(path), display_path(path))
    root.mapping(required=formats.EXAMPLE_FILE.required, optional=formats.EXAMPLE_FILE.optional, what="een voorbeeldbestand")
    if root.has("toelichting"):
        root.child("toelichting").text()
    rid_node = root.child("regel")
    rid = rid_node.text()
    if rid not in kader.rules:
        raise rid_node.fail(f"onbekende regel '{rid}' in Kader {kader.version}",
                            hint_with(rid, kader.rules, "Zie 'kader rules' voor de lijst."))
    examples = parse_examples(root.child("voorbeelden"), kader.all_questions(), set(kader.rules))
    return ExampleFile(rule_id=rid, file=root.file, examples=examples)


def _check_unique_names(kader: Kader, extra) -> None:
    """An extra example may not reuse a name of its rule's own examples or of another extra example."""
    seen: dict[tuple[str, str], str] = {}
    for rule in kader.rules.values():
        for ex in rule.examples:
            seen[(rule.id, ex.name)] = _where(rule.file, ex.line)
    problems = []
    for item in extra:
        for ex in item.examples:
            key = (item.rule_id, ex.name)
            if key in seen:
                problems.append(Problem(f"voorbeeldnaam '{ex.name}' bestaat al voor regel {item.rule_id} ({seen[key]})",
                                        file=item.file, line=ex.line, field="naam",
                                        hint="Geef elk voorbeeld van een regel een eigen naam."))
            else:
                seen[key] = _where(item.file, ex.line)
    if problems:
        raise KaderFout(problems)


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


# -- running ------------------------------------------------------------------------------------

@record
class Case:
    """One example to run: the rule, the example, where it came from, the default peildatum, and the
    Kader's questions (the words of the reason)."""

    rule: Rule
    example: Example
    file: str
    default_date: dt.date
    questions: dict | None = dataclasses.field(default=None, compare=False)

    @property
    def id(self) -> str:
        return f"{self.rule.id}:{self.example.name}"


def select_rules(kader: Kader, rule_ids=None) -> list[Rule]:
    """The rules to test, sorted by id; unknown ids (case-insensitive) are one KaderFout naming all of them."""
    if not rule_ids:
        return [kader.rules[rid] for rid in sorted(kader.rules)]
    chosen: set[str] = set()
    problems = []
    for given in rule_ids:
        rid = given if given in kader.rules else given.upper()
        if rid not in kader.rules:
            problems.append(Problem(f"onbekende eis '{given}' in Kader {kader.version}", field="EIS",
                                    hint=hint_with(given.upper(), kader.rules, "Zie 'kader rules' voor de lijst.")))
        else:
            chosen.add(rid)
    if problems:
        raise KaderFout(problems)
    return [kader.rules[rid] for rid in sorted(chosen)]


def collect(kader: Kader, rule_ids=None, extra=None) -> list[Case]:
    """The cases to run: each selected rule's own examples, then its extra examples (from
    `load_example_files`), rules sorted by id. Unknown rule ids raise KaderFout."""
    extra = list(extra or ())
    _check_unique_names(kader, extra)
    by_rule: dict[str, list[ExampleFile]] = {}
    for item in extra:
        by_rule.setdefault(item.rule_id, []).append(item)
    cases = []
    for rule in select_rules(kader, rule_ids):
        for ex in rule.examples:
            cases.append(Case(rule, ex, rule.file, kader.effective_date, kader.all_questions()))
        for item in by_rule.get(rule.id, ()):
            cases.extend(Case(rule, ex, item.file, kader.effective_date, kader.all_questions()) for ex in item.examples)
    return cases


def _default_backend():
    from kadertoets.evaluate.backends.python import PythonBackend

    return PythonBackend()


def run_case(case: Case, backend=None) -> ExampleResult:
    """Evaluate one example on its rule, exactly as `kader check` evaluates that rule."""
    finding = evaluate_example(case.rule, case.example, case.default_date, backend or _default_backend(), case.questions)
    return ExampleResult(
        rule_id=case.rule.id,
        name=case.example.name,
        file=case.file,
        line=case.example.line,
        expected=case.example.expected,
        actual=finding.status,
        reason=finding.reason,
        passed=finding.status == case.example.expected,
    )


def run_selftest(kader: Kader, rule_ids=None, extra_examples=(), backend=None) -> SelfTestReport:
    """Run the selected rules' examples (and the extra examples) and report per rule and overall."""
    backend = backend or _default_backend()
    cases = collect(kader, rule_ids, extra_examples)
    by_rule: dict[str, list[ExampleResult]] = {}
    rules: dict[str, Rule] = {}
    for case in cases:
        rules[case.rule.id] = case.rule
        by_rule.setdefault(case.rule.id, []).append(run_case(case, backend))
    reports = []
    for rid, results in by_rule.items():
        rule = rules[rid]
        reports.append(RuleReport(
            rule_id=rid,
            title=rule.title,
            results=tuple(results),
            reachable=reachable_statuses(rule),
            covered=frozenset(r.expected for r in results if r.passed),
        ))
    return SelfTestReport(kader_name=kader.name, kader_version=kader.version, rules=tuple(reports))
