"""Web answers on loopback: `cuesheet serve` in its own process, one new connection per request.

Goal: <= 20 ms per answer (median). Every page reads the database afresh, so
this is the cost a viewer's click sees, minus the network.

    .venv/bin/python bench/web_answer.py [--runs 30]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "cuesheet"
PAGES = [
    "/soundtrack/1/3",
    "/soundtrack/1/3?q=dinner+candle",
    "/search?q=elastik+hart",
    "/search?q=the+portishead+one&upto=S01E04",
    "/search.json?q=last+song+in+the+finale",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "cues.sqlite"
        subprocess.run([str(CLI), "build", "--from", str(ROOT / "data"), "--db", str(db)],
                       check=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([str(CLI), "serve", "--db", str(db), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"{'page':<45} {'median':>8} {'p95':>8}")
            for page in PAGES:
                times = []
                for i in range(args.runs + 3):
                    start = time.perf_counter()
                    conn = http.client.HTTPConnection("127.0.0.1", port)
                    conn.request("GET", page)
                    response = conn.getresponse()
                    response.read()
                    conn.close()
                    if i >= 3:  # the first requests warm the server's imports
                        times.append((time.perf_counter() - start) * 1000)
                    assert response.status == 200, (page, response.status)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                print(f"{page:<45} {statistics.median(times):7.1f}ms {p95:7.1f}ms")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
