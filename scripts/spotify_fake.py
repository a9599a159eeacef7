"""A loopback Spotify to try `cuesheet export spotify` without an account or a network.

    .venv/bin/python scripts/spotify_fake.py [--port 8766] [--catalog data/catalog/soundtrack-s1.csv]

It serves the same fake the tests use (tests/spotify_fake.py: accounts service
and Web API in Spotify's documented JSON, strict where Spotify is strict), with
one made-up track for every row of the catalog file, so search finds the shipped
songs. It prints the settings that point cuesheet at it; Ctrl-C stops it.
Playlists and tokens live in its memory only: a restart forgets them, and
cuesheet then asks you to sign in again.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import run_simple  # noqa: E402  (installed with the test extras)
from werkzeug.wrappers import Request  # noqa: E402

from tests.spotify_fake import FakeSpotify, track  # noqa: E402

BASE62 = string.digits + string.ascii_letters


def fake_id(*parts: str) -> str:
    """A stable 22-character base62 id, so a second run finds the same tracks."""
    n = int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(22):
        n, r = divmod(n, 62)
        chars.append(BASE62[r])
    return "".join(chars)


def tracks_from(catalog: Path) -> list[dict]:
    with catalog.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        track(fake_id(r["title"], r["artist"], r.get("album") or ""), r["title"],
              [a.strip() for a in r["artist"].replace(" feat. ", ",").replace(" & ", ",").split(",")],
              isrc=r.get("isrc") or None)
        for r in rows
        if r.get("title") and r.get("artist")
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--catalog", type=Path, default=ROOT / "data" / "catalog" / "soundtrack-s1.csv")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    fake = FakeSpotify(base=base)
    fake.tracks = tracks_from(args.catalog)
    print(f"Fake Spotify at {base} with {len(fake.tracks)} tracks. In another shell:\n")
    print(f"  export SPOTIPY_CLIENT_ID={fake.client_id}")
    print(f"  export CUESHEET_SPOTIFY_API_URL={base}/v1/")
    print(f"  export CUESHEET_SPOTIFY_TOKEN_URL={base}/api/token")
    print(f"  export CUESHEET_SPOTIFY_AUTHORIZE_URL={base}/authorize")
    print("  export XDG_CACHE_HOME=/tmp/cuesheet-fake-cache   # keep the fake token apart from a real one")
    print("  cuesheet export spotify soundtrack 1 --no-browser\n")
    print("Open the sign-in address it prints in a browser (or `curl -sL 'ADDRESS'`): the fake")
    print("approves at once and sends you back to cuesheet. Ctrl-C stops the fake.\n", flush=True)
    run_simple("127.0.0.1", args.port, Request.application(fake), use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
