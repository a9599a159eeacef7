"""The curator workflow's one door to the matcher (cuesheet.match, issue #4).

`cue add`, `cue import` and `review` ask for candidates and link songs only
through these functions, so the sources used (the local catalog, and the
online ones when configured) are chosen in one place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from cuesheet.sources import Candidate, Source


def sources(conn: sqlite3.Connection) -> list[Source]:
    """The sources a curator's songs are matched against: the local catalog."""
    from cuesheet.sources.catalog import CatalogSource

    return [CatalogSource(conn)]


def identify(conn: sqlite3.Connection, text: str, artist: str | None = None, *, limit: int = 5) -> Any:
    """Candidates for one song text, scored, with reasons (a match.Identification)."""
    from cuesheet import match

    return match.identify(text, sources(conn), artist=artist, limit=limit)


def match_new(conn: sqlite3.Connection, song_ids: Sequence[int]) -> Any:
    """Match songs as they come in: link the sure ones, queue the doubtful for review.

    Songs a curator already decided ('curated', 'rejected') are left alone by
    the matcher itself.
    """
    from cuesheet import match

    if not song_ids:
        return match.MatchReport()
    return match.match_songs(conn, sources(conn), song_ids=list(song_ids))


def link(conn: sqlite3.Connection, song_id: int, candidate: Candidate, status: str = "curated",
         score: float | None = None) -> int:
    from cuesheet import match

    return match.link_song(conn, song_id, candidate, status, score)


def keep_for_review(conn: sqlite3.Connection, song_id: int, identification: Any) -> None:
    """"None of these": the candidates wait in the review queue."""
    from cuesheet import match

    match.store_candidates(conn, song_id, identification)
    conn.execute("UPDATE cue_songs SET match_status = 'review' WHERE id = ?", [song_id])
