"""Magellan Songs (Million Song Dataset): cluster 4,854 records of 1,195 songs with the matcher.

    .venv/bin/python -m bench.songs_magellan [--pool 30] [--errors 10] [--no-duration]

The same song listed on different releases (albums, compilations), whose
length and year often differ: a cluster here is a *song by an artist*, not one
recording. The matcher's length, year and album components exist to tell
takes apart, so they work against this ground truth; `--no-duration`,
`--no-year`, `--no-album` show by how much. Same blocking, scoring and
linking as MusicBrainz 20K (bench/clustering.py).
"""

from __future__ import annotations

import argparse
import time

from bench import datasets
from bench.clustering import Reading, Record, Scores, report_headline, run
from bench.datasets import SongRecord


def parse(r: SongRecord) -> Record:
    # The Million Song Dataset writes "," in titles as "_" ("Merry Christmas_ Baby");
    # fold reads both as a word break, so nothing is done about it here.
    return Record(r.id, r.cluster, (Reading(r.title, r.artist or None, r.release or None),),
                  round(r.duration * 1000) if r.duration else None, r.year,
                  raw=f"{r.title} | {r.artist} | {r.release} | {r.duration} | {r.year}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=30, help="rows the index returns per record")
    parser.add_argument("--errors", type=int, default=10, help="wrong pairs to list")
    parser.add_argument("--no-duration", action="store_true")
    parser.add_argument("--no-year", action="store_true")
    parser.add_argument("--no-album", action="store_true")
    args = parser.parse_args()
    records = [parse(r) for r in datasets.songs()]
    print(f"Magellan Songs: {len(records)} records, {len({r.gold for r in records})} clusters")
    used = [n for n, off in (("duration", args.no_duration), ("year", args.no_year),
                             ("album", args.no_album)) if not off]
    print(f"components besides title, artist, version: {', '.join(used) or 'none'}")
    scores = Scores({r.id: r for r in records}, use_duration=not args.no_duration,
                    use_year=not args.no_year, use_album=not args.no_album)
    start = time.perf_counter()
    result = run(records, pool=args.pool, scores=scores)
    found, real = result.blocking_recall()
    print(f"blocking: pool {args.pool}, {len(result.pairs)} pairs scored, "
          f"{found}/{real} true pairs among them ({found / real:.3f})")
    report_headline(result, started=start, show_errors=args.errors)


if __name__ == "__main__":
    main()
