"""What a new-user trial found in the viewer: position words, the spoiler guard's words and
counts, cue labels, and answers that matched only part of a question."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.viewer.answers import Answer
from cuesheet.viewer.search import place_cues, search, what

runner = CliRunner()


@pytest.fixture
def conn(shipped_db_file: Path) -> sqlite3.Connection:
    return connect(shipped_db_file, readonly=True).conn


def run(db_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", str(db_path)])


def first_title(a: Answer) -> str:
    return a.songs[0].title or ""


# --- position words: a cue is last only when we know it --------------------------------


def test_a_cue_whose_scene_opens_the_episode_is_never_its_last(conn: sqlite3.Connection) -> None:
    # Pilot: cue 1 is the only confirmed cue and its scene says "The episode's first number".
    for result in (search(conn, "last song in the pilot").answers,
                   what(conn, "soundtrack", "pilot", "last").answers):
        assert result and first_title(result[0]) != "Elastic Heart"
        assert "Elastic Heart" not in [first_title(a) for a in result]
        assert not any("closing cue" in r for a in result for r in a.reasons)
        assert "source's song list" in " ".join(result[0].reasons)
    # S01E02: cue 1 is "Cold open: ..."
    answers = what(conn, "soundtrack", "2", "end").answers
    assert answers and all(a.cue != 1 for a in answers)


def test_a_guess_from_list_order_says_so(conn: sqlite3.Connection) -> None:
    result = search(conn, "last song in the pilot")
    assert any("nothing known says which cue closes S01E01" in n for n in result.notes())
    assert result.answers[0].score < 1.0  # weaker than a known place
    answer = what(conn, "soundtrack", "pilot", "last")
    assert any("source's song list order only" in n for n in answer.notes)


def test_the_finale_cold_open_is_not_called_its_last_song(conn: sqlite3.Connection) -> None:
    result = search(conn, "last song in the finale")
    assert not any("cold open" in (a.scene or "").lower() for a in result.answers)
    assert any("nothing known says which cue closes S01E10" in n for n in result.notes())
    assert not any("nothing matches" in n for n in result.notes())


def test_known_places_still_answer(conn: sqlite3.Connection) -> None:
    five = search(conn, "closing song of episode five").answers[0]
    assert first_title(five) == "Blood // Water" and "its scene says so" in " ".join(five.reasons)
    nine = what(conn, "soundtrack", "9", "the closing number").answers[0]
    assert nine.cue == 2 and "confirmed order, no cue after it" in " ".join(nine.reasons)


def test_place_cues_rules() -> None:
    # (id, number, confirmed, time_in_ms, scene)
    cues = [(1, 1, True, None, "Cold open: a dance."), (2, 2, False, None, ""), (3, 3, False, None, "")]
    places, known = place_cues(cues, "end")
    assert places[1] is None and not known
    assert places[3] is not None and places[3].index == 0 and not places[3].known
    # A confirmed cue with no cue after it is known last; a confirmed cue before others is not.
    places, known = place_cues([(1, 1, True, None, ""), (2, 2, True, None, "")], "end")
    assert known and places[2] is not None and places[2].known and places[1] is None
    # A time says it, and so does a scene that ends the episode, whatever the numbers.
    places, known = place_cues([(1, 1, False, 60_000, ""), (2, 2, False, 10_000, "")], "end")
    assert known and places[1] is not None and places[1].index == 0 and places[1].known
    places, known = place_cues([(1, 1, False, None, "The episode ends with a kiss."), (2, 2, False, None, "")],
                               "end")
    assert known and places[1] is not None and places[1].known and places[1].index == 0


# --- the spoiler guard says only that later episodes have more ---------------------------


def test_search_upto_with_only_later_answers_says_only_later(shipped_db_file: Path, conn: sqlite3.Connection) -> None:
    result = search(conn, "roads", upto="3")
    said = "nothing up to S01E03 matches 'roads'; later episodes have more"
    assert result.answers == [] and result.notes() == [said]
    out = run(shipped_db_file, "search", "--upto", "3", "roads")
    assert out.exit_code == 1
    assert out.stderr.strip() == said
    for spoiler in ("Roads", "S01E09", "Portishead", "nothing matches", "try"):
        assert spoiler not in out.output


def test_what_upto_about_a_later_episode_names_it_not(shipped_db_file: Path) -> None:
    out = run(shipped_db_file, "what", "soundtrack", "finale", "--upto", "3")
    assert out.exit_code == 1 and "later episodes have more" in out.stderr
    assert "S01E10" not in out.output and "Finale" not in out.output


def test_web_upto_neither_lists_nor_counts_later_episodes(shipped_db_file: Path) -> None:
    from starlette.testclient import TestClient

    from cuesheet.web.app import create_app

    client = TestClient(create_app(shipped_db_file))
    rows = client.get("/soundtrack/1.json", params={"upto": "2"}).json()
    assert [r["code"] for r in rows] == ["S01E01", "S01E02"]
    assert [r["code"] for r in client.get("/soundtrack.json", params={"upto": "2"}).json()] == ["S01E01", "S01E02"]
    for url in ("/soundtrack/1", "/soundtrack"):
        html = client.get(url, params={"upto": "2"}).text
        assert "S01E03" not in html and "Track 3" not in html and "Finale" not in html
    shows = client.get("/index.json", params={"upto": "2"}).json()
    (everything,) = client.get("/index.json").json()
    assert (shows[0]["episodes"], shows[0]["cues"], shows[0]["songs"]) == (
        2, sum(r["cues"] for r in rows), sum(r["songs"] for r in rows))
    assert shows[0]["cues"] < everything["cues"]
    # An episode page's pager names no later episode.
    assert "Track 3" not in client.get("/soundtrack/1/2", params={"upto": "2"}).text
    later = client.get("/search", params={"q": "roads", "upto": "3"}).text
    assert "Nothing up to S01E03 matches &#39;roads&#39;; later episodes have more." in later
    assert "Try fewer" not in later and "Roads" not in later


# --- result lines: a cue label, and weak answers said up front ---------------------------


def test_search_lines_say_cue_not_a_bare_number(shipped_db_file: Path) -> None:
    out = run(shipped_db_file, "search", "sam")
    heads = [line for line in out.stdout.splitlines() if line.startswith("S01E")]
    assert heads and all(" cue " in h.split("·")[0] for h in heads)
    assert not any(line[:4].strip().rstrip("*").isdigit() for line in out.stdout.splitlines())
    data = json.loads(run(shipped_db_file, "search", "sam", "--json").stdout)
    assert isinstance(data[0]["cue"], int)  # the JSON is unchanged


def test_a_word_that_matched_nothing_is_said_before_the_list(shipped_db_file: Path) -> None:
    out = run(shipped_db_file, "search", "song", "when", "sam", "is", "in", "the", "car")
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    first_card = next(i for i, line in enumerate(lines) if line.startswith("S01E"))
    lead = [line for line in lines[:first_card] if "nothing matched 'car'" in line]
    assert lead and "only 'sam'" in lead[0] and "weak" in lead[0]
    assert all("(weak)" in line for line in lines if line.startswith("S01E"))
    data = json.loads(run(shipped_db_file, "search", "song", "when", "sam", "is", "in", "the", "car",
                          "--json").stdout)
    assert isinstance(data, list) and data and all("cue" in a for a in data)
    strong = run(shipped_db_file, "search", "elastic", "heart")
    assert "weak" not in strong.stdout


def test_web_episode_page_says_a_place_is_only_guessed(shipped_db_file: Path) -> None:
    from starlette.testclient import TestClient

    from cuesheet.web.app import create_app

    client = TestClient(create_app(shipped_db_file))
    html = client.get("/soundtrack/1/1", params={"q": "last"}).text
    main = html.split("<main>", 1)[1]
    assert "Nothing known says which cue closes S01E01" in main
    assert main.index("Nothing known says") < main.index('id="cue-')  # said before the cards
    assert 'id="cue-1"' not in main  # "The episode's first number" is not a last song
    assert "Nothing matched &#39;car&#39;" in client.get("/soundtrack/1/3", params={"q": "dinner car"}).text


# --- a pasted page is not printed back whole -----------------------------------------------


def test_a_long_question_is_echoed_short(shipped_db_file: Path, conn: sqlite3.Connection) -> None:
    question = " ".join(f"qzx{i}" for i in range(3000))  # ~20 KB, matches nothing
    out = run(shipped_db_file, "search", question)
    assert out.exit_code == 1
    assert "nothing matches 'qzx0 qzx1" in out.stderr and "…'" in out.stderr
    assert len(out.stderr) < 300 and "qzx2999" not in out.stderr
    guarded = run(shipped_db_file, "search", "roads " + question[:2000], "--upto", "3")
    assert len(guarded.stderr) < 300
    what = run(shipped_db_file, "what", "soundtrack", "3", question)
    assert what.exit_code == 1 and "qzx2999" not in what.stderr and len(what.stderr) < 400
    show = run(shipped_db_file, "what", question, "3")
    assert show.exit_code == 1 and "qzx2999" not in show.stderr and len(show.stderr) < 400
