"""Identifiers people paste: ISRC, MusicBrainz ids, Spotify ids, URIs and URLs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from cuesheet.errors import ParseError

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_MBID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_MB_URL = re.compile(r"musicbrainz\.org/recording/([0-9a-fA-F-]{36})")
_SPOTIFY_REF = re.compile(
    r"^(?:spotify:track:|https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/)?([0-9A-Za-z]{22})(?:\?.*)?$"
)


def normalize_isrc(text: str) -> str:
    """`US-AAA-54-00001`, `isrc usaaa5400001` -> `USAAA5400001` (compact, as MB and Spotify store it)."""
    compact = re.sub(r"[\s-]", "", text.strip().upper())
    if compact.startswith("ISRC"):
        compact = compact[4:].lstrip(":")
    if not _ISRC.match(compact):
        raise ParseError(
            f"{text!r} is not an ISRC", remedy="12 characters: CC XXX YY NNNNN, e.g. USAAA5400001"
        )
    return compact


def normalize_mbid(text: str) -> str:
    """A MusicBrainz recording id, bare or as a musicbrainz.org URL, lower-case."""
    raw = text.strip()
    m = _MB_URL.search(raw)
    if m:
        raw = m.group(1)
    raw = raw.lower()
    if not _MBID.match(raw):
        raise ParseError(f"{text!r} is not a MusicBrainz id", remedy="a UUID like 8-4-4-4-12 hex")
    return raw


def normalize_spotify_id(text: str) -> str:
    """A Spotify track id from an id, `spotify:track:` URI or open.spotify.com URL."""
    m = _SPOTIFY_REF.match(text.strip())
    if not m:
        raise ParseError(
            f"{text!r} is not a Spotify track id",
            remedy="22 letters/digits, a spotify:track: URI or an open.spotify.com/track/ URL",
        )
    return m.group(1)


def spotify_url(spotify_id: str) -> str:
    return f"https://open.spotify.com/track/{spotify_id}"


def spotify_uri(spotify_id: str) -> str:
    return f"spotify:track:{spotify_id}"


def musicbrainz_url(mbid: str, entity: str = "recording") -> str:
    return f"https://musicbrainz.org/{entity}/{mbid}"


def search_url(service: str, title: str, artist: str | None = None) -> str:
    """A search page on `service` ("spotify" or "musicbrainz") for a song no id is known for."""
    words = " ".join(x for x in (title, artist) if x)
    if service == "spotify":
        return "https://open.spotify.com/search/" + quote(words, safe="")
    if service == "musicbrainz":
        return "https://musicbrainz.org/search?type=recording&query=" + quote(words, safe="")
    raise ValueError(f"no search page for {service!r}")


def listen_links(
    title: str | None,
    artist: str | None = None,
    *,
    spotify_id: str | None = None,
    mbid: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Where to listen, the one rule every answer, card and playlist format shares.

    A known id gives the service's own page (`spotify`, `musicbrainz`); a service
    with no known id gives its search page instead (`spotify_search`,
    `musicbrainz_search`), so a reader can always tell a verified link from a
    search. `extra` (a recording's other links) is kept as it is. No title, no
    search links: there is nothing to search for.
    """
    links: dict[str, str] = {}
    if spotify_id:
        links["spotify"] = spotify_url(spotify_id)
    elif title:
        links["spotify_search"] = search_url("spotify", title, artist)
    if mbid:
        links["musicbrainz"] = musicbrainz_url(mbid)
    elif title:
        links["musicbrainz_search"] = search_url("musicbrainz", title, artist)
    for name, url in (extra or {}).items():
        if url and name not in links:
            links[str(name)] = str(url)
    return links
