"""The viewer's commands through typer's CliRunner, as a script or a person runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app

from .conftest import DATA
from cuesheet.db.connection import connect

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
    assert "Soundtrack" in [s["name"] for s in json.loads(result.stdout)]


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


# --- issue #13: the fast path, the spoiler guard, no-match behaviour ---------------------

import os
import subprocess
import sys

FAST_COMMANDS = [
    ["what", "soundtrack", "3"],
    ["what", "soundtrak", "s1e1", "wrecks", "his", "boss's", "office"],
    ["what", "soundtrack", "5", "end", "--json"],
    ["what", "soundtrack", "9", "--upto", "4"],
    ["search", "the", "portishead", "one"],
    ["search", "song", "when", "sam", "is", "in", "the", "car", "--limit", "2"],
    ["search", "nellie", "--upto=S01E02", "--nl"],
    ["search", "roads", "--upto", "4"],
    ["search", *[f"qzx{i}" for i in range(3000)]],
    ["search", "qqqzzz", "--json"],
    ["shows"],
    ["episodes", "soundtrak"],
]


def _fast(argv: list[str], db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"
    return subprocess.run([sys.executable, "-c", code, *argv, "--db", str(db)], capture_output=True,
                          text=True, env={**os.environ, **env})


@pytest.mark.parametrize("argv", FAST_COMMANDS, ids=" ".join)
def test_fast_path_prints_what_the_typer_path_prints(shipped_db_file: Path, argv: list[str]) -> None:
    fast = _fast(argv, shipped_db_file)
    typed = CliRunner().invoke(app, [*argv, "--db", str(shipped_db_file)])
    assert (fast.returncode, fast.stdout, fast.stderr) == (typed.exit_code, typed.stdout, typed.stderr)


def test_fast_path_leaves_typer_and_rich_unloaded(shipped_db_file: Path) -> None:
    code = ("import sys; sys.argv = ['cuesheet', 'search', 'elastik', 'hart', '--db', sys.argv[1]]\n"
            "from cuesheet.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('typer', 'rich', 'sqlite_utils', 'click', 'musicbrainzngs', 'spotipy', 'yaml')"
            " if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    result = subprocess.run([sys.executable, "-c", code, str(shipped_db_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Elastic Heart" in result.stdout


def test_usage_errors_and_help_stay_typers(shipped_db_file: Path) -> None:
    bad = _fast(["search", "x", "--limit", "ten"], shipped_db_file)
    assert bad.returncode == 2 and "--limit" in bad.stderr
    assert "--upto" in _fast(["what", "--help"], shipped_db_file).stdout


def test_piped_output_has_no_trailing_spaces(shipped_db_file: Path) -> None:
    out = _fast(["what", "soundtrack", "3"], shipped_db_file).stdout
    assert out and all(line == line.rstrip() for line in out.splitlines())


def test_closed_pipe_is_quiet(shipped_db_file: Path) -> None:
    code = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, "what", "soundtrack", "1", "--db", str(shipped_db_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is written (`| head -0`)
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""


def test_one_cue_is_singular(shipped_db: Path) -> None:
    result = run("what", "soundtrack", "5", db=shipped_db)
    assert "1 cue known" in result.stderr and "1 cues" not in result.output


@pytest.mark.parametrize("argv", [["what", "soundtrack", "3", "zeppelin", "explosion"], ["search", "qqqzzz"]])
def test_no_match_is_exit_1_and_an_empty_array_with_json(shipped_db: Path, argv: list[str]) -> None:
    result = run(*argv, "--json", db=shipped_db)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert result.stderr.strip()


def test_upto_hides_later_episodes_in_the_cli(shipped_db: Path) -> None:
    everything = json.loads(run("search", "nellie", "falls", "--json", db=shipped_db).stdout)
    assert any(a["episode"] == 9 for a in everything)
    result = run("search", "nellie", "falls", "--upto", "4", "--json", db=shipped_db)
    guarded = json.loads(result.stdout)
    assert guarded and all(a["episode"] <= 4 for a in guarded)
    assert "later episodes have more" in result.stderr
    assert "Roads" not in result.stdout + result.stderr


def test_upto_from_the_environment_and_the_flag_wins(shipped_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUESHEET_UPTO", "2")
    refused = run("what", "soundtrack", "9", db=shipped_db)
    assert refused.exit_code == 1 and "later episodes have more" in refused.stderr
    assert "Portishead" not in refused.output
    assert run("what", "soundtrack", "9", "--upto", "10", db=shipped_db).exit_code == 0


def test_catalog_hint_is_one_stderr_line_and_json_stays_cues(shipped_db: Path) -> None:

    conn = connect(shipped_db).conn
    rec = conn.execute("INSERT INTO recordings (title, artist, title_key, artist_key) VALUES"
                       " ('Hey There Delilah', 'Plain White T''s', 'hey there delilah', 'plain white ts')").lastrowid
    conn.execute("INSERT INTO recording_fts (rowid, title_key, artist_key) VALUES (?, 'hey there delilah', 'plain white ts')",
                 [rec])
    conn.close()
    result = run("search", "hey", "there", "delilah", "--json", db=shipped_db)
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    hint = [line for line in result.stderr.splitlines() if "catalog" in line]
    assert hint == ["no known episode uses it; the catalog has Hey There Delilah — Plain White T's"]


def test_json_songs_carry_song_id_and_links(shipped_db: Path) -> None:
    items = json.loads(run("search", "elastic", "heart", "--json", db=shipped_db).stdout)
    song = items[0]["songs"][0]
    assert isinstance(song["song_id"], int) and song["song_id"] > 0
    assert song["links"]["spotify_search"].startswith("https://open.spotify.com/search/")


def test_upto_from_the_config_file(shipped_db_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[viewer]\nupto = "S01E02"\n')
    fast = _fast(["search", "portishead", "--json"], shipped_db_file, CUESHEET_CONFIG=str(config))
    assert fast.returncode == 1 and json.loads(fast.stdout) == []
    assert "later episodes have more" in fast.stderr and "Roads" not in fast.stderr
