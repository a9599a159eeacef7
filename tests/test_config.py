"""Settings: defaults, then the TOML file, then the environment, then flags; secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet import config
from cuesheet.errors import InputError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    c = config.load(tmp_path / "none.toml", env={})
    assert c == config.Config()
    assert c.musicbrainz_url == "https://musicbrainz.org" and c.musicbrainz_rate == 1.0
    assert c.spotify_api_url == "https://api.spotify.com/v1/"
    assert (c.timeout, c.retries, c.backoff, c.max_wait, c.cache_ttl_days) == (10.0, 3, 1.0, 60.0, 30.0)
    assert not c.has_spotify_credentials


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", """
[musicbrainz]
url = "http://127.0.0.1:5000"
rate = 0
contact = "me@example.org"

[spotify]
client_id = "file-id"
client_secret = "file-secret-123456"
market = "DE"

[network]
timeout = 4
retries = 1
backoff = 0.5
max_wait = 30
cache_ttl_days = 7
cache_path = "/tmp/responses.sqlite"
""")
    c = config.load(path, env={"CUESHEET_TIMEOUT": "2.5", "SPOTIPY_CLIENT_ID": "env-id"}, retries=5)
    assert c.musicbrainz_url == "http://127.0.0.1:5000" and c.musicbrainz_rate == 0.0
    assert c.contact == "me@example.org"
    assert c.spotify_client_id == "env-id"  # environment beats file
    assert c.spotify_client_secret == "file-secret-123456"
    assert c.spotify_market == "DE"
    assert c.timeout == 2.5 and c.retries == 5 and c.backoff == 0.5 and c.max_wait == 30.0
    assert c.cache_ttl_days == 7.0 and c.cache_file() == Path("/tmp/responses.sqlite")
    assert c.has_spotify_credentials


@pytest.mark.parametrize("var, field, raw, value", [
    ("CUESHEET_MUSICBRAINZ_URL", "musicbrainz_url", "http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("CUESHEET_MUSICBRAINZ_RATE", "musicbrainz_rate", "0.5", 0.5),
    ("CUESHEET_CONTACT", "contact", "a@b.c", "a@b.c"),
    ("SPOTIPY_CLIENT_ID", "spotify_client_id", "id", "id"),
    ("SPOTIPY_CLIENT_SECRET", "spotify_client_secret", "sec", "sec"),
    ("CUESHEET_SPOTIFY_API_URL", "spotify_api_url", "http://127.0.0.1:5001/v1/", "http://127.0.0.1:5001/v1/"),
    ("CUESHEET_SPOTIFY_TOKEN_URL", "spotify_token_url", "http://127.0.0.1:5001/api/token",
     "http://127.0.0.1:5001/api/token"),
    ("CUESHEET_SPOTIFY_MARKET", "spotify_market", "SE", "SE"),
    ("CUESHEET_TIMEOUT", "timeout", "3", 3.0),
    ("CUESHEET_RETRIES", "retries", "0", 0),
    ("CUESHEET_BACKOFF", "backoff", "0.1", 0.1),
    ("CUESHEET_MAX_WAIT", "max_wait", "5", 5.0),
    ("CUESHEET_CACHE_TTL_DAYS", "cache_ttl_days", "1.5", 1.5),
    ("CUESHEET_CACHE_PATH", "cache_path", "/tmp/c.sqlite", "/tmp/c.sqlite"),
])
def test_each_environment_variable(tmp_path: Path, var: str, field: str, raw: str, value: object) -> None:
    assert config.ENV_VARS[var] == field
    assert getattr(config.load(tmp_path / "none.toml", env={var: raw}), field) == value


@pytest.mark.parametrize("text, message", [
    ("[network]\ntimeout = 'soon'", "network.timeout: 'soon' is not a valid float"),
    ("[network]\nspeed = 3", "network.speed: unknown setting"),
    ("timeout = 3", "timeout: expected a table"),
    ("[network\n", "not valid TOML"),
])
def test_bad_files_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(InputError, match=message) as info:
        config.load(path, env={})
    assert str(path) in str(info.value)


@pytest.mark.parametrize("var, raw", [
    ("CUESHEET_TIMEOUT", "0"), ("CUESHEET_RETRIES", "-1"), ("CUESHEET_BACKOFF", "-0.5"),
    ("CUESHEET_MUSICBRAINZ_RATE", "-1"), ("CUESHEET_CACHE_TTL_DAYS", "-2"),
])
def test_values_that_would_hang_or_loop_are_refused(tmp_path: Path, var: str, raw: str) -> None:
    with pytest.raises(InputError, match=f"{var}.*out of range"):
        config.load(tmp_path / "none.toml", env={var: raw})


def test_secrets_are_masked_and_listed(tmp_path: Path) -> None:
    c = config.load(tmp_path / "none.toml", env={"SPOTIPY_CLIENT_ID": "visible-id",
                                                 "SPOTIPY_CLIENT_SECRET": "abcdefghijkl"})
    shown = c.masked()
    assert shown["spotify_client_secret"] == "****kl"
    assert shown["spotify_client_id"] == "visible-id"
    assert "abcdefghijkl" not in repr(shown)
    assert c.secrets() == ("abcdefghijkl",)
    assert config.Config().masked()["spotify_client_secret"] is None


def test_config_path_is_the_platform_config_dir(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.config_path() == isolated_env / ".config" / "cuesheet" / "config.toml"
    monkeypatch.setenv("CUESHEET_CONFIG", "/somewhere/else.toml")
    assert config.config_path() == Path("/somewhere/else.toml")


def test_secret_is_not_in_the_repr() -> None:
    assert "hunter2-secret" not in repr(config.Config(spotify_client_secret="hunter2-secret"))


def test_an_out_of_range_value_in_the_file_is_blamed_on_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[network]\ntimeout = -1\n")
    with pytest.raises(InputError) as info:
        config.load(path, env={})
    assert str(info.value).startswith(f"{path}: network.timeout: -1.0 is out of range")
    assert "CUESHEET_TIMEOUT" not in str(info.value)
