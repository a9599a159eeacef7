"""Migration m011_recording_vocab: `recording_vocab`: every word of the catalog's index, as a plain table."""

from __future__ import annotations

import sqlite3


def apply(conn: sqlite3.Connection) -> None:
    """`recording_vocab`: every word of the catalog's index, as a plain table.

    Typo correction looks up the words that share a query word's first two
    letters. Read from the FTS5 vocabulary table that costs a walk over every
    matching word's whole posting list ("th": 95 ms at 3 M rows, since "the" is
    in a third of them); here it is a range scan of a few hundred keys. Words
    are added by whoever indexes recordings (`importer.index_recordings`, the
    importer's merge); a word whose rows are all gone may linger, which costs
    nothing but a suggestion that finds no row.
    """
    conn.execute("CREATE TABLE recording_vocab (term TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("INSERT INTO recording_vocab SELECT term FROM recording_terms")
