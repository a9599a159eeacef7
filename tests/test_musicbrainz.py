"""The real musicbrainzngs against a loopback server speaking MusicBrainz's XML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import musicbrainzngs.musicbrainz as mbmod
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cuesheet.config import Config
from cuesheet.db.connection import connect
from cuesheet.errors import InputError, SourceError
from cuesheet.recordings.store import save_works
from cuesheet.recordings.works import works_for_recording
from cuesheet.sources import SongQuery, SourceSkipped
from cuesheet.sources.cache import Cache
from cuesheet.sources.musicbrainz import MusicBrainzSource, build_query, lucene_escape
from cuesheet.sources.online import SourceFailed
from tests import factories as f

XML = "application/xml; charset=utf-8"
ELASTIC = f.song(1, "Elastic Heart", ("Sia", "The Weeknd", "Diplo"), joinphrase=" feat. ",
                 album="The Hunger Games: Catching Fire", date="2013-10-14", duration_ms=257_000,
                 works=(f.FakeWork("Elastic Heart", composers=("Sia Furler", "Greg Kurstin"),
                                   lyricists=("Sia Furler",), publishers=("Fake Publishing Ltd",),
                                   iswc="T-000.000.001-1"),))
SOLO = f.song(2, "Elastic Heart", "Sia", album="1000 Forms of Fear", date="2014-07-04",
              duration_ms=257_000, disambiguation="solo version")


@pytest.fixture
def source(online_config: Callable[..., Config], tmp_path: Path) -> MusicBrainzSource:
    config = online_config()
    return MusicBrainzSource(config, Cache(config.cache_file(), ttl_days=config.cache_ttl_days),
                             sleep=lambda s: None)


def serve(httpserver: HTTPServer, body: str, status: int = 200, path: str = "/ws/2/recording/",
          **kwargs: object) -> None:
    httpserver.expect_request(path, **kwargs).respond_with_data(body, status=status, content_type=XML)


# --- queries ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("AC/DC", r"ac\/dc"),
    ("Hello (Reprise)", r"hello \(reprise\)"),
    ('say "hi" AND bye', r"say \"hi\" and bye"),
    ("rock && roll || not", r"rock \&\& roll \|\| not"),
    ("a+b-c!d^e~f*g?h:i\\j{k}[l]", r"a\+b\-c\!d\^e\~f\*g\?h\:i\\j\{k\}\[l\]"),
    ("  spaced   out  ", "spaced out"),
])
def test_lucene_escape(text: str, expected: str) -> None:
    assert lucene_escape(text) == expected


def test_query_from_title_artist_and_duration() -> None:
    q = build_query(SongQuery(title="Elastic Heart", artist="Sia", duration_ms=257_000))
    assert q == "recording:(elastic heart) artist:(sia) dur:[247000 TO 267000]"
    assert build_query(SongQuery(title="x", isrc="qzcue0000001")) == "isrc:QZCUE0000001"
    assert build_query(SongQuery(title="NOT (this)")) == r"recording:(not \(this\))"
    assert build_query(SongQuery(title="   ")) == ""


# --- searching ------------------------------------------------------------------------------

def test_search_maps_recordings_to_candidates(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    serve(httpserver, f.mb_search([ELASTIC, SOLO], [100, 88]),
          query_string={"limit": "5", "query": "recording:(elastic heart) artist:(sia)"})
    found = source.search(SongQuery(title="Elastic Heart", artist="Sia"), limit=5)
    assert [c.title for c in found] == ["Elastic Heart", "Elastic Heart"]
    first, second = found
    assert first.artist == "Sia feat. The Weeknd feat. Diplo"
    assert first.source == "musicbrainz"
    assert first.album == "The Hunger Games: Catching Fire"
    assert first.year == 2013
    assert first.duration_ms == 257_000
    assert first.ids == {"mbid": ELASTIC.mbid, "isrc": ELASTIC.isrc}
    assert first.links == {"musicbrainz": f"https://musicbrainz.org/recording/{ELASTIC.mbid}"}
    assert first.source_score == 1.0
    assert second.source_score == 0.88
    assert second.version == "solo version"


def test_user_agent_and_host_come_from_config(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(f.mb_search([]), content_type=XML)

    httpserver.expect_request("/ws/2/recording/").respond_with_handler(handler)
    assert source.search(SongQuery(title="nothing here")) == []
    assert seen and seen[0].startswith("cuesheet/0.1.0 python-musicbrainzngs/")
    assert seen[0].endswith("( tests@example.invalid )")


def test_empty_results_are_an_answer_and_cached(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    serve(httpserver, f.mb_search([]))
    assert source.search(SongQuery(title="no such song")) == []
    assert source.search(SongQuery(title="no such song")) == []
    assert len(httpserver.log) == 1


def test_lookup_by_mbid_with_isrcs_and_works(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    serve(httpserver, f.mb_lookup(ELASTIC), path=f"/ws/2/recording/{ELASTIC.mbid}",
          query_string={"inc": "artists releases isrcs work-rels"})
    work_id = f.mbid(10, "work")
    serve(httpserver, f.mb_work(ELASTIC), path=f"/ws/2/work/{work_id}",
          query_string={"inc": "artist-rels label-rels"})
    candidate = source.lookup(ELASTIC.mbid)
    assert candidate is not None and candidate.ids["mbid"] == ELASTIC.mbid
    assert candidate.source_score is None
    assert source.isrcs(ELASTIC.mbid) == [ELASTIC.isrc]
    (work,) = source.works(ELASTIC.mbid)
    assert work.title == "Elastic Heart" and work.mbid == work_id and work.iswc == "T-000.000.001-1"
    assert work.composers == ["Sia Furler", "Greg Kurstin"]
    assert work.lyricists == ["Sia Furler"]
    assert work.publishers == ["Fake Publishing Ltd"]
    # The recording was looked up once, then answered from the cache.
    assert [r.path for r, _ in httpserver.log].count(f"/ws/2/recording/{ELASTIC.mbid}") == 1


def test_unknown_mbid_is_none(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    serve(httpserver, f.mb_error("Not Found"), status=404, path=f"/ws/2/recording/{SOLO.mbid}")
    assert source.lookup(SOLO.mbid) is None
    assert source.works(SOLO.mbid) == []


def test_works_are_stored_for_exports(httpserver: HTTPServer, source: MusicBrainzSource, tmp_path: Path) -> None:
    serve(httpserver, f.mb_lookup(ELASTIC), path=f"/ws/2/recording/{ELASTIC.mbid}")
    serve(httpserver, f.mb_work(ELASTIC), path=f"/ws/2/work/{f.mbid(10, 'work')}")
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    rid = conn.execute("INSERT INTO recordings (title, artist, mbid) VALUES ('Elastic Heart', 'Sia', ?)",
                       [ELASTIC.mbid]).lastrowid
    save_works(conn, rid, source.works(ELASTIC.mbid))
    save_works(conn, rid, source.works(ELASTIC.mbid))  # again: nothing doubles
    (work,) = works_for_recording(conn, rid)
    assert [(c.role, c.name) for c in work.credits] == [
        ("composer", "Sia Furler"), ("composer", "Greg Kurstin"), ("lyricist", "Sia Furler"),
        ("publisher", "Fake Publishing Ltd")]
    assert conn.execute("SELECT count(*) FROM works").fetchone()[0] == 1


def test_official_host_is_held_to_one_request_per_second(online_config: Callable[..., Config]) -> None:
    fast = online_config(musicbrainz_url="https://musicbrainz.org", musicbrainz_rate=50.0)
    assert MusicBrainzSource(fast).rate == 1.0
    unlimited = online_config(musicbrainz_url="https://musicbrainz.org", musicbrainz_rate=0.0)
    assert MusicBrainzSource(unlimited).rate == 1.0
    mirror = online_config(musicbrainz_url="http://127.0.0.1:5000", musicbrainz_rate=5.0)
    source = MusicBrainzSource(mirror)
    assert source.rate == 5.0
    source._configure()
    assert (mbmod.hostname, mbmod.https) == ("127.0.0.1:5000", False)
    assert mbmod.limit_interval == pytest.approx(0.2) and mbmod.do_rate_limit


def test_bad_url_is_an_input_error(online_config: Callable[..., Config]) -> None:
    with pytest.raises(InputError, match="CUESHEET_MUSICBRAINZ_URL"):
        MusicBrainzSource(online_config(musicbrainz_url="ftp://example"))
    with pytest.raises(InputError, match="root of the host"):
        MusicBrainzSource(online_config(musicbrainz_url="http://127.0.0.1:5000/mb"))


# --- faults --------------------------------------------------------------------------------

def test_503_then_success(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    httpserver.expect_oneshot_request("/ws/2/recording/").respond_with_data("busy", status=503)
    serve(httpserver, f.mb_search([SOLO]))
    (hit,) = source.search(SongQuery(title="Elastic Heart"))
    assert hit.ids["mbid"] == SOLO.mbid
    assert len(httpserver.log) == 2


def test_musicbrainzngs_does_not_retry_behind_our_back(httpserver: HTTPServer,
                                                       online_config: Callable[..., Config]) -> None:
    """retries=0: exactly one request, not musicbrainzngs' eight."""
    httpserver.expect_request("/ws/2/recording/").respond_with_data("busy", status=503)
    source = MusicBrainzSource(online_config(retries=0), sleep=lambda s: None)
    with pytest.raises(SourceFailed):
        source.search(SongQuery(title="x"))
    assert len(httpserver.log) == 1


def test_500_forever_is_one_clear_line(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    httpserver.expect_request("/ws/2/recording/").respond_with_data("oops", status=500)
    with pytest.raises(SourceFailed) as info:
        source.search(SongQuery(title="Elastic Heart"))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("musicbrainz: server error (HTTP 500 from 127.0.0.1:")
    assert "after 2 retries" in message
    assert len(httpserver.log) == 3  # one try + 2 retries
    # The rest of the run does not wait through the same retries for every song.
    with pytest.raises(SourceFailed):
        source.search(SongQuery(title="Another song"))
    assert len(httpserver.log) == 3
    # Both families catch it: identify goes on (SourceSkipped), a CLI prints one line (SourceError).
    assert isinstance(info.value, SourceSkipped) and isinstance(info.value, SourceError)


def test_retries_back_off_exponentially(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    httpserver.expect_request("/ws/2/recording/").respond_with_data("oops", status=502)
    waits: list[float] = []
    source = MusicBrainzSource(online_config(retries=3, backoff=0.5), sleep=waits.append)
    with pytest.raises(SourceFailed):
        source.search(SongQuery(title="x"))
    assert waits == [0.5, 1.0, 2.0]


def test_503_with_retry_after_is_honoured_or_refused(httpserver: HTTPServer,
                                                     online_config: Callable[..., Config]) -> None:
    httpserver.expect_oneshot_request("/ws/2/recording/").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "1"})
    serve(httpserver, f.mb_search([SOLO]))
    waits: list[float] = []
    source = MusicBrainzSource(online_config(), sleep=waits.append)
    assert len(source.search(SongQuery(title="Elastic Heart"))) == 1
    assert waits == [1.0]

    httpserver.clear()
    httpserver.expect_request("/ws/2/recording/").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "3600"})
    with pytest.raises(SourceFailed, match="asks to wait 3600 s"):
        source.search(SongQuery(title="another"))
    assert len(httpserver.log) == 1


def test_timeout(slow_server: HTTPServer, online_config: Callable[..., Config]) -> None:
    import time

    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(f.mb_search([]), content_type=XML)

    slow_server.expect_request("/ws/2/recording/").respond_with_handler(slow)
    url = slow_server.url_for("/").rstrip("/")
    source = MusicBrainzSource(online_config(musicbrainz_url=url, timeout=0.2, retries=1),
                               sleep=lambda s: None)
    with pytest.raises(SourceFailed, match=r"no answer from 127\.0\.0\.1:\d+ within 0.2 s after 1 retry"):
        source.search(SongQuery(title="x"))
    import socket

    assert socket.getdefaulttimeout() is None  # the timeout was ours for the call only


@pytest.mark.parametrize("body, content_type, expected", [
    ("<metadata xmlns='http://musicbrainz.org/ns/mmd-2.0#'><recording-list", XML, "not valid XML"),
    ("<html><body>Welcome to nginx</body></html>", "text/html", "not MusicBrainz's"),
    ('{"recordings": []}', "application/json", "not valid XML"),
    (f.mb_document("<artist-list count='0'/>"), XML, "no recording list"),
])
def test_malformed_or_wrong_answers(httpserver: HTTPServer, source: MusicBrainzSource,
                                    body: str, content_type: str, expected: str) -> None:
    httpserver.expect_request("/ws/2/recording/").respond_with_data(body, content_type=content_type)
    with pytest.raises(SourceFailed, match=expected) as info:
        source.search(SongQuery(title="x"))
    assert "\n" not in str(info.value)


def test_truncated_body(raw_server: Callable[[bytes], str], online_config: Callable[..., Config]) -> None:
    body = f.mb_search([SOLO]).encode()
    url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body[:80])
    source = MusicBrainzSource(online_config(musicbrainz_url=url, retries=1), sleep=lambda s: None)
    with pytest.raises(SourceFailed, match="cut-off or garbled answer"):
        source.search(SongQuery(title="x"))


def test_refused_connection_skips_the_source_and_stays_down(
        online_config: Callable[..., Config], closed_port: int) -> None:
    source = MusicBrainzSource(online_config(musicbrainz_url=f"http://127.0.0.1:{closed_port}"))
    with pytest.raises(SourceSkipped) as info:
        source.search(SongQuery(title="x"))
    assert not isinstance(info.value, SourceError)
    assert str(info.value) == f"musicbrainz: cannot reach 127.0.0.1:{closed_port} (connection refused)"
    assert source.down is not None
    with pytest.raises(SourceSkipped):
        source.search(SongQuery(title="y"))


def test_400_is_a_clear_refusal(httpserver: HTTPServer, source: MusicBrainzSource) -> None:
    httpserver.expect_request("/ws/2/recording/").respond_with_data(f.mb_error("bad query"), status=400)
    with pytest.raises(SourceFailed, match=r"refused the request \(HTTP 400\)"):
        source.search(SongQuery(title="x"))
    assert len(httpserver.log) == 1  # a refusal is not retried


# --- cache and offline ------------------------------------------------------------------------

def test_cached_answers_work_offline_and_refresh_refetches(
        httpserver: HTTPServer, online_config: Callable[..., Config], closed_port: int) -> None:
    config = online_config()
    cache = Cache(config.cache_file())
    serve(httpserver, f.mb_search([SOLO]))
    MusicBrainzSource(config, cache).search(SongQuery(title="Elastic Heart", artist="Sia"))
    assert len(httpserver.log) == 1

    offline = MusicBrainzSource(config, cache, offline="--offline")
    assert [c.ids["mbid"] for c in offline.search(SongQuery(title="elastic  HEART", artist="sia"))] == [SOLO.mbid]
    assert offline.search(SongQuery(title="never asked")) == []

    down = MusicBrainzSource(online_config(musicbrainz_url=f"http://127.0.0.1:{closed_port}"), cache)
    assert len(down.search(SongQuery(title="Elastic Heart", artist="Sia"))) == 1

    serve(httpserver, f.mb_search([ELASTIC, SOLO]))
    httpserver.clear()
    serve(httpserver, f.mb_search([ELASTIC, SOLO]))
    fresh = MusicBrainzSource(config, cache, refresh=True)
    assert len(fresh.search(SongQuery(title="Elastic Heart", artist="Sia"))) == 2
    assert len(MusicBrainzSource(config, cache, offline="x").search(
        SongQuery(title="Elastic Heart", artist="Sia"))) == 2


def test_stale_entries_are_refetched(httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    config = online_config(cache_ttl_days=1)
    cache = Cache(config.cache_file(), ttl_days=1)
    key = "@127.0.0.1 search recording recording:(x) limit=10"
    cache.put("musicbrainz", key, {"recording-list": []}, now=1.0)  # 1970: long stale
    assert cache.get("musicbrainz", key) is not None
    serve(httpserver, f.mb_search([SOLO]))
    assert len(MusicBrainzSource(config, cache).search(SongQuery(title="x"))) == 1
    assert len(httpserver.log) == 1


def test_fetch_works_for_recordings_with_an_mbid(httpserver: HTTPServer, source: MusicBrainzSource,
                                                 tmp_path: Path) -> None:
    from cuesheet.recordings.store import fetch_works
    from cuesheet.recordings.works import works_checked

    serve(httpserver, f.mb_lookup(ELASTIC), path=f"/ws/2/recording/{ELASTIC.mbid}")
    serve(httpserver, f.mb_work(ELASTIC), path=f"/ws/2/work/{f.mbid(10, 'work')}")
    serve(httpserver, f.mb_error("Not Found"), status=404, path=f"/ws/2/recording/{SOLO.mbid}")
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    for mbid in (ELASTIC.mbid, SOLO.mbid, None):
        conn.execute("INSERT INTO recordings (title, artist, mbid) VALUES ('t', 'a', ?)", [mbid])
    report = fetch_works(conn, source)
    assert (report.checked, report.works, report.skipped) == (2, 1, None)
    assert works_checked(conn, 1) and works_checked(conn, 2) and not works_checked(conn, 3)
    assert fetch_works(conn, source).checked == 0  # checked ones are not asked again
    assert [w.title for w in works_for_recording(conn, 1)] == ["Elastic Heart"]
    assert works_for_recording(conn, 2) == []


def test_fetch_works_stops_with_the_reason_when_offline(online_config: Callable[..., Config],
                                                        tmp_path: Path) -> None:
    from cuesheet.recordings.store import fetch_works

    conn = connect(tmp_path / "x.sqlite", create=True).conn
    conn.execute("INSERT INTO recordings (title, artist, mbid) VALUES ('t', 'a', ?)", [ELASTIC.mbid])
    report = fetch_works(conn, MusicBrainzSource(online_config(), offline="--offline"))
    assert (report.checked, report.works, report.skipped) == (0, 0, "musicbrainz: --offline")
    assert conn.execute("SELECT works_checked_at FROM recordings").fetchone()[0] is None


def test_a_mirrors_answers_are_cached_apart_from_the_official_hosts(
        httpserver: HTTPServer, online_config: Callable[..., Config]) -> None:
    """Answers from the loopback fakes must not stand in for musicbrainz.org's later."""
    config = online_config()
    cache = Cache(config.cache_file())
    serve(httpserver, f.mb_search([SOLO]))
    MusicBrainzSource(config, cache).search(SongQuery(title="Elastic Heart", artist="Sia"))
    official = MusicBrainzSource(online_config(musicbrainz_url="https://musicbrainz.org"), cache, offline="--offline")
    assert official.search(SongQuery(title="Elastic Heart", artist="Sia")) == []
    elsewhere_port = MusicBrainzSource(online_config(musicbrainz_url="http://127.0.0.1:9"), cache, offline="x")
    assert len(elsewhere_port.search(SongQuery(title="Elastic Heart", artist="Sia"))) == 1
