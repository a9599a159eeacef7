"""Loaders for the evaluation data in ../shared/data (see its SOURCES.md).

The files are read where they lie and never copied into the project: their
terms are mixed (the Billboard list has none at all). A benchmark whose file
is missing says so in one line and exits 0, so a checkout without the data
still runs everything else.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
# Overrides the search below, for data kept elsewhere.
ENV_DATA = "BENCH_DATA"

MB20K = "musicbrainz20k_leipzig.csv.gz"
SONGS = "songs_magellan_msd.csv.gz"
ITUNES_AMAZON = "itunes_amazon_pairs.ndjson.gz"
BILLBOARD = "billboard_hot100_songs.csv.gz"


def data_dirs() -> list[Path]:
    """Where the shared data may be: `../shared/data` from the repository root.

    A git worktree of the project sits one level deeper (`wt/NAME`), so its
    grandparent's `shared/data` is tried too.
    """
    env = os.environ.get(ENV_DATA)
    if env:
        return [Path(env)]
    return [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]


def find(name: str) -> Path | None:
    for folder in data_dirs():
        path = folder / name
        if path.is_file():
            return path
    return None


def skip(name: str) -> NoReturn:
    where = " or ".join(str(d) for d in data_dirs())
    print(f"skipped: {name} not found in {where} (set {ENV_DATA} to its folder)")
    raise SystemExit(0)


def require(name: str) -> Path:
    """The data file's path, or a one-line message and exit 0 when it is absent."""
    path = find(name)
    if path is None:
        skip(name)
    return path


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


# --- MusicBrainz 20K (Leipzig) ------------------------------------------------------------


@dataclass(frozen=True)
class MBRecord:
    """One raw record, fields exactly as in the file (`length` "219", "1m 58sec", "unk." ...)."""

    id: int
    cluster: int
    title: str
    length: str
    artist: str
    album: str
    year: str
    language: str


def mb20k(path: Path | None = None) -> list[MBRecord]:
    path = path or require(MB20K)
    return [MBRecord(int(r["id"]), int(r["cluster_id"]), r["title"], r["length"], r["artist"],
                     r["album"], r["year"], r["language"]) for r in _csv(path)]


# --- Magellan Songs (Million Song Dataset) ------------------------------------------------


@dataclass(frozen=True)
class SongRecord:
    id: int
    cluster: int
    title: str
    release: str
    artist: str
    duration: float | None
    year: int | None  # the file's 0 means unknown


def songs(path: Path | None = None) -> list[SongRecord]:
    path = path or require(SONGS)
    out = []
    for r in _csv(path):
        duration = float(r["duration"]) if r["duration"] else None
        year = int(r["year"]) if r["year"] and r["year"] != "0" else None
        out.append(SongRecord(int(r["id"]), int(r["cluster_id"]), r["title"], r["release"],
                              r["artist_name"], duration, year))
    return out


# --- iTunes-Amazon pairs --------------------------------------------------------------------

PAIR_FIELDS = ("song_name", "artist_name", "album_name", "genre", "price", "copyright", "time",
               "released")


@dataclass(frozen=True)
class Pair:
    split: str  # train / valid / test
    index: int
    left: dict[str, str]
    right: dict[str, str]
    label: int  # 1 = the same song


def itunes_amazon(path: Path | None = None) -> list[Pair]:
    path = path or require(ITUNES_AMAZON)
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            side = {s: {f: str(obj.get(f"{f}_{s}") or "") for f in PAIR_FIELDS}
                    for s in ("left", "right")}
            out.append(Pair(obj["split"], int(obj["pair_index"]), side["left"], side["right"],
                            int(obj["label"])))
    return out


# --- Billboard Hot 100 (vocabulary only) ----------------------------------------------------


def billboard(path: Path | None = None) -> list[tuple[str, str]]:
    """(song, artist) credits; only a local vocabulary source, never shipped (no terms)."""
    path = path or find(BILLBOARD)
    if path is None:
        return []
    return [(r["song"], r["artist"]) for r in _csv(path)]


if __name__ == "__main__":
    for name in (MB20K, SONGS, ITUNES_AMAZON, BILLBOARD):
        found = find(name)
        print(f"{name:<36} {found if found else 'absent'}", file=sys.stdout)
