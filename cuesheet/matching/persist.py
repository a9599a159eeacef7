"""The one place that writes match results: links to recordings and review candidates."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cuesheet.matching.identify import Identification, identify
from cuesheet.matching.score import DEFAULT_WEIGHTS, Weights
from cuesheet.sources import Candidate, Source


@dataclass
class MatchReport:
    considered: int = 0
    accepted: int = 0
    review: int = 0
    no_match: int = 0
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"considered": self.considered, "accepted": self.accepted, "review": self.review,
                "no_match": self.no_match, "skipped": self.skipped}


def song_query(title: str | None, artist: str | None, version: str | None, text: str) -> tuple[str, str | None]:
    """What to ask for a cue song: the curator's title/artist when known, else the raw text."""
    if title:
        return (f"{title} ({version})" if version else title), artist
    return text, None


def link_song(conn: sqlite3.Connection, song_id: int, candidate: Candidate, status: str,
              score: float | None = None) -> int:
    """Point a cue song at the candidate's recording, saving the recording first.

    `save_candidate` finds the local recording (by row, id or ISRC) or adds it,
    fills in ids and links it lacked, and keeps both values where sources
    disagree, so linking never overwrites what another source said.
    """
    from cuesheet.recordings.store import save_candidate

    rec_id = save_candidate(conn, candidate)
    conn.execute(
        """UPDATE cue_songs SET recording_id = ?, match_status = ?, match_score = ?,
                                matched_at = datetime('now') WHERE id = ?""",
        [rec_id, status, score, song_id],
    )
    return rec_id


def store_candidates(conn: sqlite3.Connection, song_id: int, ident: Identification) -> None:
    """Replace a song's waiting candidates with these (best first)."""
    conn.execute("DELETE FROM match_candidates WHERE cue_song_id = ?", [song_id])
    scored = ident.candidates if not ident.parts else [c for p in ident.parts for c in p.candidates]
    conn.executemany(
        """INSERT INTO match_candidates (cue_song_id, rank, score, source, title, artist, album, year,
                                         duration_ms, version, ids, links, reasons, recording_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(song_id, rank, s.score, s.candidate.source, s.candidate.title, s.candidate.artist,
          s.candidate.album, s.candidate.year, s.candidate.duration_ms, s.candidate.version,
          json.dumps(s.candidate.ids), json.dumps(s.candidate.links), json.dumps(s.reasons),
          s.candidate.recording_id) for rank, s in enumerate(scored, start=1)],
    )


# Songs a curator decided, or the matcher already linked, are never matched again.
OPEN_STATUSES = ("unmatched", "review", "no_match")


def match_songs(conn: sqlite3.Connection, sources: Sequence[Source], *,
                song_ids: Sequence[int] | None = None, episode_ids: Sequence[int] | None = None,
                weights: Weights = DEFAULT_WEIGHTS, limit: int = 5) -> MatchReport:
    """Match every open cue song (optionally only some); one transaction for the lot.

    Accepted matches are linked; doubtful ones keep their candidates for the
    review queue. A song with a recording, or one a curator accepted or
    rejected, is left exactly as it is.
    """
    from cuesheet.db.transactions import transaction

    sql = f"""SELECT s.id, s.text, s.title, s.artist, s.version FROM cue_songs s
              JOIN cues c ON c.id = s.cue_id
              WHERE s.recording_id IS NULL AND s.match_status IN ({",".join("?" * len(OPEN_STATUSES))})"""
    params: list[Any] = list(OPEN_STATUSES)
    if song_ids is not None:
        sql += f" AND s.id IN ({','.join('?' * len(song_ids))})"
        params += list(song_ids)
    if episode_ids is not None:
        sql += f" AND c.episode_id IN ({','.join('?' * len(episode_ids))})"
        params += list(episode_ids)
    songs = conn.execute(sql + " ORDER BY c.episode_id, c.number, s.position", params).fetchall()
    report = MatchReport()
    skipped: dict[str, None] = {}
    results: list[tuple[int, Identification]] = []
    online = [s for s in sources if s.name != "catalog"]
    for song_id, text, title, artist, version in songs:
        query, who = song_query(title, artist, version, text)
        ident = identify(query, sources, artist=who, weights=weights, limit=limit, mashups=False)
        if online and ident.verdict == "accepted" and ident.best is not None:
            # The sure match gains the other services' ids and links by its ISRC.
            from cuesheet.sources.crosslink import crosslink

            linked = crosslink([ident.best.candidate], online)[0]
            best = replace(ident.best, candidate=linked)
            ident = Identification(ident.query, ident.verdict, [best, *ident.candidates[1:]],
                                   skipped=ident.skipped)
        for s in ident.skipped:
            skipped[str(s)] = None
        results.append((song_id, ident))
    with transaction(conn):
        for song_id, ident in results:
            report.considered += 1
            if ident.verdict == "accepted" and ident.best is not None:
                link_song(conn, song_id, ident.best.candidate, "accepted", ident.best.score)
                conn.execute("DELETE FROM match_candidates WHERE cue_song_id = ?", [song_id])
                report.accepted += 1
                continue
            store_candidates(conn, song_id, ident)
            conn.execute(
                """UPDATE cue_songs SET match_status = ?, match_score = ?, matched_at = datetime('now')
                   WHERE id = ?""",
                [ident.verdict, ident.best.score if ident.best else None, song_id],
            )
            if ident.verdict == "review":
                report.review += 1
            else:
                report.no_match += 1
    report.skipped = list(skipped)
    return report
