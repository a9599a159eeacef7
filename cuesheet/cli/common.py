"""Options every command shares, so their names and help stay one contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cuesheet.db.connection import connect, resolve_path

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
    """Read-write: for commands that change the database (they migrate it in place)."""
    return connect(resolve_path(path), create=create)


def open_db_readonly(path: Path | None):  # type: ignore[no-untyped-def]
    """Read-only: for commands that only read (viewers, check, export); never migrates or writes."""
    return connect(resolve_path(path), readonly=True)

def _check_sources(value: Optional[str]) -> Optional[str]:
    """--source names checked while parsing, so a typo is a usage error (exit 2) like any other."""
    from cuesheet.errors import InputError
    from cuesheet.sources.registry import parse_source_names

    try:
        parse_source_names(value)
    except InputError as exc:
        raise typer.BadParameter(exc.message.removeprefix("--source: ")) from None
    return value


# Shared by identify and match: which metadata sources to ask, and whether to go online.
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Go online to no source: answer from the catalog and the response cache."),
]
SourceOption = Annotated[
    Optional[str],
    typer.Option(
        "--source",
        help="Sources to ask, comma-separated: catalog, musicbrainz, spotify. Default: all.",
        show_default=False,
        callback=_check_sources,
    ),
]
RefreshOption = Annotated[
    bool,
    typer.Option("--refresh", help="Ask the online sources again even when the cache has a fresh answer."),
]


# The curator commands' candidates (cue add, review walk/set) come from the catalog and the
# online sources, as identify's do; --offline keeps them to the catalog and the response cache.
CuratorOfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Candidates from the catalog and the response cache only; go online to no source."),
]


def curator_name() -> str:
    """Who a change is recorded as: the configured curator, else the login name (history.who)."""
    from cuesheet import config
    from cuesheet.db import history

    return history.who(config.load().curator)


def curator_online(conn, *, offline: bool):  # type: ignore[no-untyped-def]
    """The matcher a curator's candidate lists use: the catalog, and MusicBrainz and Spotify
    too; one line for each that stays offline for a reason the curator did not give
    (no credentials, no network). --offline is not echoed back: it was asked for."""
    from cuesheet.cli.output import note
    from cuesheet.curation.matcher import Matcher
    from cuesheet.sources.registry import configured_sources

    online, skipped = configured_sources(conn, offline=offline, online_only=True)
    for reason in [] if offline else skipped:
        note(f"skipped {reason}")
    return Matcher.with_online(conn, online)
