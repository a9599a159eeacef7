"""Writing the cue sheet model into the database (and reading shows/sources back).

Callers hold the transaction (db.transaction); these functions only insert, so
a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from cuesheet.matching.claims import ClaimedTrack
from cuesheet.matching.persist import SongMatch, keep_new_candidates, new_song_columns
from cuesheet.model import Cue, Episode, IdClaim, MatchStatus, Performer, Show, Song
from cuesheet.recordings.store import upsert_recording


def insert_show(conn: sqlite3.Connection, show: Show) -> int:
    cur = conn.execute(
        "INSERT INTO shows (slug, name, year, network, notes, franchise) VALUES (?, ?, ?, ?, ?, ?)",
        [show.slug, show.name, show.year, show.network, show.notes, show.franchise],
    )
    show_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT OR IGNORE INTO show_aliases (show_id, alias) VALUES (?, ?)",
        [(show_id, a) for a in show.aliases],
    )
    conn.executemany(
        "INSERT INTO sources (show_id, key, title, url, date) VALUES (?, ?, ?, ?, ?)",
        [(show_id, s.key, s.title, s.url, s.date) for s in show.sources],
    )
    conn.executemany(
        "INSERT INTO characters (show_id, name, full_name, actor, notes) VALUES (?, ?, ?, ?, ?)",
        [(show_id, c.name, c.full_name, c.actor, c.notes) for c in show.characters],
    )
    for episode in show.episodes:
        insert_episode(conn, show_id, episode)
    return show_id


def insert_episode(conn: sqlite3.Connection, show_id: int, episode: Episode) -> int:
    cur = conn.execute(
        """INSERT INTO episodes (show_id, season, number, title, air_date, length_ms, complete, notes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [show_id, episode.season, episode.number, episode.title, episode.air_date,
         episode.length_ms, int(episode.complete), episode.notes],
    )
    episode_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT OR IGNORE INTO episode_aliases (episode_id, alias) VALUES (?, ?)",
        [(episode_id, a) for a in episode.aliases],
    )
    sources = source_ids(conn, show_id)
    set_episode_sources(conn, episode_id, [sources[k] for k in episode.sources])
    for cue in episode.cues:
        insert_cue(conn, episode_id, cue, sources)
    return episode_id


def set_episode_sources(conn: sqlite3.Connection, episode_id: int, source_ids_: list[int]) -> bool:
    """Make these (in this order) the sources of an episode's own facts; True if that changed."""
    now = [r[0] for r in conn.execute(
        "SELECT source_id FROM episode_sources WHERE episode_id = ? ORDER BY rowid", [episode_id])]
    wanted = list(dict.fromkeys(source_ids_))
    if now == wanted:
        return False
    conn.execute("DELETE FROM episode_sources WHERE episode_id = ?", [episode_id])
    conn.executemany("INSERT INTO episode_sources (episode_id, source_id) VALUES (?, ?)",
                     [(episode_id, s) for s in wanted])
    return True


def source_ids(conn: sqlite3.Connection, show_id: int) -> dict[str, int]:
    return dict(conn.execute("SELECT key, id FROM sources WHERE show_id = ?", [show_id]).fetchall())


def insert_cue(
    conn: sqlite3.Connection, episode_id: int, cue: Cue, sources: dict[str, int],
    matches: Sequence[SongMatch | None] = (),
) -> int:
    """The cue, its performers, scene claims and songs; `matches` (one per song, None for
    none) is each song's match state, decided before and written with its row."""
    cur = conn.execute(
        """INSERT INTO cues (episode_id, number, order_confirmed, time_in_ms, time_out_ms,
                             scene, usage, kind, confidence, notes, lip_sync)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [episode_id, cue.number, int(cue.order_confirmed), cue.time_in_ms, cue.time_out_ms,
         cue.scene, cue.usage, cue.kind, cue.confidence, cue.notes, cue.lip_sync],
    )
    cue_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT INTO cue_results (cue_id, position, result, contestant) VALUES (?, ?, ?, ?)",
        [(cue_id, i, result, name) for i, (result, name) in enumerate(
            [("won", n) for n in cue.winners] + [("eliminated", n) for n in cue.eliminated], start=1)],
    )
    _insert_performers(conn, cue_id, None, cue.performers)
    if cue.scene:
        for key in cue.sources:
            _claim(conn, cue_id, None, "scene", cue.scene, sources[key], cue.confidence, None)
    for position, song in enumerate(cue.songs, start=1):
        insert_song(conn, cue_id, position, song, cue, sources,
                    matches[position - 1] if position <= len(matches) else None)
    return cue_id


def stored_names(song: Song) -> tuple[str | None, str | None]:
    """The title and artist a song's row keeps. A song given only as heard ("roads portishead")
    has no title yet: the words are its text. An unidentified song has neither."""
    if song.unknown:
        return None, None
    text_only = bool(song.text) and song.title == song.text and not song.artist
    return (None if text_only else song.title or None), song.artist or None


def insert_song(
    conn: sqlite3.Connection,
    cue_id: int,
    position: int,
    song: Song,
    cue: Cue,
    sources: dict[str, int],
    match: SongMatch | None = None,
) -> int:
    recording_id = upsert_recording(conn, song.recording) if song.recording else None
    confidence = song.confidence or cue.confidence
    if song.unknown:  # nobody knows the song: no title/artist/text, what was heard in `heard`
        recording_id = None
        status = MatchStatus.UNKNOWN
    else:
        status = ((MatchStatus.ACCEPTED if song.accepted else MatchStatus.CURATED) if recording_id
                  else MatchStatus.REJECTED if song.rejected else MatchStatus.UNMATCHED)
    # No source is said to state a song's words as its title (see stored_names).
    title, artist = stored_names(song)
    row = {"cue_id": cue_id, "position": position, "text": song.entered, "title": title, "artist": artist,
           "version": song.version, "confidence": confidence, "notes": song.notes,
           "recording_id": recording_id, "match_status": status, "heard": song.heard or None}
    if match is not None:
        row.update(new_song_columns(conn, match))
    cur = conn.execute(f"INSERT INTO cue_songs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       list(row.values()))
    song_id = int(cur.lastrowid)
    if match is not None:
        keep_new_candidates(conn, song_id, match)
    _insert_performers(conn, cue_id, song_id, song.performers)
    if song.candidates or song.searches:
        _insert_kept(conn, song_id, song, waiting=status == "unmatched")
    if song.unknown:
        # "Source S says a song plays here and does not name it": the provenance an
        # unidentified song has (a cue without a scene keeps its sources nowhere else).
        for key in song.sources or cue.sources:
            _claim(conn, cue_id, song_id, "match", MatchStatus.UNKNOWN, sources[key], confidence, None)
    # The song's own values are the working choice, stated by its sources.
    for key in song.sources or cue.sources:
        for field in ("title", "artist", "version"):
            value = title if field == "title" else getattr(song, field)
            if value:
                _claim(conn, cue_id, song_id, field, value, sources[key], confidence, None)
    for claim in song.claims:
        for key in claim.sources:
            _claim(conn, cue_id, song_id, claim.field, claim.value, sources[key], None, claim.notes)
    insert_id_claims(conn, song_id, song.id_claims, sources)
    return song_id


def _insert_kept(conn: sqlite3.Connection, song_id: int, song: Song, *, waiting: bool) -> None:
    """The review candidates and searches a file carries (`dump` writes them): a song still open
    with candidates waits for review with exactly those, and `build` does not match it again."""
    if song.candidates and waiting:
        conn.execute("UPDATE cue_songs SET match_status = 'review', match_score = ? WHERE id = ?",
                     [song.candidates[0].score, song_id])
    for rank, c in enumerate(song.candidates, start=1):
        rec = conn.execute(
            "SELECT id FROM recordings WHERE title = ? AND artist = ? AND album IS ? AND year IS ? ORDER BY id LIMIT 1",
            [c.title, c.artist, c.album, c.year]).fetchone()
        conn.execute(
            """INSERT INTO match_candidates (cue_song_id, rank, score, source, title, artist, album, year,
                                             duration_ms, version, ids, links, reasons, recording_id, probability)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [song_id, rank, c.score, c.source, c.title, c.artist, c.album, c.year, c.duration_ms, c.version,
             json.dumps(dict(c.ids)), json.dumps(dict(c.links)), json.dumps(list(c.reasons)),
             rec[0] if rec else None, c.probability])
    for x in song.searches:
        conn.execute(
            """INSERT INTO song_searches (cue_song_id, at, curator, query, sources, verdict, best_title,
                                          best_artist, best_score, candidates) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            [song_id, x.at, x.curator, x.query, json.dumps(list(x.sources)), x.verdict, x.best_title,
             x.best_artist, x.best_score, x.candidates])


def insert_id_claims(conn: sqlite3.Connection, song_id: int, claims: tuple[IdClaim, ...],
                     sources: dict[str, int]) -> None:
    """One row per claim and source (the same id stated twice by one source is one row)."""
    conn.executemany(
        """INSERT OR IGNORE INTO song_id_claims (cue_song_id, service, external_id, source_id,
                                                 verdict, decided_by, reasons)
           VALUES (?, ?, ?, ?, coalesce(?, 'review'), ?, ?)""",
        [(song_id, c.service, c.id, sources[key], c.verdict, c.decided_by,
          json.dumps([f"{c.verdict} by {c.decided_by}"]) if c.verdict else None)
         for c in claims for key in c.sources],
    )


# --- the claims audit's rows: the tracks claimed ids name, and each claim's verdict ----------------


def upsert_claimed_tracks(conn: sqlite3.Connection, tracks: Iterable[ClaimedTrack], source: str | None = None
                          ) -> tuple[int, int]:
    """Store what each claimed id is, as its service names it; (new, changed) rows.

    A track already known keeps its row and takes the new details (a later file corrects
    an earlier one); an unchanged one is not written, so a re-import records no change.
    """
    new = changed = 0
    for t in tracks:
        row = (t.title, t.artist, t.album, t.release_date, t.duration_ms, source)
        old = conn.execute(
            """SELECT id, title, artist, album, release_date, duration_ms, source FROM claimed_tracks
                WHERE service = ? AND external_id = ?""", [t.service, t.id]).fetchone()
        if old is None:
            conn.execute("""INSERT INTO claimed_tracks (service, external_id, title, artist, album,
                                                        release_date, duration_ms, source)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", [t.service, t.id, *row])
            new += 1
        elif tuple(old[1:]) != row:
            conn.execute("""UPDATE claimed_tracks SET title = ?, artist = ?, album = ?, release_date = ?,
                                   duration_ms = ?, source = ? WHERE id = ?""", [*row, old[0]])
            changed += 1
    return new, changed


def set_claim_audits(conn: sqlite3.Connection, audits: Iterable[tuple[int, str, str, str]]) -> int:
    """Write the audit's (row id, verdict, kind, reasons JSON) on claims no curator decided; rows changed."""
    n = 0
    for row_id, verdict, kind, reasons in audits:
        n += conn.execute(
            """UPDATE song_id_claims SET verdict = ?, kind = ?, reasons = ?
                WHERE id = ? AND decided_by IS NULL
                  AND (verdict IS NOT ? OR kind IS NOT ? OR reasons IS NOT ?)""",
            [verdict, kind, reasons, row_id, verdict, kind, reasons]).rowcount
    return n


def decide_claims(conn: sqlite3.Connection, row_ids: list[int], verdict: str, curator: str, at: str,
                  reasons: str) -> int:
    """A curator's verdict on these claim rows; the audit never overwrites it."""
    marks = ",".join("?" * len(row_ids))
    return conn.execute(
        f"""UPDATE song_id_claims SET verdict = ?, reasons = ?, decided_by = ?, decided_at = ?
             WHERE id IN ({marks})""", [verdict, reasons, curator, at, *row_ids]).rowcount


def _insert_performers(
    conn: sqlite3.Connection, cue_id: int, song_id: int | None, performers: tuple[Performer, ...]
) -> None:
    conn.executemany(
        """INSERT INTO cue_performers (cue_id, cue_song_id, position, character, actor, inferred)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(cue_id, song_id, i, p.character, p.actor, int(p.inferred))
         for i, p in enumerate(performers, start=1)],
    )


def _claim(
    conn: sqlite3.Connection,
    cue_id: int,
    song_id: int | None,
    field: str,
    value: str,
    source_id: int,
    confidence: str | None,
    notes: str | None,
) -> None:
    conn.execute(
        """INSERT INTO claims (cue_id, cue_song_id, field, value, source_id, confidence, notes)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [cue_id, song_id, field, value, source_id, confidence, notes],
    )
