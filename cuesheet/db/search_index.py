"""The cue search index (`cue_fts`) refreshed once for a bulk write instead of row by row.

`cue_fts` follows its tables by triggers that rebuild a cue's document on every insert,
update and delete of a cue, a song or a performer. For one cue that is nothing; for a
`cue import` of thousands of rows (and its undo) it was three quarters of the time the write
lock was held (#23). `deferred` swaps those triggers, inside the caller's transaction, for
temporary ones that only note which cues changed, and rebuilds their documents in two
statements at the end. The swap is part of the transaction: a rollback puts the triggers
back as they were, and other connections never see them missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

# The triggers that refresh one cue's document per row; the rest (an episode's title or
# aliases, a recording's names) touch few rows and stay as they are.
_PER_ROW = {"cues": "id", "cue_songs": "cue_id", "cue_performers": "cue_id"}
_EVENTS = {"ai": ("INSERT", ("NEW",)), "au": ("UPDATE", ("OLD", "NEW")), "ad": ("DELETE", ("OLD",))}
_TODO = "temp._fts_todo"


@contextmanager
def deferred(conn: sqlite3.Connection) -> Iterator[None]:
    """Within the caller's transaction: note the cues written, refresh their documents at the end."""
    if not conn.in_transaction:
        raise RuntimeError("search_index.deferred runs inside a transaction")
    names = [f"{table}_{suffix}" for table in _PER_ROW for suffix in _EVENTS]
    saved = conn.execute(
        f"SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND name IN ({','.join('?' * len(names))})",
        names).fetchall()
    if len(saved) != len(names):  # a schema this module does not know: leave the triggers alone
        yield
        return
    # No key: SQLite lets the statement that fires a trigger override the trigger's OR IGNORE;
    # a cue noted twice is refreshed once all the same.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _fts_todo (id INTEGER)")
    conn.execute(f"DELETE FROM {_TODO}")
    for name, _ in saved:
        conn.execute(f'DROP TRIGGER main."{name}"')
    for table, column in _PER_ROW.items():
        for suffix, (event, images) in _EVENTS.items():
            inserts = " ".join(f"INSERT INTO _fts_todo (id) VALUES ({img}.{column});" for img in images)
            conn.execute(f"CREATE TEMP TRIGGER _fts_defer_{table}_{suffix} AFTER {event} ON main.{table}"
                         f" BEGIN {inserts} END")
    ok = False
    try:
        yield
        ok = True
    finally:
        for table in _PER_ROW:
            for suffix in _EVENTS:
                conn.execute(f"DROP TRIGGER IF EXISTS temp._fts_defer_{table}_{suffix}")
        present = {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'trigger'")}
        for name, sql in saved:
            if name not in present:
                conn.execute(sql)
        if ok:
            refresh(conn, f"SELECT DISTINCT id FROM {_TODO}")
        conn.execute(f"DELETE FROM {_TODO}")


def refresh(conn: sqlite3.Connection, cue_ids_sql: str) -> None:
    """Rebuild the documents of the cues `cue_ids_sql` selects (gone cues leave the index)."""
    conn.execute(f"DELETE FROM cue_fts WHERE rowid IN ({cue_ids_sql})")
    conn.execute("INSERT INTO cue_fts (rowid, songs, artists, performers, scene, episode)"
                 " SELECT cue_id, songs, artists, performers, scene, episode FROM cue_doc"
                 f" WHERE cue_id IN ({cue_ids_sql})")
