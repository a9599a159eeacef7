"""kill -9 at random moments (#25): undo, dump, cue import, catalog import and build leave the
database and the files as before or as after, never in between.

Each surface is run once to the end (its "after" and how long it takes), then killed with a
real SIGKILL at a random moment of that span, again and again, each time from the "before"
state. Targeted kills at named points are in test_hardening.py (undo, dump) and
test_importer.py (catalog import).

    make test                                            # 1 random kill per surface
    CUESHEET_FUZZ=nightly .venv/bin/python -m pytest tests/test_kill9.py -q   # 12 per surface
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import DATA, ROOT
from .curator_helpers import snapshot

NIGHTLY = os.environ.get("CUESHEET_FUZZ") == "nightly"
TRIALS = int(os.environ.get("CUESHEET_KILL_TRIALS", "12" if NIGHTLY else "1"))
CLI = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"
# The imports and build have their own targeted kill tests; the default run keeps to the two new ones.
nightly_only = pytest.mark.skipif(not NIGHTLY, reason="random kills of imports and build: nightly profile")
# Tally of the trials run (printed at the end of the nightly run; the report quotes it).
TALLY: dict[str, list[int]] = {}


def run(args: list[str], kill_after: float | None = None) -> tuple[int, float]:
    """Run cuesheet ARGS; with `kill_after`, SIGKILL it that many seconds after it started."""
    start = time.monotonic()
    env = {**os.environ, "CUESHEET_CURATOR": "killer"}  # the test's isolated home and offline URLs
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert b"Traceback" not in err, err.decode(errors="replace")
    return proc.returncode, time.monotonic() - start


def db_state(path: Path) -> Any:
    """Every curator table and the history links, read after a possibly killed writer."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        state = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                 for t in ("episodes", "cues", "cue_songs", "cue_performers", "recordings", "claims",
                           "imported_files", "shows") if t in present}
        state["history"] = conn.execute(
            "SELECT id, action, curator, summary, undo_of, undone_by, changes FROM history ORDER BY id").fetchall()
        # When a row was written differs between two runs; what was written must not.
        return {t: [tuple(_TIME.sub("<time>", v) if isinstance(v, str) else v for v in row) for row in rows]
                for t, rows in state.items()}
    finally:
        conn.close()


_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def files_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}


def trials(name: str, prepare: Callable[[Path], list[str]], state: Callable[[Path], Any], tmp_path: Path) -> None:
    """Run the command prepared in a fresh folder: once whole, then TRIALS times killed at random."""
    whole = tmp_path / "whole"
    whole.mkdir()
    args = prepare(whole)
    before = state(whole)
    code, took = run(args)
    assert code == 0
    after = state(whole)
    assert after != before, "the command must change something for the trial to mean anything"
    seen = TALLY.setdefault(name, [0, 0, 0])  # trials, ended as before, ended as after
    rng = random.Random(os.environ.get("CUESHEET_KILL_SEED"))
    for i in range(TRIALS):
        folder = tmp_path / f"trial{i}"
        folder.mkdir()
        args = prepare(folder)
        run(args, kill_after=rng.uniform(0.05, took))
        now = state(folder)
        assert now in (before, after), f"{name}: killed run left a third state"
        seen[0] += 1
        seen[1 if now == before else 2] += 1
        shutil.rmtree(folder, ignore_errors=True)


# --- the five surfaces ----------------------------------------------------------------------------


def _db(folder: Path, source: Path) -> Path:
    path = folder / "cues.sqlite"
    shutil.copy(source, path)
    return path


CUES = "".join(f"1,{ep},Song {ep}-{n},Artist {n}\n" for ep in (3, 5, 7) for n in range(1, 13))


@nightly_only
def test_kill_9_during_cue_import(shipped_db_file: Path, tmp_path: Path) -> None:
    def prepare(folder: Path) -> list[str]:
        sheet = folder / "cues.csv"
        sheet.write_text("season,episode,title,artist\n" + CUES, encoding="utf-8")
        return ["cue", "import", str(sheet), "--show", "soundtrack", "--db",
                str(_db(folder, shipped_db_file))]

    trials("cue import", prepare, lambda f: db_state(f / "cues.sqlite"), tmp_path)


def test_kill_9_during_undo(shipped_db_file: Path, tmp_path: Path) -> None:
    imported = tmp_path / "imported.sqlite"
    shutil.copy(shipped_db_file, imported)
    sheet = tmp_path / "cues.csv"
    sheet.write_text("season,episode,title,artist\n" + CUES, encoding="utf-8")
    code, _ = run(["cue", "import", str(sheet), "--show", "soundtrack", "--db", str(imported)])
    assert code == 0

    def prepare(folder: Path) -> list[str]:
        return ["undo", "--db", str(_db(folder, imported))]

    trials("undo", prepare, lambda f: db_state(f / "cues.sqlite"), tmp_path)


def test_kill_9_during_dump(shipped_db_file: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.sqlite"
    shutil.copy(shipped_db_file, changed)
    conn = sqlite3.connect(changed)
    conn.execute("UPDATE cues SET scene = 'Changed for the kill test ' || id")
    conn.commit()
    conn.close()

    def prepare(folder: Path) -> list[str]:
        shutil.copytree(DATA, folder / "data")
        return ["dump", "--to", str(folder / "data"), "--db", str(changed)]

    def state(folder: Path) -> Any:
        show = folder / "data" / "soundtrack"
        assert show.is_dir(), "the show's folder is missing"
        return files_state(show)

    trials("dump", prepare, state, tmp_path)
    # A killed dump's temporary folder is cleared by the next dump.
    leftover = tmp_path / "leftover"
    leftover.mkdir()
    args = prepare(leftover)
    run(args, kill_after=0.05)
    assert run(args)[0] == 0
    assert [p.name for p in (leftover / "data").iterdir() if p.name.startswith(".")] == []


@nightly_only
def test_kill_9_during_catalog_import(shipped_db_file: Path, tmp_path: Path) -> None:
    rows = "".join(f"Kill Song {n},Kill Artist {n % 97},Album {n % 13},{1950 + n % 70}\n" for n in range(8000))

    def prepare(folder: Path) -> list[str]:
        catalog = folder / "catalog.csv"
        catalog.write_text("title,artist,album,year\n" + rows, encoding="utf-8")
        return ["catalog", "import", str(catalog), "--db", str(_db(folder, shipped_db_file))]

    trials("catalog import", prepare, lambda f: db_state(f / "cues.sqlite"), tmp_path)


@nightly_only
def test_kill_9_during_build(shipped_db_file: Path, tmp_path: Path) -> None:
    def prepare(folder: Path) -> list[str]:
        data = folder / "data"
        shutil.copytree(DATA, data)
        episode = data / "soundtrack" / "s01e03.yaml"
        episode.write_text(episode.read_text(encoding="utf-8").replace("Sam and Dante", "Sam and Dante (rebuilt)"),
                           encoding="utf-8")
        return ["build", "--from", str(data), "--db", str(_db(folder, shipped_db_file))]

    def state(folder: Path) -> Any:
        s = db_state(folder / "cues.sqlite")
        return {k: v for k, v in s.items() if k in ("episodes", "cues", "cue_songs")}

    trials("build", prepare, state, tmp_path)


def teardown_module() -> None:
    if NIGHTLY and TALLY:
        total = sum(t[0] for t in TALLY.values())
        print(f"\nkill -9 trials: {total} in all; " + "; ".join(
            f"{name}: {t[0]} ({t[1]} as before, {t[2]} as after)" for name, t in TALLY.items()))
