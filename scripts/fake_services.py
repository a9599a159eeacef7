#!/usr/bin/env python3
"""Loopback MusicBrainz and Spotify look-alikes, for trying cuesheet by hand and for benchmarks.

    .venv/bin/python scripts/fake_services.py            # MusicBrainz :5000, Spotify :5001
    .venv/bin/python scripts/fake_services.py --fault 503 # every answer a 503, to see the retries

They answer in the services' wire formats (XML for MusicBrainz, JSON for
Spotify, a client-credentials token endpoint) from the payload factories in
tests/factories.py, over the recordings of the shipped season
(data/catalog/soundtrack-s1.csv) with made-up ids, ISRCs and writers. They
listen on loopback only and stop on Ctrl-C (or after --seconds).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.factories import MusicBrainzFake, Reply, Song, SpotifyFake, season_songs  # noqa: E402

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
FAULTS = ("none", "503", "500", "429", "slow", "garbage")


def _handler(app: Callable[..., Reply], fault: str, log: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            headers = {k: v for k, v in self.headers.items()}
            if fault == "slow":
                time.sleep(30)
            if fault in ("503", "500", "429"):
                status, out_headers, data = int(fault), {"Content-Type": "text/plain", "Retry-After": "2"}, b"fault"
            elif fault == "garbage":
                status, out_headers, data = 200, {"Content-Type": "text/html"}, b"<html>not an API</html>"
            elif isinstance(app, SpotifyFake):
                status, out_headers, data = app(method, parts.path, parts.query, headers, body)
            else:
                status, out_headers, data = app(method, parts.path, parts.query, headers)
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if log:
                sys.stderr.write("%s %s\n" % (type(app).__name__.replace("Fake", ""), format % args))

    return Handler


@dataclass
class FakeServices:
    musicbrainz_url: str
    spotify_url: str
    musicbrainz: MusicBrainzFake
    spotify: SpotifyFake

    def env(self) -> dict[str, str]:
        """The settings that point cuesheet at these servers."""
        return {
            "CUESHEET_MUSICBRAINZ_URL": self.musicbrainz_url,
            "CUESHEET_MUSICBRAINZ_RATE": "0",
            "CUESHEET_SPOTIFY_API_URL": self.spotify_url + "/v1/",
            "CUESHEET_SPOTIFY_TOKEN_URL": self.spotify_url + "/api/token",
            "SPOTIPY_CLIENT_ID": CLIENT_ID,
            "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
        }


@contextmanager
def running(songs: list[Song] | None = None, *, host: str = "127.0.0.1", mb_port: int = 0,
            spotify_port: int = 0, fault: str = "none", log: bool = False) -> Iterator[FakeServices]:
    """Both fake services in background threads for the duration of the block."""
    if not (host.startswith("127.") or host in ("::1", "localhost")):
        raise SystemExit(f"refusing to listen on {host}: loopback only")
    songs = songs if songs is not None else season_songs()
    mb = MusicBrainzFake(songs)
    sp = SpotifyFake(songs, CLIENT_ID, CLIENT_SECRET)
    servers = [ThreadingHTTPServer((host, mb_port), _handler(mb, fault, log)),
               ThreadingHTTPServer((host, spotify_port), _handler(sp, fault, log))]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [f"http://{host}:{s.server_address[1]}" for s in servers]
    try:
        yield FakeServices(urls[0], urls[1], mb, sp)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--mb-port", type=int, default=5000)
    parser.add_argument("--spotify-port", type=int, default=5001)
    parser.add_argument("--fault", choices=FAULTS, default="none",
                        help="answer every request with this fault (slow = 30 s before answering)")
    parser.add_argument("--seconds", type=float, default=None, help="stop by itself after this long")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    with running(host=args.host, mb_port=args.mb_port, spotify_port=args.spotify_port,
                 fault=args.fault, log=not args.quiet) as fake:
        print(f"MusicBrainz at {fake.musicbrainz_url}, Spotify at {fake.spotify_url} "
              f"({len(fake.musicbrainz.songs)} recordings; fault: {args.fault}). Point cuesheet at them:")
        print("  export " + " ".join(f"{k}={v}" for k, v in fake.env().items()))
        print("Ctrl-C stops them.", flush=True)
        try:
            if args.seconds is None:
                while True:
                    time.sleep(3600)
            else:
                time.sleep(args.seconds)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
