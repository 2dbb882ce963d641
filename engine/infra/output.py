"""Writing output files safely: never half a file, never over an existing file without --force,
never over one of the command's own input files (not even with --force), never anything but a
regular file, and no temporary file left behind.

What `-o PATH` may name:
- a new name in an existing folder: the file is created;
- an existing regular file: refused without --force; with --force replaced, keeping its permissions;
- a symlink to a regular file: treated as that file (with --force its target is replaced, the link stays);
- a dangling symlink (or a symlink loop): refused without --force, as an existing file is; with --force
  the link itself is replaced by a regular file. The link's target is never created: writing through
  a dangling link could create a file wherever the link points (the planted-link trap in shared folders);
- a folder, a device (/dev/null!), a FIFO or a socket, directly or behind a symlink: always refused, also
  with --force: replacing a device node with a regular file breaks the system for everyone;
- one of the command's input files: always refused.

How the file is written: on Linux into an anonymous file (O_TMPFILE) in the target folder, which gets a
name only when it is complete and synced. A process killed at any moment (kill -9 included, which no
`finally` survives) leaves nothing: the kernel frees an anonymous file with its last descriptor. Where
O_TMPFILE is not available, a named temporary file `.kadertoets-<pid>-<random>.tmp` is used and removed
on every error and on Ctrl-C; one left by a killed process is removed by the next write into that
folder (only when its process is gone, it belongs to the same user and it is over a minute old)."""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from kadertoets.infra.errors import KaderFout, display_path, os_reason
from kadertoets.infra.cli_names import suggest

PREFIX = ".kadertoets-"
# Temporary names carry the writer's process id, so a later write can tell a leftover from a
# write in progress. Older versions used `.kadertoets-` plus eight random characters.
_TEMP_NAME = re.compile(re.escape(PREFIX) + r"(\d{1,10})-[a-z0-9_]+\.tmp")
_LEGACY_NAME = re.compile(re.escape(PREFIX) + r"[a-z0-9_]{8}")
STALE_AFTER = 60  # seconds: a temporary file younger than this is never removed by another writer
_LEGACY_STALE_AFTER = 3600  # without a process id only age tells, so wait longer

_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_O_PATH = getattr(os, "O_PATH", 0)
# open(O_TMPFILE) where the kernel or the file system cannot: fall back to a named temporary file
_NO_TMPFILE = frozenset({errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT})
# linking the anonymous file via /proc is impossible (no /proc, no hard links): fall back likewise
_NO_LINK = frozenset({errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK})

_KINDS = ((stat.S_ISCHR, "een apparaat"), (stat.S_ISBLK, "een apparaat"), (stat.S_ISFIFO, "een pijp (FIFO)"),
          (stat.S_ISSOCK, "een socket"))


class _Target(NamedTuple):  # not a dataclass: that costs half a millisecond at every start-up
    """Where the new file goes: the name that gets it, and the permissions it gets."""

    path: Path
    mode: int


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refuse(message: str, shown: str, hint: str) -> KaderFout:
    return KaderFout.single(message, file=shown, field="-o", hint=hint)


def _exists_error(shown: str) -> KaderFout:
    return _refuse("bestand bestaat al en wordt niet overschreven", shown,
                   f"Kies een andere naam, of gebruik {suggest('--overschrijf')} om het te overschrijven.")


def _kind_name(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "geen gewoon bestand")


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _dangling(path: Path, force: bool, shown: str) -> _Target:
    if not force:
        raise _refuse("hier staat al een symbolische koppeling (naar een bestand dat niet bestaat); die wordt "
                      "niet overschreven", shown,
                      f"Kies een andere naam, of gebruik {suggest('--overschrijf')} om de koppeling zelf te vervangen door het "
                      "bestand (het doel van de koppeling wordt nooit aangemaakt).")
    return _Target(path, _new_file_mode())


def _target(path: Path, force: bool, shown: str) -> _Target:
    """What writing to `path` would replace, refused unless it is a new name or a regular file
    (see the module docstring)."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return _Target(path, _new_file_mode())
    linked = stat.S_ISLNK(info.st_mode)
    if linked:
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                return _dangling(path, force, shown)
            raise
    if stat.S_ISDIR(info.st_mode):
        raise _refuse("dit is een map", shown, "Geef een bestandsnaam op.")
    if not stat.S_ISREG(info.st_mode):
        where = "dit verwijst naar" if linked else "dit is"
        raise _refuse(f"{where} {_kind_name(info.st_mode)}, geen gewoon bestand; uitvoer wordt alleen naar een "
                      "gewoon bestand geschreven", shown,
                      "Kies een gewone bestandsnaam; een apparaat, pijp of socket wordt nooit vervangen, ook niet "
                      f"met {suggest('--overschrijf')}. Wilt u de uitvoer op het scherm, laat -o dan weg.")
    if not force:
        raise _exists_error(shown)
    return _Target(path.resolve() if linked else path, stat.S_IMODE(info.st_mode))


def check_target(path: Path, force: bool) -> None:
    """Refuse now what write_atomic(path, ..., force) would refuse, without writing anything: for a
    command that writes several files, so that it writes all of them or none."""
    path = Path(path)
    shown = display_path(path)
    try:
        _target(path, force, shown)
    except OSError as exc:
        raise _refuse(f"schrijven mislukt ({os_reason(exc)})", shown,
                      "Controleer of de map bestaat en schrijfbaar is.") from None


def _encoded(pieces: Iterable[str], bom: bool) -> Iterator[bytes]:
    """Text pieces as UTF-8 bytes, a BOM before the first when asked."""
    if bom:
        yield b"\xef\xbb\xbf"
    for piece in pieces:
        if piece:
            yield piece.encode("utf-8")


def write_atomic(path: Path, text: str | bytes | Iterable[str], force: bool, bom: bool = False,
                 inputs: tuple = ()) -> None:
    """Write text (UTF-8, with a BOM if asked), bytes (as they are, e.g. XLSX) or text in pieces (an
    iterable of str, written as they come: a big document need not be whole in memory) to path,
    atomically: readers see the old file or the complete new one, never a part (also when making the
    pieces fails halfway: the temporary file is then dropped).

    Which paths are accepted and what --force does to each is in the module docstring. The new file
    gets the replaced file's permissions, or the usual ones for a new file (0666 minus the umask)."""
    path = Path(path)
    shown = display_path(path)
    if any(_same_file(path, Path(i)) for i in inputs):
        raise _refuse("dit is een invoerbestand van deze opdracht; dat wordt nooit overschreven", shown,
                      "Kies een andere naam voor de uitvoer.")
    try:
        target = _target(path, force, shown)
        folder = target.path.parent
        if not folder.is_dir():
            raise _refuse("de map voor dit bestand bestaat niet", shown, "Maak de map eerst aan of kies een ander pad.")
        if isinstance(text, (bytes, bytearray)):
            data = bytes(text)
        elif isinstance(text, str):
            data = text.encode("utf-8-sig" if bom else "utf-8")
        else:
            data = _encoded(text, bom)
        remove_stale_temporaries(folder)
        if not _write_anonymous(target, data, force, shown):
            _write_named(target, data, force, shown)
    except OSError as exc:
        raise _refuse(f"schrijven mislukt ({os_reason(exc)})", shown,
                      "Controleer of de map bestaat en schrijfbaar is, en of er schijfruimte is.") from None


def _fill(fd: int, data: bytes | Iterator[bytes], mode: int | None) -> None:
    """Write all of data (bytes, or pieces of bytes) to fd, set the permissions (when given) and sync it
    to disk."""
    for piece in ((data,) if isinstance(data, bytes) else data):
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view):]
    if mode is not None:
        os.fchmod(fd, mode)
    os.fsync(fd)


def temporary_name() -> str:
    """A name for a temporary file that remove_stale_temporaries recognises (and clears once its writer is gone)."""
    return f"{PREFIX}{os.getpid()}-{os.urandom(6).hex()}.tmp"


def _write_anonymous(target: _Target, data: bytes, force: bool, shown: str) -> bool:
    """Write through an O_TMPFILE file linked into place when complete (Linux). False when that is not
    possible here, before anything was made visible: the caller then uses a named temporary file."""
    if not (_O_TMPFILE and _O_PATH):
        return False
    name = target.path.name
    folder_fd = os.open(target.path.parent, _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:  # readable too: pieces once written cannot be made again, but can be read back (below)
            fd = os.open(".", _O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600, dir_fd=folder_fd)
        except OSError as exc:
            if exc.errno in _NO_TMPFILE:
                return False
            raise
        try:
            _fill(fd, data, target.mode)
            # linkat(AT_SYMLINK_FOLLOW) of the /proc entry names the anonymous file; passing dst_dir_fd
            # makes Python call linkat (plain link() cannot follow the /proc link: EXDEV).
            source = f"/proc/self/fd/{fd}"
            linked = _link_new(source, name, folder_fd, shown) if not force else _link_replace(source, name, folder_fd)
            if not linked and not isinstance(data, bytes):  # the pieces are spent: the named file gets them from here
                _write_named(target, _read_back(fd), force, shown)
                return True
            return linked
        finally:
            os.close(fd)
    finally:
        os.close(folder_fd)


def _read_back(fd: int, size: int = 1 << 20) -> Iterator[bytes]:
    """What was written to fd, in blocks."""
    offset = 0
    while True:
        block = os.pread(fd, size, offset)
        if not block:
            return
        offset += len(block)
        yield block


def _link_new(source: str, name: str, folder_fd: int, shown: str) -> bool:
    """Give the complete file its name, refusing (race-free) if that name exists by now."""
    try:
        os.link(source, name, dst_dir_fd=folder_fd, follow_symlinks=True)
    except FileExistsError:
        raise _exists_error(shown) from None
    except OSError as exc:
        if exc.errno in _NO_LINK:
            return False
        raise
    return True


def _link_replace(source: str, name: str, folder_fd: int) -> bool:
    """Replace name by the complete file: link it under a temporary name, then rename over name. Only a
    kill between those two calls leaves a (complete) temporary file, which a later write removes."""
    for _ in range(5):
        temp = temporary_name()
        try:
            os.link(source, temp, dst_dir_fd=folder_fd, follow_symlinks=True)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno in _NO_LINK:
                return False
            raise
    else:  # pragma: no cover - five random 48-bit names all taken
        raise FileExistsError(errno.EEXIST, "temporary name taken")
    try:
        os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        _unlink_quietly(temp, folder_fd)
        raise
    return True


def _write_named(target: _Target, data: bytes, force: bool, shown: str) -> None:
    """Write through a named temporary file and a rename (where O_TMPFILE is not available)."""
    import tempfile  # here, not at the top: only this fallback needs it (start-up of every command)

    fd, temp = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".tmp", dir=target.path.parent)
    try:
        try:
            _fill(fd, data, None)
        finally:
            os.close(fd)
        os.chmod(temp, target.mode)
        if force:
            os.replace(temp, target.path)
            temp = None
            return
        try:  # no --force: refuse atomically if the file appeared in the meantime
            os.link(temp, target.path)
        except FileExistsError:
            raise _exists_error(shown) from None
        except OSError:  # a file system without hard links: a last check, then a plain rename
            if os.path.lexists(target.path):
                raise _exists_error(shown) from None
            os.replace(temp, target.path)
            temp = None
    finally:
        if temp is not None:
            _unlink_quietly(temp)


def _unlink_quietly(name: str, folder_fd: int | None = None) -> None:
    try:
        os.unlink(name, dir_fd=folder_fd)
    except OSError:
        pass


def _process_gone(pid: int) -> bool:
    """True only when no process with this id exists (a process of another user counts as alive)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def remove_stale_temporaries(folder: Path, now: float | None = None) -> None:
    """Remove temporary files that killed writers left in folder: only regular files of this user, named
    by a process that no longer exists (or by an older version, after an hour), untouched for a minute.
    Never raises: cleaning up must not stop the write it precedes."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows; no O_TMPFILE there either
        return
    now = time.time() if now is None else now
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(PREFIX):
                    _remove_if_stale(entry, now)
    except OSError:
        pass


def _remove_if_stale(entry: os.DirEntry, now: float) -> None:
    match = _TEMP_NAME.fullmatch(entry.name)
    if match:
        if not _process_gone(int(match.group(1))):
            return
        age = STALE_AFTER
    elif _LEGACY_NAME.fullmatch(entry.name):
        age = _LEGACY_STALE_AFTER
    else:
        return
    try:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and now - info.st_mtime >= age:
            os.unlink(entry.path)
    except OSError:
        pass
