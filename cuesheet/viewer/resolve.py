"""Text a viewer types -> records: a show, an episode. Resolved once, at the edge.

Every reader (`what`, `search`, exports, the web page) names shows and episodes
the same forgiving way: typos, aliases, extra words, any episode notation,
"pilot", "the last episode", "episode four".
"""

from __future__ import annotations

from cuesheet.notation.echo import echo

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from cuesheet.notation.episodes import EpisodeInfo, EpisodeSpec, episode_code, parse_episode, resolve_episode
from cuesheet.errors import NotFound
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
                  (SELECT group_concat(alias, ', ') FROM show_aliases a WHERE a.show_id = s.id) AS aliases
             FROM shows s ORDER BY s.name"""
    ).fetchall()
    keys = ("id", "slug", "name", "year", "network", "seasons", "episodes", "cues", "songs", "aliases")
    return [
        {**dict(zip(keys, r)), "aliases": r[9].split(", ") if r[9] else []} for r in rows
    ]


def find_show(conn: sqlite3.Connection, text: str) -> ShowRef:
    """A show by name, slug or alias, forgiving typos and extra words ("netflix soundtrack")."""
    rows = conn.execute(
        """SELECT s.id, s.slug, s.name, (SELECT count(DISTINCT season) FROM episodes e
                                         WHERE e.show_id = s.id)
             FROM shows s"""
    ).fetchall()
    if not rows:
        raise NotFound("the database has no shows yet", remedy="run `cuesheet build`")
    names: list[tuple[str, int]] = []
    for show_id, slug, name, _ in rows:
        names += [(fold(name), show_id), (fold(slug), show_id)]
    for show_id, alias in conn.execute("SELECT show_id, alias FROM show_aliases"):
        names.append((fold(alias), show_id))
    query = fold(text)
    best: dict[int, float] = {}
    for name, show_id in names:
        # WRatio forgives typos ("soundtrak"); token_set forgives extra words
        # ("netflix soundtrack" against "soundtrack").
        score = max(fuzz.WRatio(query, name), fuzz.token_set_ratio(query, name))
        best[show_id] = max(best.get(show_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    by_id = {r[0]: ShowRef(r[0], r[1], r[2], r[3]) for r in rows}
    top_id, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < 80 or (runner >= top - 3 and runner >= 80):
        close = ", ".join(by_id[i].name for i, s in ranked[:3] if s >= 50) or ", ".join(
            by_id[i].name for i, _ in ranked[:3]
        )
        raise NotFound(
            f"no show matches {echo(text)}" if top < 80 else f"{echo(text)} could be several shows",
            remedy=f"closest: {close}; `cuesheet shows` lists them",
        )
    return by_id[top_id]


def episode_notes(conn: sqlite3.Connection, episode: EpisodeRef) -> str | None:
    """The curators' notes on an episode: what a viewer needs when no song of it has a name."""
    row = conn.execute("SELECT notes FROM episodes WHERE id = ?", [episode.id]).fetchone()
    return (row[0] or "").strip() or None if row else None


def episodes(conn: sqlite3.Connection, show: ShowRef) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT e.id, e.season, e.number, e.title, e.air_date, e.complete,
                  (SELECT count(*) FROM cues c WHERE c.episode_id = e.id),
                  (SELECT count(*) FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                    WHERE c.episode_id = e.id),
                  (SELECT group_concat(alias, ' | ') FROM episode_aliases a WHERE a.episode_id = e.id)
             FROM episodes e WHERE e.show_id = ? ORDER BY e.season, e.number""",
        [show.id],
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


def find_episode(conn: sqlite3.Connection, show: ShowRef, text: str) -> EpisodeRef:
    """An episode by any notation people type (3, S01E03, 1x03, Track 3, episode four, pilot,
    last episode, title words)."""
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
    infos = {(r[1], r[2]): r for r in rows}
    place = query.episode_place(text)
    if place is not None:  # "pilot", "the last episode", "finale"
        r = rows[0] if place == "first" else rows[-1]
        return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))
    number = query.episode_number(text)  # "episode four", "the fourth episode"
    spec = EpisodeSpec(None, number) if number is not None else parse_episode(text)
    info = resolve_episode(
        spec, [EpisodeInfo(r[1], r[2], r[3], tuple(aliases[r[0]])) for r in rows], show=show.name
    )
    r = infos[(info.season, info.episode)]
    return EpisodeRef(r[0], show, r[1], r[2], r[3], tuple(aliases[r[0]]))


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
    ref = find_show(conn, show)
    if episode is not None:
        return [find_episode(conn, ref, episode).id]
    return [r for (r,) in conn.execute("SELECT id FROM episodes WHERE show_id = ?", [ref.id])]

