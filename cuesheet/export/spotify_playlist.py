"""A Spotify playlist of a show's songs, through spotipy and the user's own authorisation.

How Spotify lets an open-source tool in (spotify-2026-rules.md): the app stays
in development mode, so each user registers their own client id; PKCE needs no
client secret; the redirect must be a loopback address with a port
(`http://127.0.0.1:8765/callback`, never `localhost`). Playlists are created
with `POST /me/playlists` and filled through `/playlists/{id}/items`, at most
100 URIs a request.

Running the export twice must not make two playlists: the user's playlist of
the same name is found and its items replaced. The token is cached in the
user cache directory as `spotify-token.json` (access and refresh token),
mode 0600 in a 0700 folder: readable by its owner only, never in the
database, the response cache, logs or messages.

Songs without a Spotify id are looked up by ISRC, then by title and artist
(search limit ≤ 10 for development-mode apps). It stays apart from
`sources/spotify.py`: it runs on the user's token, not the app's, and places a
track only on an exact ISRC or title-and-lead-artist hit, where the matcher scores.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import tempfile
import time
import webbrowser
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from rapidfuzz import fuzz

from cuesheet.config import Config, cache_dir
from cuesheet.errors import CuesheetError, SourceError
from cuesheet.export.rows import ExportRow, Playlist
from cuesheet.notation.normalize import fold, split_artists, split_version

# Reading the items of one's own private playlist needs playlist-read-private:
# an update reports which songs were already there (`already_there`).
SCOPES = ("playlist-read-private", "playlist-modify-private", "playlist-modify-public")
BATCH = 100  # Spotify takes at most 100 URIs per items request
SEARCH_LIMIT = 5  # development-mode apps get 400 above 10
# A song found by search must be this close (rapidfuzz 0..100, after folding
# case, accents and version words) to count as the same song: search returns
# covers and karaoke versions first often enough that "first hit" is wrong.
TITLE_SIMILARITY = 90
ARTIST_SIMILARITY = 85
# Spotify's Retry-After can be hours (quota); wait for short ones, report long ones.
MAX_WAIT_S = 30.0
AUTH_WAIT_S = 300.0

T = TypeVar("T")


class TokenRefused(SourceError):
    """Spotify answered 401: the cached token is no good and must be dropped."""


# --- the token ---------------------------------------------------------------------------


def token_path() -> Path:
    return cache_dir() / "spotify-token.json"


def _private_cache_handler(path: Path) -> Any:
    from spotipy.cache_handler import CacheHandler

    class PrivateTokenFile(CacheHandler):  # type: ignore[misc]
        """spotipy's file cache, but never readable by others, not even for a moment.

        spotipy's own CacheFileHandler writes the file and chmods it afterwards;
        this one creates it 0600 in a 0700 folder and renames it into place.
        """

        def get_cached_token(self) -> dict[str, Any] | None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            return data if isinstance(data, dict) else None

        def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
            save_token(path, token_info)

    return PrivateTokenFile()


def save_token(path: Path, token_info: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".spotify-token.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(token_info, fh)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# --- authorisation -----------------------------------------------------------------------


def auth_manager(config: Config, cache_path: Path | None = None) -> Any:
    """spotipy's PKCE manager pointed at the configured accounts service."""
    from spotipy.oauth2 import SpotifyPKCE

    if not config.spotify_client_id:
        raise CuesheetError(
            "spotify: no client id",
            remedy="register an app at developer.spotify.com with redirect URI "
            f"{config.spotify_redirect_uri}, then set SPOTIPY_CLIENT_ID; no client secret is needed",
        )
    _check_redirect(config.spotify_redirect_uri)
    auth = SpotifyPKCE(
        client_id=config.spotify_client_id,
        redirect_uri=config.spotify_redirect_uri,
        scope=" ".join(SCOPES),
        cache_handler=_private_cache_handler(cache_path or token_path()),
        requests_timeout=config.timeout,
        open_browser=False,
    )
    # Instance attributes shadow spotipy's class constants: a mirror or test server works.
    auth.OAUTH_AUTHORIZE_URL = config.spotify_authorize_url
    auth.OAUTH_TOKEN_URL = config.spotify_token_url
    return auth


def _check_redirect(uri: str) -> tuple[str, int]:
    parts = urlparse(uri)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not parts.port:
        raise CuesheetError(
            f"spotify: redirect URI {uri!r} must be a loopback address with a port",
            remedy="set SPOTIPY_REDIRECT_URI to one such as http://127.0.0.1:8765/callback, "
            "registered the same in your Spotify app; Spotify refuses localhost",
        )
    return parts.hostname, parts.port


def authorize(
    auth: Any,
    *,
    open_url: Callable[[str], Any] = webbrowser.open,
    notify: Callable[[str], None] = lambda _: None,
    wait_s: float = AUTH_WAIT_S,
) -> None:
    """Make sure a valid token is cached: from the cache, by refresh, or through the browser.

    The browser step runs spotipy's own loopback server on the redirect
    address, but with a deadline and a state check, so a closed tab ends in a
    clear error instead of a command that hangs forever.
    """
    from spotipy.oauth2 import SpotifyOauthError, start_local_http_server

    try:
        if auth.validate_token(auth.cache_handler.get_cached_token()):
            return
    except SpotifyOauthError:
        pass  # a refused refresh token: ask the user again
    _, port = _check_redirect(auth.redirect_uri)
    state = secrets.token_urlsafe(16)
    url = auth.get_authorize_url(state=state)
    try:
        server = start_local_http_server(port)
    except OSError as exc:
        why = f"port {port} is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise CuesheetError(
            f"spotify: cannot wait for the sign-in on {auth.redirect_uri}: {why}",
            remedy="stop what uses that port, or register another redirect URI in your Spotify app "
            "and set SPOTIPY_REDIRECT_URI to it",
        ) from None
    try:
        notify(f"Authorise cuesheet in your browser; if none opens, visit:\n{url}")
        notify(f"Waiting up to {wait_s:.0f} s for Spotify to send you back to {auth.redirect_uri} ...")
        open_url(url)
        deadline = time.monotonic() + wait_s
        code = None
        while code is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CuesheetError(
                    "spotify: no answer from the browser in time; nothing was changed",
                    remedy="run the command again and approve the request in the browser",
                )
            server.timeout = left
            server.handle_request()
            if server.error is not None:
                raise CuesheetError(f"spotify: authorisation refused ({server.error})")
            if server.auth_code is not None:
                if server.state != state:
                    raise CuesheetError("spotify: the authorisation answer did not match this request",
                                        remedy="run the command again")
                code = server.auth_code
    finally:
        server.server_close()
    try:
        auth.get_access_token(code=code, check_cache=False)
    except SpotifyOauthError as exc:
        raise SourceError(f"spotify: the token exchange failed: {exc.error_description or exc}") from None


# --- the client ----------------------------------------------------------------------------


def client(config: Config, auth: Any) -> Any:
    """spotipy.Spotify without its own retries: it would sleep through hours of Retry-After."""
    import requests
    import spotipy

    # spotipy logs every HTTP error itself; with no logging set up, Python would print
    # those lines beside our one-line error. A NullHandler keeps them for those who ask.
    logging.getLogger("spotipy").addHandler(logging.NullHandler())
    sp = spotipy.Spotify(
        auth_manager=auth,
        requests_session=requests.Session(),  # a bare session: no urllib3 retry adapter
        requests_timeout=config.timeout,
        retries=0,
        status_retries=0,
    )
    sp.prefix = config.spotify_api_url.rstrip("/") + "/"
    return sp


def call(
    fn: Callable[..., T],
    *args: Any,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> T:
    """One Spotify request with the waits we allow: short Retry-Afters and a few 5xx."""
    import requests
    from spotipy.exceptions import SpotifyException
    from spotipy.oauth2 import SpotifyOauthError

    attempt = 0
    while True:
        try:
            return fn(*args, **kwargs)
        except SpotifyException as exc:
            status = exc.http_status
            if status == 429:
                wait = _retry_after(exc.headers)
                if wait is None or wait > MAX_WAIT_S or attempt >= retries:
                    asked = f" (it asks to wait {_human(wait)})" if wait else ""
                    raise SourceError(
                        f"spotify: rate limit reached{asked}; nothing more was sent",
                        remedy="run the same command later; it updates the playlist in place",
                    ) from None
                sleep(wait)
            elif status in (500, 502, 503, 504) and attempt < retries:
                sleep(min(2.0**attempt, MAX_WAIT_S))
            elif status == 401:
                raise TokenRefused(_explain(status, exc.msg)) from None
            else:
                raise SourceError(_explain(status, exc.msg)) from None
        except SpotifyOauthError as exc:
            raise SourceError(
                f"spotify: authorisation failed ({exc.error_description or exc.error or exc})",
                remedy=f"delete {token_path()} and run again to sign in anew",
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            if attempt >= retries:
                url = getattr(exc.request, "url", None)
                host = url.split("?")[0] if url else "the Web API"
                raise SourceError(f"spotify: cannot reach {host} ({type(exc).__name__})",
                                  remedy="check the network, or CUESHEET_SPOTIFY_API_URL") from None
            sleep(min(2.0**attempt, MAX_WAIT_S))
        attempt += 1


def _retry_after(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After")) if headers else None
    except (TypeError, ValueError):
        return None


def _human(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _explain(status: int, msg: str) -> str:
    reason = msg.split("\n")[-1].strip() if msg else ""
    hints = {
        401: "the sign-in was refused; it is forgotten, run again to sign in anew",
        403: "refused: the app may lack a scope, or your account is not among the app's users "
        "(development mode allows 5; add it in the Spotify dashboard)",
        404: "not found",
    }
    return f"spotify: HTTP {status}: {hints.get(status, reason or 'request failed')}" + (
        f" ({reason})" if reason and status in hints else ""
    )


# --- placing songs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Unplaced:
    row: ExportRow
    reason: str

    def __str__(self) -> str:
        return f"{self.row.cue_label} {self.row.display}: {self.reason}"


@dataclass(frozen=True)
class SpotifyReport:
    name: str
    playlist_id: str
    url: str | None
    created: bool
    tracks: int
    found_by_search: int
    unplaced: list[Unplaced] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    added: int = 0  # placed tracks the playlist did not hold before
    already_there: int = 0  # placed tracks it held already (an update)

    @property
    def by_id(self) -> int:
        """Tracks added by their known id (a linked recording's or an accepted claim's), without a search."""
        return self.tracks - self.found_by_search

    def to_json(self) -> dict[str, Any]:
        """`export spotify --json`: a contract for scripts."""
        return {
            "url": self.url,
            "id": self.playlist_id,
            "name": self.name,
            "created": self.created,
            "tracks": self.tracks,
            "added": self.added,
            "already_there": self.already_there,
            "found_by_search": self.found_by_search,
            "by_id": self.by_id,
            "not_found": [
                {"episode": u.row.code, "cue": u.row.cue, "part": u.row.part, "title": u.row.title,
                 "artist": u.row.artist, "reason": u.reason}
                for u in self.unplaced
            ],
            "left_out": self.left_out,
        }


def _same(a: str, b: str) -> float:
    return fuzz.ratio(fold(split_version(a)[0]), fold(split_version(b)[0]))


def _fits(row: ExportRow, item: dict[str, Any]) -> bool:
    if not row.artist:
        return False
    if _same(row.title, item.get("name") or "") < TITLE_SIMILARITY:
        return False
    credit = split_artists(row.artist)
    # Spotify lists each artist apart, so any of ours matching any of theirs will do.
    ours = [*credit.main, *credit.featured] or [row.artist]
    theirs = [a.get("name") or "" for a in item.get("artists") or []]
    return any(
        fuzz.token_set_ratio(fold(x), fold(y)) >= ARTIST_SIMILARITY for x in ours for y in theirs
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', " ").strip() + '"'


def find_track(sp: Any, row: ExportRow, *, market: str | None, retries: int,
               sleep: Callable[[float], None]) -> tuple[str | None, str]:
    """A Spotify track id for a row without one: by ISRC, then by title and artist."""
    if not row.matched and not row.artist:
        return None, "not identified yet (run `cuesheet match`)"
    queries = []
    if row.isrc:
        queries.append(("isrc", f"isrc:{row.isrc}"))
    if row.artist:
        # Spotify's artist: filter matches one artist's name, never a whole credit:
        # "Towkio feat. SZA" finds nothing, "Towkio" finds the song (_fits checks the rest).
        credit = split_artists(row.artist).main
        artist = credit[0] if credit else row.artist
        queries.append(("text", f"track:{_quoted(row.title)} artist:{_quoted(artist)}"))
    for kind, q in queries:
        result = call(sp.search, q=q, type="track", limit=SEARCH_LIMIT, market=market,
                      retries=retries, sleep=sleep)
        items = ((result or {}).get("tracks") or {}).get("items") or []
        for item in items:
            if not item or not item.get("id"):
                continue
            if kind == "isrc" and (item.get("external_ids") or {}).get("isrc", "").upper() == row.isrc:
                return item["id"], "isrc"
            if kind == "text" and _fits(row, item):
                return item["id"], "search"
    return None, "not found on Spotify"


# --- the playlist --------------------------------------------------------------------------


def _pages(sp: Any, first: dict[str, Any] | None, retries: int, sleep: Callable[[float], None]) -> Iterator[dict[str, Any]]:
    page = first
    while page:
        yield from (i for i in page.get("items") or [] if i)
        page = call(sp.next, page, retries=retries, sleep=sleep) if page.get("next") else None


def find_playlist(sp: Any, user_id: str, name: str, *, retries: int = 3,
                  sleep: Callable[[float], None] = time.sleep) -> dict[str, Any] | None:
    """The user's own playlist with exactly this name (one they follow but do not own is not theirs to change)."""
    first = call(sp.current_user_playlists, limit=50, retries=retries, sleep=sleep)
    for item in _pages(sp, first, retries, sleep):
        if item.get("name") == name and (item.get("owner") or {}).get("id") == user_id:
            return item
    return None


def upload(
    sp: Any,
    playlist: Playlist,
    *,
    name: str | None = None,
    public: bool = False,
    search: bool = True,
    market: str | None = None,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> SpotifyReport:
    """Create or update the playlist NAME with the playlist's songs, in order."""
    name = name or playlist.title
    uris: list[str] = []
    unplaced: list[Unplaced] = []
    found = 0
    for row in playlist.rows:
        track_id = row.spotify_id
        if track_id is None:
            if not search:
                unplaced.append(Unplaced(row, "no Spotify id (search is off)"))
                continue
            track_id, how = find_track(sp, row, market=market, retries=retries, sleep=sleep)
            if track_id is None:
                unplaced.append(Unplaced(row, how))
                continue
            found += 1
        uris.append(f"spotify:track:{track_id}")
    if not uris:
        # Checked before anything is created: an empty playlist helps nobody.
        reasons = sorted({u.reason for u in unplaced})
        raise CuesheetError(
            f"{playlist.title}: none of the {len(unplaced)} songs could be placed on Spotify "
            f"({'; '.join(reasons)}); no playlist was created or changed",
            remedy="drop --no-search" if not search else "link songs to Spotify tracks first",
        )
    me = call(sp.me, retries=retries, sleep=sleep)
    user_id = me["id"]
    existing = find_playlist(sp, user_id, name, retries=retries, sleep=sleep)
    description = f"{playlist.title}: songs in episode and cue order, from cuesheet."
    if existing is None:
        created = call(sp.current_user_playlist_create, name, public=public,
                       description=description, retries=retries, sleep=sleep)
        playlist_id = created["id"]
        url = (created.get("external_urls") or {}).get("spotify")
        batches = list(_chunks(uris))
        first_replaces = False
        before: list[str] = []
    else:
        playlist_id = existing["id"]
        url = (existing.get("external_urls") or {}).get("spotify")
        if bool(existing.get("public")) != public:
            call(sp.playlist_change_details, playlist_id, public=public, retries=retries, sleep=sleep)
        before = playlist_uris(sp, playlist_id, retries=retries, sleep=sleep)
        batches = list(_chunks(uris))
        first_replaces = True
    for i, batch in enumerate(batches):
        if i == 0 and first_replaces:
            call(sp.playlist_replace_items, playlist_id, batch, retries=retries, sleep=sleep)
        else:
            call(sp.playlist_add_items, playlist_id, batch, retries=retries, sleep=sleep)
    held = Counter(before)
    already = 0
    for uri in uris:
        if held[uri] > 0:
            held[uri] -= 1
            already += 1
    return SpotifyReport(name, playlist_id, url or playlist_url(playlist_id), existing is None,
                         len(uris), found, unplaced, dict(playlist.left_out),
                         added=len(uris) - already, already_there=already)


def playlist_url(playlist_id: str) -> str:
    return f"https://open.spotify.com/playlist/{playlist_id}"


def playlist_uris(sp: Any, playlist_id: str, *, retries: int = 3,
                  sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """The track URIs a playlist holds now (entries say `item` since 2026, `track` before)."""
    first = call(sp.playlist_items, playlist_id, limit=100, retries=retries, sleep=sleep)
    uris = []
    for entry in _pages(sp, first, retries, sleep):
        thing = entry.get("item") or entry.get("track") or {}
        if thing.get("uri"):
            uris.append(thing["uri"])
    return uris


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


def export(
    config: Config,
    playlist: Playlist,
    *,
    name: str | None = None,
    public: bool = False,
    search: bool = True,
    open_url: Callable[[str], Any] = webbrowser.open,
    notify: Callable[[str], None] = lambda _: None,
    token_file: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SpotifyReport:
    """Sign in if needed, then create or update the Spotify playlist."""
    if not playlist.rows:
        raise CuesheetError(f"{playlist.title}: {playlist.empty_reason()}; no songs to put in a playlist")
    token_file = token_file or token_path()
    auth = auth_manager(config, token_file)
    authorize(auth, open_url=open_url, notify=notify)
    sp = client(config, auth)
    try:
        return upload(sp, playlist, name=name, public=public, search=search,
                      market=config.spotify_market, retries=config.retries, sleep=sleep)
    except TokenRefused:
        # spotipy would keep offering the refused token until it expires.
        token_file.unlink(missing_ok=True)
        raise


def export_show(
    conn: Any,
    config: Config,
    show: str,
    episode: str | None = None,
    *,
    season: int | None = None,
    originals: bool = True,
    matched_only: bool = False,
    **options: Any,
) -> SpotifyReport:
    """`cuesheet export spotify`: the same songs as `export playlist`, as a Spotify playlist."""
    from cuesheet.export.rows import select

    playlist = select(conn, show, episode, season=season, originals=originals, matched_only=matched_only)
    return export(config, playlist, **options)
