"""`identify --from F`: its queries checked line by line, answered in several processes (`--jobs N`) in input order.

A script identifying a listening history asks the local catalog thousands of
times; each query is CPU-bound Python (reading, scoring), so one process per
core is the speed-up. Each worker opens the database read-only and builds its
own sources once. Online sources are left out of parallel runs: their rate
limits (MusicBrainz: one request a second) hold per process, and N processes
would break them.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cuesheet.db.connection import connect
from cuesheet.errors import CuesheetError
from cuesheet.files import read
from cuesheet.notation import limits
from cuesheet.notation.echo import echo


def read_query_lines(source: Path | BinaryIO, name: str) -> list[str]:
    """The lines of an --from file or stdin, read through the bounded reader (files/read.py):
    `identify --from /dev/zero` is refused after 8 MB, not read until memory runs out."""
    if isinstance(source, Path):
        data = read.read_bytes(limits.check_path(source, "--from"), limits.FILE, "a list of queries")
    else:
        data = read.read_stream(source, name, limits.FILE, "a list of queries")
    return read.decode(data, name).splitlines()


def read_queries(lines: list[str], name: str) -> tuple[list[str], list[int]]:
    """The queries among an --from file's lines, and the numbers of its blank lines.

    Each line must keep the limits an argument has (docs/limits.md); every bad
    line is reported with file:line and nothing is answered. Blank lines separate
    groups of queries, so they are skipped (the caller says so), not an error.
    """
    from cuesheet.notation import limits
    from cuesheet.errors import InputError, InputErrors

    from cuesheet.notation.normalize import repair_text

    errors, blank, queries = [], [], []
    for number, line in enumerate(lines, start=1):
        line = repair_text(line)  # an export that misread UTF-8: only what stays a control char is bad
        problem = limits.text_problem(line, limits.TEXT)
        if problem:
            errors.append(InputError(problem, file=name, line=number, field="query"))
        elif not line.strip():
            blank.append(number)
        else:
            queries.append(line)
    if errors:
        raise InputErrors(errors)
    return queries, blank


# Set once in each worker process by _start; a pool worker has nowhere else to keep it.
_worker: dict[str, Any] = {}


def _start(db_path: str, identify: Callable[..., Any], artist: str | None, limit: int) -> None:
    from cuesheet.sources.catalog import CatalogSource

    conn = connect(db_path, readonly=True).conn
    _worker.update(identify=identify, sources=[CatalogSource(conn)], artist=artist, limit=limit)


@dataclass(frozen=True)
class _Failed:
    """A worker's error, sent back as a result: an exception object may not survive pickling
    (one whose __init__ takes other arguments than its message fails to unpickle in the
    parent's result thread, and the pool then waits forever for an answer that never comes)."""

    message: str
    ours: bool  # a CuesheetError (the user's to fix), else a bug


def _one(query: str) -> bytes:
    """The answer pickled here, in the worker: the pool's result thread then only ever
    unpickles bytes, and an answer that cannot travel is a _Failed, not a dead thread."""
    w = _worker
    try:
        answer: Any = w["identify"](query, w["sources"], artist=w["artist"], limit=w["limit"])
    except CuesheetError as exc:
        answer = _Failed(str(exc), True)
    except Exception as exc:  # noqa: BLE001 - sent back as text; the parent says which query
        answer = _Failed(f"{type(exc).__name__}: {exc}", False)
    try:
        data = pickle.dumps(answer)
        pickle.loads(data)  # an object whose class cannot be rebuilt fails here, not in the parent
        return data
    except Exception as exc:  # noqa: BLE001
        return pickle.dumps(_Failed(f"the answer could not be sent back ({type(exc).__name__}: {exc})", False))


def identify_many(queries: list[str], *, db_path: Path, jobs: int, identify: Callable[..., Any],
                  artist: str | None = None, limit: int = 5) -> Iterator[Any]:
    """`identify(query, [catalog], ...)` for each query, in `jobs` processes, yielded in input order."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(jobs, _start, (str(db_path), identify, artist, limit)) as pool:
        # Small chunks: the order is kept by imap, and a slow query holds up only its chunk.
        for query, data in zip(queries, pool.imap(_one, queries, chunksize=8)):
            answer = pickle.loads(data)
            if isinstance(answer, _Failed):
                shown = echo(query)
                if answer.ours:
                    raise CuesheetError(f"query {shown}: {answer.message}")
                raise CuesheetError(f"query {shown} failed in a worker: {answer.message}",
                                    remedy="run it without --jobs to see more; please report it")
            yield answer
