"""Migration m041_episode_sources: `episode_sources`: the show's sources that state an episode's own facts (that every song"""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """`episode_sources`: the show's sources that state an episode's own facts (that every song
    is listed, its length), as `sources:` in an episode file and `episode set --source`."""
    run_script(
        conn,
        """
CREATE TABLE episode_sources (
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  PRIMARY KEY (episode_id, source_id)
);
CREATE INDEX episode_sources_source ON episode_sources (source_id);
""",
    )
