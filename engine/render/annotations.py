"""The words and JSON of what evaluation adds beside a finding's status (evaluate/annotate.py): the team's
afwijking for a requirement and the facts whose evidence is older than the Kader allows. One place, so
that check, plan and sweep say it the same way: plain Dutch for people, codes in JSON."""

from __future__ import annotations

import datetime as dt

from kadertoets.evaluate.conditions import missing_subject
from kadertoets.infra.dates import dutch_date
from kadertoets.model import ApprovedException, Evaluation, Finding, Kader

EXPIRED = "afwijking verlopen"  # what the plan and check say of a gap whose afwijking no longer holds
STALE_NOTE = ("Bewijs dat op de toetsdatum ouder is dan het Kader toestaat; vraag nieuw bewijs en werk de "
              "datum van het bewijs bij.")


def approver_text(e: ApprovedException, kader: Kader) -> str:
    """'J. Jansen, Opdrachtgever van het lokale team bij de gemeente ...': the name, and the role as the
    manifest describes it (no role code)."""
    return f"{e.approver.name}, {kader.roles.get(e.approver.role, e.approver.role)}"


def exception_text(f: Finding, kader: Kader, as_of: dt.date) -> str | None:
    """The afwijking of a finding in sentences (valid, expired, or not yet in force on `as_of`), or None."""
    e = f.exception
    if e is None:
        return None
    reason = " ".join(e.reason.split())
    reason += "" if reason.endswith((".", "!", "?")) else "."
    who = f"Goedgekeurd op {dutch_date(e.date)} door {approver_text(e, kader)}."
    if e.valid:
        lead = f"Goedgekeurde afwijking tot en met {dutch_date(e.valid_until)}"
        tail = " Telt niet mee als tekort zolang de afwijking geldt." if f.status.is_gap else ""
    else:
        lead = exception_state(e, as_of).capitalize()
        tail = " Het tekort telt weer mee." if f.status.is_gap else ""
    return f"{lead}: {reason} {who}{tail}"


def exception_state(e: ApprovedException, as_of: dt.date) -> str:
    """'afwijking verlopen op 31 januari 2023' or 'afwijking geldt pas vanaf ...' for one that does not hold."""
    if as_of > e.valid_until:
        return f"{EXPIRED} op {dutch_date(e.valid_until)}"
    return f"afwijking geldt pas vanaf {dutch_date(e.date)}"


def exception_json(e: ApprovedException | None) -> dict | None:
    """JSON `afwijking` of a finding: the codes and ISO dates, and `geldig` on the as-of date."""
    if e is None:
        return None
    return {"eis": e.requirement, "reden": e.reason,
            "goedgekeurd_door": {"rol": e.approver.role, "naam": e.approver.name},
            "datum": e.date.isoformat(), "geldig_tot": e.valid_until.isoformat(), "geldig": bool(e.valid)}


def excused_counts(evaluation: Evaluation) -> dict[str, int]:
    """JSON `tekorten_met_afwijking`: gaps covered by a valid afwijking (not counted towards exit code 1)
    and gaps whose afwijking does not hold on the as-of date (counted again)."""
    return {"geldig": len(evaluation.excused()), "verlopen": len(evaluation.expired_exceptions())}


def summary_extra(evaluation: Evaluation) -> list[str]:
    """Lines under the summary of `kader check` and `kader plan`: the gaps counted apart because of a
    valid afwijking, the afwijkingen that expired, and the number of facts with stale evidence."""
    out = []
    excused = evaluation.excused()
    if excused:
        ids = ", ".join(f.rule_id for f in excused)
        out.append(f"Tekorten met een geldige afwijking (tellen niet mee voor de exitcode): {len(excused)} ({ids})")
    expired = evaluation.expired_exceptions()
    if expired:
        ids = ", ".join(f.rule_id for f in expired)
        out.append(f"Tekorten waarvan de afwijking niet (meer) geldt (tellen weer mee): {len(expired)} ({ids})")
    stale = evaluation.stale_evidence()
    if stale:
        out.append(f"Verouderd bewijs: {len(stale)} {'feit' if len(stale) == 1 else 'feiten'}")
    return out


def stale_rows(evaluation: Evaluation) -> list[tuple[str, str, dt.date, int, tuple[str, ...]]]:
    """Per fact with stale evidence: (path, what the fact is called (with the document of its evidence when
    the assessment names one), date of its evidence, the maximum age in months, the requirements that
    read it), in path order."""
    uses: dict[str, list[str]] = {}
    for f in evaluation.findings:
        for path in f.stale_evidence:
            uses.setdefault(path, []).append(f.rule_id)
    questions = evaluation.kader.questions
    facts = evaluation.assessment.facts
    out = []
    for path in sorted(uses):
        fact = facts.get(path)
        if fact is None or fact.evidence_date is None:  # a cached sweep keeps no facts: the finding says it
            continue
        subject = missing_subject(path, questions)
        if fact.evidence_document:
            subject += f" (document: {' '.join(fact.evidence_document.split())})"
        out.append((path, subject, fact.evidence_date,
                    evaluation.kader.evidence_max_months.get(path, 0), tuple(uses[path])))
    return out


def stale_text(f: Finding, kader: Kader) -> str | None:
    """'Verouderd bewijs: het aantal ...' for a finding, or None."""
    if not f.stale_evidence:
        return None
    return "Verouderd bewijs: " + ", ".join(missing_subject(p, kader.questions) for p in f.stale_evidence) + "."
