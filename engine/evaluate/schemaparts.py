"""JSON-Schema building blocks for the values the loaders read (Node.text, Node.date, numbers, lists).

The registries of question types and operators (questiontypes.py, operators.py) give each type and
operator its JSON-schema fragment, and editors/jsonschema.py builds whole schemas; both use these
blocks, so a value is described the same way everywhere. Pure functions returning fresh dicts.
"""

from __future__ import annotations

from kadertoets.infra.located import MAX_NUMBER

TEXT_PATTERN = r"\S"  # Node.text(): not empty and not only spaces
# Node.date(): JJJJ-MM-DD, or dd-mm-jjjj as a Dutch reader writes it (15-6-2023)
DATE_PATTERN = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4})\s*$"
# Node.yes_no(): ja or nee in any case (and true or false) as text
YES_NO_PATTERN = r"^\s*([Jj][Aa]|[Nn][Ee][Ee]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\s*$"
# Node.dutch_number(): 16,5 or 16.5 as text, never 1.000 (a thousand to a Dutch reader)
_NUMBER_TEXT = r"^\s*(?![+-]?[1-9][0-9]{0,2}\.[0-9]{3}\s*%?\s*$)[+-]?[0-9]{1,15}([.,][0-9]{1,15})?\s*%s\s*$"


def with_meta(schema: dict, title: str | None = None, description: str | None = None, **extra) -> dict:
    """`schema` with a title and description in front (for hover texts), and extra keywords."""
    out = {}
    if title:
        out["title"] = title
    if description:
        out["description"] = description
    out.update(schema)
    out.update(extra)
    return out


def text(description: str | None = None, title: str | None = None) -> dict:
    """Node.text(): a non-empty string (not only spaces)."""
    return with_meta({"type": "string", "pattern": TEXT_PATTERN}, title, description)


def date(description: str | None = None, title: str | None = None) -> dict:
    """Node.date(): a YAML date JJJJ-MM-DD or the text dd-mm-jjjj (the loader refuses a date with a
    time, and a day that does not exist, which a pattern cannot see)."""
    return with_meta({"type": "string", "pattern": DATE_PATTERN}, title, description)


def yes_no(description: str | None = None, title: str | None = None) -> dict:
    """Node.yes_no(): true or false, or the text ja or nee."""
    return with_meta({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": YES_NO_PATTERN}]},
                     title, description)


def written_number(schema: dict, percent: bool = False, whole: bool = False) -> dict:
    """Node.dutch_number(): `schema` (a number with its bounds), or a number as text (0,5; 85% when
    `percent`). The bounds of a number written as text are checked by the loader only."""
    tail = "%?" if percent else ""
    text = _NUMBER_TEXT.replace("%s", tail)
    if whole:
        text = text.replace("([.,][0-9]{1,15})?", "")
    return {"anyOf": [schema, {"type": "string", "pattern": text}]}


def boolean(description: str | None = None, title: str | None = None) -> dict:
    return with_meta({"type": "boolean"}, title, description)


def bounds(minimum, maximum) -> dict:
    low = -MAX_NUMBER if minimum is None else max(minimum, -MAX_NUMBER)
    high = MAX_NUMBER if maximum is None else min(maximum, MAX_NUMBER)
    return {"minimum": low, "maximum": high}


def integer(minimum=None, maximum=None, description: str | None = None) -> dict:
    """Node.integer(): a whole number within the sanity bound MAX_NUMBER (and the given limits)."""
    return with_meta({"type": "integer", **bounds(minimum, maximum)}, None, description)


def number(minimum=None, maximum=None, description: str | None = None) -> dict:
    """Node.number(): a whole or decimal number within the sanity bound MAX_NUMBER."""
    return with_meta({"type": "number", **bounds(minimum, maximum)}, None, description)


def enum(values, description: str | None = None, title: str | None = None) -> dict:
    return with_meta({"enum": list(values)}, title, description)


def array(items: dict, min_items: int = 0, unique: bool = False, description: str | None = None) -> dict:
    out = {"type": "array", "items": items}
    if min_items:
        out["minItems"] = min_items
    if unique:
        out["uniqueItems"] = True
    return with_meta(out, None, description)
