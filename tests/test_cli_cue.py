"""The curator's commands as a person (prompts driven through CliRunner input) or a script runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db import history
from cuesheet.viewer.answers import Answer
from cuesheet.viewer.search import what

from .curator_helpers import open_conn, snapshot

runner = CliRunner()


def run(db: Path, *args: str, input: str | None = None):
    return runner.invoke(app, [*args, "--db", str(db)], input=input)


def cues(db: Path, ep: str = "3") -> list[Answer]:
    return what(open_conn(db), "soundtrack", ep).answers


# --- cue add -----------------------------------------------------------------------------------


def test_add_with_options_needs_no_terminal(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--title", "Roar", "--artist", "Katy Perry",
                 "--at", "12:30", "--time-out", "13m5s", "--scene", "Sam on the roof", "-p", "Sam",
                 "--source", "bustle", "--yes", "--json")
    assert result.exit_code == 0, result.output
    [cue] = json.loads(result.stdout)
    assert (cue["cue"], cue["time_in"], cue["time_out"], cue["scene"], cue["kind"], cue["usage"]) == (
        6, "12:30", "13:05", "Sam on the roof", "lip-sync", "VV")
    assert cue["performers"] == [{"character": "Sam", "actor": "Paul James", "inferred": False}]
    assert cue["songs"][0]["title"] == "Roar" and cue["sources"] == ["bustle"]


def test_add_matches_the_song_as_it_is_saved(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", "roads portishead", "--yes")
    assert result.exit_code == 0, result.output
    assert "song 1: accepted: Roads — Portishead" in result.stdout
    assert "history #1" in result.stderr


def test_add_without_a_terminal_names_the_missing_options(shipped_db: Path) -> None:
    before = snapshot(open_conn(shipped_db))
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--at", "1:00")
    assert result.exit_code == 2
    assert "no terminal to ask in" in result.stderr and "--song" in result.stderr and "--yes" in result.stderr
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--yes")
    assert result.exit_code == 2 and "--song" in result.stderr
    assert snapshot(open_conn(shipped_db)) == before


@pytest.mark.parametrize("song", [["--song", "roads portishead"], ["--unknown", "--heard", "female voice"]])
def test_add_without_a_terminal_or_yes_saves_nothing(shipped_db: Path, song: list[str]) -> None:
    """Named or unidentified, a song given without --yes and without a terminal to confirm in is
    not saved: one line names --yes, as end of input at the confirmation would leave the database."""
    before = snapshot(open_conn(shipped_db))
    result = run(shipped_db, "cue", "add", "soundtrack", "6", *song)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "no terminal to ask in" in line and "--yes" in line and "--song" not in line
    assert snapshot(open_conn(shipped_db)) == before


def test_add_reports_every_bad_option_at_once(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--song", "x", "--kind", "mashup", "--usage", "ZZ",
                 "--source", "nope", "--yes")
    assert result.exit_code == 1
    for field in ("kind:", "usage:", "source:"):
        assert field in result.stderr
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--song", "x", "--at", "soon", "--yes")
    assert result.exit_code == 1 and "--at: 'soon' is not a time" in result.stderr


PROMPTED = "\n".join([
    "",                              # cue number: take the offered 6
    "later",                         # time in: not a time, asked again
    "12:30",
    "12:00",                         # time out before time in: asked again
    "13:05",
    "Sam imagines the roof",         # scene
    "Sam",                           # performers
    "deep in a dream chet baker",    # song 1
    "1",                             # pick the best candidate
    "",                              # no song 2
    "",                              # kind: lip-sync
    "",                              # usage: VV
    "y",                             # save
]) + "\n"


def test_add_by_prompts_shows_candidates_and_saves_the_pick(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--prompt", "--full", input=PROMPTED)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Cue number (6)" in out
    assert "'later' is not a time" in out and "is before the time in (12:30)" in out
    assert "Candidates for song 1 'deep in a dream chet baker'" in out
    assert "Deep in a Dream — Chet Baker" in out and "title 1.00" in out
    assert "Saved Soundtrack S01E03 cue 6" in out
    cue = cues(shipped_db)[-1]
    assert (cue.cue, cue.time_in, cue.time_out, cue.scene) == (6, "12:30", "13:05", "Sam imagines the roof")
    assert cue.performers[0]["actor"] == "Paul James"
    assert (cue.songs[0].title, cue.songs[0].status) == ("Deep in a Dream", "curated")


def test_mashup_by_prompts_none_of_these_by_hand_and_search_again(shipped_db: Path) -> None:
    answers = "\n".join([
        "", "", "", "", "",            # number, times, scene, performers: all left blank
        "elastic heart sia", "n",     # song 1: none of these, kept for review
        "my own song", "m", "My Own Song", "The Band", "", "", "1999",  # song 2 typed by hand
        "baker street", "s", "ain't no sunshine withers", "1",           # song 3: search again, pick
        "",                            # no song 4
        "Nellie", "", "",              # performers of songs 1-3
        "", "",                        # kind (mashup), usage
        "y",
    ]) + "\n"
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--prompt", "--full", input=answers)
    assert result.exit_code == 0, result.output
    cue = cues(shipped_db)[-1]
    assert cue.kind == "mashup"
    statuses = [(s.title, s.status) for s in cue.songs]
    # A song given only as heard has no title until it is identified; its words are its text.
    assert statuses == [(None, "review"), ("My Own Song", "curated"), ("Ain't No Sunshine", "curated")]
    assert cue.songs[0].text == "elastic heart sia"
    assert cue.songs[1].year == 1999
    assert cue.songs[0].performers == [{"character": "Nellie", "actor": "Callie Hernandez", "inferred": False}]
    conn = open_conn(shipped_db)
    waiting = conn.execute("SELECT count(*) FROM match_candidates mc JOIN cue_songs s ON s.id = mc.cue_song_id"
                           " WHERE s.text = 'elastic heart sia'").fetchone()[0]
    assert waiting == 2


@pytest.mark.parametrize("cut", [1, 5, 9, 12])
def test_end_of_input_anywhere_writes_nothing(shipped_db: Path, cut: int) -> None:
    before = snapshot(open_conn(shipped_db))
    partial = "\n".join(PROMPTED.split("\n")[:cut]) + "\n"
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--prompt", "--full", input=partial)
    assert result.exit_code == 130
    assert "cancelled; nothing was written." in result.stderr
    assert snapshot(open_conn(shipped_db)) == before


def test_saying_no_at_the_end_writes_nothing(shipped_db: Path) -> None:
    before = snapshot(open_conn(shipped_db))
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--prompt", "--full", input=PROMPTED.replace("\ny\n", "\nn\n"))
    assert result.exit_code == 130
    assert snapshot(open_conn(shipped_db)) == before


def test_a_taken_number_offers_to_insert_before_it(shipped_db: Path) -> None:
    answers = "2\ny\n\n\n\n\nroar katy perry\nn\n\n\n\ny\n"
    result = run(shipped_db, "cue", "add", "soundtrack", "3", "--prompt", "--full", input=answers)
    assert result.exit_code == 0, result.output
    assert [(a.cue, a.songs[0].title or a.songs[0].text) for a in cues(shipped_db)][:3] == [
        (1, "Deep in a Dream"), (2, "roar katy perry"), (3, "Morning View")]


# --- list, edit, rm, move, renumber -------------------------------------------------------------


def test_list_table_and_json(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "list", "soundtrack", "3")
    assert result.exit_code == 0
    assert "Deep in a Dream — Chet Baker" in result.stdout and "accepted" in result.stdout
    items = json.loads(run(shipped_db, "cue", "list", "soundtrack", "3", "--json").stdout)
    assert [i["cue"] for i in items] == [1, 2, 3, 4, 5]
    assert items[0]["songs"][0]["status"] == "accepted"


def test_edit_with_options_and_clearing(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "edit", "soundtrack", "3", "1", "--at", "0:10", "--time-out", "1:10",
                 "--usage", "bv", "-p", "Sam?")
    assert result.exit_code == 0, result.output
    assert "edited Soundtrack S01E03 cue 1" in result.stdout
    cue = cues(shipped_db)[0]
    assert (cue.time_in, cue.time_out, cue.usage) == ("0:10", "1:10", "BV")
    assert cue.performers == [{"character": "Sam", "actor": "Paul James", "inferred": True}]
    result = run(shipped_db, "cue", "edit", "soundtrack", "3", "1", "--time-out", "-")
    assert cues(shipped_db)[0].time_out is None


def test_edit_by_prompts_keeps_what_enter_keeps(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "edit", "soundtrack", "3", "2", "--prompt", input="5:00\n\n\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    cue = cues(shipped_db)[1]
    assert cue.time_in == "5:00" and cue.scene and cue.kind == "lip-sync"
    [entry] = history.entries(open_conn(shipped_db))
    assert [c["table"] for c in entry.changes] == ["cues"]


def test_edit_without_options_or_terminal(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "edit", "soundtrack", "3", "2")
    assert result.exit_code == 2 and "nothing to change" in result.stderr
    assert "--yes" not in result.stderr  # edit has no --yes


def test_rm_asks_unless_yes(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "rm", "soundtrack", "3", "5")
    assert result.exit_code == 2 and "--yes" in result.stderr
    result = run(shipped_db, "cue", "rm", "soundtrack", "3", "5", "--prompt", input="n\n")
    assert result.exit_code == 130 and len(cues(shipped_db)) == 5
    result = run(shipped_db, "cue", "rm", "soundtrack", "3", "5", "--prompt", input="y\n")
    assert result.exit_code == 0 and "Not Gonna Blink" in result.stdout
    assert len(cues(shipped_db)) == 4
    result = run(shipped_db, "cue", "rm", "soundtrack", "3", "5", "--yes")
    assert result.exit_code == 1 and "has no cue 5" in result.stderr


def test_move_renumber_history_undo(shipped_db: Path) -> None:
    result = run(shipped_db, "cue", "move", "soundtrack", "3", "5", "--to", "1")
    assert result.exit_code == 0 and "moved Soundtrack S01E03 cue 5 to 1" in result.stdout
    assert cues(shipped_db)[0].songs[0].title == "Not Gonna Blink"
    run(shipped_db, "cue", "rm", "soundtrack", "3", "2", "--yes")
    result = run(shipped_db, "cue", "renumber", "soundtrack", "3")
    assert "3→2, 4→3, 5→4" in result.stdout
    history_json = json.loads(run(shipped_db, "history", "--json").stdout)
    assert [h["action"] for h in history_json] == ["cue renumber", "cue rm", "cue move"]
    one = run(shipped_db, "history", "--id", str(history_json[0]["id"]))
    assert "number: 3 → 2" in one.stdout
    for _ in range(3):
        assert run(shipped_db, "undo").exit_code == 0
    assert [a.songs[0].title for a in cues(shipped_db)] == [
        "Deep in a Dream", "Morning View", "Simple Things", "Ain't No Sunshine", "Not Gonna Blink"]
    result = run(shipped_db, "undo")
    assert result.exit_code == 1 and "nothing to undo" in result.stderr
    filtered = json.loads(run(shipped_db, "history", "soundtrack", "1", "--json").stdout)
    assert filtered == []


# --- review --------------------------------------------------------------------------------------


def test_review_list_accept_reject_set(shipped_db: Path) -> None:
    result = run(shipped_db, "review")
    assert result.exit_code == 0 and "Elastic Heart — Sia" in result.stdout
    [item] = json.loads(run(shipped_db, "review", "list", "--json").stdout)
    assert item["code"] == "S01E01" and len(item["candidates"]) == 2 and item["candidates"][0]["reasons"]
    result = run(shipped_db, "review", "accept", str(item["id"]), "--pick", "2")
    assert result.exit_code == 0 and "accepted Elastic Heart" in result.stdout
    assert json.loads(run(shipped_db, "review", "list", "--json").stdout) == []
    run(shipped_db, "undo")
    result = run(shipped_db, "review", "reject", str(item["id"]))
    assert "rejected the candidates" in result.stdout
    run(shipped_db, "undo")
    result = run(shipped_db, "review", "set", str(item["id"]), "--title", "Elastic Heart", "--artist", "Sia",
                 "--mbid", "nonsense")
    assert result.exit_code == 1 and "--mbid" in result.stderr


def test_review_walk_saves_each_decision_as_made(shipped_db: Path) -> None:
    add = run(shipped_db, "cue", "add", "soundtrack", "3", "--song", "elastic heart sia", "--yes")
    assert add.exit_code == 0
    result = run(shipped_db, "review", "walk", "--prompt", input="2\n")  # then input ends
    assert result.exit_code == 0, result.output
    assert "[1/2]" in result.stdout and "[2/2]" in result.stdout
    assert "1 decided, 1 left in the queue." in result.stderr
    [left] = json.loads(run(shipped_db, "review", "list", "--json").stdout)
    assert left["text"] == "elastic heart sia"
    result = run(shipped_db, "review", "walk")
    assert result.exit_code == 2


def test_changes_are_recorded_under_the_configured_curator(shipped_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUESHEET_CURATOR", "Kim Curator")
    run(shipped_db, "cue", "add", "soundtrack", "3", "--song", "x y", "--yes")
    [entry] = json.loads(run(shipped_db, "history", "--json").stdout)
    assert entry["curator"] == "Kim Curator"
    # A program writing without recording makes undo refuse, with the way out.
    conn = open_conn(shipped_db)
    conn.execute("UPDATE cues SET scene = 'changed elsewhere' WHERE number = 6")
    result = run(shipped_db, "undo")
    assert result.exit_code == 1 and "changed outside the history" in result.stderr and "--force" in result.stderr
    assert run(shipped_db, "undo", "--force").exit_code == 0
    assert len(cues(shipped_db)) == 5


# --- online sources: the curator sees and picks their candidates too ------------------------------


@pytest.fixture
def online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The loopback MusicBrainz and Spotify, knowing one recording the shipped catalog lacks."""
    import sys

    from tests import factories as f

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from fake_services import running

    song = f.song(901, "Dreams", "Fleetwood Mac", album="Rumours", date="1977")
    with running([song]) as fake:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CUESHEET_CACHE_PATH", str(tmp_path / "responses.sqlite"))
        monkeypatch.setenv("CUESHEET_RETRIES", "0")
        yield song


def test_add_offers_and_links_an_online_candidate(shipped_db: Path, online) -> None:  # type: ignore[no-untyped-def]
    result = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", "dreams fleetwood mac", "--pick", "1",
                 "--yes")
    assert result.exit_code == 0, result.output
    [song] = cues(shipped_db, "6")[-1].to_json()["songs"]
    assert (song["title"], song["artist"], song["status"]) == ("Dreams", "Fleetwood Mac", "curated")
    assert song["ids"]["mbid"] == online.mbid


def test_add_offline_keeps_to_the_catalog(shipped_db: Path, online) -> None:  # type: ignore[no-untyped-def]
    result = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", "dreams fleetwood mac", "--pick", "1",
                 "--yes", "--offline")
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output  # --offline was asked for; it is not echoed back
    [song] = cues(shipped_db, "6")[-1].to_json()["songs"]
    assert song["title"] != "Dreams"  # the catalog's nearest guess, not the online recording


def test_review_set_finds_an_mbid_online(shipped_db: Path, online) -> None:  # type: ignore[no-untyped-def]
    from cuesheet.curation import review

    [waiting] = review.queue(open_conn(shipped_db))
    result = run(shipped_db, "review", "set", str(waiting.id), "--mbid", online.mbid)
    assert result.exit_code == 0, result.output
    assert "set Dreams — Fleetwood Mac" in result.output
    unknown = run(shipped_db, "review", "set", str(waiting.id), "--mbid", "00000000-0000-4000-8000-0000000009ff")
    assert unknown.exit_code == 1 and "in the catalog or online" in unknown.output
