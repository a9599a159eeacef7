"""`cuesheet cache …` and `cuesheet config …` as a user runs them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.sources.cache import DAY, Cache

runner = CliRunner()


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "responses.sqlite"
    monkeypatch.setenv("CUESHEET_CACHE_PATH", str(path))
    monkeypatch.setenv("CUESHEET_CACHE_TTL_DAYS", "10")
    return path


def fill(path: Path) -> None:
    cache = Cache(path, ttl_days=10)
    now = time.time()
    cache.put("musicbrainz", "a", {"recording-list": []}, now=now)
    cache.put("musicbrainz", "b", {"recording-list": []}, now=now - 20 * DAY)
    cache.put("spotify", "c", {"tracks": {"items": []}}, now=now)
    cache.close()


def test_cache_stats_empty(cache_file: Path) -> None:
    result = runner.invoke(app, ["cache", "stats"])
    assert result.exit_code == 0
    assert "empty (nothing fetched yet)" in result.output
    assert not cache_file.exists()


def test_cache_stats_and_json(cache_file: Path) -> None:
    fill(cache_file)
    result = runner.invoke(app, ["cache", "stats"])
    assert result.exit_code == 0, result.output
    assert "musicbrainz" in result.output and "spotify" in result.output
    assert "cache clear --stale" in result.output
    data = json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)
    assert data["path"] == str(cache_file) and data["entries"] == 3 and data["ttl_days"] == 10
    assert [(s["source"], s["entries"], s["fresh"], s["stale"]) for s in data["sources"]] == [
        ("musicbrainz", 2, 1, 1), ("spotify", 1, 1, 0)]


def test_cache_clear(cache_file: Path) -> None:
    fill(cache_file)
    result = runner.invoke(app, ["cache", "clear", "--stale"])
    assert result.exit_code == 0 and "Removed 1 cached stale answer." in result.output
    result = runner.invoke(app, ["cache", "clear", "--source", "Spotify"])
    assert "Removed 1 cached spotify answer." in result.output
    result = runner.invoke(app, ["cache", "clear"])
    assert "Removed 1 cached answer." in result.output
    bad = runner.invoke(app, ["cache", "clear", "--source", "catalog"])
    assert bad.exit_code == 2 and "not an online source" in bad.output


def test_config_show_masks_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "very-secret-value-123456"
    conf = tmp_path / "c.toml"
    conf.write_text(f'[spotify]\nclient_id = "my-id"\nclient_secret = "{secret}"\n', encoding="utf-8")
    monkeypatch.setenv("CUESHEET_CONFIG", str(conf))
    monkeypatch.setenv("CUESHEET_TIMEOUT", "4")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    assert 'client_secret = "****56"' in result.output
    assert 'client_id = "my-id"' in result.output and "from the config file" in result.output
    assert "timeout = 4.0" in result.output and "from $CUESHEET_TIMEOUT" in result.output
    data = json.loads(runner.invoke(app, ["config", "show", "--json"]).stdout)
    assert secret not in json.dumps(data)
    assert data["path"] == str(conf) and data["exists"] is True
    by_name = {s["name"]: s for s in data["settings"]}
    assert by_name["spotify_client_secret"] == {
        "name": "spotify_client_secret", "toml": "spotify.client_secret", "env": "SPOTIPY_CLIENT_SECRET",
        "value": "****56", "origin": "file"}
    assert by_name["timeout"]["origin"] == "environment"


def test_config_show_bad_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text("[network]\ntimeout = 'soon'\n", encoding="utf-8")
    monkeypatch.setenv("CUESHEET_CONFIG", str(conf))
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {conf}: network.timeout: 'soon' is not a valid float"]


def test_config_path(isolated_env: Path) -> None:
    result = runner.invoke(app, ["config", "path"])
    assert result.stdout.strip() == str(isolated_env / ".config" / "cuesheet" / "config.toml")


def _point_at(monkeypatch: pytest.MonkeyPatch, base: str, tmp_path: Path) -> None:
    for name, value in {
        "CUESHEET_MUSICBRAINZ_URL": base, "CUESHEET_MUSICBRAINZ_RATE": "0",
        "CUESHEET_SPOTIFY_API_URL": base + "/v1/", "CUESHEET_SPOTIFY_TOKEN_URL": base + "/api/token",
        "CUESHEET_CACHE_PATH": str(tmp_path / "responses.sqlite"), "CUESHEET_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)


def test_identify_asks_musicbrainz_then_answers_offline(
        httpserver, shipped_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f

    song = f.song(7, "Elastic Heart", "Sia", album="1000 Forms of Fear", date="2014", duration_ms=257_000)
    httpserver.expect_request("/ws/2/recording/").respond_with_data(f.mb_search([song]),
                                                                    content_type="application/xml")
    _point_at(monkeypatch, httpserver.url_for("/").rstrip("/"), tmp_path)
    args = ["identify", "elastic heart sia", "--source", "musicbrainz", "--db", str(shipped_db), "--json"]
    online = runner.invoke(app, args)
    assert online.exit_code == 0, online.output
    data = json.loads(online.stdout)
    assert data["candidates"][0]["source"] == "musicbrainz"
    assert data["candidates"][0]["ids"]["mbid"] == song.mbid
    asked = len(httpserver.log)
    offline = runner.invoke(app, [*args, "--offline"])
    assert offline.exit_code == 0
    assert json.loads(offline.stdout)["candidates"][0]["ids"]["mbid"] == song.mbid
    assert "skipped musicbrainz: --offline" in offline.stderr
    assert len(httpserver.log) == asked  # the cache answered


def test_identify_without_credentials_says_why(shipped_db: Path, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, closed_port: int) -> None:
    _point_at(monkeypatch, f"http://127.0.0.1:{closed_port}", tmp_path)
    result = runner.invoke(app, ["identify", "smile nat king cole", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped musicbrainz: cannot reach 127.0.0.1:{closed_port} (connection refused)",
        "skipped spotify: no credentials (set SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET)",
    ]
    assert "Smile" in result.stdout  # the catalog still answers
    bad = runner.invoke(app, ["identify", "x", "--source", "discogs", "--db", str(shipped_db)])
    assert bad.exit_code == 2
    assert "unknown source 'discogs' (known: catalog, musicbrainz, spotify)" in bad.stderr


def test_secret_stays_out_of_output_database_and_cache(
        httpserver, shipped_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A recognisable secret, a token service that refuses it (echoing it back) and a failing API:
    neither stdout, stderr, the database nor the cache holds the secret afterwards."""
    from werkzeug import Request, Response


    secret = "RECOGNISABLE-secret-4242-xyzzy"
    _point_at(monkeypatch, httpserver.url_for("/").rstrip("/"), tmp_path)
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", "some-client")
    monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", secret)

    def refuse(request: Request) -> Response:
        return Response(json.dumps({"error": "invalid_client",
                                    "error_description": f"bad secret {secret} / {request.headers}"}),
                        status=401, content_type="application/json")

    httpserver.expect_request("/api/token").respond_with_handler(refuse)
    httpserver.expect_request("/ws/2/recording/").respond_with_data(f"<error>{secret}</error>", status=500)
    outputs = []
    for args in (["identify", "elastic heart sia"], ["identify", "smile", "--json"], ["match"],
                 ["config", "show"], ["config", "show", "--json"], ["cache", "stats"]):
        result = runner.invoke(app, [*args, "--db", str(shipped_db)] if args[0] in ("identify", "match")
                               else args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout + result.stderr)
    joined = "\n".join(outputs)
    assert "spotify: the token service at" in joined  # the failure was said ...
    assert secret not in joined  # ... without the secret
    import base64

    basic = base64.b64encode(f"some-client:{secret}".encode()).decode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and basic.encode() not in data, path
