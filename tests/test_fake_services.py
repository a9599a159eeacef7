"""The loopback look-alikes in scripts/fake_services.py answer the real clients correctly."""

from __future__ import annotations

import sys
from pathlib import Path

from cuesheet.config import Config
from cuesheet.sources import SongQuery
from cuesheet.sources.crosslink import crosslink
from cuesheet.sources.registry import select_sources
from tests import factories as f

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from fake_services import CLIENT_ID, CLIENT_SECRET, running  # noqa: E402


def test_both_fakes_serve_the_season(tmp_path: Path) -> None:
    songs = f.season_songs()
    assert len(songs) > 30 and len({s.mbid for s in songs}) == len(songs)
    with running(songs) as fake:
        config = Config(musicbrainz_url=fake.musicbrainz_url, musicbrainz_rate=0,
                        spotify_client_id=CLIENT_ID, spotify_client_secret=CLIENT_SECRET,
                        spotify_api_url=fake.spotify_url + "/v1/",
                        spotify_token_url=fake.spotify_url + "/api/token",
                        timeout=2, retries=0, cache_path=str(tmp_path / "c.sqlite"))
        sources, skipped = select_sources(None, config, names=["musicbrainz", "spotify"])
        assert skipped == []
        mb, sp = sources
        (first, *_) = mb.search(SongQuery(title="Roads", artist="Portishead"))
        assert (first.title, first.artist) == ("Roads", "Portishead")
        (linked,) = crosslink([first], sources)
        assert {"mbid", "spotify_id", "isrc"} <= set(linked.ids)
        (track, *_) = sp.search(SongQuery(title="Roads", artist="Portishead"))
        assert track.ids["isrc"] == first.ids["isrc"]
        (work,) = mb.works(first.ids["mbid"])
        assert work.composers and work.lyricists and work.publishers
        assert fake.env()["CUESHEET_MUSICBRAINZ_URL"] == fake.musicbrainz_url
