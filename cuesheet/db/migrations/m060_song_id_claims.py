"""Migration m060_song_id_claims: `song_id_claims`, a recording id that a source claims for a cue's song."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """`song_id_claims`: a recording id (Spotify track, MusicBrainz recording, ISRC) that a
    source claims for a cue's song, as `id_claims` in an episode file.

    A claim is not a fact: a script's match may be a cover, a karaoke track or another edit,
    so it is kept apart from `recordings` (what cuesheet believes) with the source that
    states it. The claims audit (#20) adds its verdict in a later migration.
    """
    run_script(
        conn,
        """
CREATE TABLE song_id_claims (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  service TEXT NOT NULL,        -- spotify, musicbrainz, isrc
  external_id TEXT NOT NULL,    -- normalised: 22-character Spotify id, lower-case MBID, compact ISRC
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  UNIQUE (cue_song_id, service, external_id, source_id)
);
CREATE INDEX song_id_claims_song ON song_id_claims (cue_song_id);
CREATE INDEX song_id_claims_id ON song_id_claims (service, external_id);
""",
    )
