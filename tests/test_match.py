from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.matching import (
    DEFAULT_WEIGHTS,
    Identification,
    Scored,
    Weights,
    artist_similarity,
    duration_similarity,
    identify,
    match_songs,
    title_similarity,
    verdict,
    version_similarity,
)
from cuesheet.matching.verdict import Calibration
from cuesheet.notation.normalize import Version, split_version
from cuesheet.recordings import importer
from cuesheet.sources import Candidate
from cuesheet.sources.catalog import CatalogSource, candidate_ids, near_terms

ROWS = [
    ("Elastic Heart", "Sia feat. The Weeknd & Diplo", "The Hunger Games: Catching Fire", 2013, 257),
    ("Elastic Heart", "Sia", "1000 Forms of Fear", 2014, 257),
    ("Deep in a Dream", "Chet Baker", "Chet Baker Sings", 1956, 200),
    ("Deep in a Dream", "Frank Sinatra", "In the Wee Small Hours", 1955, 170),
    ("Ain't No Sunshine", "Bill Withers", "Just As I Am", 1971, 125),
    ("When I Was Your Man", "Bruno Mars", "Unorthodox Jukebox", 2012, 213),
    ("Roads", "Portishead", "Dummy", 1994, 305),
    ("Roads - Live", "Portishead", "Roseland NYC Live", 1998, 320),
    ("Smile", "Nat King Cole", None, 1954, 170),
    ("Baker Street", "Gerry Rafferty", "City to City", 1978, 365),
    ("Beyoncé Halo", "Beyoncé", "I Am... Sasha Fierce", 2008, 261),
    ("Halo", "Beyoncé", "I Am... Sasha Fierce", 2008, 261),
    ("Hello", "Lionel Richie", "Can't Slow Down", 1983, 251),
]


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = connect(tmp_path / "m.sqlite", create=True).conn
    rows = [importer.CatalogRow(t, a, al, y, d * 1000, None, None, None) for t, a, al, y, d in ROWS]
    with transaction(c):
        importer.insert_rows(c, rows)
    return c


def ask(conn: sqlite3.Connection, text: str, **kw: object) -> Identification:
    return identify(text, [CatalogSource(conn)], **kw)  # type: ignore[arg-type]


# --- components ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "candidate", "low", "high"),
    [
        ("elastic heart", "elastic heart", 1.0, 1.0),
        ("elastik hart", "elastic heart", 0.8, 0.95),
        ("heart elastic", "elastic heart", 1.0, 1.0),  # word order
        ("aint no sunshine", "aint no sunshine", 1.0, 1.0),
        ("roads", "baker street", 0.0, 0.4),
    ],
)
def test_title_similarity(query: str, candidate: str, low: float, high: float) -> None:
    assert low <= title_similarity(query, candidate) <= high


@pytest.mark.parametrize(
    ("query", "credit", "low", "high"),
    [
        ("Sia", "Sia feat. The Weeknd & Diplo", 1.0, 1.0),  # main artist of a shared credit
        ("beatles", "The Beatles", 1.0, 1.0),  # leading "The" dropped
        ("beyonce", "Beyoncé", 1.0, 1.0),  # accents folded
        ("garfunkel", "Simon & Garfunkel", 0.85, 0.9),  # named in the credit
        ("chet baker", "Frank Sinatra", 0.0, 0.5),
    ],
)
def test_artist_similarity(query: str, credit: str, low: float, high: float) -> None:
    assert low <= artist_similarity(query, credit) <= high


@pytest.mark.parametrize(
    ("asked", "has", "expected"),
    [
        ("Song", "Song", 1.0),
        ("Song (Live)", "Song - Live", 1.0),
        ("Song", "Song - 2011 Remaster", 0.95),  # same performance, remastered
        ("Song", "Song (Live at Wembley)", 0.6),  # a plain query prefers the studio cut
        ("Song (Live)", "Song", 0.45),  # asked for live, got the studio cut
        ("Song (Acoustic)", "Song (Live)", 0.3),
    ],
)
def test_version_similarity(asked: str, has: str, expected: float) -> None:
    assert version_similarity(split_version(asked)[1], split_version(has)[1]) == pytest.approx(expected)


def test_version_year_chooses() -> None:
    asked = Version(frozenset({"re-recording"}), 2000)
    assert version_similarity(asked, Version(frozenset({"re-recording"}), 2000)) > \
        version_similarity(asked, Version(frozenset({"re-recording"}), 1969))


@pytest.mark.parametrize(("a", "b", "expected"), [(200_000, 202_000, 1.0), (200_000, 230_000, 0.0),
                                                   (200_000, 216_500, 0.5)])
def test_duration_similarity(a: int, b: int, expected: float) -> None:
    assert duration_similarity(a, b) == pytest.approx(expected, abs=0.01)


def _scored(score: float) -> Scored:
    return Scored(Candidate("t", "a", "catalog"), score, {"title": 1.0, "artist": 1.0}, [])


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([0.95], "accepted"), ([0.95, 0.93], "review"), ([0.95, 0.90], "accepted"),
     ([0.7], "review"), ([0.5], "no_match"), ([], "no_match")],
)
def test_verdict_needs_threshold_and_gap(scores: list[float], expected: str) -> None:
    # A model that trusts the score alone: p = 0.73 at 0.95, 0.02 at 0.7; the gap rule is hard.
    model = Calibration({"score": 20.0}, -18.0, accept=0.5)
    assert verdict([_scored(s) for s in scores], calibration=model) == expected


def test_weights_are_explicit_and_frozen() -> None:
    # `review` and `gap` still bound the model's verdict; `accept` is the line without a model.
    assert verdict([_scored(0.95), _scored(0.85)]) == "accepted"
    assert verdict([_scored(0.95), _scored(0.85)], Weights(gap=0.2)) == "review"
    assert verdict([_scored(0.95)], Weights(review=0.96)) == "no_match"
    with pytest.raises(Exception):
        DEFAULT_WEIGHTS.accept = 0.1  # type: ignore[misc]


# --- identify ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "artist"),
    [
        ("roads portishead", "Roads", "Portishead"),
        ("portishead roads", "Roads", "Portishead"),
        ("Portishead - Roads", "Roads", "Portishead"),
        ("Roads - Portishead", "Roads", "Portishead"),
        ("Roads by Portishead", "Roads", "Portishead"),
        ("Portishead: Roads", "Roads", "Portishead"),
        ("baker street gerry rafferty", "Baker Street", "Gerry Rafferty"),
        ("deep in a dream chet baker", "Deep in a Dream", "Chet Baker"),
        ("aint no sunshine bill withers", "Ain't No Sunshine", "Bill Withers"),
        ("Smile (feat. Somebody) - Nat King Cole", "Smile", "Nat King Cole"),
        ("smiel nat king cole", "Smile", "Nat King Cole"),
    ],
)
def test_identify_accepts_the_song_in_any_order(conn: sqlite3.Connection, text: str, title: str,
                                                artist: str) -> None:
    ident = ask(conn, text)
    assert ident.verdict == "accepted", ident.to_json()
    assert (ident.best.candidate.title, ident.best.candidate.artist) == (title, artist)  # type: ignore[union-attr]


def test_version_words_choose_between_takes(conn: sqlite3.Connection) -> None:
    studio = ask(conn, "Roads - Portishead")
    live = ask(conn, "Portishead - Roads (live)")
    assert studio.best.candidate.album == "Dummy"  # type: ignore[union-attr]
    assert live.best.candidate.album == "Roseland NYC Live"  # type: ignore[union-attr]
    assert any("version" in r for r in live.best.reasons)  # type: ignore[union-attr]


def test_two_equal_takes_go_to_review(conn: sqlite3.Connection) -> None:
    ident = ask(conn, "elastic heart sia")
    assert ident.verdict == "review"
    assert {c.candidate.year for c in ident.candidates[:2]} == {2013, 2014}


def test_duration_chooses_a_take(conn: sqlite3.Connection) -> None:
    ident = ask(conn, "Deep in a Dream", artist="Chet Baker", duration_ms=200_000)
    assert ident.verdict == "accepted"
    assert any(r.startswith("duration 1.00") for r in ident.best.reasons)  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "hello adele",  # same title, other artist
    "Deep in a Dream - Ella Fitzgerald",  # a cover the catalog lacks
    "roads",  # a title alone cannot tell covers apart
    "bohemian rhapsody queen",  # nothing like it
])
def test_songs_not_in_the_catalog_are_never_accepted(conn: sqlite3.Connection, text: str) -> None:
    assert ask(conn, text).verdict in ("review", "no_match")


def test_nothing_like_it_is_no_match(conn: sqlite3.Connection) -> None:
    assert ask(conn, "bohemian rhapsody queen").verdict == "no_match"


def test_mashup_splits_when_each_part_matches(conn: sqlite3.Connection) -> None:
    ident = ask(conn, "Ain't No Sunshine - Bill Withers / When I Was Your Man - Bruno Mars")
    assert [p.best.candidate.title for p in ident.parts] == [  # type: ignore[union-attr]
        "Ain't No Sunshine", "When I Was Your Man"]
    assert ident.verdict == "accepted"
    out = ident.to_json()
    assert [c["title"] for c in out["candidates"]] == ["Ain't No Sunshine", "When I Was Your Man"]
    assert len(out["parts"]) == 2


def test_name_with_a_slash_is_not_a_mashup(tmp_path: Path) -> None:
    c = connect(tmp_path / "b.sqlite", create=True).conn
    importer.insert_rows(c, [importer.CatalogRow("Blood // Water", "grandson", None, 2018, None, None, None, None)])
    ident = identify("Blood // Water - grandson", [CatalogSource(c)])
    assert ident.parts == []
    assert ident.verdict == "accepted"


def test_json_contract(conn: sqlite3.Connection) -> None:
    out = ask(conn, "roads portishead").to_json()
    assert set(out) == {"query", "verdict", "candidates"}
    first = out["candidates"][0]
    assert set(first) >= {"title", "artist", "album", "year", "duration", "version", "score", "source",
                          "ids", "reasons"}
    assert 0.0 <= first["score"] <= 1.0
    assert first["duration"] == 305
    assert json.dumps(out)


# --- candidate generation ------------------------------------------------------------------


def test_misspelt_words_find_their_neighbours(conn: sqlite3.Connection) -> None:
    assert "elastic" in near_terms(conn, "elastik")
    assert candidate_ids(conn, ["elastik", "hart"])


@pytest.mark.parametrize("text", ['"', '""', "*", "NEAR(", "-roads", "^roads", "(roads", "roads)",
                                  "a AND", "OR", "", "   ", "title:roads", "'; DROP TABLE recordings; --"])
def test_fts_syntax_in_queries_is_just_text(conn: sqlite3.Connection, text: str) -> None:
    ident = ask(conn, text)
    assert ident.verdict in ("accepted", "review", "no_match")
    assert conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == len(ROWS)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_a_verdict(text: str) -> None:
    c = _FUZZ_CONN
    ident = identify(text, [CatalogSource(c)])
    assert ident.verdict in ("accepted", "review", "no_match")
    assert all(0.0 <= s.score <= 1.0 for s in ident.candidates)


_FUZZ_CONN = connect(":memory:", create=True).conn
importer.insert_rows(_FUZZ_CONN, [importer.CatalogRow(t, a, al, y, d * 1000, None, None, None)
                                 for t, a, al, y, d in ROWS])


# --- match_songs -----------------------------------------------------------------------------


def test_match_keeps_curator_decisions(shipped_db: Path) -> None:
    c = connect(shipped_db).conn
    # A curator rejected one song's candidates and pinned another by hand.
    c.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'rejected' WHERE title = 'Roads'")
    c.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'curated' WHERE title = 'Smile'")
    before = c.execute("SELECT id, recording_id, match_status FROM cue_songs ORDER BY id").fetchall()
    report = match_songs(c, [CatalogSource(c)])
    after = c.execute("SELECT id, recording_id, match_status FROM cue_songs ORDER BY id").fetchall()
    assert before == after  # Elastic Heart is re-examined, still review; nothing decided changes
    assert report.considered == 1 and report.review == 1
    again = match_songs(c, [CatalogSource(c)])
    assert c.execute("SELECT id, recording_id, match_status FROM cue_songs ORDER BY id").fetchall() == after
    assert again.accepted == 0


def test_match_stores_candidates_for_review(shipped_db: Path) -> None:
    c = connect(shipped_db).conn
    rows = c.execute(
        """SELECT m.rank, m.title, m.artist, m.year, m.reasons FROM match_candidates m
           JOIN cue_songs s ON s.id = m.cue_song_id WHERE s.title = 'Elastic Heart' ORDER BY m.rank"""
    ).fetchall()
    assert [r[1] for r in rows[:2]] == ["Elastic Heart", "Elastic Heart"]
    assert {r[3] for r in rows[:2]} == {2013, 2014}
    assert any("title 1.00" in reason for reason in json.loads(rows[0][4]))


def test_match_links_new_recordings_from_other_sources(tmp_path: Path, shipped_db: Path) -> None:
    c = connect(shipped_db).conn

    class Fixed:
        name = "musicbrainz"

        def search(self, query, *, limit=10):  # type: ignore[no-untyped-def]
            return [Candidate("Elastic Heart", "Sia", "musicbrainz", album="1000 Forms of Fear", year=2014,
                              duration_ms=257_000, ids={"mbid": "5a0e7a4e-1b1e-4c3f-9c1b-0d5f1c3b2a11"})]

        def lookup(self, source_id):  # type: ignore[no-untyped-def]
            return None

    c.execute("DELETE FROM recordings WHERE title = 'Elastic Heart'")
    report = match_songs(c, [Fixed()])
    assert report.accepted == 1
    row = c.execute("""SELECT r.mbid, r.source, s.match_status FROM cue_songs s
                       JOIN recordings r ON r.id = s.recording_id WHERE s.title = 'Elastic Heart'""").fetchone()
    assert row == ("5a0e7a4e-1b1e-4c3f-9c1b-0d5f1c3b2a11", "musicbrainz", "accepted")


def test_unbracketed_year_and_version_words_are_versions(shipped_db: Path) -> None:
    c = connect(shipped_db).conn
    year = identify("both sides now joni mitchell 2000", [CatalogSource(c)])
    assert (year.verdict, year.best.candidate.year) == ("accepted", 2000)  # type: ignore[union-attr]
    assert "year 1.00: asked 2000, candidate 2000" in year.best.reasons  # type: ignore[union-attr]
    # Without the year, Joni Mitchell's 1969 and 2000 recordings tie: review.
    assert identify("both sides now joni mitchell", [CatalogSource(c)]).verdict == "review"
    live = identify("roads portishead live", [CatalogSource(c)])
    assert any(r.startswith("version") and "asked live" in r for r in live.best.reasons)  # type: ignore[union-attr]


def _c(source: str, title: str = "Elastic Heart", artist: str = "Sia", **kw: object) -> Candidate:
    return Candidate(title, artist, source, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (_c("catalog", year=2014), _c("musicbrainz", year=2014, duration_ms=202_000), True),
        (_c("catalog", year=2013), _c("musicbrainz", year=2014), False),  # another release
        (_c("catalog"), _c("catalog"), False),  # one source, two rows, nothing to tell: two
        (_c("musicbrainz", duration_ms=202_000), _c("musicbrainz", duration_ms=203_500), True),
        (_c("musicbrainz", duration_ms=202_000), _c("musicbrainz", duration_ms=260_000), False),
        (_c("spotify", ids={"isrc": "QZCUE0000001"}), _c("musicbrainz", "Other", ids={"isrc": "QZCUE0000001"}), True),
        (_c("musicbrainz", ids={"mbid": "a"}), _c("musicbrainz", ids={"mbid": "b"}), False),
        (_c("catalog", "Elastic Heart (Live)"), _c("musicbrainz"), False),  # version differs
        (_c("catalog", artist="Sia feat. Diplo"), _c("spotify", artist="Sia, Diplo"), True),
    ],
)
def test_same_recording(a: Candidate, b: Candidate, same: bool) -> None:
    from cuesheet.matching import same_recording

    assert same_recording(a, b) is same


class _Listing:
    """A source answering with fixed candidates (as MusicBrainz or Spotify would)."""

    def __init__(self, name: str, candidates: list[Candidate]) -> None:
        self.name = name
        self._candidates = candidates

    def search(self, query, *, limit=10):  # type: ignore[no-untyped-def]
        return list(self._candidates)

    def lookup(self, source_id):  # type: ignore[no-untyped-def]
        return None


def test_sources_describing_one_recording_are_one_candidate(conn: sqlite3.Connection) -> None:
    mb = _Listing("musicbrainz", [
        _c("musicbrainz", "Roads", "Portishead", album="Dummy", year=1994, duration_ms=305_000,
           ids={"mbid": "m-roads", "isrc": "GBAAA9400001"}),
        # The same recording again, on a compilation: not a rival.
        _c("musicbrainz", "Roads", "Portishead", album="Best Of", year=1994, duration_ms=305_000,
           ids={"mbid": "m-roads"}),
    ])
    sp = _Listing("spotify", [
        _c("spotify", "Roads", "Portishead", album="Dummy", year=1994, duration_ms=305_000,
           ids={"spotify_id": "s-roads", "isrc": "GBAAA9400001"}),
        # Spotify's compilation track: another track id, the same ISRC.
        _c("spotify", "Roads", "Portishead", album="Hits", year=1994, duration_ms=305_000,
           ids={"spotify_id": "s-roads-hits", "isrc": "GBAAA9400001"}),
    ])
    ident = identify("Roads - Portishead", [CatalogSource(conn), mb, sp])
    assert ident.verdict == "accepted"
    best = ident.to_json()["candidates"][0]
    assert best["source"] == "catalog"
    assert set(best["sources"]) == {"catalog", "musicbrainz", "spotify"}
    assert best["ids"] == {"mbid": "m-roads", "isrc": "GBAAA9400001", "spotify_id": "s-roads"}


def test_match_saves_both_ids_and_keeps_disagreements(shipped_db: Path) -> None:
    c = connect(shipped_db).conn
    c.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'unmatched' WHERE title = 'Roads'")
    mb = _Listing("musicbrainz", [_c("musicbrainz", "Roads", "Portishead", album="Dummy", year=1994,
                                     duration_ms=305_000, ids={"mbid": "m-roads", "isrc": "GBAAA9400001"})])
    sp = _Listing("spotify", [_c("spotify", "Roads", "Portishead", album="Dummy (Remastered)", year=1994,
                                 duration_ms=305_000, ids={"spotify_id": "s-roads", "isrc": "GBAAA9400001"})])
    report = match_songs(c, [CatalogSource(c), mb, sp])
    assert report.accepted == 1
    row = c.execute("""SELECT r.mbid, r.spotify_id, r.isrc, r.album FROM cue_songs s
                       JOIN recordings r ON r.id = s.recording_id WHERE s.title = 'Roads'""").fetchone()
    assert row == ("m-roads", "s-roads", "GBAAA9400001", "Dummy")  # the catalog's album stays
    albums = {v for (v,) in c.execute("SELECT value FROM recording_claims WHERE field = 'album'")}
    assert albums == {"Dummy", "Dummy (Remastered)"}
