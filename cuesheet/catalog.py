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
    def row_key(self) -> str:
        parts = [fold(self.title), fold(self.artist), fold(self.album or ""), str(self.year or ""),
                 str(self.duration_ms or ""), self.isrc or "", self.mbid or "", self.spotify_id or ""]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


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
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None
    lines = _counting(handle, progress)
    try:
        if format == "jsonl":
            yield from _jsonl_rows(lines, str(path), ignore_extra, errs)
        else:
            yield from _csv_rows(lines, str(path), ignore_extra, errs)
    except UnicodeDecodeError as exc:
        errs.append(InputError(f"not UTF-8 text (byte {exc.start} of line {lines.line + 1})",
                               file=str(path), line=lines.line + 1))
    finally:
        handle.close()
    if own and errs:
        raise InputErrors(errs)


class _counting:
    """Line iterator that knows its line number and reports characters read."""

    def __init__(self, handle: Iterable[str], progress: Callable[[int], None] | None) -> None:
        self._it = iter(handle)
        self.line = 0
        self._progress = progress
        self._pending = 0

    def __iter__(self) -> _counting:
        return self

    def __next__(self) -> str:
        try:
            text = next(self._it)
        except StopIteration:
            if self._progress and self._pending:
                self._progress(self._pending)
            raise
        self.line += 1
        self._pending += len(text)
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


def _row(raw: dict[str, str | None], file: str, line: int, errors: list[InputError]) -> CatalogRow | None:
    def value(name: str) -> str | None:
        v = (raw.get(name) or "").strip()
        return v or None

    def error(e: InputError) -> None:
        _error(errors, e)

    bad = len(errors)
    for name in REQUIRED:
        if not value(name):
            error(InputError("is required", file=file, line=line, field=name))
    year = None
    if value("year"):
        if not re.fullmatch(r"\d{4}", value("year") or ""):
            error(InputError(f"{value('year')!r} is not a year", file=file, line=line, field="year"))
        else:
            year = int(value("year") or 0)
    parsed: dict[str, str | int | None] = {}
    checks = (("duration", parse_time), ("isrc", ids.normalize_isrc), ("mbid", ids.normalize_mbid),
              ("spotify_id", ids.normalize_spotify_id))
    for name, check in checks:
        parsed[name] = None
        if value(name):
            try:
                parsed[name] = check(value(name) or "")
            except ParseError as exc:
                error(InputError(exc.message, file=file, line=line, field=name))
    if len(errors) > bad:
        return None
    return CatalogRow(
        title=value("title") or "",
        artist=value("artist") or "",
        album=value("album"),
        year=year,
        duration_ms=parsed["duration"],  # type: ignore[arg-type]
        isrc=parsed["isrc"],  # type: ignore[arg-type]
        mbid=parsed["mbid"],  # type: ignore[arg-type]
        spotify_id=parsed["spotify_id"],  # type: ignore[arg-type]
    )


def insert_rows(conn: sqlite3.Connection, rows: list[CatalogRow], source: str = "catalog") -> int:
    """Add rows not already present; returns how many were new."""
    cur = conn.executemany(
        """INSERT OR IGNORE INTO recordings (title, artist, album, year, duration_ms, isrc, mbid,
                                             spotify_id, source, row_key, title_key, artist_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(r.title, r.artist, r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id,
          source, r.row_key, fold(r.title), fold(r.artist)) for r in rows],
    )
    # rowcount, not total_changes: the index triggers' writes are not new rows.
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
