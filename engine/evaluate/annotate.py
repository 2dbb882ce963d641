"""What evaluation adds to the findings after their status is decided (pure; the caller gives the date).

- the team's afwijking for a requirement (`afwijkingen:` in the assessment), with whether it holds on
  the as-of date (`valid`): from its datum up to and including its geldig_tot;
- the facts the requirement reads whose evidence is older than the Kader allows on the as-of date
  (`verouderd bewijs`): a fact with a `bewijs_datum` more than its maximum age in months (the manifest's
  `bewijs`) before the as-of date. Exactly that many months old is not stale (as `binnen_maanden` counts:
  the same calendar day, clamped to the month's last day); a fact without a `bewijs_datum` is never
  flagged, since nothing is known of its age.

Neither changes a finding's status: a finding is replaced by a new one with these fields filled in
(`dataclasses.replace`), never changed, because FindingMemo shares one Finding object between the teams
with the same inputs. A finding with nothing to add stays the shared object itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from kadertoets.evaluate.conditions import fields_of
from kadertoets.evaluate.operators import months_before
from kadertoets.model import Assessment, Finding, Kader


def read_fields(kader: Kader, rule_id: str) -> tuple[str, ...]:
    """The question paths a rule's conditions read (van_toepassing, voldoet and deels), sorted."""
    rule = kader.rules[rule_id]
    conditions = [c for c in (rule.applies, rule.meets, rule.partly) if c is not None]
    return tuple(sorted(set().union(*(fields_of(c) for c in conditions))))


def stale_paths(kader: Kader, assessment: Assessment, as_of: dt.date) -> frozenset[str]:
    """The question paths whose fact has a bewijs_datum older than the Kader allows on `as_of`."""
    limits = kader.evidence_max_months
    out = set()
    for path, fact in assessment.facts.items():
        months = limits.get(path)
        if months is not None and fact.evidence_date is not None and fact.evidence_date < months_before(as_of, months):
            out.add(path)
    return frozenset(out)


def annotate(kader: Kader, assessment: Assessment, as_of: dt.date, findings) -> list[Finding]:
    """The findings with their afwijking and stale evidence filled in (new objects only where there is
    something to add), in the same order."""
    exceptions = {e.requirement: e for e in assessment.exceptions}
    stale = stale_paths(kader, assessment, as_of) if kader.evidence_max_months else frozenset()
    if not exceptions and not stale:
        return list(findings)
    out = []
    for f in findings:
        exception = exceptions.get(f.rule_id)
        old = tuple(p for p in read_fields(kader, f.rule_id) if p in stale) if stale else ()
        if exception is None and not old:
            out.append(f)
            continue
        if exception is not None:
            exception = replace(exception, valid=exception.valid_on(as_of))
        out.append(replace(f, exception=exception, stale_evidence=old))
    return out
