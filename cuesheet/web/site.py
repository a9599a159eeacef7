"""What every page of the site shares: templates, the read pool, URLs, query parameters,
the JSON twin and the typed errors pages raise (web/errors.py renders them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from cuesheet import __version__
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.notation.echo import printable, short
from cuesheet.viewer.answers import completeness, emit_json_text, listen_links, people, song_slug

HERE = Path(__file__).resolve().parent

# A search is a few remembered words; longer text is a paste gone wrong or abuse,
# and the trigram candidate query grows with it.
MAX_QUERY = 200

MAX_LIMIT = 50

DEFAULT_LIMIT = 10

# Cue-sheet usage codes a viewer may not know (docs/cue-sheet-format.md).
USAGE = {
    "VV": "visual vocal: sung (or lip-synced) on screen",
    "VI": "visual instrumental: played on screen",
    "BV": "background vocal",
    "BI": "background instrumental",
    "MT": "main title",
    "ET": "end title",
    "OT": "opening theme",
    "CT": "closing theme",
}


class BadRequest(CuesheetError):
    """A query parameter the page cannot use (empty search, limit out of range)."""

    def __init__(self, message: str, *, remedy: str | None = None,
                 links: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message, remedy=remedy)
        self.links = links or []


class PageNotFound(NotFound):
    """A path that names nothing, with links to the pages the viewer probably wanted."""

    def __init__(self, message: str, links: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.links = links


class Unavailable(CuesheetError):
    """The database cannot be opened: missing, not upgraded, or not a database."""


class Moved(Exception):
    """A path that names a page by another name (a show's alias or typo): redirect to its address."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


# --- helpers for templates ----------------------------------------------------------------


def show_url(slug: str) -> str:
    return "/" + quote(slug, safe="")


def season_url(slug: str, season: int) -> str:
    return f"{show_url(slug)}/{season}"


def episode_url(slug: str, season: int, episode: int) -> str:
    return f"{show_url(slug)}/{season}/{episode}"


def song_url(title: str | None, artist: str | None) -> str:
    artist_slug, title_slug = song_slug(title, artist)
    return f"/song/{quote(artist_slug, safe='')}/{quote(title_slug, safe='')}"


LINK_NAMES = {"spotify": "Spotify", "musicbrainz": "MusicBrainz",
              "spotify_search": "Search Spotify", "musicbrainz_search": "Search MusicBrainz"}


def plain(text: str | None) -> str:
    """User text fit to show back: short, and no control characters (a NUL byte, a bell)."""
    if not text:
        return ""
    if len(text) > MAX_QUERY:
        return ""
    return "".join(ch for ch in text if ch.isprintable())


def with_upto(url: str, upto: str | None) -> str:
    """A link that keeps the viewer's "watched up to" choice."""
    if not upto:
        return url
    return url + ("&" if "?" in url else "?") + urlencode({"upto": upto})


def safe_url(url: str | None) -> str | None:
    """Only web links become hrefs: a `javascript:` URL in the data stays text."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        # Every value is escaped unless a template says otherwise (none does).
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value a page shows passes the one sanitiser the CLI uses: a NUL or an ESC in
        # an address (a 404 page says it back) is shown as \x00, never sent raw.
        finalize=lambda value: printable(value) if isinstance(value, str) else value,
    )
    env.globals.update(
        show_url=show_url,
        season_url=season_url,
        episode_url=episode_url,
        song_url=song_url,
        safe_url=safe_url,
        people=people,
        with_upto=with_upto,
        short=short,
        link_names=LINK_NAMES,
        listen_links=listen_links,
        completeness=completeness,
        usage_names=USAGE,
        version=__version__,
    )
    return env


# --- the site every page reads through ------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """The templates and the read pool of one app; pages find it on `request.app.state.site`."""

    env: Environment
    connection: Callable[[], AbstractContextManager[sqlite3.Connection]]


def site(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    # The header's box repeats a search; an episode's own `q` is its scene words, not a search.
    query = plain(request.query_params.get("q", "")) if request.url.path.startswith("/search") else ""
    context.setdefault("upto", plain(request.query_params.get("upto", "")) or None)
    html = site(request).env.get_template(template).render(request=request, query=query, **context)
    return HTMLResponse(html, status_code=status_code)


def respond(request: Request, data: Any, template: str, **context: Any) -> Response:
    """The page's JSON twin when its path ends in `.json`, else the HTML page."""
    if wants_json(request):
        return json_response(data)
    return render(request, template, **context)


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


NOTICE_HEADER = "Cuesheet-Notice"


def json_response(data: Any, status: int = 200, notice: str | None = None) -> Response:
    """Exactly what the CLI's `--json` prints: the one emitter both use. What the CLI says
    beside it on stderr ("later episodes have more") comes in the Cuesheet-Notice header,
    percent-encoded where it is not ASCII (headers are Latin-1)."""
    response = Response(emit_json_text(data), status_code=status, media_type="application/json")
    if notice:
        response.headers[NOTICE_HEADER] = quote(notice, safe=" !\"#$&'()*+,-./:;<=>?@[]^_`{|}~")
    return response


def hide_path(message: str, path: Path) -> str:
    """A page never shows where the server keeps its files: the database by its name only."""
    for full in (str(path.resolve()), str(path)):
        message = message.replace(full, path.name)
    return message


def web_remedy(remedy: str | None) -> str | None:
    """The library's remedies speak to the command line; a viewer gets the parts that are not commands."""
    if not remedy:
        return None
    parts = [p for p in remedy.split("; ") if "`cuesheet" not in p and "--" not in p]
    return "; ".join(parts) or None


def text_param(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > MAX_QUERY or any(not ch.isprintable() for ch in raw):
        raise BadRequest(f"{name} is not an episode", remedy="pick one from the list")
    return raw


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value
