"""`cuesheet build`: a database from the cue sheet files, all or nothing.

The new database is written beside the target under a temporary name and
renamed over it only when every file loaded and every row went in, so a bad
file leaves the existing database exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cuesheet import catalog, db, sheets, store
from cuesheet.errors import InputErrors


@dataclass(frozen=True)
class BuildReport:
    path: str
    shows: int
    episodes: int
    cues: int
    songs: int
    recordings: int
    linked: int


def build(source_dir: Path, dest: Path) -> BuildReport:
    shows = sheets.read_data_dir(source_dir)  # raises InputErrors before any write
    catalog_files = sorted((source_dir / "catalog").glob("*.csv")) if (source_dir / "catalog").is_dir() else []
    catalog_rows = _read_catalog(catalog_files)
    tmp = dest.with_name(f".{dest.name}.build-{os.getpid()}")
    _remove(tmp)
    try:
        database = db.connect(tmp, create=True)
        conn = database.conn
        with db.transaction(conn):
            # The catalog first: a recording an episode file pins (a curator's pick, dumped) is
            # then found by its ids or text instead of added twice, which would make every
            # other cue matching it a tie for review.
            catalog.insert_rows(conn, catalog_rows)
            for show in shows:
                store.insert_show(conn, show)
            linked = _match_offline(conn)
        counts = {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("shows", "episodes", "cues", "cue_songs", "recordings")
        }
        # A self-contained file: no -wal beside it to go stale after the rename.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        for suffix in ("-wal", "-shm"):
            _remove(Path(str(dest) + suffix))
        os.replace(tmp, dest)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            _remove(Path(str(tmp) + suffix))
    return BuildReport(
        path=str(dest),
        shows=counts["shows"],
        episodes=counts["episodes"],
        cues=counts["cues"],
        songs=counts["cue_songs"],
        recordings=counts["recordings"],
        linked=linked,
    )


def _read_catalog(files: list[Path]) -> list[catalog.CatalogRow]:
    """The shipped catalog's rows; every bad row of every file reported before anything is written."""
    rows: list[catalog.CatalogRow] = []
    errors = []
    for path in files:
        try:
            rows += catalog.read_csv(path)
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        raise InputErrors(errors)
    return rows


def _match_offline(conn: sqlite3.Connection) -> int:
    """Match the cue songs against the catalog, offline.

    Sure matches are linked; doubtful ones (two releases of "Elastic Heart")
    wait in the review queue with their candidates.
    """
    from cuesheet.matching import match_songs
    from cuesheet.sources.catalog import CatalogSource

    return match_songs(conn, [CatalogSource(conn)]).accepted


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
