"""The viewer's commands through typer's CliRunner, as a script or a person runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app

from .conftest import DATA

runner = CliRunner()
ANSWER_KEYS = {
    "show", "season", "episode", "episode_title", "cue", "time_in", "time_out", "scene",
    "performers", "kind", "score", "songs", "conflicts",
}
SONG_KEYS = {"title", "artist", "version", "year", "ids", "links"}


def run(*args: str, db: Path | None = None):
    argv = list(args) + (["--db", str(db)] if db else [])
    return runner.invoke(app, argv)


def test_what_json_shape(shipped_db: Path) -> None:
    result = run("what", "soundtrack", "3", "--json", db=shipped_db)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [i["cue"] for i in items] == [1, 2, 3, 4, 5]
    for item in items:
        assert ANSWER_KEYS <= set(item)
        for song in item["songs"]:
            assert SONG_KEYS <= set(song)
    first = items[0]
    assert (first["show"], first["season"], first["episode"]) == ("Soundtrack", 1, 3)
    assert first["episode_title"] == "Track 3: Sam and Dante"
    assert first["performers"] == [{"character": "Sam", "actor": "Paul James", "inferred": False}]
    assert first["songs"][0]["title"] == "Deep in a Dream"
    assert first["conflicts"][0]["field"] == "artist"


def test_what_ranked_json_best_first(shipped_db: Path) -> None:
    result = run("what", "soundtrak", "s1e1", "wrecks", "his", "boss's", "office", "--json", db=shipped_db)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert items[0]["songs"][0]["title"] == "Smile"
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_what_nl_is_one_object_per_line(shipped_db: Path) -> None:
    result = run("what", "soundtrack", "Track 3", "--nl", db=shipped_db)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    assert all(json.loads(line)["episode"] == 3 for line in lines)


def test_what_for_people(shipped_db: Path) -> None:
    result = run("what", "soundtrack", "3", db=shipped_db)
    assert result.exit_code == 0
    assert "Deep in a Dream — Chet Baker" in result.stdout
    assert "sources disagree on artist" in result.stdout
    assert "+ When I Was Your Man — Bruno Mars" in result.stdout


def test_search_json_same_shape(shipped_db: Path) -> None:
    result = run("search", "elastik", "hart", "--json", db=shipped_db)
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert items[0]["songs"][0]["title"] == "Elastic Heart"
    assert ANSWER_KEYS <= set(items[0])


def test_search_nothing_exits_1(shipped_db: Path) -> None:
    result = run("search", "qqqzzz", db=shipped_db)
    assert result.exit_code == 1
    assert "nothing matches" in result.output


def test_unknown_episode_is_one_line_exit_1(shipped_db: Path) -> None:
    result = run("what", "soundtrack", "sam", db=shipped_db)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "S01E03" in result.output and "S01E07" in result.output


def test_missing_database_gives_the_remedy(tmp_path: Path) -> None:
    result = run("shows", db=tmp_path / "none.sqlite")
    assert result.exit_code == 1
    assert "cuesheet build" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_db_from_environment(shipped_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUESHEET_DB", str(shipped_db))
    result = run("shows", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["name"] == "Soundtrack"


def test_episodes_listing(shipped_db: Path) -> None:
    result = run("episodes", "soundtrack", "--json", db=shipped_db)
    items = json.loads(result.stdout)
    assert [i["code"] for i in items] == [f"S01E{n:02d}" for n in range(1, 11)]
    assert items[5]["cues"] == 1 and items[5]["songs"] == 1 and items[0]["songs"] == 7  # E06: one unidentified song
    assert not any(i["complete"] for i in items)


def test_build_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "cues.sqlite"
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    ok = run("build", "--from", str(data), db=target)
    assert ok.exit_code == 0, ok.output
    before = target.read_bytes()
    bad = data / "soundtrack" / "s01e02.yaml"
    bad.write_text(bad.read_text().replace("kind: lip-sync", "kind: lipsink", 1))
    result = run("build", "--from", str(data), db=target)
    assert result.exit_code == 1
    assert f"{bad}:" in result.output and "kind" in result.output
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cues.sqlite", "data"]


def test_every_command_has_help() -> None:
    from cuesheet.cli.reference import command_paths

    for path, cmd in command_paths():
        assert (getattr(cmd, "help", None) or "").strip(), f"cuesheet {' '.join(path)} has no help"
