"""Migration m050_imported_files: The files `cue import` has imported, by content hash."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """The files `cue import` has imported, by content hash.

    A `cue import` killed just after its commit and run again would add every
    unnumbered row a second time; the hash, written in the same transaction as
    the cues, makes the second run refuse (`--again` imports it anyway). The
    table is tracked by history, so `undo` of an import forgets its file.
    """
    run_script(
        conn,
        """
CREATE TABLE imported_files (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,          -- the file's name when it was imported, for the message
  show_id INTEGER,
  imported_at TEXT NOT NULL
);
CREATE INDEX imported_files_sha256 ON imported_files (sha256);
""",
    )
