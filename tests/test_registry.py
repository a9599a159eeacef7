"""Choosing sources: which go online, which answer from the cache only, and the one-line reasons."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer

from cuesheet.config import Config
from cuesheet.errors import InputError
from cuesheet.sources import Candidate, SongQuery, SourceSkipped
from cuesheet.sources.registry import parse_source_names, select_sources
from tests import factories as f


class FakeLocal:
    name = "catalog"

    def search(self, query: SongQuery, *, limit: int = 10) -> list[Candidate]:
        return []

    def lookup(self, source_id: str) -> Candidate | None:
        return None


def reasons(skipped: list[SourceSkipped]) -> list[str]:
    return [str(s) for s in skipped]


def test_parse_source_names() -> None:
    assert parse_source_names(None) is None and parse_source_names(" ") is None
    assert parse_source_names("MusicBrainz, spotify,musicbrainz") == ["musicbrainz", "spotify"]
    with pytest.raises(InputError, match="unknown source 'discogs' \\(known: catalog, musicbrainz, spotify\\)"):
        parse_source_names("catalog,discogs")
    with pytest.raises(InputError, match="no source named"):
        parse_source_names(",")


def test_all_sources_reachable(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    local = FakeLocal()
    sources, skipped = select_sources(None, online_config(), local=local)
    assert [s.name for s in sources] == ["catalog", "musicbrainz", "spotify"]
    assert sources[0] is local
    assert skipped == []
    assert all(getattr(s, "offline", None) is None for s in sources[1:])


def test_offline_keeps_sources_for_the_cache(online_config: Callable[..., Config]) -> None:
    sources, skipped = select_sources(None, online_config(), offline=True, local=FakeLocal())
    assert [s.name for s in sources] == ["catalog", "musicbrainz", "spotify"]
    assert reasons(skipped) == ["musicbrainz: --offline", "spotify: --offline"]


def test_no_credentials(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    config = online_config(spotify_client_id=None, spotify_client_secret=None)
    sources, skipped = select_sources(None, config, names=["spotify", "musicbrainz"])
    assert [s.name for s in sources] == ["musicbrainz", "spotify"]
    assert reasons(skipped) == ["spotify: no credentials (set SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET)"]


def test_unreachable_network_is_said_once(online_config: Callable[..., Config], closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    config = online_config(musicbrainz_url=url, spotify_api_url=url + "/v1/", spotify_token_url=url + "/api/token")
    sources, skipped = select_sources(None, config, names=["musicbrainz", "spotify"])
    assert reasons(skipped) == [f"musicbrainz: cannot reach 127.0.0.1:{closed_port} (connection refused)",
                                f"spotify: cannot reach 127.0.0.1:{closed_port} (connection refused)"]
    # Skipped sources answer from the cache, and a miss is no candidates, not an error.
    assert all(s.search(SongQuery(title="x", artist="y")) == [] for s in sources)


def test_no_network_at_all(online_config: Callable[..., Config], no_network: list[str]) -> None:
    config = online_config(musicbrainz_url="https://musicbrainz.org")
    _, skipped = select_sources(None, config, names=["musicbrainz"])
    assert reasons(skipped) == ["musicbrainz: cannot resolve musicbrainz.org (no network?)"]
    assert no_network == ["resolve 'musicbrainz.org'"]
    no_network.clear()  # the guard saw it and refused it, as it should


def test_names_choose(online_config: Callable[..., Config]) -> None:
    sources, skipped = select_sources(None, online_config(), names=["catalog"], local=FakeLocal())
    assert [s.name for s in sources] == ["catalog"] and skipped == []
    with pytest.raises(InputError):
        select_sources(None, online_config(), names=["nope"])


def test_refresh_reaches_the_sources(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    httpserver.expect_request("/ws/2/recording/").respond_with_data(
        f.mb_search([f.song(1, "Smile", "Nat King Cole")]), content_type="application/xml")
    config = online_config()
    (mb,), _ = select_sources(None, config, names=["musicbrainz"])
    mb.search(SongQuery(title="Smile"))
    (again,), _ = select_sources(None, config, names=["musicbrainz"], refresh=True)
    again.search(SongQuery(title="Smile"))
    (cached,), _ = select_sources(None, config, names=["musicbrainz"])
    cached.search(SongQuery(title="Smile"))
    assert len([r for r, _ in httpserver.log if r.path.startswith("/ws/2/")]) == 2
