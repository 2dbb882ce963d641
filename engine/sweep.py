"""The regional sweep and the trend over time: load every assessment under some paths, keep the
invalid files apart (one broken file never hides the others), pick the latest assessment per team,
and summarise per requirement and per team. Loading is here; evaluation stays pure (`evaluate`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .backends import get_backend
from .errors import KaderFout, Problem, display_path
from .evaluate import evaluate
from .kader import available_versions, load_kader
from .model import Evaluation, Status
from .cache import cache_dir, read_entry, read_file, tree_from_raw, write_entry
from .parallel import run_chunks
from .resultcache import CorruptRecord, context_key, decode, encode, result_key
from .run import assessment_from_tree, kader_dir_or_default

SUFFIXES = (".yaml", ".yml")
RANKED = {Status.VOLDOET_NIET: 0, Status.DEELS: 1, Status.VOLDOET: 2}


@dataclass(frozen=True)
class Invalid:
    """A file that could not be used, with its located problems."""

    file: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RequirementSummary:
    rule_id: str
    title: str
    theme: str
    responsible: str
    counts: dict  # status value -> number of teams

    @property
    def applicable(self) -> int:
        return sum(n for s, n in self.counts.items() if s != Status.NVT.value)

    @property
    def weakness(self) -> tuple:
        """Sort key: most teams not complying first (voldoet_niet, then deels, then onbekend)."""
        return (-self.counts[Status.VOLDOET_NIET.value], -self.counts[Status.DEELS.value],
                -self.counts[Status.ONBEKEND.value], self.rule_id)


@dataclass(frozen=True)
class TeamSummary:
    evaluation: Evaluation

    @property
    def counts(self) -> dict:
        return self.evaluation.counts()

    @property
    def completeness(self) -> float:
        """Share of applicable requirements that are not onbekend (1.0 when nothing applies)."""
        applicable = [f for f in self.evaluation.findings if f.status != Status.NVT]
        if not applicable:
            return 1.0
        return sum(1 for f in applicable if f.status != Status.ONBEKEND) / len(applicable)


@dataclass(frozen=True)
class Sweep:
    evaluations: tuple[Evaluation, ...]  # one per team, sorted by gemeente, organisatie, team id
    invalid: tuple[Invalid, ...]
    superseded: tuple[Evaluation, ...] = ()  # older (or later than --peildatum) assessments of the same teams
    cutoff: dt.date | None = None
    all_evaluations: tuple[Evaluation, ...] = field(default=())  # every valid assessment (for trend)

    def requirements(self) -> list[RequirementSummary]:
        """Per requirement id (union over the Kader versions in use), weakest first."""
        seen: dict[str, RequirementSummary] = {}
        for ev in self.evaluations:
            for f in ev.findings:
                if f.rule_id not in seen:
                    seen[f.rule_id] = RequirementSummary(f.rule_id, f.title, f.theme, f.responsible,
                                                         {s.value: 0 for s in Status})
                seen[f.rule_id].counts[f.status.value] += 1
        return sorted(seen.values(), key=lambda r: r.weakness)

    def teams(self) -> list[TeamSummary]:
        return [TeamSummary(ev) for ev in self.evaluations]

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return 2
        return 0 if all(ev.fully_compliant for ev in self.evaluations) else 1


def discover(paths) -> tuple[list[Path], list[Invalid]]:
    """All *.yaml / *.yml files under the given files and folders, sorted; missing paths are invalid."""
    files: list[Path] = []
    invalid: list[Invalid] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found = [p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()]
            except OSError as exc:
                invalid.append(Invalid(display_path(path), (Problem(f"map kan niet gelezen worden ({exc.strerror})",
                                                                    file=display_path(path)),)))
                continue
            files.extend(sorted(found))
        elif path.exists():
            files.append(path)
        else:
            invalid.append(Invalid(display_path(path), (Problem(
                "pad bestaat niet", file=display_path(path), hint="Controleer het pad en de spelling."),)))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return [Path(p) for p in unique], invalid


def team_key(ev: Evaluation):
    t = ev.assessment.team
    return (t.municipality.casefold(), t.organisation.casefold(), t.id)


def _shown(path: Path, cwd: Path | None) -> str:
    """display_path for an already resolved path, without resolving it again (thousands of files)."""
    if cwd is None:
        return display_path(path)
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


_COMPUTE = object()
RECORDS = "resultaten"  # evaluation records live in this subfolder of the cache folder


def _versions(kader_dir: Path):
    try:
        return available_versions(kader_dir)
    except KaderFout:
        return None  # reported per file, as before


def _load_chunk(items, folder, records, kader_dir, version, as_of, engine, context, kaders=None, versions=_COMPUTE,
                trust=True):
    """Read some files and give per file ("ok", record bytes) or ("fout", problems).

    A record comes from the evaluation cache when there is one for this content and context (and
    `trust`); else the file is parsed (through the parse cache), validated and evaluated, and the
    record stored. Runs in worker processes for many files: records are bytes, cheap to hand over."""
    kaders = {} if kaders is None else kaders
    versions = _versions(kader_dir) if versions is _COMPUTE else versions
    backend = get_backend(engine)
    out = []
    for path, shown in items:
        try:
            raw, key = read_file(path)
            rkey = result_key(context, key) if context else None
            if trust and records is not None and rkey is not None:
                data = read_entry(records, rkey)
                if data is not None:
                    out.append(("ok", data))
                    continue
            tree = tree_from_raw(raw, key, path, folder, shown)
            assessment, kader = assessment_from_tree(tree, shown, kader_dir, version, versions, kaders)
        except KaderFout as exc:
            out.append(("fout", tuple(exc.problems)))
            continue
        data = encode(evaluate(kader, assessment, as_of or assessment.reference_date, backend))
        if records is not None and rkey is not None:
            write_entry(records, rkey, data)
        out.append(("ok", data))
    return out


def load_sweep(paths, kader_dir=None, version: str | None = None, cutoff: dt.date | None = None,
               as_of: dt.date | None = None, engine: str = "python", use_cache: bool = True,
               progress: bool | None = None, parallel_threshold: int | None = None) -> Sweep:
    """Load and evaluate every assessment under `paths`; keep the latest per team (on or before `cutoff`).

    Every file goes through the same steps, in worker processes when there are many: read, then
    either the cached evaluation record (resultcache.py: keyed on the file's content and on the Kader
    files, forced version, as-of date, engine and code) or parse (through the parse cache), validate,
    evaluate and store. The record is decoded here against the Kader. Results are identical, and in
    the same order, whatever the caches or the parallelism did; `use_cache=False` reads and writes no
    cache at all."""
    kdir = kader_dir_or_default(kader_dir)
    get_backend(engine)  # an unavailable engine fails here, once
    files, invalid = discover(paths)
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        cwd = None
    loaded: list[Evaluation] = []
    folder = cache_dir() if use_cache else None
    context = context_key(kdir, version, as_of, engine)
    kaders: dict = {}
    pool: dict = {}
    versions = _versions(kdir)
    items = [(path, _shown(path, cwd)) for path in files]
    job = dict(folder=folder, records=folder / RECORDS if folder else None, kader_dir=kdir, version=version, as_of=as_of, engine=engine, context=context)
    serial = partial(_load_chunk, **job, kaders=kaders, versions=versions)

    def kader_for(assessment):
        chosen = version or assessment.kader_version
        if chosen not in kaders:
            kaders[chosen] = load_kader(kdir, chosen)
        return kaders[chosen]

    for (path, shown), (kind, payload) in run_chunks(items, partial(_load_chunk, **job), progress,
                                                     parallel_threshold, serial_work=serial):
        if kind == "ok":
            try:
                loaded.append(decode(payload, shown, kader_for, pool))
                continue
            except CorruptRecord:  # a damaged cache entry: evaluate this file again
                ((kind, payload),) = serial([(path, shown)], trust=False)
                if kind == "ok":
                    loaded.append(decode(payload, shown, kader_for, pool))
                    continue
        invalid.append(Invalid(shown, payload))
    by_key: dict[tuple, list[Evaluation]] = {}
    for ev in loaded:
        by_key.setdefault((ev.assessment.team.id, ev.assessment.reference_date), []).append(ev)
    valid: list[Evaluation] = []
    for (team_id, day), group in sorted(by_key.items()):
        if len(group) > 1:
            names = ", ".join(ev.assessment.file for ev in group)
            for ev in group:
                invalid.append(Invalid(ev.assessment.file, (Problem(
                    f"team '{team_id}' heeft meer dan één assessment met peildatum {day.isoformat()} ({names})",
                    file=ev.assessment.file, field="peildatum",
                    hint="Houd één bestand per team en peildatum; verwijder of verplaats het dubbele."),)))
        else:
            valid.append(group[0])
    chosen: dict[str, Evaluation] = {}
    superseded: list[Evaluation] = []
    for ev in sorted(valid, key=lambda e: (e.assessment.team.id, e.assessment.reference_date)):
        if cutoff is not None and ev.assessment.reference_date > cutoff:
            superseded.append(ev)
            continue
        previous = chosen.get(ev.assessment.team.id)
        if previous is not None:
            superseded.append(previous)
        chosen[ev.assessment.team.id] = ev
    return Sweep(
        evaluations=tuple(sorted(chosen.values(), key=team_key)),
        invalid=tuple(sorted(invalid, key=lambda i: i.file)),
        superseded=tuple(superseded),
        cutoff=cutoff,
        all_evaluations=tuple(sorted(valid, key=lambda e: (team_key(e), e.assessment.reference_date))),
    )


# ------------------------------------------------------------------ trend ----------------------
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


@dataclass(frozen=True)
class TeamTrend:
    team_id: str
    evaluations: tuple[Evaluation, ...]  # by peildatum

    @property
    def dates(self) -> list[dt.date]:
        return [ev.assessment.reference_date for ev in self.evaluations]

    def rule_ids(self) -> list[str]:
        ids: dict[str, None] = {}
        for ev in self.evaluations:
            for f in ev.findings:
                ids.setdefault(f.rule_id)
        return sorted(ids)

    def statuses(self, rule_id: str) -> list[Status | None]:
        out = []
        for ev in self.evaluations:
            match = [f.status for f in ev.findings if f.rule_id == rule_id]
            out.append(match[0] if match else None)
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


@dataclass(frozen=True)
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
            return 2
        latest = [t.evaluations[-1] for t in self.teams]
        return 0 if all(ev.fully_compliant for ev in latest) else 1


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
