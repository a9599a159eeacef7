"""How long a curator's write waits while a large `cue import` runs, and while its undo runs (#23).

    .venv/bin/python -m bench.cue_lock_wait [--rows 50000] [--interval 0.5]

Builds the shipped database into bench/out/cuelock/, writes a CSV of ROWS cue rows (new
episodes of season 9, 1,000 cues each; titles and artists from the shipped catalog, every
fifth one a text nobody catalogued), then runs `cuesheet cue import` and `cuesheet undo` as
other processes. While each runs, a stand-in for `cue add` (one short write through
`transaction`, adding a show alias) runs every INTERVAL seconds and is timed. Prints each
command's time, the longest wait, and any write that failed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.datasets import ROOT
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.errors import CuesheetError

OUT = ROOT / "bench" / "out" / "cuelock"


def write_csv(path: Path, rows: int, seed: int = 23) -> None:
    catalog = list(csv.DictReader((ROOT / "data" / "catalog" / "soundtrack-s1.csv").open(encoding="utf-8")))
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["season", "episode", "episode_title", "cue", "scene", "title", "artist", "text"])
        for i in range(rows):
            episode, cue = divmod(i, 1000)
            title = f"Episode {episode + 1}" if cue == 0 else ""
            if i % 5 == 4:
                out.writerow([9, episode + 1, title, cue + 1, f"scene {i}", "", "", f"a song nobody named {i}"])
            else:
                r = rng.choice(catalog)
                out.writerow([9, episode + 1, title, cue + 1, f"scene {i}", r["title"], r["artist"], ""])


def timed_writes(proc: subprocess.Popen[str], conn, interval: float) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    waits: list[tuple[float, float, str]] = []
    start = time.perf_counter()
    n = 0
    while proc.poll() is None:
        n += 1
        t = time.perf_counter()
        try:
            with transaction(conn):
                conn.execute("INSERT INTO show_aliases (show_id, alias) VALUES ((SELECT min(id) FROM shows), ?)",
                             [f"cue-lock-wait-{os.getpid()}-{n}-{t}"])
            outcome = "ok"
        except CuesheetError as exc:
            outcome = str(exc)
        waits.append((t - start, time.perf_counter() - t, outcome))
        time.sleep(interval)
    return waits


def run(args: list[str], conn, interval: float, label: str) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    cpu = os.times()
    log = OUT / f"{label.replace(' ', '-')}.log"
    with log.open("w", encoding="utf-8") as out:  # a pipe nobody reads would stall the command
        proc = subprocess.Popen([sys.executable, "-m", "cuesheet", *args], stdout=out, stderr=subprocess.STDOUT,
                                text=True, env={**os.environ, "CUESHEET_CURATOR": "bench"})
        waits = timed_writes(proc, conn, interval)
        proc.wait()
    err = log.read_text(encoding="utf-8")
    took = time.perf_counter() - started
    child_cpu = os.times().children_user + os.times().children_system - cpu.children_user - cpu.children_system
    worst = max(waits, key=lambda w: w[1]) if waits else (0.0, 0.0, "no write ran")
    failed = [w for w in waits if w[2] != "ok"]
    print(f"{label}: exit {proc.returncode} in {took:.1f} s (CPU {child_cpu:.1f} s); {len(waits)} writes, "
          f"longest wait {worst[1]:.2f} s at {worst[0]:.1f} s; {len(failed)} failed"
          + (f" ({failed[0][2][:120]})" if failed else ""))
    if proc.returncode:
        print(err.strip()[-400:])


def main() -> None:
    from cuesheet.files.build import build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "cues.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    build(ROOT / "data", path)
    sheet = OUT / f"cues-{args.rows}.csv"
    write_csv(sheet, args.rows)
    conn = connect(path).conn
    print(f"{args.rows:,} rows; load {os.getloadavg()[0]:.1f}")
    run(["cue", "import", str(sheet), "--show", "soundtrack", "--db", str(path)], conn, args.interval, "cue import")
    run(["undo", "--db", str(path)], conn, args.interval, "undo")


if __name__ == "__main__":
    main()
