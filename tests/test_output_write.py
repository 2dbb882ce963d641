"""Where `-o` may write and what an interrupted write leaves behind (engine/output.py): only regular
files or new names, never a device, FIFO or socket (not even with --force), never through a dangling
symlink, and no temporary file left after Ctrl-C, SIGTERM or kill -9.

Never run against the real /dev/null: every special file here is made inside tmp_path."""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import FIXTURES, MINI
from kadertoets.infra import output
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.output import PREFIX, write_atomic

TEAM = str(FIXTURES / "mini-team.yaml")
K = ["--kader-dir", str(MINI)]
linux_only = pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="O_TMPFILE is Linux-only")


def plan_to(target, *extra):
    result = CliRunner().invoke(cli.main, ["plan", TEAM, *K, "-o", str(target), *extra], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(PREFIX))


def snapshot(folder: Path) -> dict:
    """Name → (kind bits, link text) of everything in folder, without following links."""
    return {p.name: (stat.S_IFMT(os.lstat(p).st_mode), os.readlink(p) if p.is_symlink() else None)
            for p in folder.iterdir()}


# ---- special files: refused with and without --force, nothing created ---------------------------------
def make_fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pijp.md")
    return folder / "pijp.md"


def make_socket(folder: Path) -> Path:
    old = os.getcwd()
    os.chdir(folder)  # a relative name keeps under the 108-byte limit of a socket address
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.bind("sok.md")
    finally:
        os.chdir(old)
    return folder / "sok.md"


def make_device(kind: int, device: tuple[int, int]):
    def make(folder: Path) -> Path:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        try:
            os.mknod(folder / "apparaat.md", kind | 0o666, os.makedev(*device))
        except PermissionError:
            pytest.skip("this container may not make device nodes")
        return folder / "apparaat.md"

    return make


def behind_link(make):
    def made(folder: Path) -> Path:
        node = make(folder)
        os.symlink(node.name, folder / "koppeling.md")
        return folder / "koppeling.md"

    return made


SPECIAL = {
    "fifo": (make_fifo, stat.S_IFIFO, "pijp (FIFO)"),
    "socket": (make_socket, stat.S_IFSOCK, "socket"),
    "tekenapparaat": (make_device(stat.S_IFCHR, (1, 3)), stat.S_IFCHR, "apparaat"),  # what /dev/null is
    "blokapparaat": (make_device(stat.S_IFBLK, (7, 0)), stat.S_IFBLK, "apparaat"),
    "fifo via koppeling": (behind_link(make_fifo), stat.S_IFIFO, "pijp (FIFO)"),
    "apparaat via koppeling": (behind_link(make_device(stat.S_IFCHR, (1, 3))), stat.S_IFCHR, "apparaat"),
}


@pytest.mark.parametrize("force", [False, True], ids=["zonder-force", "met-force"])
@pytest.mark.parametrize("kind", SPECIAL)
def test_special_file_as_output_is_refused_and_left_alone(tmp_path, kind, force):
    make, kind_bits, dutch = SPECIAL[kind]
    node = make(tmp_path)
    before = snapshot(tmp_path)
    result = plan_to(node, *(["--force"] if force else []))
    assert result.exit_code == 2, result.output
    assert f"{node.name}: veld '-o'" in result.stderr
    assert f"{dutch}, geen gewoon bestand" in result.stderr and "ook niet met --overschrijf (of --force)" in result.stderr
    assert snapshot(tmp_path) == before  # nothing replaced, nothing created, no temporary file
    assert stat.S_IFMT(os.stat(node).st_mode) == kind_bits


def test_special_file_refusal_comes_before_any_write(tmp_path, monkeypatch):
    """The refusal is decided on the path alone: nothing is opened, linked or renamed."""
    fifo = make_fifo(tmp_path)
    touched = []

    def spy(name):
        real = getattr(os, name)
        return lambda *args, **kwargs: touched.append(name) or real(*args, **kwargs)

    for name in ("open", "replace", "link", "rename"):
        monkeypatch.setattr(output.os, name, spy(name))
    with pytest.raises(KaderFout) as caught:
        write_atomic(fifo, "x", force=True)
    assert caught.value.problems[0].field == "-o" and touched == []


# ---- symlinks -------------------------------------------------------------------------------------------
def test_dangling_symlink_is_refused_without_force_and_its_target_never_made(tmp_path):
    (tmp_path / "elders").mkdir()
    victim = tmp_path / "elders" / "slachtoffer.md"
    link = tmp_path / "plan.md"
    os.symlink(victim, link)
    result = plan_to(link)
    assert result.exit_code == 2 and "plan.md: veld '-o'" in result.stderr and "--force" in result.stderr
    assert "symbolische koppeling" in result.stderr
    assert os.readlink(link) == str(victim) and not victim.exists()
    assert temporaries(tmp_path) == []


def test_dangling_symlink_with_force_replaces_the_link_itself(tmp_path):
    (tmp_path / "elders").mkdir()
    victim = tmp_path / "elders" / "slachtoffer.md"
    link = tmp_path / "plan.md"
    os.symlink(victim, link)
    result = plan_to(link, "--force")
    assert result.exit_code in (0, 1), result.output
    assert not link.is_symlink() and link.is_file()
    assert link.read_text(encoding="utf-8").startswith("# Transformatieplan Miniteam")
    assert not victim.exists() and list((tmp_path / "elders").iterdir()) == []
    assert stat.S_IMODE(link.stat().st_mode) == 0o666 & ~_umask()


@pytest.mark.parametrize("force", [False, True])
def test_symlink_loop_is_treated_like_a_dangling_link(tmp_path, force):
    os.symlink("b.md", tmp_path / "a.md")
    os.symlink("a.md", tmp_path / "b.md")
    result = plan_to(tmp_path / "a.md", *(["--force"] if force else []))
    if force:
        assert result.exit_code in (0, 1) and (tmp_path / "a.md").is_file() and not (tmp_path / "a.md").is_symlink()
        assert os.readlink(tmp_path / "b.md") == "a.md"
    else:
        assert result.exit_code == 2 and "a.md: veld '-o'" in result.stderr
        assert os.readlink(tmp_path / "a.md") == "b.md"


def test_symlink_to_regular_file_with_force_replaces_the_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "echt.md"
    real.write_text("oud", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "plan.md"
    os.symlink("echt.md", link)
    refused = plan_to(link)
    assert refused.exit_code == 2 and "--force" in refused.stderr and real.read_text(encoding="utf-8") == "oud"
    assert plan_to(link, "--force").exit_code in (0, 1)
    assert os.readlink(link) == "echt.md"
    assert real.read_text(encoding="utf-8").startswith("# Transformatieplan Miniteam")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert temporaries(tmp_path) == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- how the bytes get there ------------------------------------------------------------------------------
@pytest.fixture(params=["anoniem", "benoemd"])
def way(request, monkeypatch, tmp_path):
    """Both ways of writing: the anonymous O_TMPFILE file, and the named temporary file used where the
    kernel or file system has no O_TMPFILE."""
    if request.param == "anoniem":
        if not _tmpfile_works(tmp_path):
            pytest.skip("no O_TMPFILE on this system or file system")
    else:
        monkeypatch.setattr(output, "_O_TMPFILE", 0)
    return request.param


def _tmpfile_works(folder: Path) -> bool:
    if not getattr(os, "O_TMPFILE", 0):
        return False
    try:
        os.close(os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600))
    except OSError:
        return False
    return True


def test_every_way_writes_refuses_and_replaces_like_the_other(tmp_path, way):
    target = tmp_path / "uit.txt"
    write_atomic(target, "één", force=False, bom=True)
    assert target.read_bytes() == b"\xef\xbb\xbf" + "één".encode("utf-8")
    with pytest.raises(KaderFout, match="bestaat al"):
        write_atomic(target, "twee", force=False)
    target.chmod(0o604)
    write_atomic(target, b"\x00drie", force=True)
    assert target.read_bytes() == b"\x00drie" and stat.S_IMODE(target.stat().st_mode) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uit.txt"]


@linux_only
def test_no_named_temporary_file_exists_while_writing_on_linux(tmp_path, monkeypatch):
    if not _tmpfile_works(tmp_path):
        pytest.skip("no O_TMPFILE on this file system")
    seen = []
    real_fsync = os.fsync
    monkeypatch.setattr(output.os, "fsync", lambda fd: seen.append(temporaries(tmp_path)) or real_fsync(fd))
    write_atomic(tmp_path / "nieuw.txt", "x" * 1000, force=False)
    write_atomic(tmp_path / "nieuw.txt", "y" * 1000, force=True)
    assert seen == [[], []]  # the data is in no file with a name until it is complete and synced
    assert (tmp_path / "nieuw.txt").read_text() == "y" * 1000


def test_unsupported_tmpfile_falls_back_to_a_named_file(tmp_path, monkeypatch):
    real_open = os.open

    def no_tmpfile(path, flags, *args, **kwargs):
        if getattr(os, "O_TMPFILE", 0) and flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(errno.EOPNOTSUPP, "not supported")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(output.os, "open", no_tmpfile)
    write_atomic(tmp_path / "uit.txt", "inhoud", force=False)
    assert (tmp_path / "uit.txt").read_text() == "inhoud" and temporaries(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_ctrl_c_during_the_write_leaves_nothing(tmp_path, monkeypatch, way, force):
    target = tmp_path / "uit.txt"
    if force:
        target.write_text("oud")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "nieuw", force=force)
    assert temporaries(tmp_path) == []
    assert (target.read_text() == "oud") if force else not target.exists()


def test_a_file_appearing_during_the_write_is_not_overwritten(tmp_path, monkeypatch, way):
    target = tmp_path / "uit.txt"
    real_fsync = os.fsync

    def someone_else_writes(fd):
        target.write_text("van een ander")
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", someone_else_writes)
    with pytest.raises(KaderFout, match="bestaat al"):
        write_atomic(target, "van ons", force=False)
    assert target.read_text() == "van een ander" and temporaries(tmp_path) == []


# ---- leftovers of killed writers ------------------------------------------------------------------------------
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_writers_are_removed_by_the_next_write(tmp_path):
    dead, now = _dead_pid(), time.time()
    files = {
        f"{PREFIX}{dead}-abc123.tmp": (now - 120, True),  # dead writer, old: removed
        f"{PREFIX}{dead}-def456.tmp": (now - 5, False),  # dead writer, but too recent: kept
        f"{PREFIX}{os.getpid()}-aaa111.tmp": (now - 120, False),  # this process: kept
        f"{PREFIX}{os.getppid()}-bbb222.tmp": (now - 120, False),  # a live process: kept
        f"{PREFIX}k3x9_q2z": (now - 7200, True),  # an older version's name, hours old: removed
        f"{PREFIX}m4w8_p1y": (now - 120, False),  # an older version's name, recent: kept
        f"{PREFIX}notities.md": (now - 7200, False),  # not a temporary name: kept
    }
    for name, (mtime, _) in files.items():
        (tmp_path / name).write_bytes(b"half")
        os.utime(tmp_path / name, (mtime, mtime))
    os.symlink(tmp_path / f"{PREFIX}notities.md", tmp_path / f"{PREFIX}{dead}-ccc333.tmp")  # a link is not ours
    os.utime(tmp_path / f"{PREFIX}{dead}-ccc333.tmp", (now - 120, now - 120), follow_symlinks=False)
    write_atomic(tmp_path / "uit.txt", "x", force=False)
    kept = {name for name, (_, removed) in files.items() if not removed} | {f"{PREFIX}{dead}-ccc333.tmp"}
    assert set(temporaries(tmp_path)) == kept


_WRITER = """
import os, sys
from kadertoets.infra.output import write_atomic
folder, payload = sys.argv[1], b"B" * (4 << 20)
print("klaar", flush=True)
while True:
    write_atomic(os.path.join(folder, "nieuw.bin"), payload, force=False)
    os.unlink(os.path.join(folder, "nieuw.bin"))
    write_atomic(os.path.join(folder, "doel.bin"), payload, force=True)
"""


@pytest.mark.parametrize("fallback", [False, True], ids=["anoniem", "benoemd"])
def test_kill_during_writes_leaves_old_or_complete_files_and_no_temporaries(tmp_path, fallback):
    if not fallback and not _tmpfile_works(tmp_path):
        pytest.skip("no O_TMPFILE on this system or file system")
    payload, old = b"B" * (4 << 20), b"A" * 1000
    (tmp_path / "doel.bin").write_bytes(old)
    script = ("import kadertoets.infra.output; kadertoets.infra.output._O_TMPFILE = 0\n" if fallback else "") + _WRITER
    pids = []
    for run, delay in enumerate([0.0, 0.003, 0.007, 0.012, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1]):
        writer = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"klaar\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL if run % 2 == 0 else signal.SIGTERM)  # neither runs a `finally`
        writer.wait()
        writer.stdout.close()
        pids.append(writer.pid)
        assert (tmp_path / "doel.bin").read_bytes() in (old, payload)
        assert not (tmp_path / "nieuw.bin").exists() or (tmp_path / "nieuw.bin").read_bytes() == payload
        if not fallback:
            # nothing under a temporary name, except (very rarely) a complete file killed between link and rename
            assert all((tmp_path / t).read_bytes() == payload for t in temporaries(tmp_path))
    # whatever a killed writer left is removed by the next write once it is a minute old
    for name in temporaries(tmp_path):
        assert int(name[len(PREFIX):].split("-")[0]) in pids
        os.utime(tmp_path / name, (time.time() - 120,) * 2)
    (tmp_path / "nieuw.bin").unlink(missing_ok=True)
    write_atomic(tmp_path / "nieuw.bin", b"C", force=False)
    assert temporaries(tmp_path) == []
