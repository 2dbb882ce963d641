"""Make text from files (assessments, Kader files, file names) safe to show on a terminal or in a
report: every character that could steer a terminal or hide what a text says is made visible.

Which characters, and what they become (one character for one, so lengths and cuts stay the same):

- C0 control characters U+0000..U+001F (ESC, BEL, backspace, CR, ...) become their visible
  "control picture" U+2400..U+241F: ESC is shown as '␛', BEL as '␇', CR as '␍'. `clean` keeps
  newline and tab (they are layout, not steering); `excerpt` shows them as '␤' and '␉' too.
- DEL (U+007F) becomes '␡'.
- C1 control characters U+0080..U+009F (an 8-bit CSI is a terminal escape too), the bidirectional
  formatting characters (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: they reorder
  how a line reads, the "Trojan Source" trick), the invisible ones that hide or join text (zero-width
  U+200B..U+200D, U+2060..U+2065, U+FEFF), the line and paragraph separators U+2028/U+2029 (a new
  line to some viewers, none to others) and lone surrogates (which cannot even be written
  as UTF-8) become the replacement character '\ufffd' (�).

So an escape sequence such as ESC[2J, an OSC 8 hyperlink or an OSC 0 window title can never reach
the terminal raw; what is left is readable text that shows something odd was there.

Dependency-free and cheap on ordinary text (one regular-expression search when nothing is unsafe).
"""

from __future__ import annotations

import re

# Characters that are never shown raw (a regular-expression class, for callers that combine it with
# their own checks); newline and tab are listed separately (see `clean`).
UNSAFE_CLASS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
                "\ud800-\udfff")
# The same set, but the surrogates as a class of their own: compiling one class that spans them and
# the rest costs three times as long (every command pays it at start-up).
_WITHOUT_SURROGATES = UNSAFE_CLASS.replace("\ud800-\udfff", "")
UNSAFE = re.compile(f"[{_WITHOUT_SURROGATES}]|[\ud800-\udfff]")
_UNSAFE_OR_LAYOUT = None  # UNSAFE plus tab and newline, compiled when `excerpt` is first used (a message)

REPLACEMENT = "\ufffd"
ELLIPSIS = "…"


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the control picture: ␀ .. ␟ (␛ for ESC, ␤ for newline)
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


_VISIBLE = {chr(c): _visible(chr(c)) for c in [*range(0x20), *range(0x7F, 0xA0)]}
_VISIBLE[chr(0x0A)] = "\u2424"  # ␤ (U+240A is the picture for line feed; ␤ reads better as "newline")


def _swap(match: re.Match) -> str:
    ch = match.group()
    return _VISIBLE.get(ch, REPLACEMENT)


def _cut(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + ELLIPSIS
    return text


def clean(text, limit: int | None = None) -> str:
    """`text` (any value: str() is taken) with every unsafe character made visible, keeping newlines
    and tabs; cut to at most `limit` characters (ending in '…') when a limit is given."""
    text = text if isinstance(text, str) else str(text)
    text = _cut(text, limit)
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_swap, text)


def excerpt(value, limit: int = 80) -> str:
    """A value to echo in a (one-line) message: str(value), cut to `limit` characters (ending in
    '…'), with every unsafe character and also newline and tab made visible. No quotes are added:
    write them around it yourself, e.g. f"onbekende sleutel '{excerpt(key)}'"."""
    global _UNSAFE_OR_LAYOUT
    if _UNSAFE_OR_LAYOUT is None:
        _UNSAFE_OR_LAYOUT = re.compile(f"[{_WITHOUT_SURROGATES}\t\n]|[\ud800-\udfff]")
    text = value if isinstance(value, str) else str(value)
    text = _cut(text, limit)
    if _UNSAFE_OR_LAYOUT.search(text) is None:
        return text
    return _UNSAFE_OR_LAYOUT.sub(_swap, text)


def is_clean(text: str) -> bool:
    """True when `text` has no character that `clean` would change."""
    return UNSAFE.search(text) is None


# A line starting with '::' (after blanks) is a workflow command to GitHub Actions and similar CI
# runners (`::error file=...::`); text from a file must never become one, not even by word wrapping.
_COMMAND_START = re.compile(r"(?m)^([ \t]*):(?=:)")


def no_commands(text: str) -> str:
    """`text` with every line that would start with '::' changed to start with ': :'."""
    if "::" not in text:
        return text
    return _COMMAND_START.sub(r"\1: ", text)
