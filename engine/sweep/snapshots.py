"""Remembering a Kader that passed the semantic checks (validate/semantic.py), compiled, so that
`kader check`, `plan`, `sweep` and `trend` neither parse its files nor run the rules' examples and the
norm check again on every start while neither the Kader's files nor the code changed.

A snapshot is a JSON file in the cache folder (`kaders/<key>.json`, infra/recordcodec.py: no pickle;
reading it constructs only the model's records). Its name is a hash of the code fingerprint, the
name and bytes of every file of the Kader folder, the version asked for, and where the Kader folder
is seen from (the paths the Kader shows are relative to the working folder). Only a Kader that passed
is remembered: one with an error is loaded, checked and refused every time. The files are
fingerprinted before and after loading; when they changed in between, nothing is remembered.

A snapshot decides what the rules say, so it is only read from and written to a folder that the
user alone can write: the cache folder and `kaders/` must belong to the user and must not be
writable by group or others (as ssh treats its keys); otherwise the Kader is loaded from its files.
A snapshot that does not decode, or whose checksum or key does not match, is loaded anew and
replaced. Anything else that goes wrong (no home folder, no rights, a full disk) only means loading
from the files. At most MAX_SNAPSHOTS are kept; the least recently used go first."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kadertoets.evaluate import conditions
from kadertoets.infra import digest
from kadertoets.infra.errors import KaderFout, display_path
from kadertoets.infra.paths import cache_dir
from kadertoets.infra.recordcodec import Codec
from kadertoets.load.kader import load_kader
from kadertoets.model import (ActionTemplate, Deadline, Example, Fact, Kader, Question, RegionalProduct, Rule, Source,
                              Status)
from kadertoets.sweep.fingerprints import code_fingerprint, kader_fingerprint

FOLDER = "kaders"
MAX_SNAPSHOTS = 20  # Kader versions and folders remembered (the bundled Kader 1.0 is about 130 kB)
MAX_BYTES = 16 * 1024 * 1024  # a larger file is not read

# The types a compiled Kader is made of; a test holds this equal to what the bundled Kader contains.
CODEC = Codec(records=(Kader, Rule, Question, Source, Deadline, ActionTemplate, Example, Fact, RegionalProduct,
                       conditions.All, conditions.Any_, conditions.Not, conditions.RuleRef,
                       conditions.Present, conditions.Compare),
              enums=(Status,))


def validated(kader_dir: Path, version: str | None = None, use_cache: bool = True) -> Kader:
    """validate/semantic.validated_kader, from a snapshot when this code already passed these Kader
    files (module docstring). `use_cache=False` (`kader sweep --geen-cache`): no snapshot is read or written."""
    before = kader_fingerprint(kader_dir) if use_cache else None
    where = _where(before, kader_dir, version) if before is not None else None
    if where is not None:
        remembered = _read(*where)
        if remembered is not None:
            return remembered
    kader = load_kader(kader_dir, version)
    from kadertoets.validate.semantic import semantic_errors  # only when the Kader was not remembered

    problems = semantic_errors(kader)
    if problems:
        raise KaderFout(list(problems))
    if where is not None and kader_fingerprint(kader_dir) == before:
        _remember(*where, kader)
    return kader


def _where(content: str, kader_dir: Path, version: str | None) -> tuple[Path, str] | None:
    """The snapshots folder and the key for this code, Kader content, version and point of view."""
    try:
        folder = cache_dir() / FOLDER
    except RuntimeError:  # no home folder
        return None
    code = code_fingerprint()
    if code is None:
        return None
    try:
        seen_from = f"{os.getcwd()}\0{Path(kader_dir).resolve()}\0{display_path(kader_dir)}"
    except (OSError, RuntimeError):
        return None
    key = digest.hex_digest(f"{code}\0{content}\0{version or ''}\0{seen_from}".encode("utf-8", "surrogateescape"))
    return folder, key


def _private(path: Path) -> bool:
    """A real folder (not a link) of this user that nobody else can write."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # no owners to check (Windows): not trusted
        return False
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(folder: Path, key: str) -> Kader | None:
    path = folder / f"{key}.json"
    if not (_private(folder.parent) and _private(folder)):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = None
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        if fd is not None:
            os.close(fd)
    head, _, body = data.partition(b"\n")
    if head != f"{key} {digest.hex_digest(body)}".encode():
        return None
    try:
        kader = CODEC.decode(body)
    except ValueError:
        return None
    if kader.__class__ is not Kader:
        return None
    try:
        os.utime(path)  # recently used: pruned last
    except OSError:
        pass
    return kader


def _remember(folder: Path, key: str, kader: Kader) -> None:
    try:
        body = CODEC.encode(kader).encode("utf-8", "surrogateescape")
    except (TypeError, ValueError, UnicodeError):  # something a snapshot cannot hold: load it each time
        return
    data = f"{key} {digest.hex_digest(body)}\n".encode() + body
    from kadertoets.infra.output import remove_stale_temporaries, temporary_name  # only when writing

    temporary = folder / temporary_name()
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        if not (_private(folder.parent) and _private(folder)):
            return
        remove_stale_temporaries(folder)
        # a file of its own, then renamed over the name (not infra/output.write_atomic: that follows a
        # link at the name to write its target; here a link is replaced, never written through)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, folder / f"{key}.json")
        _prune(folder)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _prune(folder: Path) -> None:
    """Keep the MAX_SNAPSHOTS most recently used snapshots."""
    kept = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and len(entry.name) == 69:
                try:
                    kept.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
                except OSError:
                    pass
    kept.sort()
    for _, path in kept[: max(0, len(kept) - MAX_SNAPSHOTS)]:
        try:
            os.unlink(path)
        except OSError:
            pass

