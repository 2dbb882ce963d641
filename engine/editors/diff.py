"""What changed between two Kader versions, and what that does to real teams.

Pure: (old Kader, new Kader) -> KaderDiff, and (old, new, assessments) -> Impact. Requirements are
matched by id; `voorheen` (in either version) turns a disappeared id and a new id into a rename,
split or merge instead of a removal and an addition, so diff(A, B) and diff(B, A) mirror each other.
Field values are compared as the Dutch text an editor reads (conditions through describe()).
The impact evaluates each team's facts against OLD as they are and against NEW through the
migration (migrate.py), so it shows exactly what migrating would.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import NamedTuple

from kadertoets.evaluate.conditions import describe, questions_of
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.editors.migrate import migrate
from kadertoets.infra.exitcodes import ExitCode
from kadertoets.model import SOURCE_ROLE_LABEL, Kader, Question, Rule, Status
from kadertoets.infra.records import record


@record
class FieldChange:
    field: str  # Dutch key as in the YAML (titel, norm.voldoet, ...)
    old: str | None
    new: str | None


@record
class RuleChange:
    old_id: str
    new_id: str
    title: str
    changes: tuple[FieldChange, ...]


@record
class Rename:
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]

    @property
    def kind(self) -> str:
        if len(self.old_ids) == 1 and len(self.new_ids) == 1:
            return "hernoemd"
        return "gesplitst" if len(self.old_ids) == 1 else "samengevoegd"


@record
class QuestionChange:
    path: str
    changes: tuple[FieldChange, ...]


@record
class KaderDiff:
    old_label: str  # e.g. "1.0" or "kader-kopie@1.1"
    new_label: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    renamed: tuple[Rename, ...]
    changed: tuple[RuleChange, ...]  # also the field changes of renamed requirements (one per pair)
    questions_added: tuple[str, ...]
    questions_removed: tuple[str, ...]
    questions_changed: tuple[QuestionChange, ...]
    titles: dict  # rule id -> title, for both versions
    manifest: tuple[FieldChange, ...] = ()  # the manifest: name, status, dates, changelog, roles, deadlines
    changelog: tuple[str, ...] = ()  # NEW's own `wijzigingen` (for the changelog)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed or self.questions_added
                    or self.questions_removed or self.questions_changed or self.manifest)


def rule_fields(rule: Rule) -> dict[str, str | None]:
    """A rule as the texts an editor compares, by YAML key."""
    a = rule.action
    return {
        "titel": rule.title,
        "thema": rule.theme,
        "uitleg": rule.explanation,
        "bronnen": "; ".join(s.label() + (f' ("{s.quote}")' if s.quote else "")
                             + (f" ({SOURCE_ROLE_LABEL[s.role]})" if s.illustration else "") for s in rule.sources),
        "grondslag": rule.basis + (f": {rule.basis_note}" if rule.basis_note else ""),
        "norm_herkomst": rule.norm_origin,
        "norm_toelichting": rule.norm_note,
        "verantwoordelijk": rule.responsible,
        "van_toepassing": describe(rule.applies) if rule.applies is not None else None,
        "norm.voldoet": describe(rule.meets),
        "norm.deels": describe(rule.partly) if rule.partly is not None else None,
        "actie.omschrijving": a.description,
        "actie.eigenaar": a.owner,
        "actie.deadline": f"{a.deadline.key} ({a.deadline.date.isoformat()})",
        "actie.extra_middelen_mogelijk": "ja" if a.extra_budget_possible else "nee",
        "vragen": ", ".join(sorted(questions_of(rule))) or None,
    }


def manifest_fields(k: Kader) -> dict[str, str | None]:
    """A version's manifest as the texts an editor compares, by YAML key (roles and deadlines per key)."""
    out: dict[str, str | None] = {
        "naam": k.name,
        "status": k.status,
        "documentdatum": k.document_date.isoformat(),
        "ingangsdatum": k.effective_date.isoformat(),
        "vorige_versie": k.previous_version,
        "wijzigingen": " | ".join(k.changelog) or None,
    }
    out.update({f"rollen.{key}": label for key, label in sorted(k.roles.items())})
    for key, d in sorted(k.deadlines.items()):
        out[f"deadlines.{key}"] = f"{d.date.isoformat()} ({d.label}" + (", afgeleid" if d.derived else "") + ")"
    return out


def question_fields(q: Question) -> dict[str, str | None]:
    return {
        "type": q.type, "vraag": q.question, "eenheid": q.unit,
        "waarden": ", ".join(q.values) if q.values else None,
        "minimum": None if q.minimum is None else f"{q.minimum:g}",
        "maximum": None if q.maximum is None else f"{q.maximum:g}",
        "hulp": q.help or None, "thema": q.theme,
        "kort": q.short or None,
        "labels": ", ".join(f"{k}: {v}" for k, v in q.labels) if q.labels else None,
    }


def _field_changes(old: dict, new: dict) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, old.get(k), new.get(k)) for k in dict.fromkeys([*old, *new])
                 if old.get(k) != new.get(k))


def _renames(old: Kader, new: Kader) -> list[tuple[str, str]]:
    """(old id, new id) pairs: a new rule naming a vanished old id in `voorheen`, or (diffing
    backwards) an old rule naming a new id that it replaced."""
    pairs = []
    for rule in new.rules.values():
        if rule.id not in old.rules:
            pairs += [(o, rule.id) for o in rule.previous_ids if o in old.rules and o not in new.rules]
    for rule in old.rules.values():
        if rule.id not in new.rules:
            pairs += [(rule.id, n) for n in rule.previous_ids if n in new.rules and n not in old.rules]
    return sorted(set(pairs))


def _groups(pairs: list[tuple[str, str]]) -> list[Rename]:
    """Connected groups of rename pairs: one old and one new id, a split or a merge."""
    groups: list[tuple[set, set]] = []
    for o, n in pairs:
        hits = [g for g in groups if o in g[0] or n in g[1]]
        merged = (set([o]), set([n]))
        for g in hits:
            merged[0].update(g[0])
            merged[1].update(g[1])
            groups.remove(g)
        groups.append(merged)
    return sorted((Rename(tuple(sorted(a)), tuple(sorted(b))) for a, b in groups), key=lambda r: r.old_ids)


def diff_kaders(old: Kader, new: Kader, old_label: str | None = None, new_label: str | None = None) -> KaderDiff:
    pairs = _renames(old, new)
    renamed_old = {o for o, _ in pairs}
    renamed_new = {n for _, n in pairs}
    changed = []
    for rid in sorted(set(old.rules) & set(new.rules)):
        changes = _field_changes(rule_fields(old.rules[rid]), rule_fields(new.rules[rid]))
        if changes:
            changed.append(RuleChange(rid, rid, new.rules[rid].title, changes))
    for o, n in pairs:
        changes = _field_changes(rule_fields(old.rules[o]), rule_fields(new.rules[n]))
        if changes:
            changed.append(RuleChange(o, n, new.rules[n].title, changes))
    q_changed = []
    for path in sorted(set(old.questions) & set(new.questions)):
        changes = _field_changes(question_fields(old.questions[path]), question_fields(new.questions[path]))
        if changes:
            q_changed.append(QuestionChange(path, changes))
    titles = {**{r.id: r.title for r in old.rules.values()}, **{r.id: r.title for r in new.rules.values()}}
    return KaderDiff(
        old_label=old_label or old.version,
        new_label=new_label or new.version,
        added=tuple(sorted(set(new.rules) - set(old.rules) - renamed_new)),
        removed=tuple(sorted(set(old.rules) - set(new.rules) - renamed_old)),
        renamed=tuple(_groups(pairs)),
        changed=tuple(changed),
        questions_added=tuple(sorted(set(new.questions) - set(old.questions))),
        questions_removed=tuple(sorted(set(old.questions) - set(new.questions))),
        questions_changed=tuple(q_changed),
        titles=titles,
        manifest=_field_changes(manifest_fields(old), manifest_fields(new)),
        changelog=new.changelog,
    )


# ------------------------------------------------------------------ impact -------------------------
@record
class StatusChange:
    old_id: str | None  # None: a requirement new in NEW
    new_id: str | None  # None: removed without successor
    old: Status | None
    new: Status | None


@record
class TeamImpact:
    team_id: str
    team_name: str
    file: str
    changes: tuple[StatusChange, ...]
    migration_notes: tuple[str, ...]  # facts left out or to reconfirm, open questions


@record
class Impact:
    teams: tuple[TeamImpact, ...]  # only teams with at least one change
    checked: int  # assessments compared
    invalid: tuple  # (file, problems) of assessments that could not be read against OLD

    def transitions(self) -> list[tuple[str, int]]:
        """'voldoet -> voldoet_niet' and how often, most frequent first."""
        counted = Counter(f"{_s(c.old)} -> {_s(c.new)}" for t in self.teams for c in t.changes)
        return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def exit_code(self) -> int:
        """2 (invalid input) when an assessment could not be read against OLD, else 0: a changed status is
        what the impact shows, not a failure."""
        return ExitCode.INVALID if self.invalid else ExitCode.OK


class DiffResult(NamedTuple):
    """What `kader diff` shows: the differences between two versions and, with --assessments, their
    impact on the teams. A pair, so a renderer unpacks it as `changes, impact`."""

    changes: KaderDiff
    impact: Impact | None = None

    @property
    def exit_code(self) -> int:
        """The exit code of `kader diff` (kadertoets.infra.exitcodes): 0 when the difference is shown,
        2 when an assessment named with --assessments is invalid (the difference is shown all the same)."""
        return self.impact.exit_code if self.impact is not None else ExitCode.OK


ABSENT = "ontbreekt"  # a requirement that is not in that version (never a status or an answer value)


def _s(status: Status | None) -> str:
    return status.value if status is not None else ABSENT


def impact(old: Kader, new: Kader, assessments, as_of: dt.date | None = None) -> Impact:
    """For Assessments valid against OLD: which requirement statuses change when the same facts are
    evaluated against NEW (after migration)."""
    teams = []
    count = 0
    for a in assessments:
        count += 1
        day = as_of or a.reference_date
        before = {f.rule_id: f.status for f in evaluate(old, a, day, _python()).findings}
        m = migrate(a, old, new)
        after = {f.rule_id: f.status for f in evaluate(new, m.assessment, day, _python()).findings}
        changes = []
        seen_new = set()
        for rid, status in before.items():
            targets = new.successors(rid) or _backwards(old, new, rid)
            if not targets:
                changes.append(StatusChange(rid, None, status, None))
            for t in targets:
                seen_new.add(t)
                if after.get(t) != status:
                    changes.append(StatusChange(rid, t, status, after.get(t)))
        for rid, status in after.items():
            if rid not in seen_new:
                changes.append(StatusChange(None, rid, None, status))
        if changes:
            notes = tuple(f"{f.path}: {f.outcome}" for f in m.facts if f.outcome != "overgenomen")
            teams.append(TeamImpact(a.team.id, a.team.name, a.file, tuple(changes), notes))
    return Impact(tuple(teams), count, ())


def _backwards(old: Kader, new: Kader, rid: str) -> tuple[str, ...]:
    """Diffing backwards: the NEW ids that the OLD rule `rid` names in its `voorheen`."""
    rule = old.rules.get(rid)
    return tuple(n for n in (rule.previous_ids if rule else ()) if n in new.rules)


def _python():
    from kadertoets.evaluate.backends import get_backend

    return get_backend("python")
