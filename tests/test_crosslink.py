"""Cross-linking by ISRC, and saving candidates (recordings.store) without overwriting other sources."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from cuesheet.config import Config
from cuesheet.db.connection import connect
from cuesheet.recordings.store import save_candidate
from cuesheet.sources import Candidate, SongQuery
from cuesheet.sources.crosslink import (
    LinkedCandidate,
    crosslink,
    recording_disagreements,
    same_value,
)
from cuesheet.sources.musicbrainz import MusicBrainzSource
from cuesheet.sources.spotify import SpotifySource
from tests import factories as f

MB_SMILE = f.song(1, "Smile", "Nat King Cole", album="Smile", date="1954", duration_ms=170_000)
SP_SMILE = f.song(1, "Smile", "Nat King Cole", album="The Greatest Hits", date="1998", duration_ms=171_000)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "x.sqlite", create=True).conn


def serve_both(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/token").respond_with_json(f.spotify_token())
    httpserver.expect_request("/v1/search", query_string={
        "q": f"isrc:{MB_SMILE.isrc}", "limit": "5", "offset": "0", "type": "track"}).respond_with_json(
        f.spotify_search([SP_SMILE]))
    httpserver.expect_request("/ws/2/recording/", query_string={
        "query": f"isrc:{MB_SMILE.isrc}", "limit": "5"}).respond_with_data(
        f.mb_search([MB_SMILE]), content_type="application/xml")


def test_musicbrainz_candidate_gains_spotify_id_and_back(
        httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    serve_both(httpserver)
    config = online_config()
    mb, sp = MusicBrainzSource(config), SpotifySource(config)
    mb_candidate = Candidate("Smile", "Nat King Cole", "musicbrainz", ids={"mbid": MB_SMILE.mbid,
                             "isrc": MB_SMILE.isrc or ""}, links={"musicbrainz": "https://mb/x"})
    sp_candidate = Candidate("Smile", "Nat King Cole", "spotify", ids={"spotify_id": SP_SMILE.spotify_id,
                             "isrc": SP_SMILE.isrc or ""}, links={"spotify": "https://sp/x"})
    plain = Candidate("No ISRC", "Nobody", "musicbrainz", ids={"mbid": "m"})
    linked_mb, linked_sp, untouched = crosslink([mb_candidate, sp_candidate, plain], [mb, sp])
    assert isinstance(linked_mb, LinkedCandidate)
    assert linked_mb.ids == {"mbid": MB_SMILE.mbid, "isrc": MB_SMILE.isrc, "spotify_id": SP_SMILE.spotify_id}
    assert linked_mb.links == {"musicbrainz": "https://mb/x",
                               "spotify": f"https://open.spotify.com/track/{SP_SMILE.spotify_id}"}
    assert [p.source for p in linked_mb.also] == ["spotify"]
    assert linked_sp.ids["mbid"] == MB_SMILE.mbid
    assert linked_sp.links["musicbrainz"] == f"https://musicbrainz.org/recording/{MB_SMILE.mbid}"
    assert untouched is plain


def test_a_skipped_source_costs_nothing(online_config: Callable[..., Config], closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    sp = SpotifySource(online_config(spotify_api_url=url + "/v1/", spotify_token_url=url + "/api/token"))
    candidate = Candidate("Smile", "Nat King Cole", "musicbrainz", ids={"mbid": "m", "isrc": "QZCUE0000001"})
    assert crosslink([candidate], [sp]) == [candidate]


def test_save_records_disagreements_instead_of_overwriting(
        httpserver: HTTPServer, online_config: Callable[..., Config], conn: sqlite3.Connection) -> None:
    serve_both(httpserver)
    config = online_config()
    (hit,) = MusicBrainzSource(config).search(SongQuery(title="Smile", isrc=MB_SMILE.isrc), limit=5)
    (linked,) = crosslink([hit], [SpotifySource(config)])
    rid = save_candidate(conn, linked)
    row = conn.execute("SELECT title, artist, album, year, duration_ms, isrc, mbid, spotify_id, links, source "
                       "FROM recordings WHERE id = ?", [rid]).fetchone()
    # MusicBrainz's facts are the row; Spotify filled only what was missing.
    assert row[:8] == ("Smile", "Nat King Cole", "Smile", 1954, 170_000, MB_SMILE.isrc, MB_SMILE.mbid,
                       SP_SMILE.spotify_id)
    assert set(json.loads(row[8])) == {"musicbrainz", "spotify"}
    assert row[9] == "musicbrainz"
    disagreements = {d.field: d.values for d in recording_disagreements(conn, rid)}
    assert disagreements == {
        "album": (("Smile", ("musicbrainz",)), ("The Greatest Hits", ("spotify",))),
        "year": (("1954", ("musicbrainz",)), ("1998", ("spotify",))),
    }  # 170 s vs 171 s is the same length, not a disagreement
    # Saving again finds the same row and adds nothing.
    assert save_candidate(conn, linked) == rid
    assert conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM recording_claims").fetchone()[0] == 4


def test_save_fills_a_catalog_row_and_keeps_its_values(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO recordings (title, artist, album, year, source) "
                 "VALUES ('Elastic Heart', 'Sia', '1000 Forms of Fear', 2014, 'catalog')")
    candidate = Candidate("Elastic Heart", "Sia", "spotify", album="1000 Forms of Fear", year=2015,
                          duration_ms=257_000, ids={"spotify_id": "0CueTrk000000000000001", "isrc": "QZCUE0000009"})
    rid = save_candidate(conn, candidate)
    assert rid == 1
    row = conn.execute("SELECT year, duration_ms, isrc, spotify_id FROM recordings").fetchone()
    assert row == (2014, 257_000, "QZCUE0000009", "0CueTrk000000000000001")
    (d,) = recording_disagreements(conn, rid)
    assert d.to_json() == {"field": "year", "values": [{"value": "2014", "sources": ["catalog"]},
                                                       {"value": "2015", "sources": ["spotify"]}]}


def test_plan_merge_says_what_to_write_without_a_database() -> None:
    """crosslink compares and returns a plan; only recordings.store writes it."""
    from cuesheet.sources.crosslink import RECORDING_FIELDS, plan_merge

    current = dict.fromkeys(RECORDING_FIELDS)
    current.update(title="Elastic Heart", artist="Sia", album="1000 Forms of Fear", year=2014)
    candidate = Candidate("Elastic Heart", "Sia", "spotify", album="1000 forms of fear", year=2015,
                          ids={"spotify_id": "0CueTrk000000000000001"},
                          links={"spotify": "https://sp/1", "musicbrainz": "https://mb/new"})
    plan = plan_merge(current, json.dumps({"musicbrainz": "https://mb/old"}), "catalog", candidate)
    assert plan.updates == {"spotify_id": "0CueTrk000000000000001",
                            "links": json.dumps({"musicbrainz": "https://mb/old", "spotify": "https://sp/1"},
                                                sort_keys=True)}
    assert plan.disagree == ("year", "link:musicbrainz")  # the album differs only in case
    assert plan.claims == (
        ("year", 2014, "catalog", None), ("year", 2015, "spotify", "0CueTrk000000000000001"),
        ("link:musicbrainz", "https://mb/old", "catalog", None),
        ("link:musicbrainz", "https://mb/new", "spotify", "0CueTrk000000000000001"),
    )


@pytest.mark.parametrize("field, a, b, same", [
    ("artist", "Sia feat. The Weeknd & Diplo", "Sia, The Weeknd, Diplo", True),
    ("artist", "Sia", "Sia feat. Diplo", False),
    ("title", "Both Sides, Now", "both sides now", True),
    ("duration_ms", 170_000, 172_000, True),
    ("duration_ms", 170_000, 175_000, False),
    ("isrc", "qzcue0000001", "QZCUE0000001", True),
    ("year", 1954, 1955, False),
])
def test_same_value(field: str, a: object, b: object, same: bool) -> None:
    assert same_value(field, a, b) is same


def test_combine_keeps_both_ids_and_the_other_view(conn: sqlite3.Connection) -> None:
    from cuesheet.sources.crosslink import combine

    mb = Candidate("Smile", "Nat King Cole", "musicbrainz", album="Smile", year=1954,
                   ids={"mbid": "m1", "isrc": "QZCUE0000001"}, links={"musicbrainz": "https://mb/m1"})
    sp = Candidate("Smile", "Nat King Cole", "spotify", album="Greatest Hits", year=1998,
                   ids={"spotify_id": "s1", "isrc": "QZCUE0000001"}, links={"spotify": "https://sp/s1"})
    both = combine(mb, sp)
    assert both.source == "musicbrainz" and both.album == "Smile"
    assert both.ids == {"mbid": "m1", "isrc": "QZCUE0000001", "spotify_id": "s1"}
    assert set(both.links) == {"musicbrainz", "spotify"}
    rid = save_candidate(conn, both)
    assert {d.field for d in recording_disagreements(conn, rid)} == {"album", "year"}
