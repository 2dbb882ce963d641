"""The privacy guard: a file that is shared across the region holds no personal data.

Assessments and the exports made from them go round the region (as the teams already work, S4
"Registratie en gegevensuitwisseling": "Er worden standaard geen persoonsgegevens gedeeld"), so every text in such a file is looked at for five kinds
of personal data, each declared once in KINDS (its Dutch name, how it is found, how much of it a
message may show):

- a burgerservicenummer: nine digits on their own (not part of a longer number or of a code of
  letters and digits) that pass the elfproef, written together (123456782) or in groups of 3-3-3
  or 4-2-3 with one kind of separator (123.456.782, 123 456 782, 1234-56-782); not an amount (a €,
  EUR or euro next to it, decimals after it), and in groups not one of a row of numbers
  (687 654 654 125, a table pasted as text). Also a whole number of nine digits in the YAML itself
  (`toelichting: 123456782`). Eight digits (a BSN whose leading zero was dropped) are not looked
  for: too many other numbers have eight digits;
- an e-mail address: name@domain.tld, also an organisation's;
- a Dutch telephone number: ten digits from a 0 with an area code (06-12345678, 033-1234567,
  (033) 123 45 67, 06 12 34 56 78) or +31 / 0031 with nine digits (+31 6 12345678, +31 (0)33 1234567);
  after the area code one group, or groups of 2 to 4 digits with one and the same separator, so
  that a date followed by a number (06-03-2023 12) is not a telephone number;
- an IBAN: two letters, two check digits and 11 to 30 letters or digits, in groups of four or not,
  that pass the IBAN check (mod 97): NL91ABNA0417164300 or NL91 ABNA 0417 1643 00;
- a date of birth: a whole date (day, month and year: 12-03-2008, 12/3/08, 12 maart 2008,
  2008-03-12) right after a birth word (geboren, geboren op, geb., geboortedatum, geboortedag,
  geb.datum), or alone between brackets right after a name of two words (a first name or initials,
  any of van/de/der/den/ter/ten/..., a surname: "Jan de Vries (12-03-2008)"). A date on its own
  (peildatum, "per 1-1-2023", a deadline) is no date of birth, nor is "Verslag (d.d. 12-03-2023)".

`privacy_problems(root)` walks every scalar of a parsed file (string values and string keys, and
whole numbers of nine digits) and gives one Problem per value at the value's line, naming the kinds
found, each shown masked (its first 2 to 4 characters, then asterisks), never whole.
`refuse_personal_data(root, problems)` raises them, together with the file's other problems minus
those that would echo what was found (a number question quoting its answer, say).

For another kind of shared file (a regional file), its loader calls the same two functions on its
parsed root, with `shared` naming what it is ("een regionaal overzicht").

Bounded work: `maybe` passes a text in which nothing can start (no '@', no nine digits close
together, no birth word or bracket before a digit) after a few searches; the patterns have no
nested unbounded repetition (each character is tried a fixed number of times), at most MAX_FOUND
pieces are looked for per text, a file is at most 1 MiB (yamlload.MAX_BYTES), and at most
MAX_PROBLEMS values are reported. Short texts that `maybe` passed are remembered (a sweep meets the
same keys in every file). The patterns are compiled at their first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from kadertoets.infra.errors import KaderFout, Problem, enough
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import Node

SHARED = "een assessment"  # what is shared, in the message; a regional file names itself
HINT = "Haal het weg of vervang het door een omschrijving (bv. 'een inwoner', 'de teamleider', 'het Zorgloket')."
MAX_LISTED = 3  # pieces of personal data named in one message; then "en meer"
MAX_FOUND = 10  # pieces of personal data looked for in one text (bounds the work on a hostile text)
MAX_SHOWN = 24  # characters of a masked value in a message

# ------------------------------------------------------------------ patterns (compiled at first use)
_MONTHS = ("jan(?:uari)?|feb(?:ruari)?|maart|mrt|apr(?:il)?|mei|jun(?:i)?|jul(?:i)?|aug(?:ustus)?"
           "|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# a whole date; the groups give day, month and year (a month name in `mn`)
_DATE = (r"(?:(?P<d>[0-3]?[0-9])[-/.](?P<m>[01]?[0-9])[-/.](?P<y>(?:19|20)?[0-9]{2})(?![0-9])"
         rf"|(?P<d2>[0-3]?[0-9])\s+(?P<mn>(?i:{_MONTHS}))\.?\s+(?P<y2>(?:19|20)[0-9]{{2}})(?![0-9])"
         r"|(?P<y3>(?:19|20)[0-9]{2})-(?P<m3>[01][0-9])-(?P<d3>[0-3][0-9])(?![0-9]))")
_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?"  # Jansen, Van-Dijk; not SWA, not S0
_INFIX = r"(?:van|de|der|den|het|ter|ten|te|op|in|'t|la|le|du|da|dos|el|al|von)"
_SOURCES = {
    # a run of nine or more digits and separators from a digit: every BSN, telephone number and IBAN has one
    "run": r"[0-9][0-9\s.()/-]{8,}",
    "birth_word": r"(?i:geb)[^0-9]{0,24}[0-9]",  # a birth word with a digit after it
    "bracket": r"\(\s{0,3}[0-9]",  # a digit just inside a bracket
    "bsn": (r"(?<![0-9A-Za-z])(?:[0-9]{9}|[0-9]{3}(?P<s>[ .-])[0-9]{3}(?P=s)[0-9]{3}"
            r"|[0-9]{4}(?P<t>[ .-])[0-9]{2}(?P=t)[0-9]{3})(?![0-9A-Za-z])"),
    "phone": (r"(?<![\w+.,/-])(?:\((?P<a1>0[0-9]{1,3})\)\s?|(?P<a2>0[0-9]{1,3})(?:\s?[-/.]\s?|\s)?)"
              r"(?P<rest>[0-9]{2,8}(?:(?P<s>[ .-])[0-9]{2,4}(?:(?P=s)[0-9]{2,4}){0,3})?)(?![\w-])"),
    "phone_intl": (r"(?<![\w+])(?:\+|00)31[ -]?(?:\(0\)[ -]?)?(?P<a>[1-9][0-9]{0,2})(?:\s?[-/.]\s?|\s)?"
                   r"(?P<rest>[0-9]{2,8}(?:(?P<s>[ .-])[0-9]{2,4}(?:(?P=s)[0-9]{2,4}){0,3})?)(?![\w-])"),
    "iban": (r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?"
             r"(?![A-Za-z0-9])"),
    "email": r"(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])",
    "born": (r"(?i:\b(?:geboren(?:\s{1,3}op)?|geb(?:\.|\b)\s?(?:dat(?:um|\.|\b))?|geboortedatum|geboortedag)"
             r"\s{0,3}:?\s{0,3}(?:op\s{1,3})?)" + _DATE),
    "named": (rf"(?<![\w.])(?:{_WORD}|(?:[A-Z]\.\s?){{1,4}})\s+(?:{_INFIX}\s+){{0,3}}{_WORD}\s{{0,3}}\(\s{{0,3}}"
              + _DATE + r"\s{0,3}\)"),
}
_RX: dict[str, re.Pattern] = {}


def _rx(name: str) -> re.Pattern:
    rx = _RX.get(name)
    if rx is None:
        rx = _RX[name] = re.compile(_SOURCES[name])
    return rx


# ------------------------------------------------------------------ the kinds and their detectors
Spans = Iterator  # of (start, end) in the text, in order


def _elfproef(digits: str) -> bool:
    """The BSN check: 9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11 (and not all zeros)."""
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0 and digits != "000000000"


def _amount(text: str, start: int, end: int) -> bool:
    """A number that is an amount: a €, EUR or euro just before or after it, or cents after it."""
    before = text[max(0, start - 12):start].rstrip().lower()
    if before.endswith("€") or (before.rsplit(None, 1) or [""])[-1] in ("eur", "eur.", "euro"):
        return True
    after = text[end:end + 12].lower()
    if after[:1] == "," and (after[1:2].isdigit() or after[1:2] == "-"):
        return True
    rest = after.lstrip()
    return rest.startswith("€") or (rest.split(None, 1) or [""])[0].rstrip(".,;:)") in ("eur", "euro")


def _part_of_a_number(text: str, start: int, end: int, grouped: bool) -> bool:
    """Digits that belong to a longer number: after a decimal point or comma (0,123456782), before
    decimals (123456782,5); in groups, one of a row of numbers (687 654 654 125, a table as text)."""
    seps = " .-," if grouped else ".,"
    return (start >= 2 and text[start - 1] in seps and text[start - 2].isdigit()) or \
        (len(text) > end + 1 and text[end] in seps and text[end + 1].isdigit())


def _bsn(text: str) -> Spans:
    for m in _rx("bsn").finditer(text):
        start, end = m.span()
        digits = m.group().replace(" ", "").replace(".", "").replace("-", "")
        if _elfproef(digits) and not _amount(text, start, end) and \
                not _part_of_a_number(text, start, end, grouped=len(digits) != end - start):
            yield start, end


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _phone(text: str) -> Spans:
    for m in _rx("phone").finditer(text):
        area = m.group("a1") or m.group("a2")
        if area[1] != "0" and len(area) + _digits(m.group("rest")) == 10:
            yield m.span()
    if "31" in text:
        for m in _rx("phone_intl").finditer(text):
            if len(m.group("a")) + _digits(m.group("rest")) == 9:
                yield m.span()


def _iban(text: str) -> Spans:
    for m in _rx("iban").finditer(text):
        compact = m.group().replace(" ", "").upper()
        if 15 <= len(compact) <= 34 and _mod97(compact[4:] + compact[:4]) == 1:
            yield m.span()


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def _email(text: str) -> Spans:
    if "@" in text:
        for m in _rx("email").finditer(text):
            yield m.span()


_MONTH_NUMBER = {"jan": 1, "feb": 2, "maa": 3, "mrt": 3, "apr": 4, "mei": 5, "jun": 6, "jul": 7, "aug": 8,
                 "sep": 9, "okt": 10, "nov": 11, "dec": 12}


def _date_span(m: re.Match) -> tuple[int, int] | None:
    """The span of the date in a match of `born` or `named`, when day and month can be a date."""
    if m.group("d") is not None:
        day, month, group = int(m.group("d")), int(m.group("m")), "d"
        end = m.end("y")
    elif m.group("d2") is not None:
        day, month, group = int(m.group("d2")), _MONTH_NUMBER[m.group("mn")[:3].lower()], "d2"
        end = m.end("y2")
    else:
        day, month, group = int(m.group("d3")), int(m.group("m3")), "y3"
        end = m.end("d3")
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return m.start(group), end


def _birth_date(text: str) -> Spans:
    if "geb" in text.lower():
        yield from (s for s in map(_date_span, _rx("born").finditer(text)) if s is not None)
    if "(" in text:
        yield from (s for s in map(_date_span, _rx("named").finditer(text)) if s is not None)


class Kind:
    """A kind of personal data: its Dutch name (with article), its detector (text -> spans), how many
    characters of what it finds a message shows, and how to write something that only looks like it.
    (A plain class: a record costs every command a quarter of a millisecond at start-up.)"""

    __slots__ = ("name", "find", "shown", "lookalike")

    def __init__(self, name: str, find: Callable[[str], Spans], shown: int, lookalike: str = "") -> None:
        self.name, self.find, self.shown, self.lookalike = name, find, shown, lookalike

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"


KINDS = (  # in this order a piece of text is one kind: the digits of an IBAN are no telephone number
    Kind("een IBAN-rekeningnummer", _iban, 4),
    Kind("een e-mailadres", _email, 2),
    Kind("een burgerservicenummer", _bsn, 4,
         "Is het een ander nummer dat toevallig de elfproef van een BSN doorstaat (bv. een zaaknummer), zet er "
         "dan letters aan vast, bv. Z987654321."),
    Kind("een telefoonnummer", _phone, 4),
    Kind("een geboortedatum", _birth_date, 2,
         "Is het de datum van iets anders (een verslag, een overleg), schrijf dan 'd.d.' ervoor: "
         "Verslag Stuurgroep (d.d. 12-03-2023)."),
)
BSN = KINDS[2]


def mask(found: str, shown: int) -> str:
    """What a message shows of a value: its first `shown` characters, every further letter or digit
    as '*' (separators kept, so the reader recognises the place), at most MAX_SHOWN characters."""
    head, tail = found[:shown], found[shown:]
    masked = head + "".join("*" if c.isalnum() else c for c in tail)
    return masked if len(masked) <= MAX_SHOWN else masked[:MAX_SHOWN - 1] + "…"


def maybe(text: str) -> bool:
    """False when `text` cannot hold personal data: no '@', no run of nine digits and separators, no
    birth word before a digit and no digit inside a bracket. Most texts are passed after this look,
    which is a few searches of the text, each a few nanoseconds per character."""
    return "@" in text or _rx("run").search(text) is not None \
        or (("eb" in text or "EB" in text or "Eb" in text) and _rx("birth_word").search(text) is not None) \
        or ("(" in text and _rx("bracket").search(text) is not None)


def findings(text: str) -> list[tuple[Kind, str]]:
    """The personal data in `text`: (kind, the text found), in the order of the text, at most MAX_FOUND
    (a message names a few; the rest of the text is not searched further). A piece found as two kinds
    is the first of them in KINDS."""
    if not maybe(text):
        return []
    spans: list[tuple[int, int, Kind]] = []
    for kind in KINDS:
        for start, end in kind.find(text):
            if not any(start < e and s < end for s, e, _ in spans):
                spans.append((start, end, kind))
                if len(spans) >= MAX_FOUND:
                    break
        if len(spans) >= MAX_FOUND:
            break
    return [(kind, text[start:end]) for start, end, kind in sorted(spans, key=lambda s: s[0])]


def _number_findings(value: int) -> list[tuple[Kind, str]]:
    """A whole number in the YAML: a BSN when it has nine digits and passes the elfproef."""
    if _SMALLEST <= value <= _LARGEST and _elfproef(str(value)):
        return [(BSN, str(value))]
    return []


# ------------------------------------------------------------------ the walk over a file
# a hit: (the Problem, its field path as in the file, the texts found: never shown whole; both used to
# leave out problems that would echo them); a plain tuple, as a record class costs start-up time
_Hit = tuple


def _message(found: list[tuple[Kind, str]], shared: str) -> str:
    parts = [f"{kind.name} ({mask(text, kind.shown)})" for kind, text in found[:MAX_LISTED]]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
    if len(found) > MAX_LISTED:
        listed = ", ".join(parts) + " en meer"
    verb = "staat" if len(found) == 1 else "staan"
    return (f"hier {verb} {listed}; {shared} wordt in de regio gedeeld en mag geen persoonsgegevens "
            "bevatten")


def _hits(root: Node, shared: str) -> list[_Hit]:
    """Every value or key of `root` with personal data, in the order of the file."""
    candidates: list = []
    _candidates(root.value, None, root.line, root.column, maybe, candidates)
    if root.value.__class__ is str or root.value.__class__ is int:  # a file that is one scalar
        candidates.append((root.value, None, root.line, root.column))
    hits: list[_Hit] = []
    problems: list[Problem] = []  # for enough(): the cap on what is reported
    for value, trail, line, column in candidates:
        found = findings(value) if value.__class__ is str else _number_findings(value)
        if not found:
            continue
        if enough(problems, root.file, line):
            hits.append((problems[-1], "", ()))
            break
        path = _path(root.path, trail)
        raw = _path(root.path, trail, masked=False)
        notes = dict.fromkeys(kind.lookalike for kind, _ in found if kind.lookalike)
        problem = Problem(_message(found, shared), file=root.file, line=line, column=column, field=path or None,
                          hint=" ".join((HINT, *notes)), code=Code.PERSONAL_DATA)
        problems.append(problem)
        hits.append((problem, raw, tuple(text for _, text in found)))
    return hits


_SMALLEST, _LARGEST = 100_000_000, 999_999_999  # the whole numbers with nine digits


_CLEAN: set = set()  # short texts (keys, recurring bewijs) that `maybe` passed, for the next file
MAX_CLEAN, CLEAN_LENGTH = 4096, 120  # texts remembered (under 1 MB), and the longest one remembered


def _clear(text: str, search) -> bool:
    """True when `search` (maybe) finds nothing in `text` (remembered for a short text: a set look-up costs a
    tenth of a search, and a sweep meets the same keys in every file)."""
    if text in _CLEAN:
        return True
    if search(text):
        return False
    if len(text) <= CLEAN_LENGTH and len(_CLEAN) < MAX_CLEAN:
        _CLEAN.add(text)
    return True


def _candidates(value, trail, line, column, search, out: list) -> None:
    """The scalars under `value` that may hold personal data (a text that `search`, maybe, does not pass; a
    whole number of nine digits), with where they are: (scalar, trail, line, column). A trail is (parent
    trail, key, is an index), made into a field path only for a hit. Written for the common case, a
    text in which nothing is found: nothing is built for it. The depth is bounded by the loader
    (yamlload.MAX_DEPTH)."""
    if isinstance(value, dict):
        key_pos = getattr(value, "key_pos", None)
        for key, child in value.items():
            k = key.__class__
            key_hit = (k is str and not _clear(key, search)) or (k is int and _SMALLEST <= key <= _LARGEST)
            c = child.__class__
            if c is str:
                child_hit = not _clear(child, search)
            elif c is int:
                child_hit = _SMALLEST <= child <= _LARGEST
            else:
                child_hit = False
                if not key_hit and not isinstance(child, (dict, list)):
                    continue
            if not (key_hit or child_hit) and (c is str or c is int):
                continue
            pos = key_pos.get(key) if key_pos is not None else None
            kline, kcol = pos if pos is not None else (line, column)
            here = (trail, key, False)
            if key_hit:
                out.append((key, here, kline, kcol))
            if child_hit:
                out.append((child, here, kline, kcol))
            elif isinstance(child, (dict, list)):
                _candidates(child, here, kline, kcol, search, out)
    elif isinstance(value, list):
        item_pos = getattr(value, "item_pos", ())
        for i, child in enumerate(value):
            c = child.__class__
            if c is str:
                if _clear(child, search):
                    continue
            elif c is int:
                if not _SMALLEST <= child <= _LARGEST:
                    continue
            elif not isinstance(child, (dict, list)):
                continue
            iline, icol = item_pos[i] if i < len(item_pos) else (line, column)
            here = (trail, i + 1, True)
            if c is str or c is int:
                out.append((child, here, iline, icol))
            else:
                _candidates(child, here, iline, icol, search, out)


def _path(base: str, trail, masked: bool = True) -> str:
    """The field path of a trail, as Node writes it: team.naam, transformatieplan[2].omschrijving; a key
    with personal data in it masked (a message names the field: it must not show what it refuses)."""
    steps = []
    while trail is not None:
        trail, key, index = trail
        steps.append((key, index))
    path = base
    for key, index in reversed(steps):
        if masked and key.__class__ is str and not index:
            for kind, text in findings(key):
                key = key.replace(text, mask(text, kind.shown))
        path = f"{path}[{key}]" if index else (f"{path}.{key}" if path else str(key))
    return path


def privacy_problems(root: Node, shared: str = SHARED) -> list[Problem]:
    """One Problem (code KT108) per value or key of the parsed file `root` that holds personal data, at
    its line, naming what was found, masked. `shared`: what the file is, in 'X wordt in de regio gedeeld'."""
    return [problem for problem, _, _ in _hits(root, shared)]


def refuse_personal_data(root: Node, problems=(), shared: str = SHARED) -> None:
    """Raise KaderFout with the personal data in `root` and the file's other `problems` (those at a
    place where personal data was found, or quoting it, are left out: they would echo it). Returns
    when there is neither."""
    hits = _hits(root, shared)
    if not hits and not problems:
        return
    raise KaderFout([problem for problem, _, _ in hits] + [p for p in problems if not _echoes(p, hits)])


def _echoes(p: Problem, hits: list[_Hit]) -> bool:
    field = p.field or ""
    for _, at, found in hits:
        if at and (field == at or field.startswith((at + ".", at + "["))):
            return True
        if any(text in p.message or text in field or (p.hint and text in p.hint) for text in found):
            return True
    return False
