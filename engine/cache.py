"""The sweep's cache: one SQLite database of content-keyed entries, for `kader sweep` and `kader trend`.

Two kinds of entry, both keyed on sha256 of the file's bytes (plus a salt for the loader version):
- `trees`: the parsed LDict/LList tree *with its line/column positions* (error messages keep their
  lines), pickled; a file that is not valid YAML is never stored;
- `records`: the outcome of validating and evaluating a file in one context (see resultcache.py);
- `kaders`: a loaded Kader version, keyed on its files and the code (see sweep.cached_kader).

Why one database and not a file per entry: creating a file costs ~0.7 ms on the machines we run on,
more than evaluating the assessment; a batch of rows in one transaction costs next to nothing.
Lookups are by primary key. The database lives in the cache folder: $KADERTOETS_CACHE_DIR, else
$XDG_CACHE_HOME/kadertoets, else ~/.cache/kadertoets.

The cache can only make a sweep faster, never change its result or stop it: an entry that does not
load is parsed or evaluated again and overwritten; a database that cannot be opened, read or
written (locked by another sweep, corrupt, a read-only folder) is simply not used, and a corrupt
database file is replaced by a new one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from pathlib import Path

from .errors import display_path
from .yamlload import MAX_BYTES, _BaseLoader, load_yaml_text, read_text

# Bump when the loader (types, positions, LDict/LList layout) or the entry format changes.
CACHE_VERSION = "3"
_SALT = f"kadertoets-cache/{CACHE_VERSION}/{_BaseLoader.__name__}/{sys.version_info[0]}.{sys.version_info[1]}".encode()
DB_NAME = f"kadertoets-{CACHE_VERSION}.sqlite3"
TABLES = ("trees", "records", "kaders")


def cache_dir() -> Path:
    env = os.environ.get("KADERTOETS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "kadertoets"


def content_key(raw: bytes) -> str:
    return hashlib.sha256(_SALT + b"\0" + raw).hexdigest()


def read_file(path: Path) -> tuple[bytes, str]:
    """A file's bytes and its content key; every failure (missing, a folder, too big, unreadable)
    raises the same KaderFout as the uncached loader."""
    try:
        with open(path, "rb") as fh:
            # read() sizes its buffer from the file's size; read(MAX_BYTES + 1) would allocate (and
            # shrink) a megabyte per file, which cost more than hashing it
            size = os.fstat(fh.fileno()).st_size
            raw = fh.read() if size <= MAX_BYTES else fh.read(MAX_BYTES + 1)
    except OSError:
        read_text(Path(path))  # raises the precise Dutch message
        raise
    if len(raw) > MAX_BYTES:
        read_text(Path(path))
    return raw, content_key(raw)


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return read_text(path)  # raises the located message


class Cache:
    """The cache database in `folder`, opened lazily; every failure makes it a cache that holds nothing."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def __getstate__(self):  # travels to worker processes without its connection
        return {"folder": self.folder, "path": self.path, "_conn": None, "_broken": self._broken}

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken:
            return self._conn
        if not create and not self.path.exists():
            return None
        for attempt in (1, 2):
            try:
                if create:
                    self.folder.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                # A cache: no fsync at all (a third of a cold sweep's database time went to the fsyncs
                # of WAL checkpoints). A database damaged by a crash is detected and replaced (above),
                # and a damaged entry fails its checksum or its unpickling: it is computed again.
                conn.execute("PRAGMA synchronous=OFF")
                for table in TABLES:
                    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
                self._conn = conn
                return conn
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and _is_corrupt(exc):
                    self._discard()
                    continue
                self._broken = True
            except OSError:
                self._broken = True
            return None
        return None

    def _discard(self) -> None:
        """Remove a corrupt database (and its journal files), so a new one can be made."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(self.path) + suffix)
            except OSError:
                pass

    def get(self, table: str, key: str) -> bytes | None:
        found = self.get_many(table, [key])
        return found.get(key)

    def get_many(self, table: str, keys: list[str]) -> dict[str, bytes]:
        conn = self._connect(create=False)
        if conn is None or not keys:
            return {}
        out: dict[str, bytes] = {}
        try:
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                marks = ",".join("?" * len(part))
                out.update(conn.execute(f"SELECT key, data FROM {table} WHERE key IN ({marks})", part))
        except sqlite3.DatabaseError:
            self.close()
            self._broken = True
            return {}
        return out

    def put_many(self, entries) -> None:
        """Store (table, key, data) entries in one transaction; a failure only means they are not cached."""
        entries = list(entries)
        if not entries:
            return
        conn = self._connect(create=True)
        if conn is None:
            return
        try:
            conn.execute("BEGIN")
            for table in TABLES:
                rows = [(k, d) for t, k, d in entries if t == table]
                if rows:
                    conn.executemany(f"INSERT OR REPLACE INTO {table} (key, data) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.DatabaseError:
                pass
            self._conn = None


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


_DIGEST = 16  # bytes of blake2b checksum in front of every pickled entry


def seal(obj) -> bytes:
    """A pickle with a checksum in front: damage (a crash, a truncated row) is noticed, not unpickled."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def unseal(data: bytes | None):
    """The object of a sealed entry, or None when there is none or it is damaged in any way."""
    if not data or len(data) <= _DIGEST:
        return None
    payload = data[_DIGEST:]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != data[:_DIGEST]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:
        return None


def parse_raw(raw: bytes, path: Path, shown: str | None = None):
    """The parsed tree of a file's bytes; raises KaderFout as the uncached loader would."""
    return load_yaml_text(_decode(raw, path), shown or display_path(path))


def tree_entry(key: str, tree):
    """The cache entry for a newly parsed tree, or None when it cannot be pickled."""
    try:
        return ("trees", key, seal(tree))
    except (pickle.PicklingError, RecursionError):
        return None
