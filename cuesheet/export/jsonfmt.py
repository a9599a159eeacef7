"""JSON: the playlist as one object, its tracks with every fact cuesheet knows.

Track keys are `ExportRow.to_json()`; like the `--json` of `what`, they are a
contract for scripts. Named `jsonfmt` so it never shadows `json`.
"""

from __future__ import annotations

import json
from typing import Any

from cuesheet.export.rows import Playlist

MEDIA_TYPE = "application/json"
SUFFIXES = (".json",)


def document(playlist: Playlist) -> dict[str, Any]:
    return {
        "title": playlist.title,
        "show": playlist.show,
        "scope": playlist.scope,
        "generated": playlist.generated.isoformat() if playlist.generated else None,
        "tracks": [row.to_json() for row in playlist.rows],
        "unmatched": playlist.unmatched,
        "real": playlist.real,
        "searches": playlist.searches,
        "left_out": playlist.left_out,
    }


def render(playlist: Playlist) -> str:
    return json.dumps(document(playlist), ensure_ascii=False, indent=2) + "\n"
