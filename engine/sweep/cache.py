"""The sweep's cache: one SQLite database of content-keyed entries, for `kader sweep` and `kader trend`.

Two kinds of entry, both keyed on sha256 of the file's bytes (plus a salt for the loader version):
- `trees`: the parsed LDict/LList tree *with its line/column positions* (error messages keep their
  lines), as JSON (encode_tree); a file that is not valid YAML is never stored;
- `records`: the outcome of validating and evaluating a file in one context (see resultcache.py).

Every entry is JSON behind a checksum (infra/store.py: pack and unpack): reading an entry never runs
code, whoever wrote it (up to version 3 entries were pickles; their database is never opened again).
The checksum only catches damage (a crash, a truncated row), not tampering: anyone can compute it.
Everything read back is checked as strictly as a file read from disk (the exact shape and type of
every part, see decode_tree and resultcache.decode); whatever does not pass is a cache miss: the file
is parsed and evaluated again, never a crash. What remains: whoever can write the cache can still
forge a well-formed entry, so a sweep would show other contents or verdicts for the files whose
entries are there, as whoever can write the assessment files can; that is why the cache belongs in
the user's own folder. The Kader itself is not cached: it is loaded and checked from its files on
every run.

Why one database and not a file per entry: creating a file costs ~0.7 ms on the machines we run on,
more than evaluating the assessment; a batch of rows in one transaction costs next to nothing.
Lookups are by primary key. The database lives in the cache folder: $KADERTOETS_CACHE_DIR, else
$XDG_CACHE_HOME/kadertoets, else ~/.cache/kadertoets (a folder it makes is for its owner only).

The cache stays bounded. Every sweep, when it opens the cache and before it writes (once per sweep;
the machinery is infra/store.py, the policy is here):
- databases of other cache versions (up to version 3 they held pickles) are removed, and a database
  file over MAX_DB_BYTES is started anew (the last resort: what is below keeps it far smaller);
- orphans are pruned: trees written by another loader version (TREE_MAKER: cache version, loader,
  Python version) and records written by other code (resultcache.code_fingerprint: any change of
  the code is another maker), and records of this sweep's Kader folder for contents it no longer
  has (resultcache.sweep_context: the folder is the origin, the hash of all its files the
  generation). Not while they were used in the last KEEP_RECENT_SECONDS: a sweep of another version
  or of the previous Kader contents may still be running and reading what it just wrote (and two
  installations used alternately keep their entries that long);
- which Kader contents are alive cannot be known for other folders (a user may sweep the bundled
  Kader and a draft copy in turn, with several --as-of dates, both engines): their records, and
  those of deleted folders, go once not used for MAX_IDLE_DAYS;
- above MAX_CACHE_BYTES of entries (the data, ~15 KB per assessment: a sweep of 15,000 assessments
  fits) the least recently used entries are evicted until 3/4 of it is left, never one used in the
  last KEEP_RECENT_SECONDS. An entry read is marked used again at most once a day (store.TOUCH_EVERY).
Each step deletes at most PRUNE_BATCH entries per table (~0.2 s), so opening stays cheap whatever the
cache holds; what is left goes in the next sweeps, as does all of it when another sweep is writing
(the database is busy). None of this changes a result: a pruned entry is a cache miss. (Records are
keyed on contents, not on the folder: two folders with equal contents share them, and pruning one
folder's earlier contents can cost the other one a cache miss, nothing more.)

The cache can only make a sweep faster, never change its result or stop it: an entry that does not
load is parsed or evaluated again and overwritten; a corrupt database file is replaced by a new one;
a database that cannot be opened, read or written (no access, a read-only folder, a full disk,
locked by another sweep) is simply not used. Except when it was only busy, the sweep then says so
once (Cache.warning), so that a user knows why it is slow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import stat
import sys
from pathlib import Path

from kadertoets.infra.errors import display_path, excerpt
from kadertoets.infra.paths import cache_dir
from kadertoets.infra.store import BadEntry, Limits, Scope, Store, pack, unpack
from kadertoets.infra.store import seal  # noqa: F401  (re-exported: the entry format, for tests)
from kadertoets.infra.yamlload import MAX_BYTES, MAX_DEPTH, MAX_DIGITS, LDict, LList, _BaseLoader, load_yaml_text, read_text

# Bump when the loader (types, positions, LDict/LList layout), the entry format or the database layout
# changes: a new version is a new database file, so entries of another format (pickles, up to
# version 3; no scopes, version 4) are never read.
CACHE_VERSION = "5"
TREE_MAKER = f"kadertoets-cache/{CACHE_VERSION}/{_BaseLoader.__name__}/{sys.version_info[0]}.{sys.version_info[1]}"
_SALT = TREE_MAKER.encode()
DB_NAME = f"kadertoets-{CACHE_VERSION}.sqlite3"
TABLES = ("trees", "records")
MAX_DB_BYTES = 512 * 1024 * 1024  # a larger database file is started anew (the last resort)
MAX_CACHE_BYTES = 256 * 1024 * 1024  # entries beyond this: the least recently used are evicted (to 3/4)
MAX_IDLE_DAYS = 30  # an entry not used for this long is pruned, whatever made it
KEEP_RECENT_SECONDS = 3600  # an entry used this recently is never pruned nor evicted (concurrent sweeps)
PRUNE_BATCH = 5_000  # entries deleted per table and step at most when pruning (~0.2 s: bounded per sweep)
_OTHER_DB = re.compile(r"kadertoets-[0-9A-Za-z.]+\.sqlite3(?:-wal|-shm|-journal)?")
MAX_ENTRY = 4 * MAX_BYTES  # a larger entry was not written by us: a cache miss, not a megabyte parse


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


def limits() -> Limits:
    """How the cache stays bounded (read when a sweep opens it; see the module docstring)."""
    return Limits(keep_recent=KEEP_RECENT_SECONDS, max_idle=MAX_IDLE_DAYS * 86400, max_bytes=MAX_CACHE_BYTES,
                  batch=PRUNE_BATCH)


class Cache(Store):
    """The cache database in `folder`, opened lazily; every failure makes it a cache that holds
    nothing, and all but a busy database leave a reason for one warning (`warning()`)."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        super().__init__(self.folder / DB_NAME if folder is not None else None, TABLES)

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

    def open(self, records: Scope | None = None) -> bool:
        """Open (or make) the database now, once per sweep, and prune it (module docstring): trees are
        written in this loader's scope, records in `records` (resultcache.record_scope; None: no
        records are written). False when the cache cannot be used."""
        return super().open({"trees": Scope(TREE_MAKER), "records": records}, limits())

    def _before_write(self) -> None:
        super()._before_write()
        self._bound()

    def _bound(self) -> None:
        """Before writing: databases of other cache versions (up to version 3 they held pickles) are
        removed, and a database over MAX_DB_BYTES is started anew."""
        try:
            for entry in os.scandir(self.folder):
                name = entry.name
                if _OTHER_DB.fullmatch(name) and not name.startswith(DB_NAME) and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
            if os.stat(self.path).st_size > MAX_DB_BYTES:
                self.discard()
        except OSError:
            pass  # nothing to prune, or not allowed to: the cache stays as it is


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
        return pack(_tree_json(tree))
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
    try:
        head, rest = unpack(data, MAX_ENTRY)
        return None if rest else _tree_value(head, 0)
    except (BadEntry, RecursionError):
        return None


def parse_raw(raw: bytes, path: Path, shown: str | None = None):
    """The parsed tree of a file's bytes; raises KaderFout as the uncached loader would."""
    return load_yaml_text(_decode(raw, path), shown or (lambda: display_path(path)))


def tree_entry(key: str, tree):
    """The cache entry for a newly parsed tree, or None when it is not one we store."""
    payload = encode_tree(tree)
    return ("trees", key, payload) if payload is not None else None
