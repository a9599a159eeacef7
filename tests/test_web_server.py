"""`cuesheet serve` under load and abuse (issue #17, item 6): the server settings and the connection pool.

Speed is measured by hand (bench/web_load.py, figures in README); these tests check behaviour:
the banner, half-open connections, the paths a page may show, the pool.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cuesheet.files.build import build
from cuesheet.web.app import create_app
from cuesheet.web.pool import ReadPool

from .conftest import DATA

CUESHEET = str(Path(sys.executable).with_name("cuesheet"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(request: pytest.FixtureRequest, shipped_db: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = subprocess.Popen([CUESHEET, "serve", "--db", str(shipped_db), "--port", str(port),
                             "--workers", str(request.param)],
                            env={**os.environ, "CUESHEET_SERVE_REQUEST_TIMEOUT": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def get(port: int, path: str) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_pages_carry_no_server_banner(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, _ = server
    head, body = get(port, "/soundtrack/1/3")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"\r\nserver:" not in head.lower()
    assert b"Sam and Dante" in body


def test_a_half_open_connection_is_closed(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    """A client that sends half a request (or nothing) is dropped after the request timeout."""
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=20) as silent, \
            socket.create_connection(("127.0.0.1", port), timeout=20) as slow:
        slow.sendall(b"GET /soundtrack/1/3 HTTP/1.1\r\nHost: x\r\n")  # never the blank line
        assert silent.recv(1024) == b""  # closed by the server, not by our timeout (that would raise)
        assert slow.recv(1024) == b""
    head, _ = get(port, "/")  # the server still answers everyone else
    assert head.startswith(b"HTTP/1.1 200")


def test_stopping_the_server_stops_its_workers(shipped_db: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([CUESHEET, "serve", "--db", str(shipped_db), "--port", str(port), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    assert len(children) >= 2
    proc.terminate()
    proc.wait(timeout=20)
    for child in children:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        status = Path(f"/proc/{child}/status")
        assert not status.exists() or "zombie" in status.read_text()


def test_no_page_shows_where_the_database_lives(tmp_path: Path) -> None:
    secret_dir = tmp_path / "srv-private-dir"
    secret_dir.mkdir()
    client = TestClient(create_app(secret_dir / "cues.sqlite"))
    for path in ("/", "/search?q=x", "/soundtrack/1/3", "/index.json"):
        response = client.get(path)
        assert response.status_code == 503
        assert str(secret_dir) not in response.text and "cues.sqlite" in response.text
    junk = secret_dir / "junk.sqlite"
    junk.write_bytes(b"not a database " * 100)
    response = TestClient(create_app(junk)).get("/")
    assert response.status_code == 503 and str(secret_dir) not in response.text


def test_huge_numbers_and_control_characters_in_urls(shipped_db: Path) -> None:
    client = TestClient(create_app(shipped_db))
    assert client.get(f"/soundtrack/{2**64}/3").status_code == 404
    assert client.get(f"/soundtrack/1/{10**30}.json").status_code == 404
    response = client.get("/search.json?q=a%00b")
    assert response.status_code == 400 and "control character" in response.text
    assert client.get("/search.json?q=heart&limit=" + "9" * 5000).status_code == 400


def test_the_pool_reuses_connections_and_follows_a_rebuild(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = tmp_path / "cues.sqlite"
    build(data, path)
    pool = ReadPool(path, size=2)
    with pool.connection() as first:
        pass
    with pool.connection() as again:
        assert again is first  # pooled, not reopened
    with pytest.raises(Exception):
        again.execute("DELETE FROM shows")  # read-only
    episode = data / "soundtrack" / "s01e03.yaml"
    episode.write_text(episode.read_text().replace("title: \"Track 3", "title: \"Rebuilt Track 3", 1))
    build(data, path)
    with pool.connection() as fresh:
        assert fresh is not first
        title = fresh.execute("SELECT e.title FROM episodes e JOIN shows s ON s.id = e.show_id"
                              " WHERE s.slug = 'soundtrack' AND e.season = 1 AND e.number = 3").fetchone()[0]
        assert title.startswith("Rebuilt ")
    pool.close()


def test_one_address_holding_slow_connections_cannot_crowd_out_the_others(shipped_db: Path) -> None:
    """#25 item 9: past PER_ADDRESS open connections, that address's new ones are closed at once,
    while other addresses are answered (the benchmark: bench/slow_clients.py)."""
    port = free_port()
    env = {**os.environ, "CUESHEET_SERVE_PER_ADDRESS": "4", "CUESHEET_SERVE_REQUEST_TIMEOUT": "60"}
    proc = subprocess.Popen([CUESHEET, "serve", "--db", str(shipped_db), "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    slow: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.2", 0))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never the blank line
            slow.append(s)
        try:  # the fifth: closed by the server at once (EOF or reset), not after 60 s
            assert slow[-1].recv(1024) == b""
        except ConnectionResetError:
            pass
        head, _ = get(port, "/")
        assert head.startswith(b"HTTP/1.1 200")
        for s in slow[:4]:
            s.settimeout(0.2)
            with pytest.raises(socket.timeout):
                s.recv(1024)  # the first four are still open (held until the request timeout)
    finally:
        for s in slow:
            s.close()
        proc.terminate()
        proc.wait(timeout=20)
