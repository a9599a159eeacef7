"""Synthetic catalogs in MetaBrainz's canonical layout, for the import benchmarks (never downloaded).

    .venv/bin/python -m bench.canonical SYNTHETIC.csv OUT.csv [--zst]

Each row of a `bench/synthetic.py` catalog becomes one canonical row: the same
title, artist credit and album (as `release_name`), with deterministic
recording, release and artist MBIDs (one per artist name of the credit, split
on "feat." and "&" as MusicBrainz credits are), `combined_lookup` folded as
MetaBrainz folds it, and a `score` (lower = more canonical). The columns and
their order are those of `canonical_musicbrainz_data.csv` (see docs/scale.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
from pathlib import Path

from cuesheet.recordings.importer import CANONICAL_COLUMNS

_SPLIT = re.compile(r"\s+(?:feat\.|&)\s+")
_NOT_WORD = re.compile(r"[^\w]+")


def _uuid(kind: str, text: str) -> str:
    h = hashlib.md5(f"{kind}:{text}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def convert(src: Path, out: Path, *, zst: bool = False) -> int:
    """Write `out` (optionally zstd-compressed) from a synthetic catalog CSV; returns the row count."""
    credits: dict[str, tuple[int, str]] = {}
    n = 0
    raw = open(out, "wb")
    if zst:
        import zstandard

        sink = zstandard.ZstdCompressor(level=3).stream_writer(raw)
    else:
        sink = raw
    text = io.TextIOWrapper(sink, encoding="utf-8", newline="")  # type: ignore[arg-type]
    with open(src, encoding="utf-8", newline="") as handle, text:
        rows = csv.reader(handle)
        next(rows)
        writer = csv.writer(text)
        writer.writerow(CANONICAL_COLUMNS)
        for n, (title, artist, album, *_rest) in enumerate(rows, start=1):
            if artist not in credits:
                mbids = ",".join(_uuid("artist", a) for a in _SPLIT.split(artist))
                credits[artist] = (len(credits) + 1, mbids)
            credit_id, mbids = credits[artist]
            lookup = _NOT_WORD.sub("", artist + title).lower()
            writer.writerow([n, credit_id, mbids, artist, _uuid("release", f"{artist}/{album}"), album,
                             _uuid("recording", str(n)), title, lookup, n % 997])
    return n


def newer(src: Path, out: Path) -> tuple[int, int, int]:
    """A "next month's" dataset from `src`: 1 % of rows dropped, 1 % with a new release, 1 % new rows.

    Returns (dropped, changed, added), what a re-import with --replace should report.
    """
    dropped = changed = added = 0
    with open(src, encoding="utf-8", newline="") as handle, open(out, "w", encoding="utf-8", newline="") as dest:
        rows = csv.reader(handle)
        writer = csv.writer(dest)
        writer.writerow(next(rows))
        for row in rows:
            n = int(row[0])
            if n % 100 == 0:
                dropped += 1
                continue
            if n % 100 == 1:
                row[4], row[5] = _uuid("release", f"reissue/{n}"), f"{row[5]} (Reissue)"
                changed += 1
            writer.writerow(row)
            if n % 100 == 2:
                added += 1
                new = list(row)
                new[0], new[6], new[7] = f"{n}b", _uuid("recording", f"new/{n}"), f"{row[7]} Again"
                writer.writerow(new)
    return dropped, changed, added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--zst", action="store_true", help="compress with zstd (level 3)")
    parser.add_argument("--newer", action="store_true",
                        help="SRC is a canonical file: write next month's version of it (re-import bench)")
    args = parser.parse_args()
    if args.newer:
        print("dropped %d, changed %d, added %d" % newer(args.src, args.out), file=sys.stderr)
        return
    n = convert(args.src, args.out, zst=args.zst)
    print(f"{n} rows -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
