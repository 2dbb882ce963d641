"""Saving answers and action statuses into a team's assessment file: the use case behind the web page's
questionnaire and plan forms and `PUT /api/teams/<id>/feiten` (web/), beside `kader inlezen --bijwerken`.

- **A version, named.** `version_tag` is the ETag of a file: a digest of its bytes. A save names the
  version it was based on; when the file is another version by now, nothing is written (`Stale`, HTTP
  412), and the caller shows both values. No silent overwrite, no silent merge.
- **The same validation as the command line.** The edited tree goes through the same loader
  (sweep/run.py assessment_from_tree: questions, types, Dutch input conventions, privacy guard);
  every problem is returned per question (`Invalid`, HTTP 422) and nothing is written.
- **Only what changed is written**, in the form the file used for it (editors/yamlblock.py
  replace_entries): other entries, comments and the rest of the file stay byte for byte. The value
  written is the loader's typed value ('12,5' typed in a form is written as 12.5).
- **Nothing lost.** Before the file is replaced (atomically, only if it is still the version read:
  editors/keptfile.py), its previous bytes are kept in a history folder beside it
  (`.geschiedenis/<name>/<moment>.yaml`), which the sweep does not read. The caller passes the moment
  (no clock here). Saves to one file within this process are serialised.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from pathlib import Path

from kadertoets.editors.keptfile import KeptFile, read_kept, replace_kept
from kadertoets.editors.migrate import fact_long, fact_yaml
from kadertoets.editors.yamlblock import replace_entries
from kadertoets.infra.digest import hex_digest
from kadertoets.infra.errors import KaderFout, Problem, excerpt, os_reason
from kadertoets.infra.paths import HISTORY_FOLDER
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import MAX_BYTES, load_yaml_text, plain
from kadertoets.model import ACTION_STATUSES, ACTION_STATUS_LABEL, Assessment, Fact, Kader
from kadertoets.sweep.run import assessment_from_tree, kader_dir_or_default

AGAIN = "opslaan"
FACTS = "feiten"
PLAN = "transformatieplan"
# The parts of an answer a form or the API may set; the loader knows them (load/formats.py FACT).
EDITABLE_PARTS = ("waarde", "toelichting", "bewijs", "bewijs_datum", "bewijs_document")
MAX_EDITS = 2000  # more answers than any Kader has questions: refused before anything is read

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def version_tag(data: bytes) -> str:
    """The ETag of a file's bytes (a strong validator, quoted as HTTP writes it)."""
    return '"' + hex_digest(data)[:40] + '"'


def same_version(given: str | None, data: bytes) -> bool:
    """Whether an If-Match value (or a form's hidden version) names this version of the file."""
    if not given:
        return False
    tags = [t.strip() for t in given.split(",")]
    return version_tag(data) in tags or version_tag(data).strip('"') in tags


@record
class Stale:
    """The file is another version than the one the save was based on: nothing written."""

    file: str
    current: str  # the ETag of the file now
    assessment: Assessment  # the file as it is now


@record
class Invalid:
    """The edited assessment does not validate: nothing written. `by_question` maps a question id (or
    '' for the file as a whole) to its problems, in Dutch."""

    file: str
    by_question: dict


@record
class Saved:
    file: str
    version: str  # the ETag of the new file (or of the unchanged one)
    changed: tuple[str, ...]  # question ids whose answer changed, or 'actie N'
    written: bool
    history: str | None  # the kept previous version, when written


def file_lock(path: Path) -> threading.Lock:
    """The lock that serialises the saves to one file within this process (hold it around any other
    rewrite of an assessment the web page does, with keep_history)."""
    return _lock(path)


def _lock(path: Path) -> threading.Lock:
    key = os.path.abspath(path)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def fact_key(f: Fact | None) -> tuple:
    """What a person sees of an answer: equal keys mean nothing changed."""
    if f is None or f.empty:
        return ()
    value = f.value
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return (value, f.note, f.evidence, f.evidence_date, f.evidence_document, f.reconfirm)


def _edited_entry(old, parts: dict):
    """The raw entry of a question with `parts` set (None or '' removes a part; an empty `waarde` is
    onbekend). Kept in the file's form: a long-form entry stays long."""
    entry = dict(plain(old)) if isinstance(old, dict) else ({} if old is None else {"waarde": plain(old)})
    for key, value in parts.items():
        if value is None or value == "" or value == []:
            if key == "waarde":
                entry["waarde"] = [] if value == [] else None
            else:
                entry.pop(key, None)
        else:
            entry[key] = value
    if set(entry) <= {"waarde"} and not isinstance(old, dict):
        return entry.get("waarde")
    return entry


def problems_by_question(exc: KaderFout, questions) -> dict:
    """The loader's problems per question id ('' for problems outside `feiten`, e.g. the file's)."""
    out: dict[str, list[Problem]] = {}
    for p in exc.problems:
        qid = ""
        field = p.field or ""
        if field.startswith(FACTS + "."):
            rest = field[len(FACTS) + 1:]
            qid = rest
            while qid and qid not in questions:
                qid = qid.rpartition(".")[0]
            qid = qid or rest.split(".")[0]
        elif field.startswith(PLAN + "["):
            qid = field.split("]")[0] + "]"
        out.setdefault(qid, []).append(p)
    return out


def _history(kept: KeptFile, moment: dt.datetime) -> str:
    return keep_history(kept.path, kept.state[0], moment)


def keep_history(path: Path, data: bytes, moment: dt.datetime) -> str:
    """Keep `data`, the bytes of the file at `path` as they were, beside it; returns where. Also for
    another use case that rewrites an assessment from the web page (the plan's proposals)."""
    from kadertoets.infra.output import write_atomic

    folder = history_folder(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from kadertoets.infra.errors import display_path

        raise KaderFout.single(f"de vorige versie kan niet bewaard worden in {HISTORY_FOLDER} ({os_reason(exc)}); "
                               "er is niets geschreven", file=display_path(path),
                               hint=f"Zorg dat {HISTORY_FOLDER} naast het bestand een map is waarin geschreven kan "
                                    "worden.") from None
    name = moment.strftime("%Y-%m-%dT%H-%M-%S.%f") + path.suffix
    target = folder / name
    n = 1
    while target.exists() and n < 1000:  # two saves within a microsecond: never overwrite a kept version
        target = folder / f"{Path(name).stem}-{n}{path.suffix}"
        n += 1
    write_atomic(target, data, force=False)
    return str(target)


def _load(text: str, shown: str, kader_dir: Path, kaders: dict | None = None) -> tuple[Assessment, Kader, dict]:
    tree = load_yaml_text(text, shown)
    assessment, kader = assessment_from_tree(tree, shown, kader_dir, None, kaders=kaders)
    return assessment, kader, tree


def _current(path: Path, based_on: str | None, kdir: Path, kaders):
    """The file as it is (read once, loaded), or Stale when it is not the version `based_on`."""
    kept = read_kept(path, AGAIN)
    old, kader, tree = _load(kept.text, kept.shown, kdir, kaders)
    if not same_version(based_on, kept.state[0]):
        return Stale(kept.shown, version_tag(kept.state[0]), old)
    return kept, old, kader, tree


def save(path: Path, based_on: str | None, moment: dt.datetime, answers: dict | None = None,
         statuses: dict | None = None, kader_dir=None, kaders: dict | None = None) -> Saved | Stale | Invalid:
    """Save `answers` ({question id: {part: value}}, values as a form or JSON gives them) and `statuses`
    ({action number from 1: status}) into the assessment at `path`, if it is still version `based_on`.
    Raises KaderFout when the file itself cannot be read or is no valid assessment (exit 2 territory)."""
    answers, statuses = answers or {}, statuses or {}
    if len(answers) + len(statuses) > MAX_EDITS:
        raise KaderFout.single(f"te veel antwoorden in één keer (meer dan {MAX_EDITS})",
                               hint="Sla minder antwoorden tegelijk op.")
    kdir = kader_dir_or_default(kader_dir)
    with _lock(path):
        current = _current(path, based_on, kdir, kaders)
        if isinstance(current, Stale):
            return current
        kept, old, kader, tree = current
        unknown = {q: [Problem(f"onbekende vraag {excerpt(q, 80)}: die staat niet in Kader {old.kader_version}",
                               hint="Gebruik de vraagcodes van 'kader vragen'.")]
                   for q in answers if q not in kader.questions}
        bad_status = {f"actie {n}": [Problem(f"actie {excerpt(n, 20)} bestaat niet, of de status "
                                             f"{excerpt(s, 40)} is geen van: "
                                             + ", ".join(ACTION_STATUS_LABEL.values()))]
                      for n, s in statuses.items()
                      if not (isinstance(n, int) and 1 <= n <= len(old.plan)) or s not in ACTION_STATUSES}
        if unknown or bad_status:
            return Invalid(kept.shown, unknown | bad_status)
        raw_facts = dict(tree.get(FACTS) or {})
        edited_facts = dict(raw_facts)
        for qid, parts in answers.items():
            edited_facts[qid] = _edited_entry(raw_facts.get(qid), parts)
        raw_plan = [plain(a) for a in (tree.get(PLAN) or [])]
        edited_plan = [dict(a) for a in raw_plan]
        for n, status in statuses.items():
            edited_plan[n - 1]["status"] = status
        edited = dict(tree)
        edited[FACTS] = edited_facts
        if statuses:
            edited[PLAN] = edited_plan
        try:
            new, _ = assessment_from_tree(edited, kept.shown, kdir, None, kaders=kaders)
        except KaderFout as exc:
            return Invalid(kept.shown, problems_by_question(exc, kader.questions))
        changed = [q for q in answers if fact_key(new.facts.get(q)) != fact_key(old.facts.get(q))]
        moved = [n for n in sorted(statuses) if old.plan[n - 1].status != statuses[n]]
        if not changed and not moved:
            return Saved(kept.shown, version_tag(kept.state[0]), (), written=False, history=None)
        text = kept.text
        if changed:
            out = dict((k, plain(v)) for k, v in raw_facts.items())
            for qid in changed:
                f = new.facts.get(qid)
                f = None if f is None or f.empty else f
                out[qid] = (fact_long(f) if isinstance(raw_facts.get(qid), dict)
                            else (fact_yaml(f) if f is not None else None))
            text = replace_entries(text, FACTS, out, kept.shown)
        if moved:
            out_plan = [dict(a) for a in raw_plan]
            for n in moved:
                out_plan[n - 1]["status"] = statuses[n]
            text = replace_entries(text, PLAN, out_plan, kept.shown)
        data = text.encode("utf-8-sig" if kept.bom else "utf-8")
        if len(data) > MAX_BYTES:  # the loader would refuse the file it was about to become
            return Invalid(kept.shown, {"": [Problem(
                f"het assessment zou te groot worden (meer dan {MAX_BYTES // 1024} KiB); er is niets opgeslagen",
                hint="Maak de lange teksten korter: verwijs naar een document in plaats van het over te nemen.")]})
        check, _, _ = _load(text, kept.shown, kdir, kaders)  # fail closed: the text written means what was validated
        if any(fact_key(check.facts.get(q)) != fact_key(new.facts.get(q)) for q in changed) \
                or any(check.plan[n - 1].status != statuses[n] for n in moved):
            raise KaderFout.single("het bijgewerkte assessment zou iets anders bevatten dan wat is ingevuld; er is "
                                   "niets geschreven", file=kept.shown,
                                   hint="Dit is een fout in kadertoets; meld het met het bestand.")
        history = _history(kept, moment)
        replace_kept(kept, text)
        return Saved(kept.shown, version_tag(data), tuple(changed) + tuple(f"actie {n}" for n in moved),
                     written=True, history=history)


# ---------------------------------------------------------------------- the history: see and undo ------
MAX_VERSIONS = 500  # the newest kept versions shown (and the only ones that can be restored)
_VERSION_NAME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)\.(\d{6})(?:-(\d{1,3}))?\.ya?ml")


@record
class KeptVersion:
    name: str  # the file name in the history folder (only names of this shape are ever opened)
    moment: dt.datetime  # when it was replaced by a save
    size: int


def history_folder(path: Path) -> Path:
    """Where the kept versions of `path` are: one plain folder name per file (a file named '...yaml' has
    the stem '..', which would put its history beside it, where the sweep reads it as an assessment)."""
    path = Path(path)
    stem = path.stem if path.stem.strip(".") else path.name
    return path.parent / HISTORY_FOLDER / stem


def kept_versions(path: Path) -> list[KeptVersion]:
    """The earlier versions of an assessment kept by saves, newest first (at most MAX_VERSIONS)."""
    folder = history_folder(path)
    try:
        entries = [e for e in os.scandir(folder) if _VERSION_NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False)]
    except OSError:
        return []
    # newest first: by the moment, then by the number a second save within the same microsecond got
    # (-1, -2, ... -10: not by the name, which puts '.yaml' after '-1.yaml' and '-10' before '-9')
    entries.sort(key=lambda e: tuple(int(x or 0) for x in _VERSION_NAME.fullmatch(e.name).groups()), reverse=True)
    out = []
    for e in entries[:MAX_VERSIONS]:
        m = _VERSION_NAME.fullmatch(e.name)
        y, mo, d, h, mi, s, us = (int(x) for x in m.groups()[:7])
        try:
            out.append(KeptVersion(e.name, dt.datetime(y, mo, d, h, mi, s, us), e.stat(follow_symlinks=False).st_size))
        except (ValueError, OSError):
            continue
    return out


def kept_bytes(path: Path, name: str) -> bytes | None:
    """The bytes of one kept version, by its name as kept_versions lists it; None for any other name."""
    if not isinstance(name, str) or not _VERSION_NAME.fullmatch(name):
        return None
    if name not in {v.name for v in kept_versions(path)}:
        return None
    from kadertoets.infra.yamlload import MAX_BYTES

    with open(history_folder(path) / name, "rb") as fh:
        return fh.read(MAX_BYTES + 1)


def restore(path: Path, name: str, based_on: str | None, moment: dt.datetime, kader_dir=None,
            kaders: dict | None = None) -> Saved | Stale | Invalid:
    """Put a kept version back (undo): only a version of the same team that still loads; the version it
    replaces is kept in the history in its turn, so a restore can be undone too."""
    kdir = kader_dir_or_default(kader_dir)
    with _lock(path):
        current = _current(path, based_on, kdir, kaders)
        if isinstance(current, Stale):
            return current
        kept, old, _, _ = current
        data = kept_bytes(path, name)
        if data is None:
            return Invalid(kept.shown, {"": [Problem("deze eerdere versie bestaat niet (meer)",
                                                     hint="Kies een versie uit de lijst.")]})
        try:
            text = data.decode("utf-8-sig")
            earlier, _, _ = _load(text, kept.shown, kdir, kaders)
        except (KaderFout, UnicodeDecodeError) as exc:
            problems = exc.problems if isinstance(exc, KaderFout) else [Problem("geen UTF-8-tekst")]
            return Invalid(kept.shown, {"": [Problem("deze eerdere versie is geen geldig assessment meer: "
                                                     + problems[0].message)]})
        if earlier.team.id != old.team.id:
            return Invalid(kept.shown, {"": [Problem("deze eerdere versie hoort bij een ander team")]})
        history = _history(kept, moment)
        replace_kept(kept, text)
        written = text.encode("utf-8-sig" if kept.bom else "utf-8")
        return Saved(kept.shown, version_tag(written), ("eerdere versie",), written=True, history=history)
