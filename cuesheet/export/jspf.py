"""JSPF (XSPF as JSON), with every track, or the strict file ListenBrainz imports.

The plain file holds every song (title, creator, album, duration), with the
same identifiers and location as the other formats: `identifier` lists the
known ids as URLs, `location` the place to listen (a search when no id is
known). Both are lists, as ListenBrainz's own web client writes them.

ListenBrainz accepts a track only with an identifier
`https://musicbrainz.org/recording/<mbid>` and refuses the whole playlist
otherwise, so `listenbrainz=True` keeps only songs with a recording MBID,
identified by it alone; the others are counted by `left_out`. Its extensions
live under the `https://musicbrainz.org/doc/jspf#...` keys.
"""

from __future__ import annotations

import json
from typing import Any

from cuesheet.export.rows import CREATOR, ExportRow, Playlist
from cuesheet.export.xspf import annotation
from cuesheet.notation.plural import plural

MEDIA_TYPE = "application/jspf+json"
SUFFIXES = (".jspf",)
PLAYLIST_EXTENSION = "https://musicbrainz.org/doc/jspf#playlist"
TRACK_EXTENSION = "https://musicbrainz.org/doc/jspf#track"
LEFT_OUT = "without a MusicBrainz recording id (ListenBrainz needs one)"


def render(playlist: Playlist, *, listenbrainz: bool = False) -> str:
    return json.dumps(document(playlist, listenbrainz=listenbrainz), ensure_ascii=False, indent=2) + "\n"


def kept(playlist: Playlist, *, listenbrainz: bool = False) -> list[ExportRow]:
    """The rows that become tracks: all of them, or only those ListenBrainz takes."""
    return [r for r in playlist.rows if r.mbid or not listenbrainz]


def left_out(playlist: Playlist, *, listenbrainz: bool = True) -> int:
    return len(playlist.rows) - len(kept(playlist, listenbrainz=listenbrainz))


def _track(row: ExportRow, listenbrainz: bool) -> dict[str, Any]:
    track: dict[str, Any] = {}
    identifiers = [row.links["musicbrainz"]] if listenbrainz else row.identifiers
    if identifiers:
        track["identifier"] = identifiers
    if row.location:
        track["location"] = [row.location]
    if row.title:  # an unidentified song has none; its annotation says so
        track["title"] = row.title
    if row.artist:
        track["creator"] = row.artist
    if row.album:
        track["album"] = row.album
    if row.duration_ms:
        track["duration"] = row.duration_ms
    track["annotation"] = annotation(row)
    extra: dict[str, Any] = {k: v for k, v in (("isrc", row.isrc), ("spotify_id", row.spotify_id)) if v}
    extra.update({"episode": row.code, "cue": row.cue, "kind": row.kind})
    if row.usage:
        extra["usage"] = row.usage
    track["extension"] = {TRACK_EXTENSION: {"additional_metadata": extra}}
    return track


def document(playlist: Playlist, *, listenbrainz: bool = False) -> dict[str, Any]:
    tracks = [_track(row, listenbrainz) for row in kept(playlist, listenbrainz=listenbrainz)]
    doc: dict[str, Any] = {"title": playlist.title, "creator": CREATOR}
    skipped = left_out(playlist, listenbrainz=listenbrainz)
    doc["annotation"] = f"Songs of {playlist.title} in episode and cue order." + (
        f" {plural(skipped, 'song')} {LEFT_OUT} left out." if skipped else f" {playlist.real_text()}."
    )
    if playlist.generated is not None:
        doc["date"] = playlist.generated.isoformat()
    doc["extension"] = {PLAYLIST_EXTENSION: {"public": False}}
    doc["track"] = tracks
    return {"playlist": doc}
