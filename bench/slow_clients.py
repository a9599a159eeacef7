"""Slow clients (slowloris) against `cuesheet serve`: can normal clients still get answers?

    .venv/bin/python -m bench.slow_clients                       # 450 slow, 20 normal clients, 30 s
    .venv/bin/python -m bench.slow_clients --slow 450 --clients 20 --seconds 30 --workers 2

The slow connections come from one address (127.0.0.2, loopback) and send a header byte every
5 s, never finishing a request; when the server closes one, it reconnects a second later, so
about --slow of them are held or being retried for the whole run. Meanwhile --clients
keep-alive clients on 127.0.0.1 ask for the episode page (bench.web_load's client).
Goal (issue #25): normal requests p95 <= 200 ms and no 503 while 450 slow ones knock.
Loopback only; bounded in connections, requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.web_load import EPISODE_PATH, ROOT, Tally, _free_port, _percentile, _serve

SLOW_ADDRESS = "127.0.0.2"


async def _slow(host: str, port: int, deadline: float, stats: dict[str, int]) -> None:
    """One slowloris connection, reopened a second after each close, until the deadline."""
    head = f"GET {EPISODE_PATH} HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode()
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(SLOW_ADDRESS, 0))
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(1)
            continue
        stats["opened"] += 1
        try:
            for i in range(10_000):
                if time.monotonic() >= deadline:
                    break
                writer.write(head[i:i + 1] if i < len(head) else b"a")
                await writer.drain()
                try:  # a closed connection reads as EOF at once; an open one times out
                    if await asyncio.wait_for(reader.read(1), timeout=5) == b"":
                        stats["closed_by_server"] += 1
                        break
                except asyncio.TimeoutError:
                    continue
        except OSError:
            stats["closed_by_server"] += 1
        finally:
            writer.close()
        await asyncio.sleep(1)


async def _normal(port: int, budget: list[int], deadline: float, tally: Tally) -> None:
    """A keep-alive client asking for the episode page; a request unanswered in 5 s counts as an
    error (a server that never answers must not hang the benchmark)."""
    request = f"GET {EPISODE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    reader = writer = None
    while budget[0] > 0 and time.monotonic() < deadline:
        budget[0] -= 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
            assert reader is not None
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            status = int(head.split(b" ", 2)[1])
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                           if line.lower().startswith(b"content-length:")), 0)
            await asyncio.wait_for(reader.readexactly(length), 5)
            tally.latencies.append(time.perf_counter() - start)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if b"connection: close" in head.lower():
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError):
            tally.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(port: int, clients: int, requests: int, seconds: float) -> tuple[Tally, float]:
    tally, budget, start = Tally(), [requests], time.monotonic()
    await asyncio.gather(*(_normal(port, budget, start + seconds, tally) for _ in range(clients)))
    return tally, time.monotonic() - start


async def _run(port: int, slow: int, clients: int, requests: int, seconds: float) -> tuple[object, float, dict]:
    stats = {"opened": 0, "refused": 0, "closed_by_server": 0}
    deadline = time.monotonic() + seconds + 15
    knockers = [asyncio.create_task(_slow("127.0.0.1", port, deadline, stats)) for _ in range(slow)]
    await asyncio.sleep(10)  # let them take their places first
    tally, elapsed = await _load(port, clients, requests, seconds)
    for task in knockers:
        task.cancel()
    await asyncio.gather(*knockers, return_exceptions=True)
    return tally, elapsed, stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slow", type=int, default=450)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    if not (0 <= args.slow <= 900 and 1 <= args.clients <= 200 and 1 <= args.requests <= 50_000
            and 0 < args.seconds <= 120):
        raise SystemExit("bounds: 0-900 slow, 1-200 clients, 1-50,000 requests, at most 120 s")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "cues.sqlite"
        subprocess.run([str(Path(sys.executable).with_name("cuesheet")), "build", "--from", str(ROOT / "data"),
                        "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
        port = _free_port()
        server = _serve(db, port, args.workers)
        try:
            tally, elapsed, stats = asyncio.run(_run(port, args.slow, args.clients, args.requests, args.seconds))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
    done = len(tally.latencies)  # type: ignore[attr-defined]
    print(f"{args.slow} slow connections from {SLOW_ADDRESS} ({stats}); {args.clients} normal clients: "
          f"{done} answers in {elapsed:.1f} s, p50 {_percentile(tally.latencies, 0.5) * 1000:.0f} ms, "  # type: ignore[attr-defined]
          f"p95 {_percentile(tally.latencies, 0.95) * 1000:.0f} ms; "  # type: ignore[attr-defined]
          f"statuses {dict(sorted(tally.statuses.items()))}, errors {tally.errors}; "  # type: ignore[attr-defined]
          f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
