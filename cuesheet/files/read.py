"""Reading the files users give us, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from cuesheet.errors import InputError


def read_text(path: Path) -> str:
    """UTF-8 text (a spreadsheet's BOM tolerated); bad bytes or a missing file is one located line."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None


def read_text_lines(path: Path) -> tuple[str, list[InputError]]:
    """UTF-8 text whose undecodable bytes are reported by line (one error per line) and
    read as U+FFFD, so every other problem in the file can be found in the same run."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None
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
