"""The viewer's commands: shows, episodes, what, search."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cuesheet import lookup
from cuesheet.cli.common import DbOption, JsonOption, NlOption, open_db_readonly as open_db
from cuesheet.cli.output import console, emit, friendly_errors, note

app = typer.Typer()


@app.command("shows")
def shows_command(db: DbOption = None, json_: JsonOption = False, nl: NlOption = False) -> None:
    """List the shows in the database."""
    with friendly_errors():
        conn = open_db(db).conn
        rows = lookup.shows(conn)

    def render(rows: list[dict]) -> None:
        table = Table("show", "year", "network", "seasons", "episodes", "cues", "songs", "also known as")
        for r in rows:
            table.add_row(r["name"], str(r["year"] or ""), r["network"] or "", str(r["seasons"]),
                          str(r["episodes"]), str(r["cues"]), str(r["songs"]), ", ".join(r["aliases"]))
        console.print(table)

    emit(rows, as_json=json_, nl=nl, render=render)


@app.command("episodes")
def episodes_command(
    show: Annotated[str, typer.Argument(help="Show name; typos and extra words are fine.")],
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """List a show's episodes with how many cues each has."""
    with friendly_errors():
        conn = open_db(db).conn
        ref = lookup.find_show(conn, show)
        rows = lookup.episodes(conn, ref)

    def render(rows: list[dict]) -> None:
        table = Table("episode", "title", "cues", "songs", "aired", "complete", title=ref.name)
        for r in rows:
            table.add_row(r["code"], r["episode_title"], str(r["cues"]), str(r["songs"]),
                          r["air_date"] or "", "yes" if r["complete"] else "not yet")
        console.print(table)
        if any(not r["complete"] for r in rows):
            note("Episodes marked 'not yet' may have songs nobody has catalogued yet.")

    emit(rows, as_json=json_, nl=nl, render=render)


@app.command("what")
def what_command(
    show: Annotated[str, typer.Argument(help="Show name (`soundtrack`, `Soundtrak`, `netflix soundtrack`).")],
    episode: Annotated[str, typer.Argument(help="Episode: 3, S01E03, s1e3, 1x03, 'Track 3' or title words.")],
    words: Annotated[Optional[list[str]], typer.Argument(help="The scene, lyric or title words you remember.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="A time in the episode: 23:10, 1:02:03, 23m10s.")] = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """What song is this? The cue that fits your words or time, or the episode's whole cue sheet."""
    with friendly_errors():
        conn = open_db(db).conn
        result = lookup.what(conn, show, episode, " ".join(words or []) or None, at)

    def render(items: list[lookup.Answer]) -> None:
        ep = result.episode
        title = f"{ep.show.name} {ep.code} — {ep.title}"
        if result.mode == "sheet":
            render_answers(items, title=title)
            note(f"{len(items)} cues known; the episode may have more. Ask with words or --at to rank them.")
        else:
            render_answers(items, title=title, scored=True)

    emit(result.answers, as_json=json_, nl=nl, render=render)


@app.command("search")
def search_command(
    words: Annotated[list[str], typer.Argument(help="Song, artist, performer, scene or lyric words.")],
    show: Annotated[Optional[str], typer.Option("--show", help="Only this show.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many answers.")] = 10,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Search every episode by song, artist, performer, scene or half-remembered words."""
    query = " ".join(words)
    with friendly_errors():
        conn = open_db(db).conn
        found = lookup.search(conn, query, show, limit=limit)

    def render(items: list[lookup.Answer]) -> None:
        if not items:
            note(f"nothing matches {query!r}; try fewer or other words.")
            return
        render_answers(items, title=f"search: {query}", scored=True, with_episode=True)

    emit(found, as_json=json_, nl=nl, render=render)
    if not found:
        raise typer.Exit(1)


def _people(performers: list[dict]) -> str:
    parts = []
    for p in performers:
        who = p.get("character") or p.get("actor") or "?"
        if p.get("character") and p.get("actor"):
            who = f"{p['character']} ({p['actor']})"
        parts.append(who + (" (inferred)" if p.get("inferred") else ""))
    return ", ".join(parts)


def answer_card(a: lookup.Answer, *, scored: bool = False, with_episode: bool = False) -> Group:
    """One cue as a few lines a person reads top-down; narrow terminals wrap it indented."""
    out = Text()
    head = f"{a.cue:>3}" + (" " if a.order_confirmed else "*")
    out.append(head, style="bold")
    if with_episode:
        out.append(f" {a.code} {a.episode_title} ·", style="cyan")
    if a.time_in:
        out.append(f" {a.time_in}" + (f"–{a.time_out}" if a.time_out else ""), style="green")
        if a.distance_ms:
            out.append(f" ({a.distance} away)", style="green")
        out.append(" ·")
    out.append(f" {a.kind}", style="magenta")
    if a.usage:
        out.append(f" ({a.usage})", style="dim")
    if scored and a.score is not None:
        out.append(f"  score {a.score:.2f}", style="dim")
    header, out = out, Text()
    for i, song in enumerate(a.songs):
        if i:
            out.append("\n" + ("+ " if a.kind == "mashup" else ""))
        out.append(song.title or song.text, style="bold")
        if song.artist:
            out.append(f" — {song.artist}")
        extra = ", ".join(str(x) for x in (song.version, song.album, song.year) if x)
        if extra:
            out.append(f" ({extra})", style="dim")
        if song.performers:
            out.append(f" · {_people(song.performers)}", style="italic")
        for name in ("spotify", "musicbrainz"):
            if name in song.links:
                out.append(f"\n  {song.links[name]}", style="cyan")
    if a.performers:
        out.append(f"\nperformed by {_people(a.performers)}", style="italic")
    if a.scene:
        out.append(f"\n{a.scene}")
    for c in a.conflicts:
        values = " · ".join(f"{v['value']} ({', '.join(v['sources'])})" for v in c["values"])
        what = f"{c['field']} of {c['song']}" if c.get("song") and len(a.songs) > 1 else c["field"]
        out.append(f"\n⚠ sources disagree on {what}: {values}", style="yellow")
    return Group(header, Padding(out, (0, 0, 0, 5), expand=False))


def render_answers(
    items: list[lookup.Answer], *, title: str, scored: bool = False, with_episode: bool = False
) -> None:
    console.print(Text(title, style="bold underline"))
    for a in items:
        console.print()
        console.print(answer_card(a, scored=scored, with_episode=with_episode))
    console.print()
    if any(not a.order_confirmed for a in items):
        note("* numbered in a source's song list order; the scene order is not confirmed.")
