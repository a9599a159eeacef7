"""Migration m110_vocab_rows: `recording_vocab.rows`, how many recordings hold each index word."""

from __future__ import annotations

import sqlite3


def apply(conn: sqlite3.Connection) -> None:
    """`recording_vocab.rows`: how many recordings hold each word, so a lookup asks the rarest first.

    A query that finds no row holding all its words falls back on pairs of its
    words; pairs of common words ("love", "baby") bring back rows that share
    nothing else with the query, and scoring them was most of the slowest
    lookups' time at a million rows. Counted here from the word index (one walk
    over it: under a second at a million rows); imports count again or add to
    it (`recordings.importer`). Only the order of a lookup's pairs depends on
    it, so a count that has drifted makes a lookup slower, never different.
    """
    conn.execute("ALTER TABLE recording_vocab ADD COLUMN rows INTEGER NOT NULL DEFAULT 0")
    conn.execute("DELETE FROM recording_vocab")
    conn.execute("INSERT INTO recording_vocab (term, rows) SELECT term, doc FROM recording_terms")
