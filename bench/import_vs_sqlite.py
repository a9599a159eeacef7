"""Import speed against a floor: cuesheet's import of a canonical file vs the sqlite3 shell's `.import`.

    .venv/bin/python -m bench.import_vs_sqlite [--rows 1000000] [--repeat 1] [FILE.canonical.csv]

Goal (issue #21): `catalog import` of a 1M-row MusicBrainz canonical file takes at
most 3x what the sqlite3 shell needs, in one run, to `.import` the same CSV into a
plain table and build a plain FTS5 index over its title and artist columns. The
shell does no checking, folding, identity keys or merge; the ratio says what all
of that costs on top of SQLite's own work.

The file is the `bench/scale.py --canonical` catalog of that size (made by
`bench/synthetic.py` and `bench/canonical.py` if missing; nothing downloaded).
Each side runs in its own child process into a fresh database in bench/out/;
wall time and CPU time (the importer's worker process included) are printed with
the machine's load average before and after, since the box is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import scale
from bench.datasets import ROOT

OUT = ROOT / "bench" / "out" / "import_vs_sqlite"

SHELL_SCRIPT = """\
.mode csv
.import '{csv}' canonical
CREATE VIRTUAL TABLE canonical_fts USING fts5 (recording_name, artist_credit_name,
  content = 'canonical');
INSERT INTO canonical_fts (canonical_fts) VALUES ('rebuild');
"""


def _fresh(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_shell(csv_path: Path, db_path: Path) -> dict[str, Any]:
    """The sqlite3 shell: `.import` plus a plain FTS5 index, in one run of the shell."""
    _fresh(db_path)
    script = SHELL_SCRIPT.format(csv=str(csv_path).replace("'", "''"))
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(["sqlite3", str(db_path)], input=script, text=True, check=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_s": _children_cpu() - cpu, "db_mb": db_path.stat().st_size / 2**20}


def run_cuesheet(csv_path: Path, db_path: Path) -> dict[str, Any]:
    """`catalog import` as the CLI runs it (`import_file`), in a child process like `bench/scale.py`."""
    _fresh(db_path)
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.scale", "import", str(db_path), str(csv_path)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "import_s": result["seconds"], "steps": result["steps"],
            "cpu_s": _children_cpu() - cpu, "db_mb": result["db_mb"]}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="a canonical CSV (default: the scale bench's)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (the best is kept)")
    args = parser.parse_args()
    csv_path = args.file
    if csv_path is None:
        plain, _ = scale._files(args.rows, 1000, 300)
        csv_path = plain.with_suffix(".canonical.csv")
        if not csv_path.exists():
            from bench import canonical

            canonical.convert(plain, csv_path)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"file: {csv_path} ({csv_path.stat().st_size / 2**20:.0f} MB); load before {_load()}", flush=True)
    shell: list[dict[str, Any]] = []
    ours: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        shell.append(run_shell(csv_path, OUT / "shell.sqlite"))
        print(f"  sqlite3 shell: {shell[-1]['seconds']:.1f} s (cpu {shell[-1]['cpu_s']:.1f} s),"
              f" {shell[-1]['db_mb']:.0f} MB; load {_load()}", flush=True)
        ours.append(run_cuesheet(csv_path, OUT / "cuesheet.sqlite"))
        steps = {k: round(v, 1) for k, v in ours[-1]["steps"].items()}
        print(f"  cuesheet import: {ours[-1]['import_s']:.1f} s (cpu {ours[-1]['cpu_s']:.1f} s, both processes;"
              f" steps {json.dumps(steps)}), {ours[-1]['db_mb']:.0f} MB; load {_load()}", flush=True)
    best_shell = min(shell, key=lambda r: r["seconds"])
    best_ours = min(ours, key=lambda r: r["import_s"])
    print(f"ratio: wall {best_ours['import_s'] / best_shell['seconds']:.2f}x, "
          f"cpu {best_ours['cpu_s'] / best_shell['cpu_s']:.2f}x (goal <= 3x); load after {_load()}")
    for name in ("shell.sqlite", "cuesheet.sqlite"):
        _fresh(OUT / name)


if __name__ == "__main__":
    main()
