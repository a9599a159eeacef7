"""The real spotipy against a loopback server speaking the Spotify Web API's JSON."""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cuesheet.config import Config
from cuesheet.errors import SourceError
from cuesheet.sources import SongQuery, SourceSkipped
from cuesheet.sources.cache import Cache
from cuesheet.sources.online import SourceFailed
from cuesheet.sources.spotify import SpotifySource, build_query
from tests import factories as f
from tests.conftest import CLIENT_ID, SECRET

TOKEN = "access-token-ABCDEF-0001"
ELASTIC = f.song(1, "Elastic Heart", "Sia", album="1000 Forms of Fear", date="2014-07-04", duration_ms=257_000)
MORNING = f.song(2, "Morning View", ("Towkio", "SZA"), album="WWW.", date="2018-03", duration_ms=215_000)


def token_ok(httpserver: HTTPServer, token: str = TOKEN) -> None:
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    httpserver.expect_request("/api/token", method="POST", headers={"Authorization": basic}).respond_with_json(
        f.spotify_token(token))


def search_ok(httpserver: HTTPServer, songs: list[f.Song], **kwargs: object) -> None:
    httpserver.expect_request("/v1/search", **kwargs).respond_with_json(f.spotify_search(songs))


@pytest.fixture
def source(online_config: Callable[..., Config]) -> SpotifySource:
    config = online_config()
    return SpotifySource(config, Cache(config.cache_file()), sleep=lambda s: None)


def api_requests(httpserver: HTTPServer) -> list[Request]:
    return [r for r, _ in httpserver.log if r.path.startswith("/v1/")]


# --- queries ------------------------------------------------------------------------------

def test_queries_are_field_filtered() -> None:
    assert build_query(SongQuery(title="Ain't No Sunshine", artist="Bill Withers")) == \
        'track:"ain\'t no sunshine" artist:"bill withers"'
    assert build_query(SongQuery(title='say "hi"', artist="X", album="Y")) == 'track:"say hi" artist:"x" album:"y"'
    assert build_query(SongQuery(title="elastic heart sia")) == "elastic heart sia"
    assert build_query(SongQuery(title="x", isrc="qzcue0000001")) == "isrc:QZCUE0000001"
    assert build_query(SongQuery(title=' " ')) == ""


# --- searching ------------------------------------------------------------------------------

def test_search_maps_tracks_to_candidates(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    search_ok(httpserver, [ELASTIC, MORNING], query_string={
        "q": 'track:"elastic heart" artist:"sia"', "limit": "5", "offset": "0", "type": "track"},
        headers={"Authorization": f"Bearer {TOKEN}"})
    first, second = source.search(SongQuery(title="Elastic Heart", artist="Sia"), limit=5)
    assert (first.title, first.artist, first.album, first.year, first.duration_ms) == (
        "Elastic Heart", "Sia", "1000 Forms of Fear", 2014, 257_000)
    assert first.source == "spotify"
    assert first.ids == {"spotify_id": ELASTIC.spotify_id, "isrc": ELASTIC.isrc}
    assert first.links == {"spotify": f"https://open.spotify.com/track/{ELASTIC.spotify_id}"}
    assert second.artist == "Towkio, SZA" and second.year == 2018


def test_market_and_limit_are_sent(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    token_ok(httpserver)
    search_ok(httpserver, [ELASTIC], query_string={"q": "isrc:" + (ELASTIC.isrc or ""), "limit": "10",
                                                   "offset": "0", "type": "track", "market": "DE"})
    source = SpotifySource(online_config(spotify_market="de"))
    (hit,) = source.search(SongQuery(title="Elastic Heart", isrc=ELASTIC.isrc), limit=50)
    assert hit.ids["isrc"] == ELASTIC.isrc


def test_token_is_fetched_once_and_kept_in_memory_only(
        httpserver: HTTPServer, source: SpotifySource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    token_ok(httpserver)
    search_ok(httpserver, [ELASTIC])
    source.search(SongQuery(title="a", artist="b"))
    source.search(SongQuery(title="c", artist="d"))
    assert [r.path for r, _ in httpserver.log].count("/api/token") == 1
    assert not (tmp_path / ".cache").exists()  # spotipy's default token file was not written


def test_lookup_and_unknown_id(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    httpserver.expect_request(f"/v1/tracks/{ELASTIC.spotify_id}").respond_with_json(f.spotify_track(ELASTIC))
    httpserver.expect_request(f"/v1/tracks/{MORNING.spotify_id}").respond_with_json(
        f.spotify_error(404, "Non existing id"), status=404)
    hit = source.lookup(f"https://open.spotify.com/track/{ELASTIC.spotify_id}?si=abc")
    assert hit is not None and hit.ids["spotify_id"] == ELASTIC.spotify_id
    assert source.lookup(f"spotify:track:{MORNING.spotify_id}") is None


def test_empty_results(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    search_ok(httpserver, [])
    assert source.search(SongQuery(title="nothing", artist="nobody")) == []
    assert source.search(SongQuery(title="nothing", artist="nobody")) == []
    assert len(api_requests(httpserver)) == 1  # the empty answer was cached


def test_no_credentials_answers_from_cache_only(httpserver: HTTPServer,
                                                online_config: Callable[..., Config]) -> None:
    source = SpotifySource(online_config(spotify_client_id=None, spotify_client_secret=None))
    assert source.offline == "no credentials (set SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET)"
    assert source.search(SongQuery(title="x", artist="y")) == []
    assert httpserver.log == []


# --- faults --------------------------------------------------------------------------------

def test_429_with_retry_after_is_waited_out(httpserver: HTTPServer, source: SpotifySource) -> None:
    """urllib3's Retry (inside spotipy's session) sleeps the Retry-After, then asks again."""
    token_ok(httpserver)
    httpserver.expect_oneshot_request("/v1/search").respond_with_json(
        f.spotify_error(429, "API rate limit exceeded"), status=429, headers={"Retry-After": "1"})
    search_ok(httpserver, [ELASTIC])
    (hit,) = source.search(SongQuery(title="Elastic Heart", artist="Sia"))
    assert hit.title == "Elastic Heart"
    first, second = [r for r, _ in httpserver.log if r.path == "/v1/search"]
    assert second.headers.get("Authorization") == f"Bearer {TOKEN}"


def test_429_asking_too_long_fails_at_once(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    httpserver.expect_request("/v1/search").respond_with_json(
        f.spotify_error(429, "API rate limit exceeded"), status=429, headers={"Retry-After": "7200"})
    started = time.monotonic()
    with pytest.raises(SourceFailed) as info:
        source.search(SongQuery(title="x", artist="y"))
    assert time.monotonic() - started < 5  # not a hang (generous: this only guards against 2 hours)
    assert str(info.value) == ("spotify: rate limited (HTTP 429); the service asks to wait 7200 s "
                               "(more than max_wait 2 s) (try again later, or use --offline)")
    assert len(api_requests(httpserver)) == 1


def test_503_then_success(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    httpserver.expect_oneshot_request("/v1/search").respond_with_data("busy", status=503)
    search_ok(httpserver, [ELASTIC])
    assert len(source.search(SongQuery(title="x", artist="y"))) == 1
    assert len(api_requests(httpserver)) == 2


def test_500_forever(httpserver: HTTPServer, source: SpotifySource) -> None:
    token_ok(httpserver)
    httpserver.expect_request("/v1/search").respond_with_json(f.spotify_error(500, "Server error"), status=500)
    with pytest.raises(SourceFailed) as info:
        source.search(SongQuery(title="x", artist="y"))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("spotify: server error (HTTP 500 from 127.0.0.1:") and "after 2 retries" in message
    assert len(api_requests(httpserver)) == 3
    assert isinstance(info.value, SourceSkipped) and isinstance(info.value, SourceError)


@pytest.mark.parametrize("body, content_type, expected", [
    ('{"tracks": {"items": [', "application/json", "not JSON"),
    ("<html><body>Captive portal</body></html>", "text/html", "not JSON"),
    ('{"artists": {"items": []}}', "application/json", "no track list"),
])
def test_malformed_or_wrong_answers(httpserver: HTTPServer, source: SpotifySource,
                                    body: str, content_type: str, expected: str) -> None:
    token_ok(httpserver)
    httpserver.expect_request("/v1/search").respond_with_data(body, content_type=content_type)
    with pytest.raises(SourceFailed, match=expected) as info:
        source.search(SongQuery(title="x", artist="y"))
    assert "\n" not in str(info.value)


def test_api_timeout(slow_server: HTTPServer, online_config: Callable[..., Config]) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(json.dumps(f.spotify_search([])), content_type="application/json")

    slow_server.expect_request("/api/token").respond_with_json(f.spotify_token(TOKEN))
    slow_server.expect_request("/v1/search").respond_with_handler(slow)
    base = slow_server.url_for("/").rstrip("/")
    source = SpotifySource(online_config(spotify_api_url=base + "/v1/", spotify_token_url=base + "/api/token",
                                         timeout=0.2, retries=1), sleep=lambda s: None)
    with pytest.raises(SourceFailed, match=r"spotify: no answer from 127\.0\.0\.1:\d+ within 0.2 s after 1 retry"):
        source.search(SongQuery(title="x", artist="y"))


def test_token_timeout(slow_server: HTTPServer, online_config: Callable[..., Config]) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(json.dumps(f.spotify_token(TOKEN)), content_type="application/json")

    slow_server.expect_request("/api/token").respond_with_handler(slow)
    base = slow_server.url_for("/").rstrip("/")
    source = SpotifySource(online_config(spotify_token_url=base + "/api/token", timeout=0.2, retries=0),
                           sleep=lambda s: None)
    with pytest.raises(SourceFailed, match=r"no answer from 127\.0\.0\.1:\d+ within 0.2 s"):
        source.search(SongQuery(title="x", artist="y"))


@pytest.mark.parametrize("status, body", [
    (400, {"error": "invalid_client", "error_description": "Invalid client secret"}),
    (401, {"error": "invalid_client", "error_description": "Invalid client"}),
])
def test_token_refused(httpserver: HTTPServer, source: SpotifySource, status: int, body: dict) -> None:
    httpserver.expect_request("/api/token").respond_with_json(body, status=status)
    with pytest.raises(SourceFailed) as info:
        source.search(SongQuery(title="x", artist="y"))
    assert str(info.value) == (
        f"spotify: the token service at {source.token.netloc} refused the client credentials "
        "(invalid_client) (check SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET)")
    assert api_requests(httpserver) == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_token_service_failing_is_not_called_a_credentials_refusal(
        httpserver: HTTPServer, source: SpotifySource, status: int) -> None:
    """A busy or broken token service is retried and reported as such; only 400/401 blame the credentials."""
    page = "<html><body>" + "Service Unavailable " * 40 + "</body></html>"
    httpserver.expect_request("/api/token").respond_with_data(page, status=status, content_type="text/html",
                                                              headers={"Retry-After": "0"})
    with pytest.raises(SourceFailed) as info:
        source.search(SongQuery(title="x", artist="y"))
    message = str(info.value)
    assert "credentials" not in message and "Service Unavailable" not in message
    assert f"HTTP {status}" in message and source.token.netloc in message and "after 2 retries" in message
    assert len([r for r, _ in httpserver.log if r.path == "/api/token"]) == 3


def test_malformed_token_answer(httpserver: HTTPServer, source: SpotifySource) -> None:
    httpserver.expect_request("/api/token").respond_with_data("<html>oops</html>", content_type="text/html")
    with pytest.raises(SourceFailed, match="malformed token answer"):
        source.search(SongQuery(title="x", artist="y"))


def test_expired_token_is_renewed_once(httpserver: HTTPServer, source: SpotifySource) -> None:
    httpserver.expect_oneshot_request("/api/token").respond_with_json(f.spotify_token("old-token"))
    token_ok(httpserver)
    httpserver.expect_request("/v1/search", headers={"Authorization": "Bearer old-token"}).respond_with_json(
        f.spotify_error(401, "The access token expired"), status=401)
    search_ok(httpserver, [ELASTIC], headers={"Authorization": f"Bearer {TOKEN}"})
    assert len(source.search(SongQuery(title="x", artist="y"))) == 1
    assert [r.path for r, _ in httpserver.log].count("/api/token") == 2


def test_truncated_body(raw_server: Callable[[bytes], str], httpserver: HTTPServer,
                        online_config: Callable[..., Config]) -> None:
    token_ok(httpserver)
    body = json.dumps(f.spotify_search([ELASTIC])).encode()
    url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body[:100])
    source = SpotifySource(online_config(spotify_api_url=url + "/v1/", retries=1), sleep=lambda s: None)
    with pytest.raises(SourceFailed, match="cut-off answer"):
        source.search(SongQuery(title="x", artist="y"))


def test_unreachable_api_skips_the_source(online_config: Callable[..., Config], closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    source = SpotifySource(online_config(spotify_api_url=url + "/v1/", spotify_token_url=url + "/api/token"))
    with pytest.raises(SourceSkipped) as info:
        source.search(SongQuery(title="x", artist="y"))
    assert not isinstance(info.value, SourceError)
    assert str(info.value) == f"spotify: cannot reach 127.0.0.1:{closed_port} (connection refused)"


# --- secrets --------------------------------------------------------------------------------

def test_secret_never_leaks(httpserver: HTTPServer, online_config: Callable[..., Config],
                            caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """Failures, logs at DEBUG and the cache file carry neither the client secret nor the token."""
    caplog.set_level(logging.DEBUG)
    config = online_config()
    cache = Cache(config.cache_file(), secrets=config.secrets())
    messages = []

    def echo(request: Request) -> Response:
        # A hostile or broken server echoing the credentials back in its error.
        return Response(json.dumps({"error": "invalid_client",
                                    "error_description": request.headers.get("Authorization", "")}),
                        status=400, content_type="application/json")

    httpserver.expect_oneshot_request("/api/token").respond_with_handler(echo)
    try:
        SpotifySource(config, cache).search(SongQuery(title="x", artist="y"))
    except SourceFailed as exc:
        messages.append(str(exc))
    token_ok(httpserver)
    httpserver.expect_oneshot_request("/v1/search").respond_with_json(f.spotify_error(500, SECRET), status=500)
    search_ok(httpserver, [ELASTIC])
    source = SpotifySource(config, cache, sleep=lambda s: None)
    source.search(SongQuery(title="Elastic Heart", artist="Sia"))
    httpserver.expect_request("/v1/tracks/" + MORNING.spotify_id).respond_with_json(
        f.spotify_error(403, f"{SECRET} {TOKEN}"), status=403)
    try:
        source.lookup(MORNING.spotify_id)
    except SourceFailed as exc:
        messages.append(str(exc))
    assert len(messages) == 2
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Authorization" in logged or "Bearer" in logged  # spotipy did log its requests ...
    for secret in (SECRET, TOKEN, basic):
        assert secret not in logged  # ... scrubbed
        for message in messages:
            assert secret not in message
        assert secret.encode() not in config.cache_file().read_bytes()
        for name in os.listdir(tmp_path):
            path = tmp_path / name
            if path.is_file():
                assert secret.encode() not in path.read_bytes()


def test_a_token_echoed_in_a_successful_answer_is_redacted_everywhere(
        httpserver: HTTPServer, online_config: Callable[..., Config], shipped_db: Path) -> None:
    """A server that puts the access token (or the client secret) into a track is scrubbed before the
    candidates exist, so `identify` never prints it and nothing stores it (#17 item 7)."""
    import subprocess
    import sys

    echoed = f.song(7, f"Elastic Heart {TOKEN}", "Sia", album=f"Basic Space {SECRET}", duration_ms=257_000)
    token_ok(httpserver)
    search_ok(httpserver, [echoed])
    config = online_config()
    (hit,) = SpotifySource(config, sleep=lambda s: None).search(SongQuery(title="Elastic Heart", artist="Sia"))
    assert hit.title == "Elastic Heart ****" and hit.album == "Basic Space ****"
    base = httpserver.url_for("/").rstrip("/")
    env = {**os.environ, "SPOTIPY_CLIENT_ID": CLIENT_ID, "SPOTIPY_CLIENT_SECRET": SECRET,
           "CUESHEET_SPOTIFY_API_URL": base + "/v1/", "CUESHEET_SPOTIFY_TOKEN_URL": base + "/api/token",
           "CUESHEET_CACHE_PATH": str(shipped_db.with_name("responses.sqlite")), "CUESHEET_RETRIES": "0"}
    result = subprocess.run([str(Path(sys.executable).with_name("cuesheet")), "identify", "elastic heart sia",
                             "--source", "spotify", "--json", "--db", str(shipped_db)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert "Elastic Heart ****" in result.stdout
    for secret in (TOKEN, SECRET):
        assert secret not in result.stdout + result.stderr
        assert secret.encode() not in shipped_db.with_name("responses.sqlite").read_bytes()
