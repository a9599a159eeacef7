"""Migration m001_initial: m001_initial"""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import (
    CONFIDENCES_V1,
    CUE_DOC_VIEW,
    FTS_TRIGGERS,
    KINDS_V1,
    MATCH_STATUSES_V1,
    run_script,
)


def apply(conn: sqlite3.Connection) -> None:
    kinds = ", ".join(f"'{k}'" for k in KINDS_V1)
    confidences = ", ".join(f"'{c}'" for c in CONFIDENCES_V1)
    statuses = ", ".join(f"'{s}'" for s in MATCH_STATUSES_V1)
    run_script(
        conn,
        f"""
CREATE TABLE shows (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  year INTEGER,
  network TEXT,
  notes TEXT
);
CREATE TABLE show_aliases (
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  PRIMARY KEY (show_id, alias)
);
-- Where facts come from: a dedicated song list, a recap, a review ...
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  show_id INTEGER REFERENCES shows(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  title TEXT,
  url TEXT,
  date TEXT,
  UNIQUE (show_id, key)
);
CREATE TABLE characters (
  id INTEGER PRIMARY KEY,
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  full_name TEXT,
  actor TEXT,
  notes TEXT,
  UNIQUE (show_id, name)
);
CREATE TABLE episodes (
  id INTEGER PRIMARY KEY,
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  season INTEGER NOT NULL CHECK (season >= 1),
  number INTEGER NOT NULL CHECK (number >= 1),
  title TEXT NOT NULL,
  air_date TEXT,
  length_ms INTEGER,
  -- A season is never assumed complete: 1 only when a curator says every cue is known.
  complete INTEGER NOT NULL DEFAULT 0,
  notes TEXT,
  UNIQUE (show_id, season, number)
);
CREATE TABLE episode_aliases (
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  PRIMARY KEY (episode_id, alias)
);
-- Recordings are the local catalog: one row per exact recording (the Chet
-- Baker take, not the Sinatra one), whatever source described it.
CREATE TABLE recordings (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  version TEXT,
  year INTEGER,
  duration_ms INTEGER,
  album TEXT,
  isrc TEXT,
  mbid TEXT,
  spotify_id TEXT,
  links TEXT,           -- JSON object: other listen links by name
  source TEXT NOT NULL DEFAULT 'catalog',
  row_key TEXT UNIQUE,  -- identity of an imported row, so re-imports do not duplicate
  added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX recordings_isrc ON recordings (isrc);
CREATE INDEX recordings_mbid ON recordings (mbid);
CREATE INDEX recordings_spotify_id ON recordings (spotify_id);
CREATE TABLE cues (
  id INTEGER PRIMARY KEY,
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number >= 1),
  -- 1 when the scene order is known; 0 when the number is a source list's order.
  order_confirmed INTEGER NOT NULL DEFAULT 0,
  time_in_ms INTEGER,
  time_out_ms INTEGER,
  fps REAL,
  scene TEXT,
  usage TEXT,
  kind TEXT NOT NULL CHECK (kind IN ({kinds})),
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT,
  UNIQUE (episode_id, number),
  CHECK (time_out_ms IS NULL OR time_in_ms IS NULL OR time_out_ms >= time_in_ms)
);
CREATE TABLE cue_songs (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,       -- the song as entered, messy as it was
  title TEXT,               -- the working identification
  artist TEXT,
  version TEXT,
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT,
  recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  match_status TEXT NOT NULL DEFAULT 'unmatched' CHECK (match_status IN ({statuses})),
  UNIQUE (cue_id, position)
);
CREATE INDEX cue_songs_recording ON cue_songs (recording_id);
CREATE TABLE cue_performers (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  cue_song_id INTEGER REFERENCES cue_songs(id) ON DELETE CASCADE,  -- a mashup part
  position INTEGER NOT NULL,
  character TEXT,
  actor TEXT,
  inferred INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cue_performers_cue ON cue_performers (cue_id);
-- Provenance: each row says "source S states that field F of this cue/song is V".
-- Disagreements are two claims with different values; none is ever dropped.
CREATE TABLE claims (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  cue_song_id INTEGER REFERENCES cue_songs(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  value TEXT,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT
);
CREATE INDEX claims_cue ON claims (cue_id);
CREATE VIEW conflicts AS
  SELECT cue_id, cue_song_id, field, count(DISTINCT lower(value)) AS n_values
    FROM claims GROUP BY cue_id, cue_song_id, field
  HAVING count(DISTINCT lower(value)) > 1;
CREATE VIRTUAL TABLE cue_fts USING fts5 (
  songs, artists, performers, scene, episode,
  tokenize = 'trigram'
);
{CUE_DOC_VIEW};
"""
    )
    for name, (when, body) in FTS_TRIGGERS.items():
        conn.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
