"""Dutch for click's own messages (usage errors, help headings).

click marks its texts for gettext but ships no Dutch catalogue; we install a small dictionary
into click's modules so that usage errors and `--help` are Dutch like the rest of the tool.
"""

from __future__ import annotations

import importlib
import sys

NL = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "Error: {message}": "Fout: {message}",
    "Try '{command} {option}' for help.": "Probeer '{command} {option}' voor hulp.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing command.": "Geef een opdracht op; 'kader --hulp' toont ze allemaal.",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Missing {param_type}": "Ontbrekend: {param_type}",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Option {name!r} does not take a value.": "Optie {name!r} heeft geen waarde.",
    "Aborted!": "Afgebroken.",
    "default: {default}": "standaard: {default}",
    "required": "verplicht",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "unknown error": "onbekende fout",
}
NL_PLURAL = {
    "Got unexpected extra argument ({args})": ("Onverwacht extra argument ({args})", "Onverwachte extra argumenten ({args})"),
    "Option {name!r} requires an argument.": ("Optie {name!r} vraagt een waarde.", "Optie {name!r} vraagt {nargs} waarden."),
    "{value!r} is not {choice}.": ("{value!r} is geen {choice}.", "{value!r} is geen van {choices}."),
    "{value!r} does not match the format {format}.": (
        "{value!r} past niet in het formaat {format}.", "{value!r} past niet in de formaten {formats}."),
    "Did you mean {possibility}?": ("Bedoelde u {possibility}?", "(Bedoelde u een van: {possibilities}?)"),
    "Takes {nargs} values but 1 was given.": ("Vraagt {nargs} waarden, maar kreeg er 1.", "Vraagt {nargs} waarden, maar kreeg er {len}."),
}


def _gettext(message: str) -> str:
    return NL.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular in NL_PLURAL:
        one, many = NL_PLURAL[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


# click's modules with texts: the first group is imported with click itself; the second only when a
# command needs it (progress bar, editor, pager; shell completion), so it is translated when that happens.
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "_parser", "types", "termui", "utils")
LATER_MODULES = ("_termui_impl", "shell_completion")


def install() -> None:
    """Point click's gettext functions at the Dutch dictionary (idempotent)."""
    for name in MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - module layout of another click version
            continue
        _translate(module)
    for name in LATER_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is not None:
            _translate(module)
        elif not any(isinstance(finder, _TranslateOnImport) for finder in sys.meta_path):
            sys.meta_path.insert(0, _TranslateOnImport())


def _translate(module) -> None:
    if hasattr(module, "_"):
        module._ = _gettext
    if hasattr(module, "ngettext"):
        module.ngettext = _ngettext


class _TranslateOnImport:
    """Translates LATER_MODULES when they are imported, so that every command does not pay for
    importing them (about 0.6 ms of each start) only to translate them."""

    names = frozenset(f"click.{name}" for name in LATER_MODULES)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _translate(module)

        spec.loader.exec_module = exec_module
        return spec
