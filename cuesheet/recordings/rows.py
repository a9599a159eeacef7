"""Catalog rows as read: each line of a file checked, folded and keyed, or rejected with its place.

Formats: our CSV (`title,artist,...`), JSON Lines, and MetaBrainz's *canonical
MusicBrainz data* CSV (`id,artist_credit_id,artist_mbids,...,score`). Each
good row becomes a *staging tuple* (`STAGE_COLUMNS`, what the staging table
holds), each bad one a `Reject` naming file, line and field. A row's identity
is its recording MBID (`mbid`) for canonical rows, else its normalised
content (`row_key`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cuesheet.errors import InputError, InputErrors, ParseError
from cuesheet.notation import ids, limits
from cuesheet.notation.echo import listed
from cuesheet.notation.normalize import fold, repair_text
from cuesheet.notation.timecode import parse_time
from cuesheet.recordings.catalog_file import CANONICAL, CANONICAL_COLUMNS, BadEncoding, Input, LineCounter

COLUMNS = ("title", "artist", "album", "year", "duration", "isrc", "mbid", "spotify_id")
REQUIRED = ("title",)


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
    artist_mbids: str | None = None
    release_mbid: str | None = None
    mb_score: int | None = None

    @property
    def title_key(self) -> str:
        return fold(self.title)

    @property
    def artist_key(self) -> str:
        return _fold_name(self.artist)

    def keys(self) -> tuple[str, str, str]:
        """Folded title and artist (the index's words) and the row's identity for re-imports."""
        title, artist = self.title_key, self.artist_key
        return title, artist, _content_key(title, artist, self)

    @property
    def row_key(self) -> str:
        return self.keys()[2]


def _content_key(title_key: str, artist_key: str, r: CatalogRow) -> str:
    parts = [title_key, artist_key, fold(r.album) if r.album else "", str(r.year or ""),
             str(r.duration_ms or ""), r.isrc or "", r.mbid or "", r.spotify_id or ""]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


# Artists repeat across a catalog's rows; folding each name once is a fifth of an import.
_fold_name = lru_cache(maxsize=1 << 16)(fold)

# The columns of the staging table, in the order parsers produce them.
STAGE_COLUMNS = ("title", "artist", "album", "year", "duration_ms", "isrc", "mbid", "spotify_id",
                 "artist_mbids", "release_mbid", "mb_score", "title_key", "artist_key", "row_key",
                 "guessed")
# Compared to tell a changed canonical row from an unchanged one.
DATA_COLUMNS = STAGE_COLUMNS[:13]


def stage_tuple(r: CatalogRow, row_key: str | None = None, guessed: int = 0) -> tuple[Any, ...]:
    title_key, artist_key, key = r.keys()
    return (r.title, r.artist, r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id,
            r.artist_mbids, r.release_mbid, r.mb_score, title_key, artist_key, row_key or key, guessed)


# An error as it travels from the worker: (file, line, field, message, the row as read).
Reject = tuple[str, int | None, str | None, str, str]


def _reject(file: str, line: int | None, field: str | None, message: str, row: Sequence[str] | str) -> Reject:
    if not isinstance(row, str):
        # The row as CSV text again, for the reject file (a text file, not a spreadsheet).
        row = ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c
                       for c in row)
    return (file, line, field, message, row)


def to_error(r: Reject) -> InputError:
    return InputError(r[3], file=r[0], line=r[1], field=r[2])


def stage_rows(inp: Input, fmt: str, ignore_extra: bool,
               lines: LineCounter | None = None) -> Iterator[tuple[Any, ...] | Reject]:
    """Staging tuples (15 items) and rejects (5 items), in file order; `lines` counts repairs."""
    lines = lines or LineCounter(inp.lines, inp.name)
    try:
        if fmt == CANONICAL:
            yield from _canonical_rows(lines, inp.name)
        elif fmt == "jsonl":
            yield from _jsonl_rows(lines, inp.name, ignore_extra)
        else:
            yield from _csv_rows(lines, inp.name, ignore_extra)
    except BadEncoding as exc:
        # A file that is not UTF-8 is not read further: every later line would be suspect.
        e = exc.error
        yield (e.file or inp.name, e.line, "row", error_message(e), "")


def _header_error(file: str, message: str) -> InputErrors:
    return InputErrors([InputError(message, file=file, line=1, field="header")])


def _csv_rows(lines: LineCounter, file: str, ignore_extra: bool) -> Iterator[tuple[Any, ...] | Reject]:
    reader = csv.reader(lines)
    header = next(_records(reader, lines, file), None)
    if header is None:
        raise InputErrors([InputError("the file is empty", file=file)])
    if isinstance(header, tuple):  # a header line the csv module cannot read (a 200,000-character cell)
        raise _header_error(file, header[3])
    header = [h.strip().lower() for h in header]
    unknown = [c for c in header if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if missing or (unknown and not ignore_extra):
        problem = f"missing columns {missing}" if missing else (
            f"unknown columns {listed(unknown)} (pass --ignore-extra to skip them)")
        raise _header_error(file, f"{problem}; columns are: {', '.join(COLUMNS)}")
    width = len(header)
    for record in _records(reader, lines, file):
        if isinstance(record, tuple):
            yield record
            continue
        line = lines.line
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width:
            yield _reject(file, line, "row", f"{len(record)} cells but {width} columns", record)
            continue
        yield from _checked(dict(zip(header, record)), file, line, record, lines)


def _jsonl_rows(lines: LineCounter, file: str, ignore_extra: bool) -> Iterator[tuple[Any, ...] | Reject]:
    for text in lines:
        line = lines.line
        if not text.strip():
            continue
        deep = limits.json_depth_problem(text)
        if deep:  # docs/limits.md: the same nesting limit as cue files, checked before parsing
            yield _reject(file, line, "row", deep, text.rstrip("\n"))
            continue
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = f"not JSON: {exc.msg} (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) \
                else "not JSON: nested too deeply"
            yield _reject(file, line, "row", why, text.rstrip("\n"))
            continue
        if not isinstance(obj, dict):
            yield _reject(file, line, "row", "expected a JSON object", text.rstrip("\n"))
            continue
        unknown = [k for k in obj if k not in COLUMNS]
        if unknown and not ignore_extra:
            yield _reject(file, line, unknown[0], "unknown field (pass --ignore-extra to skip it); fields are: "
                          f"{', '.join(COLUMNS)}", text.rstrip("\n"))
            continue
        raw = {k: (None if obj.get(k) is None else str(obj[k])) for k in COLUMNS}
        yield from _checked(raw, file, line, text.rstrip("\n"), lines)


def _records(reader: Iterator[list[str]], lines: LineCounter, file: str) -> Iterator[list[str] | Reject]:
    """The CSV reader's records; a record it cannot read (a NUL byte, a field over the size limit,
    often an unclosed quote) becomes a reject with its line, and reading goes on."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _reject(file, lines.line, "row", f"not readable as CSV ({exc})", "")


_CHECKS = (("duration", parse_time), ("isrc", ids.normalize_isrc), ("mbid", ids.normalize_mbid),
           ("spotify_id", ids.normalize_spotify_id))
_YEAR = re.compile(r"\d{4}")


def _checked(raw: dict[str, str | None], file: str, line: int, record: Sequence[str] | str,
             tally: LineCounter | None = None) -> Iterator[tuple[Any, ...] | Reject]:
    """One row of our own format: a staging tuple, or one reject per bad field.

    Text misread from UTF-8 is repaired first (counted on `tally`); only what is still
    a control character after that is an error."""
    # Stripped once: this runs a million times in a large import.
    v = {k: t for k, t in ((k, (x or "").strip()) for k, x in raw.items()) if t}
    bad: list[Reject] = []
    for name in REQUIRED:
        if name not in v:
            bad.append(_reject(file, line, name, "is required", record))
    for name in ("title", "artist", "album"):  # #17: the limits every path applies (docs/limits.md)
        if name in v and not v[name].isascii() and (fixed := repair_text(v[name])) != v[name]:
            v[name] = fixed
            if tally is not None:
                tally.repaired += 1
        problem = limits.text_problem(v[name], limits.NAME) if name in v else None
        if problem:
            bad.append(_reject(file, line, name, problem, record))
    year = None
    if "year" in v:
        if _YEAR.fullmatch(v["year"]) and not limits.int_problem(int(v["year"]), limits.YEAR):
            year = int(v["year"])
        else:
            bad.append(_reject(file, line, "year", f"{limits.short(v['year'])!r} is not a year "
                               f"({limits.YEAR.low}-{limits.YEAR.high})", record))
    parsed: dict[str, Any] = {}
    for name, check in _CHECKS:
        parsed[name] = None
        if name in v:
            try:
                parsed[name] = check(v[name])
            except ParseError as exc:
                bad.append(_reject(file, line, name, exc.message, record))
    if bad:
        yield from bad
        return
    title, artist = v["title"], v.get("artist", "")
    guessed = 0
    row = CatalogRow(title, artist, v.get("album"), year, parsed["duration"], parsed["isrc"],
                     parsed["mbid"], parsed["spotify_id"])
    key = None
    if not artist:
        # The identity is the text as given, so re-imports agree whichever way it is read.
        key = row.row_key
        title, artist = read_credit(title)
        guessed = 1 if artist else 0
        row = CatalogRow(title, artist, row.album, year, row.duration_ms, row.isrc, row.mbid, row.spotify_id)
    yield stage_tuple(row, key, guessed)


_DASH = re.compile(r"\s+(?:-{1,2}|[–—])\s+")


def read_credit(title: str) -> tuple[str, str]:
    """A title that carries its artist ("Daniel Balavoine - L'enfant aux yeux d'Italie") -> (title, artist).

    Real exports leave the artist column empty and put "Artist - Title" in the
    title. Read that way first; the import then swaps rows whose right-hand part
    is an artist the catalog knows and whose left-hand part is not ("Title -
    Artist"). Without exactly one dash the title stays whole, artist empty.
    """
    parts = _DASH.split(title)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return parts[1].strip(), parts[0].strip()
    return title, ""


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INT = re.compile(r"-?\d{1,18}")
# A canonical row's recording MBID, release MBID (or none), score and artist MBIDs, joined by "|".
_CANONICAL_IDS = re.compile(f"{_UUID.pattern}\\|(?:{_UUID.pattern})?\\|{_INT.pattern}\\|"
                            f"(?:{_UUID.pattern}(?:,{_UUID.pattern})*)?")


def _canonical_rows(lines: LineCounter, file: str) -> Iterator[tuple[Any, ...] | Reject]:
    """MetaBrainz canonical rows -> staging tuples. The hot loop of a 25 M-row import: kept flat."""
    reader = csv.reader(lines)
    first = next(_records(reader, lines, file), [])
    header = [h.strip().lower() for h in first] if isinstance(first, list) else []
    if tuple(header[: len(CANONICAL_COLUMNS)]) != CANONICAL_COLUMNS:
        raise _header_error(file, "not the MusicBrainz canonical layout; columns must be: "
                            + ",".join(CANONICAL_COLUMNS))
    width = len(header)
    uuid = _UUID.fullmatch
    all_ids = _CANONICAL_IDS.fullmatch
    integer = _INT.fullmatch
    fold_title = fold
    fold_name = _fold_name
    for rec in _records(reader, lines, file):
        if isinstance(rec, tuple):
            yield rec
            continue
        if len(rec) != width:
            if not any(c.strip() for c in rec):
                continue
            yield _reject(file, lines.line, "row", f"{len(rec)} cells but {width} columns", rec)
            continue
        _id, _credit, artist_mbids, artist, release_mbid, release, mbid, title, _lookup, score = rec[:10]
        problem = None
        # PostgreSQL writes a UUID[] as {a,b}; MetaBrainz's CSV as a,b.
        artist_mbids = artist_mbids.strip("{}").replace(" ", "")
        if all_ids(f"{mbid}|{release_mbid}|{score}|{artist_mbids}") and title.strip():
            pass  # one match for a good row's ids; the checks below name the field of a bad one
        elif not title.strip():
            problem = ("recording_name", "is required")
        elif not uuid(mbid):
            problem = ("recording_mbid", f"{mbid!r} is not a MusicBrainz id")
        elif release_mbid and not uuid(release_mbid):
            problem = ("release_mbid", f"{release_mbid!r} is not a MusicBrainz id")
        elif not integer(score):
            problem = ("score", f"{score!r} is not a whole number")
        else:
            if artist_mbids and not all(uuid(m) for m in artist_mbids.split(",")):
                problem = ("artist_mbids", f"{artist_mbids!r} is not a list of MusicBrainz ids")
        if problem:
            yield _reject(file, lines.line, problem[0], problem[1], rec)
            continue
        title = title.strip()
        artist = artist.strip()
        release = release.strip()
        if not (title.isascii() and artist.isascii() and release.isascii()):
            fixed = repair_text(title), repair_text(artist), repair_text(release)
            lines.repaired += sum(a != b for a, b in zip(fixed, (title, artist, release)))
            title, artist, release = fixed
        yield (title, artist, release or None, None, None, None, mbid, None,
               artist_mbids or None, release_mbid or None, int(score),
               fold_title(title), fold_name(artist), None, 0)


def error_message(e: InputError) -> str:
    text = str(e)
    prefix = ":".join(str(p) for p in (e.file, e.line) if p is not None)
    prefix = prefix + ": " if prefix else ""
    if e.field:
        prefix += f"{e.field}: "
    return text[len(prefix):] if text.startswith(prefix) else text
