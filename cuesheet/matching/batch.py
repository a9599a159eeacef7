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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from cuesheet.db.connection import connect

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


def _one(query: str) -> Any:
    w = _worker
    return w["identify"](query, w["sources"], artist=w["artist"], limit=w["limit"])


def identify_many(queries: Iterable[str], *, db_path: Path, jobs: int, identify: Callable[..., Any],
                  artist: str | None = None, limit: int = 5) -> Iterator[Any]:
    """`identify(query, [catalog], ...)` for each query, in `jobs` processes, yielded in input order."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(jobs, _start, (str(db_path), identify, artist, limit)) as pool:
        # Small chunks: the order is kept by imap, and a slow query holds up only its chunk.
        yield from pool.imap(_one, queries, chunksize=8)
