"""The command line: parses, calls the library, renders. No logic of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cuesheet import __version__
from cuesheet.cli import cue, curator, export, matching, sources, viewer, web
from cuesheet.cli.common import DbOption
from cuesheet.cli.output import console, friendly_errors

app = typer.Typer(
    name="cuesheet",
    help="What song is this? A soundtrack cue catalog and song identifier.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.registered_commands += viewer.app.registered_commands
app.registered_commands += matching.app.registered_commands
app.registered_commands += web.app.registered_commands
app.registered_commands += curator.app.registered_commands
app.add_typer(matching.catalog_app, name="catalog")
app.add_typer(export.app)
app.add_typer(sources.cache_app, name="cache")
app.add_typer(sources.config_app, name="config")
app.add_typer(cue.app, name="cue")
app.add_typer(curator.review_app, name="review")


def _version(value: bool) -> None:
    if value:
        console.print(f"cuesheet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """What song is this? A soundtrack cue catalog and song identifier."""


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
        f"Built {report.path}: {report.shows} show(s), {report.episodes} episodes, "
        f"{report.cues} cues, {report.songs} songs, {report.recordings} catalog recordings "
        f"({report.linked} songs linked to a recording)."
    )


def main() -> None:
    app()
