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

from cuesheet.model import ROLES, Work, WorkCredit

__all__ = ["ROLES", "Work", "WorkCredit", "works_checked", "works_for_recording"]


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
