"""A JSON form for a tree of `@record` objects (infra/records.py), so that something compiled, such as
a validated Kader, can be remembered between runs without pickle: reading it back never runs code,
and only constructs the record classes and enums the caller declares.

The form, one JSON value per object:
- None, bool, int, float and str as themselves;
- a tuple as `["t", item, ...]`, a frozenset as `["f", item, ...]`, a dict as `["d", key, value, ...]`
  (keys of any type, insertion order kept), a date as `["D", "2023-06-30"]`;
- a member of a declared enum as `["E", "Status", "voldoet"]` (the enum's name, the member's value);
- a declared record as `["R", "Rule", field, ...]`: the class name and every field in declaration order;
  decoding restores it field by field, as copy and pickle do, without running `__init__`.

`decode` accepts exactly that form and raises ValueError for anything else: an undeclared class or
enum, a wrong number of fields, an unknown tag, a list or JSON object where no container belongs,
and nesting deeper than `MAX_DEPTH`. What it does not check are the field types: a well-formed text
with a string where a date belongs decodes. The caller keeps these texts where only the user can
write (sweep/snapshots.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum

MAX_DEPTH = 100  # nesting of containers and records; a compiled Kader is about 15 deep


class Codec:
    """Encodes and decodes trees of the declared record classes and enums (module docstring)."""

    def __init__(self, records: tuple[type, ...], enums: tuple[type[Enum], ...] = ()):
        self._fields = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in records}
        self._records = {cls.__name__: (cls, names, len(names)) for cls, names in self._fields.items()}
        self._enums = {cls.__name__: {member.value: member for member in cls} for cls in enums}
        if len(self._records) != len(records) or len(self._enums) != len(enums):
            raise ValueError("two declared classes share a name")

    # ------------------------------------------------------------------ encode --
    def encode(self, obj) -> str:
        """The JSON text of obj; TypeError for a value of a type that is not declared."""
        return json.dumps(self._encode(obj, 0), ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def _encode(self, obj, depth: int):
        if depth > MAX_DEPTH:
            raise TypeError("te diep genest")
        kind = type(obj)
        if obj is None or kind in (str, int, float, bool):
            return obj
        depth += 1
        if kind is tuple:
            return ["t", *(self._encode(item, depth) for item in obj)]
        if kind is frozenset:
            return ["f", *(self._encode(item, depth) for item in obj)]
        if kind is dict:
            out = ["d"]
            for key, value in obj.items():
                out.append(self._encode(key, depth))
                out.append(self._encode(value, depth))
            return out
        if kind is dt.date:
            return ["D", obj.isoformat()]
        if isinstance(obj, Enum) and kind.__name__ in self._enums:
            return ["E", kind.__name__, obj.value]
        names = self._fields.get(kind)
        if names is None:
            raise TypeError(f"type {kind.__name__} is not declared")
        return ["R", kind.__name__, *(self._encode(getattr(obj, name), depth) for name in names)]

    # ------------------------------------------------------------------ decode --
    def decode(self, text: str | bytes):
        """The object tree of a text `encode` made; ValueError for anything else (module docstring)."""
        try:
            value = json.loads(text, object_hook=_no_objects)  # a JSON object is never part of the form
            return self._decode(value, 0) if value.__class__ is list else value
        except ValueError:
            raise
        except (TypeError, KeyError, IndexError, AttributeError, RecursionError, OverflowError) as exc:
            raise ValueError(f"geen geldige vorm ({type(exc).__name__})") from None

    def _decode(self, value: list, depth: int):
        """One tagged list; only the lists in it are decoded further (scalars are themselves)."""
        if depth >= MAX_DEPTH:
            raise ValueError("te diep genest")
        depth += 1
        walk = self._decode
        tag = value[0]
        if tag == "R":
            cls, names, count = self._records[value[1]]
            if len(value) != count + 2:
                raise ValueError(f"{value[1]}: verwacht {count} velden, vond {len(value) - 2}")
            obj = cls.__new__(cls)  # restored field by field, as copy and pickle do: no __init__ runs
            obj.__dict__.update(zip(names, [walk(v, depth) if v.__class__ is list else v for v in value[2:]]))
            return obj
        items = [walk(v, depth) if v.__class__ is list else v for v in value[1:]]
        if tag == "t":
            return tuple(items)
        if tag == "d":
            if len(items) % 2:
                raise ValueError("woordenboek met een oneven aantal sleutels en waarden")
            return dict(zip(items[0::2], items[1::2]))
        if tag == "D":
            if len(items) != 1 or items[0].__class__ is not str:
                raise ValueError("datum zonder tekst")
            return dt.date.fromisoformat(items[0])
        if tag == "E":
            if len(items) != 2:
                raise ValueError("enum zonder naam en waarde")
            return self._enums[items[0]][items[1]]
        if tag == "f":
            return frozenset(items)
        raise ValueError(f"onbekende markering {str(tag)[:20]!r}")


def _no_objects(pairs):
    raise ValueError("JSON-object waar geen container hoort")
