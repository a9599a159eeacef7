"""`cuesheet serve`: the read-only web page for viewers.

Starlette, Jinja2 and uvicorn are imported inside the command, so `cuesheet
what` and every other command start without paying for them.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated, Optional

import typer

from cuesheet.cli.common import DbOption
from cuesheet.cli.output import console, fail, friendly_errors
from cuesheet.db.connection import connect, resolve_path
from cuesheet.web import server

app = typer.Typer()


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for every interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8001,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, max=16, help="Worker processes. Default: one per core, at most 4.",
        show_default=False)] = None,
) -> None:
    """Serve a read-only web page for viewers: search, episodes, songs, and JSON for each page."""

    path = resolve_path(db)
    with friendly_errors():
        # Fail here, in one line, rather than on every request.
        connect(path, readonly=True).conn.close()
    _check_port(host, port)

    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving {path} read-only at http://{shown}:{port}/  (Ctrl-C stops)", highlight=False)
    server.run(path, host, port, workers=workers)


def _check_port(host: str, port: int) -> None:
    """A taken port or an unknown address is the user's to fix: one line, not uvicorn's log."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise fail(f"cannot listen on {host!r}: no such address (try --host 127.0.0.1)") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(f"port {port} is already in use on {host} (pick another with --port)") from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None
