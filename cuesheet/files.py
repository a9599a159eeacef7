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
