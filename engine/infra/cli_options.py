"""Dutch option names for `kader`, with the English names of earlier versions kept as aliases.

Every option has a Dutch name (`--formaat`, `--uitvoer`, `--overschrijf`, ...); the English name it
had before (`--format`, `--output`, `--force`, ...) keeps working, so scripts do not break
(cli_names.ALIASES is the one list of both). `option()` declares an option under its Dutch name(s)
and adds the old name; DutchCommand and DutchGroup leave the old names out of `--hulp` (the main help
says they still work), and an error about an option names it the way the user wrote it (`--format
pdf` gives "Ongeldige waarde voor '--format'"), or by its Dutch name when the user did not write it.

Options declared with `multi_option()` take several values after one flag (cli_multi.py).
"""

from __future__ import annotations

from contextlib import contextmanager

import click

import os

from kadertoets.infra.cli_multi import Grammar, NoValues, Repeated, spread
from kadertoets.infra.cli_names import ALIASES, HELP_NAMES, OLD_NAMES, dutch_names, with_aliases

_SPELLED = "kadertoets.cli_options.spelled"  # ctx.meta: parameter name -> the option name the user wrote


def spelled(ctx: click.Context | None, param_name: str, dutch: str) -> str:
    """The option `param_name` as the user wrote it on this command line, else its Dutch name `dutch`."""
    if ctx is None:
        return dutch
    return ctx.meta.get(_SPELLED, {}).get(param_name, dutch)


class DutchOption(click.Option):
    """An option whose error messages name it as the user wrote it, else by its Dutch names only."""

    def get_error_hint(self, ctx) -> str:
        written = ctx.meta.get(_SPELLED, {}).get(self.name) if ctx is not None else None
        names = [written] if written else dutch_names(self.opts) or self.opts
        return " / ".join(f"'{n}'" for n in names)


class PathType(click.Path):
    """click.Path that refuses an empty name ('' would otherwise mean the working folder: a sweep of
    everything under it, or output written into it) and '-' (which would become a file named '-')."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("een leeg pad; geef een bestand of map op", param, ctx)
        if value == "-":
            self.fail("'-' (standaardinvoer of standaarduitvoer) wordt niet ondersteund; geef een bestandsnaam, "
                      "of laat -o weg om de uitvoer op het scherm te tonen", param, ctx)
        return super().convert(value, param, ctx)


class MultiOption(DutchOption):
    """A repeatable option that also takes several values after one flag (cli_multi.py)."""

    def __init__(self, param_decls=None, **kwargs):
        kwargs["multiple"] = True
        super().__init__(param_decls, **kwargs)
        if not any(o.startswith("--") for o in self.opts):
            raise TypeError(f"a multi-value option needs a long name: {self.opts}")


def option(*decls: str, **kwargs):
    """click.option under the Dutch name(s), with the old English name as an alias (ALIASES)."""
    kwargs.setdefault("cls", DutchOption)
    return click.option(*with_aliases(decls), **kwargs)


def multi_option(*decls: str, **kwargs):
    """An option that takes one or more values after one flag and may be repeated; its value is a tuple."""
    return option(*decls, cls=MultiOption, **kwargs)


@contextmanager
def _dutch_help(params):
    """Leave the old English names out of the option list of a help text, for as long as it is written."""
    saved = []
    try:
        for param in params:
            if isinstance(param, click.Option) and any(o in OLD_NAMES for o in param.opts):
                saved.append((param, param.opts))
                param.opts = dutch_names(param.opts) or param.opts
        yield
    finally:
        for param, opts in saved:
            param.opts = opts


class DutchHelp:
    """Mixin for a click command: its help lists the Dutch option names only."""

    def format_help(self, ctx, formatter) -> None:
        with _dutch_help(self.get_params(ctx)):
            super().format_help(ctx, formatter)


def grammar_of(command: click.Command, ctx: click.Context) -> Grammar:
    """What cli_multi.spread needs to know of the options of `command`."""
    values, multi, param = {}, {}, {}
    arguments = []
    for p in command.get_params(ctx):
        if isinstance(p, click.Argument):
            arguments.append(p)
            continue
        if not isinstance(p, click.Option):
            continue
        names = list(p.opts) + list(p.secondary_opts)
        takes = 0 if (p.is_flag or p.count) else max(p.nargs, 1)
        long_name = next((n for n in p.opts if n.startswith("--")), None)
        for n in names:
            values[n] = takes
            if p.name:
                param[n] = p.name
            if isinstance(p, MultiOption):
                multi[n] = long_name
    fixed = all(a.nargs >= 1 for a in arguments)
    positionals = sum(a.nargs for a in arguments if a.required) if fixed else None
    # a value of a multi-value list that names an existing file is never taken as a positional argument
    # (in `kader diff --assessments a.yaml b.yaml` a forgotten OUD is missing, not b.yaml)
    return Grammar(values, multi, param, positionals, positional=lambda value: not os.path.isfile(value))


class DutchCommand(DutchHelp, click.Command):
    """A command with Dutch option names (old names as hidden aliases) and multi-value options."""

    def parse_args(self, ctx, args):
        grammar = grammar_of(self, ctx)
        try:
            result = spread(list(args), grammar)
        except (NoValues, Repeated) as exc:
            # shell completion, or help asked for anywhere: leave the arguments to click (help wins)
            if ctx.resilient_parsing:  # shell completion: leave the arguments to click
                return super().parse_args(ctx, args)
            before = args[:args.index("--")] if "--" in args else args
            if any(a in HELP_NAMES for a in before):  # help asked for: it wins over the usage error
                click.echo(ctx.get_help(), color=ctx.color)
                ctx.exit(0)
            if isinstance(exc, Repeated):
                message = repeated_message(exc.names)
                raise click.BadOptionUsage(exc.names[0], message, ctx) from None
            raise click.BadOptionUsage(exc.name, no_values_message(exc, self, ctx, grammar), ctx) from None
        ctx.meta[_SPELLED] = result.spelled
        try:
            return super().parse_args(ctx, result.args)
        except click.NoSuchOption as exc:  # suggest the Dutch names, not the old aliases
            dutch = {old: new for new, old in ALIASES.items()}
            exc.possibilities = list(dict.fromkeys(dutch.get(p, p) for p in exc.possibilities or ()))
            raise


def repeated_message(names: list[str]) -> str:
    """Dutch: an option given more than once, named as the user wrote it."""
    dutch = {old: new for new, old in ALIASES.items()}
    written = list(dict.fromkeys(names))
    main = dutch.get(written[0], written[0])
    others = [n for n in written if n != main]
    also = f" (ook als {', '.join(others)}, de oude naam van dezelfde optie)" if others else ""
    return f"optie {main} is meer dan eens gegeven{also}; geef hem één keer"


def no_values_message(exc: NoValues, command: click.Command, ctx, grammar: Grammar) -> str:
    """Dutch: the flag needs values after it; and how to write a value that starts with '-'."""
    option = next((p for p in command.get_params(ctx) if isinstance(p, click.Option) and exc.name in p.opts), None)
    metavar = option.metavar if option is not None and option.metavar else "WAARDE..."
    message = (f"Optie '{exc.name}' vraagt een of meer waarden ({metavar}): zet ze achter de optie, "
               "gescheiden door spaties")
    odd = exc.next_arg
    if odd is not None and odd != "--" and odd.partition("=")[0] not in grammar.values:
        message += f". Een waarde die met '-' begint, schrijft u als {exc.name}={odd} of ./{odd}"
    return message + "."


class DutchGroup(DutchHelp, click.Group):
    """A group whose help lists the Dutch option names only, and whose commands are DutchCommands."""

    command_class = DutchCommand
