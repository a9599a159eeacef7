"""Extended M3U (`.m3u8`, UTF-8): `#EXTM3U`, then `#EXTINF:<seconds>,Artist - Title` and a location.

Every entry needs a location line, so a song without a Spotify or MusicBrainz
id gets a Spotify search URL, and a comment line before its `#EXTINF` says so
(players skip `#` lines that are not directives).
"""

from __future__ import annotations

from cuesheet.export.common import ExportRow, Playlist, one_line

MEDIA_TYPE = "audio/x-mpegurl"
SUFFIXES = (".m3u8", ".m3u")


def render(playlist: Playlist) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{one_line(playlist.title)}"]
    for row in playlist.rows:
        lines += [f"# {c}" for c in _comments(row)]
        lines.append(f"#EXTINF:{_seconds(row)},{row.display}")
        lines.append(row.location or row.search_url)
    return "\n".join(lines) + "\n"


def _seconds(row: ExportRow) -> int:
    """Whole seconds, `-1` when unknown (the EXTINF convention)."""
    return round(row.duration_ms / 1000) if row.duration_ms else -1


def _comments(row: ExportRow) -> list[str]:
    """One comment line before an entry that needs explaining; none for an ordinary one."""
    notes = ["cast original"] if row.original else []
    if not row.matched:
        notes.append(f"unmatched, {row.unmatched_reason}")
    elif not row.location:
        notes.append("no Spotify or MusicBrainz id yet")
    if not row.location:
        notes.append("the location is a search")
    return [f"{row.cue_label}: {'; '.join(notes)}"] if notes else []
