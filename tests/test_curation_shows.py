"""Issue #14: episodes, characters and sources are editable with history, and `cue import`
applies an existing episode's fields; every change undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import shows
from cuesheet.db import history
from cuesheet.errors import CuesheetError, InputErrors
from cuesheet.files import cueimport
from cuesheet.viewer.resolve import find_episode, find_show

from .curator_helpers import episode, open_conn, snapshot

runner = CliRunner()


def run(db_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", str(db_path)])


def _episode_row(conn, number: int):  # type: ignore[no-untyped-def]
    return conn.execute("SELECT title, air_date, length_ms, complete, notes FROM episodes WHERE number = ?",
                        [number]).fetchone()


def test_episode_set_with_history_and_undo(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    before = snapshot(conn)
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--complete", "--length", "52:10",
            "--note", "One song only (EW).")
    assert r.exit_code == 0, r.output
    assert _episode_row(conn, 6)[2:] == (3_130_000, 1, "One song only (EW).")
    [entry] = history.entries(conn, limit=1)
    assert entry.action == "episode set" and entry.episode == "S01E06" and "complete" in entry.summary
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--not-complete", "--length", "-")
    assert r.exit_code == 0 and _episode_row(conn, 6)[2:4] == (None, 0)
    history.undo(conn, None, "kim")
    history.undo(conn, entry.id, "kim")
    assert snapshot(conn) == before


def test_episode_set_reports_every_bad_value_and_writes_nothing(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    before = snapshot(conn)
    with pytest.raises(InputErrors) as info:
        shows.set_episode(conn, episode(conn, "soundtrack", "6"),
                          {"title": " ", "air_date": "2019-02-30", "length_ms": 0}, "kim")
    assert sorted(e.field for e in info.value.errors) == ["air_date", "length", "title"]
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--length", "soon")
    assert r.exit_code == 1 and "--length" in r.output
    assert run(shipped_db, "episode", "set", "soundtrack", "6").exit_code == 1
    assert snapshot(conn) == before


def test_characters_add_edit_and_undo(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    before = snapshot(conn)
    r = run(shipped_db, "character", "add", "soundtrack", "Levi", "--notes", "Nellie's musician ex")
    assert r.exit_code == 0, r.output
    assert run(shipped_db, "character", "add", "soundtrack", "levi").exit_code == 1  # already there
    r = run(shipped_db, "character", "edit", "soundtrack", "levi", "--actor", "Some Actor", "--name", "Levi D.")
    assert r.exit_code == 0, r.output
    assert conn.execute("SELECT name, actor, notes FROM characters WHERE name LIKE 'Levi%'").fetchone() == (
        "Levi D.", "Some Actor", "Nellie's musician ex")
    # A cue prompt now completes the name and fills in the actor.
    from cuesheet.curation import cues as curate

    cast = curate.characters(conn, find_show(conn, "soundtrack").id)
    assert curate.parse_performers("levi d.", cast)[0].actor == "Some Actor"
    assert run(shipped_db, "character", "edit", "soundtrack", "Nobody", "--actor", "X").exit_code == 1
    history.undo(conn, None, "kim")
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before


def test_sources_add_and_edit(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    r = run(shipped_db, "source", "add", "soundtrack", "ew-preview", "--title", "EW preview", "--date", "2019-12-13")
    assert r.exit_code == 0, r.output
    r = run(shipped_db, "source", "edit", "soundtrack", "ew-preview", "--url", "https://ew.com/x")
    assert r.exit_code == 0, r.output
    assert conn.execute("SELECT title, url, date FROM sources WHERE key = 'ew-preview'").fetchone() == (
        "EW preview", "https://ew.com/x", "2019-12-13")
    assert run(shipped_db, "source", "add", "soundtrack", "Bad Key").exit_code == 1
    with pytest.raises(CuesheetError, match="already has a source"):
        shows.set_source(conn, find_show(conn, "soundtrack"), "ew-preview", {}, "kim", add=True)
    # Cues can cite it now.
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", "roads portishead", "--source", "ew-preview",
            "--scene", "x", "--yes", "--offline")
    assert r.exit_code == 0, r.output


def test_import_applies_an_existing_episodes_fields(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    before = snapshot(conn)
    old_title = _episode_row(conn, 7)[0]
    path = tmp_path / "s01e07.yaml"
    path.write_text("season: 1\nepisode: 7\ncomplete: true\nlength: '49:30'\nnotes: Checked against the"
                    " episode.\naliases: [Sam and Frank, Episode Seven]\ncues: []\n", encoding="utf-8")
    report = cueimport.import_file(conn, path, find_show(conn, "soundtrack"), "kim")
    assert report.updated_episodes and "complete" in report.updated_episodes[0]
    assert _episode_row(conn, 7) == (old_title, "2019-12-18", 2_970_000, 1, "Checked against the episode.")
    assert "Episode Seven" in find_episode(conn, find_show(conn, "soundtrack"), "7").aliases
    # The search index follows the new alias.
    assert conn.execute("SELECT count(*) FROM cue_fts WHERE cue_fts MATCH '\"Episode Seven\"'").fetchone()[0] >= 1
    history.undo(conn, report.history_id, "kim")
    assert snapshot(conn) == before


def test_episode_sources_set_dumped_built_and_imported(shipped_db: Path, tmp_path: Path) -> None:
    import shutil

    from cuesheet.files import dump
    from cuesheet.files.build import build

    from .conftest import DATA

    conn = open_conn(shipped_db)
    before = snapshot(conn)
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--complete", "--source", "ew-songs-got-away",
            "--source", "myfanbase")
    assert r.exit_code == 0, r.output
    assert "sources 'ew-songs-got-away, myfanbase'" in r.output
    assert run(shipped_db, "episode", "set", "soundtrack", "6", "--source", "nope").exit_code == 1
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    dump.dump(conn, data)
    text = (data / "soundtrack" / "s01e06.yaml").read_text(encoding="utf-8")
    assert "complete: true" in text and "sources: [ew-songs-got-away, myfanbase]" in text.split("cues:")[0]
    build(data, tmp_path / "re.sqlite")
    again = open_conn(tmp_path / "re.sqlite")
    assert dump.content(again)["soundtrack"]["episodes"]["s01e06"] == dump.content(conn)["soundtrack"]["episodes"]["s01e06"]
    assert run(shipped_db, "episode", "set", "soundtrack", "6", "--source", "-").exit_code == 0
    history.undo(conn, None, "kim")
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before
    # An import states an existing episode's sources too.
    path = tmp_path / "s01e07.yaml"
    path.write_text("season: 1\nepisode: 7\nsources: [bustle]\ncues: []\n", encoding="utf-8")
    report = cueimport.import_file(conn, path, find_show(conn, "soundtrack"), "kim")
    assert report.updated_episodes == ["S01E07: sources 'bustle'"]
