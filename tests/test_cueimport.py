"""cue import: YAML, JSON and CSV, all or nothing, every error located, matched as they come in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db import history
from cuesheet.errors import InputErrors
from cuesheet.files import cueimport
from cuesheet.viewer.resolve import find_show
from cuesheet.viewer.search import what

from .curator_helpers import open_conn, snapshot

runner = CliRunner()

EPISODE_YAML = """\
season: 2
episode: 1
title: Second Start
cues:
  - cue: 1
    order: confirmed
    time_in: "1:00"
    scene: Ada on the roof
    performers: [{character: Ada}]
    usage: VV
    kind: lip-sync
    sources: [list]
    songs:
      - title: Smile
        artist: Nat King Cole
  - cue: 2
    kind: background
    songs:
      - some song as heard
"""


def show(conn):
    return find_show(conn, "mini")


def test_yaml_episode_file_is_imported_and_one_undo_takes_it_back(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    before = snapshot(conn)
    path = tmp_path / "s02e01.yaml"
    path.write_text(EPISODE_YAML)
    report = cueimport.import_file(conn, path, show(conn), "kim")
    assert report.added == ["S02E01 cue 1: Smile — Nat King Cole", "S02E01 cue 2: some song as heard"]
    [a, b] = what(conn, "mini", "s2e1").answers
    assert (a.time_in, a.scene, a.sources) == ("1:00", "Ada on the roof", ["list"])
    assert b.songs[0].text == "some song as heard"
    [entry] = history.entries(conn)
    assert entry.action == "cue import" and entry.episode == "S02E01"
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before


def test_the_show_comes_from_the_data_folder(mini_db: Path, mini_data: Path) -> None:
    conn = open_conn(mini_db)
    path = mini_data / "mini" / "s02e01.yaml"
    path.write_text(EPISODE_YAML)
    assert cueimport.show_for(conn, path, None).slug == "mini"


def test_json_creates_a_missing_episode_and_reports_bad_json_by_line(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "cues.json"
    path.write_text(json.dumps([{"season": 2, "episode": 2, "title": "Third", "cues": [
        {"cue": 1, "kind": "lip-sync", "songs": [{"title": "Roar", "artist": "Katy Perry"}]}]}], indent=2))
    report = cueimport.import_file(conn, path, show(conn), "kim")
    assert report.new_episodes == ["S02E02 Third"]
    assert what(conn, "mini", "s2e2").answers[0].songs[0].title == "Roar"
    path.write_text('{\n  "season": 2,\n  "episode": 2\n  "cues": []\n}')
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, show(conn), "kim")
    assert info.value.errors[0].line == 4


def test_every_error_in_a_file_is_listed_with_line_and_field(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    before = snapshot(conn)
    path = tmp_path / "cues.yaml"
    path.write_text(EPISODE_YAML.replace("usage: VV", "usage: ZZ").replace("kind: background", "kind: nope")
                    .replace("sources: [list]", "sources: [unknown]").replace('"1:00"', "later"))
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, show(conn), "kim")
    got = sorted((e.line, e.field) for e in info.value.errors)
    assert got == [(7, "cues[0].time_in"), (10, "cues[0].usage"), (12, "cues[0].sources"), (17, "cues[1].kind")]
    assert snapshot(conn) == before


CSV = """\
season,episode,cue,time_in,scene,performers,kind,sources,title,artist,text
1,1,,40:00,Finale,Ada,,list,Roar,Katy Perry,
2,1,5,1:00,Mashup,"Ada; Bo",mashup,,Smile,Nat King Cole,
2,1,5,,,,,,Believer,Imagine Dragons,
"""


def test_csv_rows_group_into_cues_and_blank_numbers_come_next(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "cues.csv"
    path.write_text(CSV)
    report = cueimport.import_file(conn, path, show(conn), "kim")
    assert report.added == ["S01E01 cue 4: Roar — Katy Perry",
                            "S02E01 cue 5: Smile — Nat King Cole + Believer — Imagine Dragons"]
    [mash] = what(conn, "mini", "s2e1").answers
    assert mash.kind == "mashup" and [s.title for s in mash.songs] == ["Smile", "Believer"]
    assert [p["actor"] for p in mash.performers] == ["Ann Actor", "Ben Actor"]


def test_csv_errors_name_the_column(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "cues.csv"
    path.write_text(CSV.replace("40:00", "soon").replace(",mashup,", ",mash,") + "x,1,,,,,,,,,\n"
                    + "2,1,5,,Other scene,,,,Roar,Katy,\n" + "3,1,,,,,,,Song,Artist,\n")
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, show(conn), "kim")
    got = sorted((e.line, e.field) for e in info.value.errors)
    # Line 5's wrong season does not hide its missing title (#23: every error of a row at once).
    assert got == [(2, "time_in"), (3, "kind"), (5, "season"), (5, "title"), (6, "scene"), (7, "episode_title")]
    path.write_text("season,episode,colour\n1,1,red\n")
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, show(conn), "kim")
    assert info.value.errors[0].field == "header" and "colour" in str(info.value)


def test_taken_numbers_fail_unless_replacing(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "s01e01.yaml"
    path.write_text(EPISODE_YAML.replace("season: 2\nepisode: 1\ntitle: Second Start\n", "season: 1\nepisode: 1\n"))
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, show(conn), "kim")
    assert [(e.line, e.field) for e in info.value.errors] == [(4, "cue"), (15, "cue")]
    report = cueimport.import_file(conn, path, show(conn), "kim", replace=True)
    assert len(report.replaced) == 2
    assert [a.songs[0].title or a.songs[0].text for a in what(conn, "mini", "s1e1").answers] == [
        "Smile", "some song as heard", "Deep in a Dream"]


def test_dry_run_reports_and_writes_nothing(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    before = snapshot(conn)
    path = tmp_path / "cues.csv"
    path.write_text(CSV)
    report = cueimport.import_file(conn, path, show(conn), "kim", dry_run=True)
    assert len(report.added) == 2 and report.dry_run and report.history_id is None
    assert snapshot(conn) == before
    assert history.entries(conn) == []


def test_songs_are_matched_as_they_come_in(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    path = tmp_path / "cues.csv"
    path.write_text("season,episode,title,artist,text\n1,6,,,roads portishead\n1,6,,,no such song at all\n")
    report = cueimport.import_file(conn, path, find_show(conn, "soundtrack"), "kim")
    assert (report.accepted, report.no_match) == (1, 1)
    statuses = [s.status for a in what(conn, "soundtrack", "6").answers for s in a.songs]
    assert statuses == ["unknown", "accepted", "no_match"]  # after episode 6's unidentified song


def test_large_file_reports_progress(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "big.csv"
    path.write_text("season,episode,text\n" + "".join(f"2,1,song number {i}\n" for i in range(300)))
    seen: list[tuple[str, int, int]] = []
    report = cueimport.import_file(conn, path, show(conn), "kim", progress=lambda *a: seen.append(a))
    assert len(report.added) == 300
    # Matching (reading only) comes first, before the write lock; writing is the short last step (#23).
    assert ("matching", 300, 300) in seen and seen[-1] == ("writing", 300, 300)
    assert [a.cue for a in what(conn, "mini", "s2e1").answers] == list(range(1, 301))


def test_cli_import_dry_run_and_errors(mini_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "cues.csv"
    path.write_text(CSV)
    result = runner.invoke(app, ["cue", "import", str(path), "--show", "mini", "--dry-run", "--db", str(mini_db)])
    assert result.exit_code == 0, result.output
    assert "would add S01E01 cue 4: Roar — Katy Perry" in result.stdout
    assert "Dry run: would import 2 cues with 3 songs" in result.stdout
    path.write_text(CSV.replace("40:00", "soon").replace(",mashup,", ",mash,"))
    result = runner.invoke(app, ["cue", "import", str(path), "--show", "mini", "--db", str(mini_db)])
    assert result.exit_code == 1
    assert f"{path}:2: time_in:" in result.stderr and f"{path}:3: kind:" in result.stderr
    assert "2 errors; nothing was written." in result.stderr
    result = runner.invoke(app, ["cue", "import", str(tmp_path / "x.txt"), "--show", "mini", "--db", str(mini_db)])
    assert result.exit_code == 1 and "--format" in result.stderr


def test_the_cli_lists_errors_in_file_order(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cuesheet.cli import app

    path = tmp_path / "cues.csv"
    path.write_text(CSV.replace("40:00", "soon").replace(",mashup,", ",mash,") + "x,1,,,,,,,,,\n"
                    + "2,1,5,,Other scene,,,,Roar,Katy,\n" + "3,1,,,,,,,Song,Artist,\n")
    result = CliRunner().invoke(app, ["cue", "import", str(path), "--show", "mini", "--db", str(mini_db)])
    assert result.exit_code == 1
    lines = [int(ln.split(":")[2]) for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert lines == sorted(lines) and len(lines) == 6


def _index(conn) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The search index as stored, and as the cue_doc view says it should be."""
    cols = "songs, artists, performers, scene, episode"
    return (conn.execute(f"SELECT rowid, {cols} FROM cue_fts ORDER BY rowid").fetchall(),
            conn.execute(f"SELECT cue_id, {cols} FROM cue_doc ORDER BY cue_id").fetchall())


def _triggers(conn) -> list[tuple[str, str]]:
    return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def test_a_replacing_import_its_undo_and_redo_keep_the_search_index_and_its_triggers(mini_db: Path,
                                                                                     tmp_path: Path) -> None:
    """#23: import and undo refresh the index once at the end (search_index.deferred), not per row."""
    conn = open_conn(mini_db)
    before, triggers = snapshot(conn), _triggers(conn)
    old = _index(conn)
    path = tmp_path / "s01e01.yaml"
    path.write_text(EPISODE_YAML.replace("season: 2\nepisode: 1\ntitle: Second Start\n", "season: 1\nepisode: 1\n"))
    report = cueimport.import_file(conn, path, show(conn), "kim", replace=True)
    stored, expected = _index(conn)
    assert stored == expected and stored != old[0]
    assert any("Smile" in row[1] for row in stored)
    assert conn.execute("SELECT count(*) FROM cue_fts WHERE cue_fts MATCH 'smile'").fetchone()[0] == 1
    assert _triggers(conn) == triggers
    undone = history.undo(conn, report.history_id, "kim")
    assert snapshot(conn) == before and _index(conn) == old and _triggers(conn) == triggers
    history.undo(conn, undone.entry_id, "kim")  # undoing the undo redoes the import
    assert _index(conn) == (stored, expected) and _triggers(conn) == triggers


def test_an_import_that_fails_leaves_the_index_and_its_triggers(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    old, triggers = _index(conn), _triggers(conn)
    path = tmp_path / "cues.csv"
    path.write_text(CSV)
    cueimport.import_file(conn, path, show(conn), "kim", dry_run=True)  # writes, then rolls back
    assert _index(conn) == old and _triggers(conn) == triggers
    assert conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE name LIKE '_fts_defer%'").fetchone()[0] == 0
