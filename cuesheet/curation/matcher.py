"""The curator workflow's one door to the matcher (cuesheet.matching), with its sources passed in.

A `Matcher` holds the sources a command asks for candidates: the local catalog,
and the online ones (MusicBrainz, Spotify) when the command's settings allow.
The CLI builds it (cli.common.curator_matcher) and passes it to `cue add`,
`review set/search/walk`; nothing is kept in module state, so two commands in
one process (tests, the web) cannot see each other's sources.

Online sources answer what a curator looks at and picks (`cue add`'s
candidates, "search again", `review set --mbid`), asked before any write begins.
The automatic matching of songs as they come in (`match_new`) stays with the
local catalog: it runs inside the write transaction, which must not wait on a
service that allows one request a second; `cuesheet match` asks the online
sources for whatever the catalog left open (`match_recorded`).

Match state itself is written only by `cuesheet.matching.persist`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cuesheet.sources import Candidate, Source


@dataclass(frozen=True)
class Matcher:
    """The sources one command asks: `local` (the catalog) and `online` (may be empty)."""

    local: tuple[Source, ...]
    online: tuple[Source, ...] = ()

    @classmethod
    def offline(cls, conn: sqlite3.Connection) -> Matcher:
        """The local catalog only: what songs are matched against as they are saved."""
        from cuesheet.sources.catalog import CatalogSource

        return cls((CatalogSource(conn),))

    @classmethod
    def with_online(cls, conn: sqlite3.Connection, online: Sequence[Source]) -> Matcher:
        return cls(cls.offline(conn).local, tuple(online))

    @property
    def sources(self) -> list[Source]:
        return [*self.local, *self.online]

    def online_names(self) -> list[str]:
        return [s.name for s in self.online]

    def asked_names(self) -> list[str]:
        """The names of the sources `identify` asks; one kept offline answers from its cache
        only, and says so."""
        return [s.name + (" (cache only)" if getattr(s, "offline", None) else "") for s in self.sources]

    def identify(self, text: str, artist: str | None = None, *, limit: int = 5) -> Any:
        """Candidates for one song text, scored, with reasons (a matching.Identification;
        `skipped` says which source could not answer)."""
        from cuesheet import matching

        return matching.identify(text, self.sources, artist=artist, limit=limit)

    def lookup_ids(self, given: dict[str, str]) -> tuple[Candidate | None, list[str]]:
        """The recording an online source knows by one of these ids (mbid, spotify_id), and
        why the sources that could not say were skipped."""
        from cuesheet.sources import SourceSkipped

        by_source = {"musicbrainz": "mbid", "spotify": "spotify_id"}
        skipped: list[str] = []
        for source in self.online:
            key = by_source.get(source.name)
            if key is None or key not in given:
                continue
            try:
                found = source.lookup(given[key])
            except SourceSkipped as exc:
                skipped.append(str(exc))
                continue
            if found is not None:
                return found, skipped
        return None, skipped


# --- matching stored songs ------------------------------------------------------------------------


def match_new(conn: sqlite3.Connection, song_ids: Sequence[int], matcher: Matcher | None = None) -> Any:
    """Match songs as they come in, against the local sources only: link the sure ones,
    queue the doubtful for review. Songs a curator decided are left alone by the matcher."""
    from cuesheet import matching

    if not song_ids:
        return matching.MatchReport()
    local = (matcher or Matcher.offline(conn)).local
    return matching.match_songs(conn, list(local), song_ids=list(song_ids))


def match_recorded(conn: sqlite3.Connection, sources: Sequence[Source], curator: str, *,
                   episode_ids: Sequence[int] | None = None) -> Any:
    """`cuesheet match`: match the open songs, as one history entry `undo` can take back.

    The matcher searches before it opens its transaction (online sources are slow), so
    the entry is written inside that transaction by history.recorded_around.
    """
    from cuesheet import matching
    from cuesheet.db import history

    def summarize(changes: list[dict[str, Any]]) -> str:
        counts: dict[str, int] = {}
        for ch in history.net(changes):
            if ch["table"] == "cue_songs" and ch["after"]:
                status = ch["after"].get("match_status")
                counts[status] = counts.get(status, 0) + 1
        return "matched songs: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))

    with history.recorded_around(conn, "match", curator, summarize) as change:
        if episode_ids is not None and len(episode_ids) == 1:
            row = conn.execute("SELECT show_id FROM episodes WHERE id = ?", [episode_ids[0]]).fetchone()
            change.show_id, change.episode_id = (row[0] if row else None), episode_ids[0]
        report = matching.match_songs(conn, sources, episode_ids=episode_ids)
    report.history_id = change.id  # type: ignore[attr-defined]
    return report
