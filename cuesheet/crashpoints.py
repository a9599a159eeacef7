"""Named points where the crash tests kill a command with a real SIGKILL.

`CUESHEET_TEST_KILL_AT=undo-restored cuesheet undo` dies right there, as a power cut
or the OOM killer would; the kill-9 tests (tests/test_kill9.py) then check the
database and the files are as before or as after, never in between.
"""

from __future__ import annotations

import os


def checkpoint(name: str) -> None:
    """Die here if the crash test asked for this point (an environment lookup otherwise)."""
    if os.environ.get("CUESHEET_TEST_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
