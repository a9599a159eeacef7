"""Cold `cuesheet what`/`search` wall time on the shipped database (goal: <= 150 ms median).

Each run is a new process, as a viewer's command is: interpreter start, imports,
opening the database, the query and rendering all count.

    .venv/bin/python bench/what_cold.py [--runs 20]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "cuesheet"
QUESTIONS = [
    ["what", "soundtrack", "3"],
    ["what", "soundtrak", "s1e1", "wrecks", "his", "boss's", "office"],
    ["what", "netflix soundtrack", "sam and dante", "--json"],
    ["search", "elastik", "hart"],
    ["search", "the", "portishead", "one", "--json"],
    ["search", "last", "song", "in", "the", "finale", "--upto", "10"],  # exit 1: nothing says which cue closes it
    ["search", "falling", "--upto", "5"],
    # #22: a chatty question, number-word episodes, a wrong episode, nothing that fits.
    ["search", "ok so i was watching soundtrack last night and sam gets fired and imagines smashing his"
     " boss's office while this sweet old song plays what is it"],
    ["what", "soundtrack", "four", "dinner", "table", "memory", "--upto", "fourth"],
    ["what", "soundtrack", "2", "dante", "wakes", "up"],
    ["search", "steely", "dan"],
    # #20: eleven shows, names as fans type them, a season inside the name, accents.
    ["what", "all", "stars", "7", "finale"],
    ["what", "drag race uk series 2", "finale", "--json"],
    ["what", "rpdr", "s04e10", "--results"],
    ["search", "sobrevivire"],
    ["search", "born", "this", "way", "--upto", "rpdr s04e05, druk 1x01"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "cues.sqlite"
        subprocess.run([str(CLI), "build", "--from", str(ROOT / "data"), "--db", str(db)],
                       check=True, capture_output=True)
        baseline, baseline_cpu = _times([sys.executable, "-c", "pass"], args.runs)
        print(f"python -c pass (the floor on this machine): median {statistics.median(baseline):.0f}ms wall,"
              f" {statistics.median(baseline_cpu):.0f}ms CPU")
        # CPU time (user + system of the child) moves far less than wall time on a busy machine.
        print(f"{'question':<55} {'median':>8} {'p95':>8} {'max':>8} {'CPU':>8}")
        for question in QUESTIONS:
            times, cpu = _times([str(CLI), *question, "--db", str(db)], args.runs)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{' '.join(question):<55} {statistics.median(times):7.0f}ms {p95:7.0f}ms {times[-1]:7.0f}ms"
                  f" {statistics.median(cpu):7.0f}ms")


def _times(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `runs` new processes."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True)
        # Exit 1 is an answer too ("nothing matches", "later episodes have more"); anything else is a fault.
        if done.returncode not in (0, 1) or done.stderr.startswith(b"Traceback"):
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
        wall.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return wall, cpu


if __name__ == "__main__":
    main()
