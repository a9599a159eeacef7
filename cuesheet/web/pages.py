"""The site's pages: plain functions from a request to a response, each over records its
resolvers found once (web/records.py), each answering HTML or, under `.json`, exactly what
the CLI's `--json` prints. Nothing here writes."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cuesheet.errors import CuesheetError, NotFound
from cuesheet.notation.echo import echo, short
from cuesheet.viewer import resolve
from cuesheet.viewer.answers import episode_cues, results_known, show_sources, song, with_results
from cuesheet.viewer.resolve import AmbiguousShow, EpisodeRef, ShowRef, find_episode, find_show
from cuesheet.viewer.search import NoTimes, search, what_in
from cuesheet.viewer.spoilers import Watched, later_than, watched_episodes, watched_limits, watched_shows
from cuesheet.web.records import episode_not_found, episode_of, show_of
from cuesheet.web.site import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_QUERY,
    BadRequest,
    PageNotFound,
    episode_url,
    int_param,
    json_response,
    render,
    respond,
    show_url,
    site,
    text_param,
    wants_json,
    with_upto,
)


def home(request: Request) -> Response:
    upto = text_param(request, "upto")
    with site(request).connection() as conn:
        shows = watched_shows(conn, resolve.shows(conn), upto)
        choices = _upto_choices(conn)
        examples = _examples(conn, upto)
    return respond(request, shows, "home.html", shows=shows, choices=choices, examples=examples,
                   groups=_franchises(shows))


def search_page(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()
    show_text = request.query_params.get("show", "").strip() or None
    limit = int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    upto = text_param(request, "upto")
    if not q:
        raise BadRequest("type a few words to search for", remedy="a song, an artist, a character or a scene")
    if len(q) > MAX_QUERY:
        raise BadRequest(f"that search is {len(q)} characters long", remedy=f"use at most {MAX_QUERY}")
    if any(not ch.isprintable() for ch in q):
        raise BadRequest("that search has control characters in it", remedy="type it again")
    with site(request).connection() as conn:
        try:
            result = search(conn, q, show_text, limit=limit, upto=upto)
        except AmbiguousShow as exc:
            raise PageNotFound(exc.message.split(":")[0] + "; which one?", [
                (with_upto("/search?" + urlencode({"q": q, "show": c.slug}), upto), c.name)
                for c in exc.choices]) from None
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
    with site(request).connection() as conn:
        show = show_of(conn, request)
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
    with site(request).connection() as conn:
        show = show_of(conn, request)
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
    upto = text_param(request, "upto")
    results = request.query_params.get("results") == "1"  # spoilers: who won, who went home
    back = [(episode_url(request.path_params["show"], season, number), "Back to this episode's cue sheet")]
    if words and len(words) > MAX_QUERY:
        raise BadRequest(f"those words are {len(words)} characters long", remedy=f"use at most {MAX_QUERY}",
                         links=back)
    if any(not ch.isprintable() for ch in (words or "") + (at or "")):
        raise BadRequest("those words have control characters in them", remedy="type them again", links=back)
    with site(request).connection() as conn:
        show = show_of(conn, request)
        episode = episode_of(conn, show, season, number)
        listing = resolve.episodes(conn, show)
        sheet = episode_cues(conn, episode)
        sources = show_sources(conn, show)
        notice, status, mode = None, 200, "sheet"
        notes: list[str] = []  # said above the answers: words that matched nothing, guessed places
        answers = sheet
        later = False
        if upto:
            limit = watched_limits(conn, [show], upto).get(show.name)
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
            answers, mode, notes, notice, status = _ask_episode(conn, episode, sheet, words, at,
                                                                limit if upto else None, back)
        if results and not later:  # asked for, and the guard let the episode through
            with_results(conn, answers)
        contest = not later and results_known(conn, sheet)
    if wants_json(request):
        if notice and status != 200:
            return json_response({"error": notice, "status": status}, status)
        return json_response(answers, status, notice=notice)
    index = next(i for i, e in enumerate(listing) if (e["season"], e["episode"]) == (season, number))
    return render(
        request, "episode.html", status, show=show, episode=episode, info=listing[index],
        prev=listing[index - 1] if index > 0 else None,
        next=listing[index + 1] if index + 1 < len(listing) else None,
        answers=answers, mode=mode, notice=notice, sources=sources, slugs={show.name: show.slug},
        words=words or "", at=at or "", upto=upto, later=later, notes=notes, results=results,
        contest=contest, choices=choices, upto_code=limit.code if upto and limit else None,
    )


def _ask_episode(conn: sqlite3.Connection, episode: EpisodeRef, sheet: list[Any], words: str | None,
                 at: str | None, watched: Watched | None,
                 back: list[tuple[str, str]]) -> tuple[list[Any], str, list[str], str | None, int]:
    """An episode asked by words or a time as `what` asks it: (answers, mode, notes said above
    them, notice, status). Nothing found is still the episode page, its whole sheet under the reason."""
    notes: list[str] = []
    try:
        result = what_in(conn, episode, words, at, watched=watched)
    except NoTimes as exc:
        # A valid page asked at a valid time: the sheet, and why no cue is picked.
        return sheet, "sheet", notes, exc.message, 200
    except CuesheetError as exc:
        if not isinstance(exc, NotFound):
            exc.links = back  # type: ignore[attr-defined]
            raise
        # Still the episode page: the whole sheet under the reason,
        # so the viewer can read down the list instead of starting over.
        return sheet, "sheet", notes, exc.message, 404
    if result.unmatched and result.mode != "elsewhere":
        notes = ["nothing matched " + ", ".join(echo(w) for w in result.unmatched)]
    return result.answers, result.mode, notes + result.notes, None, 200


def episode_by_name(request: Request) -> Response:
    """`/soundtrack/S01E03`, `/soundtrack/track-3`: any episode notation redirects to its page."""
    if request.path_params["show"] in ("song", "search", "static"):
        raise HTTPException(404)  # a cut-short address of those pages, not a show named "song"
    text = request.path_params["name"].replace("-", " ")
    with site(request).connection() as conn:
        show = show_of(conn, request)
        try:
            episode = find_episode(conn, show, text)
        except CuesheetError as exc:
            raise episode_not_found(show, exc) from None
    target = episode_url(show.slug, episode.season, episode.number)
    target += (".json" if wants_json(request) else "") + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse(target, status_code=302)


def song_page(request: Request) -> Response:
    artist_slug = request.path_params["artist"]
    title_slug = request.path_params["title"]
    upto = text_param(request, "upto")
    with site(request).connection() as conn:
        watched = None
        if upto:
            limits = watched_limits(conn, _all_shows(conn), upto)
            watched = lambda show, season, number: (  # noqa: E731
                limits.get(show) is None or not later_than(season, number, limits[show]))
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


def _franchises(shows: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Shows of one franchise together under its name (Drag Race US, UK, All Stars ...), in the
    order the first of them comes; a show of no franchise stands alone."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for s in shows:
        groups.setdefault(s.get("franchise") or ("", s["slug"]), []).append(s)
    return [(key if isinstance(key, str) else None, items) for key, items in groups.items()]


def _said_upto(limits: dict[str, Watched]) -> str:
    """The watched episode as a notice names it: one code, or one per show when they differ."""
    codes = list(dict.fromkeys(w.code for w in limits.values()))
    return codes[0] if len(codes) == 1 else ", ".join(f"{w.code} of {name}" for name, w in limits.items())


def _all_shows(conn: sqlite3.Connection) -> list[ShowRef]:
    return [find_show(conn, s["slug"]) for s in resolve.shows(conn)]


def _watched(conn: sqlite3.Connection, show: ShowRef, request: Request) -> Watched | None:
    """The last episode of `show` the viewer has watched (`?upto=`), if they said."""
    upto = text_param(request, "upto")
    return watched_limits(conn, [show], upto).get(show.name) if upto else None


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


def _show_slugs(conn: sqlite3.Connection) -> dict[str, str]:
    """Answers name their show; links need its slug."""
    return {s["name"]: s["slug"] for s in resolve.shows(conn)}
