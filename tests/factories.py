"""Payloads in MusicBrainz's and Spotify's wire formats, built from small song records.

Ids are deterministic (the n-th song always has the same MBID, Spotify id and
ISRC), so tests and the loopback fake services (`scripts/fake_services.py`)
can name them. The shapes follow `../shared/reference/formats.md`, checked
against musicbrainzngs' parser and spotipy's client.

`MusicBrainzFake` and `SpotifyFake` answer requests the way the services do,
searching their songs with a crude word overlap: enough for trying cuesheet by
hand and for the benchmark, never a claim about the services' ranking.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr

MB_NS = "http://musicbrainz.org/ns/mmd-2.0#"
EXT_NS = "http://musicbrainz.org/ns/ext#-2.0"
ROOT = Path(__file__).resolve().parent.parent
SEASON_CATALOG = ROOT / "data" / "catalog" / "soundtrack-s1.csv"
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# --- deterministic ids -------------------------------------------------------------------

def mbid(n: int, kind: str = "recording") -> str:
    """A made-up MBID; the kind picks a distinct block so ids never collide across entities."""
    block = {"recording": 0, "artist": 0xA, "release": 0xB, "group": 0xC, "work": 0xD, "label": 0xE}[kind]
    return f"00000000-0000-4000-8000-{block:01x}{n:011x}"


def spotify_id(n: int, kind: str = "track") -> str:
    prefix = {"track": "0CueTrk", "artist": "0CueArt", "album": "0CueAlb"}[kind]
    digits = ""
    m = n
    for _ in range(22 - len(prefix)):
        digits = _B62[m % 62] + digits
        m //= 62
    return prefix + digits


def isrc(n: int) -> str:
    return f"QZCUE{n:07d}"


# --- songs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FakeWork:
    title: str
    composers: tuple[str, ...] = ()
    lyricists: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    iswc: str | None = None


@dataclass(frozen=True)
class Song:
    n: int
    title: str
    artists: tuple[str, ...]
    joinphrase: str = " feat. "
    album: str | None = None
    date: str | None = None  # release date, "2014" or "2014-07-04"
    duration_ms: int | None = None
    has_isrc: bool = True
    disambiguation: str | None = None
    works: tuple[FakeWork, ...] = field(default_factory=tuple)

    @property
    def mbid(self) -> str:
        return mbid(self.n)

    @property
    def spotify_id(self) -> str:
        return spotify_id(self.n)

    @property
    def isrc(self) -> str | None:
        return isrc(self.n) if self.has_isrc else None

    @property
    def artist(self) -> str:
        return self.joinphrase.join(self.artists)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


def song(n: int, title: str, artist: str | tuple[str, ...], **kwargs: Any) -> Song:
    artists = (artist,) if isinstance(artist, str) else tuple(artist)
    return Song(n=n, title=title, artists=artists, **kwargs)


def _seconds(text: str) -> int | None:
    if not text:
        return None
    if ":" in text:
        m, s = text.split(":")
        return (int(m) * 60 + int(s)) * 1000
    return int(float(text) * 1000)


def season_songs() -> list[Song]:
    """The shipped season's recordings (data/catalog) as fake service songs, with made-up writers."""
    songs = []
    with SEASON_CATALOG.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            artist = row["artist"]
            artists = tuple(a.strip() for a in re.split(r"\s+feat\.\s+", artist))
            work = FakeWork(title=row["title"], composers=(f"Composer {n}",), lyricists=(f"Lyricist {n}",),
                            publishers=(f"Publisher {n} Music",), iswc=f"T-{n:03d}.000.000-{n % 10}")
            songs.append(Song(
                n=n, title=row["title"], artists=artists, album=row["album"] or None,
                date=row["year"] or None, duration_ms=_seconds(row["duration"]) or 200_000 + n * 1000,
                works=(work,),
            ))
    return songs


# --- MusicBrainz XML ----------------------------------------------------------------------

def _artist_credit(s: Song) -> str:
    parts = []
    for i, name in enumerate(s.artists):
        join = f" joinphrase={quoteattr(s.joinphrase)}" if i < len(s.artists) - 1 else ""
        parts.append(
            f"<name-credit{join}><artist id=\"{mbid(s.n * 10 + i, 'artist')}\">"
            f"<name>{escape(name)}</name><sort-name>{escape(name)}</sort-name></artist></name-credit>"
        )
    return "<artist-credit>" + "".join(parts) + "</artist-credit>"


def mb_recording(s: Song, score: int | None = 100, *, works: bool = False) -> str:
    """One <recording> element as search results and lookups carry it."""
    score_attr = f' ext:score="{score}"' if score is not None else ""
    out = [f'<recording id="{s.mbid}"{score_attr}><title>{escape(s.title)}</title>']
    if s.duration_ms:
        out.append(f"<length>{s.duration_ms}</length>")
    if s.disambiguation:
        out.append(f"<disambiguation>{escape(s.disambiguation)}</disambiguation>")
    out.append(_artist_credit(s))
    if s.album or s.date:
        date = f"<date>{s.date}</date>" if s.date else ""
        out.append(
            f'<release-list count="1"><release id="{mbid(s.n, "release")}">'
            f"<title>{escape(s.album or s.title)}</title><status>Official</status>{date}<country>XW</country>"
            f'<release-group id="{mbid(s.n, "group")}" type="Album"><primary-type>Album</primary-type>'
            "</release-group></release></release-list>"
        )
    if s.isrc:
        out.append(f'<isrc-list count="1"><isrc id="{s.isrc}"/></isrc-list>')
    if works and s.works:
        rels = "".join(
            f'<relation type="performance" type-id="a3005666-a872-32c3-ad06-98af558e99b0">'
            f'<target>{mbid(s.n * 10 + i, "work")}</target><direction>forward</direction>'
            f'<work id="{mbid(s.n * 10 + i, "work")}"><title>{escape(w.title)}</title></work></relation>'
            for i, w in enumerate(s.works)
        )
        out.append(f'<relation-list target-type="work">{rels}</relation-list>')
    out.append("</recording>")
    return "".join(out)


def mb_document(inner: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<metadata xmlns="{MB_NS}" xmlns:ext="{EXT_NS}">{inner}</metadata>')


def mb_search(songs: list[Song], scores: list[int] | None = None, *, count: int | None = None) -> str:
    scores = scores or [max(100 - 7 * i, 1) for i in range(len(songs))]
    recs = "".join(mb_recording(s, sc) for s, sc in zip(songs, scores))
    total = len(songs) if count is None else count
    return mb_document(f'<recording-list count="{total}" offset="0">{recs}</recording-list>')


def mb_lookup(s: Song) -> str:
    return mb_document(mb_recording(s, None, works=True))


def mb_work(s: Song, index: int = 0) -> str:
    w = s.works[index]
    work_id = mbid(s.n * 10 + index, "work")
    iswc = f"<iswc-list><iswc>{w.iswc}</iswc></iswc-list>" if w.iswc else ""
    rels = []
    for role, offset, names in (("composer", 0, w.composers), ("lyricist", 50, w.lyricists)):
        for j, name in enumerate(names):
            artist_id = mbid(s.n * 100 + offset + j, "artist")
            rels.append(
                f'<relation type="{role}"><target>{artist_id}</target>'
                f'<direction>backward</direction><artist id="{artist_id}">'
                f"<name>{escape(name)}</name><sort-name>{escape(name)}</sort-name></artist></relation>"
            )
    labels = "".join(
        f'<relation type="publishing"><target>{mbid(s.n * 10 + j, "label")}</target>'
        f'<direction>backward</direction><label id="{mbid(s.n * 10 + j, "label")}">'
        f"<name>{escape(name)}</name></label></relation>"
        for j, name in enumerate(w.publishers)
    )
    artist_rels = f'<relation-list target-type="artist">{"".join(rels)}</relation-list>' if rels else ""
    label_rels = f'<relation-list target-type="label">{labels}</relation-list>' if labels else ""
    return mb_document(f'<work id="{work_id}" type="Song"><title>{escape(w.title)}</title>{iswc}'
                       f"{artist_rels}{label_rels}</work>")


def mb_error(message: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><error><text>{escape(message)}</text></error>'


# --- Spotify JSON -------------------------------------------------------------------------

def spotify_track(s: Song) -> dict[str, Any]:
    date = s.date or "2000"
    precision = {4: "year", 7: "month", 10: "day"}.get(len(date), "year")
    track: dict[str, Any] = {
        "id": s.spotify_id,
        "name": s.title,
        "uri": f"spotify:track:{s.spotify_id}",
        "href": f"https://api.spotify.com/v1/tracks/{s.spotify_id}",
        "type": "track",
        "artists": [
            {"id": spotify_id(s.n * 10 + i, "artist"), "name": a,
             "uri": f"spotify:artist:{spotify_id(s.n * 10 + i, 'artist')}"}
            for i, a in enumerate(s.artists)
        ],
        "album": {"id": spotify_id(s.n, "album"), "name": s.album or s.title, "release_date": date,
                  "release_date_precision": precision, "album_type": "album", "total_tracks": 12},
        "duration_ms": s.duration_ms or 180_000,
        "explicit": False,
        "preview_url": None,
        "is_local": False,
        "track_number": 1,
        "disc_number": 1,
        "external_ids": {"isrc": s.isrc} if s.isrc else {},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{s.spotify_id}"},
    }
    return track


def spotify_search(songs: list[Song], *, q: str = "", limit: int = 10, total: int | None = None) -> dict[str, Any]:
    return {"tracks": {
        "href": f"https://api.spotify.com/v1/search?query={q}&type=track&offset=0&limit={limit}",
        "items": [spotify_track(s) for s in songs[:limit]],
        "limit": limit, "next": None, "offset": 0, "previous": None,
        "total": len(songs) if total is None else total,
    }}


def spotify_token(access_token: str = "test-access-token-0001", expires_in: int = 3600) -> dict[str, Any]:
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}


def spotify_error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


# --- searching like the services, crudely -------------------------------------------------

def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower().replace("'", "")) if w not in {"the", "a"}}


def _score(s: Song, title_words: set[str], artist_words: set[str]) -> float:
    have_title, have_artist = _words(s.title), _words(s.artist)
    score = 0.0
    if title_words:
        score += 2 * len(title_words & (have_title | have_artist)) / max(len(title_words), 1)
        score -= 0.5 * len(have_title - title_words) / max(len(have_title), 1)
    if artist_words:
        score += len(artist_words & have_artist) / max(len(artist_words), 1)
    return score


def rank(songs: list[Song], title: str, artist: str = "", limit: int = 10) -> list[Song]:
    tw, aw = _words(title), _words(artist)
    scored = [(s, _score(s, tw, aw)) for s in songs]
    scored = [(s, sc) for s, sc in scored if sc > 0.3]
    scored.sort(key=lambda x: -x[1])
    return [s for s, _ in scored[:limit]]


Reply = tuple[int, dict[str, str], bytes]


def _xml(text: str, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/xml; charset=utf-8"}, text.encode("utf-8")


def _json(data: Any, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode("utf-8")


_LUCENE_UNESCAPE = re.compile(r"\\(.)")


class MusicBrainzFake:
    """Answers /ws/2 recording search, recording and work lookups over a list of songs."""

    def __init__(self, songs: list[Song]) -> None:
        self.songs = songs
        self.by_mbid = {s.mbid: s for s in songs}
        self.works = {mbid(s.n * 10 + i, "work"): (s, i) for s in songs for i in range(len(s.works))}
        self.requests: list[str] = []

    def __call__(self, method: str, path: str, query: str, headers: dict[str, str]) -> Reply:
        self.requests.append(f"{method} {path}?{query}")
        if not headers.get("User-Agent", "").startswith("cuesheet/"):
            return _xml(mb_error("set a proper User-Agent"), 403)
        args = {k: v[0] for k, v in parse_qs(query).items()}
        if path == "/ws/2/recording/" and "query" in args:
            return _xml(self.search(args["query"], int(args.get("limit", 25))))
        m = re.fullmatch(r"/ws/2/recording/([0-9a-f-]{36})", path)
        if m:
            s = self.by_mbid.get(m.group(1))
            return _xml(mb_lookup(s)) if s else _xml(mb_error("Not Found"), 404)
        m = re.fullmatch(r"/ws/2/work/([0-9a-f-]{36})", path)
        if m and m.group(1) in self.works:
            s, i = self.works[m.group(1)]
            return _xml(mb_work(s, i))
        return _xml(mb_error("Not Found"), 404)

    def search(self, lucene: str, limit: int) -> str:
        fields = {k: _LUCENE_UNESCAPE.sub(r"\1", v) for k, v in re.findall(r"(\w+):\(((?:\\.|[^)])*)\)", lucene)}
        m = re.search(r"isrc:([A-Za-z0-9]+)", lucene)
        if m:
            hits = [s for s in self.songs if s.isrc and s.isrc == m.group(1).upper()]
        else:
            hits = rank(self.songs, fields.get("recording", ""), fields.get("artist", ""), limit)
        return mb_search(hits)


class SpotifyFake:
    """Answers the client-credentials token request, /v1/search and /v1/tracks/{id}."""

    def __init__(self, songs: list[Song], client_id: str, client_secret: str,
                 access_token: str = "fake-access-token-0001") -> None:
        import base64

        self.songs = songs
        self.by_id = {s.spotify_id: s for s in songs}
        self.basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.access_token = access_token
        self.requests: list[str] = []

    def __call__(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        self.requests.append(f"{method} {path}?{query}")
        if path.endswith("/api/token"):
            if headers.get("Authorization") != self.basic:
                return _json({"error": "invalid_client", "error_description": "Invalid client"}, 400)
            return _json(spotify_token(self.access_token))
        if headers.get("Authorization") != f"Bearer {self.access_token}":
            return _json(spotify_error(401, "Invalid access token"), 401)
        args = {k: v[0] for k, v in parse_qs(query).items()}
        if path.endswith("/search"):
            q = args.get("q", "")
            limit = int(args.get("limit", 10))
            if limit > 10:
                return _json(spotify_error(400, "Invalid limit"), 400)
            m = re.search(r"isrc:([A-Za-z0-9]+)", q)
            if m:
                hits = [s for s in self.songs if s.isrc == m.group(1).upper()]
            else:
                track = re.search(r'track:"([^"]*)"', q)
                artist = re.search(r'artist:"([^"]*)"', q)
                if track or artist:
                    hits = rank(self.songs, track.group(1) if track else "", artist.group(1) if artist else "", limit)
                else:
                    hits = rank(self.songs, q, "", limit)
            return _json(spotify_search(hits, q=q, limit=limit))
        m = re.search(r"/tracks/([0-9A-Za-z]{22})$", path)
        if m:
            s = self.by_id.get(m.group(1))
            return _json(spotify_track(s)) if s else _json(spotify_error(404, "Non existing id"), 404)
        return _json(spotify_error(404, "Service not found"), 404)
