"""Drag Race questions as fans ask them (#22): by the two contestants' names, an artist and a
season, "the finale", "the premiere", a show's nickname, chatty and misspelt; each row is
(question, show, episode code, the song the first answer holds)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesheet.db.connection import connect
from cuesheet.viewer.search import search

US, AS, UK = "RuPaul's Drag Race", "RuPaul's Drag Race All Stars", "RuPaul's Drag Race UK"


@pytest.fixture
def conn(all_shows_db_file: Path) -> sqlite3.Connection:
    return connect(all_shows_db_file, readonly=True).conn


CONTESTANTS = [
    ("jinkx monsoon and alaska lip sync", US, "S05E12", "The Beginning"),
    ("the lip sync between jinkx and alaska", US, "S05E12", "The Beginning"),
    ("trixie mattel pearl", US, "S07E04", "Dreaming"),
    ("omg the amazing lip sync between kennedy davenport and katya", US, "S07E11", "Roar"),
    ("penny tration serena chacha", US, "S05E01", "Party in the U.S.A."),
    ("shangela freaky money", AS, "S03E07", "Freaky Money"),
    ("sasha velour so emotional", US, "S09E14", "So Emotional"),
    ("what did bianca del rio lip sync to", US, "S06E12", "Sissy That Walk"),
]

ARTIST_AND_SEASON = [
    ("britney season 4", US, "S04E01", "Toxic"),
    ("who lip synced to toxic in season 4", US, "S04E01", "Toxic"),
    ("miley cyrus season 5", US, "S05E01", "Party in the U.S.A."),
    ("rpdr season 5 miley cyrus", US, "S05E01", "Party in the U.S.A."),
    ("i think it was season 5 of rupauls drag race and they lip synced to miley cyrus what was it",
     US, "S05E01", "Party in the U.S.A."),
    ("whitney houston holland", "Drag Race Holland", "S01E04", "I Wanna Dance with Somebody (Who Loves Me)"),
    ("canada's drag race season 1 carly rae jepsen", "Canada's Drag Race", "S01E01", "I Really Like You"),
]

FINALE_AND_PREMIERE = [
    ("rpdr season 9 finale", US, "S09E14", "It's Not Right but It's Okay (Thunderpuss Remix)"),
    ("the all stars 2 premiere", AS, "S02E01", "Shake It Off"),
    ("the premiere of all stars 3", AS, "S03E01", "Anaconda"),
    ("uk season 2 finale", UK, "S02E10", "I'm Still Standing"),
    ("canadas drag race season 1 finale", "Canada's Drag Race", "S01E10", "You're a Superstar"),
    ("all stars 7 finale", AS, "S07E12", "Push It"),
    ("all stars seven finale", AS, "S07E12", "Push It"),
    ("last episode of all stars 7", AS, "S07E12", "Push It"),
    ("espana season 2 finale", "Drag Race España", "S02E11", "Ni tú ni nadie"),
    ("rupaul supermodel premiere", US, "S01E01", "Supermodel (You Better Work)"),
]

TYPOS_AND_ONE_WORD = [
    ("biance del reo", US, "S06E12", "Sissy That Walk"),
    ("jinx monsun alaskka", US, "S05E12", "The Beginning"),
    ("party in the usa", US, "S05E01", "Party in the U.S.A."),
    ("rpdr s5e12", US, "S05E12", "The Beginning"),
]

QUESTIONS = CONTESTANTS + ARTIST_AND_SEASON + FINALE_AND_PREMIERE + TYPOS_AND_ONE_WORD


@pytest.mark.parametrize(("question", "show", "code", "song"), QUESTIONS)
def test_drag_race_questions_find_the_lip_sync(conn: sqlite3.Connection, question: str, show: str, code: str,
                                               song: str) -> None:
    result = search(conn, question)
    assert result.answers, (question, result.notes())
    a = result.answers[0]
    assert (a.show, a.code, a.songs[0].name) == (show, code, song), [
        (b.show, b.code, b.songs[0].name, b.score, b.reasons) for b in result.answers[:3]]


def test_a_show_named_with_no_fit_says_where_it_fits(conn: sqlite3.Connection) -> None:
    result = search(conn, "madonna uk")
    assert result.answers and all("Madonna" in (a.songs[0].artist or "") for a in result.answers)
    assert (result.elsewhere or "").startswith(f"not in {UK};")


def test_two_shows_words_mixed(conn: sqlite3.Connection) -> None:
    # A Soundtrack scene and a Drag Race word: the scene's words carry it.
    assert search(conn, "sam fired sashay away").answers[0].show == "Soundtrack"
    # A show named that has no fit: the others are asked, and the answer says so.
    toxic = search(conn, "netflix soundtrack toxic")
    assert toxic.answers[0].songs[0].name == "Toxic" and (toxic.elsewhere or "").startswith("not in Soundtrack;")


def test_drag_race_guard_never_reveals_a_later_episode(conn: sqlite3.Connection) -> None:
    for question, show, code, _ in QUESTIONS:
        result = search(conn, question, upto="S01E01")
        assert all((a.season, a.episode) <= (1, 1) for a in result.answers), question
