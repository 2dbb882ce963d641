"""The option names of `kader`: each Dutch name and the English name of earlier versions that stays
an alias. Without click, so a message anywhere in the package can name an option the way the
command line does (`suggest("--overschrijf")`)."""

from __future__ import annotations

# Dutch name -> the English name of earlier versions, which stays an alias
ALIASES: dict[str, str] = {
    "--formaat": "--format",
    "--uitvoer": "--output",
    "--overschrijf": "--force",
    "--toetsdatum": "--as-of",
    "--motor": "--engine",
    "--kader-map": "--kader-dir",
    "--streng": "--strict",
    "--hulp": "--help",
    "--versie": "--version",
}
OLD_NAMES = frozenset(ALIASES.values())
HELP_NAMES = ["-h", "--hulp", "--help"]


def with_aliases(decls) -> list[str]:
    """Option declarations with the old English name added after each Dutch name that has one."""
    out = []
    for decl in decls:
        out.append(decl)
        if decl in ALIASES:
            out.append(ALIASES[decl])
    return out


def dutch_names(names) -> list[str]:
    """The names without the old English ones."""
    return [n for n in names if n not in OLD_NAMES]


def suggest(name: str) -> str:
    """An option as a message suggests it to a user who did not write it: the Dutch name, followed by
    the old name for whoever knows the tool by that ("--overschrijf (of --force)")."""
    return f"{name} (of {ALIASES[name]})" if name in ALIASES else name
