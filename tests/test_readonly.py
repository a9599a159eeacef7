"""Databases that are not ours, read-only databases, and a busy write lock (issue #17, items 3 and 5).

The read-only media case runs the real `cuesheet` in a private mount namespace
(`unshare -rm`) with the database on a tmpfs remounted read-only: the tests run
as root, which ignores file mode bits, so chmod would prove nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cuesheet.db.connection import connect
from cuesheet.db.migrations import MIGRATIONS
from cuesheet.db.transactions import busy_message
from cuesheet.errors import CuesheetError

CUESHEET = str(Path(sys.executable).with_name("cuesheet"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CUESHEET, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("args", [
    ["shows"], ["what", "soundtrack", "3"], ["check"], ["history"],
    ["cue", "add", "--yes", "soundtrack", "3", "-s", "elastic heart sia", "--kind", "lip-sync", "--pick", "1", "--offline"],
    ["export", "playlist", "soundtrack", "--format", "m3u"], ["upgrade"], ["catalog", "stats"],
])
def test_a_foreign_database_is_refused_by_every_command_and_left_alone(tmp_path: Path, args: list[str]) -> None:
    path = foreign_db(tmp_path / "other.sqlite")
    before = digest(path)
    result = run(*args, "--db", str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a cuesheet database" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal, no -shm
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]


def test_a_file_that_is_not_sqlite_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"these are not the bytes of an SQLite database " * 40)
    before = digest(path)
    with pytest.raises(CuesheetError, match="file is not a database"):
        connect(path)
    assert digest(path) == before


def test_reads_never_change_the_file_or_its_journal_mode(shipped_db: Path) -> None:
    """A built database is in rollback-journal mode; viewers must not switch it to WAL or migrate it."""
    # (Other tests may have opened the session's copy read-write, switching it to WAL.)
    assert sqlite3.connect(shipped_db).execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    before = digest(shipped_db)
    for args in (["shows"], ["episodes", "soundtrack"], ["what", "soundtrack", "3"], ["search", "elastic"],
                 ["check"], ["history"], ["review", "list"], ["export", "cuesheet", "soundtrack", "3"]):
        result = run(*args, "--db", str(shipped_db))
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, (args, result.stderr)
    assert digest(shipped_db) == before
    assert sqlite3.connect(shipped_db).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def _old_database(path: Path) -> Path:
    """A database made by the first release (as test_db builds one), with one show."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    MIGRATIONS[0].apply(conn)
    conn.executemany("INSERT INTO _migrations VALUES (?, 'then')", [("m001_initial",)])
    conn.execute("INSERT INTO shows (slug, name) VALUES ('old', 'Old Show')")
    conn.close()
    return path


def test_an_old_database_names_the_command_that_upgrades_it(tmp_path: Path) -> None:
    path = _old_database(tmp_path / "old.sqlite")
    before = digest(path)
    result = run("shows", "--db", str(path))
    assert result.returncode == 1
    assert "needs upgrading" in result.stderr and f"cuesheet upgrade --db {path}" in result.stderr
    assert digest(path) == before
    upgraded = run("upgrade", "--db", str(path))
    assert upgraded.returncode == 0 and "m002_matching" in upgraded.stdout
    shows = run("shows", "--db", str(path), "--json")
    assert shows.returncode == 0 and "Old Show" in shows.stdout
    assert "up to date" in run("upgrade", "--db", str(path)).stdout


def test_read_only_connections_refuse_writes(shipped_db: Path) -> None:
    conn = connect(shipped_db, readonly=True).conn
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM shows")


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True, timeout=10)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rm and tmpfs mounts (user namespaces)")
def test_a_wal_database_on_read_only_media_is_readable(shipped_db: Path, tmp_path: Path) -> None:
    """mode=ro cannot open a WAL file whose -shm cannot be made; immutable=1 can."""
    sqlite3.connect(shipped_db).execute("PRAGMA journal_mode = WAL").fetchone()
    media = tmp_path / "media"
    media.mkdir()
    target = media / shipped_db.name
    probe = (f"import sqlite3\ntry:\n    sqlite3.connect('file:{target}?mode=ro', uri=True)"
             ".execute('SELECT count(*) FROM sqlite_master')\n    print('MODE-RO-OPENED')\n"
             "except sqlite3.OperationalError as e:\n    print('MODE-RO-FAILED', e)\n")
    port = _free_port()
    fetch = (f"import time, urllib.request\nfor _ in range(100):\n    try:\n"
             f"        print('SERVED', urllib.request.urlopen('http://127.0.0.1:{port}/soundtrack/1/3.json').status)\n"
             f"        break\n    except OSError:\n        time.sleep(0.2)\n")
    script = (f"mount -t tmpfs tmpfs {media} && cp {shipped_db} {media}/ && mount -o remount,ro {media} && "
              f"{sys.executable} -c \"{probe}\" && "
              f"{CUESHEET} what soundtrack 3 --db {target} --json && {CUESHEET} check --db {target} --json && "
              f"({CUESHEET} serve --db {target} --port {port} --workers 1 & echo $! > {tmp_path}/serve.pid) && "
              f"{sys.executable} -c \"{fetch}\"; kill $(cat {tmp_path}/serve.pid)")
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert "MODE-RO-FAILED" in result.stdout, result.stdout + result.stderr  # the fallback was needed
    assert '"episode"' in result.stdout and "Elastic Heart" in result.stdout, result.stderr
    assert "SERVED 200" in result.stdout, result.stdout[-500:] + result.stderr  # serve starts and answers
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


HOLDER = """
import sys, time
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
conn = connect(sys.argv[1]).conn
with transaction(conn):
    conn.execute("INSERT INTO sources (key) VALUES ('held')")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_busy_lock_says_who_holds_it_and_what_to_do(shipped_db: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(shipped_db), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = run("cue", "add", "--yes", "soundtrack", "3", "-s", "elastic heart sia", "--kind", "lip-sync",
                     "--pick", "1", "--offline", "--db", str(shipped_db),
                     env={"CUESHEET_BUSY_TIMEOUT_MS": "300", "CUESHEET_CURATOR": "t"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert f"pid {holder.pid}" in result.stderr and "holds its write lock" in result.stderr
    assert "run this again when it has finished" in result.stderr and "Traceback" not in result.stderr
    # The holder was killed (-9): its note names a dead pid, and the lock is free again.
    again = run("cue", "add", "--yes", "soundtrack", "3", "-s", "elastic heart sia", "--kind", "lip-sync",
                "--pick", "1", "--offline", "--db", str(shipped_db), env={"CUESHEET_CURATOR": "t"})
    assert again.returncode == 0, again.stderr
    assert busy_message(shipped_db).count("another program") == 1  # a dead holder is not named


def test_an_unknown_holder_is_described_as_another_program(shipped_db: Path) -> None:
    other = sqlite3.connect(shipped_db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = run("cue", "add", "--yes", "soundtrack", "3", "-s", "x", "--kind", "lip-sync", "--offline",
                     "--db", str(shipped_db), env={"CUESHEET_BUSY_TIMEOUT_MS": "200", "CUESHEET_CURATOR": "t"})
    finally:
        other.execute("ROLLBACK")
    assert result.returncode == 1
    assert "another program has been writing it" in result.stderr and "Traceback" not in result.stderr
