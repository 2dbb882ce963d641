"""Options that take several values after one flag: `kader diff 1.0 1.1 --assessments a.yaml b.yaml`.

click takes one value per occurrence of an option (`multiple=True` means: repeat the flag). Users try
the shell's way first: several values after one flag, up to the next option. Before click parses,
`spread` rewrites the arguments into the repeated form click knows (`--assessments=a.yaml
--assessments=b.yaml`), so everything else (types, errors, help) stays click's own. The rules:

- after a multi-value flag, every following argument is a value until the next argument that starts
  with '-' (another option, or `--`, which ends all options as usual); a lone '-' is a value;
- repeating the flag keeps working, and so does `--flag=value` (the way to give a value that starts
  with '-': `--assessments=-raar.yaml`, or `./-raar.yaml`);
- a flag without any value is a usage error (NoValues), never a silently empty list;
- a command with a fixed number of positional arguments gets back what a list took too many: in
  `kader diff --assessments a.yaml 1.0 1.1` OUD and NIEUW are 1.0 and 1.1, as they were when the flag
  took one value (the last values of the last lists are given back, each list keeps at least one;
  only values the grammar says can be positional, so `--assessments a.yaml b.yaml` without OUD and
  NIEUW is a missing argument, not b.yaml as OUD);
- an option that takes a value, given twice (also once under its Dutch and once under its old English
  name), is a usage error (Repeated): the first value would otherwise be dropped without a check.

The rewriting is pure (a Grammar in, arguments out), and also records how the user spelled each option
(`--format` or `--formaat`), so a message can name the option the way the user wrote it.
"""

from __future__ import annotations

from dataclasses import field

from kadertoets.infra.records import record


class Repeated(Exception):
    """An option that takes one value, given more than once (the names as the user wrote them)."""

    def __init__(self, names: list[str]):
        super().__init__(names[0])
        self.names = names


class NoValues(Exception):
    """A multi-value flag followed by no value (the end, another option, or `--`)."""

    def __init__(self, name: str, next_arg: str | None):
        super().__init__(name)
        self.name = name
        self.next_arg = next_arg


@record
class Grammar:
    """What `spread` needs to know of a command's options.

    values:      option name -> the number of values it takes (0 for a flag); every name of every option
    multi:       option name -> the name to repeat it under (a long name), for the multi-value options
    param:       option name -> the name of its parameter (for the spellings)
    positionals: the number of positional values the command needs, when fixed (None: variadic)
    positional:  whether a value of a multi-value list may be given back as a positional argument
    """

    values: dict[str, int]
    multi: dict[str, str] = field(default_factory=dict)
    param: dict[str, str] = field(default_factory=dict)
    positionals: int | None = None
    positional: object = None  # Callable[[str], bool] | None: None means every value may


@record(frozen=False)
class Spread:
    args: list[str]
    spelled: dict[str, str]  # parameter name -> the option name the user wrote (the last one, if repeated)


def ends_list(arg: str) -> bool:
    """Whether `arg` ends the values of a multi-value flag: an option or `--` (a lone '-' is a value)."""
    return arg.startswith("-") and arg != "-"


def spread(args: list[str], grammar: Grammar) -> Spread:
    """The arguments with every multi-value list rewritten as repeated `--flag=value`; see the module
    docstring. Raises NoValues for a multi-value flag without a value."""
    out: list = []  # strings, or [repeat_name, value] for one value of a multi-value list
    runs: list[list[int]] = []  # per list: the indices in `out` of its values
    spelled: dict[str, str] = {}
    given: dict[str, list[str]] = {}  # parameter of a one-value option -> the names it was given under

    def once(name: str) -> None:
        if name in grammar.param and name not in grammar.multi and grammar.values.get(name, 0):
            given.setdefault(grammar.param[name], []).append(name)
    positionals = 0
    i = 0

    def take_list(name: str, first: str | None, at: int) -> int:
        """Collect the values of the multi-value flag `name` from args[at:]; the index after them."""
        values = [first] if first is not None else []
        while at < len(args) and not ends_list(args[at]):
            values.append(args[at])
            at += 1
        if not values:
            raise NoValues(name, args[at] if at < len(args) else None)
        runs.append([])
        for value in values:
            runs[-1].append(len(out))
            out.append([grammar.multi[name], value])
        return at

    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            positionals += len(args) - i - 1
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in grammar.param:
                spelled[grammar.param[name]] = name
            if name in grammar.multi:
                i = take_list(name, value if eq else None, i + 1)
                continue
            once(name)
            skip = 0 if eq else grammar.values.get(name, 0)
            out.extend(args[i:i + 1 + skip])
            i += 1 + skip
            continue
        if ends_list(arg):  # short options, perhaps clustered (-ab) or with their value attached (-oFILE)
            i += 1
            for j in range(1, len(arg)):
                name, rest = "-" + arg[j], arg[j + 1:]
                if name in grammar.param:
                    spelled[grammar.param[name]] = name
                if name in grammar.multi:
                    if j > 1:  # the flags before it in the cluster
                        out.append(arg[:j])
                    i = take_list(name, rest or None, i)
                    break
                if grammar.values.get(name, 0):
                    once(name)
                    out.append(arg)
                    if not rest:
                        out.extend(args[i:i + grammar.values[name]])
                        i += grammar.values[name]
                    break
            else:
                out.append(arg)
            continue
        out.append(arg)
        positionals += 1
        i += 1

    repeated = next((names for names in given.values() if len(names) > 1), None)
    if repeated:
        raise Repeated(repeated)
    missing = (grammar.positionals or 0) - positionals if grammar.positionals is not None else 0
    may = grammar.positional or (lambda value: True)
    for run in reversed(runs):  # give back what the lists took from the positional arguments
        if missing <= 0:
            break
        back = 0
        while back < min(missing, len(run) - 1) and may(out[run[len(run) - 1 - back]][1]):
            back += 1
        for index in run[len(run) - back:]:
            out[index] = out[index][1]
        missing -= back
        if back < len(run) - 1:  # a value that cannot be positional: the ones before it stay values too
            break
    return Spread([item if isinstance(item, str) else f"{item[0]}={item[1]}" for item in out], spelled)
