"""A staging table merged into the catalog's recordings: decided while reading, written in one transaction.

See docs/scale.md for the steps and what each costs at a million rows.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cuesheet.db import history
from cuesheet.db.transactions import transaction, writer_note
from cuesheet.recordings.catalog_file import CANONICAL
from cuesheet.recordings.index import count_words, index_recordings, recount_vocab
from cuesheet.recordings.rows import DATA_COLUMNS
from cuesheet.recordings.staging import checkpoint

if TYPE_CHECKING:
    from cuesheet.recordings.importer import ImportReport

__all__ = ["merge"]


def merge(conn: sqlite3.Connection, stage_path: Path, fmt: str, source: str, replace: bool,
           report: ImportReport, curator: str | None = None) -> None:
    """Decide everything while only reading the catalog; then one transaction writes it.

    A canonical row's identity is its recording MBID (`mbid`), any other row's
    its content hash (`row_key`). Before the lock, each staged row is marked new,
    changed or unchanged (and rows to remove are listed), so the transaction
    touches only what changes: a re-import of a dataset that moved on a little
    holds the lock briefly. New rows go in sorted by their key, so the catalog's
    key indexes grow at their end instead of at random pages (random UUIDs made
    the merge three times slower), and a large page cache keeps the rest in memory.
    """
    key = "mbid" if fmt == CANONICAL else "row_key"
    conn.execute("ATTACH DATABASE ? AS stage", [str(stage_path)])
    conn.execute("PRAGMA stage.journal_mode = OFF")
    conn.execute("PRAGMA stage.synchronous = OFF")
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.steps[name] = now - clock
        clock = now

    cache = conn.execute("PRAGMA main.cache_size").fetchone()[0]
    try:
        guessed = conn.execute("SELECT count(*) FROM stage.rows WHERE guessed").fetchone()[0]
        report.artist_from_title = guessed
        if guessed:
            _choose_credit_readings(conn)
        conn.execute(f"CREATE INDEX stage.rows_key ON rows ({key})")
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM recordings)").fetchone()[0]
        prior = 0 if empty else conn.execute(
            "SELECT count(*) FROM recordings WHERE source = ?", [source]).fetchone()[0]
        if not empty:
            _classify(conn, fmt, key, source)
            # The transaction reads only the rows that change, in key order.
            conn.execute(f"CREATE INDEX stage.rows_state ON rows (state, {key})")
        # Into an empty catalog every row is new: the key index alone orders (and dedupes) them.
        todo_rows = "stage.rows" if empty else "stage.rows WHERE state IS NOT NULL"
        gone = replace and prior
        if gone:
            conn.execute(f"CREATE TABLE stage.gone AS SELECT id FROM main.recordings r WHERE source = ? "
                         f"AND NOT EXISTS (SELECT 1 FROM stage.rows s WHERE s.{key} = r.{key})", [source])
        step("prepare")
        conn.execute("PRAGMA main.cache_size = -262144")  # 256 MiB while merging
        todo = conn.execute(f"SELECT count(*) FROM {todo_rows}").fetchone()[0]
        note = writer_note(conn, f"a catalog import writing {todo:,} rows of {Path(report.path).name}",
                           "wait: it writes about 100,000 rows a second; run your command again when it is "
                           "done (nothing of yours was written)")
        with note, transaction(conn):
            last = conn.execute("SELECT coalesce(max(id), 0) FROM recordings").fetchone()[0]
            cols = ", ".join(DATA_COLUMNS)
            if fmt == CANONICAL and empty:
                # One row per MBID (GROUP BY walks the key index in order).
                cur = conn.execute(f"INSERT INTO recordings ({cols}, source) SELECT {cols}, ? FROM stage.rows "
                                   "GROUP BY mbid ORDER BY mbid", [source])
            elif fmt == CANONICAL:
                report.changed = _update_changed(conn, source)
                # Re-checked under the lock: a row another writer added meanwhile is not doubled.
                cur = conn.execute(f"INSERT INTO recordings ({cols}, source) SELECT {cols}, ? FROM stage.rows s "
                                   "WHERE state = 'new' AND NOT EXISTS (SELECT 1 FROM recordings r "
                                   "WHERE r.mbid = s.mbid) ORDER BY mbid", [source])
            else:
                new_only = "" if empty else "WHERE state = 'new'"
                cur = conn.execute(f"INSERT OR IGNORE INTO recordings ({cols}, source, row_key) "
                                   f"SELECT {cols}, ?, row_key FROM stage.rows {new_only} ORDER BY row_key",
                                   [source])
            report.added = max(cur.rowcount, 0)
            step("merge")
            checkpoint("merging")
            if gone:
                report.removed, report.kept_linked = _remove_absent(conn)
            if empty:
                conn.execute("INSERT INTO recording_fts (recording_fts) VALUES ('rebuild')")
            else:
                index_recordings(conn, after_id=last, vocab=False)
            if empty or todo > last // 4:
                recount_vocab(conn)  # one walk over the index: cheaper than counting every row's words
            else:
                count_words(conn, conn.execute("SELECT title_key, artist_key FROM stage.rows WHERE state IS NOT NULL"))
            if curator is not None and report.added:
                report.history_id = _record(conn, curator, last, report)
            step("index")
            checkpoint("indexed")
        step("commit")
    finally:
        conn.execute(f"PRAGMA main.cache_size = {int(cache)}")
        conn.execute("DETACH DATABASE stage")


def _record(conn: sqlite3.Connection, curator: str, last: int, report: ImportReport) -> int | None:
    """The import as one history entry: the ids it added, as a range (a million row images would
    not fit a history row; `undo` reads the rows back when it takes them away)."""
    first, final = conn.execute("SELECT min(id), max(id) FROM recordings WHERE id > ?", [last]).fetchone()
    if first is None:
        return None
    kept = [f"{report.changed} updated in place" if report.changed else "",
            f"{report.removed} removed" if report.removed else ""]
    summary = (f"imported {report.added:,} catalog recordings from {Path(report.path).name}"
               + "".join(f"; {k} (not undone)" for k in kept if k))
    return history.record_added(conn, "catalog import", curator, summary, "recordings", first, final)


def _classify(conn: sqlite3.Connection, fmt: str, key: str, source: str) -> None:
    """Mark staged rows 'new' or 'changed' (the file's first row of each key only), reading the catalog only."""
    first = f"rowid = (SELECT min(d.rowid) FROM stage.rows d WHERE d.{key} = rows.{key})"
    if fmt == CANONICAL:
        differs = " OR ".join(f"r.{c} IS NOT rows.{c}" for c in DATA_COLUMNS)
        conn.execute(
            f"""UPDATE stage.rows SET state = CASE
                  WHEN NOT EXISTS (SELECT 1 FROM main.recordings r WHERE r.mbid = rows.mbid) THEN 'new'
                  WHEN EXISTS (SELECT 1 FROM main.recordings r WHERE r.mbid = rows.mbid AND r.source = ?
                               AND ({differs})) THEN 'changed' END
                WHERE {first}""", [source])
    else:
        conn.execute(f"UPDATE stage.rows SET state = 'new' WHERE {first} AND NOT EXISTS "
                     "(SELECT 1 FROM main.recordings r WHERE r.row_key = rows.row_key)")


def _choose_credit_readings(conn: sqlite3.Connection) -> None:
    """Rows read "Artist - Title" whose left part no catalog artist has, but whose right part one has: swap."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _known_artists (k TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp._known_artists")
    conn.execute("INSERT OR IGNORE INTO temp._known_artists SELECT artist_key FROM recordings "
                 "WHERE artist_key != ''")
    conn.execute("INSERT OR IGNORE INTO temp._known_artists SELECT artist_key FROM stage.rows "
                 "WHERE NOT guessed AND artist_key != ''")
    conn.execute(
        """UPDATE stage.rows SET title = artist, artist = title, title_key = artist_key, artist_key = title_key
           WHERE guessed AND artist_key NOT IN (SELECT k FROM temp._known_artists)
             AND title_key IN (SELECT k FROM temp._known_artists)""")
    conn.execute("DROP TABLE temp._known_artists")


def _update_changed(conn: sqlite3.Connection, source: str) -> int:
    """Canonical rows whose MBID is known but whose data moved on: updated in place (ids, so links, kept)."""
    sets = ", ".join(f"{c} = s.{c}" for c in DATA_COLUMNS)
    differs = " OR ".join(f"recordings.{c} IS NOT s.{c}" for c in DATA_COLUMNS)
    cur = conn.execute(f"UPDATE recordings SET {sets} FROM (SELECT * FROM stage.rows WHERE state = 'changed') AS s "
                       f"WHERE recordings.mbid = s.mbid AND recordings.source = ? AND ({differs})", [source])
    return max(cur.rowcount, 0)


def _remove_absent(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rows listed in stage.gone: removed, unless a cue links to them (a link never breaks)."""
    linked = "id IN (SELECT recording_id FROM cue_songs WHERE recording_id IS NOT NULL)"
    kept = conn.execute(f"SELECT count(*) FROM recordings WHERE id IN (SELECT id FROM stage.gone) AND {linked}"
                        ).fetchone()[0]
    cur = conn.execute(f"DELETE FROM recordings WHERE id IN (SELECT id FROM stage.gone) AND NOT {linked}")
    return max(cur.rowcount, 0), kept
