"""Text a viewer types -> records: a show, an episode. Resolved once, at the edge.

Every reader (`what`, `search`, exports, the web page) names shows and episodes
the same forgiving way: typos, aliases, extra words, any episode notation,
"pilot", "the last episode", "episode four".
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from cuesheet.errors import NotFound
from cuesheet.notation.echo import echo
from cuesheet.notation.episodes import (
    EPISODE_WORDS,
    EpisodeInfo,
    EpisodeSpec,
    episode_code,
    parse_episode,
    resolve_episode,
    spec_at,
    split_season_first,
    split_show_season,
)
from cuesheet.notation.normalize import fold
from cuesheet.viewer import query


@dataclass(frozen=True)
class ShowRef:
    id: int
    slug: str
    name: str
    seasons: int


@dataclass(frozen=True)
class EpisodeRef:
    id: int
    show: ShowRef
    season: int
    number: int
    title: str
    aliases: tuple[str, ...]

    @property
    def code(self) -> str:
        return episode_code(self.season, self.number)


# --- shows and episodes -------------------------------------------------------------


def shows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT s.id, s.slug, s.name, s.year, s.network,
                  (SELECT count(DISTINCT season) FROM episodes e WHERE e.show_id = s.id) AS seasons,
                  (SELECT count(*) FROM episodes e WHERE e.show_id = s.id) AS episodes,
                  (SELECT count(*) FROM cues c JOIN episodes e ON e.id = c.episode_id
                    WHERE e.show_id = s.id) AS cues,
                  (SELECT count(*) FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                     JOIN episodes e ON e.id = c.episode_id WHERE e.show_id = s.id) AS songs,
                  (SELECT group_concat(alias, ', ') FROM show_aliases a WHERE a.show_id = s.id) AS aliases,
                  s.franchise
             FROM shows s ORDER BY s.name"""
    ).fetchall()
    keys = ("id", "slug", "name", "year", "network", "seasons", "episodes", "cues", "songs", "aliases", "franchise")
    return [
        {**dict(zip(keys, r)), "aliases": r[9].split(", ") if r[9] else []} for r in rows
    ]


class AmbiguousShow(NotFound):
    """A name that fits several shows equally ("rupaul"): `choices` are the candidates, best first,
    so a page can offer each as a link and the command line can list them."""

    def __init__(self, message: str, *, choices: list[ShowRef], remedy: str | None = None) -> None:
        super().__init__(message, remedy=remedy)
        self.choices = choices


@dataclass(frozen=True)
class ShowSeason:
    """A show as a fan named it, with the season when the name held one ("all stars 7")."""

    show: ShowRef
    season: int | None = None


def _show_names(conn: sqlite3.Connection) -> tuple[dict[int, ShowRef], list[tuple[str, int]]]:
    rows = conn.execute(
        """SELECT s.id, s.slug, s.name, (SELECT count(DISTINCT season) FROM episodes e
                                         WHERE e.show_id = s.id)
             FROM shows s"""
    ).fetchall()
    if not rows:
        raise NotFound("the database has no shows yet", remedy="run `cuesheet build`")
    names: list[tuple[str, int]] = []
    for show_id, slug, name, _ in rows:
        names += [(fold(name), show_id), (fold(slug.replace("-", " ")), show_id)]
    for show_id, alias in conn.execute("SELECT show_id, alias FROM show_aliases"):
        names.append((fold(alias), show_id))
    return {r[0]: ShowRef(r[0], r[1], r[2], r[3]) for r in rows}, names


def _exact(names: list[tuple[str, int]], text: str) -> set[int]:
    """Shows whose name, slug or alias is the text (folded: case, accents, apostrophes)."""
    q = fold(text)
    return {show_id for name, show_id in names if name == q} if q else set()


def find_show(conn: sqlite3.Connection, text: str) -> ShowRef:
    """A show by name, slug or alias, forgiving typos and extra words ("netflix soundtrack");
    a season inside the name ("all stars 7") is allowed and dropped (`find_show_season` keeps it)."""
    return find_show_season(conn, text).show


def find_show_season(conn: sqlite3.Connection, text: str) -> ShowSeason:
    """A show as fans type it: its name, an alias ("rpdr", "druk"), accents or none ("espana"),
    a typo, and maybe its season inside ("all stars 7", "drag race uk series 2").

    An exact name or alias wins outright ("drag race" is the alias of the US show, though
    every show of the franchise has those words); otherwise the closest by fuzzy score, and
    a name that fits several shows equally raises AmbiguousShow listing them.
    """
    by_id, names = _show_names(conn)
    exact = _exact(names, text)
    if len(exact) == 1:
        return ShowSeason(by_id[exact.pop()])
    name, season = split_show_season(text)
    if season is not None:
        inner = _exact(names, name)
        if len(inner) == 1:
            return _with_season(conn, by_id[inner.pop()], season)
    try:
        return ShowSeason(_fuzzy(by_id, names, text))
    except AmbiguousShow:
        raise
    except NotFound:
        if season is None:
            raise
    return _with_season(conn, _fuzzy(by_id, names, name), season)


def _with_season(conn: sqlite3.Connection, show: ShowRef, season: int) -> ShowSeason:
    have = [s for (s,) in conn.execute("SELECT DISTINCT season FROM episodes WHERE show_id = ? ORDER BY season",
                                       [show.id])]
    if have and season not in have:
        span = f"seasons {have[0]}–{have[-1]}" if len(have) > 1 else f"season {have[0]} only"
        raise NotFound(f"{show.name} has no season {season}", remedy=f"it has {span}")
    return ShowSeason(show, season)


def _fuzzy(by_id: dict[int, ShowRef], names: list[tuple[str, int]], text: str) -> ShowRef:
    query_text = fold(text)
    best: dict[int, float] = {}
    for name, show_id in names:
        # WRatio forgives typos ("soundtrak"); token_set forgives extra words
        # ("netflix soundtrack" against "soundtrack").
        score = max(fuzz.WRatio(query_text, name), fuzz.token_set_ratio(query_text, name))
        if not _shares_a_word(query_text, name):
            # WRatio's partial match lets "the wire" reach "uk vs the world" through "the w...":
            # a show is only found by a word of its name (a typo allowed), never by letters alone.
            score = min(score, 60.0)
        best[show_id] = max(best.get(show_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], by_id[kv[0]].name))
    top_id, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < 80:
        if len(by_id) <= ALL_NAMED:  # few enough to name them all: better than three weak guesses
            close = "the shows are " + ", ".join(sorted(s.name for s in by_id.values()))
        else:
            close = "closest: " + (", ".join(by_id[i].name for i, s in ranked[:3] if s >= 50) or ", ".join(
                by_id[i].name for i, _ in ranked[:3]))
        raise NotFound(f"no show matches {echo(text)}", remedy=f"{close}; `cuesheet shows` lists them")
    if runner >= top - 3 and runner >= 80:
        choices = [by_id[i] for i, s in ranked if s >= top - 3 and s >= 80]
        raise AmbiguousShow(
            f"{echo(text)} could be several shows: " + "; ".join(c.name for c in choices),
            choices=choices, remedy="say which, by its name or an alias; `cuesheet shows` lists them",
        )
    return by_id[top_id]


def named_prefix(conn: sqlite3.Connection, args: list[str], *, keep: int = 1) -> tuple[ShowSeason, list[str]] | None:
    """The show the longest run of leading words names exactly (a name or alias, maybe with a
    season: `all stars 7`), and the words left (at least `keep`); None when no run does.
    A bare number after a one-season show is its episode (`soundtrack 3`), not a season."""
    by_id, names = _show_names(conn)
    for k in range(len(args) - keep, 0, -1):
        text = " ".join(args[:k])
        exact = _exact(names, text)
        if len(exact) == 1:
            return ShowSeason(by_id[exact.pop()]), args[k:]
        name, season = split_show_season(text)
        inner = _exact(names, name) if season is not None else set()
        if len(inner) == 1:
            show = by_id[inner.pop()]
            said = bool(re.search(r"(?:season|series|s)[\s._-]*[0-9]+\s*$", text, re.IGNORECASE))
            if (said or show.seasons > 1) and conn.execute(
                    "SELECT 1 FROM episodes WHERE show_id = ? AND season = ?", [show.id, season]).fetchone():
                return ShowSeason(show, season), args[k:]
    return None


# A name that matches no show is answered with every show's name up to this many.
ALL_NAMED = 12
_COMMON = frozenset({"the", "a", "an", "of", "and", "s", "show", "tv", "series", "season"})


def _shares_a_word(query_text: str, name: str) -> bool:
    """Some word of the query (other than "the", "show" ...) is a word of the name, maybe misspelt."""
    words = [w for w in query_text.split() if w not in _COMMON] or query_text.split()
    return any(fuzz.ratio(a, b) >= 80 for a in words for b in name.split())


def take_show(conn: sqlite3.Connection, args: list[str], *, keep: int = 1) -> tuple[ShowSeason, list[str]]:
    """The show that the first words of a command line name, and the words left.

    `what drag race uk series 2 finale` names its show in five words, unquoted: the
    longest run of leading words that is a show's name or alias wins (`named_prefix`);
    otherwise the first word is the show, found the forgiving way (typos, extra words)."""
    return named_prefix(conn, args, keep=keep) or (find_show_season(conn, args[0]), args[1:])


def take_episode(args: list[str]) -> tuple[str, list[str]]:
    """The episode argument and the words after it: "season 5 episode 3", "episode 3",
    "season 2 finale" may come unquoted; anything else is one argument."""
    for k in range(min(len(args), 5), 1, -1):
        text = " ".join(args[:k])
        if EPISODE_WORDS.fullmatch(text.strip()):
            return text, args[k:]
    return args[0], args[1:]


def episode_notes(conn: sqlite3.Connection, episode: EpisodeRef) -> str | None:
    """The curators' notes on an episode: what a viewer needs when no song of it has a name."""
    row = conn.execute("SELECT notes FROM episodes WHERE id = ?", [episode.id]).fetchone()
    return (row[0] or "").strip() or None if row else None


def episodes(conn: sqlite3.Connection, show: ShowRef, season: int | None = None) -> list[dict[str, Any]]:
    """A show's episodes (one season's, given `season`) with their counts, in broadcast order."""
    rows = conn.execute(
        """SELECT e.id, e.season, e.number, e.title, e.air_date, e.complete,
                  (SELECT count(*) FROM cues c WHERE c.episode_id = e.id),
                  (SELECT count(*) FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                    WHERE c.episode_id = e.id),
                  (SELECT group_concat(alias, ' | ') FROM episode_aliases a WHERE a.episode_id = e.id)
             FROM episodes e WHERE e.show_id = ? AND (? IS NULL OR e.season = ?) ORDER BY e.season, e.number""",
        [show.id, season, season],
    ).fetchall()
    return [
        {
            "show": show.name,
            "season": r[1],
            "episode": r[2],
            "code": episode_code(r[1], r[2]),
            "episode_title": r[3],
            "air_date": r[4],
            "complete": bool(r[5]),
            "cues": r[6],
            "songs": r[7],
            "aliases": r[8].split(" | ") if r[8] else [],
        }
        for r in rows
    ]


def find_episode(conn: sqlite3.Connection, show: ShowRef, text: str, season: int | None = None) -> EpisodeRef:
    """An episode by any notation people type (3, S01E03, 1x03, Track 3, episode four, pilot,
    last episode, title words); `season` (from "all stars 7") narrows numbers and places
    ("finale" is that season's last episode, "premiere" its first)."""
    first, rest = split_season_first(text)  # "season 5 finale"
    if first is not None:
        season, text = first, rest
    rows, aliases = _episode_rows(conn, show)
    infos = {(r[1], r[2]): r for r in rows}
    if season is not None:
        in_season = [r for r in rows if r[1] == season]
        if not in_season:
            raise NotFound(f"{show.name} has no season {season}")
    else:
        in_season = rows
    place = query.episode_place(text)
    if place is not None:  # "pilot", "the last episode", "finale", "premiere"
        r = in_season[0] if place == "first" else in_season[-1]
        return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))
    number = query.episode_number(text)  # "episode four", "the fourth episode"
    spec = EpisodeSpec(None, number) if number is not None else parse_episode(text)
    if season is not None and spec.season is None and spec.words is None:
        spec = EpisodeSpec(season, spec.episode, spec.episode_end)
    pool = in_season if spec.words is not None else rows
    info = resolve_episode(
        spec, [EpisodeInfo(r[1], r[2], r[3], tuple(aliases[r[0]])) for r in pool], show=show.name
    )
    r = infos[(info.season, info.episode)]
    return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))


def episode_at(conn: sqlite3.Connection, show: ShowRef, season: int, number: int) -> EpisodeRef:
    """The episode at a place known by its numbers (a link's): nothing to parse; EpisodeNotFound
    (with the closest) when the show has none there."""
    rows, aliases = _episode_rows(conn, show)
    info = resolve_episode(
        spec_at(season, number), [EpisodeInfo(r[1], r[2], r[3], tuple(aliases[r[0]])) for r in rows],
        show=show.name,
    )
    r = next(r for r in rows if (r[1], r[2]) == (info.season, info.episode))
    return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))


def _episode_rows(conn: sqlite3.Connection, show: ShowRef) -> tuple[list[Any], dict[int, list[str]]]:
    """A show's episode rows (id, season, number, title) in order, and each one's aliases."""
    rows = conn.execute(
        "SELECT id, season, number, title FROM episodes WHERE show_id = ? ORDER BY season, number",
        [show.id],
    ).fetchall()
    if not rows:
        raise NotFound(f"{show.name} has no episodes yet", remedy="add cue sheets and run `cuesheet build`")
    aliases: dict[int, list[str]] = defaultdict(list)
    for episode_id, alias in conn.execute(
        "SELECT a.episode_id, a.alias FROM episode_aliases a JOIN episodes e ON e.id = a.episode_id"
        " WHERE e.show_id = ?",
        [show.id],
    ):
        aliases[episode_id].append(alias)
    return rows, aliases


def episode_ref(conn: sqlite3.Connection, episode_id: int) -> EpisodeRef:
    """The EpisodeRef of an episode row (for callers that hold ids, like `check`)."""
    row = conn.execute(
        """SELECT s.id, s.slug, s.name, (SELECT max(season) FROM episodes WHERE show_id = s.id),
                  e.season, e.number, e.title
             FROM episodes e JOIN shows s ON s.id = e.show_id WHERE e.id = ?""",
        [episode_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no episode with id {episode_id}")
    aliases = tuple(a for (a,) in conn.execute(
        "SELECT alias FROM episode_aliases WHERE episode_id = ? ORDER BY alias", [episode_id]))
    show = ShowRef(row[0], row[1], row[2], row[3] or 0)
    return EpisodeRef(episode_id, show, row[4], row[5], row[6], aliases)


def episode_ids(conn: sqlite3.Connection, show: str, episode: str | None = None) -> list[int]:
    """The episodes a `SHOW [EPISODE]` argument pair names (all of the show's without EPISODE)."""
    named = find_show_season(conn, show)
    if episode is not None:
        return [find_episode(conn, named.show, episode, named.season).id]
    if named.season is not None:
        return [r for (r,) in conn.execute("SELECT id FROM episodes WHERE show_id = ? AND season = ?",
                                           [named.show.id, named.season])]
    return [r for (r,) in conn.execute("SELECT id FROM episodes WHERE show_id = ?", [named.show.id])]

