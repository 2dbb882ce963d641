"""Rewriting a file a person keeps by hand (an assessment): read it once, and replace it atomically
only if it is still the file that was read. A save based on an older version is refused, not merged.

Used by `kader plan --bijwerken` (editors/planwrite.py) and `kader inlezen --bijwerken`
(editors/workbookupdate.py); both change blocks with editors/yamlblock.py in between."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kadertoets.infra.errors import KaderFout, display_path, os_reason
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import MAX_BYTES, read_text


@record
class KeptFile:
    """A file as it was read: its text (through the strict loader's reading) and what tells a change."""

    path: Path
    shown: str
    text: str
    state: tuple
    again: str  # the command to run again when the file changed meanwhile

    @property
    def bom(self) -> bool:
        return self.state[0].startswith(b"\xef\xbb\xbf")


def _state(path: Path) -> tuple:
    """What tells that a file changed: its bytes and the stat fields a write changes."""
    try:
        info = os.stat(path)
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise KaderFout.single(f"bestand kan niet opnieuw gelezen worden ({os_reason(exc)}); er is niets geschreven",
                               file=display_path(path)) from None
    return data, info.st_ino, info.st_size, info.st_mtime_ns


def changed(shown: str, again: str) -> KaderFout:
    return KaderFout.single("het bestand is veranderd terwijl het werd bijgewerkt; er is niets geschreven",
                            file=shown, hint="Een wijziging op basis van een oudere versie wordt geweigerd, niet "
                                             f"samengevoegd. Voer '{again}' opnieuw uit.")


def read_kept(path: Path, again: str) -> KeptFile:
    """Read an assessment file that will be rewritten: a regular file, read once (size limit, UTF-8)."""
    path = Path(path)
    shown = display_path(path)
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise KaderFout.single("--bijwerken werkt op één assessmentbestand, niet op een map of ander soort bestand",
                               file=shown, hint="Geef het pad van het .yaml-bestand van het team.")
    before = _state(path)
    text = read_text(path)
    if _state(path) != before:
        raise changed(shown, again)
    return KeptFile(path=path, shown=shown, text=text, state=before, again=again)


def replace_kept(kept: KeptFile, new_text: str) -> None:
    """Replace the file atomically with `new_text` (its BOM kept), but only if it is still the file
    that was read."""
    from kadertoets.infra.output import write_atomic

    if _state(kept.path) != kept.state:
        raise changed(kept.shown, kept.again)
    write_atomic(kept.path, new_text.encode("utf-8-sig" if kept.bom else "utf-8"), force=True)
