"""Cues as a viewer sees them: one `Answer` per cue, with its songs, performers, sources
and listen links; and the one JSON emitter the CLI's `--json` and the web's `.json` share.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from cuesheet.errors import NotFound
from cuesheet.model import MatchStatus
from cuesheet.notation import ids
from cuesheet.notation.episodes import episode_code
from cuesheet.notation.normalize import fold
from cuesheet.notation.plural import plural
from cuesheet.viewer.resolve import EpisodeRef, ShowRef


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
    # A few words a curator heard of the song (a lyric fragment, "female voice, 80s synth").
    heard: str | None = None

    @property
    def unidentified(self) -> bool:
        """Nobody knows the song yet: curators noted only what they heard (COMMON: 'unknown')."""
        return self.status == MatchStatus.UNKNOWN or not (self.title or self.text)

    @property
    def name(self) -> str:
        """What a card calls the song: its title, the curator's text, or "an unidentified song"."""
        if self.unidentified and not self.title:
            return "an unidentified song"
        return self.title or self.text


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
    # Question words this cue did not match (each answer says what it could not explain).
    unmatched: list[str] = field(default_factory=list)
    # How sure a ranked answer is, from what matched: None (a good answer), "weak" (one word
    # carries it while others do not fit) or "close spelling only" (no word as written).
    label: str | None = None
    # A contest lip sync's kind (for-your-life, for-the-win, for-the-crown, smackdown).
    lip_sync: str | None = None
    # Who won and who went home: spoilers, filled only when a viewer asks (`with_results`).
    results: dict[str, list[str]] | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("lip_sync", "results"):  # only where they say something: other shows' JSON stays as it was
            if out[name] is None:
                del out[name]
        return out

    @property
    def other_performers(self) -> list[dict[str, Any]]:
        """The cue's performers its songs do not already name: a card says each person once."""
        named = {(p.get("character"), p.get("actor")) for s in self.songs for p in s.performers}
        return [p for p in self.performers if (p.get("character"), p.get("actor")) not in named]


def people(performers: list[dict[str, Any]]) -> str:
    """Performers as every card names them: "Sam (Paul James)", "(inferred)" when no source says so."""
    parts = []
    for p in performers:
        who = p.get("character") or p.get("actor") or "?"
        if p.get("character") and p.get("actor"):
            who = f"{p['character']} ({p['actor']})"
        parts.append(who + (" (inferred)" if p.get("inferred") else ""))
    return ", ".join(parts)


# The order a viewer wants listen links in: a page that plays the song (an accepted track id)
# first, then a search that likely plays it, MusicBrainz (facts, no player) last.
LISTEN_ORDER = ("spotify", "spotify_search", "musicbrainz", "musicbrainz_search")
LISTEN_NAMES = {"spotify": "Listen on Spotify", "spotify_search": "Search Spotify",
                "musicbrainz": "MusicBrainz", "musicbrainz_search": "Search MusicBrainz"}


@dataclass(frozen=True)
class ListenLink:
    """One listen link as a page shows it: `text` is seen, `song` (" for Elastic Heart by Sia")
    follows it, hidden from sight but read by a screen reader."""

    name: str
    url: str
    text: str
    song: str
    search: bool


def listen_links(links: dict[str, str], title: str | None, artist: str | None) -> list[ListenLink]:
    """A song's links best first (`LISTEN_ORDER`), each naming the song ("Elastic Heart by Sia")."""
    song = (title or "this song") + (f" by {artist}" if artist else "")
    rank = {name: i for i, name in enumerate(LISTEN_ORDER)}
    names = sorted(links, key=lambda n: (rank.get(n, len(rank)), n))
    out = []
    for name in names:
        search = name.endswith("_search")
        text = LISTEN_NAMES.get(name, name.replace("_", " ").title())
        out.append(ListenLink(name, links[name], text, (" for " if search else ": ") + song, search))
    return out


def completeness(cues: int, songs: int, complete: bool) -> str:
    """An episode's completeness in one wording, for the CLI, the web and the cue sheet alike:
    "2 songs in 2 cues; every cue known" or "1 song in 1 cue known so far; not marked complete,
    so the episode may have more"."""
    if not cues:
        return "no cues known yet" + ("" if complete else "; not marked complete, so the episode may have some")
    counted = f"{plural(songs, 'song')} in {plural(cues, 'cue')}"
    if complete:
        return f"{counted}; every cue known"
    return f"{counted} known so far; not marked complete, so the episode may have more"


def to_jsonable(items: list[Any]) -> list[Any]:
    return [item.to_json() if hasattr(item, "to_json") else item for item in items]


def emit_json_text(data: Any, *, nl: bool = False) -> str:
    """The one JSON text of a listing: `--json`, `--nl` and the web's `.json` pages print this.

    A list is an array (indented) or, with `nl`, one object per line; anything
    else (an error object) is printed as it is.
    """
    if isinstance(data, list):
        data = to_jsonable(data)
        if nl:
            return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in data)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- answers -------------------------------------------------------------------------


def answers(conn: sqlite3.Connection, cue_ids: list[int]) -> list[Answer]:
    """Full answers for these cues, in the order given."""
    if not cue_ids:
        return []
    marks = ",".join("?" * len(cue_ids))
    cue_rows = conn.execute(
        f"""SELECT c.id, s.name, e.season, e.number, e.title, c.number, c.order_confirmed,
                   c.time_in_ms, c.time_out_ms, c.scene, c.kind, c.usage, c.confidence, c.lip_sync
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
    claimed = accepted_claims(conn, marks, cue_ids)
    for row in conn.execute(
        f"""SELECT cs.cue_id, cs.id, cs.text, cs.title, cs.artist, cs.version, cs.confidence,
                   cs.match_status, cs.heard, r.id, r.title, r.artist, r.version, r.year, r.album,
                   r.duration_ms, r.isrc, r.mbid, r.spotify_id, r.links
              FROM cue_songs cs LEFT JOIN recordings r ON r.id = cs.recording_id
             WHERE cs.cue_id IN ({marks}) ORDER BY cs.cue_id, cs.position""",
        cue_ids,
    ):
        (cue_id, song_id, text, title, artist, version, confidence, status, heard,
         rec_id, r_title, r_artist, r_version, year, album, duration_ms, isrc, mbid, spotify_id,
         links_json) = row
        id_map = {k: v for k, v in (("isrc", isrc), ("mbid", mbid), ("spotify_id", spotify_id)) if v}
        for key, value in claimed.get(song_id, {}).items():
            id_map.setdefault(key, value)  # a linked recording's own id wins over a source's claim
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
                links=_links(r_title or title or text or None, r_artist or artist, id_map, links_json),
                recording_id=rec_id,
                song_id=song_id,
                heard=heard,
            )
        )
    sources, conflicts = _provenance(conn, cue_ids, songs)
    by_id: dict[int, Answer] = {}
    for (cue_id, show, season, number, ep_title, cue_no, confirmed, t_in, t_out, scene, kind,
         usage, confidence, lip_sync) in cue_rows:
        by_id[cue_id] = Answer(
            show=show,
            season=season,
            episode=number,
            code=episode_code(season, number),
            episode_title=ep_title,
            cue=cue_no,
            order_confirmed=bool(confirmed),
            time_in=_time(t_in),
            time_out=_time(t_out),
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
            lip_sync=lip_sync,
        )
    return [by_id[i] for i in cue_ids if i in by_id]


def results_known(conn: sqlite3.Connection, items: list[Answer]) -> bool:
    """Whether any of these cues is a contest lip sync or has results stored: a page offers
    "show who won" only where there is something to show."""
    if any(a.lip_sync for a in items):
        return True
    ids_ = [a.cue_id for a in items]
    marks = ",".join("?" * len(ids_))
    return bool(ids_) and conn.execute(f"SELECT 1 FROM cue_results WHERE cue_id IN ({marks}) LIMIT 1",
                                       ids_).fetchone() is not None


def with_results(conn: sqlite3.Connection, items: list[Answer]) -> list[Answer]:
    """Fill in who won and who went home, for a viewer who asked to see results.

    Results are spoilers: answers never carry them unless asked, and callers pass only
    answers the spoiler guard let through (what and search never return a later episode).
    A cue with results known, or a contest lip sync, gets {"won": [...], "eliminated": [...]}.
    """
    if not items:
        return items
    marks = ",".join("?" * len(items))
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"won": [], "eliminated": []})
    for cue_id, result, contestant in conn.execute(
        f"SELECT cue_id, result, contestant FROM cue_results WHERE cue_id IN ({marks}) ORDER BY cue_id, position",
        [a.cue_id for a in items],
    ):
        found[cue_id][result].append(contestant)
    for a in items:
        if a.cue_id in found or a.lip_sync:
            a.results = found[a.cue_id]
    return items


# The ids key a claimed service fills (`song_id_claims.service`).
_CLAIM_KEYS = {"spotify": "spotify_id", "musicbrainz": "mbid", "isrc": "isrc"}


def accepted_claims(conn: sqlite3.Connection, marks: str, cue_ids: list[int]) -> dict[int, dict[str, str]]:
    """The ids of these cues' songs that a source claimed and the audit or a curator accepted.

    Only an accepted claim counts: a karaoke track or a radio edit a script matched never
    reaches a listen link or a playlist. A database from before claims has none.
    """
    out: dict[int, dict[str, str]] = defaultdict(dict)
    try:
        rows = conn.execute(
            f"""SELECT ic.cue_song_id, ic.service, ic.external_id FROM song_id_claims ic
                  JOIN cue_songs s ON s.id = ic.cue_song_id
                 WHERE s.cue_id IN ({marks}) AND ic.verdict = 'accepted' ORDER BY ic.id""", cue_ids).fetchall()
    except sqlite3.OperationalError:
        return out
    for song_id, service, external_id in rows:
        key = _CLAIM_KEYS.get(service)
        if key:
            out[song_id].setdefault(key, external_id)
    return out


def _time(ms: int | None) -> str | None:
    if ms is None:
        return None
    # Imported here: timecode pulls in fractions and decimal, and most cue sheets have no times yet.
    from cuesheet.notation.timecode import format_time

    return format_time(ms)


def _links(title: str | None, artist: str | None, id_map: dict[str, str], links_json: str | None) -> dict[str, str]:
    """Listen links by the one rule (`ids.listen_links`): a known id's page, else a search page."""
    extra: dict[str, str] = {}
    if links_json:
        try:
            loaded = json.loads(links_json)
        except ValueError:
            loaded = {}
        if isinstance(loaded, dict):
            extra = {str(k): str(v) for k, v in loaded.items() if v}
    return ids.listen_links(title, artist, spotify_id=id_map.get("spotify_id"), mbid=id_map.get("mbid"), extra=extra)


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
    # Scenes in episodes past the viewer's "watched up to": neither shown nor counted, only said.
    later: bool = False


def song(conn: sqlite3.Connection, artist_slug: str, title_slug: str,
         watched: Callable[[str, int, int], bool] | None = None) -> SongResult:
    """Every scene a song plays in, the song named as `song_slug` names it.

    A song is its title and artist as viewers know them (the linked recording's,
    else the curator's), not one exact recording: a remaster plays the same song.
    Slugs are compared in Python because they are made by `fold`, which SQL lacks;
    cue songs number in the thousands per show, so one pass is milliseconds.
    `watched(show, season, number)` keeps the spoiler guard: a cue of an unwatched
    episode is skipped (and so is another artist's version heard only there).
    """
    rows = conn.execute(
        """SELECT cs.cue_id, coalesce(r.title, cs.title, cs.text), coalesce(r.artist, cs.artist),
                  s.name, e.season, e.number
             FROM cue_songs cs LEFT JOIN recordings r ON r.id = cs.recording_id
             JOIN cues c ON c.id = cs.cue_id JOIN episodes e ON e.id = c.episode_id
             JOIN shows s ON s.id = e.show_id
            WHERE coalesce(r.title, cs.title, cs.text, '') != ''  -- an unidentified song has no page
            ORDER BY s.name, e.season, e.number, c.number, cs.position"""
    ).fetchall()
    key = (artist_slug.lower(), title_slug.lower())
    cue_ids: list[int] = []
    title: str | None = None
    artist: str | None = None
    others: dict[tuple[str, str], str | None] = {}
    later = False
    for cue_id, row_title, row_artist, show, season, number in rows:
        slug = song_slug(row_title, row_artist)
        if watched is not None and not watched(show, season, number):
            if slug == key:
                title, artist, later = title or row_title, artist or row_artist, True
            continue
        if slug == key:
            title, artist = title or row_title, artist or row_artist
            if cue_id not in cue_ids:
                cue_ids.append(cue_id)
        elif slug[1] == key[1]:
            others.setdefault(slug, row_artist)
    if title is None:
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
        later=later,
    )


