"""CSV: a header row, then one row per song use (RFC 4180 quoting, UTF-8, integer ms).

No standard exists (formats.md 3.4); the columns extend the Exportify-style
`Track URI, Track Name, Artist, Album, Duration (ms), ISRC` with where the song
plays. Empty cells mean unknown. Named `tabular` so it never shadows `csv`.
"""

from __future__ import annotations

import csv
import io

from cuesheet.export.common import Playlist

MEDIA_TYPE = "text/csv"
SUFFIXES = (".csv",)
COLUMNS = (
    "position", "episode", "episode_title", "cue", "part", "title", "artist", "album", "year",
    "version", "duration_ms", "isrc", "mbid", "spotify_uri", "time_in_ms", "time_out_ms",
    "kind", "usage", "original", "matched", "confidence", "note",
)


def render(playlist: Playlist) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in playlist.rows:
        data = row.to_json()
        data["episode"] = row.code
        data["original"] = "yes" if row.original else "no"
        data["matched"] = "yes" if row.matched else "no"
        writer.writerow(["" if data[c] is None else data[c] for c in COLUMNS])
    return out.getvalue()
