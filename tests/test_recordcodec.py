"""The JSON form of record trees (infra/recordcodec.py): what encode makes decodes to an equal tree,
and any other text, hostile or damaged, is a ValueError, never another exception or an object of an
undeclared class."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings, strategies as st

from kadertoets.evaluate import conditions
from kadertoets.infra.recordcodec import MAX_DEPTH, Codec
from kadertoets.model import Source, Status

CODEC = Codec(records=(Source, conditions.Compare, conditions.All), enums=(Status,))

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False), st.dates())
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.frozensets(st.text(max_size=4), max_size=3),
        st.sampled_from(list(Status)),
        st.builds(Source, inner, inner, inner, inner),
        st.builds(conditions.All, st.lists(inner, max_size=3).map(tuple)),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_what_encode_makes_decodes_to_an_equal_tree(tree):
    back = CODEC.decode(CODEC.encode(tree))
    assert back == tree and type(back) is type(tree)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.sampled_from(
        ["R", "t", "d", "D", "E", "f", "Source", "All", "Compare", "Status", "voldoet", "2023-06-30", "Kader"])),
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_any_other_json_is_a_value_error_or_a_declared_tree(value):
    try:
        out = CODEC.decode(json.dumps(value))
    except ValueError:
        return
    assert CODEC.decode(CODEC.encode(out)) == out  # whatever decodes is made of declared types only


@pytest.mark.parametrize("text", [
    b"", b"\xff\xfe", "[", '["R","Kader"]', '["R","Source",1]', '["X",1]', '[{"a":1}]', '["D",5]',
    '["D","gisteren"]', '["E","Status","misschien"]', '["E","Onbekend","x"]', '["d",1]', '[[]]', "[" * 5000,
    "[" * (MAX_DEPTH + 5) + '"t"' + "]" * (MAX_DEPTH + 5), '["f",["t"],[]]', '["R",["t"],1]',
])
def test_hostile_texts_are_refused_with_a_value_error(text):
    with pytest.raises(ValueError):
        CODEC.decode(text)


def test_an_undeclared_type_cannot_be_encoded():
    with pytest.raises(TypeError):
        CODEC.encode((dt.datetime(2023, 1, 1),))
    with pytest.raises(TypeError):
        CODEC.encode([1])
