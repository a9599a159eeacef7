"""Migration m004_history: Every curator change, undoable: who, when, what, and each row before and after."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """Every curator change, undoable: who, when, what, and each row before and after.

    `changes` is a JSON list of {"table", "rowid", "before", "after"} row images
    (null for a row that did not exist), in the order the rows changed, so an
    undo replays it backwards. show_id/episode_id are plain numbers, not
    foreign keys: history outlives the rows it describes.
    """
    run_script(
        conn,
        """
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,             -- UTC, ISO 8601
  curator TEXT NOT NULL,
  action TEXT NOT NULL,         -- 'cue add', 'cue edit', 'review accept', 'undo' ...
  summary TEXT NOT NULL,
  show_id INTEGER,
  episode_id INTEGER,
  changes TEXT NOT NULL,
  undo_of INTEGER REFERENCES history(id),
  undone_by INTEGER REFERENCES history(id)
);
CREATE INDEX history_episode ON history (episode_id);
CREATE INDEX history_show ON history (show_id);
""",
    )
