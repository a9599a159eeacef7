"""How `cuesheet serve` runs the site: worker processes, limits, and a pool of read-only connections.

The settings answer what a flood of requests found (issue #17, item 6):

- opening a connection per request (open, check it is ours, check migrations)
  cost more than most pages; each worker keeps a few read-only connections
  and hands them out one request at a time (`web/pool.py`'s `ReadPool`);
- a connection that never finishes its request (half-open, slowloris) is
  closed after `REQUEST_TIMEOUT` seconds instead of being held for minutes;
  idle keep-alive connections after `KEEP_ALIVE` seconds;
- at most `MAX_CONCURRENCY` connections and requests per worker; past that a
  client gets 503 at once instead of everyone waiting longer;
- at most `PER_ADDRESS` open connections per client address per worker, so one
  address holding hundreds of slow connections cannot take every place (#25);
- no `server:` banner naming the software and its version.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import anyio.to_thread
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from cuesheet.web.app import create_app

ENV_DB = "CUESHEET_SERVE_DB"


def _env_number(name: str, default: float, low: float, high: float) -> float:
    """A tuning knob from the environment (tests set them); a value that is not a number in
    range is ignored rather than stopping the server with a traceback."""
    try:
        value = float(os.environ.get(name, "")[:20])
    except ValueError:
        return default
    return value if low <= value <= high else default


KEEP_ALIVE = 2          # seconds an idle keep-alive connection is kept
# Seconds to send a whole request (headers), from connect or the last answer (tests set it lower).
REQUEST_TIMEOUT = _env_number("CUESHEET_SERVE_REQUEST_TIMEOUT", 10.0, 0.05, 600.0)
MAX_CONCURRENCY = 200   # connections + requests per worker before uvicorn answers 503
# Open connections one client address may hold per worker. A slow client (slowloris: a header
# byte every few seconds) costs the server no thread, only a place in MAX_CONCURRENCY; 450 of
# them from one address filled every place and everyone else got 503. Past this cap that
# address's new connections are closed at once; other addresses are not affected.
PER_ADDRESS = int(_env_number("CUESHEET_SERVE_PER_ADDRESS", 32, 1, 10_000))
BACKLOG = 512


def default_workers() -> int:
    """One per core, at most four: the pages are CPU-bound Python, one process per core serves most."""
    return max(1, min(4, os.cpu_count() or 1))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request to arrive in full.

    uvicorn times out idle keep-alive connections only after a first answer; a
    client that connects and sends nothing, or a header a byte at a time, was
    held for as long as it liked.
    """

    _deadline: asyncio.TimerHandle | None = None
    _address: str | None = None
    # Open connections by client address, in this worker (one event loop: no lock needed).
    open_by_address: dict[str, int] = {}

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        if address is not None:
            held = self.open_by_address.get(address, 0)
            if held >= PER_ADDRESS:
                transport.close()  # over its share: no request is read, no place taken
                return
            self.open_by_address[address] = held + 1
            self._address = address
        self._arm()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        serving = self.cycle is not None and not self.cycle.response_complete
        if serving:
            self._arm()  # a slow page, not a slow client: look again later
        elif not self.transport.is_closing():
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._address is not None:
            left = self.open_by_address.get(self._address, 1) - 1
            if left > 0:
                self.open_by_address[self._address] = left
            else:
                self.open_by_address.pop(self._address, None)
            self._address = None
        super().connection_lost(exc)


THREADS = int(_env_number("CUESHEET_SERVE_THREADS", 4, 1, 64))


class FewThreads:
    """Pages are synchronous and run on anyio's thread pool (40 threads by default). On two cores,
    40 threads fighting for the GIL stretch every request's latency; a few threads per worker
    (as many as the connection pool) keep the queue in the event loop, first come first served."""

    def __init__(self, app: Any, threads: int = THREADS) -> None:
        self.app = app
        self.threads = threads
        self.set = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.set:
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.threads
            self.set = True
        await self.app(scope, receive, send)


def app_from_env() -> Any:
    """The app factory each worker process calls (uvicorn imports it by name)."""
    return FewThreads(create_app(Path(os.environ[ENV_DB])))


def _config(**extra: Any) -> Any:
    return uvicorn.Config(
        "cuesheet.web.server:app_from_env",
        factory=True,
        http=GuardedH11Protocol,
        loop="asyncio",
        limit_concurrency=MAX_CONCURRENCY,
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE,
        timeout_graceful_shutdown=5,
        server_header=False,
        date_header=True,
        log_level="warning",
        access_log=False,
        **extra,
    )


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket of this worker's own; SO_REUSEPORT lets every worker bind the same port,
    and the kernel spreads new connections evenly between them (one shared socket let one worker
    accept most of a burst, and its clients waited while the other worker idled)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _worker(path: str, host: str, port: int) -> None:
    os.environ[ENV_DB] = path
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    uvicorn.Server(_config()).run(sockets=[_listen(host, port)])


def run(path: Path, host: str, port: int, *, workers: int | None = None) -> None:
    """Serve the site until Ctrl-C, with the settings above."""
    n = workers or default_workers()
    db_path = str(path.resolve())
    if n == 1 or not hasattr(socket, "SO_REUSEPORT"):
        os.environ[ENV_DB] = db_path
        uvicorn.Server(_config(host=host, port=port)).run()
        return
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(db_path, host, port), daemon=True) for _ in range(n)]
    for proc in procs:
        proc.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set() and all(proc.is_alive() for proc in procs):
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=10)
