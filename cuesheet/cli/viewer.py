"""The viewer's commands for typer: help, usage errors and the generated reference.

The work is in `cuesheet.cli.viewing` (the fast path `main()` tries first), so
a command typed either way prints the same bytes.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cuesheet.cli import viewing
from cuesheet.cli.cards import rich_card as answer_card  # the name curator commands import
from cuesheet.cli.common import DbOption, JsonOption, NlOption

app = typer.Typer()
__all__ = ["answer_card", "app"]

UptoOption = Annotated[
    Optional[str],
    typer.Option(
        "--upto",
        help="The last episode you have watched (3, S01E03, title words), or one per show "
        "('rpdr s05e03, all stars 7 e2'): nothing from later episodes is shown. Default: $CUESHEET_UPTO, "
        "else the config's [viewer] upto.",
        show_default=False,
    ),
]


def _done(code: int) -> None:
    if code:
        raise typer.Exit(code)


ResultsOption = Annotated[bool, typer.Option(
    "--results", help="Show who won each lip sync and who went home (spoilers; never past --upto).")]

@app.command("shows")
def shows_command(db: DbOption = None, json_: JsonOption = False, nl: NlOption = False) -> None:
    """List the shows in the database."""
    _done(viewing.run_shows(db, json_=json_, nl=nl))


@app.command("episodes")
def episodes_command(
    show: Annotated[str, typer.Argument(help="Show name; typos and extra words are fine.")],
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """List a show's episodes with how many cues each has."""
    _done(viewing.run_episodes(show, db, json_=json_, nl=nl))


@app.command("what")
def what_command(
    show: Annotated[str, typer.Argument(
        help="Show name or alias (`soundtrack`, `Soundtrak`, `rpdr`, `drag race uk`), maybe with its season"
             " (`all stars 7`); several words may go unquoted.")],
    episode: Annotated[str, typer.Argument(
        help="Episode: 3, S01E03, s1e3, 1x03, 'Track 3', 'episode four', pilot, 'last episode' or title words.")],
    words: Annotated[Optional[list[str]], typer.Argument(
        help="The scene, lyric or title words you remember; 'start'/'end' ask for the first or last cue.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="A time in the episode: 23:10, 1:02:03, 23m10s.")] = None,
    upto: UptoOption = None,
    results: ResultsOption = False,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """What song is this? The cue that fits your words or time, or the episode's whole cue sheet.

    No cue fits: exit 1, the reason on stderr, and with --json an empty array on stdout.
    """
    _done(viewing.run_what(show, episode, words, at=at, upto=upto, db=db, json_=json_, nl=nl, results=results))


@app.command("search")
def search_command(
    words: Annotated[list[str], typer.Argument(
        help="Song, artist, character, scene or lyric words; 'ep 4', 'finale', 'cold open' narrow it.")],
    show: Annotated[Optional[str], typer.Option("--show", help="Only this show (or season: `all stars 7`).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many answers.")] = 10,
    upto: UptoOption = None,
    results: ResultsOption = False,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Search every episode by song, artist, performer, scene or half-remembered words.

    No cue fits: exit 1, the reason on stderr, and with --json an empty array on stdout
    (the array holds cue answers only; a catalog hint goes to stderr).
    """
    _done(viewing.run_search(words, show=show, limit=limit, upto=upto, db=db, json_=json_, nl=nl, results=results))
