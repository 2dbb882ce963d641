"""Our YAML loader: duplicate keys, aliases, positions, booleans, encodings and size limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kadertoets.infra.errors import KaderFout
from kadertoets.infra.yamlload import load_yaml_file, load_yaml_text


def test_positions_are_kept():
    data = load_yaml_text("a: 1\nb:\n  - x\n  - y\n", "t.yaml")
    assert data.key_pos["b"] == (2, 1)
    assert data["b"].item_pos == [(3, 5), (4, 5)]


def test_duplicate_key_is_rejected_with_both_lines():
    with pytest.raises(KaderFout) as exc:
        load_yaml_text("a: 1\nb: 2\na: 3\n", "t.yaml")
    problem = exc.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("t.yaml", 3, "a")
    assert "regel 1" in problem.message


def test_nested_duplicate_key_is_rejected():
    with pytest.raises(KaderFout) as exc:
        load_yaml_text("feiten:\n  x: 1\n  x: 2\n", "t.yaml")
    assert exc.value.problems[0].line == 3
    assert exc.value.problems[0].field == "feiten.x"


def test_aliases_are_rejected():
    with pytest.raises(KaderFout, match="verwijzingen"):
        load_yaml_text("a: &x [1, 2]\nb: *x\n", "t.yaml")


@pytest.mark.parametrize("word", ["ja", "nee", "yes", "no", "on", "off", "Ja", "NO"])
def test_yaml11_booleans_stay_strings(word):
    assert load_yaml_text(f"a: {word}\n", "t.yaml")["a"] == word


def test_true_false_are_booleans_and_dates_are_dates():
    data = load_yaml_text("a: true\nb: false\nc: 2023-03-01\n", "t.yaml")
    assert data == {"a": True, "b": False, "c": dt.date(2023, 3, 1)}


def test_impossible_date_names_the_line():
    with pytest.raises(KaderFout) as exc:
        load_yaml_text("a: 1\nb: 2023-02-30\n", "t.yaml")
    assert exc.value.problems[0].line == 2


def test_python_tags_are_refused():
    with pytest.raises(KaderFout, match="YAML-tag"):
        load_yaml_text("a: !!python/object/apply:os.system ['echo hi']\n", "t.yaml")


def test_syntax_error_names_line():
    with pytest.raises(KaderFout) as exc:
        load_yaml_text("a: [1, 2\nb: 3\n", "t.yaml")
    assert exc.value.problems[0].line is not None


def test_bom_and_crlf_are_fine(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufeffa: 1\r\nb: één\r\n".encode("utf-8"))
    assert load_yaml_file(path) == {"a": 1, "b": "één"}


def test_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: \xe9\xe9n\n")
    with pytest.raises(KaderFout, match="UTF-8") as exc:
        load_yaml_file(path)
    assert exc.value.problems[0].line == 2


def test_too_large_file_is_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n" * 100)
    with pytest.raises(KaderFout, match="te groot"):
        load_yaml_file(path, max_bytes=50)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(KaderFout, match="bestaat niet"):
        load_yaml_file(tmp_path / "nope.yaml")
    with pytest.raises(KaderFout, match="map"):
        load_yaml_file(tmp_path)


def test_nul_byte_is_refused():
    with pytest.raises(KaderFout, match="NUL"):
        load_yaml_text("a: 1\x00\n", "t.yaml")


@pytest.mark.parametrize("text,expected", [
    ("010", 10.0),  # decimal, never octal 8
    ("1:30", "1:30"),  # never sexagesimal 90
    ("0b11", "0b11"),
    ("0x1F", "0x1F"),
    ("1_000", "1_000"),
    ("-3", -3),
    ("16.5", 16.5),
    ("1e-7", 1e-7),
])
def test_numbers_follow_yaml_12_not_11(text, expected):
    assert load_yaml_text(f"a: {text}\n", "t.yaml")["a"] == expected


def test_tab_indentation_is_named():
    with pytest.raises(KaderFout, match="tab") as exc:
        load_yaml_text("a:\n\tb: 1\n", "t.yaml")
    assert exc.value.problems[0].line == 2


# ---- the strict builder agrees with PyYAML wherever PyYAML is right --------------------------------
import yaml as _yaml  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from kadertoets.infra import yamlload  # noqa: E402
from strategies import yaml_like  # noqa: E402


class _Oracle(getattr(_yaml, "CSafeLoader", _yaml.SafeLoader)):
    """PyYAML's own constructor over the same parser, with our YAML 1.2 resolvers: the reference for
    every document our builder accepts (it is lax where ours is strict, so only accepted documents count)."""

    yaml_implicit_resolvers = yamlload._Loader.yaml_implicit_resolvers


def _outcome(text: str):
    """Data with every position, or the error as rendered."""
    try:
        data = load_yaml_text(text, "x.yaml")
    except KaderFout as exc:
        return ("fout", [p.render() for p in exc.problems])
    return ("ok", _with_positions(data))


def _with_positions(data):
    if isinstance(data, dict):
        return (type(data).__name__, getattr(data, "pos", None), getattr(data, "key_pos", None),
                [(k, type(k).__name__, _with_positions(v)) for k, v in data.items()])
    if isinstance(data, list):
        return (type(data).__name__, getattr(data, "pos", None), getattr(data, "item_pos", None),
                [_with_positions(v) for v in data])
    return (type(data).__name__, repr(data))


def _typed(data):
    """Data with the type of every value, so 1 and 1.0 and True differ."""
    if isinstance(data, dict):
        return sorted(((repr(k), type(k).__name__, _typed(v)) for k, v in data.items()), key=repr)
    if isinstance(data, list):
        return [_typed(v) for v in data]
    return (type(data).__name__, repr(data))


def _positions_match_the_nodes(data, node):
    """Every LDict/LList position is where the composer saw the node."""
    mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(data, dict):
        assert data.pos == mark
        for key_node, value_node in node.value:
            key = next(k for k in data.key_pos if data.key_pos[k] == (key_node.start_mark.line + 1,
                                                                     key_node.start_mark.column + 1))
            _positions_match_the_nodes(data[key], value_node)
    elif isinstance(data, list):
        assert data.pos == mark
        assert data.item_pos == [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
        for item, child in zip(data, node.value):
            _positions_match_the_nodes(item, child)


def _agrees_with_pyyaml(text: str) -> None:
    """Accepted: the same data as PyYAML (types included) at the composer's positions. Refused: a
    located Dutch problem, never an exception of another kind."""
    try:
        data = load_yaml_text(text, "x.yaml")
    except KaderFout as exc:
        assert all(p.file == "x.yaml" for p in exc.problems)
        return
    assert _typed(data) == _typed(_yaml.load(text, Loader=_Oracle))
    loader = yamlload._Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _positions_match_the_nodes(data, node)


TRICKY = [
    "a: 1\nb: [1, 2, {c: d}]\n",
    "a: .inf\nb: -.Inf\nc: .NaN\nd: 1e3\ne: 010\n",
    "d: 2023-03-01\nt: 2023-03-01T10:00:00Z\n",
    "- 1\n- -2\n- +3\n- 1.5e3\n- .5\n- 1.\n- True\n- FALSE\n- ~\n- null\n- ''\n",
    "1: een\n2023-03-01: datum\nnull: niks\n",
    "true: waar\n2: twee\n",
    "1: a\n'1': b\n",  # int and str keys differ
    "a: !!str 5\nb: !!int 5\nc: !!float 5\nd: !!bool true\ne: !!null ''\nf: !!timestamp 2023-03-01\n",
    "<<: {a: 1}\n",  # a merge key is an ordinary key here
]


@pytest.mark.parametrize("text", TRICKY)
def test_builder_agrees_with_pyyaml_on_edge_cases(text):
    assert load_yaml_text(text, "x.yaml") is not None
    _agrees_with_pyyaml(text)


@settings(max_examples=300, deadline=None)
@given(yaml_like)
def test_builder_agrees_with_pyyaml_on_any_document(data):
    _agrees_with_pyyaml(_yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!<>?'\"#\n .0123456789tT~|%\\")), max_size=60))
def test_builder_agrees_with_pyyaml_on_any_text(text):
    _agrees_with_pyyaml(text)


def test_shipped_files_are_read_as_pyyaml_reads_them():
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "assessments").glob("*.yaml")) + sorted((root / "rules").glob("*.yaml")) + \
        sorted((root / "kader").glob("*.yaml"))
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert isinstance(load_yaml_text(text, path.name), dict), path.name
        _agrees_with_pyyaml(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=12), st.sampled_from(
    ["", "~", "null", "Null", "true", "False", "0", "-3", "+4", "010", "0x1F", "1.5", ".5", "1e3", ".inf", "-.Inf",
     ".nan", "2023-03-01", "2023-03-01T10:00:00Z", "<<", "=", "ja", "no", "1_000", "1:30"])),
       st.tuples(st.booleans(), st.booleans()))
def test_fast_resolver_gives_the_tag_pyyaml_would(value, implicit):
    from yaml.resolver import BaseResolver

    loader = yamlload._Loader("")
    try:
        for kind in (_yaml.ScalarNode, _yaml.SequenceNode, _yaml.MappingNode):
            assert loader.resolve(kind, value, implicit) == BaseResolver.resolve(loader, kind, value, implicit)
    finally:
        loader.dispose()


@pytest.mark.parametrize("text", ["a: ! 0.5\n", "a: ! '0.5'\n", "- ! true\n", "a: ! {b: 1}\n"])
def test_the_non_specific_tag_is_refused_with_its_line(text):
    """YAML 1.2 reads `! 0.5` as text, libyaml as the number: readers disagree, so we refuse."""
    with pytest.raises(KaderFout, match="YAML-tag '!'") as exc:
        load_yaml_text(text, "t.yaml")
    assert exc.value.problems[0].line == 1


def test_an_exclamation_mark_in_text_is_just_text():
    assert load_yaml_text("a: 'Let op! Dit'\nb: \"!\"\nc: x!y\n", "t.yaml") == {"a": "Let op! Dit", "b": "!", "c": "x!y"}
