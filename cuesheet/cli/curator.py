"""The curator's top-level commands: review, check, history, undo, dump."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

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
from cuesheet.cli.output import console, emit, emit_json, friendly_errors, indented, note
from cuesheet.cli.prompts import TerminalPrompter, interactive, missing, render_item, show_candidates, show_decided
from cuesheet.curation import check, claims, conversation, review
from cuesheet.db import history
from cuesheet.files import dump
from cuesheet.matching.readings import read_id
from cuesheet.model import ClaimVerdict, MatchStatus
from cuesheet.notation.plural import plural
from cuesheet.viewer.resolve import find_episode, find_show

app = typer.Typer()


def _scope(conn: Any, show: str | None, episode: str | None) -> tuple[Any, Any]:

    show_ref = find_show(conn, show) if show else None
    ep = find_episode(conn, show_ref, episode) if show_ref and episode else None
    return show_ref, ep


# --- check -------------------------------------------------------------------------------------------


@app.command("check")
def check_command(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    cue_sheet: Annotated[bool, typer.Option(
        "--cue-sheet/--no-cue-sheet",
        help="Warn about what a music cue sheet would lack (composers, publishers, times, usage).",
    )] = True,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Lint cue sheets: overlapping or out-of-order times, cues without songs, unmatched songs,
    duplicate numbers, empty episodes, source conflicts, cue-sheet gaps. Exits 1 on errors."""
    with friendly_errors():
        conn = open_db_readonly(db).conn
        show_ref, ep = _scope(conn, show, episode)
        findings = check.check(conn, show_id=show_ref.id if show_ref else None,
                               episode_id=ep.id if ep else None, cue_sheet=cue_sheet)

    def render(items: list[check.Finding]) -> None:
        if not items:
            console.print(Text("No problems found.", style="bold green"))
            return
        for f in items:
            line = Text(f"{f.severity:<7} ", style="bold red" if f.severity == check.ERROR else "yellow")
            line.append(f"{f.where}", style="cyan")
            line.append(f"  {f.message}")
            line.append(f"  [{f.code}]", style="dim")
            console.print(line, soft_wrap=True)
        errors = sum(f.severity == check.ERROR for f in items)
        note(f"{plural(errors, 'error')}, {plural(len(items) - errors, 'warning')}.")

    emit(findings, as_json=json_, nl=nl, render=render)
    if check.has_errors(findings) or (strict and findings):
        raise typer.Exit(1)


# --- dump ----------------------------------------------------------------------------------------------


@app.command("dump")
def dump_command(
    show: Annotated[Optional[str], typer.Argument(help="Only this show. Default: every show.")] = None,
    to: Annotated[Path, typer.Option("--to", help="Folder to write into (one folder per show).")] = Path("data"),
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write the cue sheet files (data/ format) from the database; unchanged files are left alone."""
    with friendly_errors():
        conn = open_db_readonly(db).conn  # dump writes files, never the database
        show_ref = find_show(conn, show) if show else None
        report = dump.dump(conn, to, show_id=show_ref.id if show_ref else None)
    if json_:
        emit_json([report])
        return
    for path in report.written:
        console.print(Text(f"wrote {path}", style="green"), soft_wrap=True)
    note(f"{plural(len(report.written), 'file')} written, {len(report.unchanged)} already up to date in {report.folder}."
         + (" Review with `git diff`; `cuesheet build` reads them back." if report.written else ""))


# --- history and undo ------------------------------------------------------------------------------


@app.command("history")
def history_command(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many changes.")] = 20,
    change: Annotated[Optional[int], typer.Option("--id", help="Show one change with its rows before and after.")] = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Every change curators made, latest first: who, when, what (and each row before/after)."""
    with friendly_errors():
        conn = open_db_readonly(db).conn
        if change is not None:
            items = [history.get(conn, change)]
        else:
            show_ref, ep = _scope(conn, show, episode)
            items = history.entries(conn, show_id=show_ref.id if show_ref else None,
                                    episode_id=ep.id if ep else None, limit=limit)

    def render(items: list[history.Entry]) -> None:
        if not items:
            note("No changes recorded yet.")
            return
        if change is not None:
            _render_entry(items[0])
            return
        table = Table("#", "when (UTC)", "who", "what", "summary")
        for e in items:
            state = f" (undone by #{e.undone_by})" if e.undone_by else ""
            table.add_row(str(e.id), e.at.replace("T", " ")[:16], e.curator, e.action, e.summary + state)
        console.print(table)
        note("`cuesheet history --id N` shows a change row by row; `cuesheet undo [N]` reverses one.")

    emit(items, as_json=json_, nl=nl, render=render)


def _render_entry(e: Any) -> None:
    console.print(Text(f"#{e.id} {e.action} by {e.curator} at {e.at}", style="bold"))
    console.print(Text(e.summary))
    if e.undone_by:
        console.print(Text(f"undone by #{e.undone_by}", style="yellow"))
    for ch in history.net(e.changes):
        what = "added" if ch["before"] is None else "removed" if ch["after"] is None else "changed"
        line = Text(f"  {ch['table']} {ch['rowid']} {what}", style="cyan")
        console.print(line)
        if what == "changed":
            for name, (old, new) in history.diff(ch).items():
                console.print(Text(f"      {name}: {old!r} → {new!r}"), soft_wrap=True)


@app.command("undo")
def undo_command(
    change: Annotated[Optional[int], typer.Argument(help="The change to undo (see `cuesheet history`). Default: the latest.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Restore even rows changed since (that later work is lost).")] = False,
    episode: Annotated[Optional[str], typer.Option("--episode", help="With --cue: the episode of the one cue to undo.")] = None,
    cue: Annotated[Optional[int], typer.Option("--cue", min=1, help="Undo only this cue's part of the change (one cue of an import).")] = None,
    keep_later: Annotated[bool, typer.Option("--keep-later", help="Leave the rows later changes stand on (an episode an import created that has cues added since); take back the rest.")] = False,
    db: DbOption = None,
) -> None:
    """Undo the latest change (or change N) in one transaction; undoing an undo redoes."""
    if (cue is None) != (episode is None):
        raise typer.BadParameter("--cue and --episode go together", param_hint="--cue")
    with friendly_errors():
        conn = open_db(db).conn
        cue_id = None
        if cue is not None:
            cue_id = history.cue_in_change(conn, change, cue,
                                           lambda slug: find_episode(conn, find_show(conn, slug), episode))
        done = history.undo(conn, change, curator_name(), force=force, cue_id=cue_id,
                            keep_later=keep_later)
    console.print(Text(f"Undid #{done.undone.id} ({done.undone.action}): {done.undone.summary}", style="bold green"),
                  soft_wrap=True)
    if done.forced:
        note(f"forced over {plural(len(done.conflicts), 'later change')}: {done.conflicts[0]}")
    note(f"recorded as #{done.entry_id}; `cuesheet undo {done.entry_id}` redoes it.")


# --- review -------------------------------------------------------------------------------------------

class _ListByDefault(TyperGroup):
    """`cuesheet review soundtrack 3 --json` means `review list soundtrack 3 --json`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


review_app = typer.Typer(
    cls=_ListByDefault,
    help="The queue of doubtful matches: list (the default), accept, reject, set, walk.",
    invoke_without_command=True,
)
SongId = Annotated[int, typer.Argument(help="The song's id, as `cuesheet review` lists it.")]


StatusOption = Annotated[Optional[list[str]], typer.Option(
    "--status", help="Only songs with this status: review, no_match, unmatched, rejected, accepted, curated,"
                     " unknown. Repeatable. Default: review.")]


@review_app.callback()
def _review_root(ctx: typer.Context) -> None:
    """The queue of doubtful matches. Without a subcommand: list it."""
    if ctx.invoked_subcommand is None:
        review_list(show=None, episode=None, all_=False, status=None, db=None, json_=False, nl=False)


def _statuses(status: list[str] | None, all_: bool) -> tuple[str, ...]:
    if status:
        bad = [s for s in status if s not in review.STATUSES]
        if bad:
            raise typer.BadParameter(f"{', '.join(bad)}: use {', '.join(review.STATUSES)}", param_hint="--status")
        if all_:
            raise typer.BadParameter("--all or --status, not both", param_hint="--status")
        return tuple(dict.fromkeys(status))
    return review.OPEN_STATUSES if all_ else review.QUEUE_STATUSES


@review_app.command("list")
def review_list(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also songs with no match or not matched yet.")] = False,
    status: StatusOption = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """List the songs waiting for a decision, with candidates, scores and reasons."""
    statuses = _statuses(status, all_)
    _list(show, episode, statuses, db, json_, nl,
          empty=f"No songs with status {' or '.join(statuses)}.",
          footer="listed. `cuesheet review accept ID [ID ...] [--pick N]`, `reject ID`, "
                 "`set ID --title ... --artist ...`, `search ID WORDS`, or `cuesheet review walk`.")


@review_app.command("unknown")
def review_unknown(
    show: Annotated[Optional[str], typer.Argument(help="Only this show. Default: every show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Songs nobody has identified yet, across shows: what was heard, and every search tried."""
    _list(show, episode, (MatchStatus.UNKNOWN,), db, json_, nl, empty="No unidentified songs.",
          footer="unidentified. `cuesheet review search ID WORDS` tries a search (kept on record);"
                 " `review accept ID --pick N` or `review set ID --title ... --artist ...` names it.")


@review_app.command("claims")
def review_claims(
    show: Annotated[Optional[str], typer.Argument(help="Only this show. Default: every show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    season: Annotated[Optional[int], typer.Option("--season", min=1, help="Only this season.")] = None,
    verdict: Annotated[Optional[list[str]], typer.Option(
        "--verdict", help="Only claims with this verdict: accepted, review, rejected. Repeatable.")] = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Recording ids sources claim for songs, each with the audit's (or a curator's) verdict and reasons."""
    bad = [v for v in verdict or [] if v not in claims.VERDICTS]
    if bad:
        raise typer.BadParameter(f"{', '.join(bad)}: use {', '.join(claims.VERDICTS)}", param_hint="--verdict")
    with friendly_errors():
        conn = open_db_readonly(db).conn
        show_ref, ep = _scope(conn, show, episode)
        items = claims.listing(conn, show_id=show_ref.id if show_ref else None, episode_id=ep.id if ep else None,
                               season=season, verdicts=verdict or ())

    def render(items: list[Any]) -> None:
        if not items:
            note("No id claims" + (f" with verdict {' or '.join(verdict)}." if verdict else "."))
            return
        counts: dict[str, int] = {}
        for i, it in enumerate(items):
            counts[it.verdict] = counts.get(it.verdict, 0) + 1
            if i:
                console.print()
            head = Text(f"#{it.song_id} ", style="bold")
            head.append(it.label, style="cyan")
            head.append(f"  {it.title or '?'} — {it.artist or '?'}", style="bold")
            head.append(f"  {it.verdict}", style={"accepted": "green", "rejected": "red"}.get(it.verdict, "yellow"))
            console.print(head, soft_wrap=True)
            t = it.track
            what = f"{t.title} — {t.artist}" + (f" ({t.album})" if t.album else "") if t else "(track not described)"
            console.print(indented(f"{it.service} {it.external_id}: {what}", 5))
            for reason in it.reasons:
                console.print(indented(reason, 6), style="dim")
        console.print()
        note(", ".join(f"{n} {v}" for v, n in sorted(counts.items())) + ". `cuesheet review accept ID --claim`"
             " or `review reject ID --claim` decides one (undoable).")

    emit(items, as_json=json_, nl=nl, render=render)


def _claim_decision(songs: list[int], verdict: str, service: str | None, db: Any, json_: bool) -> None:
    with friendly_errors():
        done = claims.decide(open_db(db).conn, songs, verdict, curator_name(), service=service)
    if json_:
        emit_json([done])
        return
    console.print(Text(done.summary, style="green" if verdict == "accepted" else "bold"), soft_wrap=True)
    note(f"history #{done.history_id}; `cuesheet undo` takes it back.")


ClaimOption = Annotated[bool, typer.Option(
    "--claim", help="Decide the songs' id claims (as `review claims` lists them), not their match candidates.")]
ServiceOption = Annotated[Optional[str], typer.Option(
    "--service", help="With --claim: only the claim of this service (spotify, musicbrainz, isrc).")]


def _list(show: str | None, episode: str | None, statuses: tuple[str, ...], db: Any, json_: bool, nl: bool,
          *, empty: str, footer: str) -> None:
    with friendly_errors():
        conn = open_db_readonly(db).conn
        show_ref, ep = _scope(conn, show, episode)
        items = review.queue(conn, show_id=show_ref.id if show_ref else None, episode_id=ep.id if ep else None,
                             statuses=statuses)

    def render(items: list[review.Item]) -> None:
        if not items:
            note(empty)
            return
        for i, it in enumerate(items):
            render_item(it, gap=i > 0)  # a listing starts with its first line, not a blank one
        console.print()
        note(f"{len(items)} {footer}")

    emit(items, as_json=json_, nl=nl, render=render)


@review_app.command("accept")
def review_accept(
    songs: Annotated[Optional[list[int]], typer.Argument(help="The songs' ids, as `cuesheet review` lists them.")] = None,
    pick: Annotated[int, typer.Option("--pick", min=1, help="Which candidate (1 = best).")] = 1,
    min_probability: Annotated[Optional[float], typer.Option(
        "--min-probability", "--min-score", min=0.0, max=1.0,
        help="Also accept the best candidate of every song in the queue whose calibrated probability"
             " is at least this (0-1); --min-score is the same value.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --min-probability: also take candidates the verdict counts as more likely"
                        " wrong (probability under 0.5, or none).")] = False,
    show: Annotated[Optional[str], typer.Option("--show", help="With --min-probability: only this show.")] = None,
    claim: ClaimOption = False,
    service: ServiceOption = None,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
) -> None:
    """Accept candidate N (default the best) for one or more songs, all in one change.

    With --claim: accept the songs' claimed ids instead, so they play in playlists.
    """
    if claim:
        if not songs or min_probability is not None or pick != 1:
            raise typer.BadParameter("--claim takes song ids only", param_hint="--claim")
        _claim_decision(list(songs), ClaimVerdict.ACCEPTED, service, db, json_)
        return
    if service is not None:
        raise typer.BadParameter("--service goes with --claim", param_hint="--service")
    if not songs and min_probability is None:
        raise typer.BadParameter("give song ids, --min-probability, or both", param_hint="SONGS")
    if pick != 1 and min_probability is not None:
        raise typer.BadParameter("--min-probability accepts each song's best candidate; leave out --pick",
                                 param_hint="--pick")
    with friendly_errors():
        conn = open_db(db).conn
        show_ref = find_show(conn, show) if show else None
        done = review.accept_many(conn, list(songs or []), curator_name(), pick=pick,
                                  min_probability=min_probability, force=force,
                                  show_id=show_ref.id if show_ref else None)
    if json_:
        emit_json([done])
        return
    for d in done.decisions:
        console.print(Text(d.summary, style="green"), soft_wrap=True)
    note(f"{len(done.decisions)} accepted; history #{done.history_id}; `cuesheet undo` takes them all back.")


@review_app.command("search")
def review_search(
    song: SongId,
    words: Annotated[Optional[list[str]], typer.Argument(help="What to search for. Default: the song's text or what was heard.")] = None,
    offline: CuratorOfflineOption = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the search and its candidates as JSON.")] = False,
) -> None:
    """Search for a song again; the search is kept on record (query, sources, when, best, who)."""
    with friendly_errors():
        conn = open_db(db).conn
        review.item(conn, song)  # a wrong id is said before any source is asked
        matcher = curator_online(conn, offline=offline)
        ident, tried = review.search(conn, song, " ".join(words or []), curator_name(), matcher)
    if json_:
        emit_json([{"song": song, "search": tried.to_json(), "identification": ident.to_json()}])
        return
    show_candidates(1, tried.query, ident)
    if ident.candidates:
        note(f"kept on record with song #{song}; `cuesheet review accept {song} --pick N` takes a candidate.")
    else:
        note(f"kept on record with song #{song}; try other words, or `cuesheet review set {song} "
             "--title ... --artist ...` names it.")


@review_app.command("reject")
def review_reject(song: SongId, claim: ClaimOption = False, service: ServiceOption = None,
                  db: DbOption = None,
                  json_: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False) -> None:
    """None of the candidates is the song; the matcher will not try it again.

    With --claim: the song's claimed id is not the song; it never plays in playlists.
    """
    if claim:
        _claim_decision([song], ClaimVerdict.REJECTED, service, db, json_)
        return
    if service is not None:
        raise typer.BadParameter("--service goes with --claim", param_hint="--service")
    with friendly_errors():
        done = review.reject(open_db(db).conn, song, curator_name())
    if json_:
        emit_json([done])
        return
    show_decided(done)


@review_app.command("set")
def review_set(
    song: SongId,
    id_: Annotated[Optional[str], typer.Option(
        "--id", help="Any id as pasted: MusicBrainz id or URL, ISRC, Spotify id, URI or URL.")] = None,
    mbid: Annotated[Optional[str], typer.Option("--mbid", help="MusicBrainz recording id or URL.")] = None,
    spotify_id: Annotated[Optional[str], typer.Option("--spotify-id", help="Spotify track id, URI or URL.")] = None,
    isrc: Annotated[Optional[str], typer.Option("--isrc", help="ISRC.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The recording's title.")] = None,
    artist: Annotated[Optional[str], typer.Option("--artist", help="The recording's artist.")] = None,
    album: Annotated[Optional[str], typer.Option("--album", help="Album or release.")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Release year.")] = None,
    version: Annotated[Optional[str], typer.Option("--version", help="Live, remaster, 2000 re-recording ...")] = None,
    offline: CuratorOfflineOption = False,
    db: DbOption = None,
) -> None:
    """Name the recording by hand: an id the catalog (or MusicBrainz, Spotify) knows, or title and artist."""
    with friendly_errors():
        if id_ is not None:
            found = read_id(id_)
            if found is None:
                raise typer.BadParameter(f"{id_!r} is not a MusicBrainz id or URL, ISRC, or Spotify id, URI or URL",
                                         param_hint="--id")
            key, value = found
            mbid, spotify_id, isrc = (value if key == "mbid" else mbid, value if key == "spotify_id" else spotify_id,
                                      value if key == "isrc" else isrc)
        conn = open_db(db).conn
        matcher = None
        if (mbid or spotify_id) and not (title and artist):
            matcher = curator_online(conn, offline=offline)  # an id the catalog lacks is looked up there
        done = review.set_recording(conn, song, curator_name(), mbid=mbid, spotify_id=spotify_id,
                                    isrc=isrc, title=title, artist=artist, album=album, year=year,
                                    version=version, matcher=matcher)
    show_decided(done)


@review_app.command("walk")
def review_walk(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also songs with no match or not matched yet.")] = False,
    status: StatusOption = None,
    prompt: Annotated[Optional[bool], typer.Option(
        "--prompt/--no-prompt", help="Ask even when input is not a terminal (answers piped in).",
        show_default=False)] = None,
    offline: CuratorOfflineOption = False,
    db: DbOption = None,
) -> None:
    """Go through the queue one song at a time; each decision is saved as you make it."""
    statuses = _statuses(status, all_)
    if not interactive(prompt):
        raise missing(["a terminal (or --prompt with answers on stdin)"], "walking the queue asks questions")
    with friendly_errors():
        conn = open_db(db).conn
        curator = curator_name()
        show_ref, ep = _scope(conn, show, episode)
        items = review.queue(conn, show_id=show_ref.id if show_ref else None, episode_id=ep.id if ep else None,
                             statuses=statuses)
        if not items:
            note("Nothing waits for review.")
            return
        matcher = curator_online(conn, offline=offline)  # "search again" asks them too
        decided = conversation.walk_review(conn, items, curator, matcher, TerminalPrompter())
    note(f"{decided} decided, {len(items) - decided} left in the queue.")
