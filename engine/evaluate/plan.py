"""The transformatieplan: merge a team's own actions with the current findings (pure).

- an existing action keeps its status, owner and dates (a moved deadline stays as history);
- a gap without an action gets a proposed action from its rule;
- an action whose requirement now complies (or no longer applies) is flagged for confirmation;
- gaps that only the region can close are listed apart (regional dependencies);
- requirements that are `onbekend` are listed as facts to establish, not as actions.
"""

from __future__ import annotations

import datetime as dt

from kadertoets.model import Evaluation, Finding, PlanAction, Status
from kadertoets.infra.records import record


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

    @property
    def done(self) -> bool:
        return self.status == "behaald"

    @property
    def regional(self) -> bool:
        return self.responsible == "regio"

    def deadline_passed(self, as_of: dt.date) -> bool:
        return bool(self.deadline and self.deadline < as_of and not self.done)


@record
class Plan:
    evaluation: Evaluation
    items: tuple[PlanItem, ...]  # local actions (team and gemeente), incl. those to confirm
    regional: tuple[PlanItem, ...]  # regional dependencies
    unknown: tuple[Finding, ...]  # requirements whose status is onbekend: facts to establish

    def upcoming(self, limit: int = 5) -> list[PlanItem]:
        """Open items (local first, then regional) with the nearest deadlines on or after the as-of date."""
        as_of = self.evaluation.as_of
        open_items = [i for i in self.items + self.regional if not i.done and i.deadline and i.deadline >= as_of]
        open_items.sort(key=lambda i: (i.deadline, i.regional, i.requirement, i.description))
        return open_items[:limit]

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
    )


def _proposal(finding: Finding, as_of: dt.date) -> PlanItem:
    template = finding.action
    return PlanItem(
        requirement=finding.rule_id,
        title=finding.title,
        theme=finding.theme,
        finding_status=finding.status,
        responsible=finding.responsible,
        description=template.description,
        owner=template.owner,
        deadline=template.deadline.date,
        original_deadline=template.deadline.date,
        moved=(),
        status="gepland",
        extra_budget=None,
        origin="voorstel",
        to_confirm=False,
        overdue=False,  # nobody agreed to a proposal yet; see deadline_passed
        extra_budget_possible=template.extra_budget_possible,
        deadline_derived=template.deadline.derived,
    )


def build_plan(evaluation: Evaluation) -> Plan:
    as_of = evaluation.as_of
    by_rule = {f.rule_id: f for f in evaluation.findings}
    actions_by_rule: dict[str, list[PlanAction]] = {}
    for action in evaluation.assessment.plan:
        actions_by_rule.setdefault(action.requirement, []).append(action)
    local, regional = [], []
    for rid in sorted(by_rule):
        finding = by_rule[rid]
        existing = actions_by_rule.get(rid, [])
        items = [_item_from_action(a, finding, as_of) for a in existing]
        if not items and finding.status.is_gap:
            items = [_proposal(finding, as_of)]
        target = regional if finding.responsible == "regio" else local
        target.extend(items)
    unknown = tuple(f for f in evaluation.findings if f.status == Status.ONBEKEND)
    key = _sort_key
    return Plan(evaluation=evaluation, items=tuple(sorted(local, key=key)), regional=tuple(sorted(regional, key=key)),
                unknown=unknown)


def _sort_key(item: PlanItem):
    return (item.owner.casefold(), item.deadline or dt.date.max, item.requirement, item.description)
