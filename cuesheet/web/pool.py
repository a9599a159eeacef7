"""A pool of read-only connections to the site's database, shared by the app's page threads."""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesheet.db.connection import open_connection
from cuesheet.errors import CuesheetError

POOL_SIZE = 8           # read-only connections kept per worker (anyio runs sync pages on 40 threads)


class ReadPool:
    """Read-only connections to one database, reused across requests, safe across threads.

    A rebuilt database is a new file renamed over the old one (`build`), so the
    file's identity (device, inode, size, mtime) is checked on every checkout;
    when it changed, the pooled connections are dropped and new ones opened.
    """

    def __init__(self, path: Path, size: int = POOL_SIZE,
                 unavailable: Callable[[Exception], Exception] | None = None) -> None:
        self.path = path
        self.size = size
        # What a failed open becomes (the site's 503), so callers only see one kind of error.
        self.unavailable = unavailable
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._identity: tuple[int, ...] | None = None
        self._lock = threading.Lock()

    def _current(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def acquire(self) -> sqlite3.Connection:
        """A read-only connection (pooled or new); raises what connect raises."""
        identity = self._current()
        with self._lock:
            if identity != self._identity:
                self._drain()
                self._identity = identity
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return open_connection(self.path, readonly=True)
        except (CuesheetError, sqlite3.DatabaseError) as exc:
            if self.unavailable is None:
                raise
            raise self.unavailable(exc) from None

    def release(self, conn: sqlite3.Connection, *, broken: bool = False) -> None:
        """Back to the pool, unless the request failed half-way, the pool is full or the file changed."""
        if not broken and not conn.in_transaction and self._idle.qsize() < self.size \
                and self._current() == self._identity:
            self._idle.put(conn)
        else:
            conn.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        conn = self.acquire()
        try:
            yield conn
        except BaseException:
            self.release(conn, broken=True)
            raise
        self.release(conn)

    def _drain(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def close(self) -> None:
        with self._lock:
            self._drain()
