"""Progress over the peildata: per team and requirement the status at each peildatum, and how it
changed (better, worse, same, new, not in this Kader version)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from kadertoets.load.kader import version_key
from kadertoets.model import STATUS_ORDER, Evaluation, Status
from kadertoets.sweep.discover import Invalid, invalid_exit_code
from kadertoets.sweep.sweep import Sweep, team_key
from kadertoets.infra.records import record

RANKED = {Status.VOLDOET_NIET: 0, Status.DEELS: 1, Status.VOLDOET: 2}

CHANGE_LABEL = {
    "verbeterd": "verbeterd",
    "verslechterd": "verslechterd",
    "gelijk": "gelijk",
    "nieuw": "nieuw",
    "gewijzigd": "gewijzigd",
    "niet_in_kader": "niet in deze Kaderversie",
}


def change(previous: Status | None, current: Status | None) -> str:
    """How a requirement's status changed between two peildata of one team.

    nieuw: not evaluated before (first peildatum, or absent from the earlier Kader version);
    niet_in_kader: absent from the later Kader version (never a regression);
    verbeterd / verslechterd: along voldoet_niet < deels < voldoet;
    gewijzigd: a change to or from onbekend or nvt (more or less known, not better or worse)."""
    if current is None:
        return "niet_in_kader"
    if previous is None:
        return "nieuw"
    if previous == current:
        return "gelijk"
    if previous in RANKED and current in RANKED:
        return "verbeterd" if RANKED[current] > RANKED[previous] else "verslechterd"
    return "gewijzigd"


@record
class TeamTrend:
    """One team over its peildata. Requirements are compared by id in the team's latest Kader
    version: a requirement renamed or split in a later version (`voorheen`) is followed under its new
    id(s); when several old requirements were merged into one, the weakest old status is shown."""

    team_id: str
    evaluations: tuple[Evaluation, ...]  # by peildatum

    @property
    def dates(self) -> list[dt.date]:
        return [ev.assessment.reference_date for ev in self.evaluations]

    def _current_ids(self, ev: Evaluation, rule_id: str) -> tuple[str, ...]:
        """The ids under which `rule_id` (of `ev`'s Kader version) lives on in the latest version."""
        latest = self.evaluations[-1].kader
        if latest is None or ev.kader is latest or rule_id in latest.rules:
            return (rule_id,)
        ids = (rule_id,)
        for kader in self._kaders_after(ev.kader):  # follow voorheen through every later version used
            ids = tuple(dict.fromkeys(s for i in ids for s in (kader.successors(i) or (i,))))
        return ids

    def _kaders_after(self, kader) -> list:
        out = []
        for ev in self.evaluations:
            k = ev.kader
            if k is not None and k is not kader and all(k is not o for o in out) and \
                    (kader is None or version_key(k.version) > version_key(kader.version)):
                out.append(k)
        return sorted(out, key=lambda k: version_key(k.version))

    @cached_property
    def _index(self) -> list[dict[str, list]]:
        """Per evaluation: current id -> the findings that live on under it."""
        out = []
        for ev in self.evaluations:
            by_id: dict[str, list] = {}
            for f in ev.findings:
                for cid in self._current_ids(ev, f.rule_id):
                    by_id.setdefault(cid, []).append(f)
            out.append(by_id)
        return out

    def rule_ids(self) -> list[str]:
        return sorted({cid for by_id in self._index for cid in by_id})

    def former_ids(self, rule_id: str) -> list[str]:
        """The other ids this requirement had at earlier peildata (renamed, split or merged)."""
        out: dict[str, None] = {}
        for by_id in self._index:
            for f in by_id.get(rule_id, []):
                if f.rule_id != rule_id:
                    out.setdefault(f.rule_id)
        return list(out)

    def statuses(self, rule_id: str) -> list[Status | None]:
        out = []
        for by_id in self._index:
            found = [f.status for f in by_id.get(rule_id, [])]
            out.append(min(found, key=STATUS_ORDER.index) if found else None)
        return out

    def changes(self, rule_id: str) -> list[str]:
        st = self.statuses(rule_id)
        return [change(None, st[0]) if st[0] is not None else "niet_in_kader"] + \
            [change(a, b) for a, b in zip(st, st[1:])]

    def plan_progress(self) -> list[dict]:
        """Per peildatum: actions, behaald, overdue (deadline before the peildatum, not behaald), moved."""
        out = []
        for ev in self.evaluations:
            day = ev.assessment.reference_date
            actions = ev.assessment.plan
            out.append({
                "peildatum": day,
                "acties": len(actions),
                "behaald": sum(1 for a in actions if a.status == "behaald"),
                "verlopen": sum(1 for a in actions if a.status != "behaald" and a.current_deadline
                                and a.current_deadline < day),
                "verplaatst": sum(1 for a in actions if a.moved),
            })
        return out


@record
class Trend:
    teams: tuple[TeamTrend, ...]
    invalid: tuple[Invalid, ...]

    def region_counts(self) -> list[tuple[dt.date, dict]]:
        """Counts per status over all assessments, per peildatum."""
        per_day: dict[dt.date, dict] = {}
        for team in self.teams:
            for ev in team.evaluations:
                counts = per_day.setdefault(ev.assessment.reference_date, {s.value: 0 for s in Status})
                for s, n in ev.counts().items():
                    counts[s] += n
        return sorted(per_day.items())

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return invalid_exit_code(self.invalid)
        latest = [t.evaluations[-1] for t in self.teams]
        return 0 if all(ev.compliant_or_excused for ev in latest) else 1


def build_trend(sweep: Sweep) -> Trend:
    teams: dict[str, list[Evaluation]] = {}
    for ev in sweep.all_evaluations:
        teams.setdefault(ev.assessment.team.id, []).append(ev)
    ordered = sorted(teams.items(), key=lambda kv: team_key(kv[1][-1]))
    return Trend(
        teams=tuple(TeamTrend(tid, tuple(sorted(evs, key=lambda e: e.assessment.reference_date)))
                    for tid, evs in ordered),
        invalid=sweep.invalid,
    )
