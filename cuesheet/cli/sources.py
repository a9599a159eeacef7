"""`cuesheet cache …` and `cuesheet config …`: the response cache and the settings behind online sources."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.table import Table

from cuesheet.cli.common import JsonOption
from cuesheet.cli.output import console, friendly_errors, note
from cuesheet.notation.plural import noun

cache_app = typer.Typer(help="The cache of MusicBrainz and Spotify answers (works offline).",
                        no_args_is_help=True)
config_app = typer.Typer(help="Settings: config file, environment variables, defaults.",
                         no_args_is_help=True)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


@cache_app.command("stats")
def cache_stats_command(json_: JsonOption = False) -> None:
    """How many answers are cached per source, how many are still fresh, and where."""
    from cuesheet import config
    from cuesheet.sources import cache

    with friendly_errors():
        stats = cache.cache_stats(config.load())
    if json_:
        sys.stdout.write(json.dumps(stats.to_json(), indent=2) + "\n")
        return
    if not stats.entries:
        console.print(f"Response cache {stats.path}: empty (nothing fetched yet).", highlight=False)
        return
    table = Table("source", "entries", "fresh", "stale", "oldest (UTC)", "newest (UTC)",
                  title=f"{stats.path} ({_size(stats.bytes)}; fresh = under {stats.ttl_days:g} days old)")
    for s in stats.sources:
        table.add_row(s.source, str(s.entries), str(s.fresh), str(s.stale), _minute(s.oldest), _minute(s.newest))
    console.print(table)
    if any(s.stale for s in stats.sources):
        note("Stale answers are refetched when online and still used offline; "
             "`cuesheet cache clear --stale` drops them.")


def _minute(iso: str | None) -> str:
    """`2026-11-25 12:16`: fits an 80-column terminal, where the full ISO time was cut to `2026-11-25T12:1…`."""
    return (iso or "")[:16].replace("T", " ")


@cache_app.command("clear")
def cache_clear_command(
    source: Annotated[Optional[str], typer.Option("--source", help="Only this source's answers "
                                                   "(musicbrainz or spotify).")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Only answers older than the TTL.")] = False,
) -> None:
    """Drop cached answers; the next online run fetches them again."""
    from cuesheet import config
    from cuesheet.sources import cache
    from cuesheet.sources.registry import ONLINE

    with friendly_errors():
        if source is not None and source.lower() not in ONLINE:
            raise typer.BadParameter(f"{source!r} is not an online source (one of: {', '.join(ONLINE)})",
                                     param_hint="--source")
        count = cache.clear_cache(config.load(), source=source.lower() if source else None,
                                  stale_only=stale)
    which = ("stale " if stale else "") + (f"{source.lower()} " if source else "")
    console.print(f"Removed {count} cached {which}{noun(count, 'answer')}.", highlight=False)


@config_app.command("show")
def config_show_command(json_: JsonOption = False) -> None:
    """Every setting, where it comes from, secrets masked."""
    from cuesheet import config

    with friendly_errors():
        settings = config.describe()
        path = config.config_path()
    if json_:
        data = {"path": str(path), "exists": path.exists(), "settings": [s.to_json() for s in settings]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    state = "" if path.exists() else " (not present: defaults and environment only)"
    lines = [f"# config file: {path}{state}"]
    table = None
    width = max(len(s.toml.split(".", 1)[1]) + len(_toml_value(s.value)) for s in settings) + 3
    for s in settings:
        group, key = s.toml.split(".", 1)
        if group != table:
            lines += ["", f"[{group}]"]
            table = group
        origin = {"default": "default", "file": "from the config file",
                  "environment": f"from ${s.env}"}[s.origin]
        env = f" (${s.env})" if s.env and s.origin != "environment" else ""
        assignment = f"{key} = {_toml_value(s.value)}" if s.value is not None else f"# {key} = (not set)"
        lines.append(f"{assignment.ljust(width)}  # {origin}{env}")
    console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


def _toml_value(value: object) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


@config_app.command("path")
def config_path_command() -> None:
    """Where the config file is read from ($CUESHEET_CONFIG, else the user config directory)."""
    from cuesheet import config

    typer.echo(str(config.config_path()))
