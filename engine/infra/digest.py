"""Content keys for what kadertoets remembers between runs (the Kader snapshots, their fingerprints).

BLAKE2b with a 32-byte digest, from the interpreter's built-in `_blake2` module: that is the very
function `hashlib.blake2b` is, but importing `hashlib` first loads OpenSSL (2 to 3 ms of every
start of `kader check`, bench/startup_bench.py --imports). Falls back to hashlib where the built-in
module is missing."""

from __future__ import annotations

try:
    from _blake2 import blake2b as _blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b as _blake2b

SIZE = 32  # bytes; a key is 64 hexadecimal characters


def hasher():
    """A new hash object (`update(bytes)`, `hexdigest()`)."""
    return _blake2b(digest_size=SIZE)


def hex_digest(data: bytes) -> str:
    """The 64-character key of these bytes."""
    return _blake2b(data, digest_size=SIZE).hexdigest()
