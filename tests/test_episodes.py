"""Episode notations (formats.md 5.1) and resolving them against a show's episodes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuesheet.errors import NotFound, ParseError
from cuesheet.notation.episodes import (
    EpisodeInfo,
    EpisodeNotFound,
    EpisodeSpec,
    episode_code,
    parse_episode,
    resolve_episode,
    resolve_episodes,
)

TITLES = [
    "Nellie and Sam", "Joanna and Nellie", "Sam and Dante", "Margot and Frank", "Dante and Annette",
    "Joanna and Eleanor", "Sam and Frank", "Gigi and Jean", "Margot and Annette", "Finale",
]
SOUNDTRACK = [
    EpisodeInfo(1, n, f"Track {n}: {t}", ("Margot and Frankie",) if n == 4 else ())
    for n, t in enumerate(TITLES, start=1)
]
TWO_SEASONS = [
    EpisodeInfo(1, 1, "Pilot"), EpisodeInfo(1, 2, "The Audition"), EpisodeInfo(1, 3, "Opening Night"),
    EpisodeInfo(2, 1, "Back on Stage"), EpisodeInfo(2, 2, "The Tour"),
]


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("3", EpisodeSpec(None, 3)),
        ("03", EpisodeSpec(None, 3)),
        ("E03", EpisodeSpec(None, 3)),
        ("e3", EpisodeSpec(None, 3)),
        ("Ep 3", EpisodeSpec(None, 3)),
        ("ep. 3", EpisodeSpec(None, 3)),
        ("Episode 3", EpisodeSpec(None, 3)),
        ("S01E03", EpisodeSpec(1, 3)),
        ("s1e3", EpisodeSpec(1, 3)),
        ("S1 E3", EpisodeSpec(1, 3)),
        ("S01.E03", EpisodeSpec(1, 3)),
        ("s01_e03", EpisodeSpec(1, 3)),
        ("S01-E03", EpisodeSpec(1, 3)),
        ("1x03", EpisodeSpec(1, 3)),
        ("Season 1 Episode 3", EpisodeSpec(1, 3)),
        ("season 1, ep. 3", EpisodeSpec(1, 3)),
        ("SEASON 2 EPISODE 10", EpisodeSpec(2, 10)),
        ("Track 3", EpisodeSpec(None, 3)),
        ("track 10", EpisodeSpec(None, 10)),
        ("Track 3: Sam and Dante", EpisodeSpec(None, 3)),
        ("S01E03 - Sam and Dante", EpisodeSpec(1, 3)),
        ("S01E01-E03", EpisodeSpec(1, 1, 3)),
        ("S01E01-03", EpisodeSpec(1, 1, 3)),
        ("S01E01-S01E03", EpisodeSpec(1, 1, 3)),
        ("E01-E03", EpisodeSpec(None, 1, 3)),
        ("S01E03-03", EpisodeSpec(1, 3)),
        ("  S01E03 ", EpisodeSpec(1, 3)),
        ("sam and dante", EpisodeSpec(None, None, words="sam and dante")),
        ("  Frankie ", EpisodeSpec(None, None, words="Frankie")),
        ("Season 1", EpisodeSpec(None, None, words="Season 1")),
        ("3 little birds", EpisodeSpec(None, None, words="3 little birds")),
    ],
)
def test_parse_episode(text: str, spec: EpisodeSpec) -> None:
    assert parse_episode(text) == spec


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "no episode given"),
        ("   ", "no episode given"),
        ("0", "out of range"),
        ("1000", "out of range"),
        ("E0", "out of range"),
        ("S00E01", "season 00 is out of range"),
        ("S01E1000", "out of range"),
        ("Track 0", "out of range"),
        ("9" * 5000, "out of range"),
        ("S01E03-E01", "ends before it starts"),
        ("S01E01-S02E03", "within one season"),
        ("3.5", "not an episode"),
        ("#!?", "not an episode"),
    ],
)
def test_parse_episode_rejects(text: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        parse_episode(text)


@given(st.text())
def test_parse_episode_only_raises_parse_error(text: str) -> None:
    try:
        spec = parse_episode(text)
    except ParseError:
        return
    assert (spec.episode is None) == (spec.words is not None)


@given(st.from_regex(r"\A(?:[sSeExX]|ep|season|track|[0-9]{1,4}|[ ._,:-]){1,8}\Z"))
def test_parse_episode_notation_like_text(text: str) -> None:
    try:
        parse_episode(text)
    except ParseError:
        pass


@given(st.integers(1, 99), st.integers(1, 999))
def test_episode_code_round_trip(season: int, episode: int) -> None:
    assert parse_episode(episode_code(season, episode)) == EpisodeSpec(season, episode)


def test_episode_code() -> None:
    assert episode_code(1, 3) == "S01E03"
    assert episode_code(12, 104) == "S12E104"


@pytest.mark.parametrize(
    ("text", "episode"),
    [
        ("3", 3), ("S01E03", 3), ("1x03", 3), ("Track 3", 3), ("Track 3: Sam and Dante", 3),
        ("Season 1 Episode 10", 10),
        ("sam and dante", 3),
        ("Sam & Dante", 3),
        ("Frankie", 4),  # only the alias has it
        ("margot and frankie", 4),
        ("finale", 10),
        ("Finalle", 10),  # a typo still wins by a wide margin
        ("gigi", 8),
        ("margot annette", 9),
        ("margo anette", 9),
        ("eleanor", 6),
        ("joanna nellie", 2),
    ],
)
def test_resolve_soundtrack(text: str, episode: int) -> None:
    info = resolve_episode(parse_episode(text), SOUNDTRACK, show="Soundtrack")
    assert (info.season, info.episode) == (1, episode)


@pytest.mark.parametrize(
    ("text", "choices"),
    [("sam", [1, 3, 7]), ("frank", [4, 7]), ("dante", [3, 5]), ("nellie", [1, 2])],
)
def test_ambiguous_words_list_the_tied_episodes(text: str, choices: list[int]) -> None:
    with pytest.raises(EpisodeNotFound) as exc:
        resolve_episode(parse_episode(text), SOUNDTRACK, show="Soundtrack")
    assert [c.episode for c in exc.value.choices] == choices
    assert f'"{text}"' in str(exc.value)
    assert 'S01E03 "Track 3: Sam and Dante"' in str(exc.value) or 3 not in choices


def test_unknown_words_name_the_closest() -> None:
    with pytest.raises(EpisodeNotFound) as exc:
        resolve_episode(parse_episode("the one at the dance studio"), SOUNDTRACK, show="Soundtrack")
    err = exc.value
    assert isinstance(err, NotFound)
    assert str(err).startswith('no episode "the one at the dance studio" in Soundtrack; closest: S01E')
    assert 1 <= len(err.choices) <= 3


def test_unknown_number_offers_neighbours() -> None:
    with pytest.raises(EpisodeNotFound) as exc:
        resolve_episode(parse_episode("S01E11"), SOUNDTRACK, show="Soundtrack")
    assert [c.episode for c in exc.value.choices] == [10, 9, 8]
    assert "no episode S01E11 in Soundtrack" in str(exc.value)
    with pytest.raises(EpisodeNotFound):
        resolve_episode(parse_episode("S02E01"), SOUNDTRACK)


def test_episode_number_alone_is_ambiguous_across_seasons() -> None:
    with pytest.raises(EpisodeNotFound, match="give the season") as exc:
        resolve_episode(parse_episode("2"), TWO_SEASONS, show="Mini")
    assert [(c.season, c.episode) for c in exc.value.choices] == [(1, 2), (2, 2)]


def test_episode_number_alone_is_fine_when_only_one_season_has_it() -> None:
    assert resolve_episode(parse_episode("Ep 3"), TWO_SEASONS).title == "Opening Night"


def test_season_and_episode_pick_exactly() -> None:
    assert resolve_episode(parse_episode("S02E02"), TWO_SEASONS).title == "The Tour"
    assert resolve_episode(parse_episode("1x02"), TWO_SEASONS).title == "The Audition"


def test_words_across_seasons() -> None:
    assert resolve_episode(parse_episode("tour"), TWO_SEASONS) == EpisodeInfo(2, 2, "The Tour")


def test_ranges() -> None:
    found = resolve_episodes(parse_episode("S01E01-03"), SOUNDTRACK)
    assert [e.episode for e in found] == [1, 2, 3]
    assert [e.episode for e in resolve_episodes(parse_episode("E09-E12"), SOUNDTRACK)] == [9, 10]
    assert resolve_episodes(parse_episode("S01E03"), SOUNDTRACK) == [SOUNDTRACK[2]]
    with pytest.raises(EpisodeNotFound, match="give the season"):
        resolve_episodes(parse_episode("E01-E02"), TWO_SEASONS)
    with pytest.raises(EpisodeNotFound, match="names 3 episodes") as exc:
        resolve_episode(parse_episode("S01E01-E03"), SOUNDTRACK)
    assert len(exc.value.choices) == 3
    assert resolve_episode(parse_episode("S01E10-12"), SOUNDTRACK).title == "Track 10: Finale"


def test_no_episodes_at_all() -> None:
    with pytest.raises(EpisodeNotFound):
        resolve_episode(parse_episode("finale"), [])
    with pytest.raises(EpisodeNotFound):
        resolve_episode(parse_episode("3"), [])
