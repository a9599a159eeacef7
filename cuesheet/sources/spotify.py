"""Spotify through spotipy: client-credentials search (`track:` `artist:` `isrc:`) and track lookup.

spotipy is used as it is meant to be: `SpotifyClientCredentials` for the token
(its token URL overridden on a subclass, as spotipy reads it from the class),
`Spotify(auth_manager=…)` for the API with its `prefix` pointed at the
configured API URL. Two things are cuesheet's own:

- the requests session: urllib3's `Retry` retries 429/5xx with backoff and
  obeys Retry-After, but a Retry-After above `max_wait` is not sat out (Spotify
  has answered with hours, which looks like a hang): the 429 comes back at once
  and the user is told how long the service asked for;
- the token is kept in memory only (spotipy's default would write it to a
  `.cache` file in the current directory), and spotipy's log lines, which
  carry the Authorization headers at DEBUG, are scrubbed.
"""

from __future__ import annotations

import re
from typing import Any

import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOauthError
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from cuesheet.config import Config
from cuesheet.notation import ids
from cuesheet.sources import Candidate, SongQuery, SourceSkipped
from cuesheet.sources.cache import Cache
from cuesheet.sources.online import (
    OnlineSource,
    Transient,
    Unreachable,
    parse_endpoint,
    quiet_client_logs,
    remember_secret,
    retry_after_seconds,
)

NAME = "spotify"
# Development-mode apps (where an open-source tool stays) get `400 Invalid limit` above 10.
MAX_LIMIT = 10
RETRY_STATUSES = (429, 500, 502, 503, 504)
NO_CREDENTIALS = "no credentials (set SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET)"


class CappedRetry(Retry):
    """urllib3's Retry, except that a Retry-After longer than `max_wait` ends the retrying at once."""

    def __init__(self, *args: Any, max_wait: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait

    def new(self, **kw: Any) -> CappedRetry:
        retry = super().new(**kw)
        retry.max_wait = self.max_wait
        return retry

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> Retry:
        if response is not None:
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None and asked > self.max_wait:
                # With raise_on_status=False urllib3 hands this response back unretried.
                raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After {asked:g} s"))
        return super().increment(method, url, response=response, error=error, _pool=_pool,
                                 _stacktrace=_stacktrace)


def make_session(config: Config) -> requests.Session:
    """A requests session whose retries follow the configuration (shared by token and API calls)."""
    retry = CappedRetry(
        total=config.retries,
        connect=0,  # refused or unroutable: say so at once, the source is skipped
        read=False,  # a read timeout comes back to cuesheet, which retries it itself
        other=0,
        status=config.retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),
        backoff_factor=config.backoff,
        backoff_max=max(config.max_wait, config.backoff),
        respect_retry_after_header=True,
        raise_on_status=False,
        max_wait=config.max_wait,
    )
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc credentials picked up from the environment
    adapter = requests.adapters.HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def credentials_class(token_url: str) -> type[SpotifyClientCredentials]:
    """SpotifyClientCredentials posting to `token_url` (spotipy reads the URL from the class)."""
    return type("CuesheetClientCredentials", (SpotifyClientCredentials,), {"OAUTH_TOKEN_URL": token_url})


def _field(value: str) -> str:
    """A value for a `field:"…"` filter: Spotify has no escape, so quotes become spaces."""
    return " ".join(value.replace('"', " ").split())


def build_query(query: SongQuery) -> str:
    """Spotify's `q` for one reading: field filters when the parts are known, else plain words."""
    if query.isrc:
        return f"isrc:{_field(query.isrc).upper()}"
    title = _field(query.title)
    if not title:
        return ""
    if not query.artist:
        # A title that may still contain the artist ("elastic heart sia"): free words match both.
        return title.lower()
    q = f'track:"{title}" artist:"{_field(query.artist)}"'
    if query.album:
        q += f' album:"{_field(query.album)}"'
    return q.lower()


def _year(date: str | None) -> int | None:
    m = re.match(r"^(\d{4})", date or "")
    return int(m.group(1)) if m else None


def track_to_candidate(track: dict[str, Any]) -> Candidate:
    """One Spotify track object as a Candidate."""
    spotify_id = track["id"]
    album = track.get("album") or {}
    artists = [a.get("name") for a in track.get("artists") or [] if a.get("name")]
    candidate_ids = {"spotify_id": spotify_id}
    isrc = (track.get("external_ids") or {}).get("isrc")
    if isrc:
        candidate_ids["isrc"] = str(isrc).upper()
    link = (track.get("external_urls") or {}).get("spotify") or ids.spotify_url(spotify_id)
    return Candidate(
        title=track.get("name") or "",
        artist=", ".join(artists),
        source=NAME,
        album=album.get("name"),
        year=_year(album.get("release_date")),
        duration_ms=track.get("duration_ms"),
        ids=candidate_ids,
        links={"spotify": link},
        # Spotify gives no relevance score; its order is the relevance.
        source_score=None,
    )


class SpotifySource(OnlineSource):
    """Tracks from the Spotify Web API (or a server at CUESHEET_SPOTIFY_API_URL)."""

    name = NAME

    def __init__(self, config: Config, cache: Cache | None = None, *, offline: str | None = None,
                 refresh: bool = False, **kwargs: Any) -> None:
        if not config.has_spotify_credentials and offline is None:
            offline = NO_CREDENTIALS
        super().__init__(config, cache, offline=offline, refresh=refresh, **kwargs)
        self.api = parse_endpoint(config.spotify_api_url, "spotify_api_url (CUESHEET_SPOTIFY_API_URL)")
        self.token = parse_endpoint(config.spotify_token_url,
                                    "spotify_token_url (CUESHEET_SPOTIFY_TOKEN_URL)")
        self.market = config.spotify_market.upper() if config.spotify_market else None
        self._client: spotipy.Spotify | None = None
        self._auth: SpotifyClientCredentials | None = None
        quiet_client_logs(("spotipy", "spotipy.client", "spotipy.oauth2", "spotipy.util"),
                          config.secrets())

    # --- the Source interface -------------------------------------------------------

    def search(self, query: SongQuery, *, limit: int = 10) -> list[Candidate]:
        q = build_query(query)
        if not q:
            return []
        limit = max(1, min(limit, MAX_LIMIT))
        body = self.cached(
            ("search track", q, f"market={self.market or ''}", f"limit={limit}"),
            lambda: self._search(q, limit),
        )
        if body is None:
            return []
        items = (body.get("tracks") or {}).get("items") or []
        return [track_to_candidate(t) for t in items if isinstance(t, dict) and t.get("id")]

    def lookup(self, source_id: str) -> Candidate | None:
        spotify_id = ids.normalize_spotify_id(source_id)
        body = self.cached(
            ("track", spotify_id, f"market={self.market or ''}"),
            lambda: self._track(spotify_id),
        )
        if body is None:
            raise SourceSkipped(self.name, self.offline or "offline")
        if body.get("not_found"):
            return None
        return track_to_candidate(body)

    # --- the calls themselves ---------------------------------------------------------

    def _spotify(self) -> spotipy.Spotify:
        if self._client is None:
            session = make_session(self.config)
            self._auth = credentials_class(self.config.spotify_token_url)(
                client_id=self.config.spotify_client_id,
                client_secret=self.config.spotify_client_secret,
                requests_session=session,
                requests_timeout=self.config.timeout,
                cache_handler=MemoryCacheHandler(),
            )
            client = spotipy.Spotify(
                auth_manager=self._auth,
                requests_session=session,
                requests_timeout=self.config.timeout,
                retries=self.config.retries,
                status_retries=self.config.retries,
                status_forcelist=RETRY_STATUSES,
                backoff_factor=self.config.backoff,
            )
            client.prefix = self.config.spotify_api_url.rstrip("/") + "/"
            self._client = client
        return self._client

    def _search(self, q: str, limit: int) -> dict[str, Any]:
        body = self._call(lambda sp: sp.search(q, limit=limit, type="track", market=self.market))
        if not isinstance(body, dict) or not isinstance((body.get("tracks") or {}).get("items"), list):
            raise self.fail(f"unexpected answer from {self.api.netloc} (no track list)")
        return body

    def _track(self, spotify_id: str) -> dict[str, Any]:
        try:
            body = self._call(lambda sp: sp.track(spotify_id, market=self.market))
        except _NotFound:
            return {"not_found": True}
        if not isinstance(body, dict) or not body.get("id"):
            raise self.fail(f"unexpected answer from {self.api.netloc} (no track in it)")
        return body

    def _call(self, request: Any) -> Any:
        """One API request (and the token before it), failures sorted into retry / skip / fail."""
        sp = self._spotify()
        renewed = False
        while True:
            self._ensure_token()
            try:
                body = request(sp)
            except spotipy.SpotifyException as exc:
                if exc.http_status == 401 and not renewed:
                    # An expired or revoked token: fetch a new one once, then ask again.
                    renewed = True
                    self._forget_token()
                    continue
                if exc.http_status == 404:
                    raise _NotFound() from None
                raise self._api_error(exc) from None
            except requests.RequestException as exc:
                raise self._transport_error(exc, self.api.netloc) from None
            if body is None:
                # spotipy returns None when a 2xx body is not JSON (HTML page, cut-off text ...).
                raise Transient(f"malformed answer from {self.api.netloc} (not JSON)")
            return body

    def _ensure_token(self) -> None:
        """Ask for the client-credentials token here, so its failures get their own clear line."""
        assert self._auth is not None
        where = self.token.netloc
        try:
            remember_secret(self._auth.get_access_token(as_dict=False))
        except SpotifyOauthError as exc:
            # spotipy raises this for any answer but 200; the HTTPError it came from has the status.
            response = getattr(exc.__context__, "response", None)
            status = getattr(response, "status_code", None)
            if status is not None and (status == 429 or status >= 500):
                # The session already retried these with backoff (and Retry-After).
                raise self.gave_up(f"the token service at {where} is failing (HTTP {status})") from None
            error = _short(getattr(exc, "error", None)) or "refused"
            raise self.fail(
                f"the token service at {where} refused the client credentials ({error})",
                remedy="check SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET",
            ) from None
        except requests.RequestException as exc:
            if isinstance(exc, requests.exceptions.JSONDecodeError):
                raise Transient(f"malformed token answer from {where} (not JSON)") from None
            raise self._transport_error(exc, where) from None
        except (KeyError, TypeError, ValueError, AttributeError):
            raise Transient(f"malformed token answer from {where} (no access_token)") from None

    def _forget_token(self) -> None:
        assert self._auth is not None
        self._auth.cache_handler = MemoryCacheHandler()

    def _api_error(self, exc: spotipy.SpotifyException) -> Exception:
        where = self.api.netloc
        status = exc.http_status
        if status == 429:
            asked = retry_after_seconds((exc.headers or {}).get("Retry-After"))
            if asked is not None and asked > self.config.max_wait:
                return self.gave_up(
                    f"rate limited (HTTP 429); the service asks to wait {asked:g} s "
                    f"(more than max_wait {self.config.max_wait:g} s)", retried=False)
            return self.gave_up(f"rate limited (HTTP 429 from {where})")
        if status is not None and status >= 500:
            # urllib3 already retried these with backoff inside spotipy's session.
            return self.gave_up(f"server error (HTTP {status} from {where})")
        if status == 401:
            return self.fail(f"{where} refused the access token (HTTP 401)",
                             remedy="check SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET")
        if status == 403:
            return self.fail(f"{where} refused the request (HTTP 403: the app may lack access)")
        return self.fail(f"{where} refused the request (HTTP {status})")

    def _transport_error(self, exc: requests.RequestException, where: str) -> Exception:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return Unreachable(f"no answer from {where} within {self.config.timeout:g} s")
        if isinstance(exc, requests.exceptions.ConnectionError):
            text = str(exc)
            if "Name or service not known" in text or "getaddrinfo" in text or "resolve" in text:
                host = where.rsplit(":", 1)[0]
                return Unreachable(f"cannot resolve {host} (no network?)")
            if "Read timed out" in text:
                return Transient(f"no answer from {where} within {self.config.timeout:g} s")
            if "refused" in text.lower():
                return Unreachable(f"cannot reach {where} (connection refused)")
            if isinstance(exc.args[0] if exc.args else None, MaxRetryError):
                return Unreachable(f"cannot reach {where}")
            return Transient(f"connection to {where} broke off")
        if isinstance(exc, requests.exceptions.Timeout):
            return Transient(f"no answer from {where} within {self.config.timeout:g} s")
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError,
                            requests.exceptions.ContentDecodingError)):
            return Transient(f"cut-off answer from {where}")
        if isinstance(exc, requests.exceptions.JSONDecodeError):
            return Transient(f"malformed answer from {where} (not JSON)")
        return self.fail(f"request to {where} failed ({type(exc).__name__})")


def _short(text: object, limit: int = 60) -> str:
    """A service's error text fit for one line: an HTML page or a long body is cut, not printed."""
    line = " ".join(str(text or "").split())
    if line.startswith("<"):
        return ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _NotFound(Exception):
    pass
