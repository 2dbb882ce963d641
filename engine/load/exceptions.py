"""Loading the `afwijkingen:` block of an assessment: approved exceptions to requirements of the Kader.

Each afwijking names a requirement (`eis`, a rule id of the Kader version), a reason, who approved it
(`goedgekeurd_door`: a role from the manifest's `rollen` and a name), the day it was approved
(`datum`) and the last day it holds (`geldig_tot`). What makes one invalid input (every problem of
every afwijking reported at once, each with file and line):
- a missing or empty key, an unknown key, a date that does not exist;
- an `eis` that is not a rule of the Kader, or an eis that already has an afwijking;
- a role that is not in the manifest;
- `geldig_tot` before `datum`, or further after it than the manifest's `afwijkingen.max_geldigheid_maanden`
  (counted as `binnen_maanden` counts: the same calendar day that many months later still fits);
- a `datum` after the peildatum (an approval after the day the facts hold belongs to a later assessment);
- any afwijking at all when the manifest sets no maximum validity (that version allows none).
Whether an afwijking holds on the as-of date is the evaluation's business (evaluate/annotate.py).
"""

from __future__ import annotations

import datetime as dt

from kadertoets.evaluate.operators import months_before
from kadertoets.evaluate.plan import add_months
from kadertoets.infra.dates import dutch_date
from kadertoets.infra.errors import KaderFout, Problem, enough, excerpt
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import Node, collect, hint_with
from kadertoets.load import formats
from kadertoets.model import Approver, ApprovedException


def approved_exceptions(node: Node, kader, reference: dt.date | None) -> tuple[ApprovedException, ...]:
    """Every afwijking of the block, checked against `kader` and the peildatum `reference` (None when
    the peildatum itself is wrong: then that check is left to its own message)."""
    node.sequence()
    if kader.exception_max_months is None and node.value:
        raise node.fail(f"Kader {kader.version} staat geen afwijkingen toe: het manifest noemt niet hoe lang een "
                        "afwijking hoogstens geldt ('afwijkingen:' met 'max_geldigheid_maanden')",
                        "Haal het blok 'afwijkingen:' weg, of vraag de Kader-redacteuren de termijn in het manifest "
                        "te zetten.", code=Code.VALUE_NOT_ALLOWED)
    out: list[ApprovedException] = []
    seen: dict[str, int | None] = {}
    problems: list[Problem] = []
    for e in node.elements():
        if enough(problems, node.file, node.line):
            break
        item = collect(problems, _exception, e, kader, reference)
        if item is None:
            continue
        if item.requirement in seen:
            where = f" (regel {seen[item.requirement]})" if seen[item.requirement] else ""
            problems.append(e.child("eis").problem(
                f"eis {item.requirement} heeft al een afwijking{where}",
                "Eén afwijking per eis: voeg ze samen, of haal de oude weg.", code=Code.DUPLICATE_ID))
            continue
        seen[item.requirement] = item.line
        out.append(item)
    if problems:
        raise KaderFout(problems)
    return tuple(out)


def _exception(e: Node, kader, reference: dt.date | None) -> ApprovedException:
    """One afwijking; all its problems together."""
    if not isinstance(e.value, dict):
        e.mapping(what="een afwijking")  # raises: not a mapping
    problems: list[Problem] = []
    collect(problems, e.mapping, required=formats.EXCEPTION.required, optional=formats.EXCEPTION.optional,
            what="een afwijking")

    def field(key, check, *args):
        return collect(problems, check, e.child(key), *args) if e.has(key) else None

    rid = field("eis", Node.text)
    if rid is not None and rid not in kader.rules:
        problems.append(e.child("eis").problem(
            f"onbekende eis {excerpt(rid)} in Kader {kader.version}",
            hint_with(rid, kader.rules, "Gebruik een regel-id uit 'kader rules'."), code=Code.UNKNOWN_RULE_REF))
    reason = field("reden", Node.text)
    approver = field("goedgekeurd_door", _approver, kader)
    start = field("datum", Node.date)
    until = field("geldig_tot", Node.date)
    if start is not None and reference is not None and start > reference:
        problems.append(e.child("datum").problem(
            f"de afwijking is goedgekeurd op {dutch_date(start)}, na de peildatum ({dutch_date(reference)})",
            "Een afwijking van na de peildatum hoort bij een volgend assessment; controleer de datum.",
            code=Code.VALUE_NOT_ALLOWED))
    if start is not None and until is not None:
        limit = kader.exception_max_months
        if until < start:
            problems.append(e.child("geldig_tot").problem(
                f"geldig_tot ({dutch_date(until)}) ligt vóór de datum van de afwijking ({dutch_date(start)})",
                "Zet de laatste dag waarop de afwijking geldt, op of na de datum.", code=Code.VALUE_NOT_ALLOWED))
        elif limit is not None and start < months_before(until, limit):
            problems.append(e.child("geldig_tot").problem(
                f"de afwijking geldt van {dutch_date(start)} tot en met {dutch_date(until)}: langer dan de "
                f"{limit} maanden die Kader {kader.version} toestaat",
                f"Een afwijking van {dutch_date(start)} geldt hoogstens tot en met "
                f"{dutch_date(_latest_end(start, limit))}; vraag daarna een nieuwe goedkeuring.",
                code=Code.VALUE_NOT_ALLOWED))
    if problems:
        raise KaderFout(problems)
    return ApprovedException(requirement=rid, reason=reason.strip(), approver=approver, date=start,
                             valid_until=until, line=e.line)


def _latest_end(start: dt.date, months: int) -> dt.date:
    """The last geldig_tot that fits: the latest day whose `months_before` is not after `start`."""
    day = add_months(start, months)
    while months_before(day + dt.timedelta(days=1), months) <= start:  # a month end: a day or three more fit
        day += dt.timedelta(days=1)
    return day


def _approver(node: Node, kader) -> Approver:
    """`goedgekeurd_door`: {rol: a role of the manifest, naam: text}."""
    if not isinstance(node.value, dict):
        node.mapping(what="goedgekeurd_door")  # raises: not a mapping
    problems: list[Problem] = []
    collect(problems, node.mapping, required=formats.APPROVER.required, optional=formats.APPROVER.optional,
            what="goedgekeurd_door")
    role = collect(problems, node.child("rol").text) if node.has("rol") else None
    if role is not None and role not in kader.roles:
        problems.append(node.child("rol").problem(
            f"onbekende rol {excerpt(role)} in Kader {kader.version}",
            hint_with(role, kader.roles, "Toegestaan: " + ", ".join(kader.roles) + "."), code=Code.VALUE_NOT_ALLOWED))
    name = collect(problems, node.child("naam").name) if node.has("naam") else None
    if problems:
        raise KaderFout(problems)
    return Approver(role=role, name=name)
