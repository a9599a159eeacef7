"""`cuesheet build`: the database from cue sheet files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cuesheet.cli.common import DbOption
from cuesheet.cli.output import console, friendly_errors
from cuesheet.plural import plural

app = typer.Typer()


@app.command("build")
def build_command(
    source: Annotated[
        Path, typer.Option("--from", help="Folder of cue sheet files (one folder per show).")
    ] = Path("data"),
    db: DbOption = None,
) -> None:
    """Build the database from cue sheet files, all or nothing."""
    from cuesheet import build, db as dbmod

    with friendly_errors():
        report = build.build(source, dbmod.resolve_path(db))
    console.print(
        f"Built {report.path}: {plural(report.shows, 'show')}, {plural(report.episodes, 'episode')}, "
        f"{plural(report.cues, 'cue')}, {plural(report.songs, 'song')}, "
        f"{plural(report.recordings, 'catalog recording')} "
        f"({plural(report.linked, 'song')} linked to a recording)."
    )
