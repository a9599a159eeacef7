"""Exports: playlists in five formats, a Spotify playlist, a music cue sheet.

One module per format; each turns a `Playlist` (or a `MusicCueSheet`) into
text and never touches the database. `rows.select` reads the same query
layer as `cuesheet what`, so every export agrees with what viewers see;
`rows.ExportRow.location` and `.identifiers` are the one idea of where a
track lives; `tabular.csv_text` is the one CSV writer; `output.write_output`
the one way to `-o`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

from cuesheet.errors import CuesheetError, NotFound
from cuesheet.export import jsonfmt, jspf, m3u, tabular, xspf
from cuesheet.export.output import write_output
from cuesheet.export.rows import Playlist, select
from cuesheet.notation.plural import plural

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
    listenbrainz: bool = False,
    raw: bool = False,
    generated: datetime | None = None,
) -> Exported:
    """A playlist of SHOW [EPISODE | season], rendered, and written (see `output`) when `output` is given.

    `listenbrainz` makes the strict JSPF ListenBrainz imports; `raw` writes CSV
    cells as they are (no formula guard). A playlist that would hold no
    track is an error, whatever the format: an empty file helps nobody.
    """
    key = format_for(fmt or ("jspf" if listenbrainz else None), output)
    if listenbrainz and key != "jspf":
        raise CuesheetError(f"--listenbrainz writes a JSPF file, not {key}",
                            remedy="drop --format, or name the file .jspf")
    tabular.check_raw(key, raw)
    playlist = select(
        conn, show, episode, season=season, originals=originals, matched_only=matched_only,
        generated=generated or datetime.now(timezone.utc).replace(microsecond=0),
    )
    if not playlist.rows:
        raise NotFound(f"{playlist.title}: {playlist.empty_reason()}; nothing to export")
    notes = []
    if key == "jspf":
        text = jspf.render(playlist, listenbrainz=listenbrainz)
        skipped = jspf.left_out(playlist, listenbrainz=listenbrainz)
        if skipped == len(playlist.rows):
            raise NotFound(
                f"{playlist.title}: none of the {plural(len(playlist.rows), 'song')} has a MusicBrainz recording "
                "id, and ListenBrainz takes no other; nothing to export",
                remedy="drop --listenbrainz for a JSPF with every song",
            )
        if skipped:
            notes.append(f"jspf --listenbrainz: {plural(skipped, 'song')} "
                         f"{jspf.LEFT_OUT} left out")
    elif key == "csv":
        text = tabular.render(playlist, raw=raw)
    else:
        text = FORMATS[key].render(playlist)
    if output is not None:
        write_output(output, text)
    return Exported(text, playlist, key, output, notes)


__all__ = ["FORMATS", "Exported", "export_playlist", "format_for", "write_output"]
