"""#23: a typical cue (a song, its scene, one performer) in at most 6 prompts and 80 keystrokes,
typed into `cuesheet cue add` running in a real terminal (tmux), as a curator types it.

tmux is a Debian package; .ci/run installs it (as it installs Chromium), so CI never skips this.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

CUESHEET = str(Path(sys.executable).with_name("cuesheet"))
# Every question `cue add` can ask; a typical cue must meet only the first five.
QUICK = ("Song (", "Scene (", "Time in (", "Performers (", "Save this cue?")
FULL_ONLY = ("Cue number", "Time out", "Song 2", "Choice", "Kind", "Usage code", "Who performs")


class Terminal:
    """One tmux session on a private server: type into it, read its screen and scrollback."""

    def __init__(self, tmp: Path, command: str) -> None:
        self.socket = f"cuesheet-test-{os.getpid()}-{time.monotonic_ns()}"
        env = [f"-e{k}={v}" for k, v in os.environ.items() if k.startswith(("CUESHEET_", "HOME", "XDG_"))]
        self.tmux("new-session", "-d", "-s", "cue", "-x", "160", "-y", "50", *env, command)
        self.keystrokes = 0

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True,
                              timeout=30).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-1000", "-t", "cue")

    def wait_for(self, text: str, times: int = 1, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) >= times:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def type(self, text: str) -> None:
        """Type the text and press Enter: len(text) + 1 keystrokes."""
        if text:
            self.tmux("send-keys", "-t", "cue", "-l", text)
        self.tmux("send-keys", "-t", "cue", "Enter")
        self.keystrokes += len(text) + 1

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def test_a_typical_cue_takes_at_most_six_prompts_and_eighty_keystrokes(shipped_db: Path, tmp_path: Path) -> None:
    command = (f"{CUESHEET} cue add soundtrack 3 --offline --db {shipped_db}; echo CUE-ADD-EXIT=$?; sleep 600")
    term = Terminal(tmp_path, command)
    try:
        answers = [("Song (", "deep in a dream - chet baker"), ("Scene (", "Sam on the roof"),
                   ("Time in (", "12:30"), ("Performers (", "Sam"), ("Save this cue?", "")]
        for question, typed in answers:
            term.wait_for(question)
            term.type(typed)
        screen = term.wait_for("CUE-ADD-EXIT=")
    finally:
        term.close()
    assert "CUE-ADD-EXIT=0" in screen and "Saved Soundtrack S01E03 cue 6" in screen, screen
    prompts = sum(screen.count(q) for q in QUICK)
    assert prompts <= 6 and not [q for q in FULL_ONLY if q in screen], screen
    assert term.keystrokes <= 80, term.keystrokes
    row = sqlite3.connect(shipped_db).execute(
        """SELECT c.number, c.scene, c.time_in_ms, c.kind, c.usage, r.title, r.artist, p.character, p.actor
             FROM cues c JOIN episodes e ON e.id = c.episode_id AND e.season = 1 AND e.number = 3
             JOIN cue_songs s ON s.cue_id = c.id JOIN recordings r ON r.id = s.recording_id
             JOIN cue_performers p ON p.cue_id = c.id AND p.cue_song_id IS NULL
            WHERE c.number = 6""").fetchone()
    assert row == (6, "Sam on the roof", 750_000, "lip-sync", "VV", "Deep in a Dream", "Chet Baker", "Sam",
                   "Paul James")
