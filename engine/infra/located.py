"""Typed, located access to loaded YAML: every mismatch becomes a Dutch Problem with file and line.

`Node` wraps a value from `yamlload` together with the file it came from and its dotted path,
so validators read like `node.mapping(required=..., optional=...)` and `node.get("id").text()`.
"""

from __future__ import annotations

import datetime as dt
import re

from kadertoets.infra.errors import KaderFout, Problem, enough, excerpt
from kadertoets.infra.yamlload import LDict, Thousands
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.records import record

MAX_NAME = 200  # characters in a name (team, gemeente, organisatie, rule title); the longest bundled is 118
MAX_NUMBER = 10**12  # far beyond any count or amount in this domain; keeps both backends exact

TYPE_NAMES = {
    dict: "een lijst van sleutels en waarden (mapping)",
    list: "een lijst",
    str: "tekst",
    int: "een geheel getal",
    float: "een getal",
    bool: "true of false",
    dt.date: "een datum (JJJJ-MM-DD)",
}


# How a person may write a value (Dutch conventions): ja/nee, 0,5 and 85%, 15-6-2023.
YES_NO = {"ja": True, "nee": False, "true": True, "false": False}
# compiled at their first use (re's cache): most files hold no value written as text
_WRITTEN_NUMBER = r"\s*(?P<digits>[+-]?[0-9]{1,15}(?:[.,][0-9]{1,15})?)\s*(?P<percent>%?)\s*"
_THOUSANDS = r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}"  # 1.000: a thousand to a Dutch reader
_WRITTEN_DATE = (r"\s*(?:(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})-(?P<y>[0-9]{4})"
                 r"|(?P<y2>[0-9]{4})-(?P<m2>[0-9]{2})-(?P<d2>[0-9]{2}))\s*")
DATE_HINT = "Schrijf de datum als dd-mm-jjjj (bv. 15-06-2023) of JJJJ-MM-DD (bv. 2023-06-15)."

_LINE_BREAK = re.compile("\n")  # the one line break that output keeps (the others are shown, textsafe.py)


def describe_value(value) -> str:
    """A short Dutch description of what a value is, for error messages."""
    if value is None:
        return "niets (leeg)"
    if isinstance(value, bool):
        return f"ja/nee-waarde {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"getal {value}"
    if isinstance(value, dt.datetime):
        return f"tijdstip {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"datum {value.isoformat()}"
    if isinstance(value, str):
        return f"tekst {excerpt(value)}"
    if isinstance(value, dict):
        return "een mapping"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, (bytes, bytearray)):
        return "binaire gegevens"
    if isinstance(value, (set, frozenset)):
        return "een verzameling (!!set)"
    return f"een waarde van type {type(value).__name__}"


def written_date(text: str) -> dt.date | None:
    """A date as a person writes it (15-6-2023, 15-06-2023 or 2023-06-15); None when the text is not
    written as a date, ValueError when it is but the day does not exist (31-2-2023)."""
    m = re.fullmatch(_WRITTEN_DATE, text)
    if not m:
        return None
    if m.group("d"):
        return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return dt.date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))


def fmt_number(v) -> str:
    """A number as a Dutch reader writes it: 16,5 and 2 (a whole float without decimals)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return (f"{v:.6f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)).replace(".", ",")


def suggestion(word: str, options) -> str | None:
    """'bedoelde u ...?' for a mistyped key or value (not looked for in a text longer than any option
    could be: difflib's cost grows with the product of the lengths)."""
    if len(str(word)) > 200:
        return None
    import difflib  # here: only a mistake needs it (start-up of every command)

    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"Bedoelde u '{match[0]}'?" if match else None


def hint_with(word, options, tail: str = "") -> str:
    """'Bedoelde u ...?' (when something is close) followed by `tail` (e.g. the allowed values)."""
    hint = suggestion(word, options)
    return " ".join(x for x in (hint, tail) if x)


def allowed_hint(word, options) -> str:
    return hint_with(word, options, "Toegestaan: " + ", ".join(map(str, options)) + ".")


@record(frozen=False)  # a @dataclass, cheaper to declare (infra/records.py)
class Node:
    """A loaded YAML value with its file, dotted field path and position."""

    value: object
    file: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        if self.line is None and getattr(self.value, "pos", None):
            self.line, self.column = self.value.pos

    # -- errors -------------------------------------------------------------
    def problem(self, message: str, hint: str | None = None, field: str | None = None,
                code: str | None = None) -> Problem:
        return Problem(message, file=self.file, line=self.line, column=self.column,
                       field=field if field is not None else (self.path or None), hint=hint, code=code)

    def fail(self, message: str, hint: str | None = None, code: str | None = None) -> KaderFout:
        return KaderFout([self.problem(message, hint, code=code)])

    # -- navigation ---------------------------------------------------------
    def _child_path(self, key) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def child(self, key) -> "Node":
        value = self.value
        line, col = self.line, self.column
        if isinstance(value, LDict) and key in value.key_pos:
            line, col = value.key_pos[key]
        return Node(value.get(key) if isinstance(value, dict) else None, self.file, self._child_path(key), line, col)

    def has(self, key) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def get(self, key) -> "Node | None":
        return self.child(key) if self.has(key) else None

    def items(self):
        assert isinstance(self.value, dict)
        for key in self.value:
            yield key, self.child(key)

    def elements(self):
        assert isinstance(self.value, list)
        pos = getattr(self.value, "item_pos", [])
        for i, item in enumerate(self.value):
            line, col = pos[i] if i < len(pos) else (self.line, self.column)
            yield Node(item, self.file, f"{self.path}[{i + 1}]", line, col)

    # -- typed checks -------------------------------------------------------
    def _not_a_mapping(self) -> KaderFout:
        """The file, or this part of it, is not a mapping. For a whole file the content is not quoted:
        a file that is plain text (a wrong file, or one linked into a Kader folder) is not shown."""
        found = describe_value(self.value) if self.path or not isinstance(self.value, str) else "gewone tekst"
        what = "het bestand" if not self.path else None
        return self.fail(f"verwacht {TYPE_NAMES[dict]}{' voor ' + what if what else ''}, maar vond {found}",
                         "Zet de onderdelen eronder, ingesprongen, als 'sleutel: waarde'.", code=Code.WRONG_TYPE)

    def mapping_any(self) -> "Node":
        """A mapping with free keys (names chosen by the author, e.g. roles or question paths)."""
        if not isinstance(self.value, dict):
            raise self._not_a_mapping()
        for key in self.value:
            if not isinstance(key, str):
                raise self.child(key).fail(f"sleutel {describe_value(key)} moet tekst zijn",
                                           "Zet de sleutel tussen aanhalingstekens.", code=Code.WRONG_TYPE)
        return self

    def mapping(self, required=(), optional=(), what: str = "") -> "Node":
        if not isinstance(self.value, dict):
            raise self._not_a_mapping()
        allowed = list(required) + list(optional)
        problems = []
        for key in self.value:
            if enough(problems, self.file, self.line):
                break
            if not isinstance(key, str):
                problems.append(self.child(key).problem(f"sleutel {describe_value(key)} moet tekst zijn",
                                                        "Zet de sleutel tussen aanhalingstekens.", code=Code.WRONG_TYPE))
            elif key not in allowed:
                problems.append(self.child(key).problem(
                    f"onbekend veld {excerpt(key)}{' in ' + what if what else ''}", allowed_hint(key, allowed), code=Code.UNKNOWN_KEY))
        for key in required:
            if key not in self.value:
                problems.append(self.problem(f"verplicht veld '{key}' ontbreekt{' in ' + what if what else ''}",
                                             f"Voeg '{key}:' toe.", field=self._child_path(key), code=Code.REQUIRED_MISSING))
        if problems:
            raise KaderFout(problems)
        return self

    def sequence(self, min_items: int = 0) -> "Node":
        if not isinstance(self.value, list):
            raise self.fail(f"verwacht {TYPE_NAMES[list]}, maar vond {describe_value(self.value)}",
                            "Schrijf elk onderdeel op een eigen regel die begint met '- '.", code=Code.WRONG_TYPE)
        if len(self.value) < min_items:
            raise self.fail("de lijst mag niet leeg zijn" if min_items == 1 else
                            f"de lijst moet minstens {min_items} onderdelen bevatten", code=Code.EMPTY)
        return self

    def text(self, allow_empty: bool = False) -> str:
        v = self.value
        if not isinstance(v, str) or isinstance(v, bool):
            raise self.fail(f"verwacht tekst, maar vond {describe_value(v)}",
                            "Zet de waarde tussen aanhalingstekens als het tekst moet zijn.", code=Code.WRONG_TYPE)
        if not allow_empty and not v.strip():
            raise self.fail("mag niet leeg zijn", code=Code.EMPTY)
        return v

    def name(self) -> str:
        """Text that is shown as a name on one line (a team's naam, gemeente, a rule's titel): no line
        break, which would let the name forge lines of output (other control characters are made
        visible wherever text is shown, see textsafe.py)."""
        v = self.text()
        if _LINE_BREAK.search(v):
            raise self.fail(f"{describe_value(v)} bevat een regeleinde; een naam staat op één regel",
                            "Schrijf de naam op één regel.", code=Code.VALUE_NOT_ALLOWED)
        if len(v) > MAX_NAME:
            raise self.fail(f"{describe_value(v)} is langer dan {MAX_NAME} tekens; een naam staat in elke "
                            "tabel en kop", "Kort de naam in; een toelichting kan elders.", code=Code.VALUE_NOT_ALLOWED)
        return v

    def choice(self, options) -> str:
        v = self.value
        if not isinstance(v, str) or v not in options:
            raise self.fail(f"ongeldige waarde {describe_value(v)}", allowed_hint(v, options), code=Code.VALUE_NOT_ALLOWED)
        return v

    def yes_no(self) -> bool:
        """A yes/no answer as a person writes it: ja or nee (any case), or true or false."""
        v = self.value
        if v.__class__ is bool:
            return v
        if isinstance(v, str) and v.strip().lower() in YES_NO:
            return YES_NO[v.strip().lower()]
        raise self.fail(f"verwacht ja of nee, maar vond {describe_value(v)}", "Schrijf ja of nee.",
                        code=Code.WRONG_TYPE)

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"verwacht true of false, maar vond {describe_value(self.value)}",
                            "Schrijf true (ja) of false (nee), zonder aanhalingstekens.", code=Code.WRONG_TYPE)
        return self.value

    def integer(self, minimum: int | None = None) -> int:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"verwacht een geheel getal, maar vond {describe_value(v)}", code=Code.WRONG_TYPE)
        if minimum is not None and v < minimum:
            raise self.fail(f"moet minstens {minimum} zijn, maar is {v}", code=Code.VALUE_NOT_ALLOWED)
        return self._bounded(v)

    def _bounded(self, v):
        if abs(v) > MAX_NUMBER:
            raise self.fail(f"getal {v} is onrealistisch groot (de grens is {MAX_NUMBER:,})".replace(",", "."),
                            "Controleer of er geen cijfers te veel staan.", code=Code.VALUE_NOT_ALLOWED)
        return v

    def dutch_number(self, percent: bool = False, whole: bool = False) -> float | int:
        """A number as a person writes it: a YAML number, or text such as 0,5 or 16.5 (decimal comma
        or point), and 85% when the question is in percent. Thousands separators are refused: in
        '1.000' a Dutch reader sees a thousand, a computer one."""
        v = self.value
        if isinstance(v, str):
            v = self._number_from_text(v, percent, whole)
        if whole:
            if isinstance(v, Thousands):
                return Node(v, self.file, self.path, self.line, self.column).number()  # refused: ambiguous
            if isinstance(v, bool) or not isinstance(v, int):
                raise self.fail(f"verwacht een geheel getal, maar vond {describe_value(self.value)}",
                                "Schrijf een heel getal zonder decimalen, bv. 12.", code=Code.WRONG_TYPE)
            return self._bounded(v)
        return Node(v, self.file, self.path, self.line, self.column).number()

    def _number_from_text(self, text: str, percent: bool, whole: bool):
        m = re.fullmatch(_WRITTEN_NUMBER, text)
        if not m:
            raise self.fail(f"verwacht {'een geheel getal' if whole else 'een getal'}, maar vond {describe_value(text)}",
                            ("Schrijf een heel getal, bv. 12" if whole else
                             "Schrijf een getal, met een komma voor decimalen, bv. 16,5")
                            + (" of 85%." if percent else "."), code=Code.WRONG_TYPE)
        digits, sign = m.group("digits"), m.group("percent")
        if sign and not percent:
            raise self.fail(f"{describe_value(text)}: een procentteken past alleen bij een vraag in procenten",
                            "Laat het procentteken weg.", code=Code.WRONG_TYPE)
        if "," in digits and "." in digits or re.fullmatch(_THOUSANDS, digits):
            raise self.fail(f"{describe_value(text)} is dubbelzinnig: een punt kan een scheiding van duizendtallen "
                            "of een decimaalteken zijn",
                            "Schrijf getallen zonder scheiding van duizendtallen en met een komma voor decimalen, "
                            "bv. 1000 of 0,5.", code=Code.WRONG_TYPE)
        digits = digits.replace(",", ".")
        return float(digits) if "." in digits else int(digits)

    def number(self) -> float | int:
        v = self.value
        if isinstance(v, Thousands):
            raise self.fail(f"het getal {v:.3f} is dubbelzinnig: een punt kan een scheiding van duizendtallen of "
                            "een decimaalteken zijn",
                            "Schrijf getallen zonder scheiding van duizendtallen en met een komma voor decimalen, "
                            "bv. 1000 of 0,5.", code=Code.WRONG_TYPE)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"verwacht een getal, maar vond {describe_value(v)}",
                            "Schrijf decimalen met een punt, bv. 16.5, zonder aanhalingstekens.", code=Code.WRONG_TYPE)
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise self.fail("verwacht een gewoon getal, maar vond oneindig of NaN", "Vul een getal in, bv. 0,78 als 0.78.", code=Code.VALUE_NOT_ALLOWED)
        return self._bounded(v)

    def date(self) -> dt.date:
        """A date: an unquoted YAML date (JJJJ-MM-DD), or text as a person writes it: dd-mm-jjjj
        (15-6-2023) or JJJJ-MM-DD."""
        v = self.value
        if isinstance(v, str):
            v = self._date_from_text(v)
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            raise self.fail(f"verwacht een datum, maar vond {describe_value(v)}", DATE_HINT, code=Code.WRONG_TYPE)
        return v

    def _date_from_text(self, text: str):
        try:
            day = written_date(text)
        except ValueError:
            raise self.fail(f"{describe_value(text)} is geen bestaande datum", DATE_HINT,
                            code=Code.VALUE_NOT_ALLOWED) from None
        return text if day is None else day  # not a date: refused by the caller with the usual message

    def version(self) -> str:
        """A version, as text. An unquoted 1.10 is the number 1.1 by the time it reaches us, so an
        unquoted number is refused rather than guessed."""
        v = self.value
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise self.fail(f"versie {describe_value(v)} staat niet tussen aanhalingstekens; als getal "
                            "is 1.10 niet van 1.1 te onderscheiden",
                            'Zet de versie tussen aanhalingstekens, bv. kader: "1.10".', code=Code.WRONG_TYPE)
        if not isinstance(v, str):
            raise self.fail(f"verwacht een versie zoals \"1.0\", maar vond {describe_value(v)}",
                            'Zet de versie tussen aanhalingstekens, bv. kader: "1.0".', code=Code.WRONG_TYPE)
        return v


def collect(problems: list[Problem], fn, *args, **kwargs):
    """Run fn; on KaderFout add its problems to the list and return None (report all at once)."""
    try:
        return fn(*args, **kwargs)
    except KaderFout as exc:
        problems.extend(exc.problems)
        return None
