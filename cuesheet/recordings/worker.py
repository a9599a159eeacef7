"""The rows of a catalog file in batches, parsed by a second process while the importer writes.

The importer stages what a worker process reads, checks and folds (see
`recordings.importer`): two cores busy, memory flat, and a worker that dies
with the importer. Small files are parsed in the importer's own process
(`batches`), the same way.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cuesheet.errors import CuesheetError, InputError, InputErrors
from cuesheet.recordings.catalog_file import LineCounter, open_input
from cuesheet.recordings.rows import Reject, error_message, to_error, stage_rows

__all__ = ["BATCH", "MAX_ERRORS", "WORKER_MIN_BYTES", "Batch", "batches", "batches_in_worker"]

# Enough errors to fix a file by; a million bad rows need not all be printed.
MAX_ERRORS = 100
# Below this a file is parsed in this process: starting a worker costs more than it saves.
WORKER_MIN_BYTES = 4 << 20
BATCH = 5000


# rows, rejects, good rows read, bytes read, fields repaired so far
Batch = tuple[list[tuple[Any, ...]], list[Reject], int, int, int]


def batches(path: Path, fmt: str, ignore_extra: bool, keep_going: bool, batch: int) -> Iterator[Batch]:
    """(rows, rejects, good rows read, bytes of the file read) in chunks.

    Without `keep_going` rows stop at the first reject (errors are still listed).
    """
    rows: list[tuple[Any, ...]] = []
    rejects: list[Reject] = []
    seen = errors = 0

    with open_input(path) as inp:
        lines = LineCounter(inp.lines, inp.name)
        for item in stage_rows(inp, fmt, ignore_extra, lines):
            if len(item) == 5:
                rejects.append(item)  # type: ignore[arg-type]
                errors += 1
                if not keep_going and errors > MAX_ERRORS:
                    break
                continue
            seen += 1
            if errors and not keep_going:
                continue  # keep reading to list every error, but stage nothing more
            rows.append(item)
            if len(rows) >= batch:
                yield rows, rejects, seen, inp.position(), lines.repaired
                rows, rejects = [], []
        yield rows, rejects, seen, inp.position(), lines.repaired


def _worker(path: str, fmt: str, ignore_extra: bool, keep_going: bool, out: IO[bytes]) -> None:
    """Runs in the worker process: parse and fold, hand batches to the writer on `out`.

    Batches go as `marshal` data: rows are tuples of str, int and None, and both ends
    are the same interpreter (`sys.executable`); dumping them costs a third of what
    pickling did (0.6 against 1.7 µs a row), and the worker is the import's slower half.

    When the importer dies (kill -9), the next write fails on the closed pipe and
    the worker ends too.
    """
    def put(item: Any) -> None:
        marshal.dump(item, out)

    try:
        for batch in batches(Path(path), fmt, ignore_extra, keep_going, BATCH):
            put(("batch", *batch))
        put(("done",))
    except InputErrors as exc:
        put(("fail", [(e.file, e.line, e.field, error_message(e), "") for e in exc.errors]))
    except InputError as exc:
        put(("fail", [(exc.file, exc.line, exc.field, error_message(exc), "")]))
    except (BrokenPipeError, KeyboardInterrupt):
        raise SystemExit(1)
    except Exception as exc:  # zstandard/tar damage: one located line, never a traceback
        put(("fail", [(path, None, None, f"cannot read the file ({exc})", "")]))
    out.flush()


def batches_in_worker(path: Path, fmt: str, ignore_extra: bool,
                       keep_going: bool) -> Iterator[Batch]:
    """The same batches, parsed by a second process while this one writes (both cores busy).

    A plain child process over a pipe, not multiprocessing: nothing of the
    caller's `__main__` is re-run, and the pipe's buffer keeps the parser at
    most a batch or two ahead of the writer, so memory stays flat.
    """
    import subprocess
    import sys

    args = [sys.executable, "-m", "cuesheet.recordings.worker", str(path), fmt,
            str(int(ignore_extra)), str(int(keep_going))]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    try:
        while True:
            try:
                msg = marshal.load(proc.stdout)
            except (EOFError, ValueError):  # ValueError: a batch cut short by the worker's death
                raise CuesheetError(f"the import worker stopped (exit code {proc.wait()})") from None
            if msg[0] == "batch":
                yield msg[1], msg[2], msg[3], msg[4], msg[5]
            elif msg[0] == "fail":
                raise InputErrors([to_error(r) for r in msg[1]])
            else:
                break
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


if __name__ == "__main__":  # the worker process of `batches_in_worker`
    import sys

    _worker(sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1", sys.stdout.buffer)
