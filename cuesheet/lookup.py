"""The viewer's answer: which song plays in this show, episode, scene or minute.

This is the query layer every reader shares: `what`, `search`, the exports and
the web page all build on `answers()`, so a cue looks the same everywhere.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from cuesheet import ids
from cuesheet.episodes import (
    EpisodeInfo,
    episode_code,
    parse_episode,
    resolve_episode,
)
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.normalize import fold
from cuesheet.ranking import CueText, rank
from cuesheet.timecode import format_time, parse_time

# How many of the nearest cues to give when no cue spans the time asked for.
NEAREST = 3


@dataclass(frozen=True)
class ShowRef:
    id: int
    slug: str
    name: str
    seasons: int


@dataclass(frozen=True)
class EpisodeRef:
    id: int
    show: ShowRef
    season: int
    number: int
    title: str
    aliases: tuple[str, ...]

    @property
    def code(self) -> str:
        return episode_code(self.season, self.number)


@dataclass
class SongAnswer:
    title: str | None
    artist: str | None
    version: str | None
    year: int | None
    album: str | None
    duration: float | None
    text: str
    status: str
    confidence: str | None
    performers: list[dict[str, Any]]
    ids: dict[str, str]
    links: dict[str, str]
    recording_id: int | None = None
    song_id: int = 0


@dataclass
class Answer:
    """One cue as a viewer sees it. Field names are the `--json` contract."""

    show: str
    season: int
    episode: int
    code: str
    episode_title: str
    cue: int
    order_confirmed: bool
    time_in: str | None
    time_out: str | None
    time_in_ms: int | None
    time_out_ms: int | None
    scene: str | None
    performers: list[dict[str, Any]]
    kind: str
    usage: str | None
    confidence: str | None
    sources: list[str]
    songs: list[SongAnswer]
    conflicts: list[dict[str, Any]]
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    distance: str | None = None
    distance_ms: int | None = None
    cue_id: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for song in out["songs"]:
            song.pop("song_id")
        return out


# --- shows and episodes -------------------------------------------------------------


def shows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT s.id, s.slug, s.name, s.year, s.network,
                  (SELECT count(DISTINCT season) FROM episodes e WHERE e.show_id = s.id) AS seasons,
                  (SELECT count(*) FROM episodes e WHERE e.show_id = s.id) AS episodes,
                  (SELECT count(*) FROM cues c JOIN episodes e ON e.id = c.episode_id
                    WHERE e.show_id = s.id) AS cues,
                  (SELECT count(*) FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                     JOIN episodes e ON e.id = c.episode_id WHERE e.show_id = s.id) AS songs,
                  (SELECT group_concat(alias, ', ') FROM show_aliases a WHERE a.show_id = s.id) AS aliases
             FROM shows s ORDER BY s.name"""
    ).fetchall()
    keys = ("id", "slug", "name", "year", "network", "seasons", "episodes", "cues", "songs", "aliases")
    return [
        {**dict(zip(keys, r)), "aliases": r[9].split(", ") if r[9] else []} for r in rows
    ]


def find_show(conn: sqlite3.Connection, text: str) -> ShowRef:
    """A show by name, slug or alias, forgiving typos and extra words ("netflix soundtrack")."""
    rows = conn.execute(
        """SELECT s.id, s.slug, s.name, (SELECT count(DISTINCT season) FROM episodes e
                                         WHERE e.show_id = s.id)
             FROM shows s"""
    ).fetchall()
    if not rows:
        raise NotFound("the database has no shows yet", remedy="run `cuesheet build`")
    names: list[tuple[str, int]] = []
    for show_id, slug, name, _ in rows:
        names += [(fold(name), show_id), (fold(slug), show_id)]
    for show_id, alias in conn.execute("SELECT show_id, alias FROM show_aliases"):
        names.append((fold(alias), show_id))
    query = fold(text)
    best: dict[int, float] = {}
    for name, show_id in names:
        # WRatio forgives typos ("soundtrak"); token_set forgives extra words
        # ("netflix soundtrack" against "soundtrack").
        score = max(fuzz.WRatio(query, name), fuzz.token_set_ratio(query, name))
        best[show_id] = max(best.get(show_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    by_id = {r[0]: ShowRef(r[0], r[1], r[2], r[3]) for r in rows}
    top_id, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < 80 or (runner >= top - 3 and runner >= 80):
        close = ", ".join(by_id[i].name for i, s in ranked[:3] if s >= 50) or ", ".join(
            by_id[i].name for i, _ in ranked[:3]
        )
        raise NotFound(
            f"no show matches {text!r}" if top < 80 else f"{text!r} could be several shows",
            remedy=f"closest: {close}; `cuesheet shows` lists them",
        )
    return by_id[top_id]


def episodes(conn: sqlite3.Connection, show: ShowRef) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT e.id, e.season, e.number, e.title, e.air_date, e.complete,
                  (SELECT count(*) FROM cues c WHERE c.episode_id = e.id),
                  (SELECT count(*) FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                    WHERE c.episode_id = e.id),
                  (SELECT group_concat(alias, ' | ') FROM episode_aliases a WHERE a.episode_id = e.id)
             FROM episodes e WHERE e.show_id = ? ORDER BY e.season, e.number""",
        [show.id],
    ).fetchall()
    return [
        {
            "show": show.name,
            "season": r[1],
            "episode": r[2],
            "code": episode_code(r[1], r[2]),
            "episode_title": r[3],
            "air_date": r[4],
            "complete": bool(r[5]),
            "cues": r[6],
            "songs": r[7],
            "aliases": r[8].split(" | ") if r[8] else [],
        }
        for r in rows
    ]


def find_episode(conn: sqlite3.Connection, show: ShowRef, text: str) -> EpisodeRef:
    """An episode by any notation people type (3, S01E03, 1x03, Track 3, title words)."""
    rows = conn.execute(
        "SELECT id, season, number, title FROM episodes WHERE show_id = ? ORDER BY season, number",
        [show.id],
    ).fetchall()
    if not rows:
        raise NotFound(f"{show.name} has no episodes yet", remedy="add cue sheets and run `cuesheet build`")
    aliases: dict[int, list[str]] = defaultdict(list)
    for episode_id, alias in conn.execute(
        "SELECT a.episode_id, a.alias FROM episode_aliases a JOIN episodes e ON e.id = a.episode_id"
        " WHERE e.show_id = ?",
        [show.id],
    ):
        aliases[episode_id].append(alias)
    infos = {(r[1], r[2]): r for r in rows}
    spec = parse_episode(text)
    info = resolve_episode(
        spec, [EpisodeInfo(r[1], r[2], r[3], tuple(aliases[r[0]])) for r in rows], show=show.name
    )
    r = infos[(info.season, info.episode)]
    return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))


def episode_ref(conn: sqlite3.Connection, episode_id: int) -> EpisodeRef:
    """The EpisodeRef of an episode row (for callers that hold ids, like `check`)."""
    row = conn.execute(
        """SELECT s.id, s.slug, s.name, (SELECT max(season) FROM episodes WHERE show_id = s.id),
                  e.season, e.number, e.title
             FROM episodes e JOIN shows s ON s.id = e.show_id WHERE e.id = ?""",
        [episode_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no episode with id {episode_id}")
    aliases = tuple(a for (a,) in conn.execute(
        "SELECT alias FROM episode_aliases WHERE episode_id = ? ORDER BY alias", [episode_id]))
    show = ShowRef(row[0], row[1], row[2], row[3] or 0)
    return EpisodeRef(episode_id, show, row[4], row[5], row[6], aliases)


def episode_ids(conn: sqlite3.Connection, show: str, episode: str | None = None) -> list[int]:
    """The episodes a `SHOW [EPISODE]` argument pair names (all of the show's without EPISODE)."""
    ref = find_show(conn, show)
    if episode is not None:
        return [find_episode(conn, ref, episode).id]
    return [r for (r,) in conn.execute("SELECT id FROM episodes WHERE show_id = ?", [ref.id])]


# --- answers -------------------------------------------------------------------------


def answers(conn: sqlite3.Connection, cue_ids: list[int]) -> list[Answer]:
    """Full answers for these cues, in the order given."""
    if not cue_ids:
        return []
    marks = ",".join("?" * len(cue_ids))
    cue_rows = conn.execute(
        f"""SELECT c.id, s.name, e.season, e.number, e.title, c.number, c.order_confirmed,
                   c.time_in_ms, c.time_out_ms, c.scene, c.kind, c.usage, c.confidence
              FROM cues c JOIN episodes e ON e.id = c.episode_id JOIN shows s ON s.id = e.show_id
             WHERE c.id IN ({marks})""",
        cue_ids,
    ).fetchall()
    performers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    song_performers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cue_id, song_id, character, actor, inferred in conn.execute(
        f"""SELECT cue_id, cue_song_id, character, actor, inferred FROM cue_performers
             WHERE cue_id IN ({marks}) ORDER BY cue_id, cue_song_id, position""",
        cue_ids,
    ):
        p = {"character": character, "actor": actor, "inferred": bool(inferred)}
        (song_performers[song_id] if song_id else performers[cue_id]).append(p)
    songs: dict[int, list[SongAnswer]] = defaultdict(list)
    for row in conn.execute(
        f"""SELECT cs.cue_id, cs.id, cs.text, cs.title, cs.artist, cs.version, cs.confidence,
                   cs.match_status, r.id, r.title, r.artist, r.version, r.year, r.album,
                   r.duration_ms, r.isrc, r.mbid, r.spotify_id, r.links
              FROM cue_songs cs LEFT JOIN recordings r ON r.id = cs.recording_id
             WHERE cs.cue_id IN ({marks}) ORDER BY cs.cue_id, cs.position""",
        cue_ids,
    ):
        (cue_id, song_id, text, title, artist, version, confidence, status,
         rec_id, r_title, r_artist, r_version, year, album, duration_ms, isrc, mbid, spotify_id,
         links_json) = row
        id_map = {k: v for k, v in (("isrc", isrc), ("mbid", mbid), ("spotify_id", spotify_id)) if v}
        songs[cue_id].append(
            SongAnswer(
                title=r_title or title,
                artist=r_artist or artist,
                version=r_version or version,
                year=year,
                album=album,
                duration=duration_ms / 1000 if duration_ms else None,
                text=text,
                status=status,
                confidence=confidence,
                performers=song_performers.get(song_id, []),
                ids=id_map,
                links=_links(id_map, links_json),
                recording_id=rec_id,
                song_id=song_id,
            )
        )
    sources, conflicts = _provenance(conn, cue_ids, songs)
    by_id: dict[int, Answer] = {}
    for (cue_id, show, season, number, ep_title, cue_no, confirmed, t_in, t_out, scene, kind,
         usage, confidence) in cue_rows:
        by_id[cue_id] = Answer(
            show=show,
            season=season,
            episode=number,
            code=episode_code(season, number),
            episode_title=ep_title,
            cue=cue_no,
            order_confirmed=bool(confirmed),
            time_in=format_time(t_in) if t_in is not None else None,
            time_out=format_time(t_out) if t_out is not None else None,
            time_in_ms=t_in,
            time_out_ms=t_out,
            scene=scene,
            performers=performers.get(cue_id, []),
            kind=kind,
            usage=usage,
            confidence=confidence,
            sources=sources.get(cue_id, []),
            songs=songs.get(cue_id, []),
            conflicts=conflicts.get(cue_id, []),
            cue_id=cue_id,
        )
    return [by_id[i] for i in cue_ids if i in by_id]


def _links(id_map: dict[str, str], links_json: str | None) -> dict[str, str]:
    links: dict[str, str] = {}
    if "spotify_id" in id_map:
        links["spotify"] = ids.spotify_url(id_map["spotify_id"])
    if "mbid" in id_map:
        links["musicbrainz"] = ids.musicbrainz_url(id_map["mbid"])
    if links_json:
        try:
            extra = json.loads(links_json)
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            links.update({str(k): str(v) for k, v in extra.items() if v})
    return links


def _provenance(
    conn: sqlite3.Connection, cue_ids: list[int], songs: dict[int, list[SongAnswer]]
) -> tuple[dict[int, list[str]], dict[int, list[dict[str, Any]]]]:
    """The sources behind each cue, and every field two sources disagree on."""
    marks = ",".join("?" * len(cue_ids))
    rows = conn.execute(
        f"""SELECT cl.cue_id, cl.cue_song_id, cl.field, cl.value, so.key, cl.notes
              FROM claims cl JOIN sources so ON so.id = cl.source_id
             WHERE cl.cue_id IN ({marks}) ORDER BY cl.id""",
        cue_ids,
    ).fetchall()
    sources: dict[int, list[str]] = defaultdict(list)
    values: dict[tuple[int, int | None, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for cue_id, song_id, field_name, value, key, notes in rows:
        if key not in sources[cue_id]:
            sources[cue_id].append(key)
        slot = values[(cue_id, song_id, field_name)]
        entry = slot.setdefault((value or "").casefold(), {"value": value, "sources": [], "notes": None})
        if key not in entry["sources"]:
            entry["sources"].append(key)
        entry["notes"] = entry["notes"] or notes
    titles = {s.song_id: s.title for cue_songs in songs.values() for s in cue_songs}
    conflicts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (cue_id, song_id, field_name), slot in values.items():
        if len(slot) > 1:
            conflicts[cue_id].append(
                {
                    "song": titles.get(song_id) if song_id else None,
                    "field": field_name,
                    "values": list(slot.values()),
                }
            )
    return sources, conflicts


# --- what exports read ---------------------------------------------------------------


def sheet_answers(
    conn: sqlite3.Connection,
    show: ShowRef,
    *,
    episode: EpisodeRef | None = None,
    season: int | None = None,
) -> list[Answer]:
    """Every cue of one episode, one season or the whole show, in episode and cue order.

    Exports read this, so a playlist holds exactly what `what` shows, in the
    order a viewer meets the songs.
    """
    sql = ("SELECT c.id FROM cues c JOIN episodes e ON e.id = c.episode_id"
           " WHERE e.show_id = ?")
    params: list[Any] = [show.id]
    if episode is not None:
        sql += " AND e.id = ?"
        params.append(episode.id)
    elif season is not None:
        seasons = [r[0] for r in conn.execute(
            "SELECT DISTINCT season FROM episodes WHERE show_id = ? ORDER BY season", [show.id])]
        if season not in seasons:
            raise NotFound(
                f"{show.name} has no season {season}",
                remedy="seasons: " + (", ".join(map(str, seasons)) or "none yet"),
            )
        sql += " AND e.season = ?"
        params.append(season)
    sql += " ORDER BY e.season, e.number, c.number"
    return answers(conn, [r[0] for r in conn.execute(sql, params)])


@dataclass(frozen=True)
class EpisodeFacts:
    """What a cue sheet header needs beyond the episode's name."""

    air_date: str | None
    length_ms: int | None
    complete: bool
    network: str | None
    show_year: int | None


def episode_facts(conn: sqlite3.Connection, episode: EpisodeRef) -> EpisodeFacts:
    row = conn.execute(
        """SELECT e.air_date, e.length_ms, e.complete, s.network, s.year
             FROM episodes e JOIN shows s ON s.id = e.show_id WHERE e.id = ?""",
        [episode.id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no episode {episode.code} in {episode.show.name}")
    return EpisodeFacts(row[0], row[1], bool(row[2]), row[3], row[4])


@dataclass(frozen=True)
class Credit:
    """A writer or publisher of a work, as a cue sheet lists them."""

    name: str
    role: str  # C composer, A author, CA both, AR arranger, E publisher, SE, AM
    share: float | None = None
    society: str | None = None
    ipi: str | None = None

    @property
    def publisher(self) -> bool:
        return self.role.upper() in PUBLISHER_ROLES

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Work:
    """A composition a recording performs (a MusicBrainz work), with its credits."""

    title: str
    iswc: str | None
    mbid: str | None
    credits: tuple[Credit, ...]


PUBLISHER_ROLES = frozenset({"E", "SE", "AM"})
# The works store (issue #5) adds these tables; until then no recording has a work.
WORK_TABLES = ("works", "work_credits", "recording_works")


def works_for_recordings(conn: sqlite3.Connection, recording_ids: list[int]) -> dict[int, list[Work]]:
    """The works (composers, publishers, shares) behind each recording, where known.

    Returns an empty dict while the database has no works store, so a cue
    sheet lists composers as missing instead of failing. The one place that
    reads the works tables: adapt it here when their shape changes.
    """
    ids_wanted = sorted({i for i in recording_ids if i is not None})
    present = {r[0] for r in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({','.join('?' * len(WORK_TABLES))})",
        WORK_TABLES,
    )}
    if not ids_wanted or present != set(WORK_TABLES):
        return {}
    work_cols = {r[1] for r in conn.execute("PRAGMA table_info(works)")}
    credit_cols = {r[1] for r in conn.execute("PRAGMA table_info(work_credits)")}

    def col(table: str, name: str, cols: set[str]) -> str:
        return f"{table}.{name}" if name in cols else "NULL"

    marks = ",".join("?" * len(ids_wanted))
    works: dict[int, dict[int, Work]] = defaultdict(dict)
    rows = conn.execute(
        f"""SELECT rw.recording_id, w.id, w.title, {col('w', 'iswc', work_cols)}, {col('w', 'mbid', work_cols)}
              FROM recording_works rw JOIN works w ON w.id = rw.work_id
             WHERE rw.recording_id IN ({marks}) ORDER BY rw.recording_id, w.id""",
        ids_wanted,
    ).fetchall()
    credits: dict[int, list[Credit]] = defaultdict(list)
    work_ids = sorted({r[1] for r in rows})
    if work_ids:
        wmarks = ",".join("?" * len(work_ids))
        order = "wc.position" if "position" in credit_cols else "wc.rowid"
        for work_id, name, role, share, society, ipi in conn.execute(
            f"""SELECT wc.work_id, wc.name, wc.role, {col('wc', 'share', credit_cols)},
                       {col('wc', 'society', credit_cols)}, {col('wc', 'ipi', credit_cols)}
                  FROM work_credits wc WHERE wc.work_id IN ({wmarks}) ORDER BY wc.work_id, {order}""",
            work_ids,
        ):
            credits[work_id].append(
                Credit(name, _role_code(role), float(share) if share is not None else None, society,
                       str(ipi) if ipi is not None else None)
            )
    for recording_id, work_id, title, iswc, mbid in rows:
        works[recording_id][work_id] = Work(title, iswc, mbid, tuple(credits.get(work_id, [])))
    return {rid: list(by_work.values()) for rid, by_work in works.items()}


# MusicBrainz relationship names -> cue sheet role codes (formats.md section 4).
_ROLE_CODES = {
    "composer": "C", "lyricist": "A", "writer": "CA", "librettist": "A", "arranger": "AR",
    "publisher": "E", "sub-publisher": "SE", "administrator": "AM",
}


def _role_code(role: str | None) -> str:
    if not role:
        return "CA"
    return _ROLE_CODES.get(role.strip().lower(), role.strip().upper())


# --- the questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class WhatResult:
    episode: EpisodeRef
    mode: str  # "sheet", "words" or "time"
    answers: list[Answer]


def what(
    conn: sqlite3.Connection,
    show_text: str,
    episode_text: str,
    words: str | None = None,
    at: str | None = None,
    *,
    min_score: float = 0.35,
) -> WhatResult:
    """"What song is this?" for one episode: by scene words, by time, or the whole sheet."""
    show = find_show(conn, show_text)
    episode = find_episode(conn, show, episode_text)
    cue_ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM cues WHERE episode_id = ? ORDER BY number", [episode.id]
        )
    ]
    if not cue_ids:
        raise NotFound(
            f"no cues known yet for {show.name} {episode.code} \"{episode.title}\"",
            remedy="curators can add them with `cuesheet cue add`",
        )
    all_answers = answers(conn, cue_ids)
    if at is not None:
        return WhatResult(episode, "time", _at_time(all_answers, parse_time(at), episode))
    if words and words.strip():
        ranked = rank(words, [_cue_text(a) for a in all_answers])
        out = []
        by_id = {a.cue_id: a for a in all_answers}
        for hit in ranked:
            if hit.score < min_score:
                continue
            a = by_id[hit.key]
            a.score = round(hit.score, 3)
            a.reasons = hit.reasons
            out.append(a)
        if not out:
            raise NotFound(
                f"no cue in {episode.code} \"{episode.title}\" fits {words!r}",
                remedy=f"`cuesheet what {show.slug} {episode.code}` lists all {len(all_answers)} cues",
            )
        return WhatResult(episode, "words", out)
    return WhatResult(episode, "sheet", all_answers)


def _at_time(all_answers: list[Answer], t: int, episode: EpisodeRef) -> list[Answer]:
    timed = [a for a in all_answers if a.time_in_ms is not None]
    if not timed:
        raise NotFound(
            f"no cue in {episode.code} \"{episode.title}\" has a time yet",
            remedy="ask by scene words instead, or list the episode's cues without --at",
        )
    scored = []
    for a in timed:
        end = a.time_out_ms if a.time_out_ms is not None else a.time_in_ms
        if a.time_in_ms <= t <= end:  # type: ignore[operator]
            distance = 0
        else:
            distance = min(abs(t - a.time_in_ms), abs(t - end))  # type: ignore[operator]
        scored.append((distance, a.time_in_ms, a))
    scored.sort(key=lambda x: (x[0], x[1]))
    playing = [a for d, _, a in scored if d == 0]
    chosen = playing or [a for _, _, a in scored[:NEAREST]]
    for a in chosen:
        d = next(d for d, _, b in scored if b is a)
        a.distance_ms = d
        a.distance = format_time(d)
        a.score = 1.0 if d == 0 else round(1 / (1 + d / 60_000), 3)
    return chosen


def search(
    conn: sqlite3.Connection,
    words: str,
    show_text: str | None = None,
    *,
    limit: int = 10,
    min_score: float = 0.4,
) -> list[Answer]:
    """Across all episodes: songs, artists, performers, scenes, half-remembered words."""
    if not words or not words.strip():
        raise CuesheetError("nothing to search for", remedy="give some words, e.g. `cuesheet search elastic heart`")
    show = find_show(conn, show_text) if show_text else None
    candidates = _fts_candidates(conn, words, show)
    if not candidates:
        return []
    all_answers = answers(conn, candidates)
    ranked = rank(words, [_cue_text(a) for a in all_answers])
    by_id = {a.cue_id: a for a in all_answers}
    out = []
    for hit in ranked:
        if hit.score < min_score or len(out) >= limit:
            continue
        a = by_id[hit.key]
        a.score = round(hit.score, 3)
        a.reasons = hit.reasons
        out.append(a)
    return out


# Enough candidates for the re-ranker to find a misspelt answer, few enough to
# score in milliseconds.
FTS_CANDIDATES = 300


def _fts_candidates(conn: sqlite3.Connection, words: str, show: ShowRef | None) -> list[int]:
    """Cue ids whose text shares trigrams with the words: typo-tolerant recall via FTS5.

    Each trigram is quoted as an FTS string, so no user text reaches MATCH
    syntax: quotes, `*`, NEAR, `-`, `^` and parentheses are plain characters.
    """
    grams: list[str] = []
    for word in fold(words).split():
        if len(word) < 3:
            continue
        for i in range(len(word) - 2):
            g = word[i : i + 3]
            if g not in grams:
                grams.append(g)
    if not grams:
        return []
    match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
    sql = "SELECT f.rowid FROM cue_fts f"
    params: list[Any] = [match]
    if show is not None:
        sql += " JOIN cues c ON c.id = f.rowid JOIN episodes e ON e.id = c.episode_id"
    sql += " WHERE cue_fts MATCH ?"
    if show is not None:
        sql += " AND e.show_id = ?"
        params.append(show.id)
    sql += " ORDER BY bm25(cue_fts, 4.0, 3.0, 2.0, 2.0, 1.0) LIMIT ?"
    params.append(FTS_CANDIDATES)
    return [r[0] for r in conn.execute(sql, params)]


def _cue_text(a: Answer) -> CueText:
    titles, artists, performers = [], [], []
    for s in a.songs:
        titles += [t for t in (s.title, s.text) if t]
        if s.artist:
            artists.append(s.artist)
        performers += [p.get("character") or "" for p in s.performers]
        performers += [p.get("actor") or "" for p in s.performers]
    for c in a.conflicts:
        for v in c["values"]:
            (artists if c["field"] == "artist" else titles).append(v["value"] or "")
    performers += [p.get("character") or "" for p in a.performers]
    performers += [p.get("actor") or "" for p in a.performers]
    return CueText(
        key=a.cue_id,
        title=" / ".join(titles),
        artist=" / ".join(artists),
        performers=" ".join(performers),
        scene=a.scene or "",
        episode=a.episode_title,
    )


# --- pages for the web viewer ------------------------------------------------------------


def episode_cues(conn: sqlite3.Connection, episode: EpisodeRef) -> list[Answer]:
    """An episode's whole cue sheet in cue order; empty (not an error) when none is known yet."""
    cue_ids = [
        r[0] for r in conn.execute("SELECT id FROM cues WHERE episode_id = ? ORDER BY number", [episode.id])
    ]
    return answers(conn, cue_ids)


def show_sources(conn: sqlite3.Connection, show: ShowRef) -> dict[str, dict[str, str | None]]:
    """Where a show's facts come from, by source key, so a page can name and link them."""
    return {
        key: {"title": title, "url": url, "date": date}
        for key, title, url, date in conn.execute(
            "SELECT key, title, url, date FROM sources WHERE show_id = ? OR show_id IS NULL ORDER BY key",
            [show.id],
        )
    }


def song_slug(title: str | None, artist: str | None) -> tuple[str, str]:
    """A song's address as (artist, title) slugs of folded words, so links survive case,
    accents and punctuation ("Both Sides, Now" -> both-sides-now)."""
    return (
        fold(artist or "").replace(" ", "-") or "unknown-artist",
        fold(title or "").replace(" ", "-") or "untitled",
    )


@dataclass
class SongResult:
    """A song and every cue it plays in, across shows, in broadcast order."""

    title: str
    artist: str | None
    slug: tuple[str, str]
    answers: list[Answer]
    # The same title by other artists (covers, the original): (artist, slug) pairs.
    other_versions: list[tuple[str | None, tuple[str, str]]]
    # Listen links gathered from every cue's copy of the song, first one wins.
    links: dict[str, str] = field(default_factory=dict)


def song(conn: sqlite3.Connection, artist_slug: str, title_slug: str) -> SongResult:
    """Every scene a song plays in, the song named as `song_slug` names it.

    A song is its title and artist as viewers know them (the linked recording's,
    else the curator's), not one exact recording: a remaster plays the same song.
    Slugs are compared in Python because they are made by `fold`, which SQL lacks;
    cue songs number in the thousands per show, so one pass is milliseconds.
    """
    rows = conn.execute(
        """SELECT cs.cue_id, coalesce(r.title, cs.title, cs.text), coalesce(r.artist, cs.artist)
             FROM cue_songs cs LEFT JOIN recordings r ON r.id = cs.recording_id
             JOIN cues c ON c.id = cs.cue_id JOIN episodes e ON e.id = c.episode_id
             JOIN shows s ON s.id = e.show_id
            ORDER BY s.name, e.season, e.number, c.number, cs.position"""
    ).fetchall()
    key = (artist_slug.lower(), title_slug.lower())
    cue_ids: list[int] = []
    title: str | None = None
    artist: str | None = None
    others: dict[tuple[str, str], str | None] = {}
    for cue_id, row_title, row_artist in rows:
        slug = song_slug(row_title, row_artist)
        if slug == key:
            title, artist = title or row_title, artist or row_artist
            if cue_id not in cue_ids:
                cue_ids.append(cue_id)
        elif slug[1] == key[1]:
            others.setdefault(slug, row_artist)
    if not cue_ids or title is None:
        raise NotFound(
            f"no song {title_slug.replace('-', ' ')!r} by {artist_slug.replace('-', ' ')!r} in the database",
            remedy="search for it by title, artist or scene words",
        )
    found = answers(conn, cue_ids)
    links: dict[str, str] = {}
    for a in found:
        for s in a.songs:
            if song_slug(s.title or s.text, s.artist) == key:
                for name, url in s.links.items():
                    links.setdefault(name, url)
    return SongResult(
        title=title,
        artist=artist,
        slug=key,
        answers=found,
        other_versions=[(a, s) for s, a in others.items()],
        links=links,
    )


__all__ = [
    "Answer",
    "Credit",
    "EpisodeFacts",
    "EpisodeRef",
    "ShowRef",
    "SongAnswer",
    "SongResult",
    "WhatResult",
    "Work",
    "answers",
    "episode_cues",
    "episode_facts",
    "episodes",
    "find_episode",
    "find_show",
    "search",
    "sheet_answers",
    "show_sources",
    "shows",
    "song",
    "song_slug",
    "what",
    "works_for_recordings",
]
