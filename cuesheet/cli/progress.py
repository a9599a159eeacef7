"""The import progress bar: rows, rows/s and the time left, from the bytes of the file read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from cuesheet.cli.output import console


@contextmanager
def import_progress(name: str, *, show: bool) -> Iterator:  # type: ignore[type-arg]
    """A `progress(phase, rows, done, total)` callback drawing one bar (nothing when `show` is false)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    started = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(),
                  TextColumn("{task.fields[rows]:,} rows  {task.fields[rate]:,.0f} rows/s"),
                  TimeRemainingColumn(), console=console, transient=True, disable=not show) as bar:
        task = bar.add_task(f"importing {name}", total=1, rows=0, rate=0.0)

        def progress(phase: str, rows: int, done: int, total: int) -> None:
            rate = rows / max(time.perf_counter() - started, 1e-3)
            description = f"importing {name}" if phase == "reading" else f"indexing {name}"
            bar.update(task, total=max(total, 1), completed=done, rows=rows, rate=rate,
                       description=description)

        yield progress
