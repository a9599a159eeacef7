"""Tables of what curators type and what cuesheet.notation.normalize makes of it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuesheet.notation.normalize import (
    ArtistCredit,
    QueryReading,
    Version,
    fold,
    match_key,
    parse_query,
    split_artists,
    split_featured,
    split_mashup,
    split_version,
    strip_article,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beyoncé", "beyonce"),
        ("Sigur Rós", "sigur ros"),
        ("Mötley Crüe", "motley crue"),
        ("Ain’t No Sunshine", "aint no sunshine"),
        ("Ain't No Sunshine", "aint no sunshine"),
        ("don´t", "dont"),
        ("Boss's Song", "bosss song"),
        ("It's My Party", "its my party"),
        ("Rockin' Robin", "rockin robin"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("Florence + the Machine", "florence and the machine"),
        ("Two Hearts", "2 hearts"),
        ("2 Hearts", "2 hearts"),
        ("Twenty One Pilots", "20 1 pilots"),
        ("Someone Like You", "someone like you"),
        ("R.E.M.", "rem"),
        ("L.A. Woman", "la woman"),
        ("Both Sides, Now", "both sides now"),
        ("  Hello,\tGoodbye!! ", "hello goodbye"),
        ("AC/DC", "ac dc"),
        ("when i was ur man", "when i was your man"),
        ("Rock 'n' Roll", "rock and roll"),
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
        ("ﬁre", "fire"),
        ("Кино", "kino"),
        ("Æon Flux", "aeon flux"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_makes_spellings_equal() -> None:
    assert fold("Don’t Stop Believin’") == fold("dont stop believin")
    assert fold("Deep in a Dream") == fold("DEEP IN A DREAM")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Beatles", "Beatles"),
        ("the killers", "killers"),
        ("Beatles, The", "Beatles"),
        ("A Tribe Called Quest", "A Tribe Called Quest"),
        ("Theory of a Deadman", "Theory of a Deadman"),
        ("The", "The"),
        ("the beatles", "beatles"),
        ("", ""),
    ],
)
def test_strip_article(text: str, expected: str) -> None:
    assert strip_article(text) == expected


@pytest.mark.parametrize(
    ("title", "clean", "tags", "year"),
    [
        ("Deep In A Dream (live)", "Deep In A Dream", {"live"}, None),
        ("Song - Live at Wembley", "Song", {"live"}, None),
        ("Song - 2011 Remaster", "Song", {"remaster"}, 2011),
        ("Song - Remastered 2009", "Song", {"remaster"}, 2009),
        ("Both Sides, Now (2000 Remaster)", "Both Sides, Now", {"remaster"}, 2000),
        ("Heat [From the Netflix Series Soundtrack]", "Heat", {"from-series"}, None),
        ("Heat - From the Netflix Series \"Soundtrack\"", "Heat", {"from-series"}, None),
        ("Let It Go (From \"Frozen\")", "Let It Go", {"from-series"}, None),
        ("Song (Original Motion Picture Soundtrack)", "Song", {"from-series"}, None),
        ("Song (Radio Edit)", "Song", {"radio edit"}, None),
        ("Song (Edit)", "Song", {"edit"}, None),
        ("Song (Calvin Harris Remix) [Radio Edit]", "Song", {"remix", "radio edit"}, None),
        ("Song - Diplo Remix", "Song", {"remix"}, None),
        ("Song (Extended Mix)", "Song", {"extended", "remix"}, None),
        ("Song (Acoustic Version)", "Song", {"acoustic"}, None),
        ("Song (Demo)", "Song", {"demo"}, None),
        ("Song (Instrumental)", "Song", {"instrumental"}, None),
        ("Song (Karaoke Version)", "Song", {"karaoke"}, None),
        ("Song (In the Style of Adele)", "Song", {"karaoke"}, None),
        ("Song (Cover)", "Song", {"cover"}, None),
        ("Song (Mono)", "Song", {"mono"}, None),
        ("Song - 2009 Stereo Remaster", "Song", {"stereo", "remaster"}, 2009),
        ("Bad Blood (Taylor's Version)", "Bad Blood", {"re-recording"}, None),
        ("Song (Re-Recorded)", "Song", {"re-recording"}, None),
        ("Song - Single Version", "Song", {"single version"}, None),
        ("Song (Album Version)", "Song", {"album version"}, None),
        ("Song (MTV Unplugged)", "Song", {"live", "acoustic"}, None),
        ("Song - Live at Wembley - 2011 Remaster", "Song", {"live", "remaster"}, 2011),
        ("Song (Live 1975)", "Song", {"live"}, 1975),
        ("Song (1975)", "Song", set(), 1975),
        ("Song (Official Music Video)", "Song", set(), None),
        ("Song (Original Mix)", "Song", set(), None),
    ],
)
def test_split_version_reads_versions(title: str, clean: str, tags: set[str], year: int | None) -> None:
    got_title, version = split_version(title)
    assert got_title == clean
    assert version.tags == frozenset(tags)
    assert version.year == year
    assert version.raw  # the words taken out are kept as typed


@pytest.mark.parametrize(
    "title",
    [
        "Que Sera, Sera (Whatever Will Be, Will Be)",
        "(I Can't Get No) Satisfaction",
        "Live and Let Die",
        "Live Forever",
        "Wings - Live and Let Die",
        "Bruce Springsteen - Cover Me",
        "Blood // Water",
        "Prince - 1999",
        "Morning View (feat. SZA)",
        "(Live)",
        "Remix",
        "",
    ],
)
def test_split_version_keeps_titles_that_only_look_like_versions(title: str) -> None:
    assert split_version(title) == (" ".join(title.split()), Version())


def test_split_version_keeps_the_title_words_next_to_a_version() -> None:
    assert split_version("Live and Let Die (Live)") == (
        "Live and Let Die",
        Version(tags=frozenset({"live"}), raw="Live"),
    )


@pytest.mark.parametrize(
    ("title", "clean", "featured"),
    [
        ("Morning View (feat. SZA)", "Morning View", ("SZA",)),
        ("Morning View [ft. SZA] (Live)", "Morning View (Live)", ("SZA",)),
        ("Señorita (with Camila Cabello)", "Señorita", ("Camila Cabello",)),
        ("Song feat. Kendrick Lamar & SZA", "Song", ("Kendrick Lamar & SZA", "Kendrick Lamar", "SZA")),
        ("Dancing with a Stranger", "Dancing with a Stranger", ()),
        ("Feat", "Feat", ()),
    ],
)
def test_split_featured(title: str, clean: str, featured: tuple[str, ...]) -> None:
    assert split_featured(title) == (clean, featured)


@pytest.mark.parametrize(
    ("artist", "main", "featured"),
    [
        ("Towkio feat. SZA", ("Towkio",), ("SZA",)),
        ("Towkio ft SZA", ("Towkio",), ("SZA",)),
        ("Towkio Featuring SZA", ("Towkio",), ("SZA",)),
        ("Sia (feat. Sean Paul)", ("Sia",), ("Sean Paul",)),
        ("Elton John with Dua Lipa", ("Elton John",), ("Dua Lipa",)),
        ("Marshmello x Bastille", ("Marshmello",), ("Bastille",)),
        ("Simon & Garfunkel", ("Simon & Garfunkel", "Simon", "Garfunkel"), ()),
        ("Earth, Wind & Fire", ("Earth, Wind & Fire", "Earth", "Wind", "Fire"), ()),
        ("Hall & Oates", ("Hall & Oates", "Hall", "Oates"), ()),
        ("Mumford & Sons", ("Mumford & Sons", "Mumford", "Sons"), ()),
        ("Calvin Harris, Rihanna", ("Calvin Harris, Rihanna", "Calvin Harris", "Rihanna"), ()),
        (
            "Kanye West ft. Jay-Z & Frank Ocean",
            ("Kanye West",),
            ("Jay-Z & Frank Ocean", "Jay-Z", "Frank Ocean"),
        ),
        ("Lil Nas X", ("Lil Nas X",), ()),
        ("lil nas x", ("lil nas x",), ()),
        ("Lil Nas X feat. Billy Ray Cyrus", ("Lil Nas X",), ("Billy Ray Cyrus",)),
        ("Lil Nas X x Cardi B", ("Lil Nas X",), ("Cardi B",)),
        ("X Ambassadors", ("X Ambassadors",), ()),
        ("Daft Punk", ("Daft Punk",), ()),
        ("Beyoncé", ("Beyoncé",), ()),
        ("", (), ()),
    ],
)
def test_split_artists(artist: str, main: tuple[str, ...], featured: tuple[str, ...]) -> None:
    assert split_artists(artist) == ArtistCredit(main=main, featured=featured)


def _parts(readings: list[QueryReading]) -> list[tuple[str, str | None, str]]:
    return [(r.title, r.artist, r.form) for r in readings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("elastic heart sia", [("elastic heart sia", None, "words")]),
        (
            "Deep In A Dream - chet baker (live)",
            [
                ("chet baker", "Deep In A Dream", "artist-title"),
                ("Deep In A Dream", "chet baker", "title-artist"),
                ("Deep In A Dream - chet baker", None, "title"),
            ],
        ),
        (
            "Smile by Nat King Cole",
            [("Smile", "Nat King Cole", "title-by-artist"), ("Smile by Nat King Cole", None, "title")],
        ),
        (
            "Stand by Me by Ben E. King",
            [
                ("Stand by Me", "Ben E. King", "title-by-artist"),
                ("Stand", "Me by Ben E. King", "title-by-artist"),
                ("Stand by Me by Ben E. King", None, "title"),
            ],
        ),
        (
            "Joni Mitchell: Both Sides, Now (2000 Remaster)",
            [
                ("Both Sides, Now", "Joni Mitchell", "artist-colon-title"),
                ("Joni Mitchell: Both Sides, Now", None, "title"),
            ],
        ),
        (
            "Heat – Kelly Clarkson [From the Netflix Series Soundtrack]",
            [
                ("Kelly Clarkson", "Heat", "artist-title"),
                ("Heat", "Kelly Clarkson", "title-artist"),
                ("Heat – Kelly Clarkson", None, "title"),
            ],
        ),
        (
            "Song - Live at Wembley",
            [
                ("Song", None, "words"),
                ("Live at Wembley", "Song", "artist-title"),
                ("Song", "Live at Wembley", "title-artist"),
            ],
        ),
        (
            "Wings - Live and Let Die",
            [
                ("Live and Let Die", "Wings", "artist-title"),
                ("Wings", "Live and Let Die", "title-artist"),
                ("Wings - Live and Let Die", None, "title"),
            ],
        ),
        (
            "Que Sera, Sera (Whatever Will Be, Will Be)",
            [("Que Sera, Sera (Whatever Will Be, Will Be)", None, "words")],
        ),
        ("Sorry Not Sorry x Believer", [("Sorry Not Sorry x Believer", None, "words")]),
        ("   ", []),
        ("", []),
    ],
)
def test_parse_query_readings(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    assert _parts(parse_query(text)) == expected


def test_parse_query_keeps_version_on_every_reading() -> None:
    readings = parse_query("Deep In A Dream - chet baker (live)")
    assert {r.version for r in readings} == {Version(tags=frozenset({"live"}), raw="live")}
    (reading,) = parse_query("Joni Mitchell: Both Sides, Now (2000 Remaster)")[:1]
    assert reading.version.year == 2000


def test_parse_query_moves_title_feat_to_featured() -> None:
    readings = parse_query("Morning View (feat. SZA) - Towkio")
    assert ("Morning View", "Towkio", "title-artist") in _parts(readings)
    assert all(r.featured == ("SZA",) for r in readings)
    by_artist = parse_query("Morning View - Towkio feat. SZA")
    assert by_artist[1].artist == "Towkio" and by_artist[1].featured == ("SZA",)


def test_parse_query_given_artist_comes_first_and_drops_its_echo() -> None:
    readings = parse_query("Deep in a dream - chet baker (live)", artist="Chet Baker")
    first = readings[0]
    assert (first.title, first.artist, first.form) == ("Deep in a dream", "Chet Baker", "given-artist")
    assert first.version.tags == frozenset({"live"})
    assert parse_query("Smile", artist="The Nat King Cole Trio")[0].artist == "The Nat King Cole Trio"
    assert parse_query("Smile", artist="Nat King Cole feat. X")[0].featured == ("X",)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("aint no sunshine / when i was ur man", ["aint no sunshine", "when i was ur man"]),
        ("Sorry Not Sorry x Believer", ["Sorry Not Sorry", "Believer"]),
        ("Sorry Not Sorry × Believer", ["Sorry Not Sorry", "Believer"]),
        ("A + B", ["A", "B"]),
        ("A // B", ["A", "B"]),
        ("A vs B", ["A", "B"]),
        ("A vs. B", ["A", "B"]),
        ("A mashup B", ["A", "B"]),
        ("A / B / C", ["A", "B", "C"]),
        # A candidate only: the caller keeps it when both parts match well.
        ("Blood // Water", ["Blood", "Water"]),
        ("AC/DC", []),
        ("Lil Nas X", []),
        ("Old Town Road - Lil Nas X", []),
        ("Old Town Road Lil Nas X x Despacito", ["Old Town Road Lil Nas X", "Despacito"]),
        ("Song (A / B Remix)", []),
        ("x", []),
        ("Sorry Not Sorry", []),
        ("", []),
    ],
)
def test_split_mashup(text: str, parts: list[str]) -> None:
    assert split_mashup(text) == parts


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Morning View (feat. SZA)", "Towkio"), ("morning view", "Towkio feat. SZA")),
        (("Hello, Goodbye", "The Beatles"), ("Hello Goodbye", "Beatles")),
        (("Hello Goodbye", "Beatles, The"), ("hello, goodbye", "the beatles")),
        (("Both Sides, Now - 2000 Remaster", "Joni Mitchell"), ("Both Sides Now", "joni mitchell")),
        (("Crazy in Love", "Beyoncé feat. JAY-Z"), ("Crazy In Love", "Beyonce")),
        (("Two Hearts", "Phil Collins"), ("2 Hearts", "Phil Collins")),
        (("Good Bye", "X"), ("Goodbye", "X")),
    ],
)
def test_match_key_equal(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert match_key(*a) == match_key(*b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Live and Let Die", "Wings"), ("Let Die", "Wings")),
        (("Hello", "Adele"), ("Hello", "Lionel Richie")),
        (("Simon", "Garfunkel"), ("", "Simon & Garfunkel")),
        (("Que Sera, Sera (Whatever Will Be, Will Be)", "Doris Day"), ("Que Sera, Sera", "Doris Day")),
    ],
)
def test_match_key_different(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert match_key(*a) != match_key(*b)


@given(st.text(), st.text())
def test_public_functions_never_raise(text: str, other: str) -> None:
    assert isinstance(fold(text), str)
    assert isinstance(strip_article(text), str)
    title, version = split_version(text)
    assert isinstance(title, str) and isinstance(version, Version)
    assert isinstance(split_featured(text)[1], tuple)
    assert isinstance(split_artists(text), ArtistCredit)
    assert all(isinstance(r, QueryReading) for r in parse_query(text))
    assert all(isinstance(r, QueryReading) for r in parse_query(text, artist=other))
    assert all(isinstance(p, str) for p in split_mashup(text))
    assert isinstance(match_key(text, other), str)


@given(st.text())
def test_fold_is_idempotent_ascii(text: str) -> None:
    folded = fold(text)
    assert folded == fold(folded)
    assert folded.isascii() and folded == folded.lower()


@pytest.mark.parametrize(
    "title",
    ["Song (Withdrawal)", "Song (Credit Roll)", "Song (Admixture)", "Hello:", "-ism"],
)
def test_version_and_feat_words_need_word_boundaries(title: str) -> None:
    assert split_version(title) == (title, Version())
    assert split_featured(title) == (title, ())
