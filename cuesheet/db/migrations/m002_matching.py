"""Migration m002_matching: The matcher's index over recordings and the review queue's candidates."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script
from cuesheet.notation.normalize import fold


def apply(conn: sqlite3.Connection) -> None:
    """The matcher's index over recordings and the review queue's candidates.

    `title_key`/`artist_key` hold `normalize.fold` of title and artist, written
    by Python at insert time (SQLite's own folding knows neither anyascii's
    transliteration nor "ain't" == "aint"). The word index over them narrows a
    million recordings to a few hundred candidates; `recording_terms` gives
    each word's document frequency, so very common words can be left out of a
    query and misspelt ones looked up among the words that exist.
    """
    conn.execute("ALTER TABLE recordings ADD COLUMN title_key TEXT")
    conn.execute("ALTER TABLE recordings ADD COLUMN artist_key TEXT")
    rows = conn.execute("SELECT id, title, artist FROM recordings").fetchall()
    conn.executemany(
        "UPDATE recordings SET title_key = ?, artist_key = ? WHERE id = ?",
        [(fold(title), fold(artist), rid) for rid, title, artist in rows],
    )
    run_script(
        conn,
        """
CREATE VIRTUAL TABLE recording_fts USING fts5 (
  title_key, artist_key,
  content = 'recordings', content_rowid = 'id',
  tokenize = 'unicode61'
);
CREATE VIRTUAL TABLE recording_terms USING fts5vocab (recording_fts, 'row');
-- No insert trigger: inserters call catalog.index_recordings, which indexes a
-- whole batch in one statement (a trigger costs five times as much per row).
CREATE TRIGGER recordings_fts_ad AFTER DELETE ON recordings BEGIN
  INSERT INTO recording_fts (recording_fts, rowid, title_key, artist_key)
    VALUES ('delete', OLD.id, OLD.title_key, OLD.artist_key);
END;
CREATE TRIGGER recordings_fts_au AFTER UPDATE OF title_key, artist_key ON recordings BEGIN
  INSERT INTO recording_fts (recording_fts, rowid, title_key, artist_key)
    VALUES ('delete', OLD.id, OLD.title_key, OLD.artist_key);
  INSERT INTO recording_fts (rowid, title_key, artist_key)
    VALUES (NEW.id, NEW.title_key, NEW.artist_key);
END;
ALTER TABLE cue_songs ADD COLUMN match_score REAL;
ALTER TABLE cue_songs ADD COLUMN matched_at TEXT;
-- Doubtful matches wait here with their candidates, best first, for the review queue.
CREATE TABLE match_candidates (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  rank INTEGER NOT NULL,
  score REAL NOT NULL,
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  album TEXT,
  year INTEGER,
  duration_ms INTEGER,
  version TEXT,
  ids TEXT,       -- JSON object: isrc, mbid, spotify_id
  links TEXT,     -- JSON object
  reasons TEXT,   -- JSON array of strings
  recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (cue_song_id, rank)
);
INSERT INTO recording_fts (recording_fts) VALUES ('rebuild');
"""
    )
