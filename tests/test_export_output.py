"""`-o`: the whole file or nothing for a regular file, and never a regular file in place of a device,
FIFO or symlink (issue #15). Device nodes are made in tmp_path with mknod, so a bug here could only
replace a test's own node, never the real /dev/null or /dev/full."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.errors import CuesheetError
from cuesheet.export import output
from cuesheet.export.output import write_output

from .export_support import tiny_db, tiny_db_file  # noqa: F401 (fixtures)

runner = CliRunner()


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def test_writes_the_whole_text_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "list.m3u8"
    write_output(target, "#EXTM3U\nrow\r\n")
    assert read(target) == "#EXTM3U\nrow\r\n"  # newlines untouched (CSV needs its CRLF)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["list.m3u8"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_text("old")
    write_output(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["list.csv"]


def test_a_failed_write_leaves_no_file_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", disk_full)
    target = tmp_path / "list.xspf"
    with pytest.raises(CuesheetError, match="cannot write .*no space left on the device"):
        write_output(target, "<playlist/>")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "list.json"
    target.write_text('{"old": true}')

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(CuesheetError, match="Permission denied"):
        write_output(target, '{"new": true}')
    assert target.read_text() == '{"old": true}'
    assert os.listdir(tmp_path) == ["list.json"]


def test_an_interrupt_mid_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(tmp_path / "list.m3u8", "#EXTM3U\n")
    assert os.listdir(tmp_path) == []


# --- what else a path can name -----------------------------------------------------------


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device node of our own: 1,3 is null, 1,7 is full (Linux mem devices)."""
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root (CI runs as root)")
    return path


def test_a_device_is_written_through_never_replaced(tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    write_output(null, "#EXTM3U\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["null"]


def test_a_full_device_is_one_clear_error_and_stays_a_device(tmp_path: Path) -> None:
    full = device(tmp_path, "full", 7)
    with pytest.raises(CuesheetError, match=r"^cannot write .*full: no space left on the device$"):
        write_output(full, "#EXTM3U\n" * 10_000)
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["full"]


def test_the_cli_on_a_full_device_exits_1_with_one_line(tiny_db: Path, tmp_path: Path) -> None:
    full = device(tmp_path, "full", 7)
    result = runner.invoke(app, ["export", "playlist", "tiny", "-o", str(full), "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: cannot write {full}: no space left on the device"]
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def through_fifo(fifo: Path, path: Path, text: str) -> list[str]:
    """Write `text` to `path` while a reader drains `fifo`; what the reader got."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(read(fifo)), daemon=True)
    reader.start()
    write_output(path, text)
    reader.join(timeout=10)
    return got


def test_a_fifo_is_written_through_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert through_fifo(fifo, fifo, "#EXTM3U\nline\n") == ["#EXTM3U\nline\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_symlink_stays_a_link_and_its_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "list.m3u8"
    real.write_text("old")
    link = tmp_path / "link.m3u8"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert os.listdir(tmp_path / "real") == ["list.m3u8"]  # no temporary file by the target
    assert sorted(os.listdir(tmp_path)) == ["link.m3u8", "real"]


def test_a_symlink_to_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.csv"
    link.symlink_to(fifo)
    assert through_fifo(fifo, link, "a,b\r\n") == ["a,b\r\n"]
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "made.json")
    write_output(link, "{}")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "{}"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        with pytest.raises(CuesheetError, match="it is a socket"):
            write_output(path, "x")
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.parametrize("make", ["missing-folder", "is-a-folder", "too-long", "proc"])
def test_bad_targets_are_one_clear_error(tmp_path: Path, make: str) -> None:
    target = {
        "missing-folder": tmp_path / "nope" / "x.m3u8",
        "is-a-folder": tmp_path,
        "too-long": tmp_path / ("a" * 300 + ".m3u8"),
        "proc": Path("/proc/version"),
    }[make]
    with pytest.raises(CuesheetError, match=f"^cannot write {target}: ") as caught:
        write_output(target, "x")
    assert "\n" not in str(caught.value)
    if make == "too-long":
        assert "the name is too long" in str(caught.value)
    assert os.listdir(tmp_path) == []


def test_a_long_name_that_fits_is_written(tmp_path: Path) -> None:
    """The temporary name is short, so any name the file system takes works."""
    target = tmp_path / ("a" * 250 + ".csv")
    write_output(target, "x")
    assert os.listdir(tmp_path) == [target.name]


def test_an_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/self/new.m3u8")  # root may write anywhere but in /proc
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "x.m3u8"
    with pytest.raises(CuesheetError, match=r"^cannot write .*: cannot create a file in "):
        write_output(target, "x")


@pytest.mark.parametrize("where", ["/proc/version", "/proc/self/nope/x.csv"])
def test_the_cli_says_one_line_for_proc(tiny_db: Path, where: str) -> None:
    result = runner.invoke(app, ["export", "playlist", "tiny", "-o", where, "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"error: cannot write {where}")
    assert "Traceback" not in result.output


# --- standard output ---------------------------------------------------------------------


def run_cli(args: list[str], stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cuesheet", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=60, check=False)


def test_stdout_on_a_full_device_is_one_line(tiny_db: Path, tmp_path: Path) -> None:
    full = device(tmp_path, "full", 7)
    with open(full, "w") as sink:
        done = run_cli(["export", "playlist", "tiny", "--db", str(tiny_db)], sink.fileno())
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["error: cannot write stdout: no space left on the device"]


def test_a_reader_that_stops_early_is_no_error(tiny_db: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: nobody reads
    try:
        done = run_cli(["export", "playlist", "tiny", "-f", "json", "--db", str(tiny_db)], write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
