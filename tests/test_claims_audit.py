"""The claims audit, kind by kind: which claimed tracks are the credited song's recording.

Tables of (credited title, credited artist, track title, track artist, album) per kind.
Most rows are made up in the ways catalogs name tracks, not copied from the Drag Race data,
so the rules are tested on kinds, not on the rows they were written from.
"""

from __future__ import annotations

import pytest

from cuesheet.matching.claims import Audit, ClaimedTrack, ClaimKind, ClaimVerdict, audit_claim


def audit(title: str, artist: str | None, t_title: str, t_artist: str, album: str | None = None) -> Audit:
    return audit_claim(title, artist, ClaimedTrack("spotify", "0" * 22, t_title, t_artist, album))


SAME = [
    # plain, case and punctuation
    ("Toxic", "Britney Spears", "Toxic", "Britney Spears", "In the Zone"),
    ("Oops!... I Did It Again", "Britney Spears", "Oops!...I Did It Again", "Britney Spears", None),
    ("You Keep Me Hangin' On", "Kim Wilde", "You Keep Me Hangin On", "Kim Wilde", None),
    # remasters and reissues
    ("Heart of Glass", "Blondie", "Heart of Glass - 2001 Remaster", "Blondie", "Parallel Lines (Remastered)"),
    ("Vogue", "Madonna", "Vogue - Remastered Version", "Madonna", None),
    ("Physical", "Olivia Newton-John", "Physical - Remastered 2021", "Olivia Newton-John", "Physical (Deluxe Edition)"),
    # compilations and soundtrack albums
    ("Rhythm Nation", "Janet Jackson", "Rhythm Nation", "Janet Jackson", "Number Ones"),
    ("It's Raining Men", "The Weather Girls", "It's Raining Men", "The Weather Girls",
     "20th Century Masters: The Best of The Weather Girls"),
    ("Footloose", "Kenny Loggins", 'Footloose - From "Footloose" Soundtrack', "Kenny Loggins", "Footloose"),
    ("Memory", "Elaine Paige", "Memory - Original London Cast/1981", "Elaine Paige", "Cats"),
    # featured credits on either side
    ("Run the World", "Beyoncé ft. Nobody", "Run the World (Girls)", "Beyoncé", None),
    ("Señorita", "Shawn Mendes ft. Camila Cabello", "Señorita (feat. Camila Cabello)", "Shawn Mendes", None),
    ("Whatta Man", "Salt-n-Pepa, En Vogue", "Whatta Man", "Salt-N-Pepa", None),
    # artist aliases
    ("So What", "Pink", "So What", "P!nk", "Funhouse"),
    ("Tik Tok", "Kesha", "TiK ToK", "Ke$ha", "Animal"),
    ("Whip My Hair", "Willow Smith", "Whip My Hair", "WILLOW", None),
    ("Tell Me Why", "Wynonna Judd", "Tell Me Why", "Wynonna", None),
    ("Vamos a la playa", "Sonia & Selena", "Vamos a la Playa", "Sonia Y Selena", None),
    ("My Heart Will Go On", "Celine Dion", "My Heart Will Go On", "Céline Dion", None),
    ("Veneno pa tu piel", "La Veneno", "Veneno Pa Tu Piel", 'Cristina "La Veneno"', None),
    # subtitles in brackets on one side only
    ("This Will Be", "Natalie Cole", "This Will Be (An Everlasting Love)", "Natalie Cole", None),
    ("(I've Had) The Time of My Life", "Bill Medley", "The Time of My Life", "Bill Medley", None),
    # the same named mix on both sides
    ("Champion (Club Mix)", "RuPaul", "Champion - Club Mix", "RuPaul", None),
    ("Jealous of My Boogie (Gomi and RasJek Edit)", "RuPaul", "Jealous of My Boogie - Gomi & RasJek Edit",
     "RuPaul", None),
]


@pytest.mark.parametrize("row", SAME, ids=[f"{r[0]}|{r[2]}" for r in SAME])
def test_same_recording_under_another_name_is_accepted(row: tuple[str, ...]) -> None:
    a = audit(*row)
    assert (a.verdict, a.kind) == (ClaimVerdict.ACCEPTED, ClaimKind.SAME), a.reasons
    assert a.reasons and all(a.reasons)


def test_accepted_reasons_say_what_differs() -> None:
    assert "the artist alias 'P!nk' for 'Pink'" in audit("So What", "Pink", "So What", "P!nk").reasons
    remaster = audit("Vogue", "Madonna", "Vogue - 2012 Remaster", "Madonna", "The Immaculate Collection")
    assert any("released again (2012 Remaster)" in r for r in remaster.reasons)
    assert any("compilation (The Immaculate Collection)" in r for r in remaster.reasons)


EDITS = [
    ("Dancing on My Own", "Robyn", "Dancing On My Own - Radio Edit", "Robyn", None),
    ("I Will Survive", "Gloria Gaynor", "I Will Survive - Single Version", "Gloria Gaynor", None),
    ("Scandalous", "Mis-Teeq", "Scandalous - U.S. Radio Edit", "Mis-Teeq", None),
    ("Touch Me (All Night Long)", "Cathy Dennis", 'Touch Me (All Night Long) - 7" Mix', "Cathy Dennis", None),
    ("Blue Monday", "New Order", "Blue Monday - 12 Inch Version", "New Order", None),
    ("The Reflex", "Duran Duran", "The Reflex - Single Version; 2010 Remaster", "Duran Duran", None),
    ("Heartbreak Hotel (Hex Hector Remix)", "Whitney Houston", "Heartbreak Hotel - Hex Hector Radio Mix",
     "Whitney Houston", None),
    ("Toxic", "Britney Spears", "Toxic (Radio Edit)", "Britney Spears", None),
]

VERSIONS = [
    ("Toxic", "Britney Spears", "Toxic - Live from Las Vegas", "Britney Spears", None),
    ("Hallucinate", "Dua Lipa", "Hallucinate - Paul Woolford Extended Remix", "Dua Lipa", None),
    ("Shake It Off", "Taylor Swift", "Shake It Off (Taylor's Version)", "Taylor Swift", None),
    ("Creep", "Radiohead", "Creep - Acoustic", "Radiohead", None),
    ("Un-Break My Heart (Hex Hector Remix)", "Toni Braxton", "Un-Break My Heart", "Toni Braxton", None),
    ("Absolutely Not", "Deborah Cox", "Absolutely Not - Chanel Club Mix", "Deborah Cox", None),
    ("Blue (Da Ba Dee)", "Eiffel 65", "Blue (Da Ba Dee) - Gabry Ponte Ice Pop Mix", "Eiffel 65", None),
]

PERFORMERS = [
    ("Nasty Girl", "Vanity 6", 'Nasty Girl [In the Style of "Vanity 6"]', "Done Again", None),
    ("I've Got the Music in Me", "The Kiki Dee Band",
     "I've Got the Music in Me (In the Style of Kiki Dee Band) - Karaoke Version", "ProSource Karaoke", None),
    ("Heaven", "DJ Sammy", "Heaven (Made Famous By DJ Sammy)", "Toners", "Tunes Now: Hit Tones, Vol. 3"),
    ("Hallelujah", "Leonard Cohen", "Hallelujah", "Jeff Buckley", "Grace"),
    ("Believe", "Cher", "Believe", "Party Hits Tribute Band", None),
    ("Believe", "Cher", "Believe", "The Hit Crew", "Karaoke Hits of the 90s"),
    ("Toxic", "Britney Spears", "Toxic (Cover)", "Melanie Martinez", None),
    ("Mesmerized (Freemasons Radio Edit)", "Faith Evans", "Mesmerized - Freemasons Edit", "Melissa Storm", None),
    ("Ring My Bell", "Anita Ward", "Ring My Bell", "Collette", None),
]

SONGS = [
    ("Last Dance", "Selena", "Save Me a Last Dance (feat. Selena)", "Ell Dog", None),
    ("Happiness", "Kapri", "Pursuit Of Happiness", "Hymaginn", None),
    ("Toxic", "Britney Spears", "Womanizer", "Britney Spears", None),
    ("Believe", "Cher", "Strong Enough", "Cher", None),
]


@pytest.mark.parametrize(("kind", "row"), [(ClaimKind.EDIT, r) for r in EDITS]
                         + [(ClaimKind.VERSION, r) for r in VERSIONS]
                         + [(ClaimKind.PERFORMER, r) for r in PERFORMERS]
                         + [(ClaimKind.SONG, r) for r in SONGS],
                         ids=lambda x: x if isinstance(x, str) else f"{x[0]}|{x[2]}|{x[3]}")
def test_other_kinds_wait_for_review_with_their_reason(kind: ClaimKind, row: tuple[str, ...]) -> None:
    a = audit(*row)
    assert a.verdict is ClaimVerdict.REVIEW
    assert a.kind is kind, a.reasons
    assert len(a.reasons) == 1 and a.reasons[0].startswith(kind.value)


def test_a_title_part_by_the_same_act_is_unclear_not_accepted() -> None:
    a = audit("Something He Can Feel", "En Vogue", "Giving Him Something He Can Feel", "En Vogue")
    assert (a.verdict, a.kind) == (ClaimVerdict.REVIEW, ClaimKind.UNCLEAR)


def test_no_credited_artist_is_never_accepted() -> None:
    a = audit("Break Free", None, "Break Free", "Ariana Grande")
    assert a.verdict is ClaimVerdict.REVIEW and "no credited artist" in a.reasons[0]


def test_karaoke_words_in_a_title_are_not_read_into_a_song_called_cover_girl() -> None:
    a = audit("Cover Girl (Put the Bass in Your Walk)", "RuPaul", "Cover Girl", "RuPaul", "Champion")
    assert a.verdict is ClaimVerdict.ACCEPTED
