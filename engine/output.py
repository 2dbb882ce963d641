"""Writing output files safely: never half a file, never over an existing file without --force."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import KaderFout, display_path


def write_atomic(path: Path, text: str, force: bool, bom: bool = False) -> None:
    """Write text to path via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    shown = display_path(path)
    if path.is_dir():
        raise KaderFout.single("dit is een map", file=shown, field="-o", hint="Geef een bestandsnaam op.")
    if path.exists() and not force:
        raise KaderFout.single("bestand bestaat al en wordt niet overschreven", file=shown, field="-o",
                               hint="Kies een andere naam, of gebruik --force om het te overschrijven.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KaderFout.single("de map voor dit bestand bestaat niet", file=shown, field="-o",
                               hint="Maak de map eerst aan of kies een ander pad.")
    data = text.encode("utf-8-sig" if bom else "utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".kadertoets-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise KaderFout.single(f"schrijven mislukt ({exc.strerror})", file=shown, field="-o") from None
