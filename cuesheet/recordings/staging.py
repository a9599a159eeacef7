"""The staging database: an import's rows written beside the catalog before the catalog is touched.

No journal, no index, no lock on the catalog: a crash leaves only this file,
which the next import deletes (its process is gone). The merge
(`recordings.merge`) reads it when every row is in.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from cuesheet.db.transactions import main_file, pid_alive
from cuesheet.errors import InputError, InputErrors
from cuesheet.recordings.rows import STAGE_COLUMNS, to_error
from cuesheet.recordings.worker import MAX_ERRORS, Batch

__all__ = ["Progress", "checkpoint", "stage", "staging_path"]

Progress = Callable[[str, int, int, int], None]  # phase, rows, bytes done, bytes total


def staging_path(conn: sqlite3.Connection) -> Path:
    """A file beside the catalog (same disk); named after our pid so a dead import's file is known."""
    main = main_file(conn)
    base = Path(main) if main else Path(tempfile.gettempdir()) / "cuesheet-memory"
    _clean_stale(base)
    return base.with_name(f"{base.name}.import-{os.getpid()}")


def _clean_stale(base: Path) -> None:
    """Delete staging files of imports that were killed (their process is gone)."""
    for stale in base.parent.glob(f"{base.name}.import-*"):
        pid = stale.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            stale.unlink(missing_ok=True)


def checkpoint(name: str) -> None:
    """Crash tests (tests/test_importer.py) kill the import here with a real SIGKILL."""
    if os.environ.get("CUESHEET_TEST_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def stage(stage_path: Path, batches: Iterable[Batch], *, rejects: Path | None,
          progress: Progress | None = None, size: int = 0) -> tuple[int, int, int]:
    """Write the batches' rows into a new staging database; returns (rows read, rows rejected,
    fields repaired).

    With `rejects` (`--skip-invalid`) each bad row goes there with its
    file:line:field reason; without, the first MAX_ERRORS are raised together
    (InputErrors) once the file is read, and nothing is staged after the first.
    """
    errors: list[InputError] = []
    reject_out: IO[str] | None = None
    seen = rejected = repaired = 0
    db = sqlite3.connect(stage_path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # `state`: what the merge does with the row ('new', 'changed'; NULL: nothing), decided
        # before the write lock is taken.
        db.execute(f"CREATE TABLE rows ({', '.join(STAGE_COLUMNS)}, state TEXT)")
        insert = (f"INSERT INTO rows ({', '.join(STAGE_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(STAGE_COLUMNS))})")
        db.execute("BEGIN")
        for rows, bad, seen, pos, repaired in batches:
            if bad:
                rejected += len(bad)
                if rejects is not None:
                    if reject_out is None:
                        reject_out = open(rejects, "x", encoding="utf-8")
                    for r in bad:
                        row_text = r[4].replace("\r", "\\r").replace("\n", "\\n")
                        reject_out.write(f"{to_error(r)}\t{row_text}\n")
                else:
                    errors.extend(to_error(r) for r in bad[: MAX_ERRORS + 1 - len(errors)])
            if rows and not errors:
                db.executemany(insert, rows)
            if progress:
                progress("reading", seen, pos, size)
            checkpoint("staging")
        db.execute("COMMIT")
    finally:
        db.close()
        if reject_out is not None:
            reject_out.close()
    if errors:
        if len(errors) > MAX_ERRORS:
            errors[MAX_ERRORS:] = [InputError(f"more errors after {MAX_ERRORS}; fix these first",
                                              file=errors[0].file)]
        raise InputErrors(errors, remedy=SKIP_HINT)
    return seen + rejected, rejected, repaired


# Said with every refused import: a real dump has a few bad rows among millions.
SKIP_HINT = ("nothing was imported; --skip-invalid imports the valid rows and writes the invalid ones, "
             "with their reasons, to a reject file")
