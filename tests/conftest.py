"""Shared fixtures: every test runs with its own home, config and database."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from cuesheet.config import Config

# No timed tests: hypothesis's default 200 ms deadline per example failed property tests on
# a machine shared by eight builds (3.5 s at load 14). Speed is measured in bench/.
settings.register_profile("cuesheet", deadline=None)
settings.load_profile("cuesheet")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


def pytest_report_header(config: pytest.Config) -> str:
    return f"sqlite {sqlite3.sqlite_version}"


_NOWHERE: list[int] = []


def _nowhere_port() -> int:
    """A loopback port that was free when the session started (bound, then released)."""
    if not _NOWHERE:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            _NOWHERE.append(int(s.getsockname()[1]))
    return _NOWHERE[0]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the user's config, credentials, proxies or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("COLUMNS", "200")
    for name in list(__import__("os").environ):
        upper = name.upper()
        if upper.startswith(("CUESHEET_", "SPOTIPY_")) or upper in (
            "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
        ):
            monkeypatch.delenv(name, raising=False)
    # Online sources default to the real services; a test that does not point them at its own
    # loopback server finds them refused at once (a port nobody listens on), never the internet.
    nowhere = f"http://127.0.0.1:{_nowhere_port()}"
    monkeypatch.setenv("CUESHEET_MUSICBRAINZ_URL", nowhere)
    monkeypatch.setenv("CUESHEET_SPOTIFY_API_URL", nowhere + "/v1/")
    monkeypatch.setenv("CUESHEET_SPOTIFY_TOKEN_URL", nowhere + "/api/token")
    return home


@pytest.fixture(scope="session")
def shipped_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped Soundtrack season (data/soundtrack and data/catalog) as `cuesheet build` makes
    it, built once per run. The tests written about Soundtrack ask it alone, so its answers stay
    pinned now that data/ holds ten Drag Race shows too (#20); `all_shows_db_file` has all eleven."""
    from cuesheet.files.build import build

    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(DATA / "soundtrack", root / "data" / "soundtrack")
    shutil.copytree(DATA / "catalog", root / "data" / "catalog")
    path = root / "cues.sqlite"
    build(root / "data", path)
    return path


@pytest.fixture(scope="session")
def soundtrack_db_file(shipped_db_file: Path) -> Path:
    """Soundtrack alone, by name (the same file as shipped_db_file)."""
    return shipped_db_file


@pytest.fixture(scope="session")
def all_shows_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database `cuesheet build` makes from the whole shipped data/: eleven shows (#20)."""
    from cuesheet.files.build import build

    path = tmp_path_factory.mktemp("all-shows") / "cues.sqlite"
    build(DATA, path)
    return path


@pytest.fixture
def shipped_db(shipped_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the shipped database a test may change."""
    path = tmp_path / "cues.sqlite"
    shutil.copy(shipped_db_file, path)
    return path


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A small show with times, for timecode questions (the shipped data has none)."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "minishow", target)
    return target


@pytest.fixture
def mini_db(mini_data: Path, tmp_path: Path) -> Path:
    from cuesheet.files.build import build

    path = tmp_path / "mini.sqlite"
    build(mini_data, path)
    return path


# --- network guard and loopback servers -----------------------------------------------------

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    return host in _LOOPBACK_NAMES or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any test that tries to reach beyond loopback (a connection or a DNS lookup).

    The attempt is refused with an OSError, as a machine without network would,
    and recorded, so a test whose code swallows the error still fails here.
    """
    import socket

    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not _is_loopback(host):
                attempts.append(f"connect {address!r}")
                raise OSError(101, "Network is unreachable (blocked by the test guard)")

    def connect(sock: socket.socket, address: object) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and not _is_loopback(host if not isinstance(host, bytes) else host.decode()):
            attempts.append(f"resolve {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (blocked by the test guard)")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail("test tried to leave the machine: " + "; ".join(attempts))


@pytest.fixture(scope="session")
def _loopback_server() -> Iterator["HTTPServer"]:
    from pytest_httpserver import HTTPServer

    # Threaded: a fault test's slow handler must not hold up the client's retry.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def httpserver(_loopback_server: "HTTPServer") -> Iterator["HTTPServer"]:
    """pytest-httpserver on 127.0.0.1, threaded, cleared after each test."""
    yield _loopback_server
    _loopback_server.clear()


@pytest.fixture
def slow_server() -> Iterator["HTTPServer"]:
    """A server of its own for handlers that answer late, so no late answer lands in another test's log."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes], str]]:
    """A TCP server on 127.0.0.1 that answers every connection with fixed bytes, then closes.

    For answers no well-behaved HTTP server sends, such as a body cut off before its length.
    """
    import socket
    import threading

    servers: list[socket.socket] = []

    def start(reply: bytes) -> str:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.2)
        servers.append(listener)

        def serve() -> None:
            while listener in servers:
                try:
                    conn, _ = listener.accept()
                except (TimeoutError, OSError):
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        conn.recv(65536)
                        conn.sendall(reply)
                    except OSError:
                        pass

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for listener in list(servers):
        servers.remove(listener)
        listener.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SECRET = "s3cr3t-CLIENT-secret-XYZZY-0042"
CLIENT_ID = "test-client-id-0001"


@pytest.fixture
def online_config(httpserver: "HTTPServer", tmp_path: Path) -> Callable[..., "Config"]:
    """A Config pointing both services at the loopback server, with tiny timeouts and backoffs."""
    from cuesheet.config import Config

    def make(**overrides: object) -> Config:
        base = httpserver.url_for("/").rstrip("/")
        values: dict[str, object] = dict(
            musicbrainz_url=base,
            musicbrainz_rate=0.0,
            contact="tests@example.invalid",
            spotify_client_id=CLIENT_ID,
            spotify_client_secret=SECRET,
            spotify_api_url=base + "/v1/",
            spotify_token_url=base + "/api/token",
            timeout=0.5,
            retries=2,
            backoff=0.01,
            max_wait=2.0,
            cache_path=str(tmp_path / "responses.sqlite"),
        )
        values.update(overrides)
        return Config(**values)  # type: ignore[arg-type]

    return make



