"""The sweep's cache: one SQLite database of content-keyed entries, for `kader sweep` and `kader trend`.

Two kinds of entry, both keyed on sha256 of the file's bytes (plus a salt for the loader version):
- `trees`: the parsed LDict/LList tree *with its line/column positions* (error messages keep their
  lines), as JSON (encode_tree); a file that is not valid YAML is never stored;
- `records`: the outcome of validating and evaluating a file in one context (see resultcache.py).

Every entry is JSON behind a checksum (seal): reading an entry never runs code, whoever wrote it
(up to version 3 entries were pickles; their database is never opened again). The checksum only
catches damage (a crash, a truncated row), not tampering: anyone can compute it. Everything read
back is checked as strictly as a file read from disk (the exact shape and type of every part, see
decode_tree and resultcache.decode); whatever does not pass is a cache miss: the file is parsed and
evaluated again, never a crash. What remains: whoever can write the cache can still forge a
well-formed entry, so a sweep would show other contents or verdicts for the files whose entries are
there, as whoever can write the assessment files can; that is why the cache belongs in the user's
own folder. The Kader itself is not cached: it is loaded and checked from its files on every run.

Why one database and not a file per entry: creating a file costs ~0.7 ms on the machines we run on,
more than evaluating the assessment; a batch of rows in one transaction costs next to nothing.
Lookups are by primary key. The database lives in the cache folder: $KADERTOETS_CACHE_DIR, else
$XDG_CACHE_HOME/kadertoets, else ~/.cache/kadertoets (a folder it makes is for its owner only).

The cache can only make a sweep faster, never change its result or stop it: an entry that does not
load is parsed or evaluated again and overwritten; a corrupt database file is replaced by a new one;
a database that cannot be opened, read or written (no access, a read-only folder, a full disk,
locked by another sweep) is simply not used. Except when it was only busy, the sweep then says so
once (Cache.warning), so that a user knows why it is slow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import sqlite3
import stat
import sys
from pathlib import Path

from kadertoets.infra.errors import display_path, excerpt, os_reason
from kadertoets.infra.yamlload import MAX_BYTES, MAX_DEPTH, MAX_DIGITS, LDict, LList, _BaseLoader, load_yaml_text, read_text

# Bump when the loader (types, positions, LDict/LList layout) or the entry format changes: a new
# version is a new database file, so entries of another format (pickles, up to version 3) are never read.
CACHE_VERSION = "4"
_SALT = f"kadertoets-cache/{CACHE_VERSION}/{_BaseLoader.__name__}/{sys.version_info[0]}.{sys.version_info[1]}".encode()
DB_NAME = f"kadertoets-{CACHE_VERSION}.sqlite3"
TABLES = ("trees", "records")
MAX_DB_BYTES = 512 * 1024 * 1024  # a larger database is started anew (tens of thousands of assessments)
_OTHER_DB = re.compile(r"kadertoets-[0-9A-Za-z.]+\.sqlite3(?:-wal|-shm|-journal)?")
MAX_ENTRY = 4 * MAX_BYTES  # a larger entry was not written by us: a cache miss, not a megabyte parse


def cache_dir() -> Path:
    """The cache folder; raises RuntimeError when there is no home folder to put it in."""
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
            st = os.fstat(fh.fileno())
            # only a regular file's size can be trusted: a device (/dev/zero) says 0 and never ends
            regular = stat.S_ISREG(st.st_mode) and st.st_size <= MAX_BYTES
            raw = fh.read() if regular else fh.read(MAX_BYTES + 1)
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


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff) and what they mean for a user.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
_SQLITE_REASONS = {3: "geen toegang", 14: "geen toegang", 8: "alleen lezen", 13: "de schijf is vol",
                   10: "lees- of schrijffout", 11: "de database is beschadigd", 26: "de database is beschadigd"}


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _reason(exc: BaseException) -> str | None:
    """Why the cache cannot be used, in Dutch; None when it is only busy (another sweep holds it)."""
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return None
        return _SQLITE_REASONS.get(code, "de database is niet bruikbaar")
    if isinstance(exc, OSError):
        return os_reason(exc)
    return "de cachemap is niet te bepalen"


def _is_corrupt(exc: sqlite3.Error) -> bool:
    if _sqlite_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


class Cache:
    """The cache database in `folder`, opened lazily; every failure makes it a cache that holds
    nothing, and all but a busy database leave a reason for one warning (`warning()`)."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self.path = self.folder / DB_NAME if folder is not None else None
        self._conn: sqlite3.Connection | None = None
        self._broken = folder is None
        self.problem: str | None = None  # why the cache is not used (Dutch), when worth a warning

    @classmethod
    def default(cls) -> "Cache":
        """The cache in the user's cache folder (cache_dir)."""
        try:
            return cls(cache_dir())
        except (RuntimeError, KeyError, OSError):  # no home folder to find the cache in
            cache = cls(None)
            cache.problem = "er is geen thuismap om hem in te zetten"
            return cache

    def warning(self) -> str | None:
        """The one Dutch warning for the user when the cache could not be used, else None."""
        if self.problem is None:
            return None
        where, fix = "", "kies een map voor de cache met KADERTOETS_CACHE_DIR"
        if self.folder is not None:
            where = f" in {excerpt(self.folder, 200)}"
            fix = "geef uzelf lees- en schrijfrechten op die map, kies een andere map met KADERTOETS_CACHE_DIR"
        return (f"Let op: de cache{where} kan niet gebruikt worden ({self.problem}); kader werkt verder zonder "
                f"cache: dezelfde uitkomst, alleen trager.\n  Oplossing: {fix}, of gebruik --geen-cache.")

    def _fail(self, exc: BaseException) -> None:
        """Stop using the cache for the rest of this run, remembering why (the first reason only)."""
        self.close()
        self._broken = True
        if self.problem is None:
            self.problem = _reason(exc)

    def open(self) -> bool:
        """Open (or make) the database now; False when the cache cannot be used."""
        return self._connect(create=True) is not None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken:
            return self._conn
        try:
            if not create:
                os.stat(self.path)  # no database yet: nothing to read (FileNotFoundError)
        except FileNotFoundError:
            return None
        except OSError as exc:  # the folder cannot be searched
            self._fail(exc)
            return None
        for attempt in (1, 2):
            try:
                if create:
                    self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                    self._bound()
                conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    # A cache: no fsync at all (a third of a cold sweep's database time went to the
                    # fsyncs of WAL checkpoints). A database damaged by a crash is detected and replaced
                    # (below), and a damaged entry fails its checksum or its checks: it is computed again.
                    conn.execute("PRAGMA synchronous=OFF")
                    for table in TABLES:
                        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
                return conn
            except sqlite3.Error as exc:
                if attempt == 1 and _is_corrupt(exc) and self._discard():
                    continue
                self._fail(exc)
            except OSError as exc:
                self._fail(exc)
            return None
        return None

    def _bound(self) -> None:
        """Keep the cache bounded before writing to it: databases of other cache versions (up to
        version 3 they held pickles) are removed, and a database over MAX_DB_BYTES is started anew
        (entries of older code or removed Kaders are never read again; this is where they go)."""
        try:
            for entry in os.scandir(self.folder):
                name = entry.name
                if _OTHER_DB.fullmatch(name) and not name.startswith(DB_NAME) and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
            if os.stat(self.path).st_size > MAX_DB_BYTES:
                self._discard()
        except OSError:
            pass  # nothing to prune, or not allowed to: the cache stays as it is

    def _discard(self) -> bool:
        """Remove a corrupt database (and its journal files), so a new one can be made; False when
        it cannot be removed."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(self.path) + suffix)
            except FileNotFoundError:
                pass
            except OSError:
                return False
        return True

    def _query_failed(self, exc: sqlite3.Error) -> None:
        if _is_corrupt(exc):  # damaged after it was opened: removed, so the next run makes a new one
            self.close()
            self._broken = True
            if self._discard():
                return
        self._fail(exc)

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
        except sqlite3.Error as exc:
            self._query_failed(exc)
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
        except sqlite3.Error as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if _reason(exc) is not None:  # busy: only these entries are lost; anything else: stop
                self._query_failed(exc)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None


_DIGEST = 16  # bytes of (truncated) sha256 checksum in front of every entry


def seal(payload: bytes) -> bytes:
    """An entry: a checksum in front of its (JSON) payload, so that damage (a crash, a truncated
    row) is noticed, not read. Not a defence against tampering: anyone can compute it."""
    return hashlib.sha256(payload).digest()[:_DIGEST] + payload


def unseal(data) -> bytes | None:
    """The payload of a sealed entry, or None when there is none, it is too big or it is damaged."""
    if data.__class__ is not bytes or not _DIGEST < len(data) <= MAX_ENTRY:
        return None
    payload = data[_DIGEST:]
    if hashlib.sha256(payload).digest()[:_DIGEST] != data[:_DIGEST]:
        return None
    return payload


class BadEntry(ValueError):
    """A cache entry that is not exactly what we write: treated as absent."""


def _refuse_constant(name):
    raise BadEntry(name)


_SCAN = json.JSONDecoder(parse_constant=_refuse_constant).scan_once  # NaN and Infinity are not JSON: refused
# ASCII only: a lone surrogate (which a YAML escape can make) is written as \udXXX, not a UnicodeEncodeError
_DUMP = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False).encode


def load_json(payload: bytes | str):
    """The JSON value of a payload; BadEntry for anything that is not strict UTF-8 JSON (also a
    nesting too deep for the parser, or an integer of thousands of digits)."""
    try:
        text = payload.decode("utf-8") if payload.__class__ is bytes else payload
        value, end = _SCAN(text, 0)  # the C scanner without json.loads' layers (we write no white space)
    except (ValueError, RecursionError, StopIteration) as exc:  # JSONDecodeError, UnicodeDecodeError: ValueErrors
        raise BadEntry(str(exc)[:80]) from None
    if end != len(text):
        raise BadEntry("meer dan één waarde")
    return value


def dump_json(value) -> bytes:
    """Compact JSON of plain data (never NaN or Infinity: ValueError), as ASCII bytes."""
    return _DUMP(value).encode("ascii")


# ---------------------------------------------------------------- trees ----------------------
# A tree as JSON: text, integers, finite numbers, true/false and null stand for themselves; every
# other value is a list that starts with its kind:
#   ["m", line, column, [key, line, column, value, ...]]   a mapping (LDict): positions of it and its keys
#   ["l", line, column, [line, column, value, ...]]        a sequence (LList): positions of it and its items
#   ["d", "2023-03-01"], ["t", "2023-03-01T10:00:00+01:00"], ["f", "inf" | "-inf" | "nan"]
# What is read back stays within what the loader makes: at most MAX_DEPTH levels of mappings and
# sequences, integers of at most MAX_DIGITS digits, keys that are plain values, positions that are
# line and column numbers; anything else is a cache miss.
_INT_LIMIT = 10 ** MAX_DIGITS
_POS_LIMIT = 1 << 31
_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _tree_json(node, depth: int = 0):
    cls = node.__class__
    if cls is str or cls is bool or node is None:
        return node
    if cls is int:
        if -_INT_LIMIT < node < _INT_LIMIT:
            return node
        raise BadEntry("getal te groot")
    if (cls is LDict or cls is LList) and depth >= MAX_DEPTH:
        raise BadEntry("te diep")
    if cls is LDict:
        items = []
        key_pos = node.key_pos
        for key, value in node.items():
            line, column = key_pos[key]
            items += (key if key.__class__ is str else _tree_json(key, depth + 1), line, column,
                      value if value.__class__ is str else _tree_json(value, depth + 1))
        return ["m", *node.pos, items]
    if cls is LList:
        items = []
        for (line, column), value in zip(node.item_pos, node):
            items += (line, column, value if value.__class__ is str else _tree_json(value, depth + 1))
        return ["l", *node.pos, items]
    if cls is float:
        return node if math.isfinite(node) else ["f", "nan" if node != node else ("inf" if node > 0 else "-inf")]
    if cls is dt.date:
        return ["d", node.isoformat()]
    if cls is dt.datetime:
        return ["t", node.isoformat()]
    raise BadEntry(f"type {cls.__name__}")  # not a value the loader makes: not cached


def encode_tree(tree) -> bytes | None:
    """The cache entry payload of a parsed tree; None when the tree holds something we do not store."""
    try:
        return seal(dump_json(_tree_json(tree)))
    except (BadEntry, ValueError, TypeError, KeyError, RecursionError):
        return None


def _position(line, column) -> tuple[int, int]:
    if line.__class__ is not int or column.__class__ is not int or not (0 < line < _POS_LIMIT and 0 < column < _POS_LIMIT):
        raise BadEntry("positie")
    return (line, column)


def parse_iso(text: str, cls):
    """A date (cls dt.date) or a time (dt.datetime) written exactly as isoformat() writes it."""
    try:
        value = cls.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadEntry("datum") from None
    if value.__class__ is not cls or value.isoformat() != text:  # only the form we write
        raise BadEntry("datum")
    return value


def _tree_value(node, depth: int):
    """The tree value of a decoded JSON value, checked as strictly as the loader builds it."""
    cls = node.__class__
    if cls is str or cls is bool or node is None:
        return node
    if cls is int:
        if -_INT_LIMIT < node < _INT_LIMIT:
            return node
        raise BadEntry("getal")
    if cls is float:
        return node  # finite: NaN and Infinity were refused by the parser
    if cls is not list:
        raise BadEntry("vorm")
    kind = node[0] if node else None
    if kind in ("m", "l") and depth >= MAX_DEPTH:
        raise BadEntry("te diep")
    if kind == "m" and len(node) == 4 and node[3].__class__ is list and len(node[3]) % 4 == 0:
        data = LDict()
        data.pos = _position(node[1], node[2])
        key_pos = data.key_pos
        items = node[3]
        for i in range(0, len(items), 4):
            key = items[i]
            if key.__class__ is not str:
                key = _tree_value(key, depth + 1)
                if key.__class__ in (LDict, LList):
                    raise BadEntry("sleutel")
            if key in data:
                raise BadEntry("dubbele sleutel")
            key_pos[key] = _position(items[i + 1], items[i + 2])
            value = items[i + 3]
            data[key] = value if value.__class__ is str else _tree_value(value, depth + 1)
        return data
    if kind == "l" and len(node) == 4 and node[3].__class__ is list and len(node[3]) % 3 == 0:
        data = LList()
        data.pos = _position(node[1], node[2])
        item_pos = data.item_pos
        items = node[3]
        for i in range(0, len(items), 3):
            item_pos.append(_position(items[i], items[i + 1]))
            value = items[i + 2]
            data.append(value if value.__class__ is str else _tree_value(value, depth + 1))
        return data
    if len(node) == 2 and node[1].__class__ is str:
        if kind == "d":
            return parse_iso(node[1], dt.date)
        if kind == "t":
            return parse_iso(node[1], dt.datetime)
        if kind == "f" and node[1] in _SPECIAL:
            return _SPECIAL[node[1]]
    raise BadEntry("vorm")


def decode_tree(data):
    """The tree of a cache entry, or None when there is none or it is not exactly a tree we write
    (damaged, tampered with, of another format): then the file is parsed again."""
    payload = unseal(data)
    if payload is None:
        return None
    try:
        return _tree_value(load_json(payload), 0)
    except (BadEntry, RecursionError):
        return None


def parse_raw(raw: bytes, path: Path, shown: str | None = None):
    """The parsed tree of a file's bytes; raises KaderFout as the uncached loader would."""
    return load_yaml_text(_decode(raw, path), shown or display_path(path))


def tree_entry(key: str, tree):
    """The cache entry for a newly parsed tree, or None when it is not one we store."""
    payload = encode_tree(tree)
    return ("trees", key, payload) if payload is not None else None
