"""`build` never loses a curator's work (issue #17, item 4), tried with real processes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cuesheet.files import build as buildmod
from cuesheet.errors import CuesheetError

from .conftest import DATA

CUESHEET = str(Path(sys.executable).with_name("cuesheet"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CUESHEET, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CUESHEET_CURATOR": "tester", **(env or {})})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def add_cue(db: Path) -> None:
    result = run("cue", "add", "--yes", "soundtrack", "3", "-s", "chandelier sia", "--kind", "lip-sync", "--pick", "1",
                 "--offline", "--db", str(db))
    assert result.returncode == 0, result.stderr


def shipped_cues() -> int:
    """Cues in the shipped data/ (it grows as curators add to it)."""
    import yaml

    return sum(len((yaml.safe_load(p.read_text()) or {}).get("cues") or [])
               for p in DATA.glob("*/s*e*.yaml"))


SHIPPED = shipped_cues()


def count_cues(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM cues").fetchone()[0]


def test_rebuilding_from_the_same_files_is_allowed(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    buildmod.build(data, db)
    assert count_cues(db) == SHIPPED


def test_edits_to_the_files_alone_never_block_a_build(data: Path, tmp_path: Path) -> None:
    """The usual loop: edit the YAML, build again. The database is as it was built: nothing to lose."""
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    episode = data / "soundtrack" / "s01e03.yaml"
    episode.write_text(episode.read_text().replace('title: "Track 3', 'title: "Edited Track 3', 1))
    (data / "soundtrack" / "s01e04.yaml").unlink()
    buildmod.build(data, db)
    titles = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT e.title FROM episodes e JOIN shows s ON s.id = e.show_id"
        " WHERE s.slug = 'soundtrack' AND e.season = 1 AND e.number = 3")]
    assert titles == ["Edited Track 3: Sam and Dante"]


def test_curator_work_in_one_episode_blocks_even_when_the_files_changed_elsewhere(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    add_cue(db)
    episode = data / "soundtrack" / "s01e05.yaml"
    episode.write_text(episode.read_text().replace('title: "Track 5', 'title: "Edited Track 5', 1))
    with pytest.raises(CuesheetError) as info:
        buildmod.build(data, db)
    assert "s01e03 cue 6" in str(info.value) and "s01e05" not in str(info.value)


def test_build_refuses_to_replace_curator_work_until_dumped(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    add_cue(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = run("build", "--from", str(data), "--db", str(db))
    assert result.returncode == 1
    assert "holds curator work" in result.stderr and "s01e03 cue 6" in result.stderr
    assert "cuesheet dump" in result.stderr and "--force" in result.stderr
    assert count_cues(db) == SHIPPED + 1 and hashlib.sha256(db.read_bytes()).hexdigest() == before
    dumped = run("dump", "--db", str(db), "--to", str(data))
    assert dumped.returncode == 0, dumped.stderr
    rebuilt = run("build", "--from", str(data), "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert count_cues(db) == SHIPPED + 1


def test_force_replaces_it(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    add_cue(db)
    with pytest.raises(CuesheetError, match="curator work"):
        buildmod.build(data, db)
    buildmod.build(data, db, force=True)
    assert count_cues(db) == SHIPPED


def test_a_removed_cue_counts_as_work(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM cues WHERE id = (SELECT min(id) FROM cues)")
    conn.commit()
    conn.close()
    with pytest.raises(CuesheetError, match=r"\(removed\)"):
        buildmod.build(data, db)


def test_build_will_not_replace_a_foreign_database(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    for force in (False, True):
        with pytest.raises(CuesheetError, match="not a cuesheet database"):
            buildmod.build(data, db, force=force)
    assert db.read_bytes() == before


HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO sources (key) VALUES ('written-while-build-waited')")
print("holding", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
conn.close()
"""


def built_and_held(data: Path, db: Path) -> subprocess.Popen[str]:
    """A built database, and another process holding its write lock mid-transaction (until it reads a line)."""
    buildmod.build(data, db)
    writer = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
    return writer


def test_build_waits_for_a_writer_and_never_deletes_its_wal(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    writer = built_and_held(data, db)
    try:
        result = run("build", "--from", str(data), "--db", str(db), env={"CUESHEET_BUSY_TIMEOUT_MS": "300"})
        assert result.returncode == 1 and "is busy" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert Path(str(db) + "-wal").exists()
        writer.communicate("go\n", timeout=30)
    finally:
        writer.kill()
    assert writer.returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sources WHERE key = 'written-while-build-waited'").fetchone()[0] == 1
    # Nothing of the refused build is left beside the database.
    assert not list(tmp_path.glob(".cues.sqlite.build-*"))


def test_a_killed_build_leaves_temp_files_the_next_build_removes(data: Path, tmp_path: Path) -> None:
    """kill -9 a build while it waits for the old database's lock (its temp file is then complete)."""
    db = tmp_path / "cues.sqlite"
    writer = built_and_held(data, db)
    try:
        victim = subprocess.Popen([CUESHEET, "build", "--from", str(data), "--db", str(db)],
                                  env={**os.environ, "CUESHEET_BUSY_TIMEOUT_MS": "120000"},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        temp = tmp_path / f".cues.sqlite.build-{victim.pid}"
        deadline = time.monotonic() + 60
        # The temp file is complete once its rollback journal is gone and the build waits on the lock.
        while time.monotonic() < deadline and not (temp.exists() and holder_waits(db, victim.pid)):
            time.sleep(0.05)
        assert temp.exists()
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        writer.communicate("go\n", timeout=30)
    finally:
        writer.kill()
    assert temp.exists()
    result = run("build", "--from", str(data), "--db", str(db), "--force")
    assert result.returncode == 0, result.stderr
    assert f"removed {temp}" in result.stderr.replace("\n", "")
    assert not list(tmp_path.glob(".cues.sqlite.build-*"))
    assert count_cues(db) == SHIPPED


def holder_waits(db: Path, pid: int) -> bool:
    """The build process has opened the old database (it is in _replace, waiting for the lock)."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(db) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def test_stale_temps_of_live_processes_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    live = tmp_path / f".cues.sqlite.build-{os.getppid()}"
    dead = tmp_path / ".cues.sqlite.build-999999999-wal"
    live.write_text("")
    dead.write_text("")
    assert buildmod.clean_stale_temps(db) == [str(dead)]
    assert live.exists() and not dead.exists()


def test_a_catalog_import_since_the_build_is_not_thrown_away_silently(data: Path, tmp_path: Path) -> None:
    """A rebuild would drop imported rows: it refuses and names the command that keeps them (`dump`)."""
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    extra = tmp_path / "more.csv"
    extra.write_text("title,artist,year\nSince I Fell for You,Laura Lee,1972\nRoads,Someone Else,2001\n")
    result = run("catalog", "import", str(extra), "--db", str(db))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:  # the import came a while after the build, as a curator's does
        conn.execute("UPDATE recordings SET added_at = datetime(added_at, '+1 minute')"
                     " WHERE title IN ('Since I Fell for You', 'Roads') AND artist <> 'Portishead'")
    with pytest.raises(CuesheetError) as exc:
        buildmod.build(data, db)
    message = str(exc.value)
    assert "2 catalog recordings the files lack" in message and "cuesheet dump" in message
    assert sqlite3.connect(db).execute(
        "SELECT count(*) FROM recordings WHERE title = 'Since I Fell for You'").fetchone()[0] == 1
    buildmod.build(data, db, force=True)
    assert sqlite3.connect(db).execute(
        "SELECT count(*) FROM recordings WHERE title = 'Since I Fell for You'").fetchone()[0] == 0


def test_an_old_database_never_curated_gives_way_to_newer_files(data: Path, tmp_path: Path) -> None:
    """Built before digests were kept and with no history: a `git pull` then `make` rebuilds."""
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM build_digests")
    conn.execute("UPDATE cues SET scene = 'what an older data/ said' WHERE number = 1")
    conn.commit()
    conn.close()
    buildmod.build(data, db)
    assert sqlite3.connect(db).execute(
        "SELECT count(*) FROM cues WHERE scene = 'what an older data/ said'").fetchone()[0] == 0


def test_catalog_rows_of_an_older_build_are_not_work(data: Path, tmp_path: Path) -> None:
    db = tmp_path / "cues.sqlite"
    buildmod.build(data, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE recordings SET row_key = 'from an older data/catalog' WHERE id = "
                 "(SELECT min(id) FROM recordings WHERE row_key IS NOT NULL)")
    conn.commit()
    conn.close()
    buildmod.build(data, db)  # no refusal: that row came with the build, not after it
