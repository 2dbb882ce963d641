"""The evaluation cache of `kader sweep` and `kader trend`: one compact record per assessment file.

A warm sweep should cost little more than reading the files. So besides the parsed tree (see
cache.py), the sweep keeps the *outcome* of validating and evaluating a file, keyed on

- the file's content (sha256 of its bytes, as for the parse cache), and
- the context: the bytes of every Kader file (manifests, questions, rules), a forced Kader version,
  the as-of date, the engine, and the source of this package itself (any code change is a new key).

Change any of those and the key changes: the cache can make a sweep faster, never change its
result. Records are stored in the scope sweep_context gives (the code, the Kader folder and the hash
of its files), so that the cache can prune the records of other code and of the folder's earlier
contents (cache.py). A record is a checksum plus JSON of plain data: the assessment without its facts (no
renderer of a sweep needs them), the as-of date, the engine and per finding (rule id, status,
reason, missing fields, notes, deciding comparisons, whether its afwijking holds, the facts with stale
evidence). Title, theme, action and the rest come back from the Kader when the
record is decoded, and equal findings are shared between teams (memory at national scale).

A record is read as strictly as a file from disk, since anyone who can write the cache can write
it: the exact shape and type of every part, dates in the one ISO form we write, statuses and plan
statuses from their lists, team ids as the loader allows them, a Kader version that exists, plan
actions and findings that name rules of that Kader, exactly one finding per rule of the Kader, the
as-of date and engine of this sweep. Anything else (truncated, corrupt, of another format, tampered
with) raises `CorruptRecord`; the caller evaluates the file again. Only valid assessments are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import replace
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from kadertoets.infra.store import BadEntry, Scope, dump_json, load_json, pack, unpack
from kadertoets.sweep.cache import MAX_ENTRY, parse_iso
from kadertoets.infra.errors import KaderFout
from kadertoets.sweep.fingerprints import code_fingerprint, kader_fingerprint
from kadertoets.sweep.snapshots import validated as validated_kader  # a record came from the cache: so may the Kader
from kadertoets.evaluate.operators import months_before
from kadertoets.model import WAITS_ON_REGION, ACTION_STATUSES, VERSION_SOURCE_LABEL, ApprovedException, Approver, Assessment, Check, \
    Evaluation, Finding, Kader, MovedDeadline, PlanAction, Status, Team

RECORD_FORMAT = 4  # 3: findings carry their deciding comparisons (JSON `voorwaarden`); 4: afwijkingen, stale evidence,
#   and what a finding waits on
_STATUS = {s.value: s for s in Status}
_FILLED_IN = ("naam", "rol", "datum", "toelichting")
_TEAM_ID = re.compile(r"[\w.-]+")  # \w is str.isalnum() and '_': the team ids engine/assessment.py accepts
_RULE_ID = attrgetter("rule_id")


class CorruptRecord(BadEntry):
    """A stored record that cannot be used (truncated, corrupt, other format, tampered with)."""


def sweep_context(kader_dir: Path, version: str | None, as_of: dt.date | None,
                  engine: str) -> tuple[str | None, Scope | None]:
    """Everything besides the file itself that decides a sweep's outcome for it, as one key, and the
    scope its records are stored in (for pruning, see cache.py: the code that wrote them, the Kader
    folder and the hash of its files); (None, None): do not cache records."""
    kader = kader_fingerprint(kader_dir)
    code = code_fingerprint()
    if kader is None or code is None:
        return None, None
    text = "\0".join([code, kader, version or "-", as_of.isoformat() if as_of else "-", engine])
    return hashlib.sha256(text.encode()).hexdigest(), Scope(maker=code, origin=kader_origin(kader_dir), generation=kader)


def kader_origin(kader_dir: Path) -> str:
    """The Kader folder as a key: a hash of its absolute, resolved path (one folder holds one set of
    Kader contents at a time; records for its earlier contents are orphans)."""
    try:
        where = os.path.realpath(kader_dir)
    except (OSError, ValueError):
        where = os.path.abspath(kader_dir)
    return hashlib.sha256(f"kader-map/{where}".encode("utf-8", "surrogateescape")).hexdigest()


def result_key(context: str, content: str) -> str:
    return hashlib.sha256(f"resultaat/{context}/{content}".encode()).hexdigest()


# ---------------------------------------------------------------- encoding ----------------------
# A record is lines of JSON (JSON text never holds a raw newline: the encoder escapes it in strings).
# The first line: [RECORD_FORMAT, assessment, as-of date, engine] where
#   assessment = [Kader version, peildatum, team, ingevuld_door (an object), [action, ...], version source,
#                 [afwijking, ...]]
#   afwijking  = [eis, reden, rol, naam, datum, geldig_tot]
#   team       = [id, naam, gemeente, organisatie, taken.jeugd, taken.wmo]
#   action     = [eis, omschrijving, eigenaar, deadline or null, status, [[naar, toelichting or null], ...],
#                 extra_middelen_nodig (true, false or null), toelichting or null, id or null]
# then one line per finding: [rule id, status, reason, [missing field, ...], [[field, toelichting], ...], [check, ...],
#                              afwijking geldig (true, false, or null: no afwijking), [stale evidence path, ...]]
# where check = [part, field or null, rule or null, operator, required, value, met] (model.Check). The finding
# of a line is built once and shared; a team's afwijking is put on it per record (the head holds it).
# Equal findings of many teams are recognised by their line (and checked and built once); only the
# first line is parsed per record.

_TEXTS: dict[int, tuple[Finding, bytes]] = {}  # per Finding object (findings are shared by the memo): its line
_TEXTS_LIMIT = 20_000


def _finding_line(f: Finding) -> bytes:
    known = _TEXTS.get(id(f))
    if known is not None and known[0] is f:
        return known[1]
    if len(_TEXTS) >= _TEXTS_LIMIT:
        _TEXTS.clear()
    checks = [[c.part, c.field, c.rule, c.op, _plain(c.required), _plain(c.value), c.met] for c in f.checks]
    valid = None if f.exception is None else bool(f.exception.valid)
    line = dump_json([f.rule_id, f.status.value, f.reason, list(f.missing), [list(n) for n in f.notes], checks,
                      valid, list(f.stale_evidence), f.waits_on])
    _TEXTS[id(f)] = (f, line)  # holds the finding, so its id is not reused while it is here
    return line


def _plain(value):
    return list(value) if value.__class__ is tuple else value


def _day_text(day: dt.date | None):
    return None if day is None else day.isoformat()


def encode(ev: Evaluation) -> bytes:
    """The compact record of one evaluation (the file name is not part of it: it is given on decoding)."""
    a = ev.assessment
    t = a.team
    filled = {k: (v.isoformat() if k == "datum" else v) for k, v in a.filled_in_by.items()}
    plan = [[p.requirement, p.description, p.owner, _day_text(p.deadline), p.status,
             [[m.to.isoformat(), m.note] for m in p.moved], p.extra_budget, p.note, p.id] for p in a.plan]
    exceptions = [[e.requirement, e.reason, e.approver.role, e.approver.name, e.date.isoformat(),
                   e.valid_until.isoformat()] for e in a.exceptions]
    assessment = [a.kader_version, a.reference_date.isoformat(),
                  [t.id, t.name, t.municipality, t.organisation, t.tasks["jeugd"], t.tasks["wmo"]],
                  filled, plan, a.kader_version_source, exceptions]
    return pack([RECORD_FORMAT, assessment, ev.as_of.isoformat(), ev.engine], map(_finding_line, ev.findings))


# ---------------------------------------------------------------- decoding ----------------------
def _fields(value, n: int) -> list:
    if value.__class__ is not list or len(value) != n:
        raise BadEntry("vorm")
    return value


def _text(value) -> str:
    """Text as the loader accepts it: a string with more than white space."""
    if value.__class__ is not str or not value.strip():
        raise BadEntry("tekst")
    return value


def _optional_text(value) -> str | None:
    return None if value is None else _text(value)


def _flag(value) -> bool:
    if value.__class__ is not bool:
        raise BadEntry("ja/nee")
    return value


@lru_cache(maxsize=4096)
def _cached_day(text: str) -> dt.date:
    return parse_iso(text, dt.date)


def _day(value) -> dt.date:
    if value.__class__ is not str:
        raise BadEntry("datum")
    return _cached_day(value)


def _team(value) -> Team:
    tid, name, municipality, organisation, jeugd, wmo = _fields(value, 6)
    if tid.__class__ is not str or not _TEAM_ID.fullmatch(tid):
        raise BadEntry("team-id")
    return Team(id=tid, name=_text(name), municipality=_text(municipality), organisation=_text(organisation),
                tasks={"jeugd": _flag(jeugd), "wmo": _flag(wmo)})


def _filled_in(value) -> dict:
    if value.__class__ is not dict:
        raise BadEntry("ingevuld_door")
    out = {}
    for key, item in value.items():
        if key not in _FILLED_IN:
            raise BadEntry("ingevuld_door")
        out[key] = _day(item) if key == "datum" else _text(item)
    return out


def _action(value, rules: dict) -> PlanAction:
    requirement, description, owner, deadline, status, moved, extra, note, aid = _fields(value, 9)
    if requirement.__class__ is not str or requirement not in rules:
        raise BadEntry("eis")
    if _text(description) != description.strip() or status.__class__ is not str or status not in ACTION_STATUSES:
        raise BadEntry("actie")
    if moved.__class__ is not list:
        raise BadEntry("deadline_verplaatst")
    return PlanAction(requirement=requirement, description=description, owner=_text(owner),
                      deadline=None if deadline is None else _day(deadline), status=status,
                      moved=tuple(MovedDeadline(_day(to), _optional_text(why)) for to, why in (_fields(m, 2) for m in moved)),
                      extra_budget=None if extra is None else _flag(extra), note=_optional_text(note),
                      id=_optional_text(aid))


def kader_lookup(kader_dir: Path, version: str | None, versions, kaders: dict):
    """The `kader_for` of decode in a sweep: the Kader version a record names (`kaders` memoises the
    loaded versions), raising CorruptRecord for what a sound record of this sweep cannot name: a
    version other than the forced one (`version`), a version source that does not match, a version
    the Kader folder does not have (`versions`: its available versions, None when they cannot be
    listed), or one that does not load (then the files that use it are evaluated and say why)."""
    unloadable: set = set()

    def kader_for(assessment) -> Kader:
        chosen = version or assessment.kader_version
        if assessment.kader_version != chosen or (assessment.kader_version_source == "optie") != bool(version):
            raise CorruptRecord("Kaderversie")
        if chosen not in kaders:
            if versions is None or chosen not in versions or chosen in unloadable:
                raise CorruptRecord("Kaderversie")
            try:
                kaders[chosen] = validated_kader(kader_dir, chosen)
            except KaderFout:
                unloadable.add(chosen)  # tried once
                raise CorruptRecord("Kader laadt niet") from None
        return kaders[chosen]

    return kader_for


class _Shared:
    """Per Kader, over a sweep: the findings built so far (by their line) and the rule ids in the
    order every evaluation lists its findings."""

    def __init__(self, kader: Kader):
        self.findings: dict[bytes, Finding] = {}
        self.ids = sorted(kader.rules)


def decode(data: bytes, shown: str, kader_for, pool: dict, as_of: dt.date | None, engine: str,
           region_for=None) -> Evaluation:
    """An Evaluation from a record: `kader_for(assessment)` gives the Kader it was evaluated against
    (raising CorruptRecord for a version that does not exist); `pool` shares equal findings; `as_of`
    and `engine` are this sweep's (as_of None: the assessment's peildatum); `region_for(kader, peildatum)`
    gives the regional state the team was evaluated with (the cache key holds the regional files).
    Raises CorruptRecord for anything but a sound record of this sweep."""
    try:
        return _decode(data, shown, kader_for, pool, as_of, engine, region_for)
    except CorruptRecord:
        raise
    except (BadEntry, TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise CorruptRecord(f"{type(exc).__name__}: {str(exc)[:80]}") from None


def _decode(data, shown, kader_for, pool, as_of, engine, region_for=None) -> Evaluation:
    try:
        head, findings = unpack(data, MAX_ENTRY)
    except BadEntry as exc:
        raise CorruptRecord(str(exc)) from None
    fmt, slim, record_as_of, record_engine = _fields(head, 4)
    if fmt.__class__ is not int or fmt != RECORD_FORMAT:
        raise CorruptRecord(f"formaat {str(fmt)[:20]}")
    version, reference, team, filled, plan, source, exceptions = _fields(slim, 7)
    if version.__class__ is not str or source.__class__ is not str or source not in VERSION_SOURCE_LABEL:
        raise BadEntry("versie")
    if plan.__class__ is not list or exceptions.__class__ is not list:
        raise BadEntry("vorm")
    assessment = object.__new__(Assessment)  # Assessment(...) without the cost of a frozen dataclass
    assessment.__dict__.update(file=shown, kader_version=version, reference_date=_day(reference), team=_team(team),
                               filled_in_by=_filled_in(filled), facts={}, plan=(), kader_version_source=source)
    kader = kader_for(assessment)
    if kader.version != version:
        raise BadEntry("versie")
    if record_engine != engine or _day(record_as_of) != (as_of or assessment.reference_date):
        raise BadEntry("context")
    if plan:
        assessment.__dict__["plan"] = tuple(_action(p, kader.rules) for p in plan)
    assessment.__dict__["exceptions"] = _exceptions(exceptions, kader, assessment.reference_date) if exceptions else ()
    shared = pool.get(id(kader))
    if shared is None:
        shared = pool[id(kader)] = _Shared(kader)
    known = shared.findings
    out = tuple([known.get(line) or _finding(kader, line, known) for line in findings])
    if list(map(_RULE_ID, out)) != shared.ids:
        raise BadEntry("bevindingen")  # exactly one per rule of the Kader, in the order evaluate gives them
    day = _day(record_as_of)
    if exceptions or any(f.exception is not None for f in out):
        out = _with_exceptions(out, assessment.exceptions, day)
    region = region_for(kader, assessment.reference_date) if region_for is not None else None
    return Evaluation(assessment=assessment, kader=kader, as_of=day, engine=engine, findings=out, region=region)


def _exceptions(items: list, kader: Kader, reference: dt.date) -> tuple[ApprovedException, ...]:
    """The afwijkingen of a record's assessment, as strictly as load/exceptions.py checks them."""
    limit = kader.exception_max_months
    out, seen = [], set()
    for item in items:
        rid, reason, role, name, start, until = _fields(item, 6)
        if limit is None or rid.__class__ is not str or rid not in kader.rules or rid in seen or \
                role.__class__ is not str or role not in kader.roles or _text(name) != name or "\n" in name:
            raise BadEntry("afwijking")
        start, until = _day(start), _day(until)
        if not start <= reference or not start <= until or start < months_before(until, limit) or \
                _text(reason) != reason.strip():
            raise BadEntry("afwijking")
        seen.add(rid)
        out.append(ApprovedException(requirement=rid, reason=reason, approver=Approver(role, name), date=start,
                                     valid_until=until))
    return tuple(out)


def _with_exceptions(findings: tuple, exceptions: tuple, as_of: dt.date) -> tuple:
    """The decoded findings with the team's afwijkingen on them: a line says whether its finding has one
    and whether it holds; that must be exactly the record's afwijkingen, valid as on the as-of date."""
    by_rule = {e.requirement: e for e in exceptions}
    out = []
    for f in findings:
        flag = f.exception  # _finding keeps the line's flag here (True/False), or None
        e = by_rule.pop(f.rule_id, None)
        if (flag is None) != (e is None):
            raise BadEntry("afwijking")
        if e is None:
            out.append(f)
            continue
        if flag.valid is not e.valid_on(as_of):
            raise BadEntry("afwijking")
        out.append(replace(f, exception=replace(e, valid=flag.valid)))
    if by_rule:
        raise BadEntry("afwijking")
    return tuple(out)


_PARTS = ("van_toepassing", "regionaal_product", "voldoet", "deels")
# a stand-in afwijking on a shared decoded finding, replaced per record by the team's own (_with_exceptions)
_FLAG = {flag: ApprovedException("", "", Approver("", ""), dt.date.min, dt.date.min, valid=flag) for flag in (True, False)}
_SCALARS = (str, bool, int, float, type(None))


def _check_value(value):
    """A required or actual value of a Check: a JSON scalar, or a list of them (as a tuple)."""
    if value.__class__ is list:
        if any(v.__class__ not in _SCALARS for v in value):
            raise BadEntry("voorwaarde")
        return tuple(value)
    if value.__class__ not in _SCALARS:
        raise BadEntry("voorwaarde")
    return value


def _check(item) -> Check:
    part, field, rule, op, required, value, met = _fields(item, 7)
    if part.__class__ is not str or part not in _PARTS or op.__class__ is not str or \
            (met is not None and met.__class__ is not bool) or \
            (field is None) == (rule is None) or any(x is not None and x.__class__ is not str for x in (field, rule)):
        raise BadEntry("voorwaarde")
    return Check(part, field, rule, op, _check_value(required), _check_value(value), met)


def _finding(kader: Kader, line: bytes, known: dict) -> Finding:
    """The Finding of a record's line, checked and made once per Kader and sweep."""
    rule_id, status, reason, missing, notes, checks, valid, stale, waits = _fields(load_json(line), 9)
    rule = kader.rules.get(rule_id) if rule_id.__class__ is str else None
    if rule is None or status.__class__ is not str or status not in _STATUS or reason.__class__ is not str:
        raise BadEntry("bevinding")
    if missing.__class__ is not list or any(m.__class__ is not str for m in missing) or notes.__class__ is not list:
        raise BadEntry("bevinding")
    pairs = tuple((_text(p), _text(n)) for p, n in (_fields(item, 2) for item in notes))
    if checks.__class__ is not list or (valid is not None and valid.__class__ is not bool) or \
            (waits is not None and waits != WAITS_ON_REGION):
        raise BadEntry("bevinding")
    if stale.__class__ is not list or any(p.__class__ is not str or p not in kader.evidence_max_months for p in stale) \
            or stale != sorted(set(stale)):
        raise BadEntry("verouderd bewijs")
    finding = Finding(rule_id=rule_id, title=rule.title, theme=rule.theme, status=_STATUS[status], reason=reason,
                      responsible=rule.responsible, missing=tuple(missing), action=rule.action,
                      norm_origin=rule.norm_origin, notes=pairs, checks=tuple(_check(c) for c in checks),
                      # only the flag of the line: the team's afwijking itself comes from the record's head
                      exception=None if valid is None else _FLAG[valid], stale_evidence=tuple(stale), waits_on=waits)
    known[line] = finding
    return finding
