"""Small helpers the curator tests share: open a fixture database, find an episode, take a snapshot."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from cuesheet.curation.cues import CueDraft, SongDraft
from cuesheet.db.connection import connect
from cuesheet.model import Song
from cuesheet.viewer.resolve import EpisodeRef, find_episode, find_show

# Every table a curator's change may touch, compared whole (ids included).
CONTENT_TABLES = ("shows", "show_aliases", "sources", "characters", "episodes", "episode_aliases",
                  "recordings", "cues", "cue_songs", "cue_performers", "claims")


def open_conn(path: Path) -> sqlite3.Connection:
    return connect(path).conn


def episode(conn: sqlite3.Connection, show: str, ep: str) -> EpisodeRef:
    return find_episode(conn, find_show(conn, show), ep)


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = [t for t in CONTENT_TABLES + ("match_candidates",) if t in present]
    return {t: conn.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def draft(*songs: str, **kw: Any) -> CueDraft:
    parts = []
    for text in songs:
        title, _, artist = text.partition(" - ")
        parts.append(SongDraft(Song(title=title, artist=artist, text=text if not artist else None)))
    return CueDraft(songs=tuple(parts), **kw)


def numbers(conn: sqlite3.Connection, ep: EpisodeRef) -> list[tuple[int, str]]:
    """(cue number, first song title) in number order."""
    return conn.execute(
        """SELECT c.number, s.title FROM cues c JOIN cue_songs s ON s.cue_id = c.id AND s.position = 1
            WHERE c.episode_id = ? ORDER BY c.number""", [ep.id]).fetchall()
