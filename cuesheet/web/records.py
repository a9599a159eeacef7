"""URL parts turned into records, once: a show by its slug, an episode by its numbers.

A resolver returns the record or raises what the error handler renders: `PageNotFound`
(with links to what the viewer probably wanted) or `Moved` (a show named by an alias).
"""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

from starlette.requests import Request

from cuesheet.errors import CuesheetError
from cuesheet.notation.episodes import episode_code
from cuesheet.viewer.resolve import AmbiguousShow, EpisodeRef, ShowRef, episode_at, find_show
from cuesheet.web.site import Moved, PageNotFound, episode_url, show_url, wants_json


def show_of(conn: sqlite3.Connection, request: Request) -> ShowRef:
    """The show a path names; a typo or alias moves to its canonical address."""
    text = request.path_params["show"]
    try:
        show = find_show(conn, text)
    except AmbiguousShow as exc:  # "which show?": each candidate a link, the rest of the path kept
        rest = request.url.path.split("/")[2:]
        raise PageNotFound(exc.message.split(":")[0] + "; which one?", [
            ("/" + "/".join([quote(c.slug, safe=""), *rest]), c.name) for c in exc.choices]) from None
    if show.slug == text:
        return show
    parts = request.url.path.split("/")
    parts[1] = quote(show.slug, safe="") + (".json" if len(parts) == 2 and wants_json(request) else "")
    query = "?" + request.url.query if request.url.query else ""
    raise Moved("/".join(parts) + query)


def episode_of(conn: sqlite3.Connection, show: ShowRef, season: int, number: int) -> EpisodeRef:
    """The episode a path names by its numbers, exactly, or nothing (with the closest as links)."""
    try:
        return episode_at(conn, show, season, number)
    except CuesheetError as exc:
        raise episode_not_found(show, exc) from None


def episode_not_found(show: ShowRef, exc: CuesheetError) -> PageNotFound:
    near = [
        (episode_url(show.slug, e.season, e.episode), f"{episode_code(e.season, e.episode)} {e.title}")
        for e in getattr(exc, "choices", [])
    ]
    message = exc.message.split(";")[0]  # the closest ones become links below
    return PageNotFound(message, [*near, (show_url(show.slug), f"All {show.name} episodes")])
