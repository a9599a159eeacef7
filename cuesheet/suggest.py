"""The curator workflow's one door to the matcher (cuesheet.match, issue #4).

`cue add`, `cue import` and `review` ask for candidates and link songs only
through these functions, so the sources used (the local catalog, and the
online ones when configured) are chosen in one place.

Online sources answer what a curator looks at and picks (`cue add`'s
candidates, the walk's "search again", `review set --mbid`), asked before any
write begins. The automatic matching of songs as they come in stays with the
local catalog: it runs inside the write transaction, which must not wait on a
service that allows one request a second; `cuesheet match` asks the online
sources for whatever the catalog left open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from cuesheet.sources import Candidate, Source


# The online sources this run may ask for candidates (set by the command; none by default).
_online: list[Source] = []


def use_online(online: Sequence[Source]) -> None:
    """Let `identify` and `lookup_ids` ask these online sources too, for the rest of this run."""
    _online[:] = list(online)


def online_names() -> list[str]:
    return [s.name for s in _online]


def sources(conn: sqlite3.Connection) -> list[Source]:
    """The sources a curator's songs are matched against automatically: the local catalog."""
    from cuesheet.sources.catalog import CatalogSource

    return [CatalogSource(conn)]


def identify(conn: sqlite3.Connection, text: str, artist: str | None = None, *, limit: int = 5) -> Any:
    """Candidates for one song text from the catalog and the online sources in use, scored,
    with reasons (a match.Identification; `skipped` says which source could not answer)."""
    from cuesheet import match

    return match.identify(text, [*sources(conn), *_online], artist=artist, limit=limit)


def lookup_ids(given: dict[str, str]) -> tuple[Candidate | None, list[str]]:
    """The recording an online source knows by one of these ids (mbid, spotify_id), and
    why the sources that could not say were skipped."""
    from cuesheet.sources import SourceSkipped

    by_source = {"musicbrainz": "mbid", "spotify": "spotify_id"}
    skipped: list[str] = []
    for source in _online:
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


def match_new(conn: sqlite3.Connection, song_ids: Sequence[int]) -> Any:
    """Match songs as they come in: link the sure ones, queue the doubtful for review.

    Songs a curator already decided ('curated', 'rejected') are left alone by
    the matcher itself.
    """
    from cuesheet import match

    if not song_ids:
        return match.MatchReport()
    return match.match_songs(conn, sources(conn), song_ids=list(song_ids))


def match_recorded(conn: sqlite3.Connection, sources: Sequence[Source], curator: str, *,
                   episode_ids: Sequence[int] | None = None) -> Any:
    """`cuesheet match`: match the open songs, as one history entry `undo` can take back.

    The matcher searches before it opens its transaction (online sources are slow), so
    the entry is written inside that transaction by history.recorded_around.
    """
    from cuesheet import history, match

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
        report = match.match_songs(conn, sources, episode_ids=episode_ids)
    report.history_id = change.id  # type: ignore[attr-defined]
    return report


def link(conn: sqlite3.Connection, song_id: int, candidate: Candidate, status: str = "curated",
         score: float | None = None) -> int:
    from cuesheet import match

    return match.link_song(conn, song_id, candidate, status, score)


def keep_for_review(conn: sqlite3.Connection, song_id: int, identification: Any) -> None:
    """"None of these (keep for review)": the song waits in the review queue, with the
    candidates it was shown (none, when there were none)."""
    from cuesheet import match

    if identification is not None:
        match.store_candidates(conn, song_id, identification)
    conn.execute("UPDATE cue_songs SET match_status = 'review' WHERE id = ?", [song_id])


def keep_candidates(conn: sqlite3.Connection, song_id: int, identification: Any) -> None:
    """A search's candidates wait with the song (its status stays as it is)."""
    from cuesheet import match

    match.store_candidates(conn, song_id, identification)


def asked_names(conn: sqlite3.Connection) -> list[str]:
    """The names of the sources `identify` asks in this run; one kept offline answers from its
    cache only, and says so."""
    return [s.name + (" (cache only)" if getattr(s, "offline", None) else "") for s in [*sources(conn), *_online]]
