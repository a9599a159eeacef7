"""`cuesheet cue`: add, import, list, edit, rm, move and renumber cues."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from cuesheet.cli.common import (
    CuratorOfflineOption,
    DbOption,
    JsonOption,
    NlOption,
    curator_name,
    curator_online,
    open_db,
    open_db_readonly,
)
from cuesheet.cli.output import console, emit, emit_json, err_console, friendly_errors, note
from cuesheet.cli.prompts import Cancelled, PromptOption, TerminalPrompter, cancelled, interactive, missing
from cuesheet.cli.viewer import answer_card
from cuesheet.curation import conversation
from cuesheet.curation import cues as curate
from cuesheet.curation import season_table
from cuesheet.curation.conversation import time_option
from cuesheet.files import cueimport
from cuesheet.model import MatchStatus
from cuesheet.notation.plural import plural
from cuesheet.viewer.answers import answers, episode_cues
from cuesheet.viewer.resolve import find_episode, find_show

app = typer.Typer(
    help="Enter and fix cue sheets: add, import, list, edit, rm, move, renumber.",
    no_args_is_help=True,
)

ShowArg = Annotated[str, typer.Argument(help="Show name; typos and extra words are fine.")]
EpisodeArg = Annotated[str, typer.Argument(help="Episode: 3, S01E03, 1x03 or title words.")]
CueArg = Annotated[int, typer.Argument(help="Cue number in the episode.", min=1)]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking.")]
Prompting = Annotated[Optional[bool], PromptOption]


def _context(db: Path | None, show: str, episode: str):  # type: ignore[no-untyped-def]

    conn = open_db(db).conn
    ep = find_episode(conn, find_show(conn, show), episode)
    return conn, ep, curator_name()


# --- add ---------------------------------------------------------------------------------------


@app.command("add")
# Over 60 lines only by its 28 options; the conversation itself is curation/conversation.py.
def add_command(
    show: ShowArg,
    episode: EpisodeArg,
    number: Annotated[Optional[int], typer.Option("--number", "-n", min=1, help="Cue number. Default: the next free one.")] = None,
    time_in: Annotated[Optional[str], typer.Option("--at", "--time-in", help="When it starts: 12:30, 1:02:03, 12m30s, 00:12:30:12.")] = None,
    time_out: Annotated[Optional[str], typer.Option("--time-out", help="When it ends, in any notation.")] = None,
    scene: Annotated[Optional[str], typer.Option("--scene", help="What happens on screen.")] = None,
    performer: Annotated[Optional[list[str]], typer.Option("--performer", "-p", help="Who performs: 'Sam (Paul James)'; end with ? when inferred. Repeatable.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="lip-sync, mashup, cast-original, background or source.")] = None,
    usage: Annotated[Optional[str], typer.Option("--usage", help="Cue-sheet usage code: VV, BV, BI, VS, MT, ET ...")] = None,
    song: Annotated[Optional[list[str]], typer.Option("--song", "-s", help="A song as heard ('elastic heart sia'). Repeat for a mashup.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The song's title, when you know the parts.")] = None,
    artist: Annotated[Optional[str], typer.Option("--artist", help="The song's artist.")] = None,
    version: Annotated[Optional[str], typer.Option("--version", help="Live, remaster, 2000 re-recording ...")] = None,
    pick: Annotated[Optional[int], typer.Option("--pick", min=1, help="Link candidate N of each song without asking (1 = best).")] = None,
    unknown: Annotated[bool, typer.Option("--unknown", help="A song plays but nobody knows which: say what was heard with --heard.")] = False,
    heard: Annotated[Optional[str], typer.Option("--heard", help="What was heard of the song: \"female voice, 80s synth, chorus 'hold on'\".")] = None,
    confidence: Annotated[Optional[str], typer.Option("--confidence", help="high, medium or low.")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="A source key from show.yaml. Repeatable.")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="Free text.")] = None,
    order: Annotated[str, typer.Option("--order", help="confirmed (scene order known) or list (a source's list order).")] = "confirmed",
    shift: Annotated[bool, typer.Option("--shift", help="If the number is taken, move that cue and the later ones up by one.")] = False,
    yes: YesOption = False,
    prompt: Prompting = None,
    full: Annotated[bool, typer.Option("--full", help="Ask every question the options leave open (number, times, more songs, kind, usage); without it only song, scene, time in and performers are asked.")] = False,
    offline: CuratorOfflineOption = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the new cue as JSON.")] = False,
) -> None:
    """Add a cue: asks for what the options leave out, shows candidates for each song, saves in one go."""
    asking = interactive(prompt) and not yes
    _conflicts(song=song, title=title, artist=artist, version=version, unknown=unknown, pick=pick, heard=heard)
    have_song = bool(song or title or unknown)
    # One rule for every song (named or --unknown): what is not asked is confirmed by --yes;
    # without a terminal and without --yes nothing is saved, as when input ends at a question.
    if not asking and (not have_song or not yes):
        need = [] if have_song else ["--song TEXT (or --title and --artist, or --unknown --heard TEXT)"]
        need += [] if yes else ["--yes"]
        why = "no song given" if yes else ("--no-prompt asks nothing" if prompt is False else "no terminal to ask in")
        raise missing([" and ".join(need)], why)
    if order not in ("confirmed", "list"):
        raise typer.BadParameter("confirmed or list", param_hint="--order")
    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        cast = curate.characters(conn, ep.show.id)
        t_in, t_out = time_option(time_in, "--at"), time_option(time_out, "--time-out")
        performers = curate.parse_performers(performer or [], cast, field_name="--performer")
        unsaid = {"number": number, "time_in": time_in, "time_out": time_out, "scene": scene,
                  "performers": performer, "kind": kind, "usage": usage}
        given = conversation.NewCue(
            number=number, shift=shift, time_in_ms=t_in, time_out_ms=t_out, scene=scene,
            performers=performers, kind=kind, usage=usage, songs=tuple(song or ()), title=title,
            artist=artist, version=version, pick=pick, unknown=unknown, heard=heard, confidence=confidence,
            sources=tuple(source or ()), notes=notes, order_confirmed=order == "confirmed",
            open=frozenset(name for name, value in unsaid.items() if value is None), quick=not full,
        )
        matcher = None
        if asking and not unknown or pick is not None:
            matcher = curator_online(conn, offline=offline)  # the candidates shown or picked
        try:
            done = conversation.add_cue(conn, ep, given, curator, matcher=matcher,
                                        prompter=TerminalPrompter() if asking else None)
        except Cancelled:
            raise cancelled() from None
        [answer] = answers(conn, [done.cue_id])
    _saved(ep, done, answer, json_)


def _saved(ep: Any, done: Any, answer: Any, json_: bool) -> None:
    if json_:
        emit_json([answer])
        return
    console.print(Text(f"Saved {ep.show.name} {ep.code} cue {done.number}", style="bold green"))
    console.print(answer_card(answer))
    for i, s in enumerate(answer.songs, start=1):
        console.print(Text(f"  song {i}: {_status_line(s)}", style="dim"))
    note(f"history #{done.history_id}; `cuesheet undo` takes it back.")


def _conflicts(*, song: Any, title: Any, artist: Any, version: Any, unknown: bool, pick: Any,
               heard: Any) -> None:
    """Options that contradict each other are an error, never a guess (a mashup of --song and --title)."""
    pairs = [
        (bool(song) and bool(title), "--song and --title both name a song; give one (repeat --song for a mashup)"),
        (unknown and bool(song or title or artist or version), "--unknown is a song nobody has named; leave out --song/--title/--artist/--version"),
        (unknown and pick is not None, "--unknown has no candidates to --pick"),
        (bool(artist or version) and not title, "--artist and --version go with --title"),
        (bool(heard) and bool(song) and len(song) > 1, "--heard goes with one song; add the others after"),
    ]
    for bad, message in pairs:
        if bad:
            raise typer.BadParameter(message)


def _status_line(s: Any) -> str:
    if s.status in (MatchStatus.ACCEPTED, MatchStatus.CURATED) and s.recording_id:
        what = f"{s.title} — {s.artist}" + (f" ({s.album}, {s.year})" if s.album and s.year else "")
        return f"{s.status}: {what}"
    if s.status == MatchStatus.REVIEW:
        return "waiting in `cuesheet review` with its candidates"
    if s.status == MatchStatus.NO_MATCH:
        return "no match in the catalog yet"
    if s.status == MatchStatus.UNKNOWN:
        return "unidentified: waits in `cuesheet review unknown`"
    return s.status


# --- import ------------------------------------------------------------------------------------


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Cue sheets: an episode file as in data/ (.yaml), .json or .csv.")],
    show: Annotated[Optional[str], typer.Option("--show", help="The show. Default: the show whose data/ folder holds the file.")] = None,
    format_: Annotated[Optional[str], typer.Option("--format", help="yaml, json or csv. Default: from the file name.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace cues whose numbers are taken instead of failing.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and say what would change; write nothing.")] = False,
    again: Annotated[bool, typer.Option("--again", help="Import a file whose exact content was imported before.")] = False,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Read FILE as a season table (one row per cue, any shows and seasons) with this column mapping (TOML or YAML; see docs/season-tables.md).")] = None,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="COLUMN=FIELD: read FILE as a season table, COLUMN holding FIELD (repeat; adds to --mapping; FIELD - ignores the column).")] = None,
    no_match: Annotated[bool, typer.Option("--no-match", help="Season table: store the songs without matching them against the catalog.")] = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import cue sheets, all or nothing: every error is listed with file, line and field; songs are matched as they come in."""
    if mapping is not None or map_:
        _import_table(file, mapping, map_ or [], replace=replace, dry_run=dry_run, match=not no_match, db=db,
                      json_=json_)
        return
    with friendly_errors():
        conn = open_db(db).conn
        show_ref = cueimport.show_for(conn, file, show)
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       console=err_console, transient=True)
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if total < cueimport.MATCH_CHUNK:
                return
            if phase not in tasks:
                bar.start()
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done)

        try:
            report = cueimport.import_file(conn, file, show_ref, curator_name(), fmt=format_,
                                           replace=replace, dry_run=dry_run, progress=progress, again=again)
        finally:
            if tasks:
                bar.stop()
    if json_:
        emit_json([report])
        return
    def verb(would: str, did: str) -> str:
        return f"would {would}" if dry_run else did

    for title in report.new_episodes:
        console.print(Text(f"{verb('add', 'added')} episode {title}", style="cyan"), soft_wrap=True)
    for what in report.updated_episodes:
        console.print(Text(f"{verb('set', 'set')} episode {what}", style="cyan"), soft_wrap=True)
    for label in report.added:
        console.print(Text(f"{verb('add', 'added')} {label}", style="green"), soft_wrap=True)
    for label in report.replaced:
        console.print(Text(f"{verb('replace', 'replaced')} {label}", style="yellow"), soft_wrap=True)
    n = len(report.added) + len(report.replaced)
    linked = report.songs - report.accepted - report.review - report.no_match - report.unidentified
    counts = [f"{report.accepted} accepted", f"{report.review} for review", f"{report.no_match} without a match"]
    if report.unidentified:
        counts.append(f"{report.unidentified} unidentified (`cuesheet review unknown`)")
    if linked > 0:
        counts.append(f"{linked} linked in the file")
    summary = (f"{'Dry run: would import' if dry_run else 'Imported'} {plural(n, 'cue')} with "
               f"{plural(report.songs, 'song')} into {report.show}: " + ", ".join(counts) + ".")
    console.print(Text(summary, style="bold"), soft_wrap=True)
    if report.repaired:
        note(f"repaired {plural(report.repaired, 'value')} of UTF-8 text misread as Latin-1/cp1252 "
             "(\"LÃ©o\" -> \"Léo\").")
    if dry_run:
        note("nothing was written; run again without --dry-run to import.")
    elif report.history_id:
        note(f"history #{report.history_id}; `cuesheet undo` takes the whole import back.")


def _import_table(file: Path, mapping_file: Path | None, pairs: list[str], *, replace: bool, dry_run: bool,
                  match: bool, db: Path | None, json_: bool) -> None:
    """`cue import TABLE --mapping FILE` / `--map COLUMN=FIELD`: a wide season table."""
    with friendly_errors():
        mapping = (season_table.read_mapping(mapping_file, pairs) if mapping_file is not None
                   else season_table.parse_map_options(pairs))
        table = season_table.read_table(file, mapping)
        conn = open_db(db, create=True).conn
        report = season_table.import_table(conn, table, curator_name(), replace_cues=replace, dry_run=dry_run,
                                           match=match)
    if json_:
        emit_json([report])
        return
    would = "Dry run: would import" if dry_run else "Imported"
    for name in report.new_shows:
        console.print(Text(f"{'would add' if dry_run else 'added'} show {name}", style="cyan"), soft_wrap=True)
    console.print(Text(
        f"{would} {plural(report.rows, 'row')} from {file.name}: {plural(report.added, 'cue')} added, "
        f"{report.replaced} replaced, {report.unchanged} unchanged; {plural(report.new_episodes, 'new episode')}, "
        f"{plural(report.new_sources, 'new source')}, {plural(report.id_claims, 'id claim')}; songs: "
        f"{report.accepted} accepted, {report.review} for review, {report.no_match} without a match.",
        style="bold"), soft_wrap=True)
    if dry_run:
        note("nothing was written; run again without --dry-run to import.")
    elif report.history_id:
        note(f"history #{report.history_id}; `cuesheet undo` takes the whole import back.")


# --- list ----------------------------------------------------------------------------------------


@app.command("list")
def list_command(
    show: ShowArg, episode: EpisodeArg, db: DbOption = None, json_: JsonOption = False, nl: NlOption = False
) -> None:
    """List an episode's cues with their songs and match status."""

    with friendly_errors():
        conn = open_db_readonly(db).conn
        ep = find_episode(conn, find_show(conn, show), episode)
        items = episode_cues(conn, ep)

    def render(items: list[Any]) -> None:
        table = Table("cue", "time", "kind", "song id", "songs", "status", "performers",
                      title=f"{ep.show.name} {ep.code} — {ep.title}")
        for a in items:
            time = (a.time_in or "") + (f"–{a.time_out}" if a.time_out else "")
            song_ids = "\n".join(f"#{s.song_id}" for s in a.songs)
            songs = "\n".join(conversation.song_name(s) for s in a.songs)
            status = "\n".join(s.status for s in a.songs)
            who = ", ".join(p.get("character") or p.get("actor") or "" for p in a.performers)
            table.add_row(f"{a.cue}{'' if a.order_confirmed else '*'}", time,
                          a.kind + (f" ({a.usage})" if a.usage else ""), song_ids, songs, status, who)
        console.print(table)
        if not items:
            note(f"no cues yet; add one with `cuesheet cue add {ep.show.slug} {ep.code}`")

    emit(items, as_json=json_, nl=nl, render=render)  # --json: each song with its song_id (#13)


# --- edit ------------------------------------------------------------------------------------------


@app.command("edit")
def edit_command(
    show: ShowArg,
    episode: EpisodeArg,
    cue: CueArg,
    time_in: Annotated[Optional[str], typer.Option("--at", "--time-in", help="New time in ('-' clears).")] = None,
    time_out: Annotated[Optional[str], typer.Option("--time-out", help="New time out ('-' clears).")] = None,
    scene: Annotated[Optional[str], typer.Option("--scene", help="New scene text ('-' clears).")] = None,
    performer: Annotated[Optional[list[str]], typer.Option("--performer", "-p", help="Replaces the cue's performers; '-' clears. Repeatable.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="lip-sync, mashup, cast-original, background or source.")] = None,
    usage: Annotated[Optional[str], typer.Option("--usage", help="Usage code ('-' clears).")] = None,
    confidence: Annotated[Optional[str], typer.Option("--confidence", help="high, medium or low ('-' clears).")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="Free text ('-' clears).")] = None,
    order: Annotated[Optional[str], typer.Option("--order", help="confirmed or list.")] = None,
    song: Annotated[int, typer.Option("--song", min=1, help="Which song --title/--artist/--version/--text change.")] = 1,
    title: Annotated[Optional[str], typer.Option("--title", help="Correct the song's title.")] = None,
    artist: Annotated[Optional[str], typer.Option("--artist", help="Correct the song's artist.")] = None,
    version: Annotated[Optional[str], typer.Option("--version", help="Correct the song's version ('-' clears).")] = None,
    text: Annotated[Optional[str], typer.Option("--text", help="The song as heard.")] = None,
    heard: Annotated[Optional[str], typer.Option("--heard", help="What was heard of the song ('-' clears).")] = None,
    add_song: Annotated[Optional[list[str]], typer.Option("--add-song", help="Add a song as heard. Repeatable.")] = None,
    remove_song: Annotated[Optional[list[int]], typer.Option("--remove-song", help="Remove song N. Repeatable.")] = None,
    prompt: Prompting = None,
    db: DbOption = None,
) -> None:
    """Change a cue: its times, scene, performers, kind, usage, songs. Asks when given no options."""
    if order is not None and order not in ("confirmed", "list"):
        raise typer.BadParameter("confirmed or list", param_hint="--order")
    changes = conversation.CueChanges(
        time_in=time_in, time_out=time_out, scene=scene, performers=performer, kind=kind, usage=usage,
        confidence=confidence, notes=notes, order=order, song=song, title=title, artist=artist,
        version=version, text=text, heard=heard, add_songs=tuple(add_song or ()),
        remove_songs=tuple(remove_song or ()),
    )
    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        try:
            done = conversation.edit_cue(conn, ep, cue, changes, curator,
                                         prompter=TerminalPrompter() if interactive(prompt) else None)
        except conversation.NothingToChange:
            raise missing(["at least one of --at, --time-out, --scene, --performer, --kind, --usage, "
                           "--title, --artist, --add-song, --remove-song"], "nothing to change") from None
        except Cancelled:
            raise cancelled() from None
    _report(done)


def _report(done: Any) -> None:
    console.print(Text(done.summary, style="bold green" if done.history_id else "dim"), soft_wrap=True)
    if done.history_id:
        note(f"history #{done.history_id}; `cuesheet undo` takes it back.")


# --- rm, move, renumber -------------------------------------------------------------------------


@app.command("rm")
def rm_command(
    show: ShowArg, episode: EpisodeArg, cue: CueArg, yes: YesOption = False, prompt: Prompting = None,
    db: DbOption = None,
) -> None:
    """Remove a cue with its songs (asks first unless --yes)."""
    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        [a] = answers(conn, [curate.cue_id(conn, ep, cue)])
        if not yes:
            if not interactive(prompt):
                raise missing(["--yes"], "no terminal to confirm the removal in")
            console.print(answer_card(a))
            try:
                if not TerminalPrompter().confirm(f"Remove {ep.code} cue {cue}?", default=False):
                    raise Cancelled()
            except Cancelled:
                raise cancelled() from None
        done = curate.remove_cue(conn, ep, cue, curator)
    _report(done)


@app.command("move")
def move_command(
    show: ShowArg,
    episode: EpisodeArg,
    cue: CueArg,
    to: Annotated[Optional[int], typer.Option("--to", min=1, help="The cue's new number; the cues between shift by one.")] = None,
    to_episode: Annotated[Optional[str], typer.Option("--to-episode", help="Move it to another episode of the show.")] = None,
    db: DbOption = None,
) -> None:
    """Move a cue to another number, or to another episode."""
    if to is None and to_episode is None:
        raise typer.BadParameter("give --to N, --to-episode EP, or both", param_hint="--to")
    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        target = find_episode(conn, ep.show, to_episode) if to_episode else None
        done = curate.move_cue(conn, ep, cue, curator, to=to, to_episode=target)
    _report(done)


@app.command("renumber")
def renumber_command(
    show: ShowArg,
    episode: EpisodeArg,
    by_time: Annotated[bool, typer.Option("--by-time", help="Order by time in (untimed cues last) before numbering.")] = False,
    db: DbOption = None,
) -> None:
    """Number an episode's cues 1, 2, 3 ... closing gaps (optionally in time order)."""
    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        done = curate.renumber(conn, ep, curator, by_time=by_time)
    _report(done)
