#!/usr/bin/env python3
"""Identify every cue song of the shipped season against all sources: cold, warm, and offline.

    .venv/bin/python bench/season_sources.py            # real 1 request/s to MusicBrainz
    .venv/bin/python bench/season_sources.py --rate 0   # no rate limit (a mirror of your own)

Runs the loopback fake services (scripts/fake_services.py) holding the
season's recordings, builds the shipped database in a temporary folder, and
identifies each cue song (title and artist as the cue sheet gives them, else
its text) with the catalog, MusicBrainz and Spotify, exactly as `cuesheet
match` asks them:

- cold: an empty response cache, MusicBrainz held to its rate limit;
- warm: the same again with new source objects, answers from the cache;
- offline: the services stopped, answers from the cache only.

Goal: warm ≤ 1 s for the whole season. Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fake_services import CLIENT_ID, CLIENT_SECRET, running  # noqa: E402

from cuesheet.config import Config  # noqa: E402
from cuesheet.db.connection import connect
from cuesheet.files.build import build  # noqa: E402
from cuesheet.matching import identify, song_query  # noqa: E402
from cuesheet.sources.catalog import CatalogSource  # noqa: E402
from cuesheet.sources.registry import select_sources  # noqa: E402


def cue_songs(conn) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    rows = conn.execute(
        """SELECT s.text, s.title, s.artist, s.version FROM cue_songs s JOIN cues c ON c.id = s.cue_id
           ORDER BY c.episode_id, c.number, s.position"""
    ).fetchall()
    return [song_query(title, artist, version, text) for text, title, artist, version in rows]


def run(conn, config: Config, songs, *, offline: bool = False,  # type: ignore[no-untyped-def]
        names: list[str] | None = None):
    sources, skipped = select_sources(conn, config, names=names, offline=offline, local=CatalogSource(conn))
    per_song = []
    verdicts: Counter[str] = Counter()
    started = time.perf_counter()
    for query, artist in songs:
        t = time.perf_counter()
        ident = identify(query, sources, artist=artist, mashups=False)
        per_song.append(time.perf_counter() - t)
        verdicts[ident.verdict] += 1
    total = time.perf_counter() - started
    fetched = {s.name: getattr(s, "requests", 0) for s in sources if hasattr(s, "requests")}
    return total, per_song, verdicts, fetched, [str(s) for s in skipped]


def report(label: str, total: float, per_song: list[float], verdicts: Counter[str],
           fetched: dict[str, int], skipped: list[str]) -> None:
    per = sorted(per_song)
    p95 = per[min(len(per) - 1, int(0.95 * len(per)))]
    print(f"{label:8} {total:8.3f} s total  median {statistics.median(per) * 1000:7.1f} ms  "
          f"p95 {p95 * 1000:7.1f} ms per song  fetched {fetched}  verdicts {dict(verdicts)}"
          + (f"  skipped {skipped}" if skipped else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=1.0,
                        help="MusicBrainz requests per second (default 1, the official limit; 0 = none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "cues.sqlite"
        build(ROOT / "data", db_path)
        conn = connect(db_path).conn
        songs = cue_songs(conn)
        with running() as fake:
            config = Config(
                musicbrainz_url=fake.musicbrainz_url, musicbrainz_rate=args.rate,
                spotify_client_id=CLIENT_ID, spotify_client_secret=CLIENT_SECRET,
                spotify_api_url=fake.spotify_url + "/v1/", spotify_token_url=fake.spotify_url + "/api/token",
                timeout=5, cache_path=str(Path(tmp) / "responses.sqlite"),
            )
            print(f"{len(songs)} cue songs; MusicBrainz rate limit: "
                  f"{'none' if not args.rate else f'{args.rate:g} request(s)/s'}")
            report("catalog", *run(conn, config, songs, names=["catalog"]))
            report("cold", *run(conn, config, songs))
            report("warm", *run(conn, config, songs))
        report("offline", *run(conn, config, songs))
        mb_requests = len(fake.musicbrainz.requests)
        sp_requests = len(fake.spotify.requests)
        print(f"requests served: MusicBrainz {mb_requests}, Spotify {sp_requests} (token included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
