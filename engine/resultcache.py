"""The evaluation cache of `kader sweep` and `kader trend`: one compact record per assessment file.

A warm sweep should cost little more than reading the files. So besides the parsed tree (see
cache.py), the sweep keeps the *outcome* of validating and evaluating a file, keyed on

- the file's content (sha256 of its bytes, as for the parse cache), and
- the context: the bytes of every Kader file (manifests, questions, rules), a forced Kader version,
  the as-of date, the engine, and the source of this package itself (any code change is a new key).

Change any of those and the key changes: the cache can make a sweep faster, never change its
result. A record is a checksum plus a pickle of plain data: the assessment without its facts (no
renderer of a sweep needs them), the as-of date, the engine and per finding (rule id, status,
reason, missing fields, notes). Title, theme, action and the rest come back from the Kader when the
record is decoded, and equal findings are shared between teams (memory at national scale). A record
that is truncated, corrupt or of another format is reported as `CorruptRecord`; the caller evaluates
the file again. Only valid assessments are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import sys
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .kader import kader_files
from .model import Assessment, Evaluation, Finding, Kader, Status

RECORD_FORMAT = 1
_DIGEST = 16  # bytes of blake2b checksum in front of every record
_STATUS = {s.value: s for s in Status}


class CorruptRecord(Exception):
    """A stored record that cannot be used (truncated, corrupt, other format)."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package's version, every source file's name, size and modification time, the Python
    version and PyYAML's: a new release or any local change of the code gives new keys."""
    import yaml

    from . import __version__

    h = hashlib.sha256(f"{RECORD_FORMAT}/{__version__}/{sys.version_info[:2]}/{yaml.__version__}".encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def kader_fingerprint(kader_dir: Path) -> str | None:
    """Hash of the names and bytes of every file of the Kader folder (kader/ and the rules* folders);
    None when something cannot be read (then nothing is cached: the load itself reports the problem)."""
    h = hashlib.sha256()
    root = Path(kader_dir)
    try:
        for path in kader_files(root):
            h.update(f"{path.relative_to(root)}".encode() + b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    except OSError:
        return None
    return h.hexdigest()


def context_key(kader_dir: Path, version: str | None, as_of: dt.date | None, engine: str) -> str | None:
    """Everything besides the file itself that decides a sweep's outcome for it, as one key (None: do not cache)."""
    kader = kader_fingerprint(kader_dir)
    if kader is None:
        return None
    text = "\0".join([code_fingerprint(), kader, version or "-", as_of.isoformat() if as_of else "-", engine])
    return hashlib.sha256(text.encode()).hexdigest()


def kader_key(kader_dir: Path, version: str) -> str | None:
    """Key of a loaded Kader in the cache: its files, the code, and the folder and working directory
    (file names in the Kader are shown relative to the working directory)."""
    kader = kader_fingerprint(kader_dir)
    if kader is None:
        return None
    try:
        where = f"{Path(kader_dir).resolve()}\0{Path.cwd()}"
    except OSError:
        return None
    return hashlib.sha256(f"kader\0{code_fingerprint()}\0{kader}\0{version}\0{where}".encode()).hexdigest()


def result_key(context: str, content: str) -> str:
    return hashlib.sha256(f"resultaat/{context}/{content}".encode()).hexdigest()


def encode(ev: Evaluation) -> bytes:
    """The compact record of one evaluation (the file name is not part of it: it is given on decoding)."""
    slim = replace(ev.assessment, facts={}, file="")
    findings = tuple((f.rule_id, f.status.value, f.reason, f.missing, f.notes) for f in ev.findings)
    payload = pickle.dumps((RECORD_FORMAT, slim, ev.as_of, ev.engine, findings), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def decode(data: bytes, shown: str, kader_for, pool: dict) -> Evaluation:
    """An Evaluation from a record: `kader_for(assessment)` gives the Kader it was evaluated against;
    `pool` shares equal findings. Raises CorruptRecord for anything but a sound record."""
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if len(data) <= _DIGEST or hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        raise CorruptRecord("checksum")
    try:
        fmt, slim, as_of, engine, findings = pickle.loads(payload)
    except Exception as exc:  # a sound checksum over an unreadable pickle: another format
        raise CorruptRecord(str(exc)) from None
    if fmt != RECORD_FORMAT:
        raise CorruptRecord(f"formaat {fmt}")
    kader = kader_for(slim)
    shared = pool.setdefault(id(kader), {})
    get = shared.get
    assessment = object.__new__(Assessment)  # dataclasses.replace(slim, file=shown), without its cost
    assessment.__dict__.update(slim.__dict__)
    assessment.__dict__["file"] = shown
    return Evaluation(assessment=assessment, kader=kader, as_of=as_of, engine=engine,
                      findings=tuple(get(item) or _finding(kader, item, shared) for item in findings))


def _finding(kader: Kader, item: tuple, pool: dict) -> Finding:
    """The Finding for a record's (rule id, status, reason, missing, notes), made once per pool."""
    rule_id, status, reason, missing, notes = item
    rule = kader.rules.get(rule_id)
    if rule is None:
        raise CorruptRecord(f"regel {rule_id} niet in het Kader")
    finding = Finding(rule_id=rule_id, title=rule.title, theme=rule.theme, status=_STATUS[status], reason=reason,
                      responsible=rule.responsible, missing=missing, action=rule.action,
                      norm_origin=rule.norm_origin, notes=notes)
    pool[item] = finding
    return finding
