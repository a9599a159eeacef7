"""Which sources a command may ask, and why the others are skipped, in one line each.

`identify` and `match` call `select_sources` once per run. Every chosen online
source is returned, even one that cannot go online (--offline, no credentials,
network down): it still answers from the response cache, and a miss is simply
no candidates. The `SourceSkipped` list says which sources will not go online
and why, for the command to print, one line each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from cuesheet.config import Config
from cuesheet.errors import InputError
from cuesheet.sources import Source, SourceSkipped
from cuesheet.sources.cache import Cache, open_cache
from cuesheet.sources.online import OnlineSource, probe

CATALOG = "catalog"
ONLINE = ("musicbrainz", "spotify")
KNOWN = (CATALOG, *ONLINE)
OFFLINE_REASON = "--offline"
# A TCP connect either opens at once or the network is not there; no need for the full timeout.
PROBE_TIMEOUT = 2.0


def parse_source_names(text: str | None) -> list[str] | None:
    """`--source musicbrainz,spotify` -> ["musicbrainz", "spotify"]; None or "" -> None (all)."""
    if not text or not text.strip():
        return None
    names = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name not in KNOWN:
            raise InputError(f"unknown source {name!r} (known: {', '.join(KNOWN)})", field="--source")
        if name not in names:
            names.append(name)
    if not names:
        raise InputError("no source named (known: " + ", ".join(KNOWN) + ")", field="--source")
    return names


def online_source(name: str, config: Config, cache: Cache | None, *, offline: str | None = None,
                  refresh: bool = False) -> OnlineSource:
    """One online source by name, configured; `offline` = why it may only use the cache."""
    if name == "musicbrainz":
        from cuesheet.sources.musicbrainz import MusicBrainzSource

        return MusicBrainzSource(config, cache, offline=offline, refresh=refresh)
    if name == "spotify":
        from cuesheet.sources.spotify import SpotifySource

        return SpotifySource(config, cache, offline=offline, refresh=refresh)
    raise InputError(f"unknown source {name!r} (known: {', '.join(KNOWN)})", field="--source")


def select_sources(
    conn: sqlite3.Connection | Any,
    config: Config,
    *,
    names: Sequence[str] | None = None,
    offline: bool = False,
    refresh: bool = False,
    local: Source | None = None,
    cache: Cache | None = None,
    check_network: bool = True,
) -> tuple[list[Source], list[SourceSkipped]]:
    """The sources to ask, local catalog first, and a one-line reason for each that stays offline.

    - `names`: a subset of catalog, musicbrainz, spotify (None = all);
    - `offline`: no source goes online (answers from the cache only);
    - `refresh`: online sources refetch even when the cache has a fresh answer;
    - `local`: the catalog source (default: `CatalogSource(conn)`);
    - `check_network`: open a TCP connection to each service first, so a machine
      without network says so once instead of once per query.
    """
    wanted = list(names) if names is not None else list(KNOWN)
    for name in wanted:
        if name not in KNOWN:
            raise InputError(f"unknown source {name!r} (known: {', '.join(KNOWN)})", field="--source")
    sources: list[Source] = []
    skipped: list[SourceSkipped] = []
    if CATALOG in wanted:
        from cuesheet.sources.catalog import CatalogSource

        sources.append(local if local is not None else CatalogSource(conn))
    online = [n for n in ONLINE if n in wanted]
    if not online:
        return sources, skipped
    cache = cache if cache is not None else open_cache(config)
    for name in online:
        reason = OFFLINE_REASON if offline else None
        source = online_source(name, config, cache, offline=reason, refresh=refresh)
        if source.offline is None and check_network:
            endpoints = [getattr(source, "endpoint", None) or getattr(source, "api", None)]
            if name == "spotify":
                endpoints.append(getattr(source, "token", None))
            for endpoint in endpoints:
                why = probe(endpoint, min(config.timeout, PROBE_TIMEOUT)) if endpoint else None
                if why:
                    source.offline = why
                    break
        if source.offline is not None:
            skipped.append(SourceSkipped(name, source.offline))
        sources.append(source)  # type: ignore[arg-type]
    return sources, skipped


def fallback_notes(sources: Sequence[Source], reported: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """One line for each online source whose service failed during the run while its cache
    answered in its place, unless that failure was already reported."""
    notes = []
    for source in sources:
        down = getattr(source, "down", None)
        if getattr(source, "fell_back", False) and down is not None and str(down) not in reported:
            message, remedy = getattr(down, "message", None) or str(down), getattr(down, "remedy", None)
            notes.append(f"{message}; answered from the cache" + (f" ({remedy})" if remedy else ""))
    return notes


def configured_sources(conn: sqlite3.Connection | Any, *, source: str | None = None,
                       offline: bool = False, refresh: bool = False,
                       online_only: bool = False) -> tuple[list[Source], list[SourceSkipped]]:
    """`select_sources` with the user's settings and a `--source a,b` text, as commands take them."""
    from cuesheet import config

    names = list(ONLINE) if online_only else parse_source_names(source)
    return select_sources(conn, config.load(), names=names, offline=offline, refresh=refresh)
