"""The viewer's answer, as every reader imports it: `what`, `search`, the exports, curation.

The rooms live in `cuesheet.viewer` (resolve, answers, search, ranking,
spoilers); this module keeps the names other code imports, and the works and
credits a cue sheet export needs.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from cuesheet.errors import NotFound
from cuesheet.model import Work, WorkCredit
from cuesheet.viewer.answers import (
    Answer,
    SongAnswer,
    SongResult,
    answers,
    emit_json_text,
    episode_cues,
    sheet_answers,
    show_sources,
    song,
    song_slug,
)
from cuesheet.viewer.resolve import (
    EpisodeRef,
    ShowRef,
    episode_ids,
    episode_ref,
    episodes,
    find_episode,
    find_show,
    shows,
)
from cuesheet.viewer.search import SearchResult, WhatResult, search, what


@dataclass(frozen=True)
class EpisodeFacts:
    """What a cue sheet header needs beyond the episode's name."""

    air_date: str | None
    length_ms: int | None
    complete: bool
    network: str | None
    show_year: int | None


def episode_facts(conn: sqlite3.Connection, episode: EpisodeRef) -> EpisodeFacts:
    row = conn.execute(
        """SELECT e.air_date, e.length_ms, e.complete, s.network, s.year
             FROM episodes e JOIN shows s ON s.id = e.show_id WHERE e.id = ?""",
        [episode.id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no episode {episode.code} in {episode.show.name}")
    return EpisodeFacts(row[0], row[1], bool(row[2]), row[3], row[4])


@dataclass(frozen=True)
class Credit:
    """A writer or publisher of a work, as a cue sheet lists them."""

    name: str
    role: str  # C composer, A author, CA both, AR arranger, E publisher, SE, AM
    share: float | None = None
    society: str | None = None
    ipi: str | None = None

    @property
    def publisher(self) -> bool:
        return self.role.upper() in PUBLISHER_ROLES

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, credit: WorkCredit) -> Credit:
        """A work's credit as a cue sheet lists it: its role as a cue-sheet code."""
        return cls(credit.name, _role_code(credit.role), credit.share, credit.society, credit.ipi)


PUBLISHER_ROLES = frozenset({"E", "SE", "AM"})
# Migration m003 makes these tables; a database without them (made by hand, not yet migrated) has no works.
WORK_TABLES = ("works", "work_credits", "recording_works")


def works_for_recordings(conn: sqlite3.Connection, recording_ids: list[int]) -> dict[int, list[Work]]:
    """The works (composers, publishers, shares) behind each recording, where known.

    Returns an empty dict while the database has no works store, so a cue
    sheet lists composers as missing instead of failing. The one place that
    reads the works tables: adapt it here when their shape changes.
    """
    ids_wanted = sorted({i for i in recording_ids if i is not None})
    present = {r[0] for r in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({','.join('?' * len(WORK_TABLES))})",
        WORK_TABLES,
    )}
    if not ids_wanted or present != set(WORK_TABLES):
        return {}
    work_cols = {r[1] for r in conn.execute("PRAGMA table_info(works)")}
    credit_cols = {r[1] for r in conn.execute("PRAGMA table_info(work_credits)")}

    def col(table: str, name: str, cols: set[str]) -> str:
        return f"{table}.{name}" if name in cols else "NULL"

    marks = ",".join("?" * len(ids_wanted))
    works: dict[int, dict[int, Work]] = defaultdict(dict)
    rows = conn.execute(
        f"""SELECT rw.recording_id, w.id, w.title, {col('w', 'iswc', work_cols)}, {col('w', 'mbid', work_cols)}
              FROM recording_works rw JOIN works w ON w.id = rw.work_id
             WHERE rw.recording_id IN ({marks}) ORDER BY rw.recording_id, w.id""",
        ids_wanted,
    ).fetchall()
    credits: dict[int, list[WorkCredit]] = defaultdict(list)
    work_ids = sorted({r[1] for r in rows})
    if work_ids:
        wmarks = ",".join("?" * len(work_ids))
        order = "wc.position" if "position" in credit_cols else "wc.rowid"
        for work_id, name, role, share, society, ipi in conn.execute(
            f"""SELECT wc.work_id, wc.name, wc.role, {col('wc', 'share', credit_cols)},
                       {col('wc', 'society', credit_cols)}, {col('wc', 'ipi', credit_cols)}
                  FROM work_credits wc WHERE wc.work_id IN ({wmarks}) ORDER BY wc.work_id, {order}""",
            work_ids,
        ):
            credits[work_id].append(
                WorkCredit(role, name, float(share) if share is not None else None, society=society,
                           ipi=str(ipi) if ipi is not None else None)
            )
    for recording_id, work_id, title, iswc, mbid in rows:
        works[recording_id][work_id] = Work(title, mbid=mbid, iswc=iswc, credits=tuple(credits.get(work_id, [])))
    return {rid: list(by_work.values()) for rid, by_work in works.items()}


# MusicBrainz relationship names -> cue sheet role codes (formats.md section 4).
_ROLE_CODES = {
    "composer": "C", "lyricist": "A", "writer": "CA", "librettist": "A", "arranger": "AR",
    "publisher": "E", "sub-publisher": "SE", "administrator": "AM",
}


def _role_code(role: str | None) -> str:
    if not role:
        return "CA"
    return _ROLE_CODES.get(role.strip().lower(), role.strip().upper())


__all__ = [
    "Answer",
    "Credit",
    "EpisodeFacts",
    "EpisodeRef",
    "SearchResult",
    "ShowRef",
    "SongAnswer",
    "SongResult",
    "WhatResult",
    "Work",
    "answers",
    "emit_json_text",
    "episode_cues",
    "episode_facts",
    "episode_ids",
    "episode_ref",
    "episodes",
    "find_episode",
    "find_show",
    "search",
    "sheet_answers",
    "show_sources",
    "shows",
    "song",
    "song_slug",
    "what",
    "works_for_recordings",
]
