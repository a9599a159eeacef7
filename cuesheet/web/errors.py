"""One error handler for the site: a typed error, an HTTP error or a bug becomes one page
(or its JSON twin); a show's other name becomes a redirect."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cuesheet.errors import CuesheetError, NotFound
from cuesheet.notation.echo import short
from cuesheet.web.site import Moved, Unavailable, json_response, render, wants_json, web_remedy

log = logging.getLogger("cuesheet.web")


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


def handle(request: Request, exc: Exception) -> Response:
    """Every error a page raises, rendered the one way (registered for each kind in app.py)."""
    if isinstance(exc, Moved):
        return RedirectResponse(exc.url, status_code=302)
    if isinstance(exc, CuesheetError):
        status = 404 if isinstance(exc, NotFound) else 503 if isinstance(exc, Unavailable) else 400
        return error_page(request, status, exc.message, exc.remedy, getattr(exc, "links", None))
    if isinstance(exc, HTTPException):
        messages = {404: f"there is no page at {short(request.url.path)}",
                    405: "this site is read-only: it only answers GET requests"}
        response = error_page(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    if isinstance(exc, OverflowError):  # /show/99999999999999999999: a number no row can have
        return error_page(request, 404, f"there is no page at {short(request.url.path)}")
    # The traceback goes to the server's log, never to the viewer.
    log.error("error serving %s", request.url.path, exc_info=exc)
    return error_page(request, 500, "something went wrong on our side",
                      "try again; if it keeps happening, tell whoever runs this site")
