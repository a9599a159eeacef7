"""`cuesheet episode set`, `character add/edit`, `source add/edit`: what shows and episodes say
about themselves, edited with history (each change undoable)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from cuesheet.cli.common import DbOption, curator_name, open_db
from cuesheet.cli.cue import _report  # the one-line result with its history id
from cuesheet.cli.output import friendly_errors
from cuesheet.curation.conversation import clearable as _clearable  # '-' clears
from cuesheet.viewer.resolve import find_episode, find_show

episode_app = typer.Typer(help="Edit an episode: complete or not, length, title, air date, notes.",
                          no_args_is_help=True)
character_app = typer.Typer(help="A show's characters: add, edit.", no_args_is_help=True)
source_app = typer.Typer(help="A show's sources (what cues cite): add, edit.", no_args_is_help=True)

ShowArg = Annotated[str, typer.Argument(help="Show name; typos and extra words are fine.")]
CLEARS = "('-' clears)"


@episode_app.command("set")
def episode_set(
    show: ShowArg,
    episode: Annotated[str, typer.Argument(help="Episode: 3, S01E03, 1x03 or title words.")],
    complete: Annotated[Optional[bool], typer.Option(
        "--complete/--not-complete", help="Every cue of the episode is known (or not any more).",
        show_default=False)] = None,
    length: Annotated[Optional[str], typer.Option("--length", help=f"Running time: 52:10, 1:02:03 {CLEARS}.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The episode's title.")] = None,
    air_date: Annotated[Optional[str], typer.Option("--air-date", help=f"First aired, YYYY-MM-DD {CLEARS}.")] = None,
    note_: Annotated[Optional[str], typer.Option("--note", "--notes", help=f"Replaces the episode's notes {CLEARS}.")] = None,
    add_note: Annotated[Optional[str], typer.Option("--add-note", help="Adds a sentence to the episode's notes, keeping what is there.")] = None,
    source: Annotated[Optional[list[str]], typer.Option(
        "--source", help="A source (key from `source add`) stating these facts; repeatable; replaces the"
                         " episode's list ('-' clears).")] = None,
    db: DbOption = None,
) -> None:
    """Set what an episode says about itself; one change in the history."""
    from cuesheet.curation import shows
    from cuesheet.errors import InputError, ParseError
    from cuesheet.notation.timecode import parse_time

    fields: dict[str, Any] = {}
    if complete is not None:
        fields["complete"] = complete
    if title is not None:
        fields["title"] = title
    if air_date is not None:
        fields["air_date"] = _clearable(air_date)
    if note_ is not None and add_note is not None:
        raise typer.BadParameter("--note replaces the notes, --add-note adds to them; give one", param_hint="--add-note")
    if note_ is not None:
        fields["notes"] = _clearable(note_)
    if add_note is not None:
        fields["add_notes"] = add_note
    if source is not None:
        fields["sources"] = [] if [s.strip() for s in source] == ["-"] else [s.strip() for s in source]
    with friendly_errors():
        if length is not None:
            try:
                fields["length_ms"] = None if _clearable(length) is None else parse_time(length)
            except ParseError as exc:
                raise InputError(exc.message, field="--length", remedy=exc.remedy) from None
        if not fields:
            raise InputError("nothing to set", field="episode set",
                             remedy="give --complete/--not-complete, --length, --title, --air-date, --note, --add-note or --source")
        conn = open_db(db).conn
        ep = find_episode(conn, find_show(conn, show), episode)
        done = shows.set_episode(conn, ep, fields, curator_name(), names={
            "air_date": "--air-date", "length": "--length", "title": "--title", "source": "--source"})
    _report(done)


def _character_fields(full_name: str | None, actor: str | None, notes: str | None) -> dict[str, Any]:
    return {k: _clearable(v) for k, v in (("full_name", full_name), ("actor", actor), ("notes", notes))
            if v is not None}


FullName = Annotated[Optional[str], typer.Option("--full-name", help=f"The character's full name {CLEARS}.")]
Actor = Annotated[Optional[str], typer.Option("--actor", help=f"Who plays them {CLEARS}.")]
Notes = Annotated[Optional[str], typer.Option("--notes", help=f"Free text {CLEARS}.")]


@character_app.command("add")
def character_add(show: ShowArg, name: Annotated[str, typer.Argument(help="The character's name, as cues name them.")],
                  full_name: FullName = None, actor: Actor = None, notes: Notes = None,
                  db: DbOption = None) -> None:
    """Add a character; cue prompts then complete the name and fill in the actor."""
    from cuesheet.curation import shows

    with friendly_errors():
        conn = open_db(db).conn
        done = shows.add_character(conn, find_show(conn, show), name,
                                   _character_fields(full_name, actor, notes), curator_name())
    _report(done)


@character_app.command("edit")
def character_edit(show: ShowArg, name: Annotated[str, typer.Argument(help="The character's name.")],
                   rename: Annotated[Optional[str], typer.Option("--name", help="A new name.")] = None,
                   full_name: FullName = None, actor: Actor = None, notes: Notes = None,
                   db: DbOption = None) -> None:
    """Change a character's name, full name, actor or notes."""
    from cuesheet.curation import shows
    from cuesheet.errors import InputError

    fields = _character_fields(full_name, actor, notes)
    with friendly_errors():
        if not fields and rename is None:
            raise InputError("nothing to change", field="character edit",
                             remedy="give --name, --full-name, --actor or --notes")
        conn = open_db(db).conn
        done = shows.edit_character(conn, find_show(conn, show), name, fields, curator_name(), rename=rename)
    _report(done)


def _source_fields(title: str | None, url: str | None, date: str | None) -> dict[str, Any]:
    return {k: _clearable(v) for k, v in (("title", title), ("url", url), ("date", date)) if v is not None}


Key = Annotated[str, typer.Argument(help="The source's key, as cues cite it (a-z, 0-9, '-').")]
STitle = Annotated[Optional[str], typer.Option("--title", help=f"What the source is {CLEARS}.")]
Url = Annotated[Optional[str], typer.Option("--url", help=f"Where it is {CLEARS}.")]
Date = Annotated[Optional[str], typer.Option("--date", help=f"When it was published, YYYY-MM-DD {CLEARS}.")]


@source_app.command("add")
def source_add(show: ShowArg, key: Key, title: STitle = None, url: Url = None, date: Date = None,
               db: DbOption = None) -> None:
    """Add a source cues can cite with --source KEY."""
    from cuesheet.curation import shows

    with friendly_errors():
        conn = open_db(db).conn
        done = shows.set_source(conn, find_show(conn, show), key, _source_fields(title, url, date),
                                curator_name(), add=True)
    _report(done)


@source_app.command("edit")
def source_edit(show: ShowArg, key: Key, title: STitle = None, url: Url = None, date: Date = None,
                db: DbOption = None) -> None:
    """Change a source's title, URL or date."""
    from cuesheet.curation import shows
    from cuesheet.errors import InputError

    fields = _source_fields(title, url, date)
    with friendly_errors():
        if not fields:
            raise InputError("nothing to change", field="source edit", remedy="give --title, --url or --date")
        conn = open_db(db).conn
        done = shows.set_source(conn, find_show(conn, show), key, fields, curator_name(), add=False)
    _report(done)
