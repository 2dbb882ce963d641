"""JSON-Schema building blocks for the values the loaders read (Node.text, Node.date, numbers, lists).

The registries of question types and operators (questiontypes.py, operators.py) give each type and
operator its JSON-schema fragment, and editors/jsonschema.py builds whole schemas; both use these
blocks, so a value is described the same way everywhere. Pure functions returning fresh dicts.
"""

from __future__ import annotations

from kadertoets.infra.located import MAX_NUMBER

TEXT_PATTERN = r"\S"  # Node.text(): not empty and not only spaces
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


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
    """Node.date(): an unquoted YAML date JJJJ-MM-DD (the loader refuses a date with a time)."""
    return with_meta({"type": "string", "format": "date", "pattern": DATE_PATTERN}, title, description)


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
