"""Identify song text, match cue songs, and manage the local catalog."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cuesheet.cli.common import (
    DbOption,
    JsonOption,
    NlOption,
    OfflineOption,
    RefreshOption,
    SourceOption,
    curator_name,
    open_db,
    open_db_readonly,
)
from cuesheet.cli.output import console, emit, emit_json, friendly_errors, indented, note, sources_label
from cuesheet.db.connection import resolve_path
from cuesheet.model import Verdict
from cuesheet.notation.plural import plural
from cuesheet.viewer import resolve

app = typer.Typer()
catalog_app = typer.Typer(help="The local catalog of recordings: import, stats, search.",
                          no_args_is_help=True)

VERDICT_STYLE = {Verdict.ACCEPTED: "green", Verdict.REVIEW: "yellow", Verdict.NO_MATCH: "red"}


def _sources(conn, source: str | None = None, *, offline: bool = False,  # type: ignore[no-untyped-def]
             refresh: bool = False):
    """The catalog, then the online sources; one line for each that stays offline and why."""
    from cuesheet.sources.registry import configured_sources

    sources, skipped = configured_sources(conn, source=source, offline=offline, refresh=refresh)
    for reason in skipped:
        note(f"skipped {reason}")
    return sources


def _render_identification(ident, *, limit: int, show_reasons: bool = True,  # type: ignore[no-untyped-def]
                           notes: bool = True) -> None:
    style = VERDICT_STYLE[ident.verdict]
    console.print(f"[bold]{escape(ident.query)}[/bold]  [{style}]{ident.verdict}[/{style}]", highlight=False)
    groups = ident.parts or [ident]
    for part in groups:
        if ident.parts:
            pstyle = VERDICT_STYLE[part.verdict]
            console.print(f"  part: {escape(part.query)}  [{pstyle}]{part.verdict}[/{pstyle}]", highlight=False)
        if not part.candidates:
            console.print("  no candidates", style="dim")
        for i, s in enumerate(part.candidates[:limit], start=1):
            c = s.candidate
            extra = ", ".join(str(x) for x in (c.album, c.year) if x)
            version = s.to_json()["version"]
            line = f"{i}. {escape(c.title)} — {escape(c.artist)}"
            if version:
                line += f" [{escape(version)}]"
            if extra:
                line += f" ({escape(extra)})"
            line += f"  [bold]{s.score:.2f}[/bold] [dim]{sources_label(c)}[/dim]"
            console.print(indented(Text.from_markup(line), 2), highlight=False)
            if show_reasons and i <= 3:
                console.print(indented("; ".join(s.reasons), 5), highlight=False)
    for skipped in ident.skipped if notes else ():
        note(f"skipped {skipped}")


@app.command("identify")
def identify_command(
    text: Annotated[Optional[str], typer.Argument(help="The song as you heard or typed it.")] = None,
    artist: Annotated[Optional[str], typer.Option("--artist", help="The artist, when you know it.")] = None,
    from_: Annotated[Optional[str], typer.Option(
        "--from", help="Read one query per line from FILE, or - for stdin; blank lines are skipped "
        "(with a note). A bad line (control characters, over 5,000 characters) stops the batch.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Candidates per query.")] = 5,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=1, max=64, help="With --from: identify in N processes against the local catalog "
        "only (answers stay in input order).")] = 1,
    source: SourceOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON: one object, or one per line with --from.")] = False,
) -> None:
    """What recording is this text? Candidates with scores, reasons and a verdict."""
    from cuesheet.errors import CuesheetError
    from cuesheet.matching import identify
    from cuesheet.sources.registry import configured_sources

    if (text is None) == (from_ is None):
        raise typer.BadParameter("give TEXT or --from FILE (not both)")
    if jobs > 1 and from_ is None:
        raise typer.BadParameter("--jobs goes with --from")
    with friendly_errors():
        if text is not None and not text.strip():
            # As `search ""`: an empty query is a mistake, not a question with no answer.
            raise CuesheetError("nothing to identify",
                                remedy='give the song as you heard it, e.g. `cuesheet identify "elastic heart sia"`')
        queries = [text] if text is not None else _batch_queries(from_ or "-")
        conn = open_db_readonly(db).conn  # identify only reads the catalog (its cache is its own file)
        setup: list = []  # type: ignore[type-arg]
        if jobs > 1:
            note("--jobs: the local catalog only (online sources' rate limits hold per process)")
            sources = []
        else:
            sources, setup = configured_sources(conn, source=source, offline=offline, refresh=refresh)
        if from_ is not None:
            for skipped in setup:  # a batch: said once, before the answers
                note(f"skipped {skipped}")
        reported: set[str] = set()
        if jobs > 1:
            from cuesheet.matching.batch import identify_many

            answers = identify_many(queries, db_path=resolve_path(db), jobs=jobs, identify=identify,
                                    artist=artist, limit=limit)
        else:
            answers = (identify(query, sources, artist=artist, limit=limit) for query in queries)
        for ident in answers:
            reported.update(str(s) for s in ident.skipped)
            if json_:
                emit_json([ident], nl=True) if from_ is not None else emit_json_one(ident)
            else:
                _render_identification(ident, limit=limit, notes=False)
            for line in _skipped_lines(setup, ident.skipped, batch=from_ is not None):
                note(line)
        _fallbacks(sources, reported)


def _skipped_lines(setup, found, *, batch: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """One `skipped SOURCE: why` line per source: a source skipped for the whole run is said once
    (for a batch, before the answers); a query's own reason (`cannot look up ISRC ...`) takes
    the place of the general one rather than repeating it."""
    announced = {s.source for s in setup}
    if batch:
        return [f"skipped {s}" for s in found if s.source not in announced]
    own = {s.source: s for s in found}
    lines = [f"skipped {own.get(s.source, s)}" for s in setup]
    return lines + [f"skipped {s}" for s in found if s.source not in announced]


def _batch_queries(from_: str) -> list[str]:
    """The queries of an --from file (or stdin), with a note naming the blank lines skipped."""
    from cuesheet.matching.batch import read_queries, read_query_lines

    name = "stdin" if from_ == "-" else from_
    lines = read_query_lines(sys.stdin.buffer if from_ == "-" else Path(from_), name)
    queries, blank = read_queries(lines, name)
    if blank:
        shown = ", ".join(str(n) for n in blank[:10]) + (", ..." if len(blank) > 10 else "")
        note(f"{name}: skipped {plural(len(blank), 'blank line')} (line{'s' if len(blank) > 1 else ''} {shown})")
    return queries


def _fallbacks(sources, reported: set[str]) -> None:  # type: ignore[no-untyped-def]
    from cuesheet.sources.registry import fallback_notes

    for line in fallback_notes(sources, reported):
        note(line)


def emit_json_one(ident) -> None:  # type: ignore[no-untyped-def]
    import json

    sys.stdout.write(json.dumps(ident.to_json(), ensure_ascii=False, indent=2) + "\n")


@app.command("match")
def match_command(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode (needs SHOW).")] = None,
    source: SourceOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Match every cue song that has no recording yet; doubtful ones go to the review queue."""
    from cuesheet.curation.matcher import match_recorded

    with friendly_errors():
        conn = open_db(db).conn
        episode_ids = resolve.episode_ids(conn, show, episode) if show else None
        sources = _sources(conn, source, offline=offline, refresh=refresh)
        report = match_recorded(conn, sources, curator_name(),
                                        episode_ids=episode_ids)
    if json_:
        emit_json_one(report)
        _fallbacks(sources, set(report.skipped))
        return
    console.print(
        f"Matched {plural(report.considered, 'song')}: {report.accepted} accepted, {report.review} for review, "
        f"{report.no_match} without a match.", highlight=False)
    for skipped in report.skipped:
        note(f"skipped {skipped}")
    _fallbacks(sources, set(report.skipped))
    if report.review:
        note("See the review queue: cuesheet review")
    if getattr(report, "history_id", None):
        note(f"history #{report.history_id}; `cuesheet undo` takes it back.")


@catalog_app.command("import")
def catalog_import_command(
    file: Annotated[Path, typer.Argument(help=(
        "CSV with a header, JSON Lines, or MusicBrainz canonical data; plain, .zst or .tar.zst."))],
    format: Annotated[Optional[str], typer.Option(
        "--format", help="csv, jsonl or musicbrainz-canonical (default: from the header and file name).")] = None,
    source: Annotated[str, typer.Option("--source", help="Name recorded as these rows' source.")] = "catalog",
    ignore_extra: Annotated[bool, typer.Option(
        "--ignore-extra", help="Skip columns cuesheet does not know instead of failing.")] = False,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Import the good rows; write the bad ones, with file:line:field reasons, "
        "to the reject file.")] = False,
    rejects: Annotated[Optional[Path], typer.Option(
        "--rejects", help="Reject file for --skip-invalid (default: FILE.rejects.txt beside FILE).")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="The file is the whole dataset: remove this source's recordings it no longer "
        "has, except those a cue links to.")] = False,
    create: Annotated[bool, typer.Option(
        "--create", help="Make the database if it does not exist (a catalog-only database, for identify).")] = False,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import recordings, all or nothing; re-importing updates changed rows and adds new ones.

    Rows are read and staged beside the database first, so curators can keep
    working; only the last step (merge and index) takes the write lock.
    """
    from cuesheet.cli.progress import import_progress
    from cuesheet.recordings import importer

    if rejects is not None and not skip_invalid:
        raise typer.BadParameter("--rejects goes with --skip-invalid")
    with friendly_errors():
        from cuesheet.errors import CuesheetError

        target = resolve_path(db)
        if not create and not target.exists():
            raise CuesheetError(f"no database at {target}",
                                remedy="run `cuesheet build` to build it from data/, pass --db PATH to another, "
                                "or add --create to make a catalog-only database")
        conn = open_db(db, create=create).conn
        size = file.stat().st_size if file.is_file() else 0
        with import_progress(file.name, show=size > 5_000_000 and not json_) as progress:
            report = importer.import_file(conn, file, format=format, source=source,
                                          ignore_extra=ignore_extra, progress=progress,
                                          skip_invalid=skip_invalid, rejects=rejects, replace=replace,
                                          curator=curator_name())
    if json_:
        emit_json_one(report)
        return
    console.print(f"Imported {report.path} ({report.format}): {plural(report.rows, 'row')}, {report.added} added, "
                  f"{report.changed} changed, {report.unchanged} unchanged, in {report.seconds:.1f} s.",
                  highlight=False)
    if report.history_id:
        note(f"history #{report.history_id}; `cuesheet undo` takes the added recordings back.")
    if report.removed or report.kept_linked:
        console.print(f"Removed {report.removed} recordings the file no longer has; kept {report.kept_linked} "
                      "that cues link to.", highlight=False)
    if report.artist_from_title:
        note(f"{plural(report.artist_from_title, 'row')} had no artist: read from the title (\"Artist - Title\").")
    if report.repaired:
        note(f"Repaired {plural(report.repaired, 'field')} of UTF-8 text misread as Latin-1/cp1252 "
             "(\"LÃ©o\" -> \"Léo\").")
    if report.rejected:
        note(f"Skipped {plural(report.rejected, 'invalid row')}; reasons in {report.rejects_path}")


@catalog_app.command("claims")
def catalog_claims_command(
    file: Annotated[Path, typer.Argument(help="CSV with a header: one row per claimed track.")],
    service: Annotated[str, typer.Option("--service", help="Whose ids the file names: spotify, musicbrainz"
                                                           " or isrc.")] = "spotify",
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", help="COLUMN=FIELD: the file's COLUMN holds FIELD (id, title, artist, album, release_date,"
                      " duration_ms, source; - ignores it). Repeatable; adds to --mapping. A column named"
                      " as a field is read as that field.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="A mapping file (TOML or YAML) whose `columns` table says column = field,"
                          " as for `cue import --mapping`.")] = None,
    db: DbOption = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Bring in what claimed ids are (the track's own title, artist, album, date), then audit every claim.

    A claim (an `id_claims` entry in a cue sheet) says a song is a track; this file says
    what the track is, so the audit can tell a remaster from a karaoke track. One change,
    undoable; `dump` writes the tracks to data/claims/SERVICE.csv.
    """
    from cuesheet.curation import claims

    with friendly_errors():
        fields = (claims.read_mapping(mapping, map_ or []) if mapping is not None
                  else claims.parse_mapping(map_ or []))
        conn = open_db(db).conn
        report = claims.import_tracks(conn, file, service, curator_name(), fields)
    if json_:
        emit_json_one(report)
        return
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(report.verdicts.items())) or "no claims to audit"
    console.print(f"Read {plural(report.tracks, 'claimed track')} from {report.file}: {report.new} new, "
                  f"{report.changed} changed. Claims audited: {verdicts}.", highlight=False)
    if report.history_id:
        note(f"history #{report.history_id}; `cuesheet undo` takes it back. `cuesheet review claims` lists them.")


@catalog_app.command("stats")
def catalog_stats_command(db: DbOption = None, json_: JsonOption = False) -> None:
    """How many recordings the catalog holds, by source and by id."""
    from cuesheet.recordings import importer

    with friendly_errors():
        s = importer.stats(open_db_readonly(db).conn)
    if json_:
        emit_json_one(s)
        return
    table = Table("recordings", "artists", "with ISRC", "with MBID", "with Spotify id", "cue songs linked")
    table.add_row(*(str(x) for x in (s.recordings, s.artists, s.with_isrc, s.with_mbid,
                                      s.with_spotify_id, s.linked_songs)))
    console.print(table)
    for name, count in s.by_source.items():
        console.print(f"  {name}: {count}", highlight=False)


@catalog_app.command("search")
def catalog_search_command(
    text: Annotated[str, typer.Argument(help="Title and/or artist words, typos welcome.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many recordings.")] = 10,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Search the local catalog, best match first."""
    from cuesheet.matching import identify
    from cuesheet.sources.catalog import CatalogSource

    with friendly_errors():
        conn = open_db_readonly(db).conn
        found = identify(text, [CatalogSource(conn)], limit=limit, mashups=False).candidates

    def render(items: list) -> None:  # type: ignore[type-arg]
        table = Table("score", "title", "artist", "album", "year", "duration", "id")
        for s in items:
            c = s.candidate
            dur = f"{c.duration_ms // 60000}:{c.duration_ms // 1000 % 60:02d}" if c.duration_ms else ""
            table.add_row(f"{s.score:.2f}", c.title, c.artist, c.album or "", str(c.year or ""), dur,
                          str(c.recording_id))
        console.print(table)
        if not items:
            note("Nothing in the catalog looks like that.")

    emit(found, as_json=json_, nl=nl, render=render)
