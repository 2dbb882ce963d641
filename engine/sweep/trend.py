"""Progress over the peildata: per team and requirement the status at each peildatum, and how it
changed (better, worse, same, new, not in this Kader version); and the region's totals per peildatum,
in which every team counts with its latest assessment on or before that peildatum (carried forward
from an earlier peildatum when it has none of its own), so that one team's new assessment does not
make the totals swing."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
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
        return list(self._dates)

    @cached_property
    def _dates(self) -> tuple[dt.date, ...]:
        return tuple(ev.assessment.reference_date for ev in self.evaluations)

    def at(self, day: dt.date) -> Evaluation | None:
        """The team's latest assessment on or before `day` (None when it has none yet)."""
        i = bisect_right(self._dates, day)
        return self.evaluations[i - 1] if i else None

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
        followed: dict[tuple[int, str], tuple[str, ...]] = {}  # (Kader, rule id) -> current ids, once each
        for ev in self.evaluations:
            by_id: dict[str, list] = {}
            for f in ev.findings:
                key = (id(ev.kader), f.rule_id)
                ids = followed.get(key)
                if ids is None:
                    ids = followed[key] = self._current_ids(ev, f.rule_id)
                for cid in ids:
                    by_id.setdefault(cid, []).append(f)
            out.append(by_id)
        return out

    @cached_property
    def _rows(self) -> dict[str, tuple[tuple[str, ...], tuple[Status | None, ...], tuple[str, ...]]]:
        """Per current id, in order: its former ids, its status and its change per peildatum; worked
        out once per team (every renderer asks for each of them per requirement)."""
        rows = {}
        for rule_id in sorted({cid for by_id in self._index for cid in by_id}):
            former: dict[str, None] = {}
            st: list[Status | None] = []
            for by_id in self._index:
                found = by_id.get(rule_id)
                if found:
                    for f in found:
                        if f.rule_id != rule_id:
                            former.setdefault(f.rule_id)
                    st.append(found[0].status if len(found) == 1 else
                              min((f.status for f in found), key=STATUS_ORDER.index))
                else:
                    st.append(None)
            changes = [change(None, st[0]) if st[0] is not None else "niet_in_kader"] + \
                [change(a, b) for a, b in zip(st, st[1:])]
            rows[rule_id] = (tuple(former), tuple(st), tuple(changes))
        return rows

    def rule_ids(self) -> list[str]:
        return list(self._rows)

    def former_ids(self, rule_id: str) -> list[str]:
        """The other ids this requirement had at earlier peildata (renamed, split or merged)."""
        row = self._rows.get(rule_id)
        return list(row[0]) if row else []

    def statuses(self, rule_id: str) -> list[Status | None]:
        row = self._rows.get(rule_id)
        return list(row[1]) if row else [None] * len(self.evaluations)

    def changes(self, rule_id: str) -> list[str]:
        row = self._rows.get(rule_id)
        return list(row[2]) if row else ["niet_in_kader"] * len(self.evaluations)

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
class RegionDay:
    """The region at one peildatum: the findings of every team's latest assessment on or before it,
    counted per status. An assessment of an earlier peildatum is carried forward (overgenomen) with
    the findings it got for its own peildatum, from its own Kader version: nothing is evaluated
    again. Teams without any assessment on or before the peildatum are not counted."""

    day: dt.date
    counts: dict  # status value -> number of findings
    teams: int  # teams counted
    own: int  # of which with an assessment of this very peildatum (the others are carried forward)
    not_yet: int  # teams without an assessment on or before this peildatum
    versions: tuple[str, ...]  # the Kader versions of the assessments counted, oldest first

    @property
    def carried(self) -> int:
        return self.teams - self.own


@record
class Trend:
    teams: tuple[TeamTrend, ...]
    invalid: tuple[Invalid, ...]

    def region(self) -> tuple[RegionDay, ...]:
        return self._region

    @cached_property
    def _region(self) -> tuple[RegionDay, ...]:
        """Per peildatum of any assessment, oldest first. Kept up to date as the days pass (a team's
        new assessment replaces its previous one in the totals), so linear in the assessments; only
        the lists of teams (carried, not_yet) look at every team, and only when asked for."""
        arriving: dict[dt.date, list[tuple[int, Evaluation]]] = {}
        for n, team in enumerate(self.teams):
            for ev in team.evaluations:
                arriving.setdefault(ev.assessment.reference_date, []).append((n, ev))
        totals = {s.value: 0 for s in Status}
        versions: dict[str, int] = {}  # Kader version -> teams counted with it
        current: dict[int, tuple[Evaluation, dict]] = {}  # team index -> its counted evaluation and counts
        out = []
        for day in sorted(arriving):
            for n, ev in arriving[day]:
                counts = ev.counts()
                previous = current.get(n)
                if previous is not None:
                    old, old_counts = previous
                    for s, k in old_counts.items():
                        totals[s] -= k
                    versions[old.kader.version] -= 1
                current[n] = (ev, counts)
                for s, k in counts.items():
                    totals[s] += k
                versions[ev.kader.version] = versions.get(ev.kader.version, 0) + 1
            out.append(RegionDay(day, dict(totals), len(current), len(arriving[day]), len(self.teams) - len(current),
                                 tuple(sorted((v for v, k in versions.items() if k), key=version_key))))
        return tuple(out)

    def region_counts(self) -> list[tuple[dt.date, dict]]:
        """Counts per status per peildatum (every team with its latest assessment on or before it)."""
        return [(r.day, r.counts) for r in self.region()]

    def carried(self, day: dt.date) -> list[tuple[TeamTrend, Evaluation]]:
        """The teams counted at `day` with an assessment of an earlier peildatum, in team order."""
        out = []
        for team in self.teams:
            ev = team.at(day)
            if ev is not None and ev.assessment.reference_date < day:
                out.append((team, ev))
        return out

    def not_yet(self, day: dt.date) -> list[TeamTrend]:
        """The teams without an assessment on or before `day` (not counted there), in team order."""
        return [team for team in self.teams if team.at(day) is None]

    def named(self, limit: int) -> dict[dt.date, tuple[list[tuple[TeamTrend, Evaluation]], list[TeamTrend]]]:
        """Per peildatum the first `limit` of carried(day) and of not_yet(day), in team order: what a
        note that names at most `limit` teams shows (RegionDay has the numbers). One pass over the
        days, looking at the teams that arrive, never at every team per day (carried and not_yet do
        that: a JSON or workbook lists them all)."""
        arriving: dict[dt.date, list[int]] = {}
        for n, team in enumerate(self.teams):
            for ev in team.evaluations:
                arriving.setdefault(ev.assessment.reference_date, []).append(n)
        counted: list[int] = []  # team indexes with an assessment so far, in team order
        waiting = list(range(len(self.teams)))  # team indexes without one yet, in team order
        out = {}
        for day in sorted(arriving):
            today = set(arriving[day])
            for n in arriving[day]:
                i = bisect_left(waiting, n)
                if i < len(waiting) and waiting[i] == n:  # its first assessment
                    del waiting[i]
                    insort(counted, n)
            carried = []
            for n in counted:  # at most `limit` + the teams arriving today
                if len(carried) == limit:
                    break
                if n not in today:
                    team = self.teams[n]
                    carried.append((team, team.at(day)))
            out[day] = (carried, [self.teams[n] for n in waiting[:limit]])
        return out

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
