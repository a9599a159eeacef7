"""The viewer's commands (shows, episodes, what, search) without typer: the instant-answer path.

`cuesheet what` is the question people ask most, and a cold start spent most of
its time importing typer, rich and sqlite-utils. `main()` hands these four
commands here first; `light_main` reads their few options by hand and answers
with plain sqlite3. Anything it does not understand (`--help`, a bad option, a
missing argument) returns None and typer takes over, so usage errors and help
stay typer's. The typer commands in `cli/viewer.py` call the same `run_*`
functions, so both paths print the same bytes.

Exit codes: 0 answered; 1 no answer (stdout holds `[]` with --json/--nl is an
empty stream) or an error, one line on stderr; 2 usage (typer's).
"""

from __future__ import annotations

from cuesheet.notation.echo import echo, short

import sqlite3
import sys
from pathlib import Path
from typing import Any

from cuesheet.cli.cards import Out, render_answers
from cuesheet.viewer.answers import completeness
from cuesheet.errors import CuesheetError
from cuesheet.db.connection import open_connection, resolve_path

# Options each command takes: name -> True when it takes a value.
OPTIONS: dict[str, dict[str, bool]] = {
    "shows": {"--db": True, "--json": False, "--nl": False},
    "episodes": {"--db": True, "--json": False, "--nl": False},
    "what": {"--db": True, "--json": False, "--nl": False, "--at": True, "--upto": True, "--results": False},
    "search": {"--db": True, "--json": False, "--nl": False, "--show": True, "--limit": True, "--upto": True,
               "--results": False},
}
# Positional arguments: (required, variadic).
POSITIONAL = {"shows": (0, False), "episodes": (1, False), "what": (2, True), "search": (1, True)}


def light_parse(argv: list[str]) -> tuple[str, list[str], dict[str, Any]] | None:
    """(command, positionals, options) for the simple command lines, else None (typer's job)."""
    if not argv or argv[0] not in OPTIONS:
        return None
    command, known = argv[0], OPTIONS[argv[0]]
    positional: list[str] = []
    options: dict[str, Any] = {}
    rest = iter(argv[1:])
    only_positional = False
    for arg in rest:
        if only_positional or not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        if arg == "--":
            only_positional = True
            continue
        name, eq, value = arg.partition("=")
        if name not in known:
            return None
        if known[name]:
            if not eq:
                value = next(rest, None)  # type: ignore[assignment]
                if value is None:
                    return None
            options[name] = value
        elif eq:
            return None
        else:
            options[name] = True
    required, variadic = POSITIONAL[command]
    if len(positional) < required or (not variadic and len(positional) > required):
        return None
    if command == "search" and not positional:
        return None
    if "--limit" in options:
        try:
            options["--limit"] = int(options["--limit"])
        except ValueError:
            return None
        if not 1 <= options["--limit"] <= 1_000:  # limits.LIMIT: typer's usage error says so
            return None
    return command, positional, options


def light_main(argv: list[str]) -> int | None:
    """Answer a viewer's command without typer; None when typer should handle it."""
    parsed = light_parse(argv)
    if parsed is None:
        return None
    command, args, opts = parsed
    db, json_, nl = opts.get("--db"), bool(opts.get("--json")), bool(opts.get("--nl"))
    if command == "shows":
        return run_shows(db, json_=json_, nl=nl)
    if command == "episodes":
        return run_episodes(args[0], db, json_=json_, nl=nl)
    if command == "what":
        return run_what(args[0], args[1], args[2:], at=opts.get("--at"), upto=opts.get("--upto"),
                        db=db, json_=json_, nl=nl, results=bool(opts.get("--results")))
    return run_search(args, show=opts.get("--show"), limit=opts.get("--limit", 10), upto=opts.get("--upto"),
                      db=db, json_=json_, nl=nl, results=bool(opts.get("--results")))


# --- the commands ------------------------------------------------------------------------


def open_read(path: str | Path | None) -> sqlite3.Connection:
    """The database for reading: plain sqlite3, read-only, never migrated (open_connection, #17)."""

    return open_connection(resolve_path(path), readonly=True)


def _upto(flag: str | None) -> str | None:
    """--upto, else CUESHEET_UPTO or the config file's [viewer] upto."""
    if flag:
        return flag
    from cuesheet import config
    from cuesheet.notation.limits import env

    upto = env("CUESHEET_UPTO")  # bounded and checked, as every environment value
    if upto:
        return upto
    path = config.config_path()
    return config.load(path).upto if path.exists() else None


def _guarded(fn):  # type: ignore[no-untyped-def]
    """Errors as one line on stderr and exit 1; a closed pipe (`| head`) quietly."""

    def run(*args: Any, **kwargs: Any) -> int:
        out = Out()
        try:
            return fn(out, *args, **kwargs)
        except CuesheetError as exc:
            out.error(str(exc))
            return 1
        except sqlite3.DatabaseError as exc:
            out.error(f"database error: {exc}")
            return 1
        except BrokenPipeError:
            _quiet_pipe()
            return 0
        except KeyboardInterrupt:
            out.stderr.write("interrupted; nothing was written.\n")
            return 130

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def _quiet_pipe() -> None:
    """The reader went away (`| head`): point stdout at /dev/null so the exit flush is silent too."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _json(out: Out, items: Any, nl: bool) -> None:
    from cuesheet.viewer.answers import emit_json_text

    out.stdout.write(emit_json_text(items, nl=nl))
    out.flush()


@_guarded
def run_shows(out: Out, db: str | Path | None, *, json_: bool = False, nl: bool = False) -> int:
    from cuesheet.viewer import resolve

    rows = resolve.shows(open_read(db))
    if json_ or nl:
        _json(out, rows, nl)
        return 0
    out.table(["show", "year", "network", "seasons", "episodes", "cues", "songs", "also known as"],
              [[r["name"], str(r["year"] or ""), r["network"] or "", str(r["seasons"]), str(r["episodes"]),
                str(r["cues"]), str(r["songs"]), ", ".join(r["aliases"])] for r in rows])
    out.flush()
    return 0


@_guarded
def run_episodes(out: Out, show: str, db: str | Path | None, *, json_: bool = False, nl: bool = False) -> int:
    from cuesheet.viewer import resolve

    conn = open_read(db)
    named = resolve.find_show_season(conn, show)  # "all stars 7": that season's episodes
    ref = named.show
    rows = resolve.episodes(conn, ref, named.season)
    if json_ or nl:
        _json(out, rows, nl)
        return 0
    out.table(["episode", "title", "cues", "songs", "aired", "complete"],
              [[r["code"], r["episode_title"], str(r["cues"]), str(r["songs"]), r["air_date"] or "",
                "yes" if r["complete"] else "not yet"] for r in rows], title=ref.name)
    out.flush()
    if any(not r["complete"] for r in rows):
        out.note("Episodes marked 'not yet' are not marked complete, so they may have more songs than listed.")
    return 0


@_guarded
def run_what(out: Out, show: str, episode: str, words: list[str] | None, *, at: str | None = None,
             upto: str | None = None, db: str | Path | None = None, json_: bool = False, nl: bool = False,
             results: bool = False) -> int:
    from cuesheet.viewer.search import NoMatch, what_args

    conn = open_read(db)
    try:
        result = what_args(conn, [show, episode, *(words or [])], at, upto=_upto(upto))
    except NoMatch as exc:
        # The same as search: with --json an empty array on stdout, the reason on stderr, exit 1.
        if json_ or nl:
            _json(out, [], nl)
        out.error(str(exc))
        return 1
    if results:  # spoilers, asked for; what_args has kept to the episodes the viewer watched
        from cuesheet.viewer.answers import with_results

        with_results(conn, result.answers)
    if json_ or nl:
        _json(out, result.answers, nl)
        for line in result.notes:  # "not in S01E02; S01E03 cue 2 fits": said beside the array
            out.note(line)
        return 0
    ep = result.episode
    title = f"{ep.show.name} {ep.code} — {ep.title}"
    if result.mode == "sheet":
        about = None
        if result.answers and all(s.unidentified for a in result.answers for s in a.songs):
            from cuesheet.viewer.resolve import episode_notes

            about = episode_notes(conn, ep)  # nobody named a song: the notes say what is known
        render_answers(out, result.answers, title=title, about=about)
        out.flush()
        from cuesheet.viewer.resolve import episodes

        row = next(e for e in episodes(conn, ep.show) if (e["season"], e["episode"]) == (ep.season, ep.number))
        said = completeness(row["cues"], row["songs"], row["complete"])
        out.note(f"{said[:1].upper()}{said[1:]}. Ask with words or --at to rank them.")
    elif result.mode == "elsewhere":
        render_answers(out, result.answers, title=title, scored=True, with_episode=True,
                       lead=result.notes[0] if result.notes else None)
        out.flush()
        for line in result.notes[1:]:
            out.note(line)
    else:
        lead = "nothing matched " + ", ".join(echo(w) for w in result.unmatched) if result.unmatched else None
        render_answers(out, result.answers, title=title, scored=True, lead=lead)
        out.flush()
        for line in result.notes:
            out.note(line)
    return 0


@_guarded
def run_search(out: Out, words: list[str], *, show: str | None = None, limit: int = 10, upto: str | None = None,
               db: str | Path | None = None, json_: bool = False, nl: bool = False, results: bool = False) -> int:
    from cuesheet.viewer.search import search

    query = " ".join(words)
    conn = open_read(db)
    result = search(conn, query, show, limit=limit, upto=_upto(upto))
    if results:  # spoilers, asked for; search has kept to the episodes the viewer watched
        from cuesheet.viewer.answers import with_results

        with_results(conn, result.answers)
    if json_ or nl:
        _json(out, result.answers, nl)  # cue answers only: scripts depend on the array
    elif result.answers:
        render_answers(out, result.answers, title=f"search: {short(query)}", scored=True, with_episode=True,
                       lead=result.lead())
        out.flush()
    for line in result.notes():
        if json_ or nl or line != result.lead():  # said before the cards already
            out.note(line)
    if result.more:
        out.note(f"{result.more} more {'cue fits' if result.more == 1 else 'cues fit'}; "
                 f"add --limit {result.total} to see all {result.total}")
    if result.catalog is not None:
        hint = result.catalog
        out.note(f"no known episode uses it; the catalog has {hint.title} — {hint.artist}")
    return 0 if result.answers else 1
