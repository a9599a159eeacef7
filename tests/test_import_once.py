"""`cue import` records each file's content hash: a re-run after a kill never doubles the data (#17 item 5)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

CUESHEET = str(Path(sys.executable).with_name("cuesheet"))
CSV = "season,episode,title,artist\n1,3,Chandelier,Sia\n1,3,Titanium,David Guetta\n"

KILLED_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
from cuesheet.db.connection import connect
from cuesheet.files import cueimport
from cuesheet.viewer.resolve import find_show
conn = connect(sys.argv[1]).conn
show = find_show(conn, "soundtrack")
cueimport.import_file(conn, Path(sys.argv[2]), show, "tester", match=False)
os.kill(os.getpid(), signal.SIGKILL)  # dead right after the commit, before any report
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CUESHEET, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "CUESHEET_CURATOR": "tester"})


def cues(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM cues").fetchone()[0]


def test_a_rerun_after_kill_9_refuses_instead_of_doubling(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "new cues.csv"
    sheet.write_text(CSV)
    before = cues(shipped_db)
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, str(shipped_db), str(sheet)], timeout=60)
    assert killed.returncode == -9
    assert cues(shipped_db) == before + 2
    again = run("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db))
    assert again.returncode == 1
    assert "was already imported" in again.stderr and "--again" in again.stderr and "Traceback" not in again.stderr
    assert cues(shipped_db) == before + 2
    # The same bytes under another name are the same file.
    copy = tmp_path / "copy.csv"
    copy.write_text(CSV)
    renamed = run("cue", "import", str(copy), "--show", "soundtrack", "--db", str(shipped_db))
    assert renamed.returncode == 1 and "(as new cues.csv)" in renamed.stderr
    forced = run("cue", "import", str(sheet), "--show", "soundtrack", "--again", "--db", str(shipped_db))
    assert forced.returncode == 0, forced.stderr
    assert cues(shipped_db) == before + 4


def test_dry_runs_record_nothing_and_undo_forgets_the_file(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cues.csv"
    sheet.write_text(CSV)
    before = cues(shipped_db)
    assert run("cue", "import", str(sheet), "--show", "soundtrack", "--dry-run", "--db", str(shipped_db)).returncode == 0
    assert run("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)).returncode == 0
    assert cues(shipped_db) == before + 2
    undone = run("undo", "--db", str(shipped_db))
    assert undone.returncode == 0, undone.stderr
    assert cues(shipped_db) == before
    assert run("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)).returncode == 0
    assert cues(shipped_db) == before + 2


def test_a_changed_file_is_a_new_file(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cues.csv"
    sheet.write_text(CSV)
    assert run("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)).returncode == 0
    sheet.write_text(CSV + "1,3,Dancing On My Own,Robyn\n")
    result = run("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db))
    assert result.returncode == 0, result.stderr


def test_two_imports_of_the_same_file_at_once_import_it_once(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cues.csv"
    sheet.write_text(CSV)
    before = cues(shipped_db)
    procs = [subprocess.Popen([CUESHEET, "cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "CUESHEET_CURATOR": "tester"}) for _ in range(3)]
    results = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in procs]
    assert sorted(code for code, _ in results) == [0, 1, 1], results
    assert all("was already imported" in err for code, err in results if code == 1)
    assert cues(shipped_db) == before + 2
