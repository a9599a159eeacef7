"""Exports: playlists in five formats, a Spotify playlist, a music cue sheet.

One module per format; each turns a `Playlist` (or a `MusicCueSheet`) into
text and never touches the database. `common.select` reads the same query
layer as `cuesheet what`, so every export agrees with what viewers see.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

from cuesheet.errors import CuesheetError
from cuesheet.export import jsonfmt, jspf, m3u, tabular, xspf
from cuesheet.export.common import Playlist, select, write_atomic

FORMATS: dict[str, ModuleType] = {
    "m3u8": m3u,
    "xspf": xspf,
    "jspf": jspf,
    "csv": tabular,
    "json": jsonfmt,
}


@dataclass(frozen=True)
class Exported:
    """What an export produced: the text, where it went, and what to tell the user."""

    text: str
    playlist: Playlist
    format: str
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


def format_for(name: str | None, output: Path | None, default: str = "m3u8") -> str:
    """The format asked for, else the one the output file's suffix names, else the default."""
    if name:
        key = name.lower().lstrip(".")
        key = {"m3u": "m3u8"}.get(key, key)
        if key not in FORMATS:
            raise CuesheetError(f"unknown format {name!r}", remedy="use " + ", ".join(FORMATS))
        return key
    if output is not None:
        suffix = output.suffix.lower()
        for key, module in FORMATS.items():
            if suffix in module.SUFFIXES:
                return key
    return default


def export_playlist(
    conn: sqlite3.Connection,
    show: str,
    episode: str | None = None,
    *,
    season: int | None = None,
    fmt: str | None = None,
    output: Path | None = None,
    originals: bool = True,
    matched_only: bool = False,
    generated: datetime | None = None,
) -> Exported:
    """A playlist of SHOW [EPISODE | season], rendered, and written atomically when `output` is given."""
    key = format_for(fmt, output)
    playlist = select(
        conn, show, episode, season=season, originals=originals, matched_only=matched_only,
        generated=generated or datetime.now(timezone.utc).replace(microsecond=0),
    )
    module = FORMATS[key]
    text = module.render(playlist)
    notes = []
    if key == "jspf":
        skipped = jspf.left_out(playlist)
        if skipped:
            notes.append(f"jspf: {skipped} song{'s' if skipped != 1 else ''} {jspf.LEFT_OUT} left out")
    if output is not None:
        write_atomic(output, text)
    return Exported(text, playlist, key, output, notes)


__all__ = ["FORMATS", "Exported", "export_playlist", "format_for", "write_atomic"]
