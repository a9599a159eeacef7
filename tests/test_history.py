"""History: every change recorded with its rows before and after; undo puts them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.curation import cues as curate
from cuesheet.db import history
from cuesheet.errors import CuesheetError, NotFound

from .curator_helpers import draft, episode, numbers, open_conn, snapshot


def test_who_prefers_the_configured_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert history.who("  Kim ") == "Kim"
    monkeypatch.setattr(history.getpass, "getuser", lambda: "login")
    assert history.who(None) == "login"
    assert history.who("") == "login"


def test_an_add_is_recorded_with_every_row_it_wrote(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    done = curate.add_cue(conn, ep, draft("Elastic Heart - Sia", scene="rooftop"), "kim")
    [entry] = history.entries(conn)
    assert entry.id == done.history_id
    assert (entry.curator, entry.action, entry.episode, entry.show) == ("kim", "cue add", "S01E01", "Mini Musical")
    assert entry.summary == "added Mini Musical S01E01 cue 4: Elastic Heart — Sia"
    tables = {(c["table"], c["before"] is None) for c in entry.changes}
    assert ("cues", True) in tables and ("cue_songs", True) in tables
    cue_row = next(c for c in entry.changes if c["table"] == "cues")
    assert cue_row["after"]["scene"] == "rooftop" and cue_row["after"]["number"] == 4
    assert entry.at.endswith("+00:00")


def test_undo_puts_every_row_back_and_can_be_redone(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    before = snapshot(conn)
    curate.add_cue(conn, ep, draft("Elastic Heart - Sia"), "kim")
    after_add = snapshot(conn)
    undone = history.undo(conn, None, "kim")
    assert snapshot(conn) == before
    assert undone.undone.action == "cue add"
    redo = history.undo(conn, undone.entry_id, "kim")
    assert snapshot(conn) == after_add
    assert redo.undone.action == "undo"
    # The original add is in effect again, so plain undo takes it back again.
    again = history.undo(conn, None, "kim")
    assert again.undone.id == undone.undone.id
    assert snapshot(conn) == before


def test_undo_of_a_removal_restores_the_cue_its_songs_performers_and_claims(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    before = snapshot(conn)
    curate.remove_cue(conn, ep, 2, "kim")
    assert [n for n, _ in numbers(conn, ep)] == [1, 3]
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before
    hits = conn.execute("SELECT rowid FROM cue_fts WHERE cue_fts MATCH '\"kitchen\"'").fetchall()
    assert len(hits) == 1  # the search index follows the restored rows


def test_undo_of_a_renumber_swaps_numbers_back(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    before = snapshot(conn)
    curate.move_cue(conn, ep, 3, "kim", to=1)
    assert numbers(conn, ep) == [(1, "Deep in a Dream"), (2, "Singing in the Rain"), (3, "Smile")]
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before


def test_undo_refuses_when_a_later_change_touched_the_same_rows(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    first = curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"scene": "first"}), "kim")
    second = curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"scene": "second"}), "lee")
    with pytest.raises(CuesheetError) as info:
        history.undo(conn, first.history_id, "kim")
    assert f"#{second.history_id}" in str(info.value)
    assert conn.execute("SELECT scene FROM cues WHERE episode_id = ? AND number = 1", [ep.id]).fetchone() == ("second",)
    forced = history.undo(conn, first.history_id, "kim", force=True)
    assert forced.forced
    assert conn.execute("SELECT scene FROM cues WHERE episode_id = ? AND number = 1", [ep.id]).fetchone() == (
        "Ada sings in the rain outside the bakery",)


def test_undo_refuses_twice_and_says_how_to_redo(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    done = curate.remove_cue(conn, ep, 3, "kim")
    undone = history.undo(conn, done.history_id, "kim")
    with pytest.raises(CuesheetError) as info:
        history.undo(conn, done.history_id, "kim")
    assert f"cuesheet undo {undone.entry_id}" in str(info.value)


def test_nothing_to_undo_and_unknown_ids(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    with pytest.raises(NotFound):
        history.undo(conn, None, "kim")
    with pytest.raises(NotFound):
        history.undo(conn, 99, "kim")


def test_a_change_that_changes_nothing_leaves_no_entry(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    done = curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"usage": "VV"}), "kim")
    assert done.history_id is None
    assert history.entries(conn) == []


def test_a_failed_change_leaves_no_entry_and_no_triggers(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    with pytest.raises(CuesheetError):
        curate.add_cue(conn, ep, draft("X - Y", number=1), "kim")
    assert history.entries(conn) == []
    assert conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'").fetchone() == (0,)
    # Writes outside a recorded operation are not logged.
    conn.execute("UPDATE cues SET notes = 'x'")
    assert history.entries(conn) == []


def test_entries_filter_by_episode(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    one, two = episode(conn, "mini", "s1e1"), episode(conn, "mini", "s2e1")
    curate.add_cue(conn, one, draft("A - B"), "kim")
    curate.add_cue(conn, two, draft("C - D"), "kim")
    assert [e.episode for e in history.entries(conn)] == ["S02E01", "S01E01"]
    assert [e.episode for e in history.entries(conn, episode_id=two.id)] == ["S02E01"]
    assert history.entries(conn, limit=1)[0].episode == "S02E01"


def test_diff_names_changed_fields() -> None:
    change = {"table": "cues", "rowid": 1, "before": {"a": 1, "b": 2}, "after": {"a": 1, "b": 3}}
    assert history.diff(change) == {"b": (2, 3)}
