"""The schema as numbered migrations, one module each, applied in order on open.

Each migration runs in its own transaction and records itself in `_migrations`;
running them again does nothing. A migration's module name (m001_initial, ...) is its
record. A new migration is a new module here, appended to MIGRATIONS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from cuesheet.db.migrations import (
    m001_initial,
    m002_matching,
    m003_sources,
    m004_history,
    m005_heard,
    m010_canonical,
    m011_recording_vocab,
    m040_unidentified,
    m041_episode_sources,
    m050_imported_files,
    m051_build_digests,
    m060_song_id_claims,
    m070_lip_syncs,
    m080_claim_audits,
    m090_candidate_probability,
    m110_vocab_rows,
)
from cuesheet.db.transactions import transaction
from cuesheet.errors import CuesheetError
from cuesheet.notation.plural import plural


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]
    # False for a table rebuild: dropping the old table must not cascade to its children.
    # Foreign keys are checked before the migration commits instead.
    foreign_keys: bool = True


# A migration that rebuilds a table sets REBUILDS = True: it runs with foreign keys off
# (checked at its end), so dropping the old table does not cascade to its children.
MIGRATIONS: list[Migration] = [
    Migration(m.__name__.rsplit(".", 1)[-1], m.apply, foreign_keys=not getattr(m, "REBUILDS", False))
    for m in (m001_initial, m002_matching, m003_sources, m004_history, m005_heard, m010_canonical,
              m011_recording_vocab, m040_unidentified, m041_episode_sources, m050_imported_files,
              m051_build_digests, m060_song_id_claims, m070_lip_syncs, m080_claim_audits,
              m090_candidate_probability, m110_vocab_rows)
]


def applied_migrations(conn: sqlite3.Connection) -> set[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not exists:
        return set()
    return {row[0] for row in conn.execute("SELECT name FROM _migrations")}


def pending_migrations(conn: sqlite3.Connection) -> list[Migration]:
    done = applied_migrations(conn)
    return [m for m in MIGRATIONS if m.name not in done]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the missing migrations in order; returns the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied = []
    for m in pending_migrations(conn):
        if not m.foreign_keys:
            conn.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with transaction(conn):
                # A second process may have applied it while we waited for the lock.
                if m.name in applied_migrations(conn):
                    continue
                m.apply(conn)
                if not m.foreign_keys:
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise CuesheetError(f"migration {m.name} would break {plural(len(broken), 'reference')}")
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", [m.name]
                )
        finally:
            if not m.foreign_keys:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(m.name)
    return applied
