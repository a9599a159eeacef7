"""Catalog import: a file's rows into the local catalog, all or nothing, the steps in order.

Formats: our CSV (`title,artist,...`), JSON Lines, and MetaBrainz's *canonical
MusicBrainz data* CSV (`id,artist_credit_id,artist_mbids,...,score`, detected
from its header), each plain, `.zst`, or a `.tar.zst` archive as MetaBrainz
ships it, read as a stream.

A large import runs in three steps so that it is fast, all or nothing, and does
not keep curators out (see docs/scale.md):

1. a worker process reads, checks and folds the rows while this process writes
   them into a *staging* database beside the catalog (no journal, no index):
   the catalog is not locked, and a crash leaves only a staging file that the
   next import deletes;
2. with every row staged, and no error (or `skip_invalid`), one transaction
   merges the staging table into `recordings` (update changed rows, add new
   ones) and fills the word index;
3. the staging file is removed.

One module a step: `catalog_file` opens the file, `rows` checks and folds each
row, `worker` parses in the second process, `staging` writes the staging
database, `merge` writes the catalog and `index` its word index.

A row's identity is its recording MBID (`mbid`) for canonical rows, else its
normalised content (`row_key`), so importing the same file twice changes nothing and a newer
canonical dataset updates rows in place (their ids, and so cue links, stay).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cuesheet.errors import InputError, InputErrors
from cuesheet.recordings.catalog_file import CANONICAL_COLUMNS, FORMATS, detect_format, open_input
from cuesheet.recordings.index import index_recordings
from cuesheet.recordings.merge import merge
from cuesheet.recordings.rows import COLUMNS, STAGE_COLUMNS, CatalogRow, read_credit, stage_rows, stage_tuple, to_error
from cuesheet.recordings.staging import Progress, checkpoint, stage, staging_path
from cuesheet.recordings.worker import BATCH, MAX_ERRORS, WORKER_MIN_BYTES, batches, batches_in_worker

__all__ = [
    "COLUMNS", "CANONICAL_COLUMNS", "FORMATS", "CatalogRow", "CatalogStats", "ImportReport",
    "detect_format", "import_file", "index_recordings", "insert_rows", "iter_rows", "read_credit",
    "read_csv", "stats",
]


@dataclass
class ImportReport:
    path: str
    format: str = "csv"
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    kept_linked: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    artist_from_title: int = 0
    # Titles, artists and albums that were UTF-8 misread as Latin-1/cp1252, stored repaired.
    repaired: int = 0
    seconds: float = 0.0
    # Seconds per step (read+stage, prepare, merge, index), for benchmarks and the sizing note.
    steps: dict[str, float] = field(default_factory=dict)
    # The history entry that records the import (None: nothing added, or no curator named).
    history_id: int | None = None

    @property
    def unchanged(self) -> int:
        return self.rows - self.rejected - self.added - self.changed

    @property
    def duplicates(self) -> int:
        """Rows already in the catalog (the older name of `unchanged`)."""
        return self.unchanged

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "format": self.format, "rows": self.rows, "added": self.added,
                "changed": self.changed, "unchanged": self.unchanged, "duplicates": self.duplicates,
                "removed": self.removed, "kept_linked": self.kept_linked, "rejected": self.rejected,
                "rejects_path": self.rejects_path, "artist_from_title": self.artist_from_title,
                "repaired": self.repaired, "seconds": round(self.seconds, 2),
                "steps": {k: round(v, 2) for k, v in self.steps.items()}, "history_id": self.history_id}


def import_file(conn: sqlite3.Connection, path: Path, *, format: str | None = None,
                source: str = "catalog", ignore_extra: bool = False,
                progress: Progress | None = None, skip_invalid: bool = False,
                rejects: Path | None = None, replace: bool = False,
                workers: bool | None = None, curator: str | None = None) -> ImportReport:
    """Import a catalog file: every row in one short transaction, or none.

    `skip_invalid` imports the good rows and writes each bad one, with its
    file:line:field reason, to `rejects`. `replace` (a full dataset) removes this
    source's rows that the file no longer has, except recordings a cue links to.
    `workers` None parses big files in a second process. With `curator`, the import is a
    change in `history` (written in the same transaction), so `undo` takes its rows back.
    """
    started = time.perf_counter()
    fmt = detect_format(path, format)
    report = ImportReport(str(path), fmt)
    size = path.stat().st_size
    parallel = size >= WORKER_MIN_BYTES if workers is None else workers
    if skip_invalid:
        rejects = rejects or path.with_name(f"{path.name}.rejects.txt")
        if rejects.exists():
            raise InputError("the reject file already exists; move it away or pass --rejects PATH",
                             file=str(rejects), field="--rejects")
        report.rejects_path = str(rejects)
    stage_path = staging_path(conn)
    try:
        rows = (batches_in_worker(path, fmt, ignore_extra, skip_invalid) if parallel
                else batches(path, fmt, ignore_extra, skip_invalid, BATCH))
        report.rows, report.rejected, report.repaired = stage(stage_path, rows, rejects=rejects if skip_invalid else None,
                                             progress=progress, size=size)
        report.steps["read"] = time.perf_counter() - started
        checkpoint("staged")
        if progress:
            progress("indexing", report.rows, size, size)
        merge(conn, stage_path, fmt, source, replace, report, curator)
    finally:
        stage_path.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def iter_rows(path: Path, format: str = "csv", *, ignore_extra: bool = False,
              errors: list[InputError] | None = None) -> Iterator[CatalogRow]:
    """Valid rows of a file; every bad row's error goes to `errors` (InputErrors raised if None)."""
    own = errors is None
    errs: list[InputError] = [] if errors is None else errors
    with open_input(path) as inp:
        items = list(stage_rows(inp, format, ignore_extra))
    for item in items:
        if len(item) == 5:
            if len(errs) <= MAX_ERRORS:
                errs.append(to_error(item))  # type: ignore[arg-type]
            continue
        t = item
        yield CatalogRow(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10])
    if own and errs:
        raise InputErrors(errs)


def read_csv(path: Path) -> list[CatalogRow]:
    """Rows of a catalog CSV; raises InputErrors listing every bad row."""
    return list(iter_rows(path, "csv"))


def insert_rows(conn: sqlite3.Connection, rows: list[CatalogRow], source: str = "catalog") -> int:
    """Add rows not already present (small batches: build, tests); returns how many were new."""
    last = conn.execute("SELECT coalesce(max(id), 0) FROM recordings").fetchone()[0]
    values = [stage_tuple(r)[:14] + (source,) for r in rows]
    cur = conn.executemany(
        f"INSERT OR IGNORE INTO recordings ({', '.join(STAGE_COLUMNS[:14])}, source)"
        f" VALUES ({', '.join('?' * 15)})",
        values,
    )
    index_recordings(conn, after_id=last)
    return max(cur.rowcount, 0)


@dataclass(frozen=True)
class CatalogStats:
    recordings: int
    artists: int
    by_source: dict[str, int]
    with_isrc: int
    with_mbid: int
    with_spotify_id: int
    linked_songs: int

    def to_json(self) -> dict[str, object]:
        return {"recordings": self.recordings, "artists": self.artists, "by_source": self.by_source,
                "with_isrc": self.with_isrc, "with_mbid": self.with_mbid,
                "with_spotify_id": self.with_spotify_id, "linked_songs": self.linked_songs}


def stats(conn: sqlite3.Connection) -> CatalogStats:
    total, artists, isrc, mbid, spotify = conn.execute(
        "SELECT count(*), count(DISTINCT artist_key), count(isrc), count(mbid), count(spotify_id)"
        " FROM recordings"
    ).fetchone()
    by_source = dict(conn.execute(
        "SELECT source, count(*) FROM recordings GROUP BY source ORDER BY count(*) DESC"
    ).fetchall())
    linked = conn.execute("SELECT count(*) FROM cue_songs WHERE recording_id IS NOT NULL").fetchone()[0]
    return CatalogStats(total, artists, by_source, isrc, mbid, spotify, linked)
