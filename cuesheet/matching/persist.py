"""The one place that writes match state: a song's link to its recording, its status and
score, and the candidates waiting with it for review.

A new song's match is decided in memory first (`SongMatch`: the curator's pick, candidates
kept for review, or the matcher's answer) and written with the song's row (`new_song_columns`,
then `keep_new_candidates`); later decisions (`accept`, `reject`, `link_recording`, `unlink`)
and the batch matcher (`match_songs`) update it here too.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cuesheet.db.transactions import transaction
from cuesheet.matching.identify import Identification, identify
from cuesheet.matching.score import DEFAULT_WEIGHTS, Weights
from cuesheet.model import MatchStatus, Verdict
from cuesheet.recordings.store import save_candidate
from cuesheet.sources import Candidate, Source
from cuesheet.sources.crosslink import crosslink


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
                                         duration_ms, version, ids, links, reasons, recording_id, probability)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(song_id, rank, s.score, s.candidate.source, s.candidate.title, s.candidate.artist,
          s.candidate.album, s.candidate.year, s.candidate.duration_ms, s.candidate.version,
          json.dumps(s.candidate.ids), json.dumps(s.candidate.links), json.dumps(s.reasons),
          s.candidate.recording_id, None if s.probability is None else round(s.probability, 6))
         for rank, s in enumerate(scored, start=1)],
    )


# Songs a curator decided, or the matcher already linked, are never matched again.
OPEN_STATUSES = (MatchStatus.UNMATCHED, MatchStatus.REVIEW, MatchStatus.NO_MATCH)


def match_songs(conn: sqlite3.Connection, sources: Sequence[Source], *,
                song_ids: Sequence[int] | None = None, episode_ids: Sequence[int] | None = None,
                weights: Weights = DEFAULT_WEIGHTS, limit: int = 5,
                statuses: Sequence[str] = OPEN_STATUSES) -> MatchReport:
    """Match every open cue song (optionally only some); one transaction for the lot.

    Accepted matches are linked; doubtful ones keep their candidates for the
    review queue. A song with a recording, or one a curator accepted or
    rejected, is left exactly as it is.
    """
    sql = f"""SELECT s.id, s.text, s.title, s.artist, s.version FROM cue_songs s
              JOIN cues c ON c.id = s.cue_id
              WHERE s.recording_id IS NULL AND s.match_status IN ({",".join("?" * len(statuses))})"""
    params: list[Any] = list(statuses)
    if song_ids is not None:
        sql += f" AND s.id IN ({','.join('?' * len(song_ids))})"
        params += list(song_ids)
    if episode_ids is not None:
        sql += f" AND c.episode_id IN ({','.join('?' * len(episode_ids))})"
        params += list(episode_ids)
    songs = conn.execute(sql + " ORDER BY c.episode_id, c.number, s.position", params).fetchall()
    results, skipped = identify_songs(songs, sources, weights=weights, limit=limit)
    with transaction(conn):
        report = apply_matches(conn, results)
    report.skipped = skipped
    return report


def identify_songs(songs: Sequence[tuple[Any, str | None, str | None, str | None, str | None]],
                   sources: Sequence[Source], *, weights: Weights = DEFAULT_WEIGHTS,
                   limit: int = 5) -> tuple[list[tuple[Any, Identification]], list[str]]:
    """Identify (key, text, title, artist, version) songs, reading only: callers do it before
    they take the write lock (`cue import` of 50,000 rows spends most of its time here)."""
    skipped: dict[str, None] = {}
    results: list[tuple[Any, Identification]] = []
    online = [s for s in sources if s.name != "catalog"]
    for key, text, title, artist, version in songs:
        ident = identify_song(sources, title, artist, version, text or "", weights=weights, limit=limit)
        if online and ident.verdict == Verdict.ACCEPTED and ident.best is not None:
            # The sure match gains the other services' ids and links by its ISRC.
            linked = crosslink([ident.best.candidate], online)[0]
            best = replace(ident.best, candidate=linked)
            ident = Identification(ident.query, ident.verdict, [best, *ident.candidates[1:]],
                                   skipped=ident.skipped)
        for s in ident.skipped:
            skipped[str(s)] = None
        results.append((key, ident))
    return results, list(skipped)


def apply_matches(conn: sqlite3.Connection, results: Sequence[tuple[int, Identification]]) -> MatchReport:
    """Write identifications made beforehand (song id, identification): sure ones linked, the
    rest waiting for review with their candidates. The caller holds the transaction."""
    report = MatchReport()
    for song_id, ident in results:
        report.considered += 1
        if ident.verdict == Verdict.ACCEPTED and ident.best is not None:
            link_song(conn, song_id, ident.best.candidate, MatchStatus.ACCEPTED, ident.best.score)
            clear_candidates(conn, song_id)
            report.accepted += 1
            continue
        store_candidates(conn, song_id, ident)
        conn.execute(
            """UPDATE cue_songs SET match_status = ?, match_score = ?, matched_at = datetime('now')
               WHERE id = ?""",
            [ident.verdict, ident.best.score if ident.best else None, song_id],
        )
        if ident.verdict == Verdict.REVIEW:
            report.review += 1
        else:
            report.no_match += 1
    return report


def identify_song(sources: Sequence[Source], title: str | None, artist: str | None, version: str | None,
                  text: str, *, weights: Weights = DEFAULT_WEIGHTS, limit: int = 5) -> Identification:
    """The matcher's answer for one cue song as stored (title/artist when known, else its text)."""
    query, who = song_query(title, artist, version, text)
    ident = identify(query, sources, artist=who, weights=weights, limit=limit, mashups=False)
    if artist and ident.verdict == Verdict.ACCEPTED and ident.best is not None and not ident.best.artist_given:
        # The sheet names the artist and the best reading did not use it ("Believe" by Cher
        # read as words finds "Believer" by Imagine Dragons): never linked without a curator.
        return Identification(ident.query, Verdict.REVIEW, ident.candidates, skipped=ident.skipped)
    if title and not artist and ident.verdict == Verdict.NO_MATCH:
        # A title with no artist (a season table's later rows) waits for a curator to name
        # the artist: it belongs in the review queue, not among the songs no one can find.
        return Identification(ident.query, Verdict.REVIEW, ident.candidates, skipped=ident.skipped)
    return ident


# --- a new song's match, decided in memory and written with the song ------------------------------


@dataclass(frozen=True)
class SongMatch:
    """A new song's match state before it is written.

    `candidate`: the recording to link. `ident`: candidates that wait with the song.
    `matched`: the matcher decided (score and time kept); else a curator did.
    """

    status: str
    candidate: Candidate | None = None
    score: float | None = None
    ident: Identification | None = None
    matched: bool = False


def picked(candidate: Candidate) -> SongMatch:
    """The curator chose this candidate."""
    return SongMatch(MatchStatus.CURATED, candidate)


def kept_for_review(ident: Identification | None) -> SongMatch:
    """"None of these": the song waits in the review queue with the candidates it was shown."""
    return SongMatch(MatchStatus.REVIEW, ident=ident)


def matched(ident: Identification) -> SongMatch:
    """The matcher's verdict: a sure match is linked, a doubtful one keeps its candidates."""
    if ident.verdict == Verdict.ACCEPTED and ident.best is not None:
        return SongMatch(MatchStatus.ACCEPTED, ident.best.candidate, ident.best.score, matched=True)
    return SongMatch(ident.verdict, score=ident.best.score if ident.best else None, ident=ident, matched=True)


def _now() -> str:
    """SQLite's datetime('now'), computed here because the row is written with its values."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def new_song_columns(conn: sqlite3.Connection, m: SongMatch) -> dict[str, Any]:
    """The match columns of a new cue_songs row; a linked recording is saved first."""
    columns: dict[str, Any] = {"match_status": m.status}
    if m.candidate is not None:
        columns.update(recording_id=save_candidate(conn, m.candidate), match_score=m.score, matched_at=_now())
    elif m.matched:
        columns.update(match_score=m.score, matched_at=_now())
    return columns


def keep_new_candidates(conn: sqlite3.Connection, song_id: int, m: SongMatch) -> None:
    """The candidates a new song keeps (review or no match), once its row exists."""
    if m.candidate is None and m.ident is not None:
        store_candidates(conn, song_id, m.ident)


# --- later decisions --------------------------------------------------------------------------------


def keep_search_candidates(conn: sqlite3.Connection, song_id: int, ident: Identification) -> None:
    """A curator's search: its candidates wait with the song (its status stays as it is), and the
    song's score is its best waiting candidate's, as the queue shows it and as a file that
    carries them (`dump`) rebuilds it."""
    store_candidates(conn, song_id, ident)
    if ident.candidates:
        conn.execute("UPDATE cue_songs SET match_score = ? WHERE id = ?", [ident.candidates[0].score, song_id])


def clear_candidates(conn: sqlite3.Connection, song_id: int) -> None:
    conn.execute("DELETE FROM match_candidates WHERE cue_song_id = ?", [song_id])


def keep_for_review(conn: sqlite3.Connection, song_id: int, ident: Identification | None) -> None:
    """A stored song goes back to the review queue with these candidates (none when None)."""
    if ident is not None:
        store_candidates(conn, song_id, ident)
    conn.execute("UPDATE cue_songs SET match_status = ? WHERE id = ?", [MatchStatus.REVIEW, song_id])


def accept(conn: sqlite3.Connection, song_id: int, candidate: Candidate) -> int:
    """A curator takes this candidate: linked as 'curated', the others no longer wait."""
    rec_id = link_song(conn, song_id, candidate, MatchStatus.CURATED)
    clear_candidates(conn, song_id)
    return rec_id


def link_recording(conn: sqlite3.Connection, song_id: int, rec_id: int) -> None:
    """A curator named the recording (already stored): 'curated', no candidates wait."""
    conn.execute("UPDATE cue_songs SET recording_id = ?, match_status = ? WHERE id = ?",
                 [rec_id, MatchStatus.CURATED, song_id])
    clear_candidates(conn, song_id)


def reject(conn: sqlite3.Connection, song_id: int) -> None:
    """None of the candidates: no recording, and the matcher will not try again."""
    conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = ? WHERE id = ?",
                 [MatchStatus.REJECTED, song_id])


def unlink(conn: sqlite3.Connection, song_id: int) -> None:
    """The song's words changed: its old link is forgotten and the matcher takes it again."""
    conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = ? WHERE id = ?",
                 [MatchStatus.UNMATCHED, song_id])
