"""Writing output files safely: never half a file, never over an existing file without --force,
never over one of the command's own input files (not even with --force)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import KaderFout, display_path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def write_atomic(path: Path, text: str | bytes, force: bool, bom: bool = False, inputs: tuple = ()) -> None:
    """Write text (UTF-8, with a BOM if asked) or bytes (as they are, e.g. XLSX) to path via a temporary
    file in the same folder and an atomic rename.

    A symlink is followed (its target is replaced, the link stays); the new file gets the old
    file's permissions, or the usual ones for a new file (0666 minus the umask)."""
    path = Path(path)
    shown = display_path(path)
    if any(_same_file(path, Path(i)) for i in inputs):
        raise KaderFout.single("dit is een invoerbestand van deze opdracht; dat wordt nooit overschreven",
                               file=shown, field="-o", hint="Kies een andere naam voor de uitvoer.")
    target = path.resolve() if path.is_symlink() else path
    if target.is_dir():
        raise KaderFout.single("dit is een map", file=shown, field="-o", hint="Geef een bestandsnaam op.")
    exists = target.exists()
    if exists and not force:
        raise KaderFout.single("bestand bestaat al en wordt niet overschreven", file=shown, field="-o",
                               hint="Kies een andere naam, of gebruik --force om het te overschrijven.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise KaderFout.single("de map voor dit bestand bestaat niet", file=shown, field="-o",
                               hint="Maak de map eerst aan of kies een ander pad.")
    if exists:
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    data = bytes(text) if isinstance(text, (bytes, bytearray)) else text.encode("utf-8-sig" if bom else "utf-8")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kadertoets-", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if not force:
            # no --force: refuse atomically if the file appeared in the meantime
            try:
                os.link(tmp, target)
                os.unlink(tmp)
            except FileExistsError:
                raise KaderFout.single("bestand bestaat al en wordt niet overschreven", file=shown, field="-o",
                                       hint="Kies een andere naam, of gebruik --force om het te overschrijven.") from None
            except OSError:  # a file system without hard links: fall back to a plain rename
                os.replace(tmp, target)
        else:
            os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise KaderFout.single(f"schrijven mislukt ({exc.strerror or exc})", file=shown, field="-o",
                               hint="Controleer of de map bestaat en schrijfbaar is, en of er schijfruimte is.") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
