"""Replace one top-level block of a YAML file, keeping everything else byte for byte.

Used by `kader plan --bijwerken` (the `transformatieplan:` block of an assessment) and meant for any
later writer that puts one block back into a file a person keeps by hand (an Excel import of `feiten:`).

How: the block is the lines from its top-level key up to the next top-level key; blank lines, comments
at the start of a line and document markers at its end belong to what follows, not to the block. Only
those lines are rewritten, with ruamel.yaml in round-trip mode: the old block is loaded, the new value
merged into it (what stays the same keeps its comments, quotes and folded text), and written again in
the file's own indentation and line endings. A file without the key gets the block at its end.

Reading stays with our strict loader (infra/yamlload.py): the new text must read back, with that loader,
as exactly the old data with the one block replaced; otherwise nothing is returned (fail closed).
"""

from __future__ import annotations

import datetime as dt
import io
import re

from kadertoets.infra.errors import KaderFout
from kadertoets.infra.textsafe import is_clean
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.infra.yamlwrite import BIDI

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # YAML line breaks only (not NEL, LS, PS)
_AFTER_BLOCK = re.compile(r"(?:[ \t]*|#.*|(?:\.\.\.|---)(?:[ \t].*)?)(?:\r\n|\r|\n)?\Z")
_ITEM = re.compile(r"( *)- ")
WIDTH = 100  # the width of kadertoets's own YAML (infra/yamlwrite.py)


def _refuse(message: str, shown: str, hint: str | None = None) -> KaderFout:
    return KaderFout.single(message + "; er is niets geschreven", file=shown,
                            hint=hint or "Controleer het bestand met 'kader check', of zet het blok zelf in het bestand.")


def _ruamel(offset: int = 2):
    from ruamel.yaml import YAML  # here: only a command that writes a block back needs it

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    # our loader refuses aliases: one value used twice (a shared deadline) is written out twice
    yaml.representer.ignore_aliases = lambda data: True
    # an empty value as a person leaves it (`waarde:`), not `null` (the skeleton of kader nieuw)
    yaml.representer.add_representer(type(None), lambda r, data: r.represent_scalar("tag:yaml.org,2002:null", ""))
    return yaml


def _same(a, b, ordered: bool = True) -> bool:
    """Equal as our loader reads them: same kind and value (1 and 1.0 and true stay apart); with
    `ordered`, the keys of a mapping in the same order too."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        keys_agree = list(a) == list(b) if ordered else a.keys() == b.keys()
        return keys_agree and all(_same(a[k], b[k], ordered) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, ordered) for x, y in zip(a, b))
    if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
        return False
    kinds = (str, int, float, dt.date, type(None))
    kind_a = next((k for k in kinds if isinstance(a, k)), type(a))
    kind_b = next((k for k in kinds if isinstance(b, k)), type(b))
    return kind_a is kind_b and a == b


def _merge(old, new):
    """`new` put into the round-trip node `old` in place where they agree in shape, so that comments and
    styles of what is unchanged stay; whatever differs is replaced by the new value."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, CommentedMap) and isinstance(new, dict) and old and not old.fa.flow_style():
        for key in [k for k in old if k not in new]:
            del old[key]
        for pos, (key, value) in enumerate(new.items()):
            if key in old:
                old[key] = _merge(old[key], value)
            else:
                old.insert(pos, key, value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and old and not old.fa.flow_style():
        for i, value in enumerate(new):
            if i < len(old):
                old[i] = _merge(old[i], value)
            else:
                old.append(value)
        del old[len(new):]
        return old
    if not isinstance(old, (dict, list)) and _same(old, new):
        return old  # keeps its quotes or folded form
    return new


def _where(exc, first_line: int = 0) -> str:
    """' (regel N)' for a ruamel error that knows its place (1-based, in the whole file)."""
    mark = getattr(exc, "problem_mark", None)
    return f" (regel {first_line + mark.line + 1})" if mark is not None else ""


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def block_span(text: str, key: str, shown: str) -> tuple[int, int] | None:
    """(first line, end line) of the top-level `key`'s block, 0-based, end exclusive; None when the file
    has no such key. Refused when the file is not a block mapping at its top."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        doc = _ruamel().load(text)
    except YAMLError as exc:
        raise _refuse("het bestand kan niet veilig bijgewerkt worden: het is op een manier geschreven die het "
                      f"terugschrijven met behoud van opmerkingen niet kent{_where(exc)}", shown) from None
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        raise _refuse("het bestand is geen lijst van sleutels en waarden op regels onder elkaar", shown)
    if key not in doc:
        return None
    starts = sorted(doc.lc.key(k)[0] for k in doc)
    first = doc.lc.key(key)[0]
    lines = _lines(text)
    end = next((line for line in starts if line > first), len(lines))
    while end > first + 1 and _AFTER_BLOCK.fullmatch(lines[end - 1]):
        end -= 1
    return first, end


def _offset(block_lines: list[str]) -> int:
    """How far the block's list items stand in from their key (`- ` under the key, or indented)."""
    for line in block_lines[1:]:
        match = _ITEM.match(line)
        if match:
            return len(match.group(1))
    return 2


def _safe(value):
    """New text that must be written with escapes (line breaks, control and bidirectional formatting
    characters, as infra/yamlwrite.py does) in double quotes; ruamel keeps the styles of what it read."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe(v) for v in value]
    if isinstance(value, str) and (not is_clean(value) or BIDI.search(value) or any(c in value for c in "\n\r\x85\u2028\u2029")):
        return DoubleQuotedScalarString(value)
    return value


def _dump(yaml, data, newline: str, new_only: bool) -> str:
    """`data` as YAML in the file's line endings. When all of it is new (`new_only`), bidirectional
    formatting characters are escaped (every string with one is in double quotes, _safe, where an escape
    reads back the same) and the spaces ruamel sometimes leaves at the end of a folded line are dropped
    (a folded line's trailing spaces are not part of the text)."""
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    if new_only:
        text = BIDI.sub(lambda m: f"\\u{ord(m.group()):04X}", text)
        text = "".join(line.rstrip(" \t\n") + "\n" for line in _lines(text))
    # a comment ruamel kept from a CRLF file keeps its \r: one line ending per line, in the file's own style
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)


def replace_block(text: str, key: str, value, shown: str) -> str:
    """`text` with its top-level `key` set to `value` (plain data: dicts, lists, text, numbers, dates,
    booleans); every byte outside the block unchanged, comments inside it kept where their data stays.
    When `value` only adds items to the end of the block's list, the old lines are not touched at all:
    the new items are written after them. Refused (KaderFout) when the result would not read back, with
    our own loader, as the old data with only this block replaced."""
    before = load_yaml_text(text, shown)
    if not isinstance(before, dict):
        raise _refuse("het bestand is geen lijst van sleutels en waarden", shown)
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    span = block_span(text, key, shown)
    lines = _lines(text)
    safe = _safe(value)
    if span is None:
        head = "".join(lines)
        if head and not head.endswith(("\n", "\r")):
            head += newline
        result = head + _dump(_ruamel(), {key: safe}, newline, True)
        _check(before, result, key, value, shown)
        return result
    first, end = span
    head, old_block, tail = "".join(lines[:first]), lines[first:end], "".join(lines[end:])
    offset = _offset(old_block)
    yaml = _ruamel(offset)
    old = before.get(key)
    if isinstance(old, list) and old and isinstance(value, list) and len(value) > len(old) \
            and _same(value[:len(old)], old) and any(_ITEM.match(line) for line in old_block[1:]):
        # only new items at the end: the old lines stay as they are, byte for byte
        added = "".join(_lines(_dump(yaml, {key: safe[len(old):]}, newline, True))[1:])
        last = old_block[-1]
        if not last.endswith(("\n", "\r")):
            old_block[-1] = last + newline
            if not tail:
                added = added[: -len(newline)]
        result = head + "".join(old_block) + added + tail
        _check(before, result, key, value, shown)
        return result
    try:
        node = yaml.load("".join(old_block))
    except Exception as exc:  # ruamel's own errors; the block read fine as part of the file
        raise _refuse(f"het blok '{key}' kan niet veilig bijgewerkt worden: het is op een manier geschreven "
                      f"die het terugschrijven met behoud van opmerkingen niet kent{_where(exc, first)}",
                      shown) from None
    node[key] = _merge(node[key], safe)
    block = _dump(yaml, node, newline, False)
    if not old_block[-1].endswith(("\n", "\r")) and not tail:
        block = block[: -len(newline)]  # the file ended without a line break after the block: so it stays
    result = head + block + tail
    _check(before, result, key, value, shown)
    return result


def _check(before: dict, result: str, key: str, value, shown: str) -> None:
    """Fail closed: the new text reads back as the old data with only `key` replaced by `value`."""
    try:
        after = load_yaml_text(result, shown)
    except KaderFout:
        raise _refuse(f"het bijgewerkte blok '{key}' zou het bestand onleesbaar maken", shown,
                      "Dit is een fout in kadertoets; meld het met het bestand.") from None
    expected = dict(before)
    expected[key] = value
    # the other blocks exactly; inside the block the keys of a mapping may keep the file's own order
    # (a merged action keeps `status:` where the person put it)
    if not isinstance(after, dict) or list(after) != list(expected) \
            or not all(_same(after[k], expected[k], ordered=k != key) for k in expected):
        raise _refuse(f"het bijgewerkte bestand zou meer veranderen dan het blok '{key}'", shown,
                      "Dit is een fout in kadertoets; meld het met het bestand.")


def _entry_starts(body: list[str]) -> tuple[int, list[int]] | None:
    """(indentation, the lines where each entry of a block's body starts), or None when the body is not
    written one entry under the other (a line standing out to the left of the first entry)."""
    indent, starts = None, []
    for i, line in enumerate(body):
        stripped = line.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        depth = len(line) - len(stripped)
        if indent is None:
            indent = depth
        if depth < indent:
            return None
        if depth == indent:
            starts.append(i)
    return (indent, starts) if indent is not None else None


def _entry_lines(body: list[str], starts: list[int]) -> list[tuple[list[str], list[str]]]:
    """Per entry: (its own lines, the blank and comment lines after it, which stay where they are)."""
    out = []
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(body)
        own = body[start:stop]
        cut = len(own)
        while cut > 1 and _AFTER_BLOCK.fullmatch(own[cut - 1]):
            cut -= 1
        out.append((own[:cut], own[cut:]))
    return out


def _entry_text(lines: list[str] | None, new, is_map: bool, indent: int, newline: str, shown: str) -> list[str]:
    """One entry written again: merged into its old lines (kept comments and styles inside it), or new."""
    key, value = next(iter(new.items())) if is_map else (None, new)
    old_text = "x:" + newline + "".join(line if line.endswith(("\n", "\r")) else line + newline
                                        for line in (lines or []))
    mini = replace_block(old_text, "x", {key: value} if is_map else [value], shown) if lines else \
        _dump(_ruamel(), {"x": {key: _safe(value)} if is_map else [_safe(value)]}, newline, True)
    out = _lines(mini)[1:]
    first = next(line for line in out if line.strip())
    shift = indent - (len(first) - len(first.lstrip(" ")))
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in out]
    if all(not line.strip() or line.startswith(" " * -shift) for line in out):
        return [line[-shift:] if line.strip() else line for line in out]
    raise _refuse("een onderdeel kan niet met de inspringing van het bestand geschreven worden", shown)


def replace_entries(text: str, key: str, value, shown: str) -> str:
    """As replace_block, but entry by entry for a block that is a mapping or a list written one entry
    under the other: an entry whose data stays keeps its lines byte for byte (ruamel would refold a long
    text), a changed entry is written again on its own, a new one goes at the end, a removed one goes.
    Anything else (flow style, another shape, keys in another order) is left to replace_block."""
    before = load_yaml_text(text, shown)
    old = before.get(key) if isinstance(before, dict) else None
    span = block_span(text, key, shown) if isinstance(before, dict) else None
    is_map = isinstance(old, dict) and isinstance(value, dict)
    if span is None or not old or not (is_map or (isinstance(old, list) and isinstance(value, list))):
        return replace_block(text, key, value, shown)
    lines = _lines(text)
    first, end = span
    found = _entry_starts(lines[first + 1:end])
    if found is None:
        return replace_block(text, key, value, shown)
    indent, starts = found
    body = lines[first + 1:end]
    entries = _entry_lines(body, starts)
    keys = list(old) if is_map else list(range(len(old)))
    kept_keys = [k for k in keys if (k in value if is_map else k < len(value))]
    if len(entries) != len(keys) or (is_map and [k for k in value if k in old] != kept_keys) \
            or (not is_map and any(line.lstrip(" ")[:1] != "-" for line in (body[s] for s in starts))):
        return replace_block(text, key, value, shown)
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    out: list[str] = list(body[:starts[0]])
    for k, (own, after) in zip(keys, entries):
        if k in kept_keys:
            if _same(old[k], value[k]):
                out += own
            else:
                out += _entry_text(own, {k: value[k]} if is_map else value[k], is_map, indent, newline, shown)
        out += after
    added = [k for k in value if k not in old] if is_map else list(range(len(old), len(value)))
    for k in added:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += newline
        out += _entry_text(None, {k: value[k]} if is_map else value[k], is_map, indent, newline, shown)
    tail = "".join(lines[end:])
    ended = lines[end - 1].endswith(("\n", "\r"))
    new_body = "".join(out)
    if not ended and not tail and new_body.endswith(newline):
        new_body = new_body[: -len(newline)]  # the file ended without a line break: so it stays
    elif new_body and not new_body.endswith(("\n", "\r")) and tail:
        new_body += newline
    result = "".join(lines[:first + 1]) + new_body + tail
    _check(before, result, key, value, shown)
    return result
