"""Two curators, two real processes, one default cue number: the second to save is offered
the next free number and keeps every answer typed (issue #14)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .curator_helpers import episode, open_conn


class _Reader(threading.Thread):
    """Collects a process's output as it comes (prompts end without a newline)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream, self.text, self.lock = stream, "", threading.Lock()

    def run(self) -> None:
        while chunk := self.stream.read1(4096) if hasattr(self.stream, "read1") else self.stream.read(1):
            with self.lock:
                self.text += chunk.decode("utf-8", "replace")

    def wait_for(self, words: str, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with self.lock:
                if words in self.text:
                    return
            time.sleep(0.05)
        raise AssertionError(f"never saw {words!r}; output so far:\n{self.text}")


def _cli(db: Path, *args: str, **kw):  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "cuesheet", *args, "--db", str(db)], env=env, **kw)


def test_a_number_taken_meanwhile_is_reoffered_keeping_the_answers(shipped_db: Path) -> None:
    first = _cli(shipped_db, "cue", "add", "soundtrack", "6", "--prompt", "--full", "--offline",
                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = _Reader(first.stdout)
    out.start()
    try:
        # Cue number: Enter takes the offered default (2); then the rest of the cue.
        answers = ["", "12:30", "", "Joanna sings to the empty studio", "Joanna", "?", "a man's falsetto, strings",
                   "", "", ""]
        first.stdin.write(("\n".join(answers) + "\n").encode())
        first.stdin.flush()
        out.wait_for("Save this cue?")
        # Meanwhile a second curator, another process, saves cue 2.
        second = _cli(shipped_db, "cue", "add", "soundtrack", "6", "--song", "roads portishead", "--yes",
                      "--offline", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert second.wait(60) == 0, second.stdout.read().decode()
        first.stdin.write(b"y\n")
        first.stdin.flush()
        out.wait_for("Save this cue as cue 3 instead?")
        first.stdin.write(b"y\n")
        first.stdin.flush()
        assert first.wait(60) == 0, out.text
    finally:
        if first.poll() is None:
            first.kill()
    assert "was added meanwhile" in out.text
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    rows = conn.execute(
        """SELECT c.number, c.scene, c.time_in_ms, s.heard, s.text FROM cues c JOIN cue_songs s ON s.cue_id = c.id
            WHERE c.episode_id = ? AND c.number > 1 ORDER BY c.number""", [ep.id]).fetchall()
    assert rows == [(2, None, None, None, "roads portishead"),
                    (3, "Joanna sings to the empty studio", 750_000, "a man's falsetto, strings", "")]
