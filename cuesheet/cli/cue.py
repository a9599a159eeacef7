"""`cuesheet cue`: add, import, list, edit, rm, move and renumber cues."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text

from cuesheet.cli.common import CuratorOfflineOption, DbOption, JsonOption, NlOption, curator_name, curator_online, open_db, open_db_readonly
from cuesheet.cli.output import console, emit, emit_json, friendly_errors, note, indented, candidate_line
from cuesheet.cli.prompts import (
    Cancelled,
    PromptOption,
    ask,
    cancelled,
    confirm,
    interactive,
    missing,
)
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


def _time(text: str) -> int | None:
    from cuesheet.notation.timecode import parse_time

    if text.strip() in ("", "-"):
        return None
    return parse_time(text)


def _time_option(text: str | None, name: str) -> int | None:
    from cuesheet.errors import InputError, ParseError

    if text is None:
        return None
    try:
        return _time(text)
    except ParseError as exc:
        raise InputError(exc.message, field=name, remedy=exc.remedy) from None


# --- add ---------------------------------------------------------------------------------------


@app.command("add")
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
    offline: CuratorOfflineOption = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the new cue as JSON.")] = False,
) -> None:
    """Add a cue: asks for what the options leave out, shows candidates for each song, saves in one go."""
    from cuesheet.curation import cues as curate
    from cuesheet.model import KINDS
    from cuesheet.errors import InputErrors
    from cuesheet.model import Song

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
        t_in, t_out = _time_option(time_in, "--at"), _time_option(time_out, "--time-out")
        performers = curate.parse_performers(performer or [], cast, field_name="--performer")
        texts: list[tuple[str, str | None, str | None]] = []  # (text, title, artist)
        if title:
            texts.append((f"{title} - {artist}" if artist else title, title, artist))
        texts += [(s, None, None) for s in song or []]
        matcher = None
        if asking and not unknown or pick is not None:
            matcher = curator_online(conn, offline=offline)  # the candidates shown or picked
        try:
            if asking:
                _header(conn, ep)
                if number is None:
                    number, shift = _ask_number(conn, ep)
                if time_in is None:
                    t_in = ask("Time in", parse=_time, hint="12:30, 1:02:03, 12m30s; blank if unknown")
                if time_out is None:
                    t_out = ask("Time out", parse=lambda s: _time_out(s, t_in), hint="blank if unknown")
                if scene is None:
                    scene = ask("Scene", hint="what happens on screen")
                if performer is None:
                    names = ", ".join(name for name, _ in cast.values())
                    performers = ask(
                        "Performers", parse=lambda s: curate.parse_performers(s, cast),
                        hint="Character (Actor), comma-separated; ? = inferred"
                        + (f"; known: {names}" if names else ""),
                    ) or ()
            drafts = []
            if unknown:
                drafts.append(curate.SongDraft(Song(title="", artist="", unknown=True, heard=heard)))
            for i, (text, t, a) in enumerate(texts, start=1):
                drafts.append(_song_draft(matcher, i, text, t, a, version if t else None, pick, asking))
            if heard and not unknown and drafts:
                d = drafts[0]
                drafts[0] = curate.SongDraft(Song(**{**d.song.__dict__, "heard": heard}), d.pick, d.review)
            while asking and not unknown:
                label = f"Song {len(drafts) + 1}"
                text = ask(label, required=not drafts,
                           hint="as heard, e.g. 'elastic heart sia'; ? when nobody knows it" if not drafts
                           else "another song for a mashup; blank when done; ? for an unidentified one")
                if not text:
                    break
                if text.strip() == "?":
                    what = ask("What was heard", hint="voice, instruments, a lyric fragment; blank if nothing")
                    drafts.append(curate.SongDraft(Song(title="", artist="", unknown=True, heard=what)))
                    continue
                drafts.append(_song_draft(matcher, len(drafts) + 1, text, None, None, None, pick, True))
            if asking and len(drafts) > 1:
                for i, d in enumerate(drafts):
                    who = ask(f"Who performs song {i + 1} ({curate.draft_label(d)})", parse=lambda s: curate.parse_performers(s, cast),
                              hint="blank: the cue's performers")
                    if who:
                        drafts[i] = curate.SongDraft(Song(**{**d.song.__dict__, "performers": who}), d.pick, d.review)
            default_kind = "mashup" if len(drafts) > 1 else "lip-sync"
            if asking and kind is None:
                kind = ask("Kind", default=default_kind, parse=_kind,
                           hint=" / ".join(KINDS))
            kind = curate.kind_named(kind or default_kind) or kind  # 'lipsync' is lip-sync; a bad one is reported
            if usage:
                usage = curate.usage_named(usage) or usage
            if asking and usage is None:
                usage = ask("Usage code", default=curate.DEFAULT_USAGE.get(kind, "VV"), parse=_usage,
                            hint="VV visual vocal, BV background vocal, VS visual source, ET end title ...")
            draft = curate.CueDraft(
                songs=tuple(drafts), kind=kind, number=number, order_confirmed=order == "confirmed",
                time_in_ms=t_in, time_out_ms=t_out, scene=scene, performers=performers,
                usage=usage if usage is not None else curate.DEFAULT_USAGE.get(kind),
                confidence=confidence, sources=tuple(source or ()), notes=notes,
            )
            errors = curate.validate(conn, ep, draft)
            if errors:
                raise InputErrors(errors)
            if asking:
                _summary(ep, draft, number or curate.next_number(conn, ep.id))
                if not confirm("Save this cue?"):
                    raise Cancelled()
            done = _save(conn, ep, draft, curator, shift=shift, asking=asking)
        except Cancelled:
            raise cancelled() from None
        [answer] = answers(conn, [done.cue_id])
    if json_:
        emit_json([answer])
        return
    from cuesheet.cli.viewer import answer_card

    console.print(Text(f"Saved {ep.show.name} {ep.code} cue {done.number}", style="bold green"))
    console.print(answer_card(answer))
    for i, s in enumerate(answer.songs, start=1):
        console.print(Text(f"  song {i}: {_status_line(s)}", style="dim"))
    note(f"history #{done.history_id}; `cuesheet undo` takes it back.")


def _save(conn: Any, ep: Any, draft: Any, curator: str, *, shift: bool, asking: bool) -> Any:
    """Save the cue; when another curator took its number meanwhile, offer the next free
    one (or inserting before it) instead of losing every answer typed."""
    import dataclasses

    from cuesheet.curation import cues as curate
    from cuesheet.errors import NumberTaken

    while True:
        try:
            return curate.add_cue(conn, ep, draft, curator, shift=shift)
        except NumberTaken as exc:
            if not asking:
                raise
            console.print(Text(f"Cue {exc.number} was added meanwhile (another curator?).", style="yellow"))
            if confirm(f"Save this cue as cue {exc.free} instead?"):
                draft = dataclasses.replace(draft, number=exc.free)
            elif confirm(f"Insert it as cue {exc.number}, moving {exc.number} and later up by one?",
                         default=False):
                shift = True
            else:
                raise Cancelled() from None


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


def _header(conn: Any, ep: Any) -> None:
    from cuesheet.curation import cues as curate

    rows = curate.cue_titles(conn, ep.id)
    console.print(Text(f"{ep.show.name} {ep.code} — {ep.title}", style="bold underline"))
    if rows:
        shown = ", ".join(f"{n} {t}" for n, t in rows[-3:])
        count = f"{plural(len(rows), 'cue')} so far"
        console.print(Text(f"{count}; the last 3: {shown}" if len(rows) > 3 else f"{count}: {shown}", style="dim"))
    else:
        console.print(Text("no cues yet", style="dim"))


def _ask_number(conn: Any, ep: Any) -> tuple[int, bool]:
    from cuesheet.curation import cues as curate
    from cuesheet.errors import InputError

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise InputError(f"{text!r} is not a cue number (1, 2, 3 ...)")
        return int(text)

    offered = curate.next_number(conn, ep.id)
    while True:
        n = ask("Cue number", default=str(offered), parse=parse)
        if n >= offered:
            return n, False
        if confirm(f"Cue {n} exists. Insert before it, moving {n} and later up by one?", default=False):
            return n, True


def _time_out(text: str, t_in: int | None) -> int | None:
    from cuesheet.errors import InputError
    from cuesheet.notation.timecode import format_time

    t = _time(text)
    if t is not None and t_in is not None and t < t_in:
        raise InputError(f"{format_time(t)} is before the time in ({format_time(t_in)})")
    return t


def _kind(text: str) -> str:
    from cuesheet.curation import cues as curate
    from cuesheet.model import KINDS
    from cuesheet.errors import InputError

    kind = curate.kind_named(text)
    if kind is None:
        raise InputError(f"{text!r} is not one of {', '.join(KINDS)}")
    return kind


def _usage(text: str) -> str | None:
    from cuesheet.errors import InputError
    from cuesheet.model import USAGE_CODES

    from cuesheet.curation import cues as curate

    if text.strip() in ("", "-"):
        return None
    code = curate.usage_named(text)
    if code is None:
        raise InputError(f"{text!r} is not a usage code ({', '.join(USAGE_CODES)})")
    return code


def _status_line(s: Any) -> str:
    if s.status in ("accepted", "curated") and s.recording_id:
        what = f"{s.title} — {s.artist}" + (f" ({s.album}, {s.year})" if s.album and s.year else "")
        return f"{s.status}: {what}"
    if s.status == "review":
        return "waiting in `cuesheet review` with its candidates"
    if s.status == "no_match":
        return "no match in the catalog yet"
    if s.status == "unknown":
        return "unidentified: waits in `cuesheet review unknown`"
    return s.status


# --- one song: candidates and the curator's choice --------------------------------------------


def _song_draft(matcher: Any, index: int, text: str, title: str | None, artist: str | None,
                version: str | None, pick: int | None, asking: bool):  # type: ignore[no-untyped-def]
    """Show the candidates for a song and take the curator's decision (or --pick's)."""
    from cuesheet.curation import cues as curate
    from cuesheet.errors import InputError
    from cuesheet.model import Song

    song = Song(title=title or text, artist=artist or "", version=version, text=None if title else text)
    if not asking and pick is None:
        return curate.SongDraft(song)  # the matcher decides when it is saved
    query, who = (title, artist) if title else (text, None)
    while True:
        ident = matcher.identify(query, who)
        if not asking:
            if pick > len(ident.candidates):  # type: ignore[operator]
                raise InputError(f"{text!r} has {len(ident.candidates)} candidates, not {pick}", field="--pick")
            return curate.SongDraft(song, pick=ident.candidates[pick - 1].candidate)  # type: ignore[operator]
        _show_candidates(index, query, ident)
        n = len(ident.candidates)
        options = ("1 pick, " if n == 1 else f"1-{n} pick, " if n else "") + "s search again, n none of these (keep for review), m type it by hand"
        default = "1" if n and ident.verdict == "accepted" else "n"
        answer = (ask("Choice", default=default, hint=options) or default).strip().lower()
        if answer.isdigit() and 1 <= int(answer) <= n:
            return curate.SongDraft(song, pick=ident.candidates[int(answer) - 1].candidate)
        if answer.startswith("s"):
            query = ask("Search for", default=query, hint="title and artist, any order") or query
            who = None
            continue
        if answer.startswith("n"):
            return curate.SongDraft(song, review=ident)  # waits in `cuesheet review`, candidates or not
        if answer.startswith("m"):
            return curate.SongDraft(_by_hand(song))
        console.print(Text(f"  {answer!r}? answer {options}", style="yellow"))


def _show_candidates(index: int, query: str, ident: Any) -> None:
    head = Text(f"Candidates for song {index} ", style="bold")
    head.append(f"{query!r}", style="italic")
    head.append(f"  verdict: {ident.verdict}", style="green" if ident.verdict == "accepted" else "yellow")
    console.print(head)
    if not ident.candidates:
        console.print(Text("  none found", style="dim"))
    for i, s in enumerate(ident.candidates, start=1):
        console.print(candidate_line(i, s.candidate, s.score))
        if s.reasons:
            console.print(indented(" · ".join(s.reasons), 6))
    for skipped in getattr(ident, "skipped", []) or []:
        console.print(Text(f"  skipped {skipped}", style="dim"))


def _by_hand(song: Any) -> Any:
    from cuesheet.errors import InputError
    from cuesheet.model import RecordingRef, Song

    def year(text: str) -> int:
        if not (text.isdigit() and len(text) == 4):
            raise InputError(f"{text!r} is not a year")
        return int(text)

    title = ask("Title", default=song.title, required=True)
    artist = ask("Artist", default=song.artist or None, required=True)
    version = ask("Version", hint="live, remaster ...; blank if none")
    album = ask("Album", hint="blank if unknown")
    y = ask("Year", parse=year, hint="blank if unknown")
    ref = RecordingRef(title=title, artist=artist, version=version, album=album, year=y)
    return Song(**{**song.__dict__, "title": title, "artist": artist, "version": version, "recording": ref})


def _summary(ep: Any, draft: Any, number: int) -> None:
    from cuesheet.curation import cues as curate
    from cuesheet.notation.timecode import format_time

    console.print()
    line = Text(f"{ep.code} cue {number}", style="bold")
    if draft.time_in_ms is not None:
        line.append(f"  {format_time(draft.time_in_ms)}", style="green")
        if draft.time_out_ms is not None:
            line.append(f"–{format_time(draft.time_out_ms)}", style="green")
    line.append(f"  {draft.resolved_kind}", style="magenta")
    if draft.usage:
        line.append(f" ({draft.usage})", style="dim")
    console.print(line)
    for i, d in enumerate(draft.songs, start=1):
        s = d.song
        if s.unknown:
            console.print(Text(f"  {i}. {curate.draft_label(d)}"))
            continue
        how = ("picked: " + f"{d.pick.title} — {d.pick.artist}" if d.pick
               else "typed by hand" if s.recording else "kept for review" if d.review
               else "matched when saved")
        who = f" · {curate.format_performers(s.performers)}" if s.performers else ""
        console.print(Text(f"  {i}. {s.title}" + (f" — {s.artist}" if s.artist else "") + who + f"  [{how}]"))
    if draft.performers:
        console.print(Text(f"  performed by {curate.format_performers(draft.performers)}", style="italic"))
    if draft.scene:
        console.print(Text(f"  {draft.scene}"))


# --- import ------------------------------------------------------------------------------------


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Cue sheets: an episode file as in data/ (.yaml), .json or .csv.")],
    show: Annotated[Optional[str], typer.Option("--show", help="The show. Default: the show whose data/ folder holds the file.")] = None,
    format_: Annotated[Optional[str], typer.Option("--format", help="yaml, json or csv. Default: from the file name.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace cues whose numbers are taken instead of failing.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and say what would change; write nothing.")] = False,
    again: Annotated[bool, typer.Option("--again", help="Import a file whose exact content was imported before.")] = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import cue sheets, all or nothing: every error is listed with file, line and field; songs are matched as they come in."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cuesheet.files import cueimport
    from cuesheet.cli.output import err_console

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
            songs = "\n".join(_song_name(s) for s in a.songs)
            status = "\n".join(s.status for s in a.songs)
            who = ", ".join(p.get("character") or p.get("actor") or "" for p in a.performers)
            table.add_row(f"{a.cue}{'' if a.order_confirmed else '*'}", time,
                          a.kind + (f" ({a.usage})" if a.usage else ""), song_ids, songs, status, who)
        console.print(table)
        if not items:
            note(f"no cues yet; add one with `cuesheet cue add {ep.show.slug} {ep.code}`")

    emit(items, as_json=json_, nl=nl, render=render)  # --json: each song with its song_id (#13)


def _song_name(s: Any) -> str:
    if s.status == "unknown" or not (s.title or s.text):
        return "an unidentified song" + (f" (heard: {s.heard})" if s.heard else "")
    return f"{s.title} — {s.artist}" if s.artist else s.title or s.text


# --- edit ------------------------------------------------------------------------------------------


def _clearable(text: str | None) -> Any:
    return None if text is None or text.strip() in ("", "-") else text.strip()


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
    from cuesheet.curation import cues as curate
    from cuesheet.model import Song

    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        cast = curate.characters(conn, ep.show.id)
        [a] = answers(conn, [curate.cue_id(conn, ep, cue)])
        fields: dict[str, Any] = {}
        performers = None
        prompted_heard: dict[int, Any] = {}
        nothing = all(v is None for v in (time_in, time_out, scene, performer, kind, usage, confidence,
                                           notes, order, title, artist, version, text, heard, add_song,
                                           remove_song))
        if nothing and not interactive(prompt):
            raise missing(["at least one of --at, --time-out, --scene, --performer, --kind, --usage, "
                           "--title, --artist, --add-song, --remove-song"], "nothing to change")
        try:
            if nothing:
                console.print(Text(f"{ep.show.name} {ep.code} cue {cue} — Enter keeps a value, '-' clears it",
                                   style="bold underline"))
                time_in = ask("Time in", default=a.time_in or "-")
                time_out = ask("Time out", default=a.time_out or "-")
                scene = ask("Scene", default=a.scene or "-")
                current = curate.format_performers(curate.parse_performers(
                    [f"{p['character'] or ''}" + (f" ({p['actor']})" if p["actor"] else "") + ("?" if p["inferred"] else "")
                     for p in a.performers]))
                performer = [ask("Performers", default=current or "-")]
                kind = ask("Kind", default=a.kind, parse=_kind)
                usage = ask("Usage code", default=a.usage or "-")
                for i, sa in enumerate(a.songs, start=1):
                    said = ask(f"Heard of song {i} ({_song_name(sa)})", default=sa.heard or "-",
                               hint="voice, instruments, a lyric fragment")
                    if _clearable(said) != sa.heard:
                        prompted_heard[i] = _clearable(said)
        except Cancelled:
            raise cancelled() from None
        if time_in is not None:
            fields["time_in_ms"] = _time_option(time_in, "--at")
        if time_out is not None:
            fields["time_out_ms"] = _time_option(time_out, "--time-out")
        for name, value in (("scene", scene), ("notes", notes), ("confidence", confidence)):
            if value is not None:
                fields[name] = _clearable(value)
        if usage is not None:
            fields["usage"] = _clearable(usage) and (curate.usage_named(usage) or usage.strip())
        if kind is not None:
            fields["kind"] = curate.kind_named(kind) or kind
        if order is not None:
            if order not in ("confirmed", "list"):
                raise typer.BadParameter("confirmed or list", param_hint="--order")
            fields["order_confirmed"] = int(order == "confirmed")
        if performer is not None:
            performers = () if [p.strip() for p in performer] == ["-"] else curate.parse_performers(
                performer, cast, field_name="--performer")
        # Only what really differs is written; prompts answered with Enter change nothing.
        current_fields = {"time_in_ms": a.time_in_ms, "time_out_ms": a.time_out_ms, "scene": a.scene,
                          "usage": a.usage, "kind": a.kind, "confidence": a.confidence}
        fields = {k: v for k, v in fields.items() if k not in current_fields or current_fields[k] != v}
        song_fields = {k: (v if k in ("title", "artist", "text") else _clearable(v))
                       for k, v in (("title", title), ("artist", artist), ("version", version), ("text", text),
                                    ("heard", heard))
                       if v is not None}
        songs = {i: {"heard": h} for i, h in prompted_heard.items()}
        if song_fields:
            songs[song] = {**songs.get(song, {}), **song_fields}
        edit = curate.CueEdit(
            fields=fields, performers=performers, songs=songs,
            add_songs=tuple(curate.SongDraft(Song(title=t, artist="", text=t)) for t in add_song or ()),
            remove_songs=tuple(remove_song or ()),
        )
        done = curate.edit_cue(conn, ep, cue, edit, curator)
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
    from cuesheet.curation import cues as curate
    from cuesheet.cli.viewer import answer_card

    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        [a] = answers(conn, [curate.cue_id(conn, ep, cue)])
        if not yes:
            if not interactive(prompt):
                raise missing(["--yes"], "no terminal to confirm the removal in")
            console.print(answer_card(a))
            try:
                if not confirm(f"Remove {ep.code} cue {cue}?", default=False):
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
    from cuesheet.curation import cues as curate

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
    from cuesheet.curation import cues as curate

    with friendly_errors():
        conn, ep, curator = _context(db, show, episode)
        done = curate.renumber(conn, ep, curator, by_time=by_time)
    _report(done)
