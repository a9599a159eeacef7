"""Issue #20: viewers across eleven shows. Show names as fans type them (aliases, accents,
the season inside the name), an ambiguous name answered with its candidates, lip-sync
results hidden unless asked and never past the per-show guard (CLI and web), a song page
across shows, and titles in other languages found with or without accents."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.notation.episodes import split_show_season
from cuesheet.viewer import resolve
from cuesheet.viewer.spoilers import watched_limits
from cuesheet.web.app import create_app

runner = CliRunner()


@pytest.fixture(scope="module")
def conn(all_shows_db_file: Path) -> sqlite3.Connection:
    return connect(all_shows_db_file, readonly=True).conn


def cli(db_path: Path, *args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, [*args, "--db", str(db_path)])
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize(("text", "name", "season"), [
    ("all stars 7", "all stars", 7), ("drag race uk series 2", "drag race uk", 2), ("rpdr season 5", "rpdr", 5),
    ("rpdr s5", "rpdr", 5), ("drag race", "drag race", None), ("s5e3", "s5e3", None), ("episode 3", "episode 3", None),
])
def test_a_season_inside_a_show_name(text: str, name: str, season: int | None) -> None:
    assert split_show_season(text) == (name, season)


@pytest.mark.parametrize(("text", "show", "season"), [
    ("drag race", "RuPaul's Drag Race", None),            # the alias wins over every show with those words
    ("rupaul's drag race", "RuPaul's Drag Race", None),
    ("RPDR", "RuPaul's Drag Race", None),
    ("all stars 7", "RuPaul's Drag Race All Stars", 7),
    ("drag race uk series 2", "RuPaul's Drag Race UK", 2),
    ("druk", "RuPaul's Drag Race UK", None),
    ("canada's drag race", "Canada's Drag Race", None),
    ("drag race españa", "Drag Race España", None),
    ("drag race espana", "Drag Race España", None),
    ("espana", "Drag Race España", None),
    ("soundtrak", "Soundtrack", None),
    ("netflix soundtrack", "Soundtrack", None),
])
def test_shows_as_fans_type_them(conn: sqlite3.Connection, text: str, show: str, season: int | None) -> None:
    found = resolve.find_show_season(conn, text)
    assert (found.show.name, found.season) == (show, season)


def test_an_ambiguous_name_lists_the_candidates(conn: sqlite3.Connection, all_shows_db_file: Path) -> None:
    with pytest.raises(resolve.AmbiguousShow) as info:
        resolve.find_show(conn, "rupaul")
    assert {c.name for c in info.value.choices} >= {"RuPaul's Drag Race", "RuPaul's Drag Race UK",
                                                     "RuPaul's Drag Race All Stars"}
    code, out, err = cli(all_shows_db_file, "what", "rupaul", "3")
    assert code == 1 and out == ""
    assert "could be several shows: RuPaul's Drag Race;" in err and "RuPaul's Drag Race UK" in err
    # A name like no show's word is not found through stray letters ("the wire" ~ "the world").
    with pytest.raises(resolve.NotFound, match="no show matches"):
        resolve.find_show(conn, "the wire")
    page = TestClient(create_app(all_shows_db_file)).get("/rupaul/4/10")
    assert page.status_code == 404 and "which one?" in page.text
    assert 'href="/rupauls-drag-race/4/10"' in page.text and 'href="/rupauls-drag-race-uk/4/10"' in page.text


@pytest.mark.parametrize("args", [
    ["drag", "race", "s5e3"], ["rpdr", "5x03"], ["drag race", "season 5 episode 3"],
    ["drag", "race", "season", "5", "episode", "3"], ["rpdr", "5", "3"], ["rpdr season 5", "e3"],
])
def test_episode_notations_in_a_many_season_show(all_shows_db_file: Path, args: list[str]) -> None:
    code, out, err = cli(all_shows_db_file, "what", *args, "--json")
    assert code == 0, err
    assert {(a["show"], a["code"]) for a in json.loads(out)} == {("RuPaul's Drag Race", "S05E03")}


def test_premiere_and_finale_of_a_season(all_shows_db_file: Path, conn: sqlite3.Connection) -> None:
    code, out, err = cli(all_shows_db_file, "what", "all", "stars", "7", "finale", "--json")
    assert code == 0, err
    last = conn.execute("""SELECT max(e.number) FROM episodes e JOIN shows s ON s.id = e.show_id
                            WHERE s.slug = 'rupauls-drag-race-all-stars' AND e.season = 7""").fetchone()[0]
    assert {a["code"] for a in json.loads(out)} == {f"S07E{last:02d}"}
    show = resolve.find_show(conn, "druk")
    assert resolve.find_episode(conn, show, "season 2 premiere").code == "S02E01"
    assert resolve.find_episode(conn, show, "premiere", 3).code == "S03E01"


def test_results_are_hidden_unless_asked_and_never_past_the_guard(all_shows_db_file: Path) -> None:
    code, out, _ = cli(all_shows_db_file, "what", "rpdr", "s04e10")
    assert code == 0 and "Kenya Michaels" in out  # a performer, not a result
    assert "went home" not in out and "won by" not in out
    code, out, _ = cli(all_shows_db_file, "what", "rpdr", "s04e10", "--json")
    assert "results" not in json.loads(out)[0]
    code, out, _ = cli(all_shows_db_file, "what", "rpdr", "s04e10", "--results")
    assert "result: won by Latrice Royale; went home: Kenya Michaels" in out
    code, out, _ = cli(all_shows_db_file, "what", "rpdr", "s04e10", "--results", "--json")
    assert json.loads(out)[0]["results"] == {"won": ["Latrice Royale"], "eliminated": ["Kenya Michaels"]}
    # Past the guard: no answer, so no result.
    code, out, err = cli(all_shows_db_file, "what", "rpdr", "s04e10", "--results", "--upto", "rpdr s04e09")
    assert code == 1 and "Latrice" not in out + err
    # Search across shows: the guard is per show; the UK is not named, so it is not held back.
    code, out, _ = cli(all_shows_db_file, "search", "natural woman", "--results", "--upto", "rpdr s04e09", "--json")
    assert all(not (a["show"] == "RuPaul's Drag Race" and (a["season"], a["episode"]) > (4, 9))
               for a in json.loads(out or "[]"))
    web = TestClient(create_app(all_shows_db_file))
    page = web.get("/rupauls-drag-race/4/10")
    assert "Won by" not in page.text and "results=1" in page.text  # offered, not shown
    assert "Won by</strong> Latrice Royale" in web.get("/rupauls-drag-race/4/10?results=1").text
    held = web.get("/rupauls-drag-race/4/10?results=1&upto=rpdr+s04e09")
    assert "Latrice" not in held.text and "Won by" not in held.text
    assert "results" not in web.get("/rupauls-drag-race/4/10.json").json()[0]


def test_the_guard_is_per_show_across_shows(conn: sqlite3.Connection) -> None:
    shows = [resolve.find_show(conn, n) for n in ("rpdr", "all stars", "soundtrack", "druk")]
    limits = watched_limits(conn, shows, "rpdr s05e03, all stars 7 e2, soundtrack 4")
    assert {k: v.code for k, v in limits.items()} == {
        "RuPaul's Drag Race": "S05E03", "RuPaul's Drag Race All Stars": "S07E02", "Soundtrack": "S01E04"}
    # A bare episode that names no one episode of a many-season show hides that show whole.
    limits = watched_limits(conn, shows, "4")
    assert limits["Soundtrack"].code == "S01E04" and limits["RuPaul's Drag Race"].code == "S00E00"


def test_a_song_across_shows(all_shows_db_file: Path) -> None:
    web = TestClient(create_app(all_shows_db_file))
    page = web.get("/song/lady-gaga/born-this-way.json").json()
    shows = {a["show"] for a in page}
    assert len(shows) >= 2 and "Drag Race Holland" in shows
    code, out, _ = cli(all_shows_db_file, "search", "born this way lady gaga", "--json", "--limit", "20")
    assert {a["show"] for a in json.loads(out)} >= shows
    code, out, _ = cli(all_shows_db_file, "search", "born this way lady gaga", "--limit", "20")
    assert "Drag Race Holland S" in out  # a list across shows names each card's show


def test_the_home_page_groups_the_franchise(all_shows_db_file: Path) -> None:
    html = TestClient(create_app(all_shows_db_file)).get("/").text
    assert html.count('class="franchise"') == 1 and "10 shows" in html
    assert "18 seasons" in html  # RuPaul's Drag Race, listed with its seasons


@pytest.mark.parametrize(("words", "title"), [
    ("sobrevivire", "Sobreviviré"), ("sobreviviré", "Sobreviviré"), ("occhi di gatto", "Occhi di gatto"),
    ("lekker met de meiden", "Lekker met de meiden"),
    ("i don't want love yet", "รักยังไม่ต้องการ (I Don't Want Love Yet)"),
    ("porkchop", "Supermodel (You Better Work)"),                     # a contestant, quotes in the name
    ("shea coulee", None), ("Shea Couleé", None),
])
def test_titles_and_contestants_in_any_language(conn: sqlite3.Connection, words: str, title: str | None) -> None:
    from cuesheet.viewer.search import search

    found = search(conn, words).answers
    assert found, words
    if title:
        assert found[0].songs[0].title == title
    else:
        assert any("Shea Couleé" in p["character"] for p in found[0].performers)


def test_an_export_takes_the_season_inside_the_name(all_shows_db_file: Path) -> None:
    code, out, err = cli(all_shows_db_file, "export", "playlist", "all stars 7")
    assert code == 0, err
    assert "#PLAYLIST:RuPaul's Drag Race All Stars season 7" in out
