"""Musical works behind recordings: titles, ISWCs and who wrote them, for cue-sheet exports.

A cue sheet for a performing-rights society lists a song use's composers,
lyricists and publishers. MusicBrainz knows them as relationships of the
*work* a recording performs; `cuesheet.sources.musicbrainz` fetches them,
`cuesheet.recordings.store.save_works` stores them (tables `works`,
`work_credits`, `recording_works`, from migration m003) and this module reads
them back for the exports.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

ROLES = ("composer", "lyricist", "writer", "librettist", "arranger", "publisher")


@dataclass(frozen=True)
class WorkCredit:
    role: str  # one of ROLES
    name: str
    share: float | None = None  # per cent of its side, when a source states it
    mbid: str | None = None  # the artist's or label's MusicBrainz id
    society: str | None = None  # ASCAP, BMI, PRS ...
    ipi: str | None = None  # IPI/CAE number

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.name, "share": self.share, "mbid": self.mbid,
                "society": self.society, "ipi": self.ipi}


@dataclass(frozen=True)
class Work:
    title: str
    mbid: str | None = None
    iswc: str | None = None
    credits: tuple[WorkCredit, ...] = field(default_factory=tuple)

    def names(self, *roles: str) -> list[str]:
        return [c.name for c in self.credits if c.role in roles]

    @property
    def composers(self) -> list[str]:
        return self.names("composer", "writer")

    @property
    def lyricists(self) -> list[str]:
        return self.names("lyricist", "librettist", "writer")

    @property
    def publishers(self) -> list[str]:
        return self.names("publisher")

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "mbid": self.mbid, "iswc": self.iswc,
                "credits": [c.to_json() for c in self.credits]}


def works_for_recording(conn: sqlite3.Connection, recording_id: int) -> list[Work]:
    """The recording's works with their credits in source order; [] when none are known."""
    rows = conn.execute(
        """SELECT w.id, w.title, w.mbid, w.iswc FROM recording_works rw JOIN works w ON w.id = rw.work_id
            WHERE rw.recording_id = ? ORDER BY w.title, w.id""",
        [recording_id],
    ).fetchall()
    works = []
    for work_id, title, mbid, iswc in rows:
        credits = tuple(
            WorkCredit(role, name, share, credit_mbid, society, ipi)
            for role, name, share, credit_mbid, society, ipi in conn.execute(
                """SELECT role, name, share, mbid, society, ipi FROM work_credits
                    WHERE work_id = ? ORDER BY position""",
                [work_id],
            )
        )
        works.append(Work(title=title, mbid=mbid, iswc=iswc, credits=credits))
    return works


def works_checked(conn: sqlite3.Connection, recording_id: int) -> bool:
    """Whether works were ever fetched for the recording (an empty answer is an answer)."""
    return conn.execute(
        "SELECT 1 FROM recordings WHERE id = ? AND works_checked_at IS NOT NULL", [recording_id]
    ).fetchone() is not None


@dataclass
class WorksReport:
    checked: int = 0  # recordings whose works were fetched (or answered from the cache)
    works: int = 0  # works found among them
    skipped: str | None = None  # why fetching stopped early (source offline, failing ...)

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "works": self.works, "skipped": self.skipped}


def fetch_works(conn: sqlite3.Connection, source: Any, recording_ids: list[int] | None = None, *,
                refresh: bool = False) -> WorksReport:
    """Fetch and store the works of recordings that have an MBID and were never checked.

    `source` is a MusicBrainz source (anything with `works(mbid) -> list[Work]`).
    Each recording is saved as soon as its answer is in, so an interruption keeps
    what was fetched; a source that is skipped or fails ends the run with its reason.
    """
    from cuesheet.recordings.store import save_works
    from cuesheet.sources import SourceSkipped

    sql = "SELECT id, mbid FROM recordings WHERE mbid IS NOT NULL"
    params: list[Any] = []
    if not refresh:
        sql += " AND works_checked_at IS NULL"
    if recording_ids is not None:
        sql += f" AND id IN ({','.join('?' * len(recording_ids))})"
        params += recording_ids
    report = WorksReport()
    for recording_id, mbid in conn.execute(sql + " ORDER BY id", params).fetchall():
        try:
            works = source.works(mbid)
        except SourceSkipped as exc:
            report.skipped = str(exc)
            break
        save_works(conn, recording_id, works)
        report.checked += 1
        report.works += len(works)
    return report
