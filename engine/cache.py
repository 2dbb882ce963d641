"""A content-addressed cache of parsed assessment files, for `kader sweep` and `kader trend`.

Parsing YAML is by far the most expensive step of a sweep; validation against the Kader and
evaluation are cheap and always run fresh. So only the parsed tree is cached: the LDict/LList
tree *with its line/column positions* (error messages keep their lines), pickled, keyed on
sha256(file bytes) + CACHE_VERSION + Python version. An unreadable or corrupt entry is simply
parsed again and overwritten; a file that is not valid YAML is never cached. The cache can only
make a sweep faster, never change its results.

Location: $KADERTOETS_CACHE_DIR, else $XDG_CACHE_HOME/kadertoets, else ~/.cache/kadertoets.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .errors import KaderFout, display_path
from .yamlload import MAX_BYTES, _BaseLoader, load_yaml_text, read_text

# Bump when the loader (types, positions, LDict/LList layout) or the entry format changes.
CACHE_VERSION = "1"
_SALT = f"kadertoets-cache/{CACHE_VERSION}/{_BaseLoader.__name__}/{sys.version_info[0]}.{sys.version_info[1]}".encode()


def cache_dir() -> Path:
    env = os.environ.get("KADERTOETS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "kadertoets"


def content_key(raw: bytes) -> str:
    return hashlib.sha256(_SALT + b"\0" + raw).hexdigest()


def _entry(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.pickle"


def read_entry(folder: Path, key: str) -> bytes | None:
    """The bytes of one cache entry, or None when it is missing or unreadable."""
    try:
        with open(_entry(folder, key), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def write_entry(folder: Path, key: str, data: bytes) -> None:
    """Write one entry atomically (temporary file + rename); a cache that cannot be written is no error."""
    entry = _entry(folder, key)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, entry)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        pass


def _read_raw(path: Path) -> bytes:
    """The file's bytes, with every failure (missing, a folder, too big, unreadable) as the
    same KaderFout the uncached loader gives."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError:
        read_text(path)  # raises the precise Dutch message
        raise
    if len(raw) > MAX_BYTES:
        read_text(path)
    return raw


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return read_text(path)  # raises the located message


def load_tree(path: Path, folder: Path | None = None, shown: str | None = None):
    """Parse one YAML file (LDict/LList tree), via the cache in `folder` when given.

    Raises KaderFout exactly as engine.yamlload.load_yaml_file would."""
    path = Path(path)
    if folder is None:
        return load_yaml_text(read_text(path), shown or display_path(path))
    raw = _read_raw(path)
    return tree_from_raw(raw, content_key(raw), path, folder, shown)


def read_file(path: Path) -> tuple[bytes, str]:
    """A file's bytes and its content key; failures raise the same KaderFout as the uncached loader."""
    raw = _read_raw(Path(path))
    return raw, content_key(raw)


def tree_from_raw(raw: bytes, key: str, path: Path, folder: Path | None, shown: str | None = None):
    """The parsed tree of already read bytes: from the cache entry `key` when there is a sound one,
    else parsed (and stored, when `folder` is given)."""
    if folder is not None:
        data = read_entry(folder, key)
        if data is not None:
            try:
                return pickle.loads(data)
            except Exception:  # truncated or corrupt: parse again
                pass
    tree = load_yaml_text(_decode(raw, path), shown or display_path(path))
    if folder is not None:
        try:
            data = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError):
            return tree
        write_entry(folder, key, data)
    return tree
