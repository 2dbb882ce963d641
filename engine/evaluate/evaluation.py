"""Pure evaluation: (Kader, assessment, as-of date, backend) -> Evaluation. No I/O, no clock.

The backend only decides the truth of each rule's three top conditions (van_toepassing, voldoet,
deels); the status logic and the Dutch reasons are shared here, so both backends produce the same
result model. Rules are evaluated in dependency layers; the result does not depend on file or rule
order (findings are sorted by rule id).
"""

from __future__ import annotations

import datetime as dt

from kadertoets.evaluate.conditions import (checks_of, decisive, describe, fact_text, fields_of, gap_texts, gaps, holds_text,
                                            leaves, missing_of, missing_subject, rule_refs)
from kadertoets.evaluate.annotate import annotate
from kadertoets.evaluate.operators import OPERATORS
from kadertoets.model import (WAITS_ON_REGION, Assessment, Check, Evaluation, Finding, Kader, RegionAssessment, Rule,
                              Status)

PRODUCT = "regionaal_product"  # the part that says whether the region has the product a rule waits for
PARTS = ("van_toepassing", PRODUCT, "voldoet", "deels")


def rule_conditions(rule: Rule) -> dict:
    """The top conditions of a rule by part name (absent parts left out), in the order decide reads them."""
    product = rule.region_product.condition if rule.region_product is not None else None
    out = {"van_toepassing": rule.applies, PRODUCT: product, "voldoet": rule.meets, "deels": rule.partly}
    return {k: v for k, v in out.items() if v is not None}


def decide(truths: dict) -> tuple[Status, str]:
    """Status logic from the truth of the top conditions; returns the status and the deciding part.
    Not applicable first; then a regional product the region does not have (yet): voldoet_niet, since
    the team cannot comply without it (unknown when the region's state is unknown); then the norm."""
    if "van_toepassing" in truths:
        t = truths["van_toepassing"]
        if t is False:
            return Status.NVT, "van_toepassing"
        if t is None:
            return Status.ONBEKEND, "van_toepassing"
    if PRODUCT in truths:
        t = truths[PRODUCT]
        if t is False:
            return Status.VOLDOET_NIET, PRODUCT
        if t is None:
            return Status.ONBEKEND, PRODUCT
    t = truths["voldoet"]
    if t is True:
        return Status.VOLDOET, "voldoet"
    if t is None:
        return Status.ONBEKEND, "voldoet"
    if "deels" in truths:
        t = truths["deels"]
        if t is True:
            return Status.DEELS, "deels"
        if t is None:
            return Status.ONBEKEND, "deels"
    return Status.VOLDOET_NIET, "voldoet"


def _sentence(lead: str, parts: list[str]) -> str:
    return lead + ": " + ("; ".join(parts) if parts else "zonder voorwaarde") + "."


def reason_for(rule: Rule, status: Status, part: str, env: dict, statuses: dict, as_of: dt.date,
               notes: dict, truths: dict | None = None, questions: dict | None = None
               ) -> tuple[str, tuple[str, ...], tuple[Check, ...]]:
    """A Dutch reason in the team's terms (the Kader's `questions`: their `kort` and labels), naming
    only what decided the status; the missing fields behind an onbekend; and the deciding
    comparisons for tools. `truths` (the top conditions' truth by part, as the backend decided them)
    saves evaluating them again."""
    conds = rule_conditions(rule)
    known = (truths[part],) if truths is not None and part in truths else None
    groups = decisive(conds[part], env, statuses, as_of, known)
    checks = checks_of(part, groups, env, statuses, as_of)
    missing: set[str] = set()
    if part == PRODUCT:
        product = rule.region_product
        when = f" ({product.expected})" if product.expected else ""
        if status == Status.VOLDOET_NIET:
            reason = (f"Voldoet niet: de regio heeft nog geen {product.name} vastgesteld{when}; het team voert "
                      "het in zodra het er is.")
        else:
            missing = missing_of(groups, env, statuses)
            names = [missing_subject(p, questions) for p in sorted(missing)]
            reason = (f"Onbekend: de stand van de regio is niet bekend, dus ook niet of de regio al een "
                      f"{product.name} heeft vastgesteld" + (f" (nog niet ingevuld: {', '.join(names)})" if names else "")
                      + ".")
        return reason, tuple(sorted(missing)), tuple(checks)
    if status == Status.NVT:
        facts = holds_text(groups, env, statuses, questions)
        reason = _sentence("Niet van toepassing", facts)[:-1] + \
            f" (de eis geldt alleen als: {describe(rule.applies, questions or {})})."
    elif status == Status.VOLDOET:
        reason = _sentence("Voldoet", holds_text(groups, env, statuses, questions))
    elif status == Status.DEELS:
        not_met = decisive(rule.meets, env, statuses, as_of)
        checks = checks_of("voldoet", not_met, env, statuses, as_of) + checks
        reason = _sentence("Deels", gap_texts(not_met, env, statuses, questions))
    elif status == Status.VOLDOET_NIET:
        texts = gap_texts(groups, env, statuses, questions)
        reason = _sentence("Voldoet niet", texts)
        if rule.partly is not None:
            partly = decisive(rule.partly, env, statuses, as_of)
            checks += checks_of("deels", partly, env, statuses, as_of)
            said = {fact_text(leaf, env, statuses, questions) for g in groups for leaf in g.leaves}
            found = gaps(partly, env, statuses, questions, said)
            new = [f"{facts} (het Kader vraagt: {ask})" if ask else facts for facts, ask in found if facts]
            asks = [ask for facts, ask in found if not facts]
            if new:
                reason += " " + _sentence("Ook niet deels", new)
            if asks:
                reason += " " + _sentence("Voor deels vraagt het Kader", asks)
    else:  # onbekend
        missing = missing_of(groups, env, statuses)
        if part == "van_toepassing":
            lead = "Onbekend of de eis van toepassing is"
        elif part == "deels":
            not_met = decisive(rule.meets, env, statuses, as_of)
            checks = checks_of("voldoet", not_met, env, statuses, as_of) + checks
            lead = _sentence("Voldoet niet volledig", gap_texts(not_met, env, statuses, questions))[:-1] + \
                ". Onbekend of de eis deels voldoet"
        else:
            lead = "Onbekend"
        names = [missing_subject(p, questions) for p in sorted(missing)]
        fields = [n for p, n in zip(sorted(missing), names) if not p.startswith("uitkomst ")]
        outcomes = [n for p, n in zip(sorted(missing), names) if p.startswith("uitkomst ")]
        said = ([f"nog niet ingevuld: {', '.join(fields)}"] if fields else []) + \
            ([f"nog niet bekend: {', '.join(outcomes)}"] if outcomes else [])
        reason = lead + ": " + "; ".join(said) + "."
        extra = [f"Toelichting bij {missing_subject(p, questions)}: {notes[p]}" for p in sorted(missing) if p in notes]
        if extra:
            reason += " " + " ".join(x + ("" if x.endswith(".") else ".") for x in extra)
    return reason, tuple(sorted(missing)), tuple(checks)


def evaluate_rule(rule: Rule, truths: dict, env: dict, statuses: dict, as_of: dt.date, notes: dict,
                  questions: dict | None = None) -> Finding:
    status, part = decide(truths)
    reason, missing, checks = reason_for(rule, status, part, env, statuses, as_of, notes, truths, questions)
    explained = tuple((p, notes[p]) for p in missing if p in notes)
    waits = WAITS_ON_REGION if part == PRODUCT and status == Status.VOLDOET_NIET else None
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        theme=rule.theme,
        status=status,
        reason=reason,
        responsible=rule.responsible,
        missing=missing,
        action=rule.action,
        norm_origin=rule.norm_origin,
        notes=explained,
        checks=checks,
        waits_on=waits,
    )


class FindingMemo:
    """A cache of findings for many evaluations against one Kader (a sweep of thousands of teams).

    A rule's finding is a pure function of the values of the fields its conditions name, the
    statuses of the rules they refer to, the toelichtingen of those fields and, when a condition
    counts months (`binnen_maanden`), the as-of date. Teams with the same inputs for a rule get the
    same Finding object: the conditions are evaluated and the Dutch reason is composed once, and
    the findings are shared in memory. Values are keyed with their type, so 1, 1.0 and true stay
    apart. Bounded: when full, it starts again empty. Only for the python backend (a sweep with
    `--engine durable` lets durable decide every rule of every team)."""

    LIMIT = 20_000

    def __init__(self, kader: Kader):
        self.kader = kader
        self.found: dict = {}
        self.inputs: dict[str, tuple] = {}
        for rule in kader.rules.values():
            conds = list(rule_conditions(rule).values())
            fields = tuple(sorted(set().union(*(fields_of(c) for c in conds))))
            refs = tuple(sorted(set().union(*(rule_refs(c) for c in conds))))
            dated = any(OPERATORS[leaf.op].uses_as_of for c in conds for leaf in leaves(c)
                        if getattr(leaf, "op", None) in OPERATORS)
            self.inputs[rule.id] = (fields, refs, dated)

    def key(self, rule: Rule, env: dict, statuses: dict, as_of: dt.date, notes: dict) -> tuple:
        fields, refs, dated = self.inputs[rule.id]
        values = []
        for path in fields:
            v = env.get(path)
            values.append((v.__class__, tuple(v) if v.__class__ is list else v, notes.get(path)))
        return (rule.id, tuple(values), tuple(statuses.get(r) for r in refs), as_of if dated else None)

    def store(self, key: tuple, finding: Finding) -> None:
        if len(self.found) >= self.LIMIT:
            self.found.clear()
        self.found[key] = finding


def evaluate(kader: Kader, assessment: Assessment, as_of: dt.date, backend, memo: FindingMemo | None = None,
             region: RegionAssessment | None = None) -> Evaluation:
    """Evaluate every rule of the Kader for one assessment at the given date, with `region` the
    region's state in force on the assessment's peildatum (None: not known, so every requirement that
    waits on a regional product is onbekend). `memo` (a FindingMemo for this Kader) only saves work:
    the result is the same with or without it."""
    env = assessment.values()
    notes = {p: f.note for p, f in assessment.facts.items() if f.value is None and f.note}
    if region is not None:
        env.update(region.values())
        notes.update((p, f.note) for p, f in region.facts.items() if f.value is None and f.note)
    questions = None  # the Kader's questions with the region's, merged only when a reason is composed
    statuses: dict = {}
    findings = []
    if memo is not None and (memo.kader is not kader or backend.name != "python"):
        memo = None
    for layer in kader.layers:
        rules = [kader.rules[rid] for rid in layer]
        keys = {rule.id: memo.key(rule, env, statuses, as_of, notes) for rule in rules} if memo is not None else {}
        cached = {rid: memo.found[key] for rid, key in keys.items() if key in memo.found} if memo is not None else {}
        todo = [rule for rule in rules if rule.id not in cached]
        truths = backend.truths(todo, env, statuses, as_of) if todo else {}
        for rule in rules:  # rules of one layer do not refer to each other
            finding = cached.get(rule.id)
            if finding is None:
                if questions is None:
                    questions = kader.all_questions()
                finding = evaluate_rule(rule, truths[rule.id], env, statuses, as_of, notes, questions)
                if memo is not None:
                    memo.store(keys[rule.id], finding)
            statuses[rule.id] = finding.status
            findings.append(finding)
    findings.sort(key=lambda f: f.rule_id)
    findings = annotate(kader, assessment, as_of, findings)  # afwijkingen and stale evidence; never the status
    return Evaluation(assessment=assessment, kader=kader, as_of=as_of, engine=backend.name, findings=tuple(findings),
                      region=region)


def example_env(example) -> dict:
    env = {"team.taken.jeugd": example.tasks.get("jeugd", True), "team.taken.wmo": example.tasks.get("wmo", True)}
    env.update({p: f.value for p, f in example.facts.items() if f.value is not None})
    return env


def evaluate_example(rule: Rule, example, default_date: dt.date, backend, questions: dict | None = None) -> Finding:
    """Evaluate one rule on one of its examples (other rules' outcomes as the example states them),
    at the example's own peildatum or else `default_date` (the Kader's ingangsdatum); the reason in
    the words of `questions` (the Kader's) when given."""
    as_of = example.reference_date or default_date
    env = example_env(example)
    statuses = dict(example.rule_statuses)
    notes = {p: f.note for p, f in example.facts.items() if f.value is None and f.note}
    truths = backend.truths([rule], env, statuses, as_of)
    return evaluate_rule(rule, truths[rule.id], env, statuses, as_of, notes, questions)
