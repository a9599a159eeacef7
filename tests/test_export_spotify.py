"""`export spotify` with the real spotipy client against a loopback Spotify (tests/spotify_fake.py)."""

from __future__ import annotations

import json
import re
import socket
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.config import Config, cache_dir
from cuesheet.db.connection import connect
from cuesheet.errors import CuesheetError, SourceError
from cuesheet.export import spotify_playlist as spotify
from cuesheet.export.rows import ExportRow, Playlist, select

from .export_support import tiny_db, tiny_db_file  # noqa: F401 (fixtures)
from .spotify_fake import USER, FakeSpotify, rate_limited, track

TITLE = "Tiny Tunes S01E01 – Pilot: Rain & Smiles"
SMILE = "spotify:track:0SmileTestTrackId00001"
MORNING = "spotify:track:0MorningViewTestId0002"
ELASTIC_ID = "0ElasticHeartTestId003"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake(httpserver) -> FakeSpotify:  # type: ignore[no-untyped-def]
    f = FakeSpotify(base=httpserver.url_for("/").rstrip("/"))
    f.tracks = [
        track(ELASTIC_ID, "Elastic Heart", ["Sia"], isrc="USCCC1400003"),
        track("0ElasticKaraokeTest004", "Elastic Heart (Karaoke Version)", ["Sing Along Band"]),
        track("0DeepDreamSinatra00005", "Deep in a Dream", ["Frank Sinatra"], isrc="USDDD5500005"),
    ]
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(f)
    return f


@pytest.fixture
def config(fake: FakeSpotify) -> Config:
    return Config(
        spotify_client_id=fake.client_id,
        spotify_api_url=fake.base + "/v1/",
        spotify_token_url=fake.base + "/api/token",
        spotify_authorize_url=fake.base + "/authorize",
        spotify_redirect_uri=f"http://127.0.0.1:{free_port()}/callback",
        timeout=5,
        retries=2,
    )


@pytest.fixture
def token_file(tmp_path: Path, fake: FakeSpotify) -> Path:
    path = tmp_path / "cache" / "spotify-token.json"
    spotify.save_token(path, fake.seed_token())
    return path


def no_browser(url: str) -> None:
    raise AssertionError(f"the browser should not be needed: {url}")


def playlist_of(tiny_db: Path, episode: str | None = "1", **kw) -> Playlist:  # type: ignore[no-untyped-def]
    conn = connect(tiny_db).conn
    return select(conn, "tiny", episode, **kw)


def run_export(config: Config, playlist: Playlist, token_file: Path, **kw) -> spotify.SpotifyReport:  # type: ignore[no-untyped-def]
    return spotify.export(config, playlist, open_url=no_browser, token_file=token_file,
                          sleep=lambda _s: None, **kw)


def test_first_run_creates_a_private_playlist_in_cue_order(tiny_db, fake, config, token_file) -> None:
    report = run_export(config, playlist_of(tiny_db), token_file)
    assert report.created and report.name == TITLE
    [created] = fake.playlists.values()
    assert created.name == TITLE and created.owner == USER and created.public is False
    # Smile and Morning View by their ids; Elastic Heart found by title + artist, not the karaoke.
    assert created.items == [SMILE, MORNING, f"spotify:track:{ELASTIC_ID}"]
    assert report.tracks == 3 and report.found_by_search == 1
    assert fake.calls("POST", "/v1/me/playlists") == [
        {"name": TITLE, "public": False, "collaborative": False,
         "description": f"{TITLE}: songs in episode and cue order, from cuesheet."}
    ]
    assert not fake.calls("POST", "/v1/users/")
    unplaced = {u.row.title: u.reason for u in report.unplaced}
    assert unplaced == {
        'Tiny "Heart", Big City': "not found on Spotify",
        "deep in a dream chet baker": "not identified yet (run `cuesheet match`)",
    }


def test_second_run_updates_the_same_playlist(tiny_db, fake, config, token_file) -> None:
    first = run_export(config, playlist_of(tiny_db), token_file)
    fake.playlists[first.playlist_id].items.append(SMILE)  # the user added a song by hand
    second = run_export(config, playlist_of(tiny_db), token_file)
    assert not second.created and second.playlist_id == first.playlist_id
    assert len(fake.playlists) == 1
    assert fake.playlists[first.playlist_id].items == [SMILE, MORNING, f"spotify:track:{ELASTIC_ID}"]
    assert len(fake.calls("POST", "/v1/me/playlists")) == 1
    assert fake.calls("PUT", f"/v1/playlists/{first.playlist_id}/items")
    assert (first.added, first.already_there) == (3, 0)
    # The three were there (the hand-added fourth is dropped, as the export replaces the items).
    assert (second.added, second.already_there) == (0, 3)


def test_an_update_counts_what_was_added_and_what_was_there(tiny_db, fake, config, token_file) -> None:
    existing = fake.add_playlist(TITLE, items=[SMILE, "spotify:track:0SomethingElseTestId01"])
    report = run_export(config, playlist_of(tiny_db), token_file)
    assert report.playlist_id == existing.id and not report.created
    assert (report.added, report.already_there) == (2, 1)
    assert report.to_json()["added"] == 2 and report.to_json()["already_there"] == 1


def test_public_flag_is_applied_to_an_existing_playlist(tiny_db, fake, config, token_file) -> None:
    existing = fake.add_playlist(TITLE, public=False)
    report = run_export(config, playlist_of(tiny_db), token_file, public=True)
    assert report.playlist_id == existing.id and existing.public is True


def test_a_followed_playlist_of_another_user_is_never_changed(tiny_db, fake, config, token_file) -> None:
    theirs = fake.add_playlist(TITLE, owner="someone-else", items=[SMILE])
    report = run_export(config, playlist_of(tiny_db), token_file)
    assert report.created and report.playlist_id != theirs.id
    assert theirs.items == [SMILE]


def test_the_users_playlists_are_read_page_by_page(tiny_db, fake, config, token_file) -> None:
    for i in range(60):
        fake.add_playlist(f"other {i}")
    mine = fake.add_playlist(TITLE)
    report = run_export(config, playlist_of(tiny_db), token_file)
    assert report.playlist_id == mine.id and not report.created


def synthetic(n: int) -> Playlist:
    rows = tuple(
        ExportRow(
            position=i + 1, show="Big", season=1, episode=1, code="S01E01", episode_title="Long",
            cue=i + 1, part=1, parts=1, kind="background", usage="BI", confidence=None, scene=None,
            title=f"Song {i}", artist="Band", album=None, year=None, version=None, duration_ms=None,
            isrc=None, mbid=None, spotify_id=f"{i:022d}", time_in_ms=None, time_out_ms=None,
            performers=(), status="curated", matched=True, original=False, recording_id=i + 1,
        )
        for i in range(n)
    )
    return Playlist("Big S01E01", "Big", "S01E01", rows)


def test_tracks_go_in_batches_of_100(fake, config, token_file) -> None:
    report = run_export(config, synthetic(250), token_file)
    pid = report.playlist_id
    assert [len(b) for b in fake.calls("POST", f"/v1/playlists/{pid}/items")] == [100, 100, 50]
    assert fake.playlists[pid].items == [f"spotify:track:{i:022d}" for i in range(250)]
    fake.log.clear()
    run_export(config, synthetic(250), token_file)
    assert [len(b["uris"]) for b in fake.calls("PUT", f"/v1/playlists/{pid}/items")] == [100]
    assert [len(b) for b in fake.calls("POST", f"/v1/playlists/{pid}/items")] == [100, 50]
    assert fake.playlists[pid].items == [f"spotify:track:{i:022d}" for i in range(250)]


def test_an_isrc_finds_the_exact_recording_first(fake, config, token_file) -> None:
    row = replace(synthetic(1).rows[0], spotify_id=None, title="Deep in a Dream", artist="Chet Baker",
                  isrc="USDDD5500005")
    report = run_export(config, Playlist("p", "Big", "S01E01", (row,)), token_file)
    assert fake.playlists[report.playlist_id].items == ["spotify:track:0DeepDreamSinatra00005"]
    assert [q["q"] for q in _searches(fake)] == ["isrc:USDDD5500005"]


def test_search_refuses_another_artists_song(fake, config, token_file) -> None:
    known, row = synthetic(2).rows
    row = replace(row, spotify_id=None, title="Deep in a Dream", artist="Chet Baker")
    report = run_export(config, Playlist("p", "Big", "S01E01", (known, row)), token_file)
    assert report.tracks == 1 and [u.reason for u in report.unplaced] == ["not found on Spotify"]
    assert all(int(q["limit"]) <= 10 for q in _searches(fake))


def test_no_search_reports_songs_without_ids(tiny_db, fake, config, token_file) -> None:
    report = run_export(config, playlist_of(tiny_db), token_file, search=False)
    assert report.tracks == 2 and len(report.unplaced) == 3
    assert not _searches(fake)


def test_nothing_placed_is_an_error_and_no_playlist_is_made(fake, config, token_file) -> None:
    rows = tuple(replace(r, spotify_id=None) for r in synthetic(2).rows)
    with pytest.raises(CuesheetError, match=r"none of the 2 songs could be placed on Spotify "
                       r"\(no Spotify id \(search is off\)\); no playlist was created or changed"):
        run_export(config, Playlist("p", "Big", "S01E01", rows), token_file, search=False)
    assert not fake.playlists and not fake.calls("POST", "/v1/me/playlists")


def test_a_token_without_the_read_scope_asks_to_sign_in_again(fake, config, tmp_path) -> None:
    old = tmp_path / "old-token.json"
    spotify.save_token(old, {**fake.seed_token(), "scope": "playlist-modify-private playlist-modify-public"})
    with pytest.raises(AssertionError, match="the browser should not be needed"):
        run_export(config, synthetic(1), old)


def _searches(fake: FakeSpotify) -> list[dict[str, str]]:
    return fake.queries("GET", "/v1/search")


# --- authorisation -----------------------------------------------------------------------


class Browser:
    """Follows the authorize URL like a browser would: to the fake, then its 302 to our loopback."""

    def __init__(self, tamper_state: bool = False) -> None:
        self.visited: list[str] = []
        self.tamper_state = tamper_state
        self.thread: threading.Thread | None = None

    def __call__(self, url: str) -> None:
        self.visited.append(url)

        def go() -> None:
            answer = requests.get(url, allow_redirects=False, timeout=5)
            location = answer.headers["Location"]
            if self.tamper_state:
                location = re.sub(r"state=[^&]*", "state=forged", location)
            requests.get(location, timeout=5)

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()


def test_signing_in_exchanges_the_code_and_caches_a_private_token(tiny_db, fake, config, tmp_path) -> None:
    token_file = tmp_path / "cache" / "cuesheet" / "spotify-token.json"
    browser = Browser()
    told: list[str] = []
    report = spotify.export(config, playlist_of(tiny_db), open_url=browser, notify=told.append,
                            token_file=token_file)
    assert report.tracks == 3
    [url] = browser.visited
    assert url.startswith(config.spotify_authorize_url + "?") and url in told[0]
    [exchange] = [b for b in fake.calls("POST", "/api/token")]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["client_id"] == config.spotify_client_id and "client_secret" not in exchange
    assert exchange["redirect_uri"] == config.spotify_redirect_uri
    cached = json.loads(token_file.read_text())
    assert cached["access_token"] in fake.tokens and cached["refresh_token"]
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    # The cached token serves the next run without a browser.
    spotify.export(config, playlist_of(tiny_db), open_url=no_browser, token_file=token_file)


def test_an_answer_for_another_request_is_refused(tiny_db, fake, config, tmp_path) -> None:
    with pytest.raises(CuesheetError, match="did not match"):
        spotify.export(config, playlist_of(tiny_db), open_url=Browser(tamper_state=True),
                       token_file=tmp_path / "t.json")
    assert not fake.playlists and not (tmp_path / "t.json").exists()


def test_a_browser_that_never_comes_back_ends_in_a_clear_error(config, tmp_path) -> None:
    auth = spotify.auth_manager(config, tmp_path / "t.json")
    with pytest.raises(CuesheetError, match="no answer from the browser"):
        spotify.authorize(auth, open_url=lambda _url: None, wait_s=0.2)


def test_an_expired_token_is_refreshed(tiny_db, fake, config, tmp_path) -> None:
    token_file = tmp_path / "t.json"
    stale = fake.seed_token("stale-token")
    fake.tokens.discard("stale-token")
    spotify.save_token(token_file, {**stale, "expires_at": int(time.time()) - 10})
    report = run_export(config, playlist_of(tiny_db), token_file)
    assert report.tracks == 3
    assert [b["grant_type"] for b in fake.calls("POST", "/api/token")] == ["refresh_token"]
    assert json.loads(token_file.read_text())["access_token"] != "stale-token"


def test_missing_client_id_says_how_to_get_one(tiny_db, config, token_file) -> None:
    with pytest.raises(CuesheetError, match="SPOTIPY_CLIENT_ID"):
        run_export(replace(config, spotify_client_id=None), playlist_of(tiny_db), token_file)


@pytest.mark.parametrize("uri", ["http://localhost:8765/callback", "http://127.0.0.1/callback",
                                 "https://example.org/callback"])
def test_redirect_must_be_loopback_with_a_port(tiny_db, config, token_file, uri: str) -> None:
    with pytest.raises(CuesheetError, match="loopback"):
        run_export(replace(config, spotify_redirect_uri=uri), playlist_of(tiny_db), token_file)


# --- faults --------------------------------------------------------------------------------


def test_a_short_retry_after_is_waited_for(tiny_db, fake, config, token_file) -> None:
    fake.faults[("GET", "/v1/me")] = [rate_limited(2)]
    waits: list[float] = []
    report = spotify.export(config, playlist_of(tiny_db), open_url=no_browser, token_file=token_file,
                            sleep=waits.append)
    assert waits == [2.0] and report.tracks == 3


def test_a_long_retry_after_is_reported_not_slept(tiny_db, fake, config, token_file) -> None:
    fake.faults[("GET", "/v1/me")] = [rate_limited(7200)]
    waits: list[float] = []
    with pytest.raises(SourceError, match=r"rate limit.*2\.0 h"):
        spotify.export(config, playlist_of(tiny_db), open_url=no_browser, token_file=token_file,
                       sleep=waits.append)
    assert waits == [] and not fake.playlists


def test_a_server_error_is_retried_then_reported(tiny_db, fake, config, token_file) -> None:
    from .spotify_fake import _error

    fake.faults[("POST", "/v1/me/playlists")] = [_error(503, "Service unavailable") for _ in range(3)]
    with pytest.raises(SourceError, match="HTTP 503"):
        run_export(config, playlist_of(tiny_db), token_file)
    assert len(fake.calls("POST", "/v1/me/playlists")) == 3  # the first try and config.retries = 2


def test_a_refused_token_is_one_clear_error_and_forgotten(tiny_db, fake, config, token_file) -> None:
    fake.tokens.clear()
    with pytest.raises(SourceError, match="HTTP 401.*sign in"):
        run_export(config, playlist_of(tiny_db), token_file)
    assert not token_file.exists()


def test_a_busy_redirect_port_is_named(config, tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        auth = spotify.auth_manager(replace(config, spotify_redirect_uri=f"http://127.0.0.1:{port}/cb"),
                                    tmp_path / "t.json")
        with pytest.raises(CuesheetError, match=f"port {port} is in use"):
            spotify.authorize(auth, open_url=no_browser)


def test_an_unreachable_api_is_one_clear_error(tiny_db, config, token_file) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1/"
    with pytest.raises(SourceError, match=r"cannot reach http://127\.0\.0\.1:\d+/v1/"):
        run_export(replace(config, spotify_api_url=dead), playlist_of(tiny_db), token_file)


def test_nothing_to_export_is_an_error(tiny_db, config, token_file) -> None:
    with pytest.raises(CuesheetError, match="no songs"):
        run_export(config, Playlist("empty", "Tiny Tunes", "S01E01", ()), token_file)


# --- the command ---------------------------------------------------------------------------


def signed_in(fake: FakeSpotify, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    spotify.save_token(cache_dir() / "spotify-token.json", fake.seed_token())
    for var, value in {
        "SPOTIPY_CLIENT_ID": config.spotify_client_id,
        "CUESHEET_SPOTIFY_API_URL": config.spotify_api_url,
        "CUESHEET_SPOTIFY_TOKEN_URL": config.spotify_token_url,
        "CUESHEET_SPOTIFY_AUTHORIZE_URL": config.spotify_authorize_url,
        "SPOTIPY_REDIRECT_URI": config.spotify_redirect_uri,
    }.items():
        monkeypatch.setenv(var, value or "")


def test_cli_updates_the_playlist_and_lists_what_it_could_not_place(tiny_db, fake, config, monkeypatch) -> None:
    signed_in(fake, config, monkeypatch)
    runner = CliRunner()
    args = ["export", "spotify", "tiny", "--season", "1", "--name", "Tiny songs", "--no-browser",
            "--db", str(tiny_db)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    [made] = fake.playlists.values()
    assert first.stdout == f"https://open.spotify.com/playlist/{made.id}\n"  # for $(...)
    assert 'Created playlist "Tiny songs": 4 tracks (1 found by search)' in first.stderr
    assert "2 songs could not be placed:" in first.stderr
    assert "S01E01 cue 4 deep in a dream chet baker: not identified yet" in first.stderr
    second = runner.invoke(app, args + ["--no-originals"])
    assert second.exit_code == 0, second.output
    assert 'Updated playlist "Tiny songs": 4 tracks (1 found by search), 0 added, 4 already there' \
        in second.stderr
    assert "1 cast original (--no-originals) left out" in second.stderr
    [playlist] = fake.playlists.values()
    assert playlist.items == [SMILE, MORNING, f"spotify:track:{ELASTIC_ID}", SMILE]


def test_cli_json_is_a_contract_for_scripts(tiny_db, fake, config, monkeypatch) -> None:
    signed_in(fake, config, monkeypatch)
    result = CliRunner().invoke(app, ["export", "spotify", "tiny", "1", "--json", "--no-browser",
                                      "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    [made] = fake.playlists.values()
    assert doc["url"] == f"https://open.spotify.com/playlist/{made.id}" and doc["id"] == made.id
    assert (doc["added"], doc["already_there"]) == (3, 0)
    assert [(n["episode"], n["cue"], n["title"], n["reason"]) for n in doc["not_found"]] == [
        ("S01E01", 3, 'Tiny "Heart", Big City', "not found on Spotify"),
        ("S01E01", 4, "deep in a dream chet baker", "not identified yet (run `cuesheet match`)"),
    ]


def test_cli_with_nothing_to_place_exits_1_and_makes_nothing(tiny_db, fake, config, monkeypatch) -> None:
    signed_in(fake, config, monkeypatch)
    conn = connect(tiny_db).conn
    conn.execute("UPDATE recordings SET spotify_id = NULL")
    conn.commit()
    result = CliRunner().invoke(app, ["export", "spotify", "tiny", "1", "--no-search", "--no-browser",
                                      "--db", str(tiny_db)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: Tiny Tunes S01E01 – Pilot: Rain & Smiles: none of the 5 songs "
                                    "could be placed on Spotify")
    assert len(result.stderr.splitlines()) == 1
    assert not fake.playlists


def test_cli_with_every_song_left_out_exits_1(tiny_db, fake, config, monkeypatch) -> None:
    signed_in(fake, config, monkeypatch)
    conn = connect(tiny_db).conn
    conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'no_match'")
    conn.commit()
    result = CliRunner().invoke(app, ["export", "spotify", "tiny", "2", "--matched-only", "--no-browser",
                                      "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: Tiny Tunes S01E02 – Second Helping: every song was left out (1 unmatched (--matched-only) "
        "left out); no songs to put in a playlist"]
    assert not fake.playlists


def test_cli_rate_limit_is_one_line_and_nothing_changes(tiny_db, fake, config, monkeypatch) -> None:
    spotify.save_token(cache_dir() / "spotify-token.json", fake.seed_token())
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", config.spotify_client_id or "")
    monkeypatch.setenv("CUESHEET_SPOTIFY_API_URL", config.spotify_api_url)
    monkeypatch.setenv("CUESHEET_SPOTIFY_TOKEN_URL", config.spotify_token_url)
    fake.faults[("GET", "/v1/search")] = [rate_limited(86400)]
    result = CliRunner().invoke(app, ["export", "spotify", "tiny", "1", "--no-browser", "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: spotify: rate limit reached (it asks to wait 24.0 h); nothing more was sent (run the "
        "same command later; it updates the playlist in place)"
    ]
    assert not fake.playlists


def test_search_asks_for_the_main_artist_not_the_whole_credit(fake, config, token_file) -> None:
    fake.tracks.append(track("0MorningViewTestId0002", "Morning View", ["Towkio", "SZA"]))
    row = replace(synthetic(1).rows[0], spotify_id=None, title="Morning View", artist="Towkio feat. SZA")
    report = run_export(config, Playlist("p", "Big", "S01E01", (row,)), token_file)
    assert fake.playlists[report.playlist_id].items == ["spotify:track:0MorningViewTestId0002"]
    assert [q["q"] for q in _searches(fake)] == ['track:"Morning View" artist:"Towkio"']


def test_the_try_it_fake_has_a_valid_track_for_every_catalog_row() -> None:
    """scripts/spotify_fake.py (the README's way to try this) seeds from the shipped catalog."""
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("spotify_fake_script", root / "scripts" / "spotify_fake.py")
    script = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(script)  # type: ignore[union-attr]
    catalog = root / "data" / "catalog" / "soundtrack-s1.csv"
    tracks = script.tracks_from(catalog)
    assert len(tracks) == len(catalog.read_text(encoding="utf-8").splitlines()) - 1
    assert all(re.fullmatch(r"[0-9A-Za-z]{22}", t["id"]) for t in tracks)
    assert len({t["id"] for t in tracks}) == len(tracks)
    assert [t["id"] for t in script.tracks_from(catalog)] == [t["id"] for t in tracks]
    towkio = next(t for t in tracks if t["name"] == "Morning View")
    assert [a["name"] for a in towkio["artists"]] == ["Towkio", "SZA"]
