"""A small key-value store of checksummed entries in one SQLite file: machinery for caches, no domain.

Two parts, used together by the sweep's cache (sweep/cache.py, sweep/resultcache.py):

Entries (`pack`, `unpack`). An entry is a checksum (the first 16 bytes of sha256 of the rest) in front
of lines of compact JSON: a head value, then any number of lines the caller encoded itself (a record
shares the lines of equal findings between teams). JSON never holds a raw newline, so the lines are
unambiguous. `unpack` verifies the checksum and the size, parses the head strictly (UTF-8 JSON only:
no NaN or Infinity, nothing after the value, no nesting too deep for the parser) and hands back the
other lines unparsed; anything else raises `BadEntry`, which a cache treats as a miss. The checksum
catches damage (a crash, a truncated row), not tampering: anyone can compute it, so what an entry
holds must still be checked by its reader as strictly as a file from disk. Reading an entry never
runs code (no pickle), whoever wrote it.

The database (`Store`). One table per kind of entry, (key, data), and beside it `<table>_meta`, (key,
scope, used, size): the bookkeeping for pruning lives apart from the data, so that marking an entry as
used rewrites a small row, not the entry (15,000 entries: 0.05 s instead of 0.5 s). A batch of rows in
one transaction costs next to nothing, where a file per entry costs ~0.7 ms to make. Writes are
not fsynced (it is a cache: a damaged entry fails its checksum, a damaged file is replaced). Every
failure makes it a store that holds nothing, with a Dutch reason (`problem`) unless the database was
only busy (another process holds it): a cache can make a run slower, never stop it.

Staying bounded (`Store.open(scopes, limits)`, once per run, before anything is written). Every entry
carries the `Scope` it was written in: its `maker` (the version of the code or format that wrote it;
entries of another maker are never read by this one) and optionally an `origin` and `generation` (a
folder and a hash of its contents, say: of one origin only the current generation is read), and the
time it was last `used` (seconds: when it was written, and when it was read, at most every
`TOUCH_EVERY`, in one batch at `close`). When the store opens, in one transaction:

1. orphans go: entries of another maker, and of the current origin with another generation, that
   were not used in the last `limits.keep_recent` seconds (the grace period protects a concurrent run
   of another version, or of the previous contents, that still reads what it just wrote);
2. entries not used for `limits.max_idle` seconds go, whatever made them (other origins, deleted
   folders: no run says they are alive, so age decides);
3. when the entries hold more than `limits.max_bytes` bytes of data, the least recently used go
   until 3/4 of that is left (so that not every run evicts); never one used in the last
   `keep_recent` seconds.

Each step deletes at most `limits.batch` entries per table, found through the indexes of the
bookkeeping (the data is never read), so opening stays cheap whatever the store holds; what is left
goes on the next runs. Scopes no entry refers to any more are forgotten. The database file itself is
bounded by its owner (sweep/cache.py starts it anew above a size), which also covers a burst of
entries within the grace period, and rows without bookkeeping (which only a hand that edits the file
makes).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from kadertoets.infra.records import record
from pathlib import Path

from kadertoets.infra.errors import os_reason

DIGEST = 16  # bytes of (truncated) sha256 in front of every entry
TOUCH_EVERY = 86400  # seconds: an entry read is marked as used again at most once a day (no write per read)
_CHUNK = 500  # keys per IN (...) list: below SQLite's limit on bound parameters


class BadEntry(ValueError):
    """An entry that is not exactly what we write: treated as absent."""


# ---------------------------------------------------------------- entries --------------------------
def _refuse_constant(name):
    raise BadEntry(name)


_SCAN = json.JSONDecoder(parse_constant=_refuse_constant).scan_once  # NaN and Infinity are not JSON: refused
# ASCII only: a lone surrogate (which a YAML escape can make) is written as \udXXX, not a UnicodeEncodeError
_DUMP = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False).encode


def dump_json(value) -> bytes:
    """Compact JSON of plain data (never NaN or Infinity: ValueError), as ASCII bytes without newlines."""
    return _DUMP(value).encode("ascii")


def load_json(payload: bytes | str):
    """The JSON value of one line; BadEntry for anything that is not strict UTF-8 JSON (also a nesting
    too deep for the parser, or an integer of thousands of digits)."""
    try:
        text = payload.decode("utf-8") if payload.__class__ is bytes else payload
        value, end = _SCAN(text, 0)  # the C scanner without json.loads' layers (we write no white space)
    except (ValueError, RecursionError, StopIteration) as exc:  # JSONDecodeError, UnicodeDecodeError: ValueErrors
        raise BadEntry(str(exc)[:80]) from None
    if end != len(text):
        raise BadEntry("meer dan één waarde")
    return value


def seal(payload: bytes) -> bytes:
    """The checksum in front of a payload."""
    return hashlib.sha256(payload).digest()[:DIGEST] + payload


def unseal(data, limit: int) -> bytes | None:
    """The payload of a sealed entry; None when there is none, it is over `limit` bytes or it is damaged."""
    if data.__class__ is not bytes or not DIGEST < len(data) <= limit:
        return None
    payload = data[DIGEST:]
    if hashlib.sha256(payload).digest()[:DIGEST] != data[:DIGEST]:
        return None
    return payload


def pack(head, lines=()) -> bytes:
    """An entry: the checksum, the JSON of `head`, then `lines` (each already compact JSON, see
    dump_json), one per line. ValueError or TypeError for a head that is not plain data."""
    return seal(b"\n".join([dump_json(head), *lines]))


def unpack(data, limit: int) -> tuple[object, list[bytes]]:
    """The head value and the other lines (unparsed) of an entry; BadEntry when it is missing, over
    `limit` bytes, damaged (checksum) or its head is not strict JSON."""
    payload = unseal(data, limit)
    if payload is None:
        raise BadEntry("controlegetal")
    head, *lines = payload.split(b"\n")
    return load_json(head), lines


# ---------------------------------------------------------------- the database ---------------------
@record
class Scope:
    """What wrote an entry, for pruning: `maker` is the version of the code or format (entries of
    another maker are never read by this one); of one `origin` (e.g. a folder) only the current
    `generation` (e.g. a hash of its contents) is read. Empty origin: entries of any origin."""

    maker: str
    origin: str = ""
    generation: str = ""


@record
class Limits:
    """How a store stays bounded (see the module docstring); all times in seconds."""

    keep_recent: int  # an entry used this recently is never pruned nor evicted
    max_idle: int  # an entry not used this long is pruned
    max_bytes: int  # above this many bytes of entries the least recently used are evicted, to 3/4
    batch: int  # rows deleted per statement at most


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff) and what they mean for a user.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
_SQLITE_REASONS = {3: "geen toegang", 14: "geen toegang", 8: "alleen lezen", 13: "de schijf is vol",
                   10: "lees- of schrijffout", 11: "de database is beschadigd", 26: "de database is beschadigd"}


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def reason(exc: BaseException) -> str | None:
    """Why a store cannot be used, in Dutch; None when it is only busy (another process holds it)."""
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return None
        return _SQLITE_REASONS.get(code, "de database is niet bruikbaar")
    if isinstance(exc, OSError):
        return os_reason(exc)
    return "de map is niet te bepalen"


def is_corrupt(exc: sqlite3.Error) -> bool:
    if _sqlite_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def now() -> int:
    """The time entries are stamped with (whole seconds since the epoch)."""
    return int(time.time())


class Store:
    """The database at `path` with the given tables, opened lazily; every failure makes it a store
    that holds nothing, and all but a busy database leave a Dutch reason in `problem`. Subclasses
    may prepare the folder before it is opened for writing (`_before_write`)."""

    def __init__(self, path: Path | None, tables: tuple[str, ...]):
        self.path = Path(path) if path is not None else None
        self.tables = tuple(tables)
        self._conn: sqlite3.Connection | None = None
        self._broken = path is None
        self.problem: str | None = None  # why the store is not used (Dutch), when worth a warning
        self._scope_ids: dict[str, int] = {}  # table -> id of the scope its new entries get
        self._touched: dict[str, list[str]] = {}  # table -> keys read whose `used` is to be refreshed

    # ------------------------------------------------------------ opening -----------------------
    def open(self, scopes: dict[str, Scope] | None = None, limits: Limits | None = None) -> bool:
        """Open (or make) the database now, register the scope each table's new entries are written
        in (a table without one is only read) and, with `limits`, prune it (module docstring).
        False when the store cannot be used."""
        conn = self._connect(create=True)
        if conn is None:
            return False
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                stamp = now()
                for table, scope in (scopes or {}).items():
                    if scope is not None and table in self.tables:
                        self._scope_ids[table] = self._register(conn, table, scope, stamp)
                if limits is not None:
                    self._prune(conn, scopes or {}, limits, stamp)
                conn.execute("COMMIT")
            except BaseException:
                self._rollback(conn)
                raise
        except sqlite3.Error as exc:
            self._scope_ids.clear()
            if reason(exc) is not None:  # busy: another process writes; read now, write next time
                self._query_failed(exc)
                return False
        return True

    def _before_write(self) -> None:
        """Called before the database is opened to be written: make its folder (for its owner only)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

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
                    self._before_write()
                conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    # A cache: no fsync at all (a third of a cold sweep's database time went to the
                    # fsyncs of WAL checkpoints). A database damaged by a crash is detected and replaced
                    # (below), and a damaged entry fails its checksum or its checks: it is computed again.
                    conn.execute("PRAGMA synchronous=OFF")
                    self._create(conn)
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
                return conn
            except sqlite3.Error as exc:
                if attempt == 1 and is_corrupt(exc) and self.discard():
                    continue
                self._fail(exc)
            except OSError as exc:
                self._fail(exc)
            return None
        return None

    def _create(self, conn) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS scopes (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, maker TEXT NOT NULL,"
                     " origin TEXT NOT NULL, generation TEXT NOT NULL, seen INTEGER NOT NULL,"
                     " UNIQUE (kind, maker, origin, generation))")
        for table in self.tables:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table}_meta (key TEXT PRIMARY KEY, scope INTEGER NOT NULL,"
                         " used INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID")
            conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_meta_scope ON {table}_meta (scope)")
            conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_meta_used ON {table}_meta (used, size)")

    # ------------------------------------------------------------ staying bounded ---------------
    @staticmethod
    def _register(conn, table: str, scope: Scope, stamp: int) -> int:
        where = (table, scope.maker, scope.origin, scope.generation)
        conn.execute("INSERT OR IGNORE INTO scopes (kind, maker, origin, generation, seen) VALUES (?, ?, ?, ?, ?)",
                     (*where, stamp))
        conn.execute("UPDATE scopes SET seen = ? WHERE kind = ? AND maker = ? AND origin = ? AND generation = ?",
                     (stamp, *where))
        return conn.execute("SELECT id FROM scopes WHERE kind = ? AND maker = ? AND origin = ? AND generation = ?",
                            where).fetchone()[0]

    def _prune(self, conn, scopes: dict[str, Scope], limits: Limits, stamp: int) -> None:
        recent = stamp - limits.keep_recent
        for table in self.tables:
            scope = scopes.get(table)
            if scope is not None:  # 1. orphans: another maker, or this origin's earlier contents
                dead = [row[0] for row in conn.execute(
                    "SELECT id FROM scopes WHERE kind = ? AND (maker != ? OR (? != '' AND origin = ? AND generation != ?))",
                    (table, scope.maker, scope.origin, scope.origin, scope.generation))]
                budget = limits.batch
                for i in range(0, len(dead), _CHUNK):
                    part = dead[i:i + _CHUNK]
                    budget -= self._delete(conn, table, conn.execute(
                        f"SELECT key FROM {table}_meta WHERE scope IN ({','.join('?' * len(part))}) AND used < ? LIMIT ?",
                        (*part, recent, budget)))
                    if budget <= 0:
                        break
            # 2. not used for a long time, whatever wrote them
            self._delete(conn, table, conn.execute(f"SELECT key FROM {table}_meta WHERE used < ? LIMIT ?",
                                                   (min(recent, stamp - limits.max_idle), limits.batch)))
        self._evict(conn, limits, recent)
        # scopes that no entry refers to, and that no run registered in the grace period
        unused = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {t}_meta WHERE scope = scopes.id)" for t in self.tables)
        conn.execute(f"DELETE FROM scopes WHERE seen < ? AND {unused}", (recent,))

    @staticmethod
    def _delete(conn, table: str, rows) -> int:
        """Delete the entries (data and bookkeeping) whose keys the query `rows` gives; how many."""
        keys = [row[0] for row in rows]
        for i in range(0, len(keys), _CHUNK):
            part = keys[i:i + _CHUNK]
            marks = ",".join("?" * len(part))
            conn.execute(f"DELETE FROM {table} WHERE key IN ({marks})", part)
            conn.execute(f"DELETE FROM {table}_meta WHERE key IN ({marks})", part)
        return len(keys)

    def _evict(self, conn, limits: Limits, recent: int) -> None:
        """3. Over limits.max_bytes of entries: the least recently used go, down to 3/4 of it."""
        try:
            if os.stat(self.path).st_size <= limits.max_bytes:
                return  # the entries are inside the file: they cannot hold more (no need to count)
        except OSError:
            return
        total = sum(conn.execute(f"SELECT total(size) FROM {t}_meta").fetchone()[0] for t in self.tables)
        excess = total - limits.max_bytes * 3 // 4
        if total <= limits.max_bytes or excess <= 0:
            return
        union = " UNION ALL ".join(f"SELECT used, size FROM {t}_meta WHERE used < ?" for t in self.tables)
        cutoff, freed, seen = None, 0, 0
        for used, size in conn.execute(f"SELECT used, size FROM ({union}) ORDER BY used", (recent,) * len(self.tables)):
            cutoff, freed, seen = used, freed + size, seen + 1
            if freed >= excess or seen >= limits.batch * len(self.tables):
                break
        if cutoff is None:
            return  # everything was used in the grace period: the file limit is what bounds it now
        for table in self.tables:
            self._delete(conn, table, conn.execute(
                f"SELECT key FROM {table}_meta WHERE used <= ? AND used < ? ORDER BY used LIMIT ?",
                (cutoff, recent, limits.batch)))

    # ------------------------------------------------------------ reading and writing -----------
    def get_many(self, table: str, keys: list[str]) -> dict[str, bytes]:
        """The stored data of those keys that are there, always as bytes (a row someone stored as text,
        even text that is not UTF-8, comes back as its bytes and fails the entry's checksum: a miss)."""
        conn = self._connect(create=False)
        if conn is None or not keys:
            return {}
        out: dict[str, bytes] = {}
        stale = now() - TOUCH_EVERY
        touched = self._touched.setdefault(table, [])
        try:
            for i in range(0, len(keys), _CHUNK):
                part = keys[i:i + _CHUNK]
                marks = ",".join("?" * len(part))
                for key, data, used in conn.execute(f"SELECT t.key, CAST(t.data AS BLOB), m.used FROM {table} t LEFT JOIN {table}_meta m"
                                                    f" ON m.key = t.key WHERE t.key IN ({marks})", part):
                    out[key] = data
                    if used.__class__ is int and used < stale:
                        touched.append(key)
        except sqlite3.Error as exc:
            self._query_failed(exc)
            return {}
        return out

    def put_many(self, entries) -> None:
        """Store (table, key, data) entries in one transaction, in the scope registered for their
        table (entries of a table without one are not stored); a failure only means they are not stored."""
        entries = list(entries)
        if not entries:
            return
        conn = self._connect(create=True)
        if conn is None:
            return
        stamp = now()
        try:
            conn.execute("BEGIN")
            for table in self.tables:
                scope = self._scope_ids.get(table)
                rows = [(k, d) for t, k, d in entries if t == table]
                if rows and scope is not None:
                    conn.executemany(f"INSERT OR REPLACE INTO {table} (key, data) VALUES (?, ?)", rows)
                    conn.executemany(f"INSERT OR REPLACE INTO {table}_meta (key, scope, used, size) VALUES (?, ?, ?, ?)",
                                     [(k, scope, stamp, len(d)) for k, d in rows])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            if reason(exc) is not None:  # busy: only these entries are lost; anything else: stop
                self._query_failed(exc)

    def _flush_touched(self) -> None:
        """Mark the entries read in this run as used now (one transaction); a failure only costs the
        precision of the least-recently-used order."""
        touched, self._touched = self._touched, {}
        conn = self._conn
        if conn is None or self._broken or not any(touched.values()):
            return
        stamp = now()
        try:
            conn.execute("BEGIN")
            for table, keys in touched.items():
                for i in range(0, len(keys), _CHUNK):
                    part = keys[i:i + _CHUNK]
                    conn.execute(f"UPDATE {table}_meta SET used = ? WHERE key IN ({','.join('?' * len(part))})",
                                 (stamp, *part))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            if self.problem is None and not is_corrupt(exc):
                self.problem = reason(exc)

    def close(self) -> None:
        if self._conn is not None:
            self._flush_touched()
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    # ------------------------------------------------------------ failures ----------------------
    @staticmethod
    def _rollback(conn) -> None:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _fail(self, exc: BaseException) -> None:
        """Stop using the store for the rest of this run, remembering why (the first reason only)."""
        self._touched = {}
        self.close()
        self._broken = True
        if self.problem is None:
            self.problem = self._misplaced() or reason(exc)

    def _misplaced(self) -> str | None:
        """A clearer reason when something else stands where the folder or the database should be
        (the errno alone would say 'bestaat al' or 'geen toegang')."""
        if self.path is None:
            return None
        try:
            folder = self.path.parent  # (a file higher up the path is ENOTDIR, which says so itself)
            if folder.exists() and not folder.is_dir():
                return f"{folder.name} is een bestand, geen map"
            if self.path.is_dir():
                return f"op de plaats van de database ({self.path.name}) staat een map"
        except OSError:
            return None
        return None

    def discard(self) -> bool:
        """Remove the database file (and its journal files), so a new one can be made; False when it
        cannot be removed."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(self.path) + suffix)
            except FileNotFoundError:
                pass
            except OSError:
                return False
        return True

    def _query_failed(self, exc: sqlite3.Error) -> None:
        if is_corrupt(exc):  # damaged after it was opened: removed, so the next run makes a new one
            self._touched = {}
            self.close()
            self._broken = True
            if self.discard():
                return
        self._fail(exc)
