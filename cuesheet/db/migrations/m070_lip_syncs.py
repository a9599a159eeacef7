"""Migration m070_lip_syncs: contest lip syncs (#20): a cue's lip-sync kind, its results, a show's franchise."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """`cues.lip_sync`: for-your-life, for-the-win, for-the-crown or smackdown. `cue_results`:
    who won the lip sync and who went home, in the source's order. Results are spoilers:
    readers show them only when a viewer asks, and never past the viewer's guard.
    `shows.franchise` groups shows of one family (Drag Race US, UK, All Stars ...).
    """
    run_script(
        conn,
        """
ALTER TABLE cues ADD COLUMN lip_sync TEXT;
ALTER TABLE shows ADD COLUMN franchise TEXT;
CREATE TABLE cue_results (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('won', 'eliminated')),
  contestant TEXT NOT NULL
);
CREATE INDEX cue_results_cue ON cue_results (cue_id);
""",
    )
