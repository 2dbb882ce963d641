"""Our own YAML loader: safe types only, no duplicate keys, no aliases, line numbers kept.

Mappings come back as `LDict` and sequences as `LList`; both remember the line and column
of each key / item so that every later validation error can point at the exact place.
Booleans are YAML 1.2 style (`true`/`false` only): `ja`, `nee`, `yes`, `no`, `on`, `off`
stay strings, so a Dutch answer is never silently turned into a boolean.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import KaderFout, display_path

MAX_BYTES = 1024 * 1024  # 1 MiB: far more than any Kader or assessment file needs

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LDict(dict):
    """A mapping that remembers where each key stood (1-based line, column)."""

    __slots__ = ("pos", "key_pos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pos: tuple[int, int] | None = None
        self.key_pos: dict = {}


class LList(list):
    """A sequence that remembers where each item stood (1-based line, column)."""

    __slots__ = ("pos", "item_pos")

    def __init__(self, *args):
        super().__init__(*args)
        self.pos: tuple[int, int] | None = None
        self.item_pos: list[tuple[int, int]] = []


def _mark(node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_REPLACED_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class _Loader(_BaseLoader):
    """Safe loader with duplicate-key rejection and position tracking."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED_TAGS]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        try:
            return _fast_build(node, self)
        except _Fallback:  # anything unusual: the full constructor decides (and words the error)
            pass
        self._key_paths = {}
        self._record_paths(node, "")
        return self.construct_document(node)

    def _record_paths(self, node, prefix: str) -> None:
        """Remember the dotted path of every mapping key, so a duplicate key names its full field."""
        stack = [(node, prefix)]
        seen = set()
        while stack:
            current, path = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, yaml.MappingNode):
                for key_node, value_node in current.value:
                    key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                    child = f"{path}.{key}" if path else str(key)
                    self._key_paths[id(key_node)] = child
                    stack.append((value_node, child))
            elif isinstance(current, yaml.SequenceNode):
                for i, item in enumerate(current.value):
                    stack.append((item, f"{path}[{i + 1}]"))

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects:
            line, col = _mark(node)
            raise _LoadProblem(
                "YAML-verwijzingen (ankers met * en &) zijn niet toegestaan",
                line,
                col,
                "Schrijf de waarde voluit op elke plek waar u hem nodig hebt.", code="KT003"
            )
        return super().construct_object(node, deep=deep)

    def construct_yaml_map(self, node):
        data = LDict()
        data.pos = _mark(node)
        yield data
        if not isinstance(node, yaml.MappingNode):
            return
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                line, col = _mark(key_node)
                raise _LoadProblem("een sleutel moet een eenvoudige waarde zijn", line, col, None, code="KT103")
            if key in data:
                line, col = _mark(key_node)
                first = data.key_pos[key][0]
                raise _LoadProblem(
                    f"sleutel '{key}' komt dubbel voor (eerder op regel {first})",
                    line,
                    col,
                    "Verwijder of hernoem een van beide; YAML houdt anders stilzwijgend alleen de laatste.",
                    field=getattr(self, "_key_paths", {}).get(id(key_node), str(key)), code="KT002"
                )
            data.key_pos[key] = _mark(key_node)
            data[key] = self.construct_object(value_node, deep=True)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            line, col = _mark(node)
            raise _LoadProblem(
                f"'{node.value}' is geen bestaande datum", line, col, "Schrijf een datum als JJJJ-MM-DD, bv. 2023-03-01.", code="KT103"
            )

    def construct_yaml_seq(self, node):
        data = LList()
        data.pos = _mark(node)
        yield data
        for child in node.value:
            data.item_pos.append(_mark(child))
            data.append(self.construct_object(child, deep=True))


class _Fallback(Exception):
    """The fast builder met something it leaves to the full constructor."""


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_NULL, _BOOL, _INT, _FLOAT = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                              "tag:yaml.org,2002:float")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def _fast_build(root, loader):
    """Build LDict/LList/scalars from a composed node tree in one tight pass: the same result as the
    full constructor for the documents people write (maps, lists, text, numbers, booleans, null,
    dates), several times faster. Aliases, merge keys, duplicate keys, explicit or unknown tags and
    non-scalar keys raise _Fallback, so the full constructor handles (and words) those; tests check
    that both give the same result."""
    seen: set[int] = set()

    def scalar(node):
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT and _PLAIN_INT.fullmatch(value):
            return int(value)
        if tag == _FLOAT and _PLAIN_FLOAT.fullmatch(value):
            return float(value)
        if tag == _TIMESTAMP:
            return loader.construct_yaml_timestamp(node)
        raise _Fallback  # explicit tags, .inf/.nan: the full constructor

    def build(node):
        if id(node) in seen:
            raise _Fallback  # an alias
        seen.add(id(node))
        cls = node.__class__
        mark = node.start_mark
        if cls is yaml.ScalarNode:
            return scalar(node)
        if cls is yaml.MappingNode and node.tag == _MAP:
            data = LDict()
            data.pos = (mark.line + 1, mark.column + 1)
            key_pos = data.key_pos
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode or id(key_node) in seen:
                    raise _Fallback
                seen.add(id(key_node))
                key = scalar(key_node)
                if key in data:
                    raise _Fallback  # a duplicate key: the full constructor names its path
                km = key_node.start_mark
                key_pos[key] = (km.line + 1, km.column + 1)
                data[key] = build(value_node)
            return data
        if cls is yaml.SequenceNode and node.tag == _SEQ:
            data = LList()
            data.pos = (mark.line + 1, mark.column + 1)
            item_pos = data.item_pos
            for child in node.value:
                cm = child.start_mark
                item_pos.append((cm.line + 1, cm.column + 1))
                data.append(build(child))
            return data
        raise _Fallback

    return build(root)


# YAML 1.2 core schema for booleans and numbers: YAML 1.1 would read 010 as 8, 1:30 as 90 and
# 0b11 as 3, silently; here those stay text and the validator says a number was expected.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"),
)
def _fast_resolvers(cls) -> None:
    """Replace BaseResolver.resolve (called from libyaml for every node) by a table lookup with the
    same outcome: our loader has no path resolvers, so only the implicit ones matter; per first
    character the candidate (tag, regexp) list is joined with the wildcard list once, not per call."""
    table = cls.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    joined = {first: tuple(resolvers) + tuple(wildcard) for first, resolvers in table.items() if first is not None}
    fallback = tuple(wildcard)
    scalar_tag, seq_tag, map_tag = cls.DEFAULT_SCALAR_TAG, cls.DEFAULT_SEQUENCE_TAG, cls.DEFAULT_MAPPING_TAG
    scalar_node, seq_node = yaml.ScalarNode, yaml.SequenceNode

    def resolve(self, kind, value, implicit):
        if kind is scalar_node:
            if implicit[0]:
                for tag, regexp in joined.get(value[:1], fallback):
                    if regexp.match(value):
                        return tag
            return scalar_tag
        return seq_tag if kind is seq_node else map_tag

    def descend_resolver(self, current_node, current_index):
        return None

    def ascend_resolver(self):
        return None

    assert not cls.yaml_path_resolvers
    cls.resolve, cls.descend_resolver, cls.ascend_resolver = resolve, descend_resolver, ascend_resolver


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class _LoadProblem(Exception):
    def __init__(self, message, line, column, hint, field=None, code="KT001"):
        super().__init__(message)
        self.message, self.line, self.column, self.hint, self.field = message, line, column, hint, field
        self.code = code


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file (BOM allowed) with a size limit; every failure is a KaderFout."""
    shown = display_path(path)
    try:
        if path.is_dir():
            raise KaderFout.single(
                "dit is een map, geen bestand", file=shown, hint="Geef het pad van een .yaml-bestand op.", code="KT004"
            )
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise KaderFout.single(
            "bestand bestaat niet", file=shown, hint="Controleer het pad en de spelling van de bestandsnaam.", code="KT004"
        ) from None
    except PermissionError:
        raise KaderFout.single(
            "geen leesrechten op dit bestand", file=shown, hint="Controleer de rechten van het bestand.", code="KT004"
        ) from None
    except OSError as exc:
        raise KaderFout.single(f"bestand kan niet gelezen worden ({exc.strerror})", file=shown, code="KT004") from None
    if len(raw) > max_bytes:
        raise KaderFout.single(
            f"bestand is te groot (meer dan {max_bytes // 1024} KiB)",
            file=shown,
            hint="Een Kader- of assessmentbestand is normaal enkele KiB; controleer of dit het juiste bestand is.", code="KT004"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KaderFout.single(
            "bestand is geen geldige UTF-8-tekst",
            file=shown,
            line=line,
            hint="Sla het bestand op als UTF-8 (in de meeste editors: 'Opslaan als' → codering UTF-8).", code="KT004"
        ) from None


def load_yaml_text(text: str, shown: str):
    """Parse YAML text into LDict/LList/scalars, raising KaderFout with file:line on any problem."""
    if "\x00" in text:
        raise KaderFout.single("bestand bevat een NUL-teken en is geen tekstbestand", file=shown, code="KT004")
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except _LoadProblem as exc:
        raise KaderFout.single(
            exc.message, file=shown, line=exc.line, column=exc.column, field=exc.field, hint=exc.hint, code=exc.code
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = _translate_yaml(exc.problem or exc.context or "onleesbare YAML")
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            what = "een tab-teken; YAML springt alleen in met spaties"
        raise KaderFout.single(
            f"geen geldige YAML ({what})",
            file=shown,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="Controleer inspringing, dubbele punten en aanhalingstekens rond deze regel.", code="KT001"
        ) from None
    except yaml.YAMLError as exc:
        raise KaderFout.single(f"geen geldige YAML ({exc})", file=shown, code="KT001") from None
    except RecursionError:
        raise KaderFout.single("de YAML is te diep genest", file=shown,
                               hint="Een assessment of regel heeft maar een paar niveaus; controleer de haakjes.", code="KT001") from None
    except (ValueError, TypeError, OverflowError):
        # e.g. `!!int "abc"` or a number of thousands of digits
        raise KaderFout.single("ongeldige waarde in YAML (een expliciete !!-tag of een onmogelijk getal)", file=shown,
                               hint="Laat !!-tags weg en controleer de getallen in dit bestand.", code="KT001") from None
    finally:
        loader.dispose()
    return data


_YAML_TERMS = {
    "found character that cannot start any token": "teken dat hier niet mag staan",
    "mapping values are not allowed": "dubbele punt op een plek waar dat niet mag (zet tekst met ': ' tussen aanhalingstekens)",
    "second occurrence": "hetzelfde anker (&) komt twee keer voor",
    "found unknown directive": "onbekende YAML-opdracht (regel die met % begint)",
    "found invalid Unicode character escape code": "ongeldige Unicode-code in tekst tussen dubbele aanhalingstekens",
    "could not find expected ':'": "dubbele punt ontbreekt",
    "found undefined alias": "onbekende verwijzing (*)",
    "expected <block end>, but found": "onverwachte inspringing",
    "did not find expected": "verwacht teken ontbreekt (komma, haakje of aanhalingsteken)",
    "found unexpected end of stream": "bestand eindigt onverwacht",
    "found unknown escape character": "onbekend escape-teken",
    "could not determine a constructor for the tag": "onbekende of onveilige YAML-tag",
    "expected a single document in the stream": "meer dan één YAML-document (---) in het bestand",
    "but found another document": "meer dan één YAML-document (---) in het bestand",
}


def _translate_yaml(what: str) -> str:
    for english, dutch in _YAML_TERMS.items():
        if english in what:
            return dutch
    return what


def load_yaml_file(path: Path, max_bytes: int = MAX_BYTES):
    """Read and parse one YAML file with our loader."""
    return load_yaml_text(read_text(path, max_bytes), display_path(path))

_fast_resolvers(_Loader)  # after every add_implicit_resolver above
