"""Writing YAML that reads back exactly with our own loader (infra/yamlload.py): no aliases (the loader
refuses them), every string that the loader would read as something else quoted, line breaks and
control or bidirectional formatting characters escaped. Used by `kader plan --format yaml` and
`kader migrate`."""

from __future__ import annotations

import re

import yaml

from kadertoets.infra.textsafe import is_clean
from kadertoets.infra.yamlload import _Loader

# Bidirectional formatting characters: YAML would write them raw, and they reorder how a line reads.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class NoAliasDumper(yaml.SafeDumper):
    """Our loader refuses YAML aliases, so the output must never contain them."""

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, data: str):
    # Unicode line breaks (NEL, LS, PS) would be folded away in a plain or block scalar:
    # double quotes keep them as escapes, so the text reads back exactly. Likewise for bidi characters
    # (escaped in dump) and control characters (which YAML escapes itself in double quotes).
    if any(ch in data for ch in "\x85\u2028\u2029") or not is_clean(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


NoAliasDumper.add_representer(str, _represent_str)
# Quote exactly what our own loader would read as something other than text (YAML 1.2 numbers
# like 1e3, booleans true/false), so every string comes back as the same string.
NoAliasDumper.yaml_implicit_resolvers = {k: list(v) for k, v in _Loader.yaml_implicit_resolvers.items()}


def dump(data) -> str:
    """`data` as block YAML in the order given, 100 columns wide, that reads back as the same data."""
    body = yaml.dump(data, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
    # YAML writes bidi formatting characters raw (it counts them as printable); _represent_str put every
    # string with one in double quotes, where an escape reads back as the same character.
    return BIDI.sub(lambda m: f"\\u{ord(m.group()):04X}", body)
