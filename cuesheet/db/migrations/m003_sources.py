"""Migration m003_sources: What online sources add to the database: their disagreements and the works behind songs."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """What online sources add to the database: their disagreements and the works behind songs.

    The response cache is not here: it lives in its own file (see cuesheet/cache.py),
    because `build` replaces this one wholesale.

    `recording_claims`: when MusicBrainz, Spotify and the catalog describe the same
    recording (joined by ISRC or id) with different titles, artists, years or ids,
    each value is kept with its source instead of one overwriting the other;
    `recording_conflicts` lists the fields that disagree.
    `works` / `work_credits` / `recording_works`: the compositions a recording
    performs, with composers, lyricists and publishers, for cue-sheet exports.
    """
    roles = "'composer', 'lyricist', 'writer', 'librettist', 'arranger', 'publisher'"
    run_script(
        conn,
        f"""
CREATE TABLE recording_claims (
  id INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  value TEXT,
  source TEXT NOT NULL,      -- 'musicbrainz', 'spotify', 'catalog', 'cue sheet' ...
  source_ref TEXT,           -- that source's id for what it described (MBID, Spotify id)
  added_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (recording_id, field, source, value)
);
CREATE INDEX recording_claims_recording ON recording_claims (recording_id);
CREATE VIEW recording_conflicts AS
  SELECT recording_id, field, count(DISTINCT lower(value)) AS n_values
    FROM recording_claims GROUP BY recording_id, field
  HAVING count(DISTINCT lower(value)) > 1;
CREATE TABLE works (
  id INTEGER PRIMARY KEY,
  mbid TEXT UNIQUE,
  title TEXT NOT NULL,
  iswc TEXT
);
CREATE TABLE work_credits (
  work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ({roles})),
  name TEXT NOT NULL,
  share REAL CHECK (share IS NULL OR (share >= 0 AND share <= 100)),
  society TEXT,              -- ASCAP, BMI, PRS ... where a curator or source knows it
  ipi TEXT,                  -- the party's IPI/CAE number
  mbid TEXT,                 -- the artist's or label's MusicBrainz id
  PRIMARY KEY (work_id, position)
);
CREATE TABLE recording_works (
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
  PRIMARY KEY (recording_id, work_id)
);
CREATE INDEX recording_works_work ON recording_works (work_id);
-- When works were last fetched for a recording: an empty answer is an answer too.
ALTER TABLE recordings ADD COLUMN works_checked_at TEXT;
"""
    )
