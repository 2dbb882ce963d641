"""What decides whether something remembered is still valid: a fingerprint of the code (the package's
files) and one of a Kader folder (every file's name and bytes). Kept apart from the cache so that a
command can ask for them without loading the cache's machinery."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from kadertoets.infra import digest
from kadertoets.load.kader import kader_files

PACKAGE = Path(__file__).resolve().parent.parent  # kadertoets/ (engine/ in the repository)


@lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """The package's version, every source file's name, size and modification time, the Python
    version and PyYAML's: a new release or any local change of the code gives new keys. None when
    the package's files cannot be listed (then no evaluation is cached)."""
    import yaml

    from kadertoets import __version__

    h = digest.hasher()
    h.update(f"{__version__}/{sys.version_info[:2]}/{yaml.__version__}".encode())
    try:
        for name, st in _stats(str(PACKAGE), ""):
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    except OSError:
        return None
    return h.hexdigest()


def code_files() -> list[Path]:
    """Every source file of the package, in every room (raises OSError when they cannot be listed)."""
    return [PACKAGE / name for name, _ in _stats(str(PACKAGE), "")]


def _stats(folder: str, prefix: str, depth: int = 0) -> list:
    """(path relative to the package, stat) of every .py file below folder, sorted by path; scandir,
    not rglob: this runs at every start (it keys the Kader snapshot), and the package is 6 deep at most."""
    out = []
    if depth > 10:
        return out
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                out.extend(_stats(entry.path, f"{prefix}{entry.name}/", depth + 1))
            elif entry.name.endswith(".py") and entry.is_file():
                out.append((f"{prefix}{entry.name}", entry.stat()))
    return sorted(out, key=lambda item: item[0])


def kader_fingerprint(kader_dir: Path) -> str | None:
    """Hash of the names and bytes of every file of the Kader folder (kader/ and the rules* folders);
    None when something cannot be read (then nothing is cached: the load itself reports the problem)."""
    h = digest.hasher()
    root = Path(kader_dir)
    try:
        for path in kader_files(root):
            h.update(f"{path.relative_to(root)}".encode() + b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    except OSError:
        return None
    return h.hexdigest()
