"""The local catalog: recordings imported from CSV files, and exact links to cue songs.

Import is all or nothing: every bad row is reported with file, line and field
before anything is written. Re-importing the same rows changes nothing,
because each row's identity (`row_key`) is its normalised content.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from cuesheet import ids
from cuesheet.errors import InputError, InputErrors, ParseError
from cuesheet.files import read_text
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


def read_csv(path: Path) -> list[CatalogRow]:
    """Rows of a catalog CSV; raises InputErrors listing every bad row."""
    text = read_text(path)
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    errors: list[InputError] = []
    unknown = [c for c in header if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        problem = f"unknown columns {unknown}" if unknown else f"missing columns {missing}"
        raise InputErrors([InputError(f"{problem} (columns: {', '.join(COLUMNS)})", file=str(path),
                                      line=1, field="header")])
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = _row(raw, str(path), line, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise InputErrors(errors)
    return rows


def _row(raw: dict[str, str | None], file: str, line: int, errors: list[InputError]) -> CatalogRow | None:
    def value(name: str) -> str | None:
        v = (raw.get(name) or "").strip()
        return v or None

    bad = len(errors)
    for name in REQUIRED:
        if not value(name):
            errors.append(InputError("is required", file=file, line=line, field=name))
    year = None
    if value("year"):
        if not re.fullmatch(r"\d{4}", value("year") or ""):
            errors.append(InputError(f"{value('year')!r} is not a year", file=file, line=line, field="year"))
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
                errors.append(InputError(exc.message, file=file, line=line, field=name))
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
    before = conn.total_changes
    conn.executemany(
        """INSERT OR IGNORE INTO recordings (title, artist, album, year, duration_ms, isrc, mbid,
                                             spotify_id, source, row_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(r.title, r.artist, r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id,
          source, r.row_key) for r in rows],
    )
    return conn.total_changes - before


def link_exact(conn: sqlite3.Connection) -> int:
    """Link unmatched cue songs to the one recording with the same title and main artist.

    Only an unambiguous fit is linked: when the catalog holds several takes
    (Sia's 2013 and 2014 "Elastic Heart") and nothing in the cue sheet chooses
    between them, the song stays unmatched for the matcher and the review queue.
    A year in the song's version ("2000 re-recording") chooses by year.
    """
    by_key: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for rec_id, title, artist, year in conn.execute("SELECT id, title, artist, year FROM recordings"):
        by_key[match_key(title, artist)].append((rec_id, year))
    linked = 0
    songs = conn.execute(
        "SELECT id, title, artist, version FROM cue_songs"
        " WHERE match_status = 'unmatched' AND recording_id IS NULL AND title IS NOT NULL AND artist IS NOT NULL"
    ).fetchall()
    for song_id, title, artist, version in songs:
        fits = by_key.get(match_key(title, artist), [])
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", version or "")
        if year and len(fits) > 1:
            fits = [f for f in fits if f[1] == int(year.group(1))]
        if len(fits) == 1:
            conn.execute(
                "UPDATE cue_songs SET recording_id = ?, match_status = 'accepted' WHERE id = ?",
                [fits[0][0], song_id],
            )
            linked += 1
    return linked
