"""The exit codes of `kader`, in one place: every command's result knows its own code (`exit_code`),
and the command line ends every command with `sys.exit(result.exit_code)` (a command that only shows
or writes something, like `kader rules`, with `sys.exit(ExitCode.OK)`: invalid input raised before).

    0  OK        compliant / done: no gaps, every example passed, the difference is shown, all carried over
    1  GAPS      gaps or attention: gaps or unknown requirements, a failed example, facts to reconfirm
    2  INVALID   invalid input: a file, value, Kader version or option that cannot be used (usage errors too)
    3  INTERNAL  internal error: kadertoets itself failed (a bug, not the input)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    GAPS = 1
    INVALID = 2
    INTERNAL = 3

