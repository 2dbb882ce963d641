"""The transformatieplan: merge a team's own actions with the current findings (pure).

- an existing action keeps its status, owner and dates (a moved deadline stays as history);
- a gap without an action gets a proposed action from its rule;
- an action whose requirement now complies (or no longer applies) is flagged for confirmation;
- gaps that only the region can close are listed apart (regional dependencies);
- requirements that are `onbekend` are listed as facts to establish, not as actions;
- a gap covered by an afwijking that holds on the as-of date gets no proposed action (the afwijking was
  approved so that the team need not close it yet); it is listed apart with the day the afwijking ends.
  The team's own actions for it stay. A gap whose afwijking no longer holds gets its proposal as any
  gap, marked "afwijking verlopen" (`exception_expired`);
- a proposal fits the finding: when a rule's action comes in parts (`onderdelen`), only the parts the team
  has not reached are proposed (a part whose `tenzij` is unknown counts as not reached);
- a proposal whose Kader deadline has already passed on the as-of date (the peildatum unless asked
  otherwise) gets a new deadline, PROPOSED_LEAD_MONTHS after the as-of date, written as a moved deadline
  so that the Kader's deadline stays visible.
"""

from __future__ import annotations

import calendar
import datetime as dt

from kadertoets.evaluate.conditions import evaluate as truth_of
from kadertoets.model import Evaluation, Finding, MovedDeadline, PlanAction, Status
from kadertoets.infra.records import record
from kadertoets.infra.dates import dutch_date

PROPOSED_LEAD_MONTHS = 3  # a passed Kader deadline becomes the as-of date plus this many months


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the last day of a shorter month when the day does not exist there
    (2023-11-30 + 3 months = 2024-02-29)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def proposed_deadline_note(kader_deadline: dt.date, as_of: dt.date, on_reference_date: bool) -> str:
    """The plain Dutch reason of a proposed new deadline, kept with the action (deadline_verplaatst)."""
    when = "peildatum" if on_reference_date else "toetsdatum"
    new = add_months(as_of, PROPOSED_LEAD_MONTHS)
    return (f"de Kader-deadline {dutch_date(kader_deadline)} was op de {when} {dutch_date(as_of)} al verstreken; "
            f"voorgestelde nieuwe deadline {dutch_date(new)} ({PROPOSED_LEAD_MONTHS} maanden na de {when})")


@record
class PlanItem:
    requirement: str
    title: str
    theme: str
    finding_status: Status
    responsible: str
    description: str
    owner: str
    deadline: dt.date | None  # current deadline (after moves)
    original_deadline: dt.date | None
    moved: tuple
    status: str  # gepland | behaald | deels_behaald | niet_behaald
    extra_budget: bool | None  # the team's own "extra_middelen_nodig" (None for a proposal)
    origin: str  # "team" (from the assessment) | "voorstel" (proposed from the rule)
    to_confirm: bool  # open action, but the requirement now complies / no longer applies: confirm it is done
    overdue: bool  # a team action whose current deadline lies before the as-of date and is not behaald
    done_but_gap: bool = False  # the team says behaald, but the requirement still has a gap
    extra_budget_possible: bool = False  # the Kader says extra budget may be needed (proposals)
    deadline_derived: bool = False
    note: str | None = None
    id: str | None = None
    deadline_proposed: bool = False  # a proposal whose Kader deadline had passed: `deadline` is a new one
    parts_left_out: tuple = ()  # parts of the rule's action the team has already reached (not proposed)
    exception_expired: bool = False  # a gap whose afwijking does not hold on the as-of date: "afwijking verlopen"

    @property
    def done(self) -> bool:
        return self.status == "behaald"

    @property
    def regional(self) -> bool:
        return self.responsible == "regio"


@record
class Plan:
    evaluation: Evaluation
    items: tuple[PlanItem, ...]  # local actions (team and gemeente), incl. those to confirm
    regional: tuple[PlanItem, ...]  # regional dependencies
    unknown: tuple[Finding, ...]  # requirements whose status is onbekend: facts to establish
    exceptions: tuple[Finding, ...] = ()  # findings with an afwijking (valid or not), by rule id

    def upcoming(self, limit: int = 5) -> list[PlanItem]:
        """Open items (local first, then regional) with the nearest deadlines on or after the as-of date."""
        as_of = self.evaluation.as_of
        open_items = [i for i in self.items + self.regional if not i.done and i.deadline and i.deadline >= as_of]
        open_items.sort(key=lambda i: (i.deadline, i.regional, i.requirement, i.description))
        return open_items[:limit]

    def open_items(self) -> list[PlanItem]:
        """Every action not yet behaald (local and regional)."""
        return [i for i in self.items + self.regional if not i.done]

    def overdue(self) -> list[PlanItem]:
        items = [i for i in self.items + self.regional if i.overdue]
        return sorted(items, key=lambda i: (i.deadline, i.requirement))

    @property
    def exit_code(self) -> int:
        """The exit code of `kader plan` (kadertoets.infra.exitcodes), the same as `kader check` for the
        same team: 0 when every requirement complies or does not apply, 1 for gaps or unknowns."""
        return self.evaluation.exit_code


def _item_from_action(action: PlanAction, finding: Finding, as_of: dt.date) -> PlanItem:
    deadline = action.current_deadline
    complies = finding.status in (Status.VOLDOET, Status.NVT)
    return PlanItem(
        requirement=action.requirement,
        title=finding.title,
        theme=finding.theme,
        finding_status=finding.status,
        responsible=finding.responsible,
        description=action.description,
        owner=action.owner,
        deadline=deadline,
        original_deadline=action.deadline,
        moved=action.moved,
        status=action.status,
        extra_budget=action.extra_budget,
        origin="team",
        to_confirm=complies and action.status != "behaald",
        overdue=bool(deadline and deadline < as_of and action.status != "behaald"),
        done_but_gap=action.status == "behaald" and finding.status.is_gap,
        note=action.note,
        id=action.id,
        exception_expired=finding.exception_expired,
    )


def fitting_parts(finding: Finding, env: dict, statuses: dict, as_of: dt.date) -> tuple[str, tuple[str, ...]]:
    """The description to propose for a gap and the parts left out because the team already reached
    them. Without parts, or when no part is known to be reached, the action's own omschrijving. When
    every part counts as reached (a rule whose parts do not cover its norm; the Kader load refuses this
    for the rule's examples), the whole action is proposed rather than nothing."""
    template = finding.action
    if not template.parts:
        return template.description, ()
    reached = [truth_of(unless, env, statuses, as_of) is True for _, unless in template.parts]
    if not any(reached) or all(reached):
        return template.description, ()
    left = " ".join(text for (text, _), done in zip(template.parts, reached) if not done)
    return left, tuple(text for (text, _), done in zip(template.parts, reached) if done)


def _proposal(finding: Finding, evaluation: Evaluation, env: dict, statuses: dict) -> PlanItem:
    template = finding.action
    as_of = evaluation.as_of
    description, left_out = fitting_parts(finding, env, statuses, as_of)
    kader_deadline = template.deadline.date
    deadline, moved, proposed = kader_deadline, (), False
    if kader_deadline < as_of:
        deadline = add_months(as_of, PROPOSED_LEAD_MONTHS)
        on_reference = as_of == evaluation.assessment.reference_date
        moved = (MovedDeadline(deadline, proposed_deadline_note(kader_deadline, as_of, on_reference)),)
        proposed = True
    return PlanItem(
        requirement=finding.rule_id,
        title=finding.title,
        theme=finding.theme,
        finding_status=finding.status,
        responsible=finding.responsible,
        description=description,
        owner=template.owner,
        deadline=deadline,
        original_deadline=kader_deadline,
        moved=moved,
        status="gepland",
        extra_budget=None,
        origin="voorstel",
        to_confirm=False,
        overdue=False,  # nobody agreed to a proposal yet
        extra_budget_possible=template.extra_budget_possible,
        deadline_derived=template.deadline.derived,
        deadline_proposed=proposed,
        parts_left_out=left_out,
        exception_expired=finding.exception_expired,
    )


def build_plan(evaluation: Evaluation) -> Plan:
    as_of = evaluation.as_of
    by_rule = {f.rule_id: f for f in evaluation.findings}
    actions_by_rule: dict[str, list[PlanAction]] = {}
    for action in evaluation.assessment.plan:
        actions_by_rule.setdefault(action.requirement, []).append(action)
    env = evaluation.assessment.values()
    if evaluation.region is not None:
        env.update(evaluation.region.values())
    statuses = {f.rule_id: f.status for f in evaluation.findings}
    local, regional = [], []
    for rid in sorted(by_rule):
        finding = by_rule[rid]
        existing = actions_by_rule.get(rid, [])
        items = [_item_from_action(a, finding, as_of) for a in existing]
        if not items and finding.status.is_gap and not finding.excused:
            items = [_proposal(finding, evaluation, env, statuses)]
        target = regional if finding.responsible == "regio" else local
        target.extend(items)
    unknown = tuple(f for f in evaluation.findings if f.status == Status.ONBEKEND)
    key = _sort_key
    exceptions = tuple(f for f in evaluation.findings if f.exception is not None)
    return Plan(evaluation=evaluation, items=tuple(sorted(local, key=key)), regional=tuple(sorted(regional, key=key)),
                unknown=unknown, exceptions=exceptions)


def _sort_key(item: PlanItem):
    return (item.owner.casefold(), item.deadline or dt.date.max, item.requirement, item.description)
