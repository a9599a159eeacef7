"""The one writer of single recordings, their claims and their works.

Cue sheets pin recordings (`upsert_recording`), the matcher and curators save
candidates (`save_candidate`, which records where sources disagree in
`recording_claims`), and MusicBrainz lookups save works (`save_works`). The
bulk catalog import stays in `cuesheet.recordings.importer`, the same room.
Deciding *what* to write is elsewhere and pure (`cuesheet.sources.crosslink`
compares sources); this module reads the row it changes and writes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from cuesheet.db.transactions import transaction
from cuesheet.model import RecordingRef, Work
from cuesheet.notation.normalize import fold
from cuesheet.recordings.importer import index_recordings
from cuesheet.sources import Candidate, SourceSkipped
from cuesheet.sources.crosslink import RECORDING_FIELDS, candidate_values, plan_merge

# --- recordings -------------------------------------------------------------------------------


def upsert_recording(conn: sqlite3.Connection, ref: RecordingRef, source: str = "cue sheet") -> int:
    """Find the recording a cue sheet pins (by id first, then by its text), or add it."""
    for column in ("mbid", "spotify_id", "isrc"):
        value = getattr(ref, column)
        if value:
            row = conn.execute(
                f"SELECT id FROM recordings WHERE {column} = ? ORDER BY id LIMIT 1", [value]
            ).fetchone()
            if row:
                return _fill_in(conn, int(row[0]), ref)
    row = conn.execute(
        """SELECT id FROM recordings WHERE title = ? AND artist = ?
             AND coalesce(version, '') = coalesce(?, '') AND coalesce(album, '') = coalesce(?, '')
           ORDER BY id LIMIT 1""",
        [ref.title, ref.artist, ref.version, ref.album],
    ).fetchone()
    if row:
        return _fill_in(conn, int(row[0]), ref)
    cur = conn.execute(
        """INSERT INTO recordings (title, artist, version, year, duration_ms, album, isrc, mbid,
                                   spotify_id, links, source, title_key, artist_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [ref.title, ref.artist, ref.version, ref.year, ref.duration_ms, ref.album, ref.isrc,
         ref.mbid, ref.spotify_id, json.dumps({}),
         source, fold(ref.title), fold(ref.artist)],
    )
    rec_id = int(cur.lastrowid)  # type: ignore[arg-type]
    index_recordings(conn, after_id=rec_id - 1)
    return rec_id


def _fill_in(conn: sqlite3.Connection, rec_id: int, ref: RecordingRef) -> int:
    """Facts the pin knows and the found recording lacks (ids a curator's online pick brought,
    dumped with the pin) are kept; nothing the recording already says is overwritten."""
    conn.execute(
        """UPDATE recordings SET year = coalesce(year, ?), duration_ms = coalesce(duration_ms, ?),
                                 isrc = coalesce(isrc, ?), mbid = coalesce(mbid, ?),
                                 spotify_id = coalesce(spotify_id, ?)
           WHERE id = ?""",
        [ref.year, ref.duration_ms, ref.isrc, ref.mbid, ref.spotify_id, rec_id],
    )
    return rec_id


# --- candidates and the claims of their sources -----------------------------------------------


def _find(conn: sqlite3.Connection, candidate: Candidate) -> int | None:
    if candidate.recording_id is not None:
        row = conn.execute("SELECT id FROM recordings WHERE id = ?", [candidate.recording_id]).fetchone()
        if row:
            return int(row[0])
    for column in ("mbid", "spotify_id", "isrc"):
        value = candidate.ids.get(column)
        if value:
            row = conn.execute(f"SELECT id FROM recordings WHERE {column} = ? ORDER BY id LIMIT 1",
                               [value]).fetchone()
            if row:
                return int(row[0])
    return None


def record_claim(conn: sqlite3.Connection, recording_id: int, field: str, value: Any,
                 source: str | None, source_ref: str | None) -> None:
    """Keep that `source` says `value` for the recording's `field` (once)."""
    conn.execute(
        """INSERT OR IGNORE INTO recording_claims (recording_id, field, value, source, source_ref)
           VALUES (?, ?, ?, ?, ?)""",
        [recording_id, field, None if value is None else str(value), source, source_ref],
    )


def merge_into(conn: sqlite3.Connection, recording_id: int, candidate: Candidate) -> list[str]:
    """Fill the recording's empty fields from `candidate`; record fields that disagree.

    Returns the names of the fields that disagree. Title and artist are never
    rewritten: they are what the catalog and cue sheets were matched on
    (`crosslink.plan_merge` decides; this writes its plan).
    """
    row = conn.execute(
        f"SELECT {', '.join(RECORDING_FIELDS)}, links, source FROM recordings WHERE id = ?", [recording_id]
    ).fetchone()
    if row is None:
        raise LookupError(f"no recording {recording_id}")
    current = dict(zip(RECORDING_FIELDS, row[: len(RECORDING_FIELDS)]))
    links_json, row_source = row[len(RECORDING_FIELDS)], row[len(RECORDING_FIELDS) + 1]
    plan = plan_merge(current, links_json, row_source, candidate)
    for field, value, source, source_ref in plan.claims:
        record_claim(conn, recording_id, field, value, source, source_ref)
    if plan.updates:
        sets = ", ".join(f"{k} = ?" for k in plan.updates)
        conn.execute(f"UPDATE recordings SET {sets} WHERE id = ?", [*plan.updates.values(), recording_id])
    return list(plan.disagree)


def save_candidate(conn: sqlite3.Connection, candidate: Candidate) -> int:
    """Store a candidate as a local recording (or find the one it is) and return its id.

    One transaction. An existing recording (same MBID, Spotify id or ISRC, else the
    same title, artist, version and album) gains the ids and links it lacked; where
    it already says something else, both values are kept as claims. The sources a
    LinkedCandidate carries in `also` are merged the same way.
    """
    with transaction(conn):
        recording_id = _find(conn, candidate)
        if recording_id is None:
            values = candidate_values(candidate)
            recording_id = upsert_recording(
                conn,
                RecordingRef(title=candidate.title, artist=candidate.artist, version=candidate.version,
                             album=candidate.album, year=candidate.year,
                             duration_ms=candidate.duration_ms, isrc=values["isrc"],
                             mbid=values["mbid"], spotify_id=values["spotify_id"]),
                source=candidate.source,
            )
        merge_into(conn, recording_id, candidate)
        for partner in getattr(candidate, "also", ()):
            merge_into(conn, recording_id, partner)
        return recording_id


# --- works ------------------------------------------------------------------------------------


def save_works(conn: sqlite3.Connection, recording_id: int, works: list[Work]) -> None:
    """Make `works` the recording's works (one transaction); a work's credits are replaced whole.

    Works are shared: the same work (by MBID) performed by two recordings is one row.
    An empty list records that the recording was checked and has no known work.
    """
    with transaction(conn):
        conn.execute("DELETE FROM recording_works WHERE recording_id = ?", [recording_id])
        for work in works:
            work_id = _upsert_work(conn, work)
            conn.execute(
                "INSERT OR IGNORE INTO recording_works (recording_id, work_id) VALUES (?, ?)",
                [recording_id, work_id],
            )
        conn.execute("UPDATE recordings SET works_checked_at = datetime('now') WHERE id = ?",
                     [recording_id])


def _upsert_work(conn: sqlite3.Connection, work: Work) -> int:
    row = None
    if work.mbid:
        row = conn.execute("SELECT id FROM works WHERE mbid = ?", [work.mbid]).fetchone()
    if row:
        work_id = int(row[0])
        conn.execute("UPDATE works SET title = ?, iswc = ? WHERE id = ?", [work.title, work.iswc, work_id])
        conn.execute("DELETE FROM work_credits WHERE work_id = ?", [work_id])
    else:
        cur = conn.execute("INSERT INTO works (mbid, title, iswc) VALUES (?, ?, ?)",
                           [work.mbid, work.title, work.iswc])
        work_id = int(cur.lastrowid or 0)
    conn.executemany(
        """INSERT INTO work_credits (work_id, position, role, name, share, society, ipi, mbid)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [(work_id, i, c.role, c.name, c.share, c.society, c.ipi, c.mbid)
         for i, c in enumerate(work.credits, start=1)],
    )
    return work_id


__all__ = ["merge_into", "record_claim", "save_candidate", "save_works", "upsert_recording"]


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
