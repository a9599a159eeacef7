"""Migration m005_heard: `cue_songs.heard`: a few words a curator noted of a song (a lyric fragment, "female voice, 80s synth")."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import CUE_DOC_VIEW_V2


def apply(conn: sqlite3.Connection) -> None:
    """`cue_songs.heard`: a few words a curator noted of a song (a lyric fragment, "female voice, 80s synth").

    It is what viewers half-remember and what an unidentified song is known by, so
    the search index reads it with the scene text. The view is replaced and the
    index refilled; the triggers name the view, so they follow.
    """
    conn.execute("ALTER TABLE cue_songs ADD COLUMN heard TEXT")
    conn.execute("DROP VIEW cue_doc")
    conn.execute(CUE_DOC_VIEW_V2)
    conn.execute("DELETE FROM cue_fts")
    conn.execute(
        "INSERT INTO cue_fts (rowid, songs, artists, performers, scene, episode)"
        " SELECT cue_id, songs, artists, performers, scene, episode FROM cue_doc"
    )
