"""How long a curator's write waits while a big catalog import runs (issue #17: "writers wait, not fail").

    .venv/bin/python -m bench.lock_wait CANONICAL.csv [--interval 0.5]

Builds the shipped database into bench/out/lock/, starts `cuesheet catalog import FILE`
on it, and while it runs adds a show alias in its own transaction (a stand-in for
`cue add`: one short write through `transaction`) every INTERVAL seconds, timing
each. Prints the import's steps and the longest wait, and any write that failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.datasets import ROOT
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction

OUT = ROOT / "bench" / "out" / "lock"


def main() -> None:
    from cuesheet.errors import CuesheetError
    from cuesheet.files.build import build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "cues.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    build(ROOT / "data", path)
    conn = connect(path).conn
    importer = subprocess.Popen([sys.executable, "-m", "cuesheet", "catalog", "import", str(args.file),
                                 "--db", str(path), "--json"], stdout=subprocess.PIPE, text=True)
    waits: list[tuple[float, float, str]] = []
    start = time.perf_counter()
    n = 0
    while importer.poll() is None:
        n += 1
        t = time.perf_counter()
        try:
            with transaction(conn):
                conn.execute("INSERT INTO show_aliases (show_id, alias) VALUES "
                             "((SELECT min(id) FROM shows), ?)", [f"lock-wait-{n}"])
            outcome = "ok"
        except CuesheetError as exc:
            outcome = str(exc)
        waits.append((t - start, time.perf_counter() - t, outcome))
        time.sleep(args.interval)
    report = json.loads(importer.stdout.read())  # type: ignore[union-attr]
    print(f"import: {report['seconds']} s, steps {report['steps']}")
    worst = max(waits, key=lambda w: w[1])
    print(f"{len(waits)} writes during the import; longest wait {worst[1]:.2f} s at {worst[0]:.1f} s; "
          f"failed: {sum(w[2] != 'ok' for w in waits)}")
    for at, wait, outcome in waits:
        if wait > 0.5 or outcome != "ok":
            print(f"  at {at:6.1f} s waited {wait:5.2f} s: {outcome}")


if __name__ == "__main__":
    main()
