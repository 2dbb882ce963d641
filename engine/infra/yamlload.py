"""Our own YAML loader: safe types only, no duplicate keys, no aliases, line numbers kept.

Mappings come back as `LDict` and sequences as `LList`; both remember the line and column
of each key / item so that every later validation error can point at the exact place.
Booleans are YAML 1.2 style (`true`/`false` only): `ja`, `nee`, `yes`, `no`, `on`, `off`
stay strings, so a Dutch answer is never silently turned into a boolean.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from kadertoets.infra.errors import KaderFout, display_path, excerpt, os_reason
from kadertoets.infra.lintcodes import Code

MAX_BYTES = 1024 * 1024  # 1 MiB: far more than any Kader or assessment file needs
MAX_DEPTH = 50  # levels of nesting; the deepest bundled file has 7 (libyaml itself stops at 1000)
MAX_DIGITS = 30  # digits in one number; the validator refuses anything beyond 10^12 anyway

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


_REPLACED_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                  "tag:yaml.org,2002:merge")

class _Loader(_BaseLoader):
    """libyaml's parser and composer with our resolvers; the tree is built by _Builder, never by
    PyYAML's constructors (which accept YAML 1.1 values and construct some tags loosely)."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED_TAGS]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        try:
            return _Builder().build(node)
        except _LoadProblem as exc:
            if exc.field is None and exc.node is not None:
                exc.field = _field_of(node, exc.node)
                if exc.field is not None:
                    exc.field = excerpt(exc.field, 120, quote=False)
            raise


class _LoadProblem(Exception):
    """A located problem found while building the tree; `node` lets the caller name its field."""

    def __init__(self, message, line, column, hint, field=None, code=Code.YAML_INVALID, node=None):
        super().__init__(message)
        self.message, self.line, self.column, self.hint, self.field = message, line, column, hint, field
        self.code, self.node = code, node


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_NULL, _BOOL, _INT, _FLOAT = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                              "tag:yaml.org,2002:float")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# YAML 1.2 core schema for integers and floats, one compiled pattern each for the resolvers (below) and
# the builder (compiling a pattern costs a few tenths of a millisecond at every start-up). Used with
# fullmatch, the anchors change nothing; the float pattern's .inf/.nan forms are taken by _SPECIAL_FLOAT first.
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_SPECIAL_FLOAT = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_STANDARD = SafeConstructor()  # only its (pure) timestamp construction is used
_TAG_HINT = "Laat de !!-tag weg en schrijf de waarde gewoon op, bv. 'waarde: true' of 'waarde: 2023-03-01'."


def _shown_tag(tag: str) -> str:
    """A tag as the user wrote it: !!bool for the standard ones, else short and printable."""
    if tag.startswith("tag:yaml.org,2002:"):
        tag = "!!" + tag[len("tag:yaml.org,2002:"):]
    return excerpt(tag, 40)  # quoted, cut short, control characters visible


def _int(value: str) -> int | None:
    if len(value) <= MAX_DIGITS + 1 and _PLAIN_INT.fullmatch(value):
        return int(value)
    return None


class Thousands(float):
    """A number written as 1.000 or 12.500: to YAML a decimal number, to a Dutch reader a thousand (the
    point separates thousands). Kept apart so that the places that read a number can refuse it as
    ambiguous (infra/located.py) instead of reading 1.000 as one."""

    __slots__ = ()


def _thousands(value: str) -> bool:
    """1.000 or -12.500: one to three digits (the first not 0), a point, three digits."""
    head, point, tail = value.lstrip("+-").partition(".")
    return bool(point) and len(tail) == 3 and tail.isdigit() and 0 < len(head) <= 3 and head.isdigit() \
        and head[0] != "0"


def _float(value: str) -> float | None:
    special = _SPECIAL_FLOAT.get(value.lower())
    if special is not None:
        return special
    if len(value) <= MAX_DIGITS * 2 and _PLAIN_FLOAT.fullmatch(value):
        return Thousands(value) if _thousands(value) else float(value)
    return None


def _timestamp(value: str):
    """A date or time under !!timestamp: only what the same text untagged would be (YAML 1.1's looser
    construction would also take 2022-1-5, which untagged is text)."""
    if len(value) > 40 or not _IMPLICIT_TIMESTAMP.match(value):
        return None
    return _STANDARD.construct_yaml_timestamp(yaml.ScalarNode(_TIMESTAMP, value))


# Per standard tag: how a value is built, and how the problem reads when it does not build.
_SCALARS = {
    _NULL: (lambda v: (None,) if v in _NULLS else None, "is geen lege waarde"),
    _BOOL: (lambda v: (_BOOLS[v],) if v in _BOOLS else None, "is geen ja/nee-waarde (true of false)"),
    _INT: (lambda v: (lambda n: None if n is None else (n,))(_int(v)), "is geen geheel getal"),
    _FLOAT: (lambda v: (lambda n: None if n is None else (n,))(_float(v)), "is geen getal"),
}


class _Builder:
    """Builds LDict/LList/scalars from a composed node tree, strictly: standard tags only, every
    value must be what its tag (explicit or implied) says, no aliases, no duplicate or compound
    keys, at most MAX_DEPTH levels. Every refusal carries its line and column; the dotted field
    is worked out only when there is a refusal (see _field_of), so the common path stays fast."""

    def __init__(self):
        self.seen: set[int] = set()

    @staticmethod
    def fail(node, message, hint=None, code=Code.WRONG_TYPE, field=None):
        mark = node.start_mark
        raise _LoadProblem(message, mark.line + 1, mark.column + 1, hint, field=field, code=code, node=node)

    def scalar(self, node):
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _INT and len(value) <= MAX_DIGITS and _PLAIN_INT.fullmatch(value):  # the common case, fast
            return int(value)
        if tag == _TIMESTAMP:
            try:
                built = _timestamp(value)
            except (ValueError, OverflowError, TypeError):
                self.fail(node, f"{excerpt(value)} is geen bestaande datum",
                          "Schrijf een datum als JJJJ-MM-DD, bv. 2023-03-01.")
            if built is None:
                self.fail(node, f"{excerpt(value)} is geen datum (tag '!!timestamp')", _TAG_HINT)
            return built
        known = _SCALARS.get(tag)
        if known is None:
            self.fail(node, f"de YAML-tag {_shown_tag(tag)} is niet toegestaan", _TAG_HINT)
        build, problem = known
        built = build(value)
        if built is None:
            if tag in (_INT, _FLOAT) and len(value) > MAX_DIGITS:
                self.fail(node, f"getal met meer dan {MAX_DIGITS} cijfers", "Controleer dit getal.", code=Code.VALUE_NOT_ALLOWED)
            self.fail(node, f"{excerpt(value)} {problem} (tag {_shown_tag(tag)})", _TAG_HINT)
        return built[0]

    def build(self, node, depth: int = 0):
        if id(node) in self.seen:
            self.fail(node, "YAML-verwijzingen (ankers met * en &) zijn niet toegestaan",
                      "Schrijf de waarde voluit op elke plek waar u hem nodig hebt.", code=Code.YAML_ALIAS)
        self.seen.add(id(node))
        cls, tag = node.__class__, node.tag
        if cls is yaml.ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            self.fail(node, f"de YAML is te diep genest (meer dan {MAX_DEPTH} niveaus)",
                      "Een assessment of regel heeft maar een paar niveaus; controleer de inspringing en de haakjes.",
                      code=Code.YAML_INVALID)
        mark = node.start_mark
        if cls is yaml.MappingNode:
            if tag != _MAP:
                self.fail(node, f"de YAML-tag {_shown_tag(tag)} is niet toegestaan bij een blok met sleutels",
                          _TAG_HINT)
            data = LDict()
            data.pos = (mark.line + 1, mark.column + 1)
            key_pos = data.key_pos
            for key_node, value_node in node.value:
                if id(key_node) in self.seen:
                    self.build(key_node)  # an alias as a key: refused with its position
                self.seen.add(id(key_node))
                if key_node.__class__ is not yaml.ScalarNode:
                    self.fail(key_node, "een sleutel moet een eenvoudige waarde zijn (geen lijst of blok)",
                              "Schrijf de sleutel als gewone tekst.")
                key = self.scalar(key_node)
                km = key_node.start_mark
                if key in data:
                    self.fail(key_node, f"sleutel {excerpt(key)} komt dubbel voor (eerder op regel {key_pos[key][0]})",
                              "Verwijder of hernoem een van beide; YAML houdt anders stilzwijgend alleen de laatste.",
                              code=Code.DUPLICATE_KEY)
                key_pos[key] = (km.line + 1, km.column + 1)
                data[key] = self.build(value_node, depth + 1)
            return data
        if tag != _SEQ:
            self.fail(node, f"de YAML-tag {_shown_tag(tag)} is niet toegestaan bij een lijst", _TAG_HINT)
        data = LList()
        data.pos = (mark.line + 1, mark.column + 1)
        item_pos = data.item_pos
        for child in node.value:
            cm = child.start_mark
            item_pos.append((cm.line + 1, cm.column + 1))
            data.append(self.build(child, depth + 1))
        return data


def _refuse_non_specific_tags(text: str) -> None:
    """Refuse the non-specific tag `!`: YAML 1.2 reads `! 0.5` as the text '0.5', libyaml resolves it
    as if it were untagged (the number 0.5). Where readers disagree we do not guess. The composer
    has replaced the tag by the time the builder sees a node, so this looks at the events (only for
    texts with a '!' at all, and bounded by the text: one event per token)."""
    events = _Loader(text)
    try:
        while events.check_event():
            event = events.get_event()
            if getattr(event, "tag", None) == "!":
                mark = event.start_mark
                raise _LoadProblem("de lege YAML-tag '!' is niet toegestaan", mark.line + 1, mark.column + 1,
                                   _TAG_HINT, code=Code.WRONG_TYPE)
    finally:
        events.dispose()


def _field_of(root, target) -> str | None:
    """The dotted field (`feiten.x.waarde`, `regels[2]`) of a node in the tree, for an error message;
    a key node names the field it is the key of. Bounded: each node is visited once."""
    stack, seen = [(root, "")], set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path or None
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    if key_node is target:
                        return path or None
                    continue
                child = f"{path}.{key_node.value}" if path else str(key_node.value)
                if key_node is target:
                    return child
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{path}[{i + 1}]") for i, item in enumerate(node.value))
    return None


# YAML 1.2 core schema for booleans and numbers: YAML 1.1 would read 010 as 8, 1:30 as 90 and
# 0b11 as 3, silently; here those stay text and the validator says a number was expected.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _PLAIN_INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _PLAIN_FLOAT, list("-+.0123456789"))
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


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file (BOM allowed) with a size limit; every failure is a KaderFout. (The name a
    message shows is worked out only for a message: display_path resolves the path, ~0.1 ms, and
    loading a Kader reads some thirty files.)"""
    try:
        if path.is_dir():
            raise KaderFout.single(
                "dit is een map, geen bestand", file=display_path(path), hint="Geef het pad van een .yaml-bestand op.", code=Code.UNREADABLE
            )
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise KaderFout.single(
            "bestand bestaat niet", file=display_path(path), hint="Controleer het pad en de spelling van de bestandsnaam.", code=Code.UNREADABLE
        ) from None
    except PermissionError:
        raise KaderFout.single(
            "geen leesrechten op dit bestand", file=display_path(path), hint="Controleer de rechten van het bestand.", code=Code.UNREADABLE
        ) from None
    except OSError as exc:
        raise KaderFout.single(f"bestand kan niet gelezen worden ({os_reason(exc)})", file=display_path(path), code=Code.UNREADABLE) from None
    if len(raw) > max_bytes:
        raise KaderFout.single(
            f"bestand is te groot (meer dan {max_bytes // 1024} KiB)",
            file=display_path(path),
            hint="Een Kader- of assessmentbestand is normaal enkele KiB; controleer of dit het juiste bestand is.", code=Code.UNREADABLE
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KaderFout.single(
            "bestand is geen geldige UTF-8-tekst",
            file=display_path(path),
            line=line,
            hint="Sla het bestand op als UTF-8 (in de meeste editors: 'Opslaan als' → codering UTF-8).", code=Code.UNREADABLE
        ) from None


def load_yaml_text(text: str, shown):
    """Parse YAML text into LDict/LList/scalars, raising KaderFout with file:line on any problem.
    `shown` is the file's name in a message, or a function that gives it (called only for a message)."""
    if "\x00" in text:
        raise KaderFout.single("bestand bevat een NUL-teken en is geen tekstbestand", file=_name(shown), code=Code.UNREADABLE)
    loader = _Loader(text)
    try:
        if "!" in text:
            _refuse_non_specific_tags(text)
        data = loader.get_single_data()
    except _LoadProblem as exc:
        raise KaderFout.single(
            exc.message, file=_name(shown), line=exc.line, column=exc.column, field=exc.field, hint=exc.hint, code=exc.code
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = _translate_yaml(exc.problem or exc.context or "onleesbare YAML")
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            what = "een tab-teken; YAML springt alleen in met spaties"
        raise KaderFout.single(
            f"geen geldige YAML ({what})",
            file=_name(shown),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="Controleer inspringing, dubbele punten en aanhalingstekens rond deze regel.", code=Code.YAML_INVALID
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at a character offset
        position = exc.position if isinstance(exc.position, int) else None
        line = text.count("\n", 0, position) + 1 if position is not None else None
        column = position - text.rfind("\n", 0, position) if position is not None else None
        raise KaderFout.single(
            f"geen geldige YAML (een stuurteken of ander onzichtbaar teken {_char_code(exc.character)} dat niet "
            "in een YAML-bestand mag staan)".replace("  ", " "), file=_name(shown), line=line, column=column, code=Code.YAML_INVALID,
            hint="Verwijder dit teken; typ de tekst opnieuw of plak hem als platte tekst.") from None
    except yaml.YAMLError:
        raise KaderFout.single("geen geldige YAML", file=_name(shown), code=Code.YAML_INVALID,
                               hint="Controleer inspringing, dubbele punten en aanhalingstekens.") from None
    finally:
        loader.dispose()
    return data


_YAML_TERMS = {  # libyaml's problems (English) in Dutch; the first fragment that occurs wins
    "found character that cannot start any token": "teken dat hier niet mag staan",
    "mapping values are not allowed": "dubbele punt op een plek waar dat niet mag (zet tekst met ': ' tussen aanhalingstekens)",
    "second occurrence": "hetzelfde anker (&) komt twee keer voor",
    "found duplicate anchor": "hetzelfde anker (&) komt twee keer voor",
    "found unknown directive": "onbekende YAML-opdracht (regel die met % begint)",
    "directive": "onjuiste YAML-opdracht (regel die met % begint)",
    "found incompatible YAML document": "een YAML-versie die niet ondersteund wordt (%YAML)",
    "found invalid Unicode character escape code": "ongeldige Unicode-code in tekst tussen dubbele aanhalingstekens",
    "could not find expected ':'": "dubbele punt ontbreekt",
    "found undefined alias": "onbekende verwijzing (*)",
    "found undefined tag handle": "onbekende YAML-tag (!)",
    "expected <block end>, but found": "onverwachte inspringing",
    "block sequence entries are not allowed": "een lijstregel (-) op een plek waar dat niet mag",
    "tab character": "een tab-teken; YAML springt alleen in met spaties",
    "did not find expected key": "onverwachte inspringing of een sleutel zonder dubbele punt",
    "did not find expected '-' indicator": "onverwachte inspringing in een lijst",
    "did not find expected <document start>": "tekst na het einde van het document",
    "did not find expected": "verwacht teken ontbreekt (komma, haakje of aanhalingsteken)",
    "did not find URI escaped octet": "ongeldige tekens in een YAML-tag",
    "found unexpected end of stream": "bestand eindigt onverwacht (een aanhalingsteken of haakje wordt niet gesloten)",
    "found unexpected ':'": "dubbele punt op een plek waar dat niet mag",
    "found unexpected document indicator": "'---' of '...' midden in een tekst",
    "found unknown escape character": "onbekend escape-teken na een \\ tussen dubbele aanhalingstekens",
    "control characters are not allowed": "een stuurteken (onzichtbaar teken) dat niet in tekst mag staan",
    "invalid leading UTF-8 octet": "ongeldige UTF-8-tekens",
    "invalid trailing UTF-8 octet": "ongeldige UTF-8-tekens",
    "incomplete UTF-8 octet sequence": "ongeldige UTF-8-tekens",
    "exceeded maximum nesting depth": f"te diep genest (meer dan {MAX_DEPTH} niveaus mag niet)",
    "could not determine a constructor for the tag": "onbekende of onveilige YAML-tag",
    "expected a single document in the stream": "meer dan één YAML-document (---) in het bestand",
    "but found another document": "meer dan één YAML-document (---) in het bestand",
    "found a tab": "een tab-teken; YAML springt alleen in met spaties",
    "while scanning": "de opbouw van de YAML klopt hier niet",
}


def _char_code(character) -> str:
    if isinstance(character, str) and len(character) == 1:
        character = ord(character)
    return f"(U+{character:04X})" if isinstance(character, int) else ""


def _translate_yaml(what: str) -> str:
    """libyaml's English problem as Dutch; never the English text itself."""
    for english, dutch in _YAML_TERMS.items():
        if english in what:
            return dutch
    return "de opbouw van de YAML klopt hier niet"


def load_yaml_file(path: Path, max_bytes: int = MAX_BYTES):
    """Read and parse one YAML file with our loader."""
    return load_yaml_text(read_text(path, max_bytes), lambda: display_path(path))


def _name(shown) -> str:
    return shown() if callable(shown) else shown

_fast_resolvers(_Loader)  # after every add_implicit_resolver above
_IMPLICIT_TIMESTAMP = next(rx for resolvers in _Loader.yaml_implicit_resolvers.values()
                           for tag, rx in resolvers if tag == _TIMESTAMP)


def plain(value):
    """A loaded YAML value as plain dicts and lists (the loader's own containers carry positions), for
    a writer that builds new data from what it read."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
