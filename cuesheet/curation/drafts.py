"""Cue drafts: the answers a curator typed for a cue that could not be saved yet.

An interactive `cue add` that finds the database busy (a long import holding the write
lock) offers to wait and try again; when the curator stops, the answers are written here
and the next `cue add` of that episode offers them back, so nothing typed is lost. One JSON
file per draft under the user's state directory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from cuesheet.curation.cues import CueDraft, SongDraft
from cuesheet.model import Performer, RecordingRef, Song
from cuesheet.sources import Candidate


def drafts_dir() -> Path:
    """$CUESHEET_DRAFTS, else `drafts` in the platform's user state directory."""
    env = os.environ.get("CUESHEET_DRAFTS")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_state_dir("cuesheet", appauthor=False)) / "drafts"


@dataclasses.dataclass(frozen=True)
class Saved:
    path: Path
    show: str
    episode: str
    at: str
    draft: CueDraft

    @property
    def label(self) -> str:
        names = [s.song.title or s.song.text or "an unidentified song" for s in self.draft.songs]
        return f"{self.show} {self.episode}: {' + '.join(names) or 'no song yet'} (typed {self.at})"


def _song(s: SongDraft) -> dict[str, Any]:
    song = dataclasses.asdict(s.song)
    return {"song": song, "pick": dataclasses.asdict(s.pick) if s.pick else None}


def save(draft: CueDraft, show: str, episode: str) -> Path:
    """Write the draft (whole file or nothing); returns where."""
    folder = drafts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    doc = {"show": show, "episode": episode, "at": at,
           "cue": {k: v for k, v in dataclasses.asdict(draft).items() if k != "songs"},
           "songs": [_song(s) for s in draft.songs]}
    path = folder / f"{show}-{episode}-{at.replace(':', '').replace('+0000', 'Z')}-{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _load_song(d: dict[str, Any]) -> SongDraft:
    s = dict(d["song"])
    s["performers"] = tuple(Performer(**p) for p in s.get("performers") or ())
    s["sources"] = tuple(s.get("sources") or ())
    s["recording"] = RecordingRef(**s["recording"]) if s.get("recording") else None
    for key in ("claims", "candidates", "searches", "id_claims"):
        s[key] = ()  # a new cue's song carries none of these yet
    known = {f.name for f in dataclasses.fields(Song)}
    song = Song(**{k: v for k, v in s.items() if k in known})
    pick = Candidate(**d["pick"]) if d.get("pick") else None
    return SongDraft(song, pick)


def load(path: Path) -> Saved:
    doc = json.loads(path.read_text(encoding="utf-8"))
    cue = dict(doc["cue"])
    cue["performers"] = tuple(Performer(**p) for p in cue.get("performers") or ())
    cue["sources"] = tuple(cue.get("sources") or ())
    draft = CueDraft(songs=tuple(_load_song(s) for s in doc["songs"]), **cue)
    return Saved(path, doc["show"], doc["episode"], doc["at"], draft)


def pending(show: str, episode: str) -> list[Saved]:
    """The drafts kept for this episode, oldest first (an unreadable one is left for a person)."""
    folder = drafts_dir()
    out = []
    for path in sorted(folder.glob(f"{show}-{episode}-*.json")) if folder.is_dir() else []:
        try:
            out.append(load(path))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return out


def discard(saved: Saved) -> None:
    saved.path.unlink(missing_ok=True)
