"""The explicit validation step: the error-level problems that loading alone does not find, which check,
plan, sweep and trend refuse a Kader for (fail closed) and `kader lint` reports too: norms that cannot
be right (validate/normcheck.py; a rule too complex to check is one as well) and examples that give
another status than they expect (validate/selftest.py). Loading (load/kader.py) never runs these."""

from __future__ import annotations

from pathlib import Path

from kadertoets.infra.errors import KaderFout, Problem
from kadertoets.infra.lintcodes import ERROR, Code, severity
from kadertoets.load.kader import load_kader
from kadertoets.model import Kader

_CHECKED: dict[int, tuple[Kader, tuple[Problem, ...]]] = {}  # id(kader) -> (kader, its problems)


def validated_kader(kader_dir: Path, version: str | None = None) -> Kader:
    """The Kader version loaded and validated: a KaderFout with every semantic error when it has one.
    The check runs once per loaded Kader (load_kader returns the same object while no file changed)."""
    kader = load_kader(kader_dir, version)
    problems = semantic_errors(kader)
    if problems:
        raise KaderFout(list(problems))
    return kader


def semantic_errors(kader: Kader) -> tuple[Problem, ...]:
    """The error-level problems that loading alone does not find: norm problems of every rule,
    located at the rule's norm (or the part of it), and examples that give another status than
    expected. Memoised per Kader object."""
    hit = _CHECKED.get(id(kader))
    if hit is not None and hit[0] is kader:
        return hit[1]
    from kadertoets.validate.normcheck import check_norm  # here: a check whose Kader passed before skips it

    out = []
    for rule in kader.rules.values():
        checked = check_norm(rule, kader.all_questions())
        for code, message, hint in checked.problems:
            if severity(code) != ERROR:
                continue
            part = checked.too_complex.part if code == Code.TOO_COMPLEX and checked.too_complex else None
            field = part_field(rule, part)
            line, column = rule.position(field)
            out.append(Problem(message, file=rule.file, line=line, column=column, field=field, hint=hint, code=code))
    problems = tuple(out) + tuple(example_problems(kader))
    _CHECKED[id(kader)] = (kader, problems)
    return problems


def part_field(rule, part: str | None) -> str:
    """Where a part of a rule stands, as a field: van_toepassing, norm.voldoet or norm.deels; the
    norm itself when there is no part or the rule does not have it."""
    field = "norm" if part is None else part if part == "van_toepassing" else f"norm.{part}"
    return field if field in {name for name, _, _ in rule.positions} else "norm"


def example_problems(kader: Kader) -> list[Problem]:
    """Every example that gives another status than it expects (KT506), located at the example. The
    examples of a rule with more than selftest.MAX_EXAMPLES are not run: that rule is one problem
    (KT405) at its first example over the limit, so this stays cheap for every check."""
    from kadertoets.validate.selftest import MAX_EXAMPLES, run_selftest

    out, runnable = [], []
    for rule in kader.rules.values():
        if len(rule.examples) <= MAX_EXAMPLES:
            runnable.append(rule.id)
            continue
        first = rule.examples[MAX_EXAMPLES]
        out.append(Problem(f"deze regel heeft {len(rule.examples)} voorbeelden, te veel om bij elke controle na te "
                           f"lopen (hoogstens {MAX_EXAMPLES})", file=rule.file, line=first.line, column=first.column,
                           field="voorbeelden", code=Code.TOO_COMPLEX,
                           hint="Houd in de regel de belangrijkste voorbeelden en zet de rest in een voorbeeldbestand "
                                "voor `kader test --voorbeelden`."))
    if not runnable:
        return out
    where = {(rule.id, ex.name): (ex.line, ex.column) for rule in kader.rules.values() for ex in rule.examples}
    for result in run_selftest(kader, runnable if len(runnable) < len(kader.rules) else None).rules:
        for failed in result.failures:
            line, column = where.get((failed.rule_id, failed.name), (None, None))
            out.append(Problem(f"voorbeeld '{failed.name}' verwacht {failed.expected.value}, maar de regel geeft "
                               f"{failed.actual.value}: {failed.reason}", file=kader.rules[failed.rule_id].file,
                               line=line, column=column, field="voorbeelden", code=Code.EXAMPLE_FAILS,
                               hint="Pas de verwachting of de norm aan; `kader test` toont alle details."))
    return out
