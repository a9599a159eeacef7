"""Options every command shares, so their names and help stay one contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cuesheet import db

DbOption = Annotated[
    Optional[Path],
    typer.Option(
        "--db",
        help="Database file. Default: $CUESHEET_DB, else cues.sqlite in the current directory.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array.")]
NlOption = Annotated[bool, typer.Option("--nl", help="Print JSON, one object per line.")]


def open_db(path: Path | None, *, create: bool = False):  # type: ignore[no-untyped-def]
    return db.connect(db.resolve_path(path), create=create)
