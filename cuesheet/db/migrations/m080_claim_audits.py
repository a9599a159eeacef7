"""Migration m080_claim_audits: what a claimed id is (`claimed_tracks`) and each claim's verdict."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """What a claimed id really is, and whether it is the song: the claims audit (#20).

    `claimed_tracks`: the track a service id names, as that service names it (title,
    artist, album, release date, length), with where the details come from. One row per
    (service, id), whichever songs claim it. `song_id_claims` gains the audit's verdict
    (`accepted` plays in playlists; `review` waits; `rejected` never plays), the kind of
    track it is, the reasons in words (a JSON array), and who decided: NULL for the audit
    (recomputed whenever the claim or the track's details change), else the curator, whose
    decision the audit never overwrites.
    """
    run_script(
        conn,
        """
CREATE TABLE claimed_tracks (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  external_id TEXT NOT NULL,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  album TEXT,
  release_date TEXT,
  duration_ms INTEGER,
  source TEXT,                  -- where the details come from (a dataset's file and row)
  UNIQUE (service, external_id)
);
ALTER TABLE song_id_claims ADD COLUMN verdict TEXT NOT NULL DEFAULT 'review'
  CHECK (verdict IN ('accepted', 'review', 'rejected'));
ALTER TABLE song_id_claims ADD COLUMN kind TEXT;
ALTER TABLE song_id_claims ADD COLUMN reasons TEXT;       -- JSON array of strings
ALTER TABLE song_id_claims ADD COLUMN decided_by TEXT;    -- NULL: the audit; else the curator
ALTER TABLE song_id_claims ADD COLUMN decided_at TEXT;
CREATE INDEX song_id_claims_verdict ON song_id_claims (verdict, cue_song_id);
""",
    )
