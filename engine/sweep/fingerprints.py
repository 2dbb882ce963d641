"""What decides whether something remembered is still valid: a fingerprint of the code (the package's
files) and one of a Kader folder (every file's name and bytes). Kept apart from the cache so that a
command can ask for them without loading the cache's machinery."""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path

from kadertoets.load.kader import kader_files

PACKAGE = Path(__file__).resolve().parent.parent  # kadertoets/ (engine/ in the repository)


@lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """The package's version, every source file's name, size and modification time, the Python
    version and PyYAML's: a new release or any local change of the code gives new keys. None when
    the package's files cannot be listed (then no evaluation is cached)."""
    import yaml

    from kadertoets import __version__

    h = hashlib.sha256(f"{__version__}/{sys.version_info[:2]}/{yaml.__version__}".encode())
    root = PACKAGE
    try:
        for path in code_files():
            st = path.stat()
            h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    except OSError:
        return None
    return h.hexdigest()


def code_files() -> list[Path]:
    """Every source file of the package, in every room (raises OSError when they cannot be listed)."""
    return sorted(PACKAGE.rglob("*.py"))


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
