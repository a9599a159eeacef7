"""The spoiler guard: keep answers to the episodes a viewer has watched.

`--upto EPISODE` (or the `upto` setting, `CUESHEET_UPTO`, or the web's "I've
watched up to…") names the last episode watched, in any episode notation. An
answer from a later episode is neither shown nor counted; the viewer is told
only that later episodes have more.
"""

from __future__ import annotations

from cuesheet.notation.echo import echo

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from cuesheet.notation.episodes import episode_code
from cuesheet.errors import NotFound
from cuesheet.viewer.resolve import ShowRef, find_episode, named_prefix


@dataclass(frozen=True)
class Watched:
    """The last episode a viewer has seen of one show."""

    season: int
    number: int

    @property
    def code(self) -> str:
        return episode_code(self.season, self.number)


def later_than(season: int, number: int, limit: Watched | None) -> bool:
    """Past the watched episode; never, for a show the viewer's guard does not name (None)."""
    return limit is not None and (season, number) > (limit.season, limit.number)


# Nothing watched: every episode of the show is later than this.
NOTHING = Watched(0, 0)


def watched_limits(conn: sqlite3.Connection, shows: list[ShowRef], upto: str) -> dict[str, Watched]:
    """Each show's last watched episode, by show name, from one `--upto` text.

    The guard is per show: `--upto "rpdr s05e03, all stars 7 e2, soundtrack 4"` names each
    show's episode (any show notation, the season inside the name or not). An entry without
    a show ("4", "S01E04", "gigi") is resolved for every other show as any episode argument
    is. For one show, text that names none of its episodes is an error that says it came
    from "up to"; across shows, such a show is hidden whole (NOTHING watched), since
    nothing says how far the viewer is.
    """
    named: dict[int, tuple[Any, str]] = {}
    bare: list[str] = []
    for entry in (e.strip() for e in re.split(r"[;,]", upto)):
        if not entry:
            continue
        found = named_prefix(conn, entry.split())
        if found is not None:
            named[found[0].show.id] = (found[0], " ".join(found[1]))
        else:
            bare.append(entry)
    limits: dict[str, Watched] = {}
    for show in shows:
        if show.id in named:
            said, episode_text = named[show.id]
            tries = [(episode_text, said.season)]
        elif bare:
            tries = [(text, None) for text in bare]
        else:
            continue  # the viewer named other shows only: this one is not guarded
        for text, season in tries:
            try:
                ref = find_episode(conn, show, text, season)
            except NotFound as exc:
                if len(shows) == 1 or show.id in named:
                    raise NotFound(f"the episode you have watched up to ({echo(text)}): {exc.message}",
                                   remedy=exc.remedy) from None
                continue
            limits[show.name] = Watched(ref.season, ref.number)
            break
        else:
            limits[show.name] = NOTHING
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
    refs = [find_show(conn, row["slug"]) for row in rows]
    limits = watched_limits(conn, refs, upto)
    for row, show in zip(rows, refs):
        seen = watched_episodes(episodes(conn, show), limits.get(show.name))
        out.append({**row, "seasons": len({e["season"] for e in seen}), "episodes": len(seen),
                    "cues": sum(e["cues"] for e in seen), "songs": sum(e["songs"] for e in seen)})
    return out
