"""Migration m051_build_digests: What the files said when `build` made this database: one digest per show and per episode."""

from __future__ import annotations

import sqlite3


def apply(conn: sqlite3.Connection) -> None:
    """What the files said when `build` made this database: one digest per show and per episode.

    The next `build` compares the database's content with these: an episode that
    no longer matches its digest was changed by a curator after the build, and
    replacing the database would lose that (unless the files now say the same).
    An edit to the files alone changes nothing here, so it never blocks a build.
    """
    conn.execute("CREATE TABLE build_digests (key TEXT PRIMARY KEY, digest TEXT NOT NULL)")
