"""What several migrations share: executing a script atomically, the cue search view and
its triggers, rebuilding a table, and the value lists as each migration first wrote them.

Migrations keep their own copies of the value lists: a later change to the model's
kinds or statuses must not change what an old migration creates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from cuesheet.errors import CuesheetError

# The values as m001 created them (model.py holds today's lists).
KINDS_V1 = ("lip-sync", "mashup", "cast-original", "background", "source")
CONFIDENCES_V1 = ("high", "medium", "low")
MATCH_STATUSES_V1 = ("unmatched", "accepted", "review", "no_match", "curated", "rejected")
# m040 added 'unknown': a song plays and nobody has identified it.
MATCH_STATUSES_V2 = (*MATCH_STATUSES_V1, "unknown")


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """executescript() without its implicit COMMIT, so a migration stays atomic."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip().strip(";").strip():
                conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


CUE_DOC_VIEW = """
CREATE VIEW cue_doc AS
SELECT
  c.id AS cue_id,
  (SELECT group_concat(coalesce(s.title, '') || ' ' || coalesce(r.title, '') || ' '
                       || coalesce(s.text, '') || ' ' || coalesce(r.album, ''), ' / ')
     FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id
    WHERE s.cue_id = c.id) AS songs,
  (SELECT group_concat(coalesce(s.artist, '') || ' ' || coalesce(r.artist, ''), ' / ')
     FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id
    WHERE s.cue_id = c.id) AS artists,
  (SELECT group_concat(coalesce(p.character, '') || ' ' || coalesce(p.actor, ''), ' / ')
     FROM cue_performers p WHERE p.cue_id = c.id) AS performers,
  coalesce(c.scene, '') AS scene,
  e.title || ' ' || coalesce((SELECT group_concat(alias, ' / ') FROM episode_aliases a
                               WHERE a.episode_id = e.id), '') AS episode
FROM cues c JOIN episodes e ON e.id = c.episode_id
"""


# Migration 5 adds what a curator heard of each song (`cue_songs.heard`) to the scene column.
CUE_DOC_VIEW_V2 = CUE_DOC_VIEW.replace(
    "  coalesce(c.scene, '') AS scene,",
    "  coalesce(c.scene, '') || coalesce(' ' || (SELECT group_concat(s.heard, ' / ') FROM cue_songs s\n"
    "                                           WHERE s.cue_id = c.id AND s.heard IS NOT NULL), '') AS scene,",
)


def refresh(cue_ids_sql: str) -> str:
    return f"""
  DELETE FROM cue_fts WHERE rowid IN ({cue_ids_sql});
  INSERT INTO cue_fts (rowid, songs, artists, performers, scene, episode)
    SELECT cue_id, songs, artists, performers, scene, episode FROM cue_doc
     WHERE cue_id IN ({cue_ids_sql});"""


FTS_TRIGGERS = {
    "cues_ai": ("AFTER INSERT ON cues", refresh("NEW.id")),
    "cues_au": ("AFTER UPDATE ON cues", refresh("NEW.id")),
    "cues_ad": ("AFTER DELETE ON cues", "DELETE FROM cue_fts WHERE rowid = OLD.id;"),
    "cue_songs_ai": ("AFTER INSERT ON cue_songs", refresh("NEW.cue_id")),
    "cue_songs_au": ("AFTER UPDATE ON cue_songs", refresh("OLD.cue_id, NEW.cue_id")),
    "cue_songs_ad": ("AFTER DELETE ON cue_songs", refresh("OLD.cue_id")),
    "cue_performers_ai": ("AFTER INSERT ON cue_performers", refresh("NEW.cue_id")),
    "cue_performers_au": ("AFTER UPDATE ON cue_performers", refresh("OLD.cue_id, NEW.cue_id")),
    "cue_performers_ad": ("AFTER DELETE ON cue_performers", refresh("OLD.cue_id")),
    "episodes_au": (
        "AFTER UPDATE OF title ON episodes",
        refresh("SELECT id FROM cues WHERE episode_id = NEW.id"),
    ),
    "episode_aliases_ai": (
        "AFTER INSERT ON episode_aliases",
        refresh("SELECT id FROM cues WHERE episode_id = NEW.episode_id"),
    ),
    "episode_aliases_ad": (
        "AFTER DELETE ON episode_aliases",
        refresh("SELECT id FROM cues WHERE episode_id = OLD.episode_id"),
    ),
    "recordings_au": (
        "AFTER UPDATE OF title, artist, album ON recordings",
        refresh("SELECT cue_id FROM cue_songs WHERE recording_id = NEW.id"),
    ),
}


def rebuild(conn: sqlite3.Connection, table: str, edit: Callable[[str], str]) -> None:
    """Re-create `table` from its own CREATE statement as `edit` changes it, keeping its rows,
    ids, indexes and triggers and the views over it (SQLite cannot ALTER a CHECK constraint).

    Runs inside the migration's transaction with foreign keys off (see Migration), so
    dropping the old table does not cascade to the rows that refer to it. Read from the
    schema as it is, so columns other migrations added survive.
    """
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    new_sql = edit(sql)
    if new_sql == sql:
        return
    dependents = conn.execute(
        """SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != ?
             AND (tbl_name = ? OR (type = 'view') OR (type = 'trigger'))""", [table, table]).fetchall()
    # Views (and triggers naming them) are dropped and re-made: renaming checks every view.
    views = [(t, n, q) for t, n, q in dependents if t == "view"]
    triggers = [(t, n, q) for t, n, q in dependents if t == "trigger"]
    indexes = [(t, n, q) for t, n, q in dependents if t == "index"]
    for _, name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    for _, name, _ in views:
        conn.execute(f'DROP VIEW "{name}"')
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{table}")'))
    temp = f"_{table}_rebuilt"
    conn.execute(new_sql.replace(f"CREATE TABLE {table}", f'CREATE TABLE "{temp}"', 1))
    conn.execute(f'INSERT INTO "{temp}" ({columns}) SELECT {columns} FROM "{table}"')
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "{temp}" RENAME TO "{table}"')
    for _, _, q in indexes + views + triggers:
        conn.execute(q)


def widen_status(sql: str) -> str:
    old = ", ".join(f"'{s}'" for s in MATCH_STATUSES_V1)
    new = ", ".join(f"'{s}'" for s in MATCH_STATUSES_V2)
    if f"IN ({old})" not in sql:
        raise CuesheetError("cue_songs.match_status has an unexpected CHECK; cannot add 'unknown'")
    return sql.replace(f"IN ({old})", f"IN ({new})", 1)
