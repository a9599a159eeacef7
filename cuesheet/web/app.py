"""The site: routes, one per page, each an HTML page for people and a `.json` twin for scripts.

Every page is a plain GET that calls the same `cuesheet.viewer` functions as the
CLI, so a cue reads the same in a terminal, a browser and a script, and the
JSON is exactly what `--json` prints. The database is opened read-only for each
request (a rebuilt `cues.sqlite` is picked up without a restart, and no request
shares a connection with another thread); nothing here writes.
"""

from __future__ import annotations

from cuesheet.notation.echo import echo, printable, short

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cuesheet import __version__
from cuesheet.notation.episodes import episode_code
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.viewer.answers import completeness, emit_json_text, listen_links, people
from cuesheet.viewer.search import NoTimes, search, what_in
from cuesheet.viewer.spoilers import Watched, later_than, watched_episodes, watched_limits, watched_shows
from cuesheet.db.transactions import error_text
from cuesheet.viewer.answers import episode_cues, show_sources, song, song_slug
from cuesheet.viewer import resolve
from cuesheet.viewer.resolve import ShowRef, find_episode, find_show
from cuesheet.web.pool import ReadPool

HERE = Path(__file__).resolve().parent
log = logging.getLogger("cuesheet.web")

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

# No scripts at all, styles only from this site: user text that slipped past
# escaping still could not run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
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


def _environment() -> Environment:
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


# --- the app --------------------------------------------------------------------------------


def create_app(db_path: str | Path) -> Starlette:
    """The site for one database file, read through a pool of read-only connections (web/pool.py)."""
    path = Path(db_path)
    env = _environment()

    def unavailable(exc: Exception) -> Unavailable:
        if isinstance(exc, CuesheetError):
            return Unavailable(_hide_path(exc.message, path), remedy=exc.remedy)
        return Unavailable(f"cannot read {path.name}: {error_text(exc)}")

    connection = ReadPool(path, unavailable=unavailable).connection

    def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        # The header's box repeats a search; an episode's own `q` is its scene words, not a search.
        query = plain(request.query_params.get("q", "")) if request.url.path.startswith("/search") else ""
        context.setdefault("upto", plain(request.query_params.get("upto", "")) or None)
        html = env.get_template(template).render(request=request, query=query, **context)
        return HTMLResponse(html, status_code=status_code)

    def respond(request: Request, data: Any, template: str, **context: Any) -> Response:
        """The page's JSON twin when its path ends in `.json`, else the HTML page."""
        if wants_json(request):
            return json_response(data)
        return render(request, template, **context)

    # --- pages ---

    def home(request: Request) -> Response:
        upto = _text_param(request, "upto")
        with connection() as conn:
            shows = watched_shows(conn, resolve.shows(conn), upto)
            choices = _upto_choices(conn)
            examples = _examples(conn, upto)
        return respond(request, shows, "home.html", shows=shows, choices=choices, examples=examples)

    def search_page(request: Request) -> Response:
        q = request.query_params.get("q", "").strip()
        show_text = request.query_params.get("show", "").strip() or None
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        upto = _text_param(request, "upto")
        if not q:
            raise BadRequest("type a few words to search for", remedy="a song, an artist, a character or a scene")
        if len(q) > MAX_QUERY:
            raise BadRequest(f"that search is {len(q)} characters long", remedy=f"use at most {MAX_QUERY}")
        if any(not ch.isprintable() for ch in q):
            raise BadRequest("that search has control characters in it", remedy="type it again")
        with connection() as conn:
            result = search(conn, q, show_text, limit=limit, upto=upto)
            slugs = _show_slugs(conn)
            choices = _upto_choices(conn)
            onward = _onward(conn, result) if not result.answers or result.weak else []
        if wants_json(request):
            return json_response(result.answers, notice="; ".join(result.notes()) or None)
        all_url = None
        if result.more:
            params = {"q": q, **({"show": show_text} if show_text else {}), "limit": min(result.total, MAX_LIMIT)}
            all_url = with_upto("/search?" + urlencode(params), upto)
        return respond(request, result.answers, "search.html", answers=result.answers, result=result,
                       slugs=slugs, q=q, show=show_text, upto=upto, choices=choices, onward=onward,
                       all_url=all_url)

    def show_page(request: Request) -> Response:
        with connection() as conn:
            show = _show(conn, request)
            if isinstance(show, Response):
                return show
            watched = _watched(conn, show, request)
            # Past what the viewer has watched: no episode listed, nothing counted.
            all_episodes = resolve.episodes(conn, show)
            episodes = watched_episodes(all_episodes, watched)
            info = next(s for s in resolve.shows(conn) if s["id"] == show.id)
        hidden = len(episodes) < len(all_episodes)
        seasons: dict[int, list[dict[str, Any]]] = {}
        for e in episodes:
            seasons.setdefault(e["season"], []).append(e)
        return respond(request, episodes, "show.html", show=show, info=info, seasons=seasons, watched=watched,
                       hidden=hidden)

    def season_page(request: Request) -> Response:
        season = request.path_params["season"]
        with connection() as conn:
            show = _show(conn, request)
            if isinstance(show, Response):
                return show
            all_episodes = [e for e in resolve.episodes(conn, show) if e["season"] == season]
            watched = _watched(conn, show, request)
        if not all_episodes:
            raise PageNotFound(f"{show.name} has no season {season} in the database",
                               [(show_url(show.slug), f"All {show.name} episodes")])
        episodes = watched_episodes(all_episodes, watched)
        return respond(request, episodes, "season.html", show=show, season=season, episodes=episodes,
                       watched=watched, hidden=len(episodes) < len(all_episodes))

    def episode_page(request: Request) -> Response:
        season, number = request.path_params["season"], request.path_params["episode"]
        words = request.query_params.get("q", "").strip() or None
        at = request.query_params.get("at", "").strip() or None
        upto = _text_param(request, "upto")
        back = [(episode_url(request.path_params["show"], season, number), "Back to this episode's cue sheet")]
        if words and len(words) > MAX_QUERY:
            raise BadRequest(f"those words are {len(words)} characters long", remedy=f"use at most {MAX_QUERY}",
                             links=back)
        if any(not ch.isprintable() for ch in (words or "") + (at or "")):
            raise BadRequest("those words have control characters in them", remedy="type them again", links=back)
        with connection() as conn:
            show = _show(conn, request)
            if isinstance(show, Response):
                return show
            try:
                episode = find_episode(conn, show, episode_code(season, number))
            except CuesheetError as exc:  # a path names an episode exactly, or nothing
                raise _episode_not_found(show, exc) from None
            listing = resolve.episodes(conn, show)
            sheet = episode_cues(conn, episode)
            sources = show_sources(conn, show)
            notice, status, mode = None, 200, "sheet"
            notes: list[str] = []  # said above the answers: words that matched nothing, guessed places
            answers = sheet
            later = False
            if upto:
                limit = watched_limits(conn, [show], upto)[show.name]
                later = later_than(episode.season, episode.number, limit)
            if later:
                # Past what the viewer has watched: no cue, no scene, no count.
                answers, sheet, mode = [], [], "later"
                notice, status = f"you have watched up to {limit.code}; later episodes have more", 200
            # "I've watched up to…": a later episode by its code only, never its title.
            choices = [(e["code"], e["code"] if upto and later_than(e["season"], e["episode"], limit)
                        else f"{e['code']} {e['episode_title']}") for e in listing]
            if upto:
                # The pager's next episode is named only when it is watched too.
                listing = [e for e in listing if (e["season"], e["episode"]) == (season, number)
                           or not later_than(e["season"], e["episode"], limit)]
            if not later and sheet and (words or at):  # a watched episode is asked as any other
                try:
                    result = what_in(conn, episode, words, at, watched=limit if upto else None)
                    answers, mode = result.answers, result.mode
                    notes = ["nothing matched " + ", ".join(echo(w) for w in result.unmatched)] \
                        if result.unmatched and mode != "elsewhere" else []
                    notes += result.notes
                except NoTimes as exc:
                    # A valid page asked at a valid time: the sheet, and why no cue is picked.
                    notice = exc.message
                except CuesheetError as exc:
                    if not isinstance(exc, NotFound):
                        exc.links = back  # type: ignore[attr-defined]
                        raise

                    # Still the episode page: the whole sheet under the reason,
                    # so the viewer can read down the list instead of starting over.
                    notice, status = exc.message, 404
        if wants_json(request):
            if notice and status != 200:
                return json_response({"error": notice, "status": status}, status)
            return json_response(answers, status, notice=notice)
        index = next(i for i, e in enumerate(listing) if (e["season"], e["episode"]) == (season, number))
        return render(
            request,
            "episode.html",
            status,
            show=show,
            episode=episode,
            info=listing[index],
            prev=listing[index - 1] if index > 0 else None,
            next=listing[index + 1] if index + 1 < len(listing) else None,
            answers=answers,
            mode=mode,
            notice=notice,
            sources=sources,
            slugs={show.name: show.slug},
            words=words or "",
            at=at or "",
            upto=upto,
            later=later,
            notes=notes,
            choices=choices,
            upto_code=limit.code if upto else None,
        )

    def episode_by_name(request: Request) -> Response:
        """`/soundtrack/S01E03`, `/soundtrack/track-3`: any episode notation redirects to its page."""
        if request.path_params["show"] in ("song", "search", "static"):
            raise HTTPException(404)  # a cut-short address of those pages, not a show named "song"
        text = request.path_params["name"].replace("-", " ")
        with connection() as conn:
            show = _show(conn, request)
            if isinstance(show, Response):
                return show
            try:
                episode = find_episode(conn, show, text)
            except CuesheetError as exc:
                raise _episode_not_found(show, exc) from None
        target = episode_url(show.slug, episode.season, episode.number)
        target += (".json" if wants_json(request) else "") + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse(target, status_code=302)

    def _episode_not_found(show: ShowRef, exc: CuesheetError) -> PageNotFound:
        near = [
            (episode_url(show.slug, e.season, e.episode), f"{episode_code(e.season, e.episode)} {e.title}")
            for e in getattr(exc, "choices", [])
        ]
        message = exc.message.split(";")[0]  # the closest ones become links below
        return PageNotFound(message, [*near, (show_url(show.slug), f"All {show.name} episodes")])

    def song_page(request: Request) -> Response:
        artist_slug = request.path_params["artist"]
        title_slug = request.path_params["title"]
        upto = _text_param(request, "upto")
        with connection() as conn:
            watched = None
            if upto:
                limits = watched_limits(conn, _all_shows(conn), upto)
                watched = lambda show, season, number: not later_than(season, number, limits[show])  # noqa: E731
            try:
                result = song(conn, artist_slug, title_slug, watched)
            except NotFound as exc:
                words = f"{title_slug} {artist_slug}".replace("-", " ")
                search_url = with_upto("/search?" + urlencode({"q": words}), upto)
                raise PageNotFound(exc.message, [(search_url, f"Search for “{short(words)}”")]) from None
            slugs = _show_slugs(conn)
        notice, watched_code = None, _said_upto(limits) if upto else None
        if result.later:
            notice = f"you have watched up to {watched_code}; later episodes have more"
        if wants_json(request):
            return json_response(result.answers, notice=notice)
        return render(request, "song.html", song=result, answers=result.answers, slugs=slugs, upto=upto,
                      notice=notice, watched_code=watched_code)

    def _show(conn: sqlite3.Connection, request: Request) -> ShowRef | Response:
        """The show a path names; a typo or alias redirects to its canonical address."""
        text = request.path_params["show"]
        show = find_show(conn, text)
        if show.slug == text:
            return show
        parts = request.url.path.split("/")
        parts[1] = quote(show.slug, safe="") + (".json" if len(parts) == 2 and wants_json(request) else "")
        query = "?" + request.url.query if request.url.query else ""
        return RedirectResponse("/".join(parts) + query, status_code=302)

    # --- errors ---

    def error_page(
        request: Request, status: int, message: str, remedy: str | None = None,
        links: list[tuple[str, str]] | None = None,
    ) -> Response:
        if wants_json(request):
            body: dict[str, Any] = {"error": message, "status": status}
            if remedy:
                body["remedy"] = remedy
            return json_response(body, status)
        titles = {400: "That did not work", 404: "Not found", 405: "Read-only",
                  503: "No database", 500: "Something broke"}
        return render(request, "error.html", status, title=titles.get(status, "Error"),
                      status=status, message=message, remedy=web_remedy(remedy), links=links or [])

    def cuesheet_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CuesheetError)
        status = 404 if isinstance(exc, NotFound) else 503 if isinstance(exc, Unavailable) else 400
        return error_page(request, status, exc.message, exc.remedy, getattr(exc, "links", None))

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {404: f"there is no page at {short(request.url.path)}",
                    405: "this site is read-only: it only answers GET requests"}
        response = error_page(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    def server_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, OverflowError):  # /show/99999999999999999999: a number no row can have
            return error_page(request, 404, f"there is no page at {short(request.url.path)}")
        # The traceback goes to the server's log, never to the viewer.
        log.error("error serving %s", request.url.path, exc_info=exc)
        return error_page(request, 500, "something went wrong on our side",
                          "try again; if it keeps happening, tell whoever runs this site")

    pages: list[tuple[str, Callable[[Request], Response]]] = [
        ("/", home),
        ("/search", search_page),
        ("/song/{artist}/{title}", song_page),
        ("/{show}", show_page),
        ("/{show}/{season:int}", season_page),
        ("/{show}/{season:int}/{episode:int}", episode_page),
        # After the numeric season route: only what is not a number lands here.
        ("/{show}/{name}", episode_by_name),
    ]
    routes: list[Route | Mount] = [Route("/index.json", home, methods=["GET"])]
    for route_path, endpoint in pages:
        if route_path != "/":
            # The .json twin first: `{title}` would otherwise swallow "x.json".
            routes.append(Route(route_path + ".json", endpoint, methods=["GET"]))
        routes.append(Route(route_path, endpoint, methods=["GET"]))
    routes.insert(0, Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))

    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            CuesheetError: cuesheet_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )

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


def _hide_path(message: str, path: Path) -> str:
    """A page never shows where the server keeps its files: the database by its name only."""
    for full in (str(path.resolve()), str(path)):
        message = message.replace(full, path.name)
    return message


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


def _said_upto(limits: dict[str, Watched]) -> str:
    """The watched episode as a notice names it: one code, or one per show when they differ."""
    codes = list(dict.fromkeys(w.code for w in limits.values()))
    return codes[0] if len(codes) == 1 else ", ".join(f"{w.code} of {name}" for name, w in limits.items())


def _all_shows(conn: sqlite3.Connection) -> list[ShowRef]:
    return [find_show(conn, s["slug"]) for s in resolve.shows(conn)]


def _text_param(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > MAX_QUERY or any(not ch.isprintable() for ch in raw):
        raise BadRequest(f"{name} is not an episode", remedy="pick one from the list")
    return raw


def _watched(conn: sqlite3.Connection, show: ShowRef, request: Request) -> Watched | None:
    """The last episode of `show` the viewer has watched (`?upto=`), if they said."""
    upto = _text_param(request, "upto")
    return watched_limits(conn, [show], upto)[show.name] if upto else None


def _upto_choices(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The "I've watched up to…" choices: (value, label), one per episode of the shows."""
    out = []
    for s in resolve.shows(conn):
        ref = find_show(conn, s["slug"])
        out += [(e["code"], f"{e['code']} {e['episode_title']}") for e in resolve.episodes(conn, ref)]
    return out


# Home-page examples: a misspelt title, an artist's "one", a place in an episode; never a scene.
# Only those that answer under the viewer's "watched up to" are offered.
EXAMPLES = ["elastik hart", "the portishead one", "last song in the pilot", "the sia one", "amy winehouse",
            "first song in episode 2", "the beck one", "the toxic lip sync", "whitney houston"]


def _examples(conn: sqlite3.Connection, upto: str | None, n: int = 3) -> list[str]:
    """The first `n` EXAMPLES that find a watched answer (none when the database has no shows)."""
    out: list[str] = []
    for text in EXAMPLES:
        try:
            if search(conn, text, limit=1, upto=upto, catalog=False).answers:
                out.append(text)
        except CuesheetError:
            continue
        if len(out) == n:
            break
    return out


def _onward(conn: sqlite3.Connection, result: Any) -> list[tuple[str, str]]:
    """Links onward when a search has no good answer: the shows searched and their watched
    episodes that may still miss songs (a later one is never linked)."""
    links: list[tuple[str, str]] = []
    upto = result.upto
    for show in result.shows[:3]:
        limit = result.limits.get(show.name)
        rows = watched_episodes(resolve.episodes(conn, show), limit)
        # Episodes whose notes name the words first, then those that may miss songs.
        named = {(season, number) for name, season, number in result.known_episodes if name == show.name}
        rows = sorted(rows, key=lambda e: (e["season"], e["episode"]) not in named)
        for e in [e for e in rows if not e["complete"] or (e["season"], e["episode"]) in named][:6]:
            links.append((with_upto(episode_url(show.slug, e["season"], e["episode"]), upto),
                          f"{show.name} {e['code']} {e['episode_title']}"))
        links.append((with_upto(show_url(show.slug), upto), f"All {show.name} episodes"))
    return links


def web_remedy(remedy: str | None) -> str | None:
    """The library's remedies speak to the command line; a viewer gets the parts that are not commands."""
    if not remedy:
        return None
    parts = [p for p in remedy.split("; ") if "`cuesheet" not in p and "--" not in p]
    return "; ".join(parts) or None


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
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


def _show_slugs(conn: sqlite3.Connection) -> dict[str, str]:
    """Answers name their show; links need its slug."""
    return {s["name"]: s["slug"] for s in resolve.shows(conn)}
