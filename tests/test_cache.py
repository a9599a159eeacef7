"""The response cache: keys, TTL, stats, clear, and what it must never hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesheet.config import Config
from cuesheet.errors import CuesheetError
from cuesheet.sources.cache import DAY, SCHEMA_VERSION, Cache, normalise_key, open_cache

NOW = 1_800_000_000.0


def test_keys_are_normalised() -> None:
    assert normalise_key("search", "  Elastic   HEART ", None, "", "limit=5") == "search elastic heart limit=5"
    assert normalise_key("a", "b") != normalise_key("ab")


def test_put_get_roundtrip_and_replace(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite", ttl_days=30)
    assert cache.get("musicbrainz", "k") is None
    assert not (tmp_path / "c.sqlite").exists()  # nothing asked, nothing created
    cache.put("musicbrainz", "k", {"recording-list": [{"id": "x", "title": "Smile"}]}, now=NOW)
    entry = cache.get("musicbrainz", "k")
    assert entry is not None and entry.body == {"recording-list": [{"id": "x", "title": "Smile"}]}
    assert entry.fetched_at == NOW
    cache.put("musicbrainz", "k", {"recording-list": []}, now=NOW + 5)
    entry = cache.get("musicbrainz", "k")
    assert entry is not None and entry.body == {"recording-list": []} and entry.fetched_at == NOW + 5
    assert cache.get("spotify", "k") is None  # the source is part of the key


def test_freshness_follows_the_ttl(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite", ttl_days=2)
    cache.put("spotify", "old", {}, now=NOW - 3 * DAY)
    cache.put("spotify", "new", {}, now=NOW - 1 * DAY)
    old, new = cache.get("spotify", "old"), cache.get("spotify", "new")
    assert old is not None and new is not None
    assert not cache.is_fresh(old, now=NOW)
    assert cache.is_fresh(new, now=NOW)


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite", ttl_days=2)
    assert cache.stats().exists is False and cache.stats().entries == 0
    cache.put("musicbrainz", "a", {}, now=NOW - 3 * DAY)
    cache.put("musicbrainz", "b", {}, now=NOW)
    cache.put("spotify", "c", {}, now=NOW)
    stats = cache.stats(now=NOW)
    assert stats.entries == 3 and stats.bytes > 0
    mb, sp = stats.sources
    assert (mb.source, mb.entries, mb.fresh, mb.stale) == ("musicbrainz", 2, 1, 1)
    assert (sp.source, sp.entries, sp.fresh, sp.stale) == ("spotify", 1, 1, 0)
    assert stats.to_json()["sources"][0]["newest"] == "2027-01-15T08:00:00Z"
    assert cache.clear(stale_only=True, now=NOW) == 1
    assert cache.clear(source="spotify") == 1
    assert cache.stats(now=NOW).entries == 1
    assert cache.clear() == 1
    assert cache.stats().entries == 0


def test_a_body_holding_a_secret_is_not_stored(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite", secrets=("hunter2-very-secret",))
    cache.put("spotify", "k", {"echo": "Basic hunter2-very-secret"})
    cache.put("spotify", "k2", {"fine": True})
    assert cache.get("spotify", "k") is None
    assert cache.get("spotify", "k2") is not None
    assert b"hunter2" not in (tmp_path / "c.sqlite").read_bytes()


def test_an_older_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE responses (whatever TEXT)")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    cache = Cache(path)
    cache.put("musicbrainz", "k", [1, 2])
    entry = cache.get("musicbrainz", "k")
    assert entry is not None and entry.body == [1, 2]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_unwritable_place_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = Cache(blocker / "c.sqlite")
    with pytest.raises(CuesheetError, match="cannot open the response cache"):
        cache.put("spotify", "k", {})


def test_default_location_is_the_user_cache_dir(isolated_env: Path) -> None:
    cache = open_cache(Config())
    assert cache.path == isolated_env / ".cache" / "cuesheet" / "responses.sqlite"
    assert open_cache(Config(cache_path="/tmp/x.sqlite", cache_ttl_days=3)).ttl_days == 3
