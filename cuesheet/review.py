"""The review queue: doubtful matches waiting for a curator, and the curator's decisions.

The matcher leaves a song it is unsure of with status 'review' and its
candidates in `match_candidates`. A decision here ('curated' or 'rejected')
is final for the matcher: `match_songs` never touches those songs again.
Each decision is one transaction and one history entry.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from cuesheet import history, ids, suggest
from cuesheet.episodes import episode_code
from cuesheet.errors import CuesheetError, InputError, NotFound
from cuesheet.model import RecordingRef
from cuesheet.sources import Candidate
from cuesheet.store import upsert_recording

QUEUE_STATUSES = ("review",)
OPEN_STATUSES = ("review", "no_match", "unmatched")


@dataclass(frozen=True)
class Stored:
    """A candidate as the matcher stored it, with its rank, score and reasons."""

    rank: int
    score: float
    reasons: list[str]
    candidate: Candidate

    def to_json(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "rank": self.rank, "score": round(self.score, 3), "title": c.title, "artist": c.artist,
            "album": c.album, "year": c.year,
            "duration": round(c.duration_ms / 1000) if c.duration_ms else None,
            "version": c.version, "source": c.source, "ids": dict(c.ids), "links": dict(c.links),
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Item:
    """One song waiting for a decision, with where it plays."""

    id: int  # cue_songs.id: what `review accept ID` takes
    show: str
    show_id: int
    episode_id: int
    season: int
    episode: int
    episode_title: str
    cue: int
    scene: str | None
    text: str
    title: str | None
    artist: str | None
    status: str
    candidates: list[Stored] = field(default_factory=list)

    @property
    def code(self) -> str:
        return episode_code(self.season, self.episode)

    @property
    def label(self) -> str:
        return f"{self.show} {self.code} cue {self.cue}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "show": self.show, "season": self.season, "episode": self.episode,
            "code": self.code, "episode_title": self.episode_title, "cue": self.cue, "scene": self.scene,
            "text": self.text, "title": self.title, "artist": self.artist, "status": self.status,
            "candidates": [c.to_json() for c in self.candidates],
        }


_ITEM_SQL = """SELECT s.id, sh.name, sh.id, e.id, e.season, e.number, e.title, c.number, c.scene,
                      s.text, s.title, s.artist, s.match_status
                 FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
                 JOIN shows sh ON sh.id = e.show_id"""


def _candidates(conn: sqlite3.Connection, song_ids: list[int]) -> dict[int, list[Stored]]:
    out: dict[int, list[Stored]] = {i: [] for i in song_ids}
    if not song_ids:
        return out
    marks = ",".join("?" * len(song_ids))
    for (song_id, rank, score, source, title, artist, album, year, duration_ms, version, id_json,
         links_json, reasons_json, recording_id) in conn.execute(
        f"""SELECT cue_song_id, rank, score, source, title, artist, album, year, duration_ms, version,
                   ids, links, reasons, recording_id
              FROM match_candidates WHERE cue_song_id IN ({marks}) ORDER BY cue_song_id, rank""",
        song_ids,
    ):
        candidate = Candidate(
            title=title, artist=artist, source=source, album=album, year=year, duration_ms=duration_ms,
            version=version, ids=json.loads(id_json or "{}"), links=json.loads(links_json or "{}"),
            recording_id=recording_id,
        )
        out[song_id].append(Stored(rank, score, json.loads(reasons_json or "[]"), candidate))
    return out


def queue(
    conn: sqlite3.Connection,
    *,
    show_id: int | None = None,
    episode_id: int | None = None,
    statuses: tuple[str, ...] = QUEUE_STATUSES,
) -> list[Item]:
    """Songs waiting for a decision, in episode and cue order."""
    sql = _ITEM_SQL + f" WHERE s.match_status IN ({','.join('?' * len(statuses))})"
    params: list[Any] = list(statuses)
    if show_id is not None:
        sql += " AND sh.id = ?"
        params.append(show_id)
    if episode_id is not None:
        sql += " AND e.id = ?"
        params.append(episode_id)
    rows = conn.execute(sql + " ORDER BY sh.name, e.season, e.number, c.number, s.position", params).fetchall()
    cands = _candidates(conn, [r[0] for r in rows])
    return [Item(*r, candidates=cands[r[0]]) for r in rows]


def item(conn: sqlite3.Connection, song_id: int) -> Item:
    row = conn.execute(_ITEM_SQL + " WHERE s.id = ?", [song_id]).fetchone()
    if row is None:
        raise NotFound(f"no song #{song_id}", remedy="`cuesheet review` lists the songs waiting, with their ids")
    return Item(*row, candidates=_candidates(conn, [song_id])[song_id])


@dataclass(frozen=True)
class Decision:
    summary: str
    history_id: int | None
    item: Item
    recording_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "history_id": self.history_id, "song": self.item.id,
                "status": "rejected" if self.recording_id is None else "curated",
                "recording_id": self.recording_id}


def _describe(c: Candidate) -> str:
    extra = ", ".join(str(x) for x in (c.version, c.album, c.year) if x)
    return f"{c.title} — {c.artist}" + (f" ({extra})" if extra else "")


def accept(conn: sqlite3.Connection, song_id: int, curator: str, *, pick: int = 1,
           candidate: Candidate | None = None) -> Decision:
    """Link the song to candidate `pick` (or a candidate found by searching again)."""
    with history.recorded(conn, "review accept", curator) as change:
        it = item(conn, song_id)
        if candidate is None:
            if not it.candidates and it.status in ("accepted", "curated", "rejected"):
                linked = conn.execute(
                    "SELECT r.title, r.artist FROM cue_songs s JOIN recordings r ON r.id = s.recording_id"
                    " WHERE s.id = ?", [song_id]).fetchone()
                raise CuesheetError(
                    f"song #{song_id} ({it.label}) is already decided: {it.status}"
                    + (f" as {linked[0]} — {linked[1]}" if linked else ""),
                    remedy=f"`cuesheet review set {song_id} ...` changes it; `cuesheet history` finds the"
                           " decision and `cuesheet undo N` takes it back")
            if not it.candidates:
                raise CuesheetError(
                    f"song #{song_id} ({it.label}) has no candidates",
                    remedy=f"give the recording: `cuesheet review set {song_id} --title ... --artist ...`")
            if not 1 <= pick <= len(it.candidates):
                raise InputError(f"song #{song_id} has candidates 1-{len(it.candidates)}, not {pick}",
                                 field="--pick")
            candidate = it.candidates[pick - 1].candidate
        rec_id = suggest.link(conn, song_id, candidate, "curated")
        conn.execute("DELETE FROM match_candidates WHERE cue_song_id = ?", [song_id])
        change.summary = f"accepted {_describe(candidate)} for {it.label} ({it.text!r})"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return Decision(change.summary, change.id, it, rec_id)


def reject(conn: sqlite3.Connection, song_id: int, curator: str) -> Decision:
    """None of the candidates is the song: it stays without a recording, and the matcher
    will not try it again. Its candidates are kept as a record of what was turned down."""
    with history.recorded(conn, "review reject", curator) as change:
        it = item(conn, song_id)
        conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'rejected' WHERE id = ?",
                     [song_id])
        change.summary = f"rejected the candidates for {it.label} ({it.text!r})"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return Decision(change.summary, change.id, it, None)


def set_recording(
    conn: sqlite3.Connection,
    song_id: int,
    curator: str,
    *,
    mbid: str | None = None,
    spotify_id: str | None = None,
    isrc: str | None = None,
    title: str | None = None,
    artist: str | None = None,
    album: str | None = None,
    year: int | None = None,
    version: str | None = None,
) -> Decision:
    """Name the recording by hand: by an id the catalog knows, or by title and artist (plus ids).

    A recording already in the catalog with one of the ids is used as it is;
    otherwise title and artist are needed to add it.
    """
    errors = []
    given: dict[str, str] = {}
    for name, value, check in (("mbid", mbid, ids.normalize_mbid), ("spotify_id", spotify_id, ids.normalize_spotify_id),
                               ("isrc", isrc, ids.normalize_isrc)):
        if value:
            try:
                given[name] = check(value)
            except InputError as exc:
                errors.append(InputError(exc.message, field="--" + name.replace("_", "-"), remedy=exc.remedy))
    if errors:
        from cuesheet.errors import InputErrors

        raise InputErrors(errors)
    if not given and not (title and artist):
        raise InputError("give an id (--mbid, --spotify-id, --isrc) or --title and --artist", field="set")
    online: Candidate | None = None
    skipped: list[str] = []
    if given and not (title and artist) and _in_catalog(conn, given) is None:
        # Asked before the transaction: a service may take seconds to answer.
        online, skipped = suggest.lookup_ids(given)
    with history.recorded(conn, "review set", curator) as change:
        it = item(conn, song_id)
        rec_id = _in_catalog(conn, given)
        if rec_id is None and online is not None:
            rec_id = suggest.link(conn, song_id, online, "curated")
        if rec_id is None:
            if not (title and artist):
                what = ", ".join(f"{k} {v}" for k, v in given.items())
                where = "in the catalog" + (" or online" if suggest.online_names() else "")
                why = f" ({'; '.join(skipped)})" if skipped else ""
                raise NotFound(f"no recording with {what} {where}{why}",
                               remedy="add --title and --artist to create it")
            rec_id = upsert_recording(conn, RecordingRef(
                title=title, artist=artist, version=version, album=album, year=year,
                isrc=given.get("isrc"), mbid=given.get("mbid"), spotify_id=given.get("spotify_id"),
            ), source="curator")
        conn.execute("UPDATE cue_songs SET recording_id = ?, match_status = 'curated' WHERE id = ?",
                     [rec_id, song_id])
        conn.execute("DELETE FROM match_candidates WHERE cue_song_id = ?", [song_id])
        r_title, r_artist = conn.execute("SELECT title, artist FROM recordings WHERE id = ?", [rec_id]).fetchone()
        change.summary = f"set {r_title} — {r_artist} for {it.label} ({it.text!r})"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return Decision(change.summary, change.id, it, rec_id)


def _in_catalog(conn: sqlite3.Connection, given: dict[str, str]) -> int | None:
    """The local recording with one of these ids, if any."""
    for name, value in given.items():
        row = conn.execute(f"SELECT id FROM recordings WHERE {name} = ? ORDER BY id LIMIT 1", [value]).fetchone()
        if row:
            return int(row[0])
    return None


def search_again(conn: sqlite3.Connection, text: str, artist: str | None = None) -> Any:
    """New candidates for a song, from other words (the walk's "search again")."""
    return suggest.identify(conn, text, artist)
