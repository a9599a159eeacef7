"""The spoiler guard: keep answers to the episodes a viewer has watched.

`--upto EPISODE` (or the `upto` setting, `CUESHEET_UPTO`, or the web's "I've
watched up to…") names the last episode watched, in any episode notation. An
answer from a later episode is neither shown nor counted; the viewer is told
only that later episodes have more.
"""

from __future__ import annotations

from cuesheet.notation.echo import echo

import sqlite3
from dataclasses import dataclass
from typing import Any

from cuesheet.notation.episodes import episode_code
from cuesheet.errors import NotFound
from cuesheet.viewer.resolve import ShowRef, find_episode


@dataclass(frozen=True)
class Watched:
    """The last episode a viewer has seen of one show."""

    season: int
    number: int

    @property
    def code(self) -> str:
        return episode_code(self.season, self.number)


def later_than(season: int, number: int, limit: Watched) -> bool:
    return (season, number) > (limit.season, limit.number)


def watched_limits(conn: sqlite3.Connection, shows: list[ShowRef], upto: str) -> dict[str, Watched]:
    """Each show's last watched episode, by show name, from one `--upto` text.

    Resolved per show as any episode argument is ("4", "S01E04", "gigi"); text
    that names no episode of a show is an error that says it came from "up to".
    """
    limits: dict[str, Watched] = {}
    for show in shows:
        try:
            ref = find_episode(conn, show, upto)
        except NotFound as exc:
            raise NotFound(f"the episode you have watched up to ({echo(upto)}): {exc.message}",
                           remedy=exc.remedy) from None
        limits[show.name] = Watched(ref.season, ref.number)
    return limits


def watched_episodes(rows: list[dict[str, Any]], limit: Watched | None) -> list[dict[str, Any]]:
    """Episode rows (`resolve.episodes`) the viewer has watched: a later one is neither
    listed nor counted, not even by its title or its number of cues."""
    if limit is None:
        return rows
    return [r for r in rows if not later_than(r["season"], r["episode"], limit)]


def watched_shows(conn: sqlite3.Connection, rows: list[dict[str, Any]], upto: str | None) -> list[dict[str, Any]]:
    """Show rows (`resolve.shows`) counted over watched episodes only: the totals of a
    show must not tell how many songs are still to come."""
    if not upto:
        return rows
    from cuesheet.viewer.resolve import episodes, find_show

    out = []
    for row in rows:
        show = find_show(conn, row["slug"])
        limit = watched_limits(conn, [show], upto)[show.name]
        seen = watched_episodes(episodes(conn, show), limit)
        out.append({**row, "seasons": len({e["season"] for e in seen}), "episodes": len(seen),
                    "cues": sum(e["cues"] for e in seen), "songs": sum(e["songs"] for e in seen)})
    return out
