"""Remembering that a Kader passed the semantic checks (validate/semantic.py), so that `kader check`,
`plan`, `sweep` and `trend` do not run the rules' examples and the norm check again on every start
while neither the Kader's files nor the code changed.

A verdict is an empty file in the cache folder (`gevalideerd/<key>`), whose name is a hash of the
code fingerprint, the hash of every file of the Kader folder and the version. Only a pass is
remembered: a Kader with an error is checked (and refused) every time. Whoever can write the cache
folder can plant a pass for content they know, as they can plant sweep results (README, "Veiligheid");
the folder kadertoets creates is readable for its owner only. Verdicts are kept only once a sweep has
made the cache folder. Anything that goes wrong here (no cache folder, no rights, a full disk) only
means the checks run again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from kadertoets.load.kader import load_kader
from kadertoets.model import Kader
from kadertoets.infra.paths import cache_dir
from kadertoets.sweep.fingerprints import code_fingerprint, kader_fingerprint
from kadertoets.infra.errors import KaderFout
from kadertoets.validate.semantic import semantic_errors

FOLDER = "gevalideerd"
MAX_VERDICTS = 50  # passes kept; the oldest go when there are more (each is an empty file)


def validated(kader_dir: Path, version: str | None = None) -> Kader:
    """validate/semantic.validated_kader, skipped when this code already passed these Kader files.

    The files are fingerprinted before and after loading: when they changed in between, the loaded
    Kader is checked itself and nothing is remembered (a pass is only ever remembered for the bytes
    the checked Kader was loaded from)."""
    before = kader_fingerprint(kader_dir)
    kader = load_kader(kader_dir, version)
    after = kader_fingerprint(kader_dir)
    folder, key = _where(after, kader.version) if before is not None and before == after else (None, None)
    if key is not None and _known(folder / key):
        return kader
    problems = semantic_errors(kader)
    if problems:
        raise KaderFout(list(problems))
    if key is not None:
        _remember(folder, key)
    return kader


def _known(marker: Path) -> bool:
    try:
        return marker.is_file()
    except OSError:  # a cache folder without access: check again
        return False


def _where(content: str, version: str) -> tuple[Path | None, str | None]:
    """The verdicts folder and the name of the verdict for this code, Kader content and version."""
    try:
        folder = cache_dir() / FOLDER
    except RuntimeError:  # no home folder
        return None, None
    code = code_fingerprint()
    if code is None:
        return None, None
    return folder, hashlib.sha256(f"{code}\0{content}\0{version}".encode()).hexdigest()


def _remember(folder: Path, key: str) -> None:
    try:
        if not folder.parent.is_dir():  # the cache folder is the sweep's to create (its rights, its warnings)
            return
        folder.mkdir(mode=0o700, exist_ok=True)
        (folder / key).touch()
        names = [p for p in folder.iterdir() if len(p.name) == 64 and p.is_file()]
        if len(names) > MAX_VERDICTS:
            names.sort(key=lambda p: p.stat().st_mtime_ns)
            for old in names[: len(names) - MAX_VERDICTS]:
                os.unlink(old)
    except OSError:
        pass  # not remembered: the checks run again next time
