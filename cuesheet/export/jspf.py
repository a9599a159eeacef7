"""JSPF (XSPF as JSON) the way ListenBrainz reads it.

ListenBrainz accepts a track only with an identifier
`https://musicbrainz.org/recording/<mbid>` (it refuses the whole playlist
otherwise), so songs without a MusicBrainz id are left out here and counted.
Identifiers and locations are lists, as ListenBrainz's own web client writes
them; its extensions live under the `https://musicbrainz.org/doc/jspf#...` keys.
"""

from __future__ import annotations

import json
from typing import Any

from cuesheet.export.common import CREATOR, Playlist
from cuesheet.export.xspf import annotation

MEDIA_TYPE = "application/jspf+json"
SUFFIXES = (".jspf",)
PLAYLIST_EXTENSION = "https://musicbrainz.org/doc/jspf#playlist"
TRACK_EXTENSION = "https://musicbrainz.org/doc/jspf#track"
LEFT_OUT = "without a MusicBrainz recording id (ListenBrainz needs one)"


def render(playlist: Playlist) -> str:
    return json.dumps(document(playlist), ensure_ascii=False, indent=2) + "\n"


def left_out(playlist: Playlist) -> int:
    return sum(1 for r in playlist.rows if not r.mbid)


def document(playlist: Playlist) -> dict[str, Any]:
    tracks = []
    for row in playlist.rows:
        if not row.mbid:
            continue
        track: dict[str, Any] = {"identifier": [row.musicbrainz_url]}
        if row.spotify_url:
            track["location"] = [row.spotify_url]
        track["title"] = row.title
        if row.artist:
            track["creator"] = row.artist
        if row.album:
            track["album"] = row.album
        if row.duration_ms:
            track["duration"] = row.duration_ms
        track["annotation"] = annotation(row)
        extra = {k: v for k, v in (("isrc", row.isrc), ("spotify_id", row.spotify_id)) if v}
        extra.update({"episode": row.code, "cue": row.cue, "kind": row.kind})
        if row.usage:
            extra["usage"] = row.usage
        track["extension"] = {TRACK_EXTENSION: {"additional_metadata": extra}}
        tracks.append(track)
    doc: dict[str, Any] = {"title": playlist.title, "creator": CREATOR}
    skipped = left_out(playlist)
    doc["annotation"] = f"Songs of {playlist.title} in episode and cue order." + (
        f" {skipped} song{'s' if skipped != 1 else ''} {LEFT_OUT} left out." if skipped else ""
    )
    if playlist.generated is not None:
        doc["date"] = playlist.generated.isoformat()
    doc["extension"] = {PLAYLIST_EXTENSION: {"public": False}}
    doc["track"] = tracks
    return {"playlist": doc}
