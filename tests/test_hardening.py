"""Hardening v3 (#25): every case the attacker's round found is a regression test here.

Each runs the real command (a subprocess, as a user would) where the failure was a
hang, a traceback or raw bytes on the terminal; the kill -9 trials are in test_kill9.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cuesheet import history

from .curator_helpers import draft, episode, open_conn, snapshot

CLI = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"
RAW = [chr(c) for c in [*range(0, 9), *range(11, 32), 127]]  # what a terminal would obey


def cuesheet(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
             timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], env={**os.environ, **(env or {})},
                          input=stdin, capture_output=True, text=True, timeout=timeout,
                          errors="surrogateescape", **kw)  # type: ignore[call-overload]


def one_plain_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 1 (or 2), no traceback, nothing a terminal would obey, the words in the message."""
    assert done.returncode in (1, 2), (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert not any(c in done.stderr + done.stdout for c in RAW), repr(done.stderr[-500:])
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


# --- 1. identify --from with --jobs: a worker's answer that cannot travel is not a hang ------------


def test_identify_jobs_with_an_id_the_catalog_lacks_answers(shipped_db: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("b1a9c0e9-d987-4042-ae91-78d6a3267d69\nroads portishead\n", encoding="utf-8")
    for jobs in ("2", "3"):
        done = cuesheet("identify", "--from", str(queries), "--offline", "--jobs", jobs, "--db", str(shipped_db),
                        timeout=90)
        assert done.returncode == 0, done.stderr
        assert "no_match" in done.stdout and "Roads — Portishead" in done.stdout
        assert "Traceback" not in done.stderr


def test_a_worker_error_comes_back_as_a_located_error(shipped_db: Path) -> None:
    from cuesheet.batch import identify_many
    from cuesheet.errors import CuesheetError

    with pytest.raises(CuesheetError, match="'boom me'.*failed in a worker: ValueError: boom"):
        list(identify_many(["roads", "boom me"], db_path=shipped_db, jobs=2, identify=_explodes))


def _explodes(query: str, sources: object, **kw: object) -> str:
    if "boom" in query:
        raise ValueError("boom")
    return query


# --- 2. undo is one transaction ------------------------------------------------------------------


@pytest.mark.parametrize("point", ["undo-restored", "undo-linked"])
def test_kill_9_inside_undo_leaves_history_right(mini_db: Path, point: str) -> None:
    conn = open_conn(mini_db)
    curate_add(conn)
    before = snapshot(conn), [(e.id, e.undone_by, e.undo_of) for e in history.entries(conn)]
    conn.close()
    killed = cuesheet("undo", "--db", str(mini_db), env={"CUESHEET_TEST_KILL_AT": point})
    assert killed.returncode == -9
    conn = open_conn(mini_db)
    assert (snapshot(conn), [(e.id, e.undone_by, e.undo_of) for e in history.entries(conn)]) == before
    history.undo(conn, 1, "kim")  # "cannot undo #1: N rows changed since" before the fix


def curate_add(conn: sqlite3.Connection) -> None:
    from cuesheet.curation import cues as curate

    curate.add_cue(conn, episode(conn, "mini", "s1e1"), draft("Elastic Heart - Sia"), "kim")


# --- 7. a database from a newer cuesheet --------------------------------------------------------


def newer(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_from_the_future', 'now')")
    conn.execute("CREATE TABLE future_work (x)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [["shows"], ["what", "soundtrack", "3"], ["history"], ["upgrade"],
                                     ["cue", "list", "soundtrack", "3"], ["build", "--from", "data"],
                                     ["build", "--from", "data", "--force"]])
def test_a_database_from_a_newer_cuesheet_is_refused_and_kept(shipped_db: Path, command: list[str]) -> None:
    from .conftest import ROOT

    newer(shipped_db)
    done = cuesheet(*command, "--db", str(shipped_db), cwd=ROOT)
    one_plain_error(done, "made by a newer cuesheet", "m999_from_the_future")
    conn = sqlite3.connect(shipped_db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'future_work'").fetchone() == (1,)


# --- 6. one sanitiser for whatever is said back ----------------------------------------------------

ATTACK = "\x1b]0;PWNED\x07\x1b[31m\x1b[2J"


def test_an_unknown_key_with_escape_codes_is_shown_escaped(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "s01e03.yaml"
    sheet.write_text(f'season: 1\nepisode: 3\ncues:\n  - cue: 1\n    "{ATTACK.encode("unicode_escape").decode()}": x\n',
                     encoding="utf-8")
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"title": "t", "artist": "a", "\\u001b]0;PWNED\\u0007": 1}\n', encoding="utf-8")
    for done in (cuesheet("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)),
                 cuesheet("catalog", "import", str(jsonl), "--db", str(shipped_db))):
        assert "\\x1b]0;PWNED" in one_plain_error(done)


@pytest.mark.parametrize("name", ["CUESHEET_UPTO", "CUESHEET_DB"])
def test_environment_values_are_shown_escaped(shipped_db: Path, name: str) -> None:
    env = {"CUESHEET_DB": str(shipped_db), name: "x" + ATTACK + "\x01"}
    done = cuesheet("what", "soundtrack", "3", env=env)
    assert "x\\x1b]0;PWNED" in one_plain_error(done)


def test_web_pages_never_send_control_characters(shipped_db: Path) -> None:
    from starlette.testclient import TestClient

    from cuesheet.web.app import create_app

    client = TestClient(create_app(shipped_db), raise_server_exceptions=False)
    for url in ["/x%00y%1b%5b31m", "/search?q=%1b%5b2Jhi%00", "/soundtrack/%1b%07", "/soundtrack/s1e3%1b.json"]:
        response = client.get(url)
        assert response.status_code in (200, 400, 404)
        assert not any(c in response.text for c in RAW), (url, response.text)
