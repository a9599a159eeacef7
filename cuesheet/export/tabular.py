"""CSV: the one CSV writer of the project, and the playlist table written with it.

Every CSV cuesheet writes (playlists, music cue sheets) goes through
`csv_text`, so every one is safe to open in a spreadsheet. A cell starting
with `=`, `+`, `-`, `@`, TAB or CR is a formula to Excel, LibreOffice and
Google Sheets (a title `-2+3` shows as `1`, `=HYPERLINK(...)` becomes a link
that leaks the sheet); the OWASP rule is to prefix such a cell with a single
quote, which spreadsheets show as text. Control characters inside a cell
(TAB, line breaks, NUL ...) become spaces. `raw=True` writes the exact text,
for pipelines that read the CSV with a program. Numbers are never touched.

The playlist table: no standard exists (formats.md 3.4); the columns extend the
Exportify-style `Track URI, Track Name, Artist, Album, Duration (ms), ISRC`
with where the song plays. Empty cells mean unknown. RFC 4180 quoting, CRLF,
UTF-8, integer ms. Named `tabular` so it never shadows `csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from cuesheet.errors import CuesheetError
from cuesheet.export.rows import CONTROL, Playlist

MEDIA_TYPE = "text/csv"
SUFFIXES = (".csv",)
COLUMNS = (
    "position", "episode", "episode_title", "cue", "part", "title", "artist", "album", "year",
    "version", "duration_ms", "isrc", "mbid", "spotify_uri", "location", "time_in_ms", "time_out_ms",
    "kind", "usage", "original", "matched", "confidence", "note",
)
# What a spreadsheet takes for the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any, *, raw: bool = False) -> str | int | float:
    """A cell a spreadsheet shows as the text it is; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if raw:
        return text
    quoted = text.startswith(FORMULA_START)
    text = CONTROL.sub(" ", text)
    return "'" + text if quoted else text


def check_raw(fmt: str, raw: bool) -> None:
    """`--raw` only changes CSV; asked of another format it would silently do nothing."""
    if raw and fmt != "csv":
        raise CuesheetError(f"--raw is for CSV only; {fmt} is written exactly already",
                            remedy="drop --raw, or use --format csv")


def csv_text(rows: Iterable[Sequence[Any]], *, raw: bool = False, newline: str = "\r\n") -> str:
    """Rows to RFC 4180 CSV (CRLF; `newline` "\\n" for a file kept in git), every cell through
    `safe_cell`; an empty row stays empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for row in rows:
        writer.writerow([safe_cell(v, raw=raw) for v in row])
    return out.getvalue()


def render(playlist: Playlist, *, raw: bool = False) -> str:
    def rows() -> Iterable[list[Any]]:
        yield list(COLUMNS)
        for row in playlist.rows:
            data = row.to_json()
            data["episode"] = row.code
            data["original"] = "yes" if row.original else "no"
            data["matched"] = "yes" if row.matched else "no"
            yield [data[c] for c in COLUMNS]

    return csv_text(rows(), raw=raw)
