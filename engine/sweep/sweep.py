"""The regional sweep: load every assessment under some paths (sweep/discover.py finds them), keep the
invalid files apart (one broken file never hides the others), evaluate them with the cache and in
parallel, pick the latest assessment per team, and summarise per requirement and per team. The trend
over time is sweep/trend.py; evaluation stays pure (evaluate/)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import field
from functools import cached_property, partial
from pathlib import Path

from kadertoets.evaluate.backends import get_backend
from kadertoets.infra.errors import KaderFout, Problem, display_path, excerpt
from kadertoets.evaluate.evaluation import FindingMemo, evaluate
from kadertoets.load.kader import available_versions
from kadertoets.sweep.snapshots import validated as validated_kader
from kadertoets.model import Evaluation, Kader, RegionAssessment, Status
from kadertoets.sweep.cache import Cache, decode_tree, parse_raw, read_file, tree_entry
from kadertoets.infra.parallel import PARALLEL_THRESHOLD, run_chunks
from kadertoets.sweep.resultcache import CorruptRecord, decode, encode, kader_lookup, result_key, sweep_context
from kadertoets.sweep.discover import Invalid, discover, invalid_exit_code  # noqa: F401  (discover: re-exported)
from kadertoets.sweep.regions import NO_REGION_FILES, RegionFiles, is_region_file
from kadertoets.sweep.run import assessment_from_tree, kader_dir_or_default
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.records import record



@record
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


@record
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

    @property
    def excused(self) -> int:
        """Gaps covered by an afwijking valid on the as-of date (counted apart, not towards exit code 1)."""
        return len(self.evaluation.excused())

    @property
    def expired_exceptions(self) -> int:
        """Gaps whose afwijking does not hold on the as-of date (counted as gaps again)."""
        return len(self.evaluation.expired_exceptions())

    @property
    def stale_evidence(self) -> int:
        """Facts read by some requirement whose evidence is older than the Kader allows."""
        return len(self.evaluation.stale_evidence())


@record
class Sweep:
    evaluations: tuple[Evaluation, ...]  # one per team, sorted by gemeente, organisatie, team id
    invalid: tuple[Invalid, ...]
    superseded: tuple[Evaluation, ...] = ()  # older (or later than --peildatum) assessments of the same teams
    reference_date_until: dt.date | None = None
    all_evaluations: tuple[Evaluation, ...] = field(default=())  # every valid assessment (for trend)
    warnings: tuple[str, ...] = ()  # for the user (stderr), e.g. a cache that could not be used
    regions: tuple[RegionAssessment, ...] = ()  # the regional states among the paths (sorted by peildatum)

    @property
    def region_missing(self) -> bool:
        """True when some team's requirements wait on a regional product and no team had a regional state."""
        return any(ev.region_missing for ev in self.evaluations)

    def waiting_on_region(self) -> list[tuple[str, str, int]]:
        """(rule id, product name, number of teams) for every requirement some teams wait on the region for."""
        counted: dict[str, list] = {}
        for ev in self.evaluations:
            for f in ev.waiting_on_region:
                rule = ev.kader.rules.get(f.rule_id)
                name = rule.region_product.name if rule is not None and rule.region_product else f.title
                counted.setdefault(f.rule_id, [name, 0])[1] += 1
        return [(rid, name, n) for rid, (name, n) in sorted(counted.items())]

    def requirements(self) -> list[RequirementSummary]:
        """Per requirement id (union over the Kader versions in use), weakest first."""
        return list(self._requirements)

    @cached_property
    def _requirements(self) -> tuple[RequirementSummary, ...]:
        seen: dict[str, RequirementSummary] = {}
        value = {s: s.value for s in Status}  # an enum's .value is a descriptor call: 45,000 of them at 1,500 teams
        for ev in self.evaluations:
            for f in ev.findings:
                summary = seen.get(f.rule_id)
                if summary is None:
                    summary = seen[f.rule_id] = RequirementSummary(f.rule_id, f.title, f.theme, f.responsible,
                                                                   {s.value: 0 for s in Status})
                summary.counts[value[f.status]] += 1
        return tuple(sorted(seen.values(), key=lambda r: r.weakness))

    def teams(self) -> list[TeamSummary]:
        return [TeamSummary(ev) for ev in self.evaluations]

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return invalid_exit_code(self.invalid)
        return 0 if all(ev.compliant_or_excused for ev in self.evaluations) else 1


def team_key(ev: Evaluation):
    t = ev.assessment.team
    return (t.municipality.casefold(), t.organisation.casefold(), t.id)


def _shown(path: Path, cwd: str | None) -> str:
    """The name shown for an absolute, normalised path: relative to the working directory when it lies
    under it, else absolute (string work only: thousands of files)."""
    name = str(path)
    if cwd is None:
        return display_path(path)
    if name.startswith(cwd):
        return name[len(cwd):]
    return name


_COMPUTE = object()
LOOKUP_BLOCK = 500  # files per cache look-up (and per decoded block held as bytes)
STORE_EVERY = 256  # new cache entries per transaction


def _versions(kader_dir: Path):
    try:
        return available_versions(kader_dir)
    except KaderFout:
        return None  # reported per file, as before


def _evaluate_chunk(items, kader_dir, version, as_of, engine, context, store, kaders=None, versions=_COMPUTE,
                    use_cache: bool = True, regions: RegionFiles = NO_REGION_FILES):
    """Parse (or decode a cached tree), validate and evaluate some files; per file ("ok", record
    bytes, entries) or ("fout", problems, entries), where entries are new cache entries for the
    caller to store (`store`: whether to make them). An item is (path, shown name, content key or
    None, cached tree bytes or None): the caller looked the trees up in one query per block, so a
    worker never touches the database. Runs in worker processes for many files: records and entries
    are bytes, cheap to hand over."""
    if kaders is None:  # in a worker: start from what the parent loaded (inherited when forked)
        kaders = {v: k for (folder, v), k in _INHERITED.items() if folder == str(kader_dir)}
    versions = _versions(kader_dir) if versions is _COMPUTE else versions
    backend = get_backend(engine)
    out = []
    for path, shown, key, tree_data in items:
        entries = []
        try:
            tree = decode_tree(tree_data)  # None when there is none or it is not sound: parse (and store) again
            if tree is None:
                raw, key = read_file(path)
                tree = parse_raw(raw, path, shown)
                if store:
                    entry = tree_entry(key, tree)
                    if entry is not None:
                        entries.append(entry)
            assessment, kader = assessment_from_tree(tree, shown, kader_dir, version, versions, kaders, use_cache)
            state = regions.in_force(kader, assessment.reference_date)
            data = encode(evaluate(kader, assessment, as_of or assessment.reference_date, backend, _memo(kader),
                                   region=state))
        except KaderFout as exc:
            out.append(("fout", tuple(exc.problems), entries))
            continue
        except Exception as exc:  # a bug in kadertoets, met on this one file: say so, and go on with the others
            if os.environ.get("KADERTOETS_DEBUG"):
                raise
            out.append(("fout", (internal_problem(shown, exc),), []))
            continue
        if store and context is not None:
            entries.append(("records", result_key(context, key), data))
        out.append(("ok", data, entries))
    return out


def internal_problem(shown: str, exc: Exception) -> Problem:
    """The problem for a file on which kadertoets itself failed: not the file's fault, exit code 3."""
    return Problem(f"interne fout bij dit bestand ({type(exc).__name__}: {excerpt(exc, 120, quote=False)}); "
                   "dit is een fout in kadertoets, niet in het bestand", file=shown, internal=True,
                   hint="Meld het met het commando en dit bestand; de andere bestanden zijn wel getoetst.")


_MEMOS: dict[int, FindingMemo] = {}  # per process: a FindingMemo per Kader object in use


def _memo(kader: Kader) -> FindingMemo:
    memo = _MEMOS.get(id(kader))
    if memo is None or memo.kader is not kader:  # the memo holds its Kader, so the id is not reused
        memo = _MEMOS[id(kader)] = FindingMemo(kader)
    return memo


def _key_or_problems(path: Path):
    """The content key of a file, or the problems that make it unreadable."""
    try:
        return read_file(path)[1]
    except KaderFout as exc:
        return tuple(exc.problems)


_INHERITED: dict = {}  # (Kader folder, version) -> Kader loaded by the parent before the workers started


def _preload(kader_dir: Path, version: str | None, kaders: dict, use_cache: bool = True) -> None:
    """Load the Kader version(s) before the worker processes start, so that (started by fork) they
    inherit it instead of each loading and checking it again. A version that does not load is left
    to the files that use it, which report why. `use_cache=False`: no Kader snapshot is read or written."""
    for key in [k for k in _INHERITED if k[0] == str(kader_dir)]:  # never a Kader of an earlier sweep
        del _INHERITED[key]
    wanted = [version] if version else list(_versions(kader_dir) or ())
    for chosen in wanted:
        if chosen not in kaders:
            try:
                kaders[chosen] = validated_kader(kader_dir, chosen, use_cache=use_cache)
            except KaderFout:
                continue
        _INHERITED[(str(kader_dir), chosen)] = kaders[chosen]


def _identity(ev: Evaluation) -> tuple[str, str, str]:
    team = ev.assessment.team
    return team.name, team.municipality, team.organisation


def _without_identity_clashes(loaded: list[Evaluation], invalid: list) -> list[Evaluation]:
    """The evaluations whose team id no file of another team uses. Files with the same `team.id` but
    another naam, gemeente or organisatie (typically a copied file whose id was not changed) are
    invalid, all of them, each naming the others: one must never silently replace the other."""
    by_id: dict[str, list[Evaluation]] = {}
    for ev in loaded:
        by_id.setdefault(ev.assessment.team.id, []).append(ev)
    kept = []
    for team_id, group in by_id.items():
        if len({_identity(ev) for ev in group}) == 1:
            kept.extend(group)
            continue
        described = sorted(f"{ev.assessment.file} ({', '.join(excerpt(v, 40, quote=False) for v in _identity(ev))})"
                           for ev in group)
        listed = "; ".join(described[:5]) + (f"; en {len(described) - 5} andere" if len(described) > 5 else "")
        for ev in group:
            invalid.append(Invalid(ev.assessment.file, (Problem(
                f"team-id {excerpt(team_id)} wordt gebruikt voor verschillende teams: {listed}",
                file=ev.assessment.file, field="team.id", code=Code.DUPLICATE_ID,
                hint="Geef elk team een eigen id onder 'team:'. Een gekopieerd bestand houdt het id van het "
                     "origineel; pas dat aan, of maak naam, gemeente en organisatie gelijk als het echt "
                     "hetzelfde team is."),)))
    return kept


def load_sweep(paths, kader_dir=None, version: str | None = None, reference_date_until: dt.date | None = None,
               as_of: dt.date | None = None, engine: str = "python", use_cache: bool = True,
               progress: bool | None = None, parallel_threshold: int | None = None) -> Sweep:
    """Load and evaluate every assessment under `paths`; keep the latest per team (on or before `reference_date_until`).

    Here: read and hash every file, and look its evaluation record up in the cache (resultcache.py:
    keyed on the file's content and on the Kader files, forced version, as-of date, engine and code).
    The files without one are parsed (or their cached tree, looked up here per chunk, decoded),
    validated and evaluated, in worker processes when there are many; their new entries are stored
    here, in batches (workers never touch the database). Every record is
    decoded against the Kader (and checked: a record that is not sound is evaluated again). Results
    are identical, and in the same order, whatever the caches or the parallelism did; a cache that
    cannot be used is skipped with one warning (Sweep.warnings); `use_cache=False` reads and writes
    no cache at all."""
    kdir = kader_dir_or_default(kader_dir)
    get_backend(engine)  # an unavailable engine fails here, once
    files, invalid = discover(paths)
    try:
        cwd = os.path.join(os.getcwd(), "")
    except OSError:
        cwd = None
    regions = RegionFiles([(p, _shown(p, cwd)) for p in files if is_region_file(p)])
    files = [p for p in files if not is_region_file(p)]
    context, scope = sweep_context(kdir, version, as_of, engine)
    if context is not None and regions.digest:  # the regional files decide the outcome of every team too
        context = hashlib.sha256(f"{context}/regio/{regions.digest}".encode()).hexdigest()
    opened = Cache.default() if use_cache else None
    # opened (and pruned: orphans, idle and least recently used entries) once per sweep; not usable: on without it
    cache = opened if opened is not None and opened.open(scope) else None
    kaders: dict = {}
    pool: dict = {}
    items = [(path, _shown(path, cwd)) for path in files]
    store = cache is not None
    versions = _versions(kdir)
    job = dict(kader_dir=kdir, version=version, as_of=as_of, engine=engine, context=context, store=store,
               use_cache=use_cache, regions=regions)
    serial = partial(_evaluate_chunk, **job, kaders=kaders, versions=versions)

    kader_for = kader_lookup(kdir, version, versions, kaders)

    outcome: list = [None] * len(items)  # per file: an Evaluation, or problems
    content: dict[int, str] = {}  # per file still to evaluate: its content key (when the cache is used)
    todo: list[int] = []
    if cache is None:
        todo = list(range(len(items)))
    else:
        for start in range(0, len(items), LOOKUP_BLOCK):
            keys = {}
            for i in range(start, min(start + LOOKUP_BLOCK, len(items))):
                key = _key_or_problems(items[i][0])
                if isinstance(key, str):
                    content[i] = key
                    if context is not None:
                        keys[i] = result_key(context, key)
                    else:
                        todo.append(i)
                else:
                    outcome[i] = key
            found = cache.get_many("records", list(keys.values()))
            for i, rkey in keys.items():
                try:
                    if rkey not in found:
                        raise CorruptRecord("niet in de cache")
                    outcome[i] = decode(found[rkey], items[i][1], kader_for, pool, as_of, engine, regions.in_force)
                except CorruptRecord:  # not there, not sound, or its Kader does not load: evaluate again
                    todo.append(i)
        todo.sort()
    if len(todo) > (PARALLEL_THRESHOLD if parallel_threshold is None else parallel_threshold):
        _preload(kdir, version, kaders, use_cache)

    def prepare(chunk: list[int]) -> list[tuple]:
        """Work items for some files: with their cached trees, looked up in one query."""
        trees = cache.get_many("trees", [content[i] for i in chunk if i in content]) if cache is not None else {}
        return [(*items[i], content.get(i), trees.get(content.get(i))) for i in chunk]

    entries: list = []
    for i, (kind, payload, new) in run_chunks(todo, partial(_evaluate_chunk, **job), progress, parallel_threshold,
                                              serial_work=serial, prepare=prepare):
        outcome[i] = decode(payload, items[i][1], kader_for, pool, as_of, engine, regions.in_force) \
            if kind == "ok" else payload
        if cache is not None:
            entries.extend(new)
            if len(entries) >= STORE_EVERY:
                cache.put_many(entries)
                entries = []
    if cache is not None:
        cache.put_many(entries)
        cache.close()
    warning = opened.warning() if opened is not None else None  # once, whatever failed and where
    loaded: list[Evaluation] = []
    kader_problems: dict[tuple, tuple[tuple, list[str]]] = {}  # Kader problems (as text) -> them, files they stopped
    for (path, shown), result in zip(items, outcome):
        if isinstance(result, Evaluation):
            loaded.append(result)
        elif result and all(p.file is not None and p.file != shown for p in result):
            kader_problems.setdefault(tuple(p.render() for p in result), (tuple(result), []))[1].append(shown)
        else:
            invalid.append(Invalid(shown, result))
    for problems, stopped in kader_problems.values():  # once, not once per team
        names = ", ".join(stopped[:5]) + (f" en {len(stopped) - 5} andere" if len(stopped) > 5 else "")
        noun = "assessment" if len(stopped) == 1 else "assessments"
        invalid.append(Invalid(problems[0].file, problems + (Problem(
            f"het Kader laadt niet, dus {len(stopped)} {noun} konden niet getoetst worden: {names}",
            file=problems[0].file, hint="Los de fouten in het Kader op; `kader lint` toont ze alle."),)))
    used_kaders = {id(ev.kader): ev.kader for ev in loaded}
    reported = set()
    for kader in used_kaders.values():
        for item in regions.problems_for(kader):
            if (item.file, item.problems[0].render()) not in reported:
                reported.add((item.file, item.problems[0].render()))
                invalid.append(item)
    if not used_kaders:
        invalid.extend(regions.problems)
    region_states = {id(r): r for k in used_kaders.values() for r in regions.used(k)}
    loaded = _without_identity_clashes(loaded, invalid)
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
        if reference_date_until is not None and ev.assessment.reference_date > reference_date_until:
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
        reference_date_until=reference_date_until,
        all_evaluations=tuple(sorted(valid, key=lambda e: (team_key(e), e.assessment.reference_date))),
        warnings=(warning,) if warning else (),
        regions=tuple(sorted(region_states.values(), key=lambda r: (r.reference_date, r.file))),
    )
