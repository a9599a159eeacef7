"""Identify v3 (#21): album, year and track-number evidence, surname-first names, cut-off text.

One table per reading, against a small catalog with the competitors that make each case
hard: one song on two albums by the same act, the same title by other acts, titles that
begin alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.matching import identify
from cuesheet.matching.readings import read_query
from cuesheet.notation.normalize import fold
from cuesheet.recordings import importer
from cuesheet.sources.catalog import CatalogSource

ROWS = [  # title, artist, album, year
    ("Leaving on a Jet Plane", "John Denver", "The Best of John Denver", 1973),
    ("Leaving on a Jet Plane", "John Denver", "Rocky Mountain Collection", 1996),
    ("Leaving on a Jet Plane", "Peter, Paul and Mary", "Album 1700", 1967),
    ("Take Me Home, Country Roads", "John Denver", "Poems, Prayers & Promises", 1971),
    ("Angels Guard Thee", "Black Dyke Band", "The Essential Dyke", None),
    ("Angels Guard Thee", "Black Dyke Mills Band", "Hymns", None),
    ("I Will Always Love You", "Whitney Houston", "The Bodyguard", 1992),
    ("I Will Always Love You", "Dolly Parton", "Jolene", 1974),
    ("Greatest Love of All", "Whitney Houston", "Whitney Houston", 1985),
    ("How Will I Know", "Whitney Houston", "Whitney Houston", 1985),
    ("Symphony No. 5", "Ludwig van Beethoven", "Symphonies", None),
    ("How Do You Catch A Girl", "Ray Sommers", "Singles", 1961),
    ("How Do You Do", "Roxette", "Tourism", 1992),
    ("How Do You Do It", "Gerry and the Pacemakers", "Singles", 1963),
    ("Dancing Queen", "ABBA", "Arrival", 1976),
    ("Dancing in the Dark", "Bruce Springsteen", "Born in the U.S.A.", 1984),
    ("Dancing in the Street", "Martha and the Vandellas", "Dance Party", 1964),
    ("Rosanna", "Toto", "Toto IV", 1982),
    ("Africa", "Toto", "Toto IV", 1982),
    ("Rock Me Amadeus", "Falco", "Falco 3", 1985),
    ("Rock the Casbah", "The Clash", "Combat Rock", 1982),
    ("Fear and Friday's (Poem)", "Zach Bryan", "American Heartbreak", 2022),
    ("Make It Funky (Part 1)", "James Brown", "Make It Funky", 1971),
    ("Me!", "Taylor Swift", "Lover", 2019),
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    c = connect(tmp_path_factory.mktemp("v3") / "c.sqlite", create=True).conn
    with transaction(c):
        importer.insert_rows(c, [importer.CatalogRow(t, a, al, y, None, None, None, None) for t, a, al, y in ROWS])
    yield c
    c.close()


def ask(conn: sqlite3.Connection, text: str):  # type: ignore[no-untyped-def]
    return identify(text, [CatalogSource(conn)], mashups=False)


def check(conn: sqlite3.Connection, text: str, title: str, artist: str, album: str | None = None) -> None:
    ident = ask(conn, text)
    assert ident.best is not None, text
    got = ident.best.candidate
    assert (got.title, got.artist) == (title, artist), ident.to_json()
    if album:
        assert got.album == album, ident.to_json()
    assert ident.verdict == "accepted", ident.to_json()


# --- album, year and track number ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "title", "artist", "album"), [
    # The album in brackets: the take on it, not the same song on another album.
    ("Leaving on a Jet Plane (The Best of John Denver) - John Denver", "Leaving on a Jet Plane", "John Denver",
     "The Best of John Denver"),
    ("John Denver - Leaving on a Jet Plane (Rocky Mountain Collection)", "Leaving on a Jet Plane", "John Denver",
     "Rocky Mountain Collection"),
    ("Angels Guard Thee (The Essential Dyke) - Black Dyke Band", "Angels Guard Thee", "Black Dyke Band",
     "The Essential Dyke"),
    # ... or after a second separator, either order of title and artist.
    ("John Denver - Leaving on a Jet Plane - Rocky Mountain Collection", "Leaving on a Jet Plane", "John Denver",
     "Rocky Mountain Collection"),
    ("Leaving on a Jet Plane - John Denver - The Best of John Denver", "Leaving on a Jet Plane", "John Denver",
     "The Best of John Denver"),
    # A track number in front is not title words.
    ("05 - Take Me Home, Country Roads - John Denver", "Take Me Home, Country Roads", "John Denver", None),
    ("07. Toto - Rosanna", "Rosanna", "Toto", None),
    ("03 Africa - Toto", "Africa", "Toto", None),
])
def test_album_and_track_number(conn: sqlite3.Connection, text: str, title: str, artist: str,
                                album: str | None) -> None:
    check(conn, text, title, artist, album)


def test_an_album_that_agrees_is_evidence_and_one_that_differs_weighs_against(conn: sqlite3.Connection) -> None:
    agrees = ask(conn, "Leaving on a Jet Plane (The Best of John Denver) - John Denver")
    differs = ask(conn, "Leaving on a Jet Plane (Greatest Hits of the Sixties) - John Denver")
    assert agrees.features["agrees"] == 1.0 and agrees.features["differs"] == 0.0
    assert differs.features["differs"] == 1.0
    assert differs.best is not None and agrees.best is not None
    assert differs.best.candidate.artist == "John Denver"  # still the song, only less sure
    assert differs.best.score < agrees.best.score
    assert any(r.startswith("album") for r in agrees.best.reasons)


def test_a_version_group_is_not_an_album() -> None:
    forms = {(r.title, r.album) for r in read_query("Africa (Live 1982) - Toto", None)}
    assert ("africa", "Live 1982") not in forms


# --- surname first ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "title", "artist"), [
    ("Leaving on a Jet Plane (The Best of John Denver) - Denver John", "Leaving on a Jet Plane", "John Denver"),
    ("I Will Always Love You - Houston, Whitney", "I Will Always Love You", "Whitney Houston"),
    ("Houston Whitney - How Will I Know", "How Will I Know", "Whitney Houston"),
    ("Beethoven, Ludwig van - Symphony No. 5", "Symphony No. 5", "Ludwig van Beethoven"),
    ("Take Me Home, Country Roads - Denver, John", "Take Me Home, Country Roads", "John Denver"),
])
def test_surname_first_names(conn: sqlite3.Connection, text: str, title: str, artist: str) -> None:
    check(conn, text, title, artist)


# --- cut-off text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "title", "artist"), [
    ("How Do You Catch A G", "How Do You Catch A Girl", "Ray Sommers"),         # one title begins so
    ("Dancing in the Da", "Dancing in the Dark", "Bruce Springsteen"),
    ("Ray Sommers - How Do You", "How Do You Catch A Girl", "Ray Sommers"),     # one by that artist
    ("The Clash - Rock the Cas", "Rock the Casbah", "The Clash"),
    ("Dancing Q", "Dancing Queen", "ABBA"),          # mid-word ("q" is no word): two words alone do
])
def test_cut_off_text_is_sure_when_one_title_begins_so(conn: sqlite3.Connection, text: str, title: str,
                                                       artist: str) -> None:
    check(conn, text, title, artist)
    assert any("only title in the catalog that begins so" in r for r in ask(conn, text).best.reasons)


@pytest.mark.parametrize("text", [
    "How Do You",                  # three titles begin so
    "How Do You D",                # two
    "Dancing in the",              # two
    "Toto - Ro",                   # one word of two letters: too little
    "Dancing",                     # one word alone
    "James Brown - Make It Funky (Part 3)",  # a numbered part is title, not album
    "Taylor Swift Featuring Dixie Chicks - Saint Of Me",  # "Me!" only by ignoring the dash
])
def test_cut_off_text_is_not_sure_otherwise(conn: sqlite3.Connection, text: str) -> None:
    assert ask(conn, text).verdict != "accepted", ask(conn, text).to_json()


def test_a_whole_title_but_for_a_bracket_group_is_not_cut_off(conn: sqlite3.Connection) -> None:
    assert ask(conn, "Fear and Friday's").features["sole_start"] == 0.0
    assert ask(conn, "Fear and Frid").features["sole_start"] == 1.0


# --- songs that are not there ----------------------------------------------------------------------

_ARTISTS = sorted({a for _, a, _, _ in ROWS})
_TITLE_STARTS = [fold(t) for t, _, _, _ in ROWS]
# Words no catalog title has, nor anything spelt like them.
_NEW_WORDS = st.sampled_from("marzipan quokka zeppelin yodel tungsten velvet harpoon gizmo ferret walrus".split())
_OLD_WORDS = st.sampled_from(sorted({w for t, _, _, _ in ROWS for w in t.split()}))


@st.composite
def absent_records(draw: st.DrawFn) -> str:
    """A song the catalog lacks, written as other databases write records: with an album, a
    track number, a surname-first name, or cut short; at least one of its title words is new."""
    words = draw(st.lists(st.one_of(_OLD_WORDS, _NEW_WORDS), min_size=1, max_size=4))
    at = draw(st.integers(0, len(words)))
    words.insert(at, draw(_NEW_WORDS))
    title = " ".join(words)
    # Cut after the new word: cut before it, the text may well be the start of a catalog title.
    new_word_end = len(" ".join(words[: at + 1]))
    artist = draw(st.sampled_from(_ARTISTS))
    parts = artist.split()
    reversed_name = f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else artist
    album = draw(st.sampled_from([al for _, _, al, _ in ROWS]))
    cut = title[: draw(st.integers(new_word_end, len(title)))]
    form = draw(st.sampled_from(["{t} ({al}) - {a}", "{a} - {t} - {al}", "{t} - {r}", "{n:02d} - {t} - {a}",
                                 "{a} - {c}", "{c}", "{t}"]))
    return form.format(t=title, a=artist, r=reversed_name, al=album, n=draw(st.integers(1, 20)), c=cut)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=absent_records())
def test_an_absent_song_is_never_accepted(conn: sqlite3.Connection, text: str) -> None:
    assert ask(conn, text).verdict != "accepted", text
