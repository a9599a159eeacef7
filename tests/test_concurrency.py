"""Two curators at once: two real processes adding 500 cues each to one database lose nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from cuesheet.db.connection import connect

from .curator_helpers import episode, open_conn

ADDS = 500
WORKER = textwrap.dedent("""
    import sys
    from cuesheet.db.connection import connect
    from cuesheet.viewer.resolve import find_episode, find_show
    from cuesheet.curation import cues as curate
    from cuesheet.curation.cues import CueDraft, SongDraft
    from cuesheet.model import Song

    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = connect(path).conn
    ep = find_episode(conn, find_show(conn, "mini"), "s2e1")
    for i in range(count):
        text = f"{name} song {i}"
        curate.add_cue(conn, ep, CueDraft(songs=(SongDraft(Song(title=text, artist="", text=text)),)), name)
    print("done", name)
""")


def test_two_processes_adding_at_once_lose_nothing(mini_db: Path) -> None:
    procs = [
        # Each waits as long as the other may need to finish (a curator's default is 10 s): what
        # this test checks is that nothing is lost, not how long a writer that is starved waits.
        subprocess.Popen([sys.executable, "-c", WORKER, str(mini_db), name, str(ADDS)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "CUESHEET_BUSY_TIMEOUT_MS": "120000"})
        for name in ("kim", "lee")
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.startswith("done")
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s2e1")
    rows = conn.execute(
        "SELECT c.number, s.text FROM cues c JOIN cue_songs s ON s.cue_id = c.id WHERE c.episode_id = ?"
        " ORDER BY c.number", [ep.id]).fetchall()
    assert [n for n, _ in rows] == list(range(1, 2 * ADDS + 1))
    texts = {t for _, t in rows}
    assert texts == {f"{who} song {i}" for who in ("kim", "lee") for i in range(ADDS)}
    # Each writer's own cues stay in the order it added them.
    for who in ("kim", "lee"):
        mine = [int(t.rsplit(" ", 1)[1]) for _, t in rows if t.startswith(who)]
        assert mine == list(range(ADDS))
    per_curator = dict(conn.execute("SELECT curator, count(*) FROM history GROUP BY curator").fetchall())
    assert per_curator == {"kim": ADDS, "lee": ADDS}
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


OPENER = textwrap.dedent("""
    import sys, time
    from cuesheet.db.connection import connect
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    connect(sys.argv[1]).conn.close()
""")


def test_processes_opening_a_fresh_rollback_journal_database_at_once_all_get_in(tmp_path: Path) -> None:
    """`build` leaves a rollback-journal file; the first writers to open it switch it to WAL. Two at
    once deadlock in SQLite, which fails one at once (11 of 60 openers did, before the retry)."""
    import sqlite3
    import time


    for round_ in range(5):
        path = tmp_path / f"fresh-{round_}.sqlite"
        connect(path, create=True).conn.close()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        start = time.time() + 0.5
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(start)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)
