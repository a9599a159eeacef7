"""`cuesheet export`: playlists, Spotify playlists and music cue sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cuesheet.cli.common import DbOption
from cuesheet.cli.common import open_db_readonly as open_db
from cuesheet.cli.output import err_console, fail, friendly_errors, note
from cuesheet.notation.plural import plural

app = typer.Typer(
    name="export",
    help="Take the catalog elsewhere: playlists, a Spotify playlist, a music cue sheet.",
    no_args_is_help=True,
)

ShowArg = Annotated[str, typer.Argument(help="Show name; typos and extra words are fine.")]
EpisodeArg = Annotated[
    Optional[str],
    typer.Argument(help="One episode (3, S01E03, 'Track 3', title words). Default: every episode."),
]
SeasonOption = Annotated[
    Optional[int], typer.Option("--season", min=1, help="Only this season (instead of an episode).")
]
OriginalsOption = Annotated[
    bool,
    typer.Option("--originals/--no-originals", help="Include cast originals (marked as such)."),
]
MatchedOnlyOption = Annotated[
    bool,
    typer.Option("--matched-only", help="Leave out songs not linked to a recording (counted on stderr)."),
]
OutputOption = Annotated[
    Optional[Path],
    typer.Option("-o", "--output", help="Write to this file (atomically; a device, FIFO or symlink "
                 "is written through, never replaced) instead of stdout.", show_default=False),
]
RawOption = Annotated[
    bool,
    typer.Option("--raw", help="CSV: write cells exactly, without the guard that keeps a spreadsheet "
                 "from reading =, +, -, @ as a formula (for programs, not spreadsheets)."),
]


def _out(path: Path | None) -> Path | None:
    return None if path is None or str(path) == "-" else path


def _stdout(text: str) -> None:
    from cuesheet.export.output import write_stdout

    with friendly_errors():
        write_stdout(text)


@app.command("playlist")
def playlist_command(
    show: ShowArg,
    episode: EpisodeArg = None,
    season: SeasonOption = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="m3u8, xspf, jspf, csv or json. Default: from the -o "
                     "suffix, else m3u8.", show_default=False),
    ] = None,
    output: OutputOption = None,
    originals: OriginalsOption = True,
    matched_only: MatchedOnlyOption = False,
    listenbrainz: Annotated[
        bool,
        typer.Option("--listenbrainz", help="JSPF as ListenBrainz imports it: only songs with a "
                     "MusicBrainz recording id (the others are counted on stderr)."),
    ] = False,
    raw: RawOption = False,
    db: DbOption = None,
) -> None:
    """A playlist of a show's songs in episode and cue order; no songs is an error."""
    from cuesheet.export import export_playlist

    with friendly_errors():
        conn = open_db(db).conn
        result = export_playlist(
            conn, show, episode, season=season, fmt=fmt, output=_out(output),
            originals=originals, matched_only=matched_only, listenbrainz=listenbrainz, raw=raw,
        )
    if result.path is None:
        _stdout(result.text)
    where = f" to {result.path}" if result.path else ""
    note(f"{result.playlist.title}: {result.playlist.summary()} ({result.format}{where})")
    note(result.playlist.real_text())
    for line in result.notes:
        note(line)


@app.command("cuesheet")
def cuesheet_command(
    show: ShowArg,
    episode: Annotated[
        Optional[str],
        typer.Argument(help="The episode (3, S01E03, 'Track 3', title words); or give --season.",
                       show_default=False),
    ] = None,
    season: Annotated[
        Optional[int],
        typer.Option("--season", min=1, help="Every episode of this season: one file per episode "
                     "(SHOW-S01E03-cuesheet.csv ...) in the folder -o names."),
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="csv or json. Default: from the -o suffix, else csv.",
                     show_default=False),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option("-o", "--output", help="Write to this file (with --season: this folder, "
                     "made if its parent exists) instead of stdout.", show_default=False),
    ] = None,
    raw: RawOption = False,
    db: DbOption = None,
) -> None:
    """A music cue sheet for rights reporting: header, one row per song use, empty columns and gaps on stderr."""
    from cuesheet.export import cue_sheet

    target = _out(output)
    if (episode is None) == (season is None):
        raise fail("give one episode or --season N (a cue sheet is per episode; --season writes one "
                   "file for each)", 2)
    if season is not None and target is None:
        raise fail("--season writes one file per episode: give -o FOLDER", 2)
    with friendly_errors():
        conn = open_db(db).conn
        if season is not None:
            assert target is not None
            done = cue_sheet.export_cuesheet_season(conn, show, season, target, fmt=fmt, raw=raw)
            uses = sum(len(f.sheet.rows) for f in done.files)
            note(f"{plural(len(done.files), 'cue sheet')}, {_uses(uses)} "
                 f"({done.files[0].format} to {target})")
            for f in done.files:
                note(f"  {f.path}: {_uses(len(f.sheet.rows))}")
            for line in done.notes:
                note(line)
            return
        assert episode is not None
        result = cue_sheet.export_cuesheet(conn, show, episode, fmt=fmt, output=target, raw=raw)
    if result.path is None:
        _stdout(result.text)
    sheet = result.sheet
    where = f" to {result.path}" if result.path else ""
    note(f"{sheet.production} {sheet.code}: {_uses(len(sheet.rows))} ({result.format}{where})")
    for line in result.notes:
        note(line)


def _uses(n: int) -> str:
    return plural(n, "music use")


@app.command("spotify")
def spotify_command(
    show: ShowArg,
    episode: EpisodeArg = None,
    season: SeasonOption = None,
    name: Annotated[
        Optional[str],
        typer.Option("--name", help="Playlist name. Default: show, episode and title. A second "
                     "run updates the playlist of this name.", show_default=False),
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Make the playlist public.")] = False,
    originals: OriginalsOption = True,
    matched_only: MatchedOnlyOption = False,
    search: Annotated[
        bool,
        typer.Option("--search/--no-search", help="Look up songs without a Spotify id by ISRC, "
                     "then by title and artist."),
    ] = True,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the sign-in page in a browser.")
    ] = True,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print {url, id, added, already_there, not_found, ...} on stdout "
                     "instead of the URL."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Create or update a Spotify playlist of a show's songs (signs you in with PKCE); prints its URL."""
    import json
    import webbrowser

    from cuesheet import config as configmod
    from cuesheet.export import spotify_playlist as spotify
    from cuesheet.export.rows import left_out_text

    def tell(message: str) -> None:
        err_console.print(message, highlight=False, soft_wrap=True, markup=False)

    with friendly_errors():
        conn = open_db(db).conn
        report = spotify.export_show(
            conn, configmod.load(), show, episode, season=season, originals=originals,
            matched_only=matched_only, name=name, public=public, search=search,
            open_url=webbrowser.open if browser else (lambda _url: None), notify=tell,
        )
    _stdout(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n" if as_json
            else f"{report.url}\n")
    verb = "Created" if report.created else "Updated"
    tell(f"{verb} playlist \"{report.name}\": {report.tracks} tracks"
         + (f" ({report.found_by_search} found by search)" if report.found_by_search else "")
         + ("" if report.created else f", {report.added} added, {report.already_there} already there"))
    note(f"{plural(report.by_id, 'track')} added by id (a linked recording's or an accepted claim's), "
         "no search")
    for why, count in report.left_out.items():
        note(left_out_text(why, count))
    if report.unplaced:
        tell(f"{plural(len(report.unplaced), 'song')} could not be placed:")
        for item in report.unplaced:
            tell(f"  {item}")
