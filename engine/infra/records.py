"""Dataclasses that cost less at start-up: `@record` makes the class `@dataclass(frozen=True)` makes,
and `@record(frozen=False)` the one `@dataclass` makes, for the way this package uses them.

Why: every command imports a few dozen dataclasses, and on Python 3.11 `@dataclass(frozen=True)`
compiles six methods, each with its own `exec` (`__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__`, `__delattr__`), and asks `inspect` for a signature when the class has no docstring:
0.8 to 1.3 ms per class, some 20 to 30 ms of `kader check` (bench/startup_bench.py --imports). Here
`dataclasses` still does the fields (so `dataclasses.fields`, `replace`, `asdict` and `is_dataclass`
work as before), `__init__` is compiled in one `exec`, and the other methods are shared functions that
read the fields through one `operator.attrgetter` per class: about 0.25 ms per class.

The same behaviour as the dataclass, method by method:
- `__init__(self, a, b=default, c=<default_factory>)`: the fields in order, positional or by name;
  a frozen record sets them with object.__setattr__; then `__post_init__()` when the class has one
  (compiled at the first construction, so a class that a command never constructs costs no exec);
- `__eq__`: equal when the other is of exactly the same class and the fields are equal, in order
  (NotImplemented for any other class);
- `__hash__`: frozen: the hash of the fields; not frozen: None (unhashable), as a dataclass with eq;
  a `__hash__` the class defines itself is kept;
- `__repr__`: `Name(a=1, b='x')` (the qualified name), safe against a record that contains itself;
- frozen: assigning or deleting any attribute raises dataclasses.FrozenInstanceError;
- methods the class defines itself (`__init__`, `__repr__`, `__eq__`) are kept, as a dataclass keeps them.
What it does not do (nothing here uses it; a dataclass is the answer then): inheritance between
records, `field(init=False)`, `InitVar`, `kw_only`, `order`, `slots`, `field(compare=False)` and
`field(hash=...)` (compare is honoured for `__eq__` and `__hash__`, hash is not). A class without a
docstring gets its name as docstring, not the dataclass's text of its signature.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from dataclasses import MISSING, FrozenInstanceError


def _eq(self, other):
    if other.__class__ is self.__class__:
        key = self.__class__.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self.__class__.__record_key__(self))


@reprlib.recursive_repr()
def _repr(self) -> str:
    parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__.__record_repr__)
    return f"{self.__class__.__qualname__}({parts})"


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _key_getter(names: tuple[str, ...]):
    """A function giving the tuple of those attributes (attrgetter gives a bare value for one name)."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        get = operator.attrgetter(names[0])
        return lambda self: (get(self),)
    return operator.attrgetter(*names)


def _init(cls, fields, frozen: bool):
    """The __init__ of the record, compiled in one exec."""
    params, body = [], []
    scope = {"__set": object.__setattr__, "__MISSING": MISSING}
    for f in fields:
        name = f.name
        if f.default is not MISSING:
            scope[f"__default_{name}"] = f.default
            params.append(f"{name}=__default_{name}")
        elif f.default_factory is not MISSING:
            scope[f"__factory_{name}"] = f.default_factory
            params.append(f"{name}=__MISSING")
            body.append(f"if {name} is __MISSING: {name} = __factory_{name}()")
        else:
            params.append(name)
        body.append(f"__set(self, {name!r}, {name})" if frozen else f"self.{name} = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    namespace: dict = {}
    exec(source, scope, namespace)  # the one exec per class (fields are identifiers: dataclasses checked them)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _lazy_init(cls, fields, frozen: bool):
    """An __init__ that compiles the real one (_init) at the first construction and puts it in its
    place: a command pays the exec only for the records it constructs, not for every record it imports
    (a Kader read back from its snapshot is restored without __init__, infra/recordcodec.py)."""

    def __init__(self, *args, **kwargs):
        real = _init(cls, fields, frozen)
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = real
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__module__ = cls.__module__
    return __init__


def record(cls=None, *, frozen: bool = True):
    """`@record` is `@dataclass(frozen=True)`, `@record(frozen=False)` is `@dataclass` (module docstring)."""

    def make(cls):
        own = cls.__dict__
        explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
        if cls.__doc__ is None:
            cls.__doc__ = cls.__name__  # else dataclasses asks inspect for the signature
        dataclasses.dataclass(cls, init=False, repr=False, eq=False)  # fields only: nothing compiled
        fields = dataclasses.fields(cls)
        if any(not f.init for f in fields):
            raise TypeError(f"{cls.__name__}: field(init=False) needs @dataclass, not @record")
        cls.__record_key__ = staticmethod(_key_getter(tuple(f.name for f in fields if f.compare)))
        cls.__record_repr__ = tuple(f.name for f in fields if f.repr)
        if "__init__" not in own:
            cls.__init__ = _lazy_init(cls, fields, frozen)
        if "__repr__" not in own:
            cls.__repr__ = _repr
        if "__eq__" not in own:
            cls.__eq__ = _eq
        if not explicit_hash:
            cls.__hash__ = _hash if frozen else None
        if frozen:
            if "__setattr__" in own or "__delattr__" in own:
                raise TypeError(f"{cls.__name__}: a frozen record cannot define __setattr__ or __delattr__")
            cls.__setattr__, cls.__delattr__ = _frozen_setattr, _frozen_delattr
        return cls

    return make if cls is None else make(cls)
