"""Migration m040_unidentified: Songs nobody has identified yet, and every search tried for a song."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import rebuild, run_script, widen_status

# Rebuilds a table: runs with foreign keys off, checked before it commits.
REBUILDS = True


def apply(conn: sqlite3.Connection) -> None:
    """Songs nobody has identified yet, and every search tried for a song.

    `cue_songs.match_status` may be 'unknown': a song plays, no source names it; its
    title and artist are NULL, its text '' and what was heard of it is in `heard`.
    The CHECK constraint is widened by rebuilding the table in this transaction
    (indexes, the search index's triggers and the view they read are re-made).

    `song_searches`: each search a curator ran for a song (query, sources asked,
    when, who, the best candidate), so the next curator does not repeat it.
    """
    rebuild(conn, "cue_songs", widen_status)
    run_script(
        conn,
        """
CREATE TABLE song_searches (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  at TEXT NOT NULL,             -- UTC, ISO 8601
  curator TEXT NOT NULL,
  query TEXT NOT NULL,
  sources TEXT NOT NULL,        -- JSON array of the source names asked
  verdict TEXT,                 -- the matcher's verdict: accepted, review, no_match
  best_title TEXT,
  best_artist TEXT,
  best_score REAL,
  candidates INTEGER NOT NULL DEFAULT 0,
  notes TEXT
);
CREATE INDEX song_searches_song ON song_searches (cue_song_id);
""",
    )
