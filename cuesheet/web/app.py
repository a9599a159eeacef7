"""The site: a route table, one page function per route (web/pages.py), each an HTML page for
people and a `.json` twin for scripts; one error handler (web/errors.py).

Every page is a plain GET that calls the same `cuesheet.viewer` functions as the
CLI, so a cue reads the same in a terminal, a browser and a script, and the
JSON is exactly what `--json` prints. The database is read through a pool of
read-only connections (web/pool.py: a rebuilt `cues.sqlite` is picked up without a
restart); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cuesheet.db.transactions import error_text
from cuesheet.errors import CuesheetError
from cuesheet.web import errors, pages
from cuesheet.web.pool import ReadPool
from cuesheet.web.site import HERE, Moved, Site, Unavailable, environment, hide_path

# No scripts at all, styles only from this site: user text that slipped past
# escaping still could not run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# The route table: path -> page. Each page but the home page also answers under `.json`.
PAGES: list[tuple[str, Callable[[Request], Response]]] = [
    ("/", pages.home),
    ("/search", pages.search_page),
    ("/song/{artist}/{title}", pages.song_page),
    ("/{show}", pages.show_page),
    ("/{show}/{season:int}", pages.season_page),
    ("/{show}/{season:int}/{episode:int}", pages.episode_page),
    # After the numeric season route: only what is not a number lands here.
    ("/{show}/{name}", pages.episode_by_name),
]


def routes() -> list[Route | Mount]:
    out: list[Route | Mount] = [Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
                                Route("/index.json", pages.home, methods=["GET"])]
    for path, page in PAGES:
        if path != "/":
            # The .json twin first: `{title}` would otherwise swallow "x.json".
            out.append(Route(path + ".json", page, methods=["GET"]))
        out.append(Route(path, page, methods=["GET"]))
    return out


def create_app(db_path: str | Path) -> Starlette:
    """The site for one database file, read through a pool of read-only connections (web/pool.py)."""
    path = Path(db_path)

    def unavailable(exc: Exception) -> Unavailable:
        if isinstance(exc, CuesheetError):
            return Unavailable(hide_path(exc.message, path), remedy=exc.remedy)
        return Unavailable(f"cannot read {path.name}: {error_text(exc)}")

    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={kind: errors.handle for kind in (Moved, CuesheetError, HTTPException, Exception)},
    )
    app.state.site = Site(environment(), ReadPool(path, unavailable=unavailable).connection)
    return app


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response, error pages included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k.lower().encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
