"""The viewer's answers on the real Soundtrack data and on a small timed fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.db.connection import connect
from cuesheet.export.credits import episode_facts
from cuesheet.viewer.answers import episode_cues, sheet_answers, song, song_slug
from cuesheet.viewer.resolve import find_episode, find_show
from cuesheet.viewer.search import search, what
from cuesheet.notation.episodes import EpisodeNotFound
from cuesheet.errors import NotFound, ParseError


@pytest.fixture
def conn(shipped_db_file: Path):
    return connect(shipped_db_file).conn


@pytest.fixture
def mini(mini_db: Path):
    return connect(mini_db).conn


@pytest.mark.parametrize("name", ["soundtrack", "Soundtrak", "netflix soundtrack", "SOUNDTRACK", "soundtrack (tv series)"])
def test_show_is_found_forgivingly(conn, name: str) -> None:
    assert find_show(conn, name).name == "Soundtrack"


def test_unknown_show_names_the_choices(conn) -> None:
    with pytest.raises(NotFound) as info:
        find_show(conn, "the wire")
    assert "Soundtrack" in str(info.value)


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), ("S01E03", 3), ("s1e3", 3), ("1x03", 3), ("Track 3", 3), ("sam and dante", 3),
     ("Margot and Frankie", 4), ("finale", 10), ("gigi", 8)],
)
def test_episode_notations(conn, text: str, number: int) -> None:
    show = find_show(conn, "soundtrack")
    assert find_episode(conn, show, text).number == number


def test_ambiguous_episode_lists_the_closest(conn) -> None:
    show = find_show(conn, "soundtrack")
    with pytest.raises(EpisodeNotFound) as info:
        find_episode(conn, show, "sam")
    assert {c.episode for c in info.value.choices} == {1, 3, 7}
    assert "S01E03" in str(info.value)


def test_whole_episode_sheet_in_order(conn) -> None:
    result = what(conn, "soundtrack", "3")
    assert result.mode == "sheet"
    assert [a.cue for a in result.answers] == [1, 2, 3, 4, 5]
    titles = [[s.title for s in a.songs] for a in result.answers]
    assert titles[0] == ["Deep in a Dream"]
    assert titles[3] == ["Ain't No Sunshine", "When I Was Your Man"]  # the mashup partner
    assert result.answers[3].kind == "mashup"


def test_disagreeing_sources_stay_visible(conn) -> None:
    first = what(conn, "soundtrack", "3").answers[0]
    assert first.songs[0].artist == "Chet Baker"
    conflict = first.conflicts[0]
    assert conflict["field"] == "artist"
    assert {v["value"]: v["sources"] for v in conflict["values"]} == {
        "Chet Baker": ["bustle"],
        "Frank Sinatra": ["rsc-ep3"],
    }


@pytest.mark.parametrize(
    ("episode", "words", "title"),
    [
        ("3", "sam dances with nellie", "Deep in a Dream"),
        ("3", "eating dinner alone by candle", "Deep in a Dream"),
        ("3", "dante wakes up alone", "Morning View"),
        ("1", "wrecks his boss's office", "Smile"),
        ("1", "trashing the office", "Smile"),
        ("2", "dance audition", "Heat"),
        ("2", "rejection montage", "Heat"),
        ("9", "nellie falls from the sky", "Roads"),
        ("9", "annette birthday", "Long Way to Be Happy"),
        ("8", "clothing store", "It's a Fine Life"),
        ("10", "custody fight", "Timebomb"),
        ("4", "family dinner younger nellies", "Both Sides, Now"),
        ("1", "elastik hart", "Elastic Heart"),
        ("3", "when i was your man", "Ain't No Sunshine"),
    ],
)
def test_scene_words_rank_the_right_cue_first(conn, episode: str, words: str, title: str) -> None:
    result = what(conn, "soundtrack", episode, words)
    best = result.answers[0]
    assert title in [s.title for s in best.songs]
    assert best.score is not None and best.score >= 0.5
    assert all(best.score >= a.score for a in result.answers)
    assert best.reasons


def test_words_that_fit_nothing(conn) -> None:
    with pytest.raises(NotFound) as info:
        what(conn, "soundtrack", "3", "zeppelin explosion")
    assert "S01E03" in str(info.value)


def _empty_episode_6(shipped_db: Path):  # type: ignore[no-untyped-def]
    """A private copy whose episode 6 has no cues (the shipped one holds one unidentified song)."""
    conn = connect(shipped_db).conn
    conn.execute("DELETE FROM cues WHERE episode_id = (SELECT e.id FROM episodes e JOIN shows s ON s.id = e.show_id"
                 " WHERE s.slug = 'soundtrack' AND e.number = 6)")
    return conn


def test_episode_without_cues_says_so(shipped_db: Path) -> None:
    with pytest.raises(NotFound, match="no cues known yet"):
        what(_empty_episode_6(shipped_db), "soundtrack", "6")


@pytest.mark.parametrize(
    ("words", "title"),
    [
        ("elastik hart", "Elastic Heart"),
        ("song when nellie falls from the sky", "Roads"),
        ("wrecks his boss's office", "Smile"),
        ("frank sinatra", "Deep in a Dream"),
        ("joni mitchell", "Both Sides, Now"),
        ("towkio", "Morning View"),
        ("aint no sunshine", "Ain't No Sunshine"),
        ("que sera sera", "Que Sera, Sera (Whatever Will Be, Will Be)"),
        ("portishead", "Roads"),
        ("darlene love", "Long Way to Be Happy"),
    ],
)
def test_search_across_episodes(conn, words: str, title: str) -> None:
    found = search(conn, words)
    assert found, words
    assert title in [s.title for s in found[0].songs]


def test_search_is_limited_to_a_show(conn) -> None:
    assert search(conn, "elastic heart", "soundtrack")
    assert search(conn, "qqqzzz").answers == []


@pytest.mark.parametrize("text", ['"', "*", "NEAR", "-", "^", "(", ")", "a AND b", 'NEAR("x" "y")', "elastic*", "''"])
def test_search_text_never_reaches_fts_syntax(conn, text: str) -> None:
    search(conn, text)  # no exception


def test_at_time_gives_the_cue_playing(mini) -> None:
    result = what(mini, "mini musical", "S01E01", at="13:00")
    assert [a.cue for a in result.answers] == [2]
    assert result.answers[0].distance_ms == 0
    # 00:12:30:00 is SMPTE at 23.976 fps: 18,000 frames x 1001/24000 s = 12:30.75.
    assert result.answers[0].time_in_ms == 750_750
    assert result.answers[0].time_in == "12:31"


@pytest.mark.parametrize("at", ["20:00", "20m", "0:20:00", "1200"])
def test_at_time_between_cues_gives_the_nearest(mini, at: str) -> None:
    result = what(mini, "mini", "pilot", at=at)
    assert [a.cue for a in result.answers] == [2, 3, 1]
    assert result.answers[0].distance == "5:55"


def test_at_time_needs_times(conn) -> None:
    with pytest.raises(NotFound, match="has a time yet"):
        what(conn, "soundtrack", "3", at="12:00")


def test_bad_time_is_a_parse_error(mini) -> None:
    with pytest.raises(ParseError):
        what(mini, "mini", "pilot", at="later")


def test_episode_number_needs_a_season_when_there_are_two(mini) -> None:
    with pytest.raises(EpisodeNotFound):
        what(mini, "mini", "1")


def test_sheet_answers_in_episode_and_cue_order(conn) -> None:
    show = find_show(conn, "soundtrack")
    every = sheet_answers(conn, show)
    assert [(a.episode, a.cue) for a in every] == sorted((a.episode, a.cue) for a in every)
    assert {a.episode for a in every} == set(range(1, 11))
    assert sheet_answers(conn, show, season=1) == every
    episode = find_episode(conn, show, "3")
    assert [a.cue for a in sheet_answers(conn, show, episode=episode)] == [1, 2, 3, 4, 5]
    with pytest.raises(NotFound, match="no season 2"):
        sheet_answers(conn, show, season=2)


def test_episode_facts(conn) -> None:
    show = find_show(conn, "soundtrack")
    facts = episode_facts(conn, find_episode(conn, show, "3"))
    assert facts.air_date == "2019-12-18" and facts.network == "Netflix" and facts.complete is False


# --- pages for the web viewer ---


@pytest.mark.parametrize(
    ("title", "artist", "slug"),
    [("Both Sides, Now", "Joni Mitchell", ("joni-mitchell", "both-sides-now")),
     ("Ain't No Sunshine", "Bill Withers", ("bill-withers", "aint-no-sunshine")),
     ("Blood // Water", "grandson", ("grandson", "blood-water")),
     ("Beyoncé", None, ("unknown-artist", "beyonce")),
     ("", "", ("unknown-artist", "untitled"))],
)
def test_song_slug(title: str, artist: str | None, slug: tuple[str, str]) -> None:
    assert song_slug(title, artist) == slug


def test_song_finds_its_scene_and_the_other_versions(conn) -> None:
    result = song(conn, "joni-mitchell", "both-sides-now")
    assert (result.title, result.artist) == ("Both Sides, Now", "Joni Mitchell")
    assert [(a.code, a.cue) for a in result.answers] == [("S01E04", 3)]
    assert sorted(a for a, _ in result.other_versions) == ["Judy Collins", "Neil Diamond"]


def test_song_that_was_never_catalogued_is_found_by_the_curators_text(conn) -> None:
    # Elastic Heart fits two catalog recordings, so no recording is linked.
    assert [a.code for a in song(conn, "sia", "elastic-heart").answers] == ["S01E01"]


def test_unknown_song_is_not_found(conn) -> None:
    with pytest.raises(NotFound):
        song(conn, "nobody", "nothing")


def test_episode_cues_of_an_empty_episode_is_empty(shipped_db: Path) -> None:
    conn = _empty_episode_6(shipped_db)
    show = find_show(conn, "soundtrack")
    assert episode_cues(conn, find_episode(conn, show, "6")) == []
    assert [a.cue for a in episode_cues(conn, find_episode(conn, show, "3"))] == [1, 2, 3, 4, 5]
