"""Extended M3U (`.m3u8`, UTF-8): `#EXTM3U`, then `#EXTINF:<seconds>,Artist - Title` and a location.

The location is `ExportRow.location`, the same as in every other format: a
Spotify or MusicBrainz page for a known id, else a Spotify search for the
words, and a comment line before the `#EXTINF` says when it is a search
(players skip `#` lines that are not directives). A song with nothing to link
(unidentified, no words heard) cannot be an entry: it stays a comment line.
"""

from __future__ import annotations

from cuesheet.export.rows import ExportRow, Playlist, one_line

MEDIA_TYPE = "audio/x-mpegurl"
SUFFIXES = (".m3u8", ".m3u")


def render(playlist: Playlist) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{one_line(playlist.title)}", f"# {playlist.real_text()}"]
    for row in playlist.rows:
        lines += [f"# {one_line(c)}" for c in _comments(row)]
        if row.location is not None:
            lines.append(f"#EXTINF:{_seconds(row)},{row.display}")
            lines.append(row.location)
    return "\n".join(lines) + "\n"


def _seconds(row: ExportRow) -> int:
    """Whole seconds, `-1` when unknown (the EXTINF convention)."""
    return round(row.duration_ms / 1000) if row.duration_ms else -1


def _comments(row: ExportRow) -> list[str]:
    """One comment line before an entry that needs explaining; none for an ordinary one."""
    notes = ["cast original"] if row.original else []
    if not row.matched and row.real:
        notes.append("the id is a source's claim, accepted by the claims audit")
    elif not row.matched:
        notes.append(f"unmatched, {row.unmatched_reason}")
    elif not row.identifiers:
        notes.append("no Spotify or MusicBrainz id yet")
    if row.location is None:
        notes.append("nothing to link to, no entry")
    elif row.location_is_search:
        notes.append("the location is a search")
    return [f"{row.cue_label}: {'; '.join(notes)}"] if notes else []
