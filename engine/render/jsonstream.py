"""JSON as the command line writes it (indent 2, UTF-8 text, final newline, every character a terminal
could act on as a \\uXXXX escape), made fast and, for big documents, in pieces.

`json_chunks(data)` gives the text of `json.dumps(data, ensure_ascii=False, indent=2) + "\\n"` (then
made terminal-safe) as a sequence of strings; a top-level value wrapped in `Stream` is written item by
item as its items are made, so that a sweep of 15,000 teams never holds its whole document (hundreds
of megabytes) or all the teams' JSON objects at once. `indented(value, level)` is the text of one
value at a nesting level, byte for byte what json.dumps with indent=2 writes there.

Why not json.dumps itself: with `indent` it runs the pure-Python encoder (the C encoder only writes
compact JSON), ~1.1 ms for a team of a sweep; the join-based encoder here does the same in a fraction
of that, using the C string encoder for strings, and falls back to json.dumps for anything that is
not a plain dict, list, str, int, float, bool or None (so the text stays json.dumps' in every case).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C version: ensure_ascii=False
from typing import Iterable, Iterator

from kadertoets.infra.textsafe import UNSAFE

# What json.dumps(ensure_ascii=False) leaves raw although a terminal may act on it: DEL, C1 controls,
# bidi formatting characters and lone surrogates (C0 controls it escapes itself).
_RAW_IN_JSON = UNSAFE
_INF = float("inf")


class Stream:
    """A top-level list of `json_chunks` whose items are made while the document is written."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable):
        self.items = items


def _fallback(value, nl: str) -> str:
    """json.dumps' own text for what the fast path does not handle (subclasses, odd keys, NaN...)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", nl)


def _encode(value, nl: str) -> str:
    """The indented JSON text of value whose first line is already placed; `nl` starts each further
    line at the current level ("\\n" plus two spaces per level). Scalars inside containers are written
    in the loop itself (most values of a document are: a call per scalar would double the time)."""
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = nl + "  "
        parts = []
        add = parts.append
        for key, item in value.items():
            if type(key) is not str:
                return _fallback(value, nl)
            k = type(item)
            if k is str:
                add(encode_basestring(key) + ": " + encode_basestring(item))
            elif item is None:
                add(encode_basestring(key) + ": null")
            elif k is bool:
                add(encode_basestring(key) + (": true" if item else ": false"))
            elif k is int:
                add(encode_basestring(key) + ": " + int.__repr__(item))
            else:
                add(encode_basestring(key) + ": " + _encode(item, inner))
        return "{" + inner + ("," + inner).join(parts) + nl + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = nl + "  "
        return "[" + inner + ("," + inner).join([encode_basestring(item) if type(item) is str else _encode(item, inner)
                                                 for item in value]) + nl + "]"
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and -_INF < value < _INF:
        return float.__repr__(value)
    return _fallback(value, nl)


def indented(value, level: int = 0) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2) as written at nesting `level` (its first line
    placed by the caller, further lines indented by 2 * level spaces more)."""
    return _encode(value, "\n" + "  " * level)


def terminal_safe(text: str) -> str:
    """Every character a terminal could act on (see _RAW_IN_JSON) written as a \\uXXXX escape."""
    if _RAW_IN_JSON.search(text) is None:
        return text
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _raw_chunks(data: dict) -> Iterator[str]:
    if not data:
        yield "{}\n"
        return
    first = True
    for key, value in data.items():
        if type(key) is not str:
            raise TypeError("json_chunks: alleen tekst als sleutel op het hoogste niveau")
        prefix = ("{\n  " if first else ",\n  ") + encode_basestring(key) + ": "
        first = False
        if isinstance(value, Stream):
            opened = False
            for item in value.items:
                yield (prefix + "[" if not opened else ",") + "\n    " + _encode(item, "\n    ")
                opened = True
            yield "\n  ]" if opened else prefix + "[]"
        else:
            yield prefix + _encode(value, "\n  ")
    yield "\n}\n"


def json_chunks(data: dict) -> Iterator[str]:
    """The text of json_text(data) in pieces (see the module docstring); `Stream` values item by item."""
    for chunk in _raw_chunks(data):
        yield terminal_safe(chunk)


def json_text(data) -> str:
    """JSON of `data` (indent 2, UTF-8 text, final newline), terminal-safe: what json.dumps(data,
    ensure_ascii=False, indent=2) writes, with the characters of _RAW_IN_JSON escaped."""
    return terminal_safe(indented(data) + "\n")
