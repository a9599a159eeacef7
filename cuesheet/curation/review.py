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

from cuesheet.curation.matcher import Matcher
from cuesheet.db import history
from cuesheet.errors import CuesheetError, InputError, InputErrors, NotFound
from cuesheet.matching import persist
from cuesheet.model import MatchStatus, RecordingRef
from cuesheet.notation import ids
from cuesheet.notation.episodes import episode_code
from cuesheet.recordings.store import upsert_recording
from cuesheet.sources import Candidate

QUEUE_STATUSES = (MatchStatus.REVIEW,)
OPEN_STATUSES = (MatchStatus.REVIEW, MatchStatus.NO_MATCH, MatchStatus.UNMATCHED)
# What `review --status` filters by (every match_status a song can have).
STATUSES = (MatchStatus.REVIEW, MatchStatus.NO_MATCH, MatchStatus.UNMATCHED, MatchStatus.REJECTED,
            MatchStatus.ACCEPTED, MatchStatus.CURATED, MatchStatus.UNKNOWN)
DECIDED = (MatchStatus.CURATED, MatchStatus.REJECTED)


@dataclass(frozen=True)
class Stored:
    """A candidate as the matcher stored it, with its rank, score and reasons."""

    rank: int
    score: float
    reasons: list[str]
    candidate: Candidate
    # The calibrated chance that this is the song (the verdict's measure; the best candidate's).
    probability: float | None = None

    def to_json(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "rank": self.rank, "score": round(self.score, 3),
            "probability": round(self.probability, 3) if self.probability is not None else None,
            "title": c.title, "artist": c.artist,
            "album": c.album, "year": c.year,
            "duration": round(c.duration_ms / 1000) if c.duration_ms else None,
            "version": c.version, "source": c.source, "ids": dict(c.ids), "links": dict(c.links),
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Search:
    """One search a curator ran for a song, kept so the next curator does not repeat it."""

    id: int
    at: str
    curator: str
    query: str
    sources: list[str]
    verdict: str | None
    best_title: str | None
    best_artist: str | None
    best_score: float | None
    candidates: int

    def to_json(self) -> dict[str, Any]:
        best = ({"title": self.best_title, "artist": self.best_artist,
                 "score": round(self.best_score, 3) if self.best_score is not None else None}
                if self.best_title else None)
        return {"at": self.at, "curator": self.curator, "query": self.query, "sources": self.sources,
                "verdict": self.verdict, "candidates": self.candidates, "best": best}


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
    heard: str | None = None
    score: float | None = None
    candidates: list[Stored] = field(default_factory=list)
    searches: list[Search] = field(default_factory=list)

    @property
    def code(self) -> str:
        return episode_code(self.season, self.episode)

    @property
    def label(self) -> str:
        return f"{self.show} {self.code} cue {self.cue}"

    @property
    def unknown(self) -> bool:
        return self.status == MatchStatus.UNKNOWN

    @property
    def name(self) -> str:
        """How to speak of the song: its text, or what was heard of an unidentified one."""
        if self.unknown or not (self.text or self.title):
            return "an unidentified song" + (f" (heard: {self.heard})" if self.heard else "")
        return repr(self.text or self.title)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "show": self.show, "season": self.season, "episode": self.episode,
            "code": self.code, "episode_title": self.episode_title, "cue": self.cue, "scene": self.scene,
            "text": self.text, "title": self.title, "artist": self.artist, "status": self.status,
            "heard": self.heard, "score": round(self.score, 3) if self.score is not None else None,
            "candidates": [c.to_json() for c in self.candidates],
            "searches": [x.to_json() for x in self.searches],
        }


_ITEM_SQL = """SELECT s.id, sh.name, sh.id, e.id, e.season, e.number, e.title, c.number, c.scene,
                      s.text, s.title, s.artist, s.match_status, s.heard, s.match_score
                 FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
                 JOIN shows sh ON sh.id = e.show_id"""


def _candidates(conn: sqlite3.Connection, song_ids: list[int]) -> dict[int, list[Stored]]:
    out: dict[int, list[Stored]] = {i: [] for i in song_ids}
    if not song_ids:
        return out
    marks = ",".join("?" * len(song_ids))
    for (song_id, rank, score, source, title, artist, album, year, duration_ms, version, id_json,
         links_json, reasons_json, recording_id, probability) in conn.execute(
        f"""SELECT cue_song_id, rank, score, source, title, artist, album, year, duration_ms, version,
                   ids, links, reasons, recording_id, probability
              FROM match_candidates WHERE cue_song_id IN ({marks}) ORDER BY cue_song_id, rank""",
        song_ids,
    ):
        candidate = Candidate(
            title=title, artist=artist, source=source, album=album, year=year, duration_ms=duration_ms,
            version=version, ids=json.loads(id_json or "{}"), links=json.loads(links_json or "{}"),
            recording_id=recording_id,
        )
        out[song_id].append(Stored(rank, score, json.loads(reasons_json or "[]"), candidate, probability))
    return out


def queue(
    conn: sqlite3.Connection,
    *,
    show_id: int | None = None,
    episode_id: int | None = None,
    statuses: tuple[str, ...] = QUEUE_STATUSES,
    min_score: float | None = None,
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
    if min_score is not None:
        sql += " AND s.match_score >= ?"
        params.append(min_score)
    rows = conn.execute(sql + " ORDER BY sh.name, e.season, e.number, c.number, s.position", params).fetchall()
    ids_ = [r[0] for r in rows]
    cands, tried = _candidates(conn, ids_), searches(conn, ids_)
    return [Item(*r, candidates=cands[r[0]], searches=tried[r[0]]) for r in rows]


def item(conn: sqlite3.Connection, song_id: int) -> Item:
    row = conn.execute(_ITEM_SQL + " WHERE s.id = ?", [song_id]).fetchone()
    if row is None:
        raise NotFound(f"no song #{song_id}", remedy="`cuesheet review` lists the songs waiting, with their ids"
                       " (`cuesheet cue list SHOW EP` every song's id)")
    return Item(*row, candidates=_candidates(conn, [song_id])[song_id],
                searches=searches(conn, [song_id])[song_id])


def searches(conn: sqlite3.Connection, song_ids: list[int]) -> dict[int, list[Search]]:
    """Every search tried for these songs, oldest first."""
    out: dict[int, list[Search]] = {i: [] for i in song_ids}
    if not song_ids:
        return out
    marks = ",".join("?" * len(song_ids))
    for row in conn.execute(
        f"""SELECT cue_song_id, id, at, curator, query, sources, verdict, best_title, best_artist,
                   best_score, candidates FROM song_searches WHERE cue_song_id IN ({marks}) ORDER BY id""",
        song_ids,
    ):
        out[row[0]].append(Search(row[1], row[2], row[3], row[4], json.loads(row[5]), *row[6:]))
    return out


@dataclass(frozen=True)
class Decision:
    summary: str
    history_id: int | None
    item: Item
    recording_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "history_id": self.history_id, "song": self.item.id,
                "status": MatchStatus.REJECTED if self.recording_id is None else MatchStatus.CURATED,
                "recording_id": self.recording_id}


def _describe(c: Candidate) -> str:
    extra = ", ".join(str(x) for x in (c.version, c.album, c.year) if x)
    return f"{c.title} — {c.artist}" + (f" ({extra})" if extra else "")


def _already_decided(conn: sqlite3.Connection, it: Item) -> CuesheetError:
    """A decision is not overwritten by accept or reject: say what it is and how to change it."""
    linked = conn.execute("SELECT r.title, r.artist FROM cue_songs s JOIN recordings r ON r.id = s.recording_id"
                          " WHERE s.id = ?", [it.id]).fetchone()
    return CuesheetError(
        f"song #{it.id} ({it.label}) is already decided: {it.status}"
        + (f" as {linked[0]} — {linked[1]}" if linked else ""),
        remedy=f"`cuesheet review set {it.id} ...` changes it; `cuesheet history` finds the decision"
               " and `cuesheet undo N` takes it back")


def accept(conn: sqlite3.Connection, song_id: int, curator: str, *, pick: int = 1,
           candidate: Candidate | None = None) -> Decision:
    """Link the song to candidate `pick` (or a candidate found by searching again)."""
    with history.recorded(conn, "review accept", curator) as change:
        it = item(conn, song_id)
        if candidate is None:
            if not it.candidates and it.status in (MatchStatus.ACCEPTED, MatchStatus.CURATED, MatchStatus.REJECTED):
                raise _already_decided(conn, it)
            if not it.candidates:
                raise CuesheetError(
                    f"song #{song_id} ({it.label}) has no candidates",
                    remedy=f"give the recording: `cuesheet review set {song_id} --title ... --artist ...`")
            if not 1 <= pick <= len(it.candidates):
                raise InputError(f"song #{song_id} has candidates 1-{len(it.candidates)}, not {pick}",
                                 field="--pick")
            candidate = it.candidates[pick - 1].candidate
        rec_id = persist.accept(conn, song_id, candidate)
        _name_identified(conn, song_id, rec_id)
        change.summary = f"accepted {_describe(candidate)} for {it.label} ({it.name})"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return Decision(change.summary, change.id, it, rec_id)


def reject(conn: sqlite3.Connection, song_id: int, curator: str) -> Decision:
    """None of the candidates is the song: it stays without a recording, and the matcher
    will not try it again. Its candidates are kept as a record of what was turned down."""
    with history.recorded(conn, "review reject", curator) as change:
        it = item(conn, song_id)
        if it.status in DECIDED:
            raise _already_decided(conn, it)
        if it.unknown:
            raise CuesheetError(
                f"song #{song_id} ({it.label}) is unidentified: there is no match to reject",
                remedy=f"`cuesheet review search {song_id} WORDS` looks for it; its searches stay on record")
        persist.reject(conn, song_id)
        change.summary = f"rejected the candidates for {it.label} ({it.name})"
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
    matcher: Matcher | None = None,
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
        raise InputErrors(errors)
    if not given and not (title and artist):
        raise InputError("give an id (--mbid, --spotify-id, --isrc) or --title and --artist", field="set")
    matcher = matcher or Matcher.offline(conn)
    online: Candidate | None = None
    skipped: list[str] = []
    if given and not (title and artist) and _in_catalog(conn, given) is None:
        # Asked before the transaction: a service may take seconds to answer.
        online, skipped = matcher.lookup_ids(given)
    with history.recorded(conn, "review set", curator) as change:
        it = item(conn, song_id)
        rec_id = _in_catalog(conn, given)
        if rec_id is None and online is not None:
            rec_id = persist.link_song(conn, song_id, online, MatchStatus.CURATED)
        if rec_id is None:
            if not (title and artist):
                what = ", ".join(f"{k} {v}" for k, v in given.items())
                where = "in the catalog" + (" or online" if matcher.online_names() else "")
                why = f" ({'; '.join(skipped)})" if skipped else ""
                raise NotFound(f"no recording with {what} {where}{why}",
                               remedy="add --title and --artist to create it")
            rec_id = upsert_recording(conn, RecordingRef(
                title=title, artist=artist, version=version, album=album, year=year,
                isrc=given.get("isrc"), mbid=given.get("mbid"), spotify_id=given.get("spotify_id"),
            ), source="curator")
        persist.link_recording(conn, song_id, rec_id)
        _name_identified(conn, song_id, rec_id)
        r_title, r_artist = conn.execute("SELECT title, artist FROM recordings WHERE id = ?", [rec_id]).fetchone()
        change.summary = f"set {r_title} — {r_artist} for {it.label} ({it.name})"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return Decision(change.summary, change.id, it, rec_id)


def _in_catalog(conn: sqlite3.Connection, given: dict[str, str]) -> int | None:
    """The local recording with one of these ids, if any."""
    for name, value in given.items():
        row = conn.execute(f"SELECT id FROM recordings WHERE {name} = ? ORDER BY id LIMIT 1", [value]).fetchone()
        if row:
            return int(row[0])
    return None


def _name_identified(conn: sqlite3.Connection, song_id: int, rec_id: int) -> None:
    """An unidentified song that gets its recording takes the recording's title and artist
    as its working identification ('heard' stays: it is how the song was found)."""
    conn.execute(
        """UPDATE cue_songs SET title = (SELECT title FROM recordings WHERE id = ?),
                                artist = (SELECT artist FROM recordings WHERE id = ?)
            WHERE id = ? AND title IS NULL AND coalesce(text, '') = ''""",
        [rec_id, rec_id, song_id])


@dataclass(frozen=True)
class Batch:
    """Several decisions made as one change (`review accept 12 14 15`, `--min-score`)."""

    summary: str
    history_id: int | None
    decisions: list[Decision]

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "history_id": self.history_id,
                "decisions": [d.to_json() for d in self.decisions]}


# Under this calibrated probability the verdict says the best candidate is more likely not
# the song: bulk acceptance never takes it unless forced.
REJECTS_BELOW = 0.5


def _bulk_ok(best: Stored, min_probability: float, force: bool) -> bool:
    p = best.probability
    if p is None:
        return force and best.score >= min_probability
    return p >= min_probability and (force or p >= REJECTS_BELOW)


def accept_many(conn: sqlite3.Connection, song_ids: list[int], curator: str, *, pick: int = 1,
                min_probability: float | None = None, show_id: int | None = None,
                episode_id: int | None = None, force: bool = False) -> Batch:
    """Accept candidate `pick` of each song, or the best candidate of every song waiting in the
    queue whose calibrated probability is at least `min_probability`; all or nothing, one
    history entry.

    The probability is the verdict's own measure (a raw score of 0.8 can be a probability of
    0.08). A best candidate the verdict counts as more likely wrong than right (below
    REJECTS_BELOW), or with no probability at all, is never taken in bulk without `force`.
    Every song that cannot be accepted is named before anything is written.
    """
    from cuesheet.errors import InputErrors

    if min_probability is not None:
        if not 0 <= min_probability <= 1:
            raise InputError(f"a probability is between 0 and 1, got {min_probability}", field="--min-probability")
        waiting = queue(conn, show_id=show_id, episode_id=episode_id, statuses=QUEUE_STATUSES)
        song_ids = [*song_ids, *(it.id for it in waiting
                                 if it.candidates and _bulk_ok(it.candidates[0], min_probability, force)
                                 and it.id not in song_ids)]
    if not song_ids:
        raise NotFound("no song to accept" + (f": none has a probability of {min_probability} or more"
                                              + ("" if force else f" the verdict does not reject (under {REJECTS_BELOW})")
                                              if min_probability is not None else ""),
                       remedy="`cuesheet review` lists the queue with each best candidate's probability")
    decisions: list[Decision] = []
    errors: list[InputError] = []
    with history.recorded(conn, "review accept", curator) as change:
        for song_id in dict.fromkeys(song_ids):
            try:
                decisions.append(accept(conn, song_id, curator, pick=pick))
            except CuesheetError as exc:
                errors.append(InputError(exc.message, field=f"song {song_id}", remedy=exc.remedy))
        if errors:
            raise InputErrors(errors)
        change.summary = (decisions[0].summary if len(decisions) == 1
                          else f"accepted {len(decisions)} songs: " + ", ".join(f"#{d.item.id}" for d in decisions))
        shows = {d.item.show_id for d in decisions}
        eps = {d.item.episode_id for d in decisions}
        change.show_id = shows.pop() if len(shows) == 1 else None
        change.episode_id = eps.pop() if len(eps) == 1 else None
    return Batch(change.summary, change.id, decisions)


def search(conn: sqlite3.Connection, song_id: int, query: str | None, curator: str,
           matcher: Matcher | None = None) -> tuple[Any, Search]:
    """Search again for a song (by other words), and keep the search on record with its
    candidates, so `review accept ID --pick N` can take one and the next curator sees
    what was tried. The sources are asked before the write transaction begins."""
    it = item(conn, song_id)
    words = (query or "").strip() or (it.title and f"{it.title} {it.artist or ''}".strip()) or it.text \
        or it.heard or ""
    if not words.strip():
        raise InputError("say what to search for", field="query",
                         remedy=f"`cuesheet review search {song_id} 'words heard'`")
    matcher = matcher or Matcher.offline(conn)
    ident = matcher.identify(words)
    with history.recorded(conn, "review search", curator) as change:
        tried = record_search(conn, song_id, words, ident, curator, matcher.asked_names())
        if ident.candidates:
            persist.keep_search_candidates(conn, song_id, ident)
        best = f"best {tried.best_title} — {tried.best_artist}" if tried.best_title else "nothing found"
        change.summary = f"searched {words!r} for {it.label}: {best}"
        change.show_id, change.episode_id = it.show_id, it.episode_id
    return ident, tried


def record_search(conn: sqlite3.Connection, song_id: int, query: str, ident: Any, curator: str,
                  asked: list[str]) -> Search:
    """Write one search (query, sources asked, when, who, best candidate) for a song."""
    import datetime as dt

    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    skipped = {getattr(x, "source", str(x).split(":")[0]) for x in ident.skipped}
    asked = [name for name in asked if name.split(" ")[0] not in skipped]  # those that answered
    best = ident.best if ident.candidates else None
    values = [song_id, at, curator, query, json.dumps(asked), ident.verdict,
              best.candidate.title if best else None, best.candidate.artist if best else None,
              best.score if best else None, len(ident.candidates)]
    cur = conn.execute(
        """INSERT INTO song_searches (cue_song_id, at, curator, query, sources, verdict, best_title,
                                      best_artist, best_score, candidates) VALUES (?,?,?,?,?,?,?,?,?,?)""",
        values)
    return Search(int(cur.lastrowid), at, curator, query, asked, *values[5:])
