"""The catalog's word index (`recording_fts`) and its vocabulary with counts (`recording_vocab`).

Whoever adds recordings indexes them here, in one statement per batch; the
vocabulary feeds typo correction and orders a lookup's word pairs
(`sources.catalog`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

__all__ = ["count_words", "index_recordings", "recount_vocab"]


def index_recordings(conn: sqlite3.Connection, *, after_id: int, vocab: bool = True) -> None:
    """Add recordings with ids above `after_id` to the word index, in one statement.

    Whoever inserts into `recordings` calls this (`recordings.store.upsert_recording` does):
    an insert trigger would cost 45 µs a row against 9 µs here, which is most of
    a million-row import. Their words also go to `recording_vocab` (the spelling
    list `CatalogSource` corrects typos from), unless the caller adds them itself.
    """
    conn.execute(
        """INSERT INTO recording_fts (rowid, title_key, artist_key)
           SELECT id, title_key, artist_key FROM recordings WHERE id > ?""",
        [after_id],
    )
    if vocab:
        count_words(conn, conn.execute("SELECT title_key, artist_key FROM recordings WHERE id > ?", [after_id]))


def recount_vocab(conn: sqlite3.Connection) -> None:
    """`recording_vocab` made again from the word index: every word with the number of rows holding it."""
    conn.execute("DELETE FROM recording_vocab")
    conn.execute("INSERT INTO recording_vocab (term, rows) SELECT term, doc FROM recording_terms")


def count_words(conn: sqlite3.Connection, keys: Iterable[tuple[str | None, str | None]]) -> None:
    """Add rows' index words to `recording_vocab`, each with the number of these rows holding it.

    A row's word counts once, as FTS5 counts documents. Rows removed or changed
    later are not subtracted: the counts only order a lookup's word pairs
    (`sources.catalog`), and the next large import counts them again.
    """
    counts: Counter[str] = Counter()
    for title, artist in keys:
        counts.update(set(f"{title or ''} {artist or ''}".split()))
    conn.executemany("INSERT INTO recording_vocab (term, rows) VALUES (?, ?) "
                     "ON CONFLICT (term) DO UPDATE SET rows = rows + excluded.rows", counts.items())
