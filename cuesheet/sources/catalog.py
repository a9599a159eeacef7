"""The local catalog as a source: the recordings table, searched through its word index.

Candidate generation has to stay cheap at a million rows, so it never scans:
the query's words are looked up in `recording_vocab` (the index's words,
kept by the importer), words that are everywhere are dropped while rarer
ones remain, misspelt words are swapped for the nearest words the catalog
actually has, and one FTS5 query returns the best few hundred rows by BM25.
rapidfuzz then scores only those (in `cuesheet.match`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from cuesheet.normalize import fold
from cuesheet.sources import Candidate, SongQuery

NAME = "catalog"
# Words so common in titles and names that they identify nothing on their own.
STOP_WORDS = frozenset(
    "the a an and of in on to my me i you your is it its be for with at by from this that "
    "we our so no not do all".split()
)
# Candidates enough to stop widening the search; at most this many query words are used.
ENOUGH = 5
MAX_WORDS = 8
# Vocabulary words within this rapidfuzz ratio stand in for a word the catalog lacks.
SPELLING_CUTOFF = 75
POOL = 60


@dataclass
class CatalogSource:
    """`Source` over the recordings table of one database."""

    conn: sqlite3.Connection
    pool: int = POOL
    name: str = NAME
    # identify asks once per reading of the text, and "A - B", "B - A" and "A B" are the
    # same words: the index is searched once for them (a third of identify's time at 1M rows).
    _recent: dict[object, list[Candidate]] = field(default_factory=dict, repr=False)
    _stamp: tuple[int, int] = (-1, -1)

    def search(self, query: SongQuery, *, limit: int = 10) -> list[Candidate]:
        words = fold(" ".join(p for p in (query.title, query.artist or "", query.album or "") if p)).split()
        pool = max(limit, self.pool)
        unique = set(words)
        # Only when every word is used is the answer the same whatever their order.
        key = (frozenset(unique), pool) if len(unique) <= MAX_WORDS and not query.isrc else None
        if key is not None:
            stamp = (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])
            if stamp != self._stamp or len(self._recent) > 256:
                self._recent.clear()
                self._stamp = stamp
            if key in self._recent:
                return list(self._recent[key])
        ids = candidate_ids(self.conn, words, pool=pool)
        if query.isrc:
            ids = [r for (r,) in self.conn.execute("SELECT id FROM recordings WHERE isrc = ?",
                                                     [query.isrc])] + ids
        found = fetch(self.conn, ids)
        if key is not None:
            self._recent[key] = found
        return list(found)

    def lookup(self, source_id: str) -> Candidate | None:
        try:
            rid = int(source_id)
        except ValueError:
            return None
        found = fetch(self.conn, [rid])
        return found[0] if found else None


def _quote(word: str) -> str:
    # Folded words are [a-z0-9] only, but quoting keeps MATCH safe whatever fold becomes.
    return '"' + word.replace('"', '""') + '"'


def _exists(conn: sqlite3.Connection, word: str) -> bool:
    # A one-row MATCH stops at the first hit; fts5vocab would count the whole posting list.
    return conn.execute("SELECT 1 FROM recording_fts WHERE recording_fts MATCH ? LIMIT 1",
                        [_quote(word)]).fetchone() is not None


def near_terms(conn: sqlite3.Connection, word: str, limit: int = 3) -> list[str]:
    """Words of the catalog spelt like `word`, for typos ("elastik" -> "elastic").

    Looked up among words that share the first two letters: typists rarely miss
    the start of a word, and the vocabulary range scan stays small.
    """
    if len(word) < 4:
        return []
    head = word[:2]
    terms = [t for (t,) in conn.execute(
        "SELECT term FROM recording_vocab WHERE term >= ? AND term < ?", [head, head + "\x7f"]
    )]
    found = process.extract(word, terms, scorer=fuzz.ratio, limit=limit, score_cutoff=SPELLING_CUTOFF)
    return [t for t, _, _ in found]


def _ids(conn: sqlite3.Connection, groups: Sequence[Sequence[str]], limit: int) -> list[int]:
    expr = " AND ".join("(" + " OR ".join(_quote(t) for t in g) + ")" for g in groups)
    return [r for (r,) in conn.execute(
        "SELECT rowid FROM recording_fts WHERE recording_fts MATCH ? LIMIT ?", [expr, limit])]


def candidate_ids(conn: sqlite3.Connection, words: Sequence[str], *, pool: int = POOL) -> list[int]:
    """Row ids of recordings that hold all the query's words, or failing that most of them.

    No BM25 ranking: ranking every row a common word is in costs ~10 µs a row,
    tens of milliseconds for "heart". Intersections are cheap instead: first
    every word (misspelt ones replaced by their nearest catalog words), then
    every word but one (extra words: "live", a featured artist, a typo too far
    gone), then every pair. rapidfuzz orders what comes back.
    """
    unique = list(dict.fromkeys(w for w in words if w))
    content = [w for w in unique if w not in STOP_WORDS] or unique
    groups: list[list[str]] = []
    for word in content[:MAX_WORDS]:
        alternatives = [word] if _exists(conn, word) else near_terms(conn, word)
        if alternatives:
            groups.append(alternatives)
    if not groups:
        return []
    found: dict[int, None] = {}
    stops = [w for w in unique if w in STOP_WORDS and w not in content]
    if stops and len(groups) + len(stops) <= MAX_WORDS:
        # Every word, small ones too: "You and I" is mostly stop words, and they narrow it.
        found.update(dict.fromkeys(_ids(conn, groups + [[w] for w in stops], pool)))
    found.update(dict.fromkeys(_ids(conn, groups, pool)))
    if len(found) < ENOUGH and len(groups) > 1:
        for i in range(len(groups)):
            found.update(dict.fromkeys(_ids(conn, groups[:i] + groups[i + 1:], pool // 2)))
    if len(found) < ENOUGH and len(groups) > 2:
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                found.update(dict.fromkeys(_ids(conn, [groups[i], groups[j]], pool // 4)))
                if len(found) >= pool:
                    break
    if len(found) < ENOUGH:
        for group in groups:
            found.update(dict.fromkeys(_ids(conn, [group], pool // len(groups) + 1)))
    return list(found)[: pool * 2]


_COLUMNS = "id, title, artist, album, year, duration_ms, version, isrc, mbid, spotify_id, links, source, mb_score"


def fetch(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Candidate]:
    """Candidates for recording ids, in the order given (duplicates dropped)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows: dict[int, Candidate] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_COLUMNS} FROM recordings WHERE id IN ({marks})", chunk):
            rows[row[0]] = to_candidate(row)
    return [rows[i] for i in ids if i in rows]


def to_candidate(row: Sequence[object]) -> Candidate:
    rid, title, artist, album, year, duration, version, isrc, mbid, spotify_id, links, _src, mb_score = row
    id_map = {k: v for k, v in (("isrc", isrc), ("mbid", mbid), ("spotify_id", spotify_id)) if v}
    link_map: dict[str, str] = json.loads(links) if links else {}
    if mbid and "musicbrainz" not in link_map:
        link_map["musicbrainz"] = f"https://musicbrainz.org/recording/{mbid}"
    if spotify_id and "spotify" not in link_map:
        link_map["spotify"] = f"https://open.spotify.com/track/{spotify_id}"
    return Candidate(
        title=str(title), artist=str(artist), source=NAME, album=album,  # type: ignore[arg-type]
        year=year, duration_ms=duration, version=version,  # type: ignore[arg-type]
        ids=id_map, links=link_map, recording_id=int(rid),  # type: ignore[arg-type]
        # MetaBrainz's score ranks canonical releases, lower first: a prior among equals.
        source_score=None if mb_score is None else 1.0 / (1.0 + max(int(mb_score), 0)),  # type: ignore[call-overload]
    )
