"""click's own messages are Dutch through a dictionary keyed by click's exact English texts
(infra/cli_nl.py). When click rewords a message or moves it to another module, these tests fail,
instead of the message silently falling back to English."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click

from kadertoets.infra import cli_nl

CLICK = Path(click.__file__).resolve().parent


def _translated_modules() -> list[str]:
    """The click modules that translate a message with gettext (`_(` or `ngettext(`)."""
    out = []
    for path in sorted(CLICK.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w.])(_|ngettext)\(\s*[\"']", text):
            out.append(path.stem)
    return out


def test_every_dutch_text_has_its_english_original_in_click():
    source = "\n".join(p.read_text(encoding="utf-8") for p in CLICK.glob("*.py"))
    missing = [key for key in [*cli_nl.NL, *cli_nl.NL_PLURAL]
               if repr(key)[1:-1] not in source and key not in source]
    assert not missing, f"click zegt dit niet (meer) zo: {missing}"


def test_every_click_module_with_messages_gets_the_dutch_texts():
    cli_nl.install()
    for name in _translated_modules():
        try:
            module = importlib.import_module(f"click.{name}")
        except (ImportError, AssertionError):  # another platform's module (_winconsole): never loaded here
            continue
        if hasattr(module, "_"):
            assert module._ is cli_nl._gettext, name
        if hasattr(module, "ngettext"):
            assert module.ngettext is cli_nl._ngettext, name
