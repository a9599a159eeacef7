"""Where an export goes with `-o`: safe on every kind of path.

A regular file (or a new name) is written atomically: a temporary file in the
same folder, then a rename, so a reader or a crash sees the old file or the
new one, never half of one. Anything else the path may name is never replaced
by a regular file: a device (`/dev/null`, `/dev/stdout`) or a FIFO is written
through, as the shell's `>` would; a symlink is followed and its target
written (the link stays a link); a socket, block device or folder is refused.
Every failure is one `CuesheetError` line, and no temporary file is left.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from cuesheet.errors import CuesheetError

# Short on purpose: a temporary name derived from a long target name could
# exceed the file system's limit even when the target's own name fits.
TEMP_PREFIX = ".cuesheet-"
TEMP_SUFFIX = ".tmp"


def write_output(path: Path, text: str) -> None:
    """Write `text` to `path` (UTF-8, newlines untouched), whatever kind of path it is."""
    try:
        info = os.stat(path)  # follows a symlink to what it names
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _error(path, exc) from None
    if info is None or stat.S_ISREG(info.st_mode):
        # A symlink (even a dangling one) stays a link: its target is what gets replaced.
        target = Path(os.path.realpath(path)) if os.path.islink(path) else path
        _write_atomic(path, target, text)
    elif stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        _write_through(path, text)
    elif stat.S_ISDIR(info.st_mode):
        raise CuesheetError(f"cannot write {path}: it is a folder", remedy="give a file name")
    else:
        kind = "a block device" if stat.S_ISBLK(info.st_mode) else "a socket" if stat.S_ISSOCK(
            info.st_mode) else "not a regular file"
        raise CuesheetError(f"cannot write {path}: it is {kind}; cuesheet writes files, devices "
                            "such as /dev/null and FIFOs only")


def write_stdout(text: str) -> None:
    """Standard output, with the same care: a full device is one line, a closed pipe ends quietly.

    A reader that stops early (`| head`) closes the pipe: that is not an error,
    so stdout is pointed at /dev/null and Python's last flush stays silent.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except OSError as exc:
        raise _error(Path("stdout"), exc) from None


def _write_through(path: Path, text: str) -> None:
    """A device or FIFO: open it for writing (a FIFO waits for its reader, as `>` does) and write."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
    except OSError as exc:
        raise _error(path, exc) from None


def _write_atomic(shown: Path, target: Path, text: str) -> None:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CuesheetError(f"cannot write {shown}: no folder {folder}", remedy="create it first")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise CuesheetError(
            f"cannot write {shown}: cannot create a file in {folder} ({exc.strerror or exc})"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); an export is an ordinary file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise _error(shown, exc) from None
        raise


def _error(path: Path, exc: OSError) -> CuesheetError:
    why = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        return CuesheetError(f"cannot write {path}: the name is too long", remedy="use a shorter name")
    if exc.errno == errno.ENOSPC:
        return CuesheetError(f"cannot write {path}: no space left on the device")
    return CuesheetError(f"cannot write {path}: {why}")
