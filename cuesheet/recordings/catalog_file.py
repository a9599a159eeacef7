"""A catalog file opened as a stream of lines: plain, `.zst`, or a `.tar.zst` archive as MetaBrainz ships it.

Also what format a file is in (`detect_format`): asked for, from the header
(MetaBrainz's canonical layout), or from the name.
"""

from __future__ import annotations

import csv
import os
import tarfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cuesheet.errors import CuesheetError, InputError
from cuesheet.files.read import bounded_lines

__all__ = ["CANONICAL", "CANONICAL_COLUMNS", "FORMATS", "BadEncoding", "Input", "LineCounter", "detect_format",
           "open_input"]

# MetaBrainz canonical data, in their order (listenbrainz-server mapping/canonical_musicbrainz_data.py).
CANONICAL_COLUMNS = ("id", "artist_credit_id", "artist_mbids", "artist_credit_name", "release_mbid",
                     "release_name", "recording_mbid", "recording_name", "combined_lookup", "score")
CANONICAL = "musicbrainz-canonical"
FORMATS = ("csv", "jsonl", CANONICAL)


@dataclass
class Input:
    name: str                      # what errors call the file (archive/member for a tarball)
    lines: Iterable[bytes]
    position: Callable[[], int]    # bytes of the file on disk consumed so far
    size: int


@contextmanager
def open_input(path: Path) -> Iterator[Input]:
    """The file's lines as bytes, decompressing `.zst` and unpacking `.tar.zst` as a stream."""
    try:
        raw = open(path, "rb")
        size = os.fstat(raw.fileno()).st_size
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), file=str(path)) from None
    with raw:
        name = path.name.lower()
        if not name.endswith(".zst"):
            yield Input(str(path), bounded_lines(raw, str(path)), raw.tell, size)
            return
        try:
            import zstandard
        except ImportError:  # pragma: no cover - a declared dependency
            raise CuesheetError("reading .zst needs the zstandard package", remedy="pip install zstandard")
        if not name.endswith((".tar.zst", ".tzst")):
            reader = _Zstd(raw, zstandard, str(path))
            yield Input(str(path), bounded_lines(reader, str(path)), raw.tell, size)  # type: ignore[arg-type]
            return
        member = _archive_member(path, zstandard)
        raw.seek(0)
        reader = _Zstd(raw, zstandard, str(path))
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for info in tar:
                if info.name == member:
                    handle = tar.extractfile(info)
                    assert handle is not None
                    yield Input(f"{path}/{member}", bounded_lines(handle, f"{path}/{member}"), raw.tell, size)  # type: ignore[arg-type]
                    return


class _Zstd:
    """A .zst file decompressed as a stream that says when it is cut short or damaged.

    zstandard's stream_reader ends quietly at the end of a truncated file (an interrupted
    download imported as "0 rows"); a decompressobj knows whether its frame ended. The
    input goes in small pieces so one read never inflates to more than a few tens of MB
    (a zstd block is at most 128 KB of output for a few bytes of input: a bomb).
    """

    _IN = 2048

    def __init__(self, raw: Any, zstandard: Any, name: str) -> None:
        self._raw, self._zstd, self._name = raw, zstandard, name
        self._d = zstandard.ZstdDecompressor().decompressobj()
        self._buf = bytearray()
        self._started = False
        self._done = False

    def read(self, n: int = -1) -> bytes:
        want = n if n is not None and n >= 0 else 1 << 20
        while len(self._buf) < want and not self._done:
            chunk = self._raw.read(self._IN)
            if not chunk:
                self._done = True
                if self._started and not self._d.eof:
                    raise InputError("cut short: the compressed data ends inside a frame", file=self._name,
                                     remedy="an interrupted download? fetch it again")
                break
            while chunk:
                try:
                    self._buf += self._d.decompress(chunk)
                except self._zstd.ZstdError as exc:
                    raise InputError(f"damaged .zst data ({exc})", file=self._name) from None
                self._started = True
                chunk = b""
                if self._d.eof:  # the next frame of a multi-frame file, if any
                    chunk = self._d.unused_data
                    self._d = self._zstd.ZstdDecompressor().decompressobj()
                    self._started = bool(chunk)
        out = bytes(self._buf[:want])
        del self._buf[:want]
        return out


def _archive_member(path: Path, zstandard: Any) -> str:
    """The data file of a `.tar.zst`: canonical_musicbrainz_data.csv, else its only CSV/JSONL file."""
    found: list[str] = []
    try:
        with open(path, "rb") as raw, tarfile.open(
                fileobj=_Zstd(raw, zstandard, str(path)), mode="r|") as tar:  # type: ignore[call-overload]
            for info in tar:
                if info.isfile() and info.name.lower().endswith((".csv", ".jsonl", ".ndjson")):
                    if Path(info.name).name == "canonical_musicbrainz_data.csv":
                        return info.name
                    found.append(info.name)
    except (tarfile.TarError, zstandard.ZstdError, EOFError) as exc:
        raise InputError(f"not a readable .tar.zst archive: damaged or cut short ({exc})", file=str(path),
                         remedy="an interrupted download? fetch it again") from None
    if len(found) != 1:
        what = "no CSV file" if not found else f"{len(found)} CSV files ({', '.join(found[:5])})"
        raise InputError(f"{what} in the archive; expected canonical_musicbrainz_data.csv", file=str(path))
    return found[0]


class BadEncoding(Exception):
    def __init__(self, error: InputError) -> None:
        self.error = error


class LineCounter:
    """Decodes a file line by line, so a bad byte is reported with its line."""

    def __init__(self, lines: Iterable[bytes], file: str) -> None:
        self._it = iter(lines)
        self._file = file
        self.line = 0
        self.repaired = 0  # fields the readers repaired (`repair_text`)

    def __iter__(self) -> LineCounter:
        return self

    def __next__(self) -> str:
        raw = next(self._it)
        self.line += 1
        try:
            return raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise BadEncoding(InputError(f"not UTF-8 text (byte {exc.start + 1} of the line)",
                                          file=self._file, line=self.line, remedy="save the file as UTF-8"))


def read_header(path: Path) -> list[str]:
    with open_input(path) as inp:
        try:
            first = next(iter(inp.lines), b"")
        except InputError:
            raise
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
    if tuple(read_header(path)[: len(CANONICAL_COLUMNS)]) == CANONICAL_COLUMNS:
        return CANONICAL
    return "csv"
