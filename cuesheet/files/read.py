"""Reading the files users give us, bounded, with errors that name the file.

The one reader of every input: files, devices, pipes and stdin are read in chunks up
to a limit (cuesheet/notation/limits.py), so /dev/zero, a pipe that never ends or a 50 MB line
is refused after reading the limit, never held whole in memory first.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cuesheet.notation import limits
from cuesheet.errors import InputError

_CHUNK = 1 << 16


def size_words(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def read_stream(stream: BinaryIO, name: str, limit: int = limits.FILE, what: str = "a file") -> bytes:
    """At most `limit` bytes of `stream`; one more byte is a located error."""
    chunks, total = [], 0
    try:
        while total <= limit:
            chunk = stream.read(min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=name) from None
    if total > limit:
        raise InputError(f"is larger than {size_words(limit)}, the most {what} may be", file=name,
                         remedy="is it the right file? a device or a pipe that never ends is refused")
    return b"".join(chunks)


def read_bytes(path: Path, limit: int = limits.FILE, what: str = "a file") -> bytes:
    """The bytes of a file (or a FIFO, or a device), bounded; a missing file or a folder is one line."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(_why(exc), file=str(path)) from None
    if stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("is a folder, not a file", file=str(path))
    with os.fdopen(fd, "rb", buffering=0) as stream:
        return read_stream(stream, str(path), limit, what)  # type: ignore[arg-type]


def _why(exc: OSError) -> str:
    """strerror in the words the rest of cuesheet uses (a loop of symlinks, a name too long)."""
    import errno

    return {errno.ENOENT: "no such file", errno.EISDIR: "is a folder, not a file",
            errno.ELOOP: "a loop of symbolic links", errno.ENAMETOOLONG: "the name is too long"}.get(
        exc.errno or 0, exc.strerror or str(exc))


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a spreadsheet's BOM tolerated); bad bytes are one located line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=name) from None


def read_text(path: Path, limit: int = limits.FILE, what: str = "a file") -> str:
    """UTF-8 text, bounded; bad bytes or a missing file is one located line."""
    return decode(read_bytes(path, limit, what), str(path))


def bounded_lines(stream: BinaryIO, name: str, limit: int = limits.LINE) -> Iterator[bytes]:
    """The lines of a stream, each with its end, split at \\n, \\r\\n or a lone \\r (a classic Mac
    file's), none longer than `limit`: a 50 MB line is refused after `limit` bytes, located."""
    pending = b""
    line = 0
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - OSError, a decompressor's or tarfile's error
            # A damaged or cut-short file (an interrupted download): one located line.
            raise InputError(f"cannot read past line {line}: damaged or cut short ({type(exc).__name__}: {exc})",
                             file=name, line=line + 1) from None
        if not chunk:
            break
        pending += chunk
        parts = pending.splitlines(keepends=True)
        # The last part may continue in the next chunk (a \\r may be the first half of \\r\\n).
        pending = parts.pop() if parts and not (parts[-1].endswith(b"\n")) else b""
        for part in parts:
            line += 1
            yield part
        if len(pending) > limit:
            raise InputError(f"a line longer than {size_words(limit)}; is it the right file?",
                             file=name, line=line + 1)
    if pending:
        yield pending


def read_text_lines(path: Path) -> tuple[str, list[InputError]]:
    """UTF-8 text whose undecodable bytes are reported by line (one error per line) and
    read as U+FFFD, so every other problem in the file can be found in the same run."""
    data = read_bytes(path, limits.CUE_SHEET_FILE, "a cue sheet")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    errors, lines = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            errors.append(InputError(f"not UTF-8 text (byte {exc.start + 1} of the line)", file=str(path),
                                     line=number, remedy="save the file as UTF-8"))
            lines.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(lines), errors
