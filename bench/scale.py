"""Scale: import time, identify latency, memory and accuracy on synthetic catalogs of 10k to 1M rows.

    .venv/bin/python -m bench.scale [--sizes 10000,100000,1000000] [--queries 1000] [--absent 300]

Goals (issue #4): import 1M rows <= 30 s including the index; identify p50 <= 5 ms and
p95 <= 20 ms at 1M rows in a warm batch.

For each size a catalog CSV and its queries come from bench/synthetic.py (kept
in bench/out/scale/ and reused, they are deterministic). Then two child
processes, so each phase's peak memory is its own:

* import: `cuesheet.recordings.importer.import_file` into a fresh database file; the word
  index is filled by the insert triggers, so the time includes it;
* identify: `cuesheet.matching.identify` with `CatalogSource`, as the CLI runs it,
  over messy variants of catalog rows and over songs that are not in the
  catalog. After a short warm-up, each query is timed on its own.

A variant counts as found when the best candidate is the same song by the same
act (`normalize.match_key`), so a duplicate row of it also counts. A song that
is not in the catalog must come out review or no_match: an accepted one is a
false accept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench import synthetic
from bench.datasets import ROOT
from cuesheet.db.connection import connect

OUT = ROOT / "bench" / "out" / "scale"
WARMUP = ("love you baby", "heart of gold", "the night - smith", "dance tonight", "blue moon",
          "river road", "summer rain", "fire - the stars", "midnight train", "sweet home")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def phase_import(db_path: Path, csv_path: Path) -> dict[str, Any]:
    from cuesheet.recordings.importer import import_file

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    cpu = time.process_time()
    conn = connect(db_path, create=True).conn
    report = import_file(conn, csv_path)
    seconds = time.perf_counter() - start
    # The time the import returns is the time a user waits; the checkpoint that copies the
    # WAL into the database file runs later (SQLite's automatic one, or the next writer's).
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "rows": report.rows, "added": report.added, "steps": report.steps,
            "cpu_s": time.process_time() - cpu + children.ru_utime + children.ru_stime,
            "db_mb": db_path.stat().st_size / 2**20, "peak_mb": _peak_mb(),
            "worker_peak_mb": children.ru_maxrss / 1024}


def phase_jobs(db_path: Path, queries_path: Path, jobs: int) -> dict[str, Any]:
    """Queries per second of `identify --from --jobs N` (the library call under it)."""
    from cuesheet.matching import identify
    from cuesheet.matching.batch import identify_many

    queries = [json.loads(line)["text"] for line in queries_path.read_text(encoding="utf-8").splitlines()]
    start = time.perf_counter()
    n = sum(1 for _ in identify_many(queries, db_path=db_path, jobs=jobs, identify=identify))
    seconds = time.perf_counter() - start
    return {"jobs": jobs, "queries": n, "seconds": seconds, "qps": n / seconds}


def phase_identify(db_path: Path, queries_path: Path, pool: int | None = None) -> dict[str, Any]:
    from cuesheet.matching import identify
    from cuesheet.notation.normalize import match_key
    from cuesheet.sources.catalog import CatalogSource

    conn = connect(db_path, readonly=True).conn
    sources = [CatalogSource(conn) if pool is None else CatalogSource(conn, pool=pool)]
    queries = [json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines()]
    for text in WARMUP:
        identify(text, sources)
    times: list[float] = []
    # CPU time per query too: on a shared machine the wall clock measures the neighbours.
    cpu: list[float] = []
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_accepts: list[dict[str, Any]] = []
    for q in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        ident = identify(q["text"], sources, artist=q["artist"])
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        tally = by_kind[q["kind"]]
        tally["n"] += 1
        tally[ident.verdict] += 1
        best = ident.best
        if q["row"] is not None:
            found = best is not None and match_key(best.candidate.title, best.candidate.artist) == q["key"]
            tally["found"] += found
            if ident.verdict == "accepted" and not found:
                tally["accepted wrong"] += 1
                wrong_accepts.append({"query": q["text"], "got": f"{best.candidate.title} - {best.candidate.artist}"
                                      if best else None})
        elif ident.verdict == "accepted" and best is not None:
            wrong_accepts.append({"query": q["text"], "got": f"{best.candidate.title} - {best.candidate.artist}",
                                  "kind": q["kind"]})
    times.sort()
    cpu.sort()
    return {
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))],
        "queries": len(queries),
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "max_ms": times[-1],
        "mean_ms": statistics.fmean(times),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "wrong_accepts": wrong_accepts[:20],
        "peak_mb": _peak_mb(),
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.scale", *args], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _files(rows: int, n_queries: int, n_absent: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    stem = f"synthetic-{rows}-seed{synthetic.SEED}-q{n_queries}-a{n_absent}"
    csv_path, queries = OUT / f"{stem}.csv", OUT / f"{stem}.queries.jsonl"
    if not (csv_path.exists() and queries.exists()):
        start = time.perf_counter()
        vocab = synthetic.write_catalog(csv_path, rows, queries=queries, n_queries=n_queries,
                                        n_absent=n_absent)
        print(f"  generated {rows} rows in {time.perf_counter() - start:.0f} s ({vocab.source})",
              flush=True)
    return csv_path, queries


def summary(rows: int, imp: dict[str, Any], ide: dict[str, Any]) -> dict[str, Any]:
    kinds = ide["by_kind"]
    present = {k: v for k, v in kinds.items() if not k.startswith("absent")}
    absent = {k: v for k, v in kinds.items() if k.startswith("absent")}
    n = sum(v["n"] for v in present.values())
    na = sum(v["n"] for v in absent.values())

    def total(group: dict[str, dict[str, int]], key: str) -> int:
        return sum(v.get(key, 0) for v in group.values())

    return {
        "rows": rows, "import_s": imp["seconds"], "rows_per_s": imp["rows"] / imp["seconds"],
        "db_mb": imp["db_mb"], "import_peak_mb": imp["peak_mb"],
        "p50_ms": ide["p50_ms"], "p95_ms": ide["p95_ms"], "max_ms": ide["max_ms"],
        "cpu_p50_ms": ide["cpu_p50_ms"], "cpu_p95_ms": ide["cpu_p95_ms"],
        "identify_peak_mb": ide["peak_mb"],
        "top1": total(present, "found") / n if n else 0.0,
        "accepted": total(present, "accepted") / n if n else 0.0,
        "review": total(present, "review") / n if n else 0.0,
        "no_match": total(present, "no_match") / n if n else 0.0,
        "accepted_wrong": total(present, "accepted wrong") / n if n else 0.0,
        "false_accept": total(absent, "accepted") / na if na else 0.0,
        "absent_review": total(absent, "review") / na if na else 0.0,
        "absent_no_match": total(absent, "no_match") / na if na else 0.0,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("import", "identify", "jobs"):
        phase, a, b = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
        extra = int(sys.argv[4]) if len(sys.argv) > 4 else None
        if phase == "jobs":
            result = phase_jobs(a, b, extra or 2)
        else:
            result = phase_import(a, b) if phase == "import" else phase_identify(a, b, extra)
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000, help="messy variants of catalog rows")
    parser.add_argument("--absent", type=int, default=300, help="songs not in the catalog")
    parser.add_argument("--keep", action="store_true", help="keep the databases in bench/out/scale")
    parser.add_argument("--pool", type=int, help="CatalogSource.pool (rows fetched and scored per query)")
    parser.add_argument("--reuse", action="store_true",
                        help="identify only, on databases kept by an earlier --keep run")
    parser.add_argument("--canonical", action="store_true",
                        help="import the catalog in MusicBrainz's canonical layout (bench/canonical.py)")
    parser.add_argument("--zst", action="store_true", help="with --canonical: a .csv.zst file")
    parser.add_argument("--jobs", type=int, default=0, help="also time identify_many with N processes")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    results = []
    for rows in (int(s) for s in args.sizes.split(",")):
        print(f"{rows} rows:", flush=True)
        csv_path, queries = _files(rows, args.queries, args.absent)
        if args.canonical:
            from bench import canonical

            plain = csv_path
            csv_path = plain.with_suffix(".canonical.csv" + (".zst" if args.zst else ""))
            if not csv_path.exists():
                canonical.convert(plain, csv_path, zst=args.zst)
        db_path = OUT / f"catalog-{rows}{'-canonical' if args.canonical else ''}.sqlite"
        if args.reuse and db_path.exists():
            imp = {"seconds": float("nan"), "rows": rows, "db_mb": db_path.stat().st_size / 2**20,
                   "peak_mb": float("nan")}
        else:
            imp = _child("import", str(db_path), str(csv_path))
        print(f"  import {imp['seconds']:.1f} s (cpu {imp.get('cpu_s', float('nan')):.1f} s; steps "
              f"{json.dumps({k: round(v, 1) for k, v in imp.get('steps', {}).items()})}), {imp['db_mb']:.0f} MB,"
              f" peak {imp['peak_mb']:.0f} MB (worker {imp.get('worker_peak_mb', float('nan')):.0f} MB)",
              flush=True)
        pool = [str(args.pool)] if args.pool else []
        ide = _child("identify", str(db_path), str(queries), *pool)
        s = summary(rows, imp, ide)
        print(f"  identify p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, max {s['max_ms']:.0f} ms"
              f" (CPU time p50 {s['cpu_p50_ms']:.1f} ms, p95 {s['cpu_p95_ms']:.1f} ms),"
              f" peak {s['identify_peak_mb']:.0f} MB", flush=True)
        print("  " + json.dumps(ide["by_kind"]), flush=True)
        if ide["wrong_accepts"]:
            print("  wrong accepts: " + json.dumps(ide["wrong_accepts"][:8]), flush=True)
        if args.jobs:
            for j in (1, args.jobs):
                jb = _child("jobs", str(db_path), str(queries), str(j))
                print(f"  identify --jobs {j}: {jb['qps']:.0f} queries/s", flush=True)
                s[f"qps_jobs{j}"] = jb["qps"]
        s["import_steps"] = imp.get("steps", {})
        s["import_cpu_s"] = imp.get("cpu_s")
        results.append(s)
        if not (args.keep or args.reuse):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    print()
    print(f"{'rows':>9} {'import s':>9} {'rows/s':>8} {'db MB':>6} {'imp MB':>7} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'id MB':>6} {'top-1':>6} {'acc':>5} {'rev':>5} {'none':>5} {'acc wrong':>9} {'false acc':>9}")
    for s in results:
        print(f"{s['rows']:>9} {s['import_s']:9.1f} {s['rows_per_s']:8.0f} {s['db_mb']:6.0f}"
              f" {s['import_peak_mb']:7.0f} {s['p50_ms']:7.1f} {s['p95_ms']:7.1f} {s['identify_peak_mb']:6.0f}"
              f" {s['top1']:6.3f} {s['accepted']:5.2f} {s['review']:5.2f} {s['no_match']:5.2f}"
              f" {s['accepted_wrong']:9.3f} {s['false_accept']:9.3f}")
    (OUT / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
