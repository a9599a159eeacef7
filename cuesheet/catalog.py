"""The local catalog: recordings imported from CSV files, and exact links to cue songs.

Import is all or nothing: every bad row is reported with file, line and field
before anything is written. Re-importing the same rows changes nothing,
because each row's identity (`row_key`) is its normalised content.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cuesheet import ids
from cuesheet.errors import InputError, InputErrors, ParseError
from cuesheet.normalize import fold, match_key
from cuesheet.timecode import parse_time

COLUMNS = ("title", "artist", "album", "year", "duration", "isrc", "mbid", "spotify_id")
REQUIRED = ("title", "artist")


@dataclass(frozen=True)
class CatalogRow:
    title: str
    artist: str
    album: str | None
    year: int | None
    duration_ms: int | None
    isrc: str | None
    mbid: str | None
    spotify_id: str | None

    @property
    def title_key(self) -> str:
        return fold(self.title)

    @property
    def artist_key(self) -> str:
        return _fold_name(self.artist)

    def keys(self) -> tuple[str, str, str]:
        """Folded title and artist (the index's words) and the row's identity for re-imports."""
        title, artist = self.title_key, self.artist_key
        parts = [title, artist, fold(self.album) if self.album else "", str(self.year or ""),
                 str(self.duration_ms or ""), self.isrc or "", self.mbid or "", self.spotify_id or ""]
        return title, artist, hashlib.sha1("\x1f".join(parts).encode()).hexdigest()

    @property
    def row_key(self) -> str:
        return self.keys()[2]


# Artists repeat across a catalog's rows; folding each name once is a fifth of an import.
_fold_name = lru_cache(maxsize=1 << 16)(fold)


FORMATS = ("csv", "jsonl")
# Enough errors to fix a file by; a million bad rows need not all be printed.
MAX_ERRORS = 100


@dataclass
class ImportReport:
    path: str
    rows: int = 0
    added: int = 0

    @property
    def duplicates(self) -> int:
        return self.rows - self.added

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "rows": self.rows, "added": self.added, "duplicates": self.duplicates}


def detect_format(path: Path, format: str | None) -> str:
    if format:
        if format not in FORMATS:
            raise InputError(f"unknown format {format!r} (use {' or '.join(FORMATS)})", field="--format")
        return format
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return "csv"


def iter_rows(path: Path, format: str = "csv", *, ignore_extra: bool = False,
              errors: list[InputError] | None = None,
              progress: Callable[[int], None] | None = None) -> Iterator[CatalogRow]:
    """Stream valid rows; append every bad row's error to `errors` (raise InputErrors if None).

    Streaming keeps a million-row import in constant memory; the caller's
    transaction makes it all or nothing.
    """
    own = errors is None
    errs: list[InputError] = [] if errors is None else errors
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None
    lines = _counting(handle, progress, str(path))
    try:
        if format == "jsonl":
            yield from _jsonl_rows(lines, str(path), ignore_extra, errs)
        else:
            yield from _csv_rows(lines, str(path), ignore_extra, errs)
    except _BadEncoding as exc:
        errs.append(exc.error)
    finally:
        handle.close()
    if own and errs:
        raise InputErrors(errs)


class _BadEncoding(Exception):
    def __init__(self, error: InputError) -> None:
        self.error = error


class _counting:
    """Decodes a file line by line, so a bad byte is reported with its line; reports bytes read."""

    def __init__(self, handle: Iterable[bytes], progress: Callable[[int], None] | None, file: str) -> None:
        self._it = iter(handle)
        self._file = file
        self.line = 0
        self._progress = progress
        self._pending = 0

    def __iter__(self) -> _counting:
        return self

    def __next__(self) -> str:
        try:
            raw = next(self._it)
        except StopIteration:
            if self._progress and self._pending:
                self._progress(self._pending)
            raise
        self.line += 1
        self._pending += len(raw)
        try:
            text = raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise _BadEncoding(InputError(f"not UTF-8 text (byte {exc.start + 1} of the line)",
                                          file=self._file, line=self.line, remedy="save the file as UTF-8"))
        if self._progress and self._pending > 1 << 20:
            self._progress(self._pending)
            self._pending = 0
        return text


def _check_columns(header: Sequence[str], file: str, line: int, ignore_extra: bool) -> None:
    unknown = [c for c in header if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if missing or (unknown and not ignore_extra):
        problem = f"missing columns {missing}" if missing else (
            f"unknown columns {unknown} (pass --ignore-extra to skip them)")
        raise InputErrors([InputError(f"{problem}; columns are: {', '.join(COLUMNS)}", file=file,
                                      line=line, field="header")])


def _csv_rows(lines: _counting, file: str, ignore_extra: bool,
              errors: list[InputError]) -> Iterator[CatalogRow]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InputErrors([InputError("the file is empty", file=file)])
    header = [h.strip().lower() for h in header]
    _check_columns(header, file, 1, ignore_extra)
    for record in reader:
        line = lines.line
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            _error(errors, InputError(f"{len(record)} cells but {len(header)} columns", file=file,
                                      line=line, field="row"))
            continue
        row = _row(dict(zip(header, record)), file, line, errors)
        if row is not None:
            yield row


def _jsonl_rows(lines: _counting, file: str, ignore_extra: bool,
                errors: list[InputError]) -> Iterator[CatalogRow]:
    for text in lines:
        line = lines.line
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            _error(errors, InputError(f"not JSON: {exc.msg} (column {exc.colno})", file=file,
                                      line=line, field="row"))
            continue
        if not isinstance(obj, dict):
            _error(errors, InputError("expected a JSON object", file=file, line=line, field="row"))
            continue
        unknown = [k for k in obj if k not in COLUMNS]
        if unknown and not ignore_extra:
            _error(errors, InputError(f"unknown field (pass --ignore-extra to skip it); fields are: "
                                      f"{', '.join(COLUMNS)}", file=file, line=line, field=unknown[0]))
            continue
        raw = {k: (None if obj.get(k) is None else str(obj[k])) for k in COLUMNS}
        row = _row(raw, file, line, errors)
        if row is not None:
            yield row


def _error(errors: list[InputError], error: InputError) -> None:
    if len(errors) < MAX_ERRORS:
        errors.append(error)
    elif len(errors) == MAX_ERRORS:
        errors.append(InputError(f"more errors after {MAX_ERRORS}; fix these first", file=error.file))


def read_csv(path: Path) -> list[CatalogRow]:
    """Rows of a catalog CSV; raises InputErrors listing every bad row."""
    return list(iter_rows(path, "csv"))


def import_file(conn: sqlite3.Connection, path: Path, *, format: str | None = None,
                source: str = "catalog", ignore_extra: bool = False,
                progress: Callable[[int], None] | None = None, batch: int = 5000) -> ImportReport:
    """Import a catalog file in one transaction: every row, or (on any bad row) none."""
    from cuesheet.db import transaction

    fmt = detect_format(path, format)
    report = ImportReport(str(path))
    errors: list[InputError] = []
    with transaction(conn):
        pending: list[CatalogRow] = []
        for row in iter_rows(path, fmt, ignore_extra=ignore_extra, errors=errors, progress=progress):
            report.rows += 1
            if errors:
                continue  # keep reading to list every error, but write nothing more
            pending.append(row)
            if len(pending) >= batch:
                report.added += insert_rows(conn, pending, source)
                pending = []
        if errors:
            raise InputErrors(errors)
        report.added += insert_rows(conn, pending, source)
    return report


_CHECKS = (("duration", parse_time), ("isrc", ids.normalize_isrc), ("mbid", ids.normalize_mbid),
           ("spotify_id", ids.normalize_spotify_id))
_YEAR = re.compile(r"\d{4}")


def _row(raw: dict[str, str | None], file: str, line: int, errors: list[InputError]) -> CatalogRow | None:
    # Stripped once: this runs a million times in a large import.
    v = {k: t for k, t in ((k, (x or "").strip()) for k, x in raw.items()) if t}
    bad = len(errors)
    for name in REQUIRED:
        if name not in v:
            _error(errors, InputError("is required", file=file, line=line, field=name))
    year = None
    if "year" in v:
        if _YEAR.fullmatch(v["year"]):
            year = int(v["year"])
        else:
            _error(errors, InputError(f"{v['year']!r} is not a year", file=file, line=line, field="year"))
    parsed: dict[str, str | int | None] = {}
    for name, check in _CHECKS:
        parsed[name] = None
        if name in v:
            try:
                parsed[name] = check(v[name])
            except ParseError as exc:
                _error(errors, InputError(exc.message, file=file, line=line, field=name))
    if len(errors) > bad:
        return None
    return CatalogRow(
        title=v.get("title", ""),
        artist=v.get("artist", ""),
        album=v.get("album"),
        year=year,
        duration_ms=parsed["duration"],  # type: ignore[arg-type]
        isrc=parsed["isrc"],  # type: ignore[arg-type]
        mbid=parsed["mbid"],  # type: ignore[arg-type]
        spotify_id=parsed["spotify_id"],  # type: ignore[arg-type]
    )


def insert_rows(conn: sqlite3.Connection, rows: list[CatalogRow], source: str = "catalog") -> int:
    """Add rows not already present; returns how many were new."""
    last = conn.execute("SELECT coalesce(max(id), 0) FROM recordings").fetchone()[0]
    values = []
    for r in rows:
        title_key, artist_key, row_key = r.keys()
        values.append((r.title, r.artist, r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id,
                       source, row_key, title_key, artist_key))
    cur = conn.executemany(
        """INSERT OR IGNORE INTO recordings (title, artist, album, year, duration_ms, isrc, mbid,
                                             spotify_id, source, row_key, title_key, artist_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        values,
    )
    index_recordings(conn, after_id=last)
    return max(cur.rowcount, 0)


def index_recordings(conn: sqlite3.Connection, *, after_id: int) -> None:
    """Add recordings with ids above `after_id` to the word index, in one statement.

    Whoever inserts into `recordings` calls this (`store.upsert_recording` does):
    an insert trigger would cost 45 µs a row against 9 µs here, which is most of
    a million-row import.
    """
    conn.execute(
        """INSERT INTO recording_fts (rowid, title_key, artist_key)
           SELECT id, title_key, artist_key FROM recordings WHERE id > ?""",
        [after_id],
    )


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
