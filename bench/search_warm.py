"""Warm `search` across every shipped show (goal, #20: <= 50 ms a question).

One process, one read-only connection, each question asked once to warm the caches and
then timed over `--runs` rounds; the library call is timed (what `serve` and a script pay),
not process start (bench/what_cold.py measures that).

    .venv/bin/python -m bench.search_warm [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cuesheet.db.connection import open_connection
from cuesheet.viewer.search import search

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "i will survive", "born this way lady gaga", "sobrevivire", "i don't want love yet", "shea coulee",
    "porkchop", "elastik hart", "the portishead one", "finale", "natural woman aretha", "supermodel rupaul",
    "for your life whitney",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "cues.sqlite"
        subprocess.run([str(Path(sys.executable).parent / "cuesheet"), "build", "--from", str(ROOT / "data"),
                        "--db", str(db)], check=True, capture_output=True)
        conn = open_connection(db, readonly=True)
        for q in QUESTIONS:
            search(conn, q)
        cpu0, times = time.process_time(), {q: [] for q in QUESTIONS}
        for _ in range(args.runs):
            for q in QUESTIONS:
                t = time.perf_counter()
                search(conn, q)
                times[q].append((time.perf_counter() - t) * 1000)
        cpu = (time.process_time() - cpu0) * 1000 / (args.runs * len(QUESTIONS))
    load = os.getloadavg()[0]
    print(f"search across all shipped shows, {args.runs} runs, load {load:.1f}, CPU {cpu:.1f} ms a question")
    medians = []
    for q, ts in times.items():
        medians.append(statistics.median(ts))
        print(f"  {statistics.median(ts):6.1f} ms median  {max(ts):6.1f} ms max  {q}")
    print(f"median of medians {statistics.median(medians):.1f} ms; worst median {max(medians):.1f} ms")


if __name__ == "__main__":
    main()
