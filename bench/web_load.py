"""Load on the web page: N concurrent keep-alive clients against `cuesheet serve`, on loopback only.

    .venv/bin/python -m bench.web_load                      # builds data/ into a temp db, serves it
    .venv/bin/python -m bench.web_load --clients 100 --requests 6000 --seconds 30 --workers 2
    .venv/bin/python -m bench.web_load --url http://127.0.0.1:8001/soundtrack/1/3   # a running server

Goal (issue #17): >= 300 requests/s with p95 <= 200 ms for 100 concurrent clients on the
episode page. The clients are plain asyncio sockets speaking HTTP/1.1 (a full client library
would eat the CPU the server needs: both share the same cores). Bounded in count and time;
refuses any host that is not loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
EPISODE_PATH = "/soundtrack/1/3"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0


def _source(i: int, host: str, one_address: bool) -> tuple[str, int] | None:
    """Client i's own loopback address (127.0.0.2, 127.0.0.3, ...): visitors come from many
    addresses, and `serve` caps the connections one address may hold (#25)."""
    if one_address or host != "127.0.0.1":
        return None
    return (f"127.0.{i // 250}.{i % 250 + 2}", 0)


async def _client(host: str, port: int, path: str, budget: list[int], deadline: float, tally: Tally,
                  source: tuple[str, int] | None = None) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: cuesheet-bench\r\n\r\n".encode()
    reader = writer = None
    while budget[0] > 0 and time.monotonic() < deadline:
        budget[0] -= 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port, local_addr=source)
            assert reader is not None
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"connection" and value.strip().lower() == b"close":
                    close = True
            await reader.readexactly(length)
            tally.latencies.append(time.perf_counter() - start)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            tally.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(host: str, port: int, path: str, clients: int, requests: int, seconds: float,
                one_address: bool = False) -> tuple[Tally, float]:
    tally = Tally()
    budget = [requests]
    start = time.monotonic()
    await asyncio.gather(*(_client(host, port, path, budget, start + seconds, tally, _source(i, host, one_address))
                           for i in range(clients)))
    return tally, time.monotonic() - start


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int, workers: int | None) -> subprocess.Popen[bytes]:
    args = [str(Path(sys.executable).with_name("cuesheet")), "serve", "--db", str(db), "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server's page (loopback only); default: serve data/ here")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=6000, help="at most this many requests in all")
    parser.add_argument("--seconds", type=float, default=30.0, help="and for at most this long")
    parser.add_argument("--workers", type=int, default=None, help="server workers (default: the server's)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--one-address", action="store_true",
                        help="every client from 127.0.0.1 (serve caps connections per address)")
    parser.add_argument("--path", default=EPISODE_PATH, help=f"the page served here (default {EPISODE_PATH})")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 1000 and 1 <= args.requests <= 100_000 and 0 < args.seconds <= 300):
        raise SystemExit("bounds: 1-1000 clients, 1-100,000 requests, at most 300 s")
    server = None
    tmp = tempfile.TemporaryDirectory()
    try:
        if args.url:
            parts = urlsplit(args.url)
            host, port, path = parts.hostname or "", parts.port or 80, parts.path or "/"
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise SystemExit("loopback only: this benchmark floods the server it names")
        else:
            db = Path(tmp.name) / "cues.sqlite"
            subprocess.run([str(Path(sys.executable).with_name("cuesheet")), "build", "--from", str(ROOT / "data"),
                            "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
            host, port, path = "127.0.0.1", _free_port(), args.path
            server = _serve(db, port, args.workers)
        asyncio.run(_load(host, port, path, min(args.clients, args.warmup), args.warmup, args.seconds,
                          args.one_address))
        tally, elapsed = asyncio.run(_load(host, port, path, args.clients, args.requests, args.seconds,
                                           args.one_address))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        tmp.cleanup()
    done = len(tally.latencies)
    load = os.getloadavg()[0]
    print(f"{args.clients} clients, {done} answers in {elapsed:.1f} s: {done / elapsed:.0f} requests/s; "
          f"p50 {_percentile(tally.latencies, 0.5) * 1000:.0f} ms, p95 {_percentile(tally.latencies, 0.95) * 1000:.0f} ms, "
          f"p99 {_percentile(tally.latencies, 0.99) * 1000:.0f} ms; statuses {dict(sorted(tally.statuses.items()))}, "
          f"errors {tally.errors}; cores {os.cpu_count()}, load average {load:.1f}")


if __name__ == "__main__":
    main()
