"""The local catalog: recordings imported from files, and exact links to cue songs.

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

A row's identity is its recording MBID (`mbid`) for canonical rows, else its
normalised content (`row_key`), so importing the same file twice changes nothing and a newer
canonical dataset updates rows in place (their ids, and so cue links, stay).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from cuesheet.db import history
from cuesheet.db.transactions import pid_alive
from cuesheet.notation import ids
from cuesheet.notation import limits
from cuesheet.errors import CuesheetError, InputError, InputErrors, ParseError
from cuesheet.notation.normalize import fold, repair_text
from cuesheet.notation.timecode import parse_time

__all__ = [
    "COLUMNS", "CANONICAL_COLUMNS", "FORMATS", "CatalogRow", "CatalogStats", "ImportReport",
    "detect_format", "import_file", "index_recordings", "insert_rows", "iter_rows", "read_credit",
    "read_csv", "stats",
]

COLUMNS = ("title", "artist", "album", "year", "duration", "isrc", "mbid", "spotify_id")
REQUIRED = ("title",)
# MetaBrainz canonical data, in their order (listenbrainz-server mapping/canonical_musicbrainz_data.py).
CANONICAL_COLUMNS = ("id", "artist_credit_id", "artist_mbids", "artist_credit_name", "release_mbid",
                     "release_name", "recording_mbid", "recording_name", "combined_lookup", "score")
CANONICAL = "musicbrainz-canonical"
FORMATS = ("csv", "jsonl", CANONICAL)
# Enough errors to fix a file by; a million bad rows need not all be printed.
MAX_ERRORS = 100
# Below this a file is parsed in this process: starting a worker costs more than it saves.
WORKER_MIN_BYTES = 4 << 20
BATCH = 5000
# Said with every refused import: a real dump has a few bad rows among millions.
SKIP_HINT = ("nothing was imported; --skip-invalid imports the valid rows and writes the invalid ones, "
             "with their reasons, to a reject file")


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
_DATA_COLUMNS = STAGE_COLUMNS[:13]


def _stage_tuple(r: CatalogRow, row_key: str | None = None, guessed: int = 0) -> tuple[Any, ...]:
    title_key, artist_key, key = r.keys()
    return (r.title, r.artist, r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id,
            r.artist_mbids, r.release_mbid, r.mb_score, title_key, artist_key, row_key or key, guessed)


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


# --- reading files: plain, .zst, .tar.zst ------------------------------------------------------


@dataclass
class _Input:
    name: str                      # what errors call the file (archive/member for a tarball)
    lines: Iterable[bytes]
    position: Callable[[], int]    # bytes of the file on disk consumed so far
    size: int


@contextmanager
def open_input(path: Path) -> Iterator[_Input]:
    """The file's lines as bytes, decompressing `.zst` and unpacking `.tar.zst` as a stream."""
    try:
        raw = open(path, "rb")
        size = os.fstat(raw.fileno()).st_size
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None
    with raw:
        name = path.name.lower()
        if not name.endswith(".zst"):
            yield _Input(str(path), raw, raw.tell, size)
            return
        try:
            import zstandard
        except ImportError:  # pragma: no cover - a declared dependency
            raise CuesheetError("reading .zst needs the zstandard package", remedy="pip install zstandard")
        if not name.endswith((".tar.zst", ".tzst")):
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_size=1 << 20)
            yield _Input(str(path), io.BufferedReader(reader, 1 << 20), raw.tell, size)
            return
        member = _archive_member(path, zstandard)
        raw.seek(0)
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_size=1 << 20)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for info in tar:
                if info.name == member:
                    handle = tar.extractfile(info)
                    assert handle is not None
                    yield _Input(f"{path}/{member}", io.BufferedReader(handle, 1 << 20), raw.tell, size)  # type: ignore[arg-type]
                    return


def _archive_member(path: Path, zstandard: Any) -> str:
    """The data file of a `.tar.zst`: canonical_musicbrainz_data.csv, else its only CSV/JSONL file."""
    found: list[str] = []
    try:
        with open(path, "rb") as raw, tarfile.open(
                fileobj=zstandard.ZstdDecompressor().stream_reader(raw), mode="r|") as tar:
            for info in tar:
                if info.isfile() and info.name.lower().endswith((".csv", ".jsonl", ".ndjson")):
                    if Path(info.name).name == "canonical_musicbrainz_data.csv":
                        return info.name
                    found.append(info.name)
    except (tarfile.TarError, zstandard.ZstdError, EOFError) as exc:
        raise InputError(f"not a readable .tar.zst archive ({exc})", file=str(path)) from None
    if len(found) != 1:
        what = "no CSV file" if not found else f"{len(found)} CSV files ({', '.join(found[:5])})"
        raise InputError(f"{what} in the archive; expected canonical_musicbrainz_data.csv", file=str(path))
    return found[0]


class _BadEncoding(Exception):
    def __init__(self, error: InputError) -> None:
        self.error = error


class _counting:
    """Decodes a file line by line, so a bad byte is reported with its line; the readers
    count here the fields they repaired (`repair_text`)."""

    def __init__(self, lines: Iterable[bytes], file: str) -> None:
        self._it = iter(lines)
        self._file = file
        self.line = 0
        self.repaired = 0

    def __iter__(self) -> _counting:
        return self

    def __next__(self) -> str:
        raw = next(self._it)
        self.line += 1
        try:
            return raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise _BadEncoding(InputError(f"not UTF-8 text (byte {exc.start + 1} of the line)",
                                          file=self._file, line=self.line, remedy="save the file as UTF-8"))


def _read_header(path: Path) -> list[str]:
    with open_input(path) as inp:
        try:
            first = next(iter(inp.lines), b"")
        except Exception as exc:  # zstandard.ZstdError, tarfile errors: a damaged file
            raise InputError(f"cannot read the file ({exc})", file=str(path)) from None
    text = first.decode("utf-8-sig", errors="replace")
    try:
        return [h.strip().lower() for h in next(csv.reader([text]), [])]
    except csv.Error:  # not CSV at all: the parser says where
        return []


def detect_format(path: Path, format: str | None) -> str:
    """The format asked for, else the canonical layout when the header says so, else from the name."""
    if format:
        if format not in FORMATS:
            raise InputError(f"unknown format {format!r} (use {', '.join(FORMATS)})", field="--format")
        return format
    name = path.name.lower().removesuffix(".zst")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if tuple(_read_header(path)[: len(CANONICAL_COLUMNS)]) == CANONICAL_COLUMNS:
        return CANONICAL
    return "csv"


# --- parsing ----------------------------------------------------------------------------------

# An error as it travels from the worker: (file, line, field, message, the row as read).
Reject = tuple[str, int | None, str | None, str, str]


def _reject(file: str, line: int | None, field: str | None, message: str, row: Sequence[str] | str) -> Reject:
    if not isinstance(row, str):
        # The row as CSV text again, for the reject file (a text file, not a spreadsheet).
        row = ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c
                       for c in row)
    return (file, line, field, message, row)


def _to_error(r: Reject) -> InputError:
    return InputError(r[3], file=r[0], line=r[1], field=r[2])


def _stage_rows(inp: _Input, fmt: str, ignore_extra: bool,
                lines: _counting | None = None) -> Iterator[tuple[Any, ...] | Reject]:
    """Staging tuples (15 items) and rejects (5 items), in file order."""
    lines = lines or _counting(inp.lines, inp.name)
    try:
        if fmt == CANONICAL:
            yield from _canonical_rows(lines, inp.name)
        elif fmt == "jsonl":
            yield from _jsonl_rows(lines, inp.name, ignore_extra)
        else:
            yield from _csv_rows(lines, inp.name, ignore_extra)
    except _BadEncoding as exc:
        # A file that is not UTF-8 is not read further: every later line would be suspect.
        e = exc.error
        yield (e.file or inp.name, e.line, "row", _message(e), "")


def _header_error(file: str, message: str) -> InputErrors:
    return InputErrors([InputError(message, file=file, line=1, field="header")])


def _csv_rows(lines: _counting, file: str, ignore_extra: bool) -> Iterator[tuple[Any, ...] | Reject]:
    reader = csv.reader(lines)
    header = next(_records(reader, lines, file), None)
    if header is None:
        raise InputErrors([InputError("the file is empty", file=file)])
    header = [h.strip().lower() for h in header]
    unknown = [c for c in header if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if missing or (unknown and not ignore_extra):
        problem = f"missing columns {missing}" if missing else (
            f"unknown columns {unknown} (pass --ignore-extra to skip them)")
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


def _jsonl_rows(lines: _counting, file: str, ignore_extra: bool) -> Iterator[tuple[Any, ...] | Reject]:
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


def _records(reader: Iterator[list[str]], lines: _counting, file: str) -> Iterator[list[str] | Reject]:
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
             tally: _counting | None = None) -> Iterator[tuple[Any, ...] | Reject]:
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
    yield _stage_tuple(row, key, guessed)


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


def _canonical_rows(lines: _counting, file: str) -> Iterator[tuple[Any, ...] | Reject]:
    """MetaBrainz canonical rows -> staging tuples. The hot loop of a 25 M-row import: kept flat."""
    reader = csv.reader(lines)
    first = next(_records(reader, lines, file), [])
    header = [h.strip().lower() for h in first] if isinstance(first, list) else []
    if tuple(header[: len(CANONICAL_COLUMNS)]) != CANONICAL_COLUMNS:
        raise _header_error(file, "not the MusicBrainz canonical layout; columns must be: "
                            + ",".join(CANONICAL_COLUMNS))
    width = len(header)
    uuid = _UUID.fullmatch
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
        if not title.strip():
            problem = ("recording_name", "is required")
        elif not uuid(mbid):
            problem = ("recording_mbid", f"{mbid!r} is not a MusicBrainz id")
        elif release_mbid and not uuid(release_mbid):
            problem = ("release_mbid", f"{release_mbid!r} is not a MusicBrainz id")
        elif not integer(score):
            problem = ("score", f"{score!r} is not a whole number")
        else:
            # PostgreSQL writes a UUID[] as {a,b}; MetaBrainz's CSV as a,b.
            artist_mbids = artist_mbids.strip("{}").replace(" ", "")
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


# --- the worker -------------------------------------------------------------------------------


# rows, rejects, good rows read, bytes read, new index words, fields repaired so far
Batch = tuple[list[tuple[Any, ...]], list[Reject], int, int, list[str], int]


def _batches(path: Path, fmt: str, ignore_extra: bool, keep_going: bool, batch: int) -> Iterator[Batch]:
    """(rows, rejects, good rows read, bytes of the file read, index words not sent before,
    fields repaired so far) in chunks.

    Without `keep_going` rows stop at the first reject (errors are still listed).
    The words feed `recording_vocab`, the catalog's spelling list.
    """
    rows: list[tuple[Any, ...]] = []
    rejects: list[Reject] = []
    seen = errors = 0
    known: set[str] = set()

    def new_words() -> list[str]:
        words = {w for r in rows for w in f"{r[11]} {r[12]}".split()} - known
        known.update(words)
        return sorted(words)

    with open_input(path) as inp:
        lines = _counting(inp.lines, inp.name)
        for item in _stage_rows(inp, fmt, ignore_extra, lines):
            if len(item) == 5:
                rejects.append(item)  # type: ignore[arg-type]
                errors += 1
                if not keep_going and errors > MAX_ERRORS:
                    break
                continue
            seen += 1
            if errors and not keep_going:
                continue  # keep reading to list every error, but stage nothing more
            rows.append(item)
            if len(rows) >= batch:
                yield rows, rejects, seen, inp.position(), new_words(), lines.repaired
                rows, rejects = [], []
        yield rows, rejects, seen, inp.position(), new_words(), lines.repaired


def _worker(path: str, fmt: str, ignore_extra: bool, keep_going: bool, out: IO[bytes]) -> None:
    """Runs in the worker process: parse and fold, hand pickled batches to the writer on `out`.

    When the importer dies (kill -9), the next write fails on the closed pipe and
    the worker ends too.
    """
    import pickle

    def put(item: Any) -> None:
        pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        for batch in _batches(Path(path), fmt, ignore_extra, keep_going, BATCH):
            put(("batch", *batch))
        put(("done",))
    except InputErrors as exc:
        put(("fail", [(e.file, e.line, e.field, _message(e), "") for e in exc.errors]))
    except InputError as exc:
        put(("fail", [(exc.file, exc.line, exc.field, _message(exc), "")]))
    except (BrokenPipeError, KeyboardInterrupt):
        raise SystemExit(1)
    except Exception as exc:  # zstandard/tar damage: one located line, never a traceback
        put(("fail", [(path, None, None, f"cannot read the file ({exc})", "")]))
    out.flush()


def _message(e: InputError) -> str:
    text = str(e)
    prefix = ":".join(str(p) for p in (e.file, e.line) if p is not None)
    prefix = prefix + ": " if prefix else ""
    if e.field:
        prefix += f"{e.field}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def _batches_in_worker(path: Path, fmt: str, ignore_extra: bool,
                       keep_going: bool) -> Iterator[Batch]:
    """The same batches, parsed by a second process while this one writes (both cores busy).

    A plain child process over a pipe, not multiprocessing: nothing of the
    caller's `__main__` is re-run, and the pipe's buffer keeps the parser at
    most a batch or two ahead of the writer, so memory stays flat.
    """
    import pickle
    import subprocess
    import sys

    args = [sys.executable, "-m", "cuesheet.recordings.importer", str(path), fmt,
            str(int(ignore_extra)), str(int(keep_going))]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    try:
        while True:
            try:
                msg = pickle.load(proc.stdout)
            except EOFError:
                raise CuesheetError(f"the import worker stopped (exit code {proc.wait()})") from None
            if msg[0] == "batch":
                yield msg[1], msg[2], msg[3], msg[4], msg[5], msg[6]
            elif msg[0] == "fail":
                raise InputErrors([_to_error(r) for r in msg[1]])
            else:
                break
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


# --- staging and merging ----------------------------------------------------------------------


def _staging_path(conn: sqlite3.Connection) -> Path:
    """A file beside the catalog (same disk); named after our pid so a dead import's file is known."""
    import tempfile

    from cuesheet.db.transactions import main_file

    main = main_file(conn)
    base = Path(main) if main else Path(tempfile.gettempdir()) / "cuesheet-memory"
    _clean_stale(base)
    return base.with_name(f"{base.name}.import-{os.getpid()}")


def _clean_stale(base: Path) -> None:
    """Delete staging files of imports that were killed (their process is gone)."""
    for stale in base.parent.glob(f"{base.name}.import-*"):
        pid = stale.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            stale.unlink(missing_ok=True)


def _checkpoint(name: str) -> None:
    """Crash tests (tests/test_importer.py) kill the import here with a real SIGKILL."""
    if os.environ.get("CUESHEET_TEST_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


Progress = Callable[[str, int, int, int], None]  # phase, rows, bytes done, bytes total


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
    stage_path = _staging_path(conn)
    errors: list[InputError] = []
    reject_out: IO[str] | None = None
    stage = sqlite3.connect(stage_path, isolation_level=None)
    try:
        stage.execute("PRAGMA journal_mode = OFF")
        stage.execute("PRAGMA synchronous = OFF")
        # `state`: what the merge does with the row ('new', 'changed'; NULL: nothing), decided
        # before the write lock is taken.
        stage.execute(f"CREATE TABLE rows ({', '.join(STAGE_COLUMNS)}, state TEXT)")
        stage.execute("CREATE TABLE vocab (term TEXT)")
        insert = (f"INSERT INTO rows ({', '.join(STAGE_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(STAGE_COLUMNS))})")
        batches = (_batches_in_worker(path, fmt, ignore_extra, skip_invalid) if parallel
                   else _batches(path, fmt, ignore_extra, skip_invalid, BATCH))
        stage.execute("BEGIN")
        for rows, bad, seen, pos, words, repaired in batches:
            report.rows = seen
            report.repaired = repaired
            if bad:
                report.rejected += len(bad)
                if skip_invalid:
                    if reject_out is None:
                        reject_out = open(rejects, "x", encoding="utf-8")  # type: ignore[arg-type]
                    for r in bad:
                        row_text = r[4].replace("\r", "\\r").replace("\n", "\\n")
                        reject_out.write(f"{_to_error(r)}\t{row_text}\n")
                else:
                    errors.extend(_to_error(r) for r in bad[: MAX_ERRORS + 1 - len(errors)])
            if rows and not errors:
                stage.executemany(insert, rows)
                stage.executemany("INSERT INTO vocab VALUES (?)", ((w,) for w in words))
            if progress:
                progress("reading", report.rows, pos, size)
            _checkpoint("staging")
        stage.execute("COMMIT")
        report.rows += report.rejected
        if errors:
            if len(errors) > MAX_ERRORS:
                errors[MAX_ERRORS:] = [InputError(f"more errors after {MAX_ERRORS}; fix these first",
                                                  file=errors[0].file)]
            # A real dump has a few bad rows among millions: say how to import the rest.
            raise InputErrors(errors, remedy=SKIP_HINT)
        stage.close()
        report.steps["read"] = time.perf_counter() - started
        _checkpoint("staged")
        if progress:
            progress("indexing", report.rows, size, size)
        _merge(conn, stage_path, fmt, source, replace, report, curator)
    finally:
        stage.close()
        if reject_out is not None:
            reject_out.close()
        stage_path.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def _merge(conn: sqlite3.Connection, stage_path: Path, fmt: str, source: str, replace: bool,
           report: ImportReport, curator: str | None = None) -> None:
    """Decide everything while only reading the catalog; then one transaction writes it.

    A canonical row's identity is its recording MBID (`mbid`), any other row's
    its content hash (`row_key`). Before the lock, each staged row is marked new,
    changed or unchanged (and rows to remove are listed), so the transaction
    touches only what changes: a re-import of a dataset that moved on a little
    holds the lock briefly. New rows go in sorted by their key, so the catalog's
    key indexes grow at their end instead of at random pages (random UUIDs made
    the merge three times slower), and a large page cache keeps the rest in memory.
    """
    from cuesheet.db.transactions import transaction, writer_note

    key = "mbid" if fmt == CANONICAL else "row_key"
    conn.execute("ATTACH DATABASE ? AS stage", [str(stage_path)])
    conn.execute("PRAGMA stage.journal_mode = OFF")
    conn.execute("PRAGMA stage.synchronous = OFF")
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.steps[name] = now - clock
        clock = now

    cache = conn.execute("PRAGMA main.cache_size").fetchone()[0]
    try:
        guessed = conn.execute("SELECT count(*) FROM stage.rows WHERE guessed").fetchone()[0]
        report.artist_from_title = guessed
        if guessed:
            _choose_credit_readings(conn)
        conn.execute(f"CREATE INDEX stage.rows_key ON rows ({key})")
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM recordings)").fetchone()[0]
        prior = 0 if empty else conn.execute(
            "SELECT count(*) FROM recordings WHERE source = ?", [source]).fetchone()[0]
        if not empty:
            _classify(conn, fmt, key, source)
            # The transaction reads only the rows that change, in key order.
            conn.execute(f"CREATE INDEX stage.rows_state ON rows (state, {key})")
        # Into an empty catalog every row is new: the key index alone orders (and dedupes) them.
        todo_rows = "stage.rows" if empty else "stage.rows WHERE state IS NOT NULL"
        gone = replace and prior
        if gone:
            conn.execute(f"CREATE TABLE stage.gone AS SELECT id FROM main.recordings r WHERE source = ? "
                         f"AND NOT EXISTS (SELECT 1 FROM stage.rows s WHERE s.{key} = r.{key})", [source])
        step("prepare")
        conn.execute("PRAGMA main.cache_size = -262144")  # 256 MiB while merging
        todo = conn.execute(f"SELECT count(*) FROM {todo_rows}").fetchone()[0]
        note = writer_note(conn, f"a catalog import writing {todo:,} rows of {Path(report.path).name}",
                           "wait: it writes about 100,000 rows a second; run your command again when it is "
                           "done (nothing of yours was written)")
        with note, transaction(conn):
            last = conn.execute("SELECT coalesce(max(id), 0) FROM recordings").fetchone()[0]
            cols = ", ".join(_DATA_COLUMNS)
            if fmt == CANONICAL and empty:
                # One row per MBID (GROUP BY walks the key index in order).
                cur = conn.execute(f"INSERT INTO recordings ({cols}, source) SELECT {cols}, ? FROM stage.rows "
                                   "GROUP BY mbid ORDER BY mbid", [source])
            elif fmt == CANONICAL:
                report.changed = _update_changed(conn, source)
                # Re-checked under the lock: a row another writer added meanwhile is not doubled.
                cur = conn.execute(f"INSERT INTO recordings ({cols}, source) SELECT {cols}, ? FROM stage.rows s "
                                   "WHERE state = 'new' AND NOT EXISTS (SELECT 1 FROM recordings r "
                                   "WHERE r.mbid = s.mbid) ORDER BY mbid", [source])
            else:
                new_only = "" if empty else "WHERE state = 'new'"
                cur = conn.execute(f"INSERT OR IGNORE INTO recordings ({cols}, source, row_key) "
                                   f"SELECT {cols}, ?, row_key FROM stage.rows {new_only} ORDER BY row_key",
                                   [source])
            report.added = max(cur.rowcount, 0)
            step("merge")
            _checkpoint("merging")
            if gone:
                report.removed, report.kept_linked = _remove_absent(conn)
            if empty:
                conn.execute("INSERT INTO recording_fts (recording_fts) VALUES ('rebuild')")
            else:
                index_recordings(conn, after_id=last, vocab=False)
            conn.execute("INSERT OR IGNORE INTO recording_vocab SELECT term FROM stage.vocab")
            if curator is not None and report.added:
                report.history_id = _record(conn, curator, last, report)
            step("index")
            _checkpoint("indexed")
        step("commit")
    finally:
        conn.execute(f"PRAGMA main.cache_size = {int(cache)}")
        conn.execute("DETACH DATABASE stage")


def _record(conn: sqlite3.Connection, curator: str, last: int, report: ImportReport) -> int | None:
    """The import as one history entry: the ids it added, as a range (a million row images would
    not fit a history row; `undo` reads the rows back when it takes them away)."""
    first, final = conn.execute("SELECT min(id), max(id) FROM recordings WHERE id > ?", [last]).fetchone()
    if first is None:
        return None
    kept = [f"{report.changed} updated in place" if report.changed else "",
            f"{report.removed} removed" if report.removed else ""]
    summary = (f"imported {report.added:,} catalog recordings from {Path(report.path).name}"
               + "".join(f"; {k} (not undone)" for k in kept if k))
    return history.record_added(conn, "catalog import", curator, summary, "recordings", first, final)


def _classify(conn: sqlite3.Connection, fmt: str, key: str, source: str) -> None:
    """Mark staged rows 'new' or 'changed' (the file's first row of each key only), reading the catalog only."""
    first = f"rowid = (SELECT min(d.rowid) FROM stage.rows d WHERE d.{key} = rows.{key})"
    if fmt == CANONICAL:
        differs = " OR ".join(f"r.{c} IS NOT rows.{c}" for c in _DATA_COLUMNS)
        conn.execute(
            f"""UPDATE stage.rows SET state = CASE
                  WHEN NOT EXISTS (SELECT 1 FROM main.recordings r WHERE r.mbid = rows.mbid) THEN 'new'
                  WHEN EXISTS (SELECT 1 FROM main.recordings r WHERE r.mbid = rows.mbid AND r.source = ?
                               AND ({differs})) THEN 'changed' END
                WHERE {first}""", [source])
    else:
        conn.execute(f"UPDATE stage.rows SET state = 'new' WHERE {first} AND NOT EXISTS "
                     "(SELECT 1 FROM main.recordings r WHERE r.row_key = rows.row_key)")


def _choose_credit_readings(conn: sqlite3.Connection) -> None:
    """Rows read "Artist - Title" whose left part no catalog artist has, but whose right part one has: swap."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _known_artists (k TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp._known_artists")
    conn.execute("INSERT OR IGNORE INTO temp._known_artists SELECT artist_key FROM recordings "
                 "WHERE artist_key != ''")
    conn.execute("INSERT OR IGNORE INTO temp._known_artists SELECT artist_key FROM stage.rows "
                 "WHERE NOT guessed AND artist_key != ''")
    conn.execute(
        """UPDATE stage.rows SET title = artist, artist = title, title_key = artist_key, artist_key = title_key
           WHERE guessed AND artist_key NOT IN (SELECT k FROM temp._known_artists)
             AND title_key IN (SELECT k FROM temp._known_artists)""")
    conn.execute("DROP TABLE temp._known_artists")


def _update_changed(conn: sqlite3.Connection, source: str) -> int:
    """Canonical rows whose MBID is known but whose data moved on: updated in place (ids, so links, kept)."""
    sets = ", ".join(f"{c} = s.{c}" for c in _DATA_COLUMNS)
    differs = " OR ".join(f"recordings.{c} IS NOT s.{c}" for c in _DATA_COLUMNS)
    cur = conn.execute(f"UPDATE recordings SET {sets} FROM (SELECT * FROM stage.rows WHERE state = 'changed') AS s "
                       f"WHERE recordings.mbid = s.mbid AND recordings.source = ? AND ({differs})", [source])
    return max(cur.rowcount, 0)


def _remove_absent(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rows listed in stage.gone: removed, unless a cue links to them (a link never breaks)."""
    linked = "id IN (SELECT recording_id FROM cue_songs WHERE recording_id IS NOT NULL)"
    kept = conn.execute(f"SELECT count(*) FROM recordings WHERE id IN (SELECT id FROM stage.gone) AND {linked}"
                        ).fetchone()[0]
    cur = conn.execute(f"DELETE FROM recordings WHERE id IN (SELECT id FROM stage.gone) AND NOT {linked}")
    return max(cur.rowcount, 0), kept


# --- the small API the rest of cuesheet uses ---------------------------------------------------


def iter_rows(path: Path, format: str = "csv", *, ignore_extra: bool = False,
              errors: list[InputError] | None = None) -> Iterator[CatalogRow]:
    """Valid rows of a file; every bad row's error goes to `errors` (InputErrors raised if None)."""
    own = errors is None
    errs: list[InputError] = [] if errors is None else errors
    with open_input(path) as inp:
        items = list(_stage_rows(inp, format, ignore_extra))
    for item in items:
        if len(item) == 5:
            if len(errs) <= MAX_ERRORS:
                errs.append(_to_error(item))  # type: ignore[arg-type]
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
    values = [_stage_tuple(r)[:14] + (source,) for r in rows]
    cur = conn.executemany(
        f"INSERT OR IGNORE INTO recordings ({', '.join(STAGE_COLUMNS[:14])}, source)"
        f" VALUES ({', '.join('?' * 15)})",
        values,
    )
    index_recordings(conn, after_id=last)
    return max(cur.rowcount, 0)


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
        words = {w for t, a in conn.execute(
            "SELECT title_key, artist_key FROM recordings WHERE id > ?", [after_id])
            for w in f"{t or ''} {a or ''}".split()}
        conn.executemany("INSERT OR IGNORE INTO recording_vocab VALUES (?)", ((w,) for w in words))


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


if __name__ == "__main__":  # the worker process of `_batches_in_worker`
    import sys

    _worker(sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1", sys.stdout.buffer)
