"""infra/records.py: `@record` behaves as `@dataclass(frozen=True)` and `@record(frozen=False)` as
`@dataclass` for every shape of class this package declares, and costs less to declare."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import time
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from kadertoets.infra.records import record


def shapes(decorate):
    """The same classes, made by `decorate(frozen)`: what the package's dataclasses look like."""

    @decorate(True)
    class Empty:
        pass

    @decorate(True)
    class One:
        """One field."""

        value: float

    @decorate(True)
    class Many:
        name: str
        count: int = 0
        tags: tuple = ()
        extra: dict = field(default_factory=dict)
        items: list = field(default_factory=list)

        def label(self) -> str:
            return f"{self.name}:{self.count}"

    @decorate(False)
    class Mutable:
        message: str
        line: int | None = None
        hint: str | None = None

        def __post_init__(self) -> None:
            if len(self.message) > 5:
                self.message = self.message[:5]

    @decorate(False)
    class Failure(Exception):
        problems: list = field(default_factory=list)

        def __post_init__(self) -> None:
            super().__init__(", ".join(self.problems))

        def __str__(self) -> str:
            return "; ".join(self.problems)

    return Empty, One, Many, Mutable, Failure


def _module_level(classes, prefix):
    """The classes under a module-level name (pickle finds a class by its module and name)."""
    out = {}
    for cls in classes:
        name = cls.__name__
        cls.__name__ = cls.__qualname__ = prefix + name
        globals()[prefix + name] = out[name] = cls
    return out


DATA = _module_level(shapes(lambda frozen: dataclass(frozen=frozen)), "Data")
REC = _module_level(shapes(lambda frozen: record(frozen=frozen)), "Rec")


def both(name):
    return DATA[name], REC[name]


def _hash_or_error(obj):
    try:
        return hash(obj)
    except TypeError:
        return TypeError


CASES = [
    ("Empty", (), {}),
    ("One", (1.5,), {}),
    ("One", (float("nan"),), {}),
    ("Many", ("a",), {}),
    ("Many", ("a", 2, ("x",)), {"extra": {"k": 1}}),
    ("Many", (), {"name": "b", "items": [1, 2]}),
    ("Mutable", ("een lange melding",), {"line": 3}),
    ("Failure", (["p1", "p2"],), {}),
]


def _comparable(obj):
    return repr(obj).split("(", 1)[1]  # the class's qualified name differs (made in another function)


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_a_record_is_what_the_dataclass_is(name, args, kwargs):
    dc, rc = both(name)
    a, b = dc(*args, **kwargs), rc(*args, **kwargs)
    assert dataclasses.is_dataclass(b)
    assert [(f.name, f.type, f.default, f.default_factory) for f in dataclasses.fields(a)] == \
        [(f.name, f.type, f.default, f.default_factory) for f in dataclasses.fields(b)]
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert repr(a).removeprefix("Data") == repr(b).removeprefix("Rec")
    assert (a == dc(*args, **kwargs)) == (b == rc(*args, **kwargs))
    assert (a != dc(*args, **kwargs)) == (b != rc(*args, **kwargs))
    assert b.__eq__(a) is NotImplemented and a.__eq__(b) is NotImplemented and (b == object()) is False
    assert a.__match_args__ == b.__match_args__
    assert (dc.__hash__ is None) == (rc.__hash__ is None)
    assert (_hash_or_error(a) is TypeError) == (_hash_or_error(b) is TypeError)
    if _hash_or_error(b) is not TypeError:
        assert hash(b) == hash(rc(*args, **kwargs))
    back = pickle.loads(pickle.dumps(b))
    assert back.__class__ is rc and repr(back) == repr(b)
    assert (pickle.loads(pickle.dumps(b)) == b) == (pickle.loads(pickle.dumps(a)) == a)
    assert copy.deepcopy(b).__class__ is rc and (copy.deepcopy(b) == b) == (copy.deepcopy(a) == a)


def test_defaults_and_factories_are_fresh_per_instance():
    _, many = both("Many")
    first, second = many("a"), many("b")
    first.items.append(1)
    assert second.items == [] and first.extra is not second.extra


def test_frozen_records_refuse_assignment_and_replace_makes_a_new_one():
    _, many = both("Many")
    m = many("a", 1)
    for action in (lambda: setattr(m, "name", "b"), lambda: setattr(m, "nieuw", 1), lambda: delattr(m, "name")):
        with pytest.raises(FrozenInstanceError):
            action()
    changed = dataclasses.replace(m, count=5)
    assert changed == many("a", 5) and m.count == 1 and changed.label() == "a:5"


def test_mutable_records_run_post_init_and_can_change():
    _, mutable = both("Mutable")
    m = mutable("een lange melding", hint="h")
    assert m.message == "een l"
    m.line = 9
    assert m == mutable("een l", 9, "h")


def test_an_exception_record_stays_an_exception():
    _, failure = both("Failure")
    with pytest.raises(failure) as caught:
        raise failure(["a", "b"])
    assert str(caught.value) == "a; b" and caught.value.args == ("a, b",)
    assert caught.value == failure(["a", "b"])


def test_wrong_arguments_fail_as_for_a_dataclass():
    dc, rc = both("Many")
    for args, kwargs in [((), {}), (("a", 1, (), {}, [], "te veel"), {}), (("a",), {"onbekend": 1})]:
        with pytest.raises(TypeError):
            dc(*args, **kwargs)
        with pytest.raises(TypeError):
            rc(*args, **kwargs)


def test_a_mutable_default_is_refused_as_by_dataclass():
    with pytest.raises(ValueError):
        @record
        class Bad:
            items: list = []  # noqa: RUF012


def test_methods_the_class_defines_are_kept():
    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "eigen"

        def __eq__(self, other) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "eigen" and Own(1) == Own(2) and hash(Own(3)) == 7


def test_a_record_that_contains_itself_has_a_finite_repr():
    @record(frozen=False)
    class Loop:
        items: list = field(default_factory=list)

    loop = Loop()
    loop.items.append(loop)
    assert repr(loop).endswith("Loop(items=[...])")


def test_field_init_false_is_refused_not_ignored():
    with pytest.raises(TypeError):
        @record
        class Late:
            a: int
            b: int = field(default=0, init=False)


def test_a_record_is_cheaper_to_declare_than_a_dataclass():
    def declare(decorator):
        start = time.perf_counter()
        for _ in range(20):
            @decorator
            class Rule:
                id: str
                title: str
                theme: str
                explanation: str
                sources: tuple
                norm_origin: str
                responsible: str
                examples: tuple = ()
                notes: dict = field(default_factory=dict)
        return time.perf_counter() - start

    declare(record), declare(dataclass(frozen=True))  # warm up
    assert min(declare(record) for _ in range(3)) < min(declare(dataclass(frozen=True)) for _ in range(3)) / 2
