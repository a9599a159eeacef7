"""The local catalog as a source: the recordings table, searched through its word index.

Candidate generation has to stay cheap at a million rows, so it never scans:
the query's words are looked up in `recording_vocab` (the index's words,
kept by the importer), words that are everywhere are dropped while rarer
ones remain, misspelt words are swapped for the nearest words the catalog
actually has, and one FTS5 query returns the best few hundred rows by BM25.
rapidfuzz then scores only those (in `cuesheet.matching.score`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from cuesheet.notation.normalize import fold
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
        free_text = query.artist is None and not query.album
        # Text with a separator ("A - T", "T by A") says where the artist is; text without
        # one is read at the artist boundaries the catalog knows.
        boundaries = free_text and len(words) >= 2 and not _SEPARATOR.search(query.title)
        unique = set(words)
        # Only when every word is used is the answer the same whatever their order; free text
        # also depends on its last word (a prefix) and, unseparated, on its ends (boundaries).
        key = ((frozenset(unique), pool, words[-1] if free_text and words else None,
                tuple(words) if boundaries else None)
               if len(unique) <= MAX_WORDS and not query.isrc else None)
        if key is not None:
            stamp = (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])
            if stamp != self._stamp or len(self._recent) > 256:
                self._recent.clear()
                self._stamp = stamp
            if key in self._recent:
                return list(self._recent[key])
        # Free text may stop mid-word ("White Bucks And Sadd"): its last word is also a prefix.
        ids = candidate_ids(self.conn, words, pool=pool, prefix_last=free_text)
        if query.isrc:
            ids = [r for (r,) in self.conn.execute("SELECT id FROM recordings WHERE isrc = ?",
                                                     [query.isrc])] + ids
        found = fetch(self.conn, ids)
        if boundaries and not _artist_at_an_end(" ".join(words), found):
            found += fetch(self.conn, [r for r in artist_boundaries(self.conn, words) if r not in set(ids)])
        if key is not None:
            self._recent[key] = found
        return list(found)

    def titles_starting(self, start: str, artist: str | None = None) -> list[tuple[str, str]] | None:
        """(title, artist) of the rows whose title begins with `start` (see `titles_starting`)."""
        return titles_starting(self.conn, start, artist)

    def knows_word(self, word: str) -> bool:
        """Whether the word index has this folded word (a whole word, not a start)."""
        return self.conn.execute("SELECT 1 FROM recording_vocab WHERE term = ? LIMIT 1", [word]).fetchone() is not None

    def by_id(self, key: str, value: str) -> list[Candidate]:
        """Recordings carrying this id ("mbid", "spotify_id" or "isrc"), oldest first."""
        if key not in ("mbid", "spotify_id", "isrc"):
            raise ValueError(key)
        return fetch(self.conn, [r for (r,) in self.conn.execute(
            f"SELECT id FROM recordings WHERE {key} = ? ORDER BY id", [value])])

    def lookup(self, source_id: str) -> Candidate | None:
        try:
            rid = int(source_id)
        except ValueError:
            return None
        found = fetch(self.conn, [rid])
        return found[0] if found else None


_SEPARATOR = re.compile(r"\s(?:-{1,2}|[–—]|by)\s", re.IGNORECASE)


def _quote(word: str) -> str:
    # Folded words are [a-z0-9] only, but quoting keeps MATCH safe whatever fold becomes.
    # A trailing "*" (added here, never typed: fold removes it) makes a prefix query.
    if word.endswith("*"):
        return _quote(word[:-1]) + "*"
    return '"' + word.replace('"', '""') + '"'


# A word in at most this many rows may be a misspelling of a common word ("Sonrael" beside
# "Sonreal"): its near spellings are searched too.
RARE = 2


def _rows_with(conn: sqlite3.Connection, word: str) -> int:
    """Rows holding the word, counted up to RARE + 1 (one query answers "exists" and "rare")."""
    return len(conn.execute("SELECT 1 FROM recording_fts WHERE recording_fts MATCH ? LIMIT ?",
                            [_quote(word), RARE + 1]).fetchall())




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


@dataclass
class _Counts:
    """How many rows hold a group of words, from `recording_vocab.rows` (m012), asked once per query.

    It orders the word pairs a query falls back on, rarest first; it never
    decides whether a row matches, so a count that has drifted since the last
    import only makes a lookup a little slower.
    """

    conn: sqlite3.Connection
    _rows: dict[tuple[str, ...], int] = field(default_factory=dict)

    def rows(self, group: Sequence[str]) -> int:
        """Rows holding a word of the group (a prefix "wor*": every word it begins)."""
        key = tuple(group)
        if key not in self._rows:
            total = 0
            for term in group:
                if term.endswith("*"):
                    sql, args = ("SELECT sum(rows) FROM recording_vocab WHERE term >= ? AND term < ?",
                                 [term[:-1], term[:-1] + "\x7f"])
                else:
                    sql, args = "SELECT rows FROM recording_vocab WHERE term = ?", [term]
                total += (self.conn.execute(sql, args).fetchone() or (0,))[0] or 0
            self._rows[key] = total
        return self._rows[key]


def candidate_ids(conn: sqlite3.Connection, words: Sequence[str], *, pool: int = POOL,
                  prefix_last: bool = False) -> list[int]:
    """Row ids of recordings that hold all the query's words, or failing that most of them.

    No BM25 ranking: ranking every row a common word is in costs ~10 µs a row,
    tens of milliseconds for "heart". Intersections are cheap instead: first
    every word (misspelt ones replaced by their nearest catalog words), then
    every word but one (extra words: "live", a featured artist, a typo too far
    gone), then every pair. rapidfuzz orders what comes back.

    A word found in only a row or two is also looked up by spelling (it may be
    the same typo elsewhere in the catalog: "Sonrael" beside "Sonreal"). With
    `prefix_last`, a last word of three letters or more that the catalog lacks,
    or has only rarely, also matches as a prefix (text cut short mid-word).
    """
    unique = list(dict.fromkeys(w for w in words if w))
    content = [w for w in unique if w not in STOP_WORDS] or unique
    last = words[-1] if prefix_last and words and len(words[-1]) >= 3 else None
    groups: list[list[str]] = []
    # Other spellings of words the catalog has but rarely: tried only when the words as typed
    # find too little, and kept only when they find more (a tiny catalog has only rare words).
    extras: list[list[str]] = []
    for word in content[:MAX_WORDS]:
        rows = _rows_with(conn, word)
        extra: list[str] = []
        if rows:
            alternatives = [word]
            if len(word) >= 4 and rows <= RARE:
                if len(word) >= 5:
                    extra += [t for t in near_terms(conn, word) if t != word]
                if word == last:
                    extra.append(word + "*")
        else:
            alternatives = near_terms(conn, word)
            if word == last and (alternatives or _rows_with(conn, word + "*")):
                # (Alone, a prefix nothing starts with would only narrow the search to nothing.)
                alternatives.append(word + "*")
        if alternatives:
            groups.append(alternatives)
            extras.append(extra)
    if not groups:
        return []
    found: dict[int, None] = {}
    stops = [w for w in unique if w in STOP_WORDS and w not in content]
    if stops and len(groups) + len(stops) <= MAX_WORDS:
        # Every word, small ones too: "You and I" is mostly stop words, and they narrow it.
        found.update(dict.fromkeys(_ids(conn, groups + [[w] for w in stops], pool)))
    if len(found) < pool:
        # (A pool of rows holding every word, small ones too, needs no rows that lack one.)
        found.update(dict.fromkeys(_ids(conn, groups, pool)))
    if len(found) < ENOUGH and any(extras):
        wider = [g + e for g, e in zip(groups, extras)]
        more = [r for r in _ids(conn, wider, pool) if r not in found]
        if more:
            found.update(dict.fromkeys(more))
            groups = wider
    if len(found) < ENOUGH and len(groups) > 1:
        for i in range(len(groups)):
            found.update(dict.fromkeys(_ids(conn, groups[:i] + groups[i + 1:], pool // 2)))
    if len(found) < ENOUGH and len(groups) > 2:
        # Rarest pairs first (fewest rows expected to hold both): two rare words nearly name
        # the row, two common ones ("love", "baby") bring back rows that share nothing else
        # with the query and cost scoring time. A pool of rows stops it (before, only the
        # pairs of one word: then each later word still added a pair's rows).
        counts = _Counts(conn)
        pairs = sorted(((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))),
                       key=lambda p: ((counts.rows(groups[p[0]]) + 1) * (counts.rows(groups[p[1]]) + 1), p))
        for i, j in pairs:
            found.update(dict.fromkeys(_ids(conn, [groups[i], groups[j]], pool // 4)))
            if len(found) >= pool:
                break
    if len(found) < ENOUGH:
        for group in groups:
            found.update(dict.fromkeys(_ids(conn, [group], pool // len(groups) + 1)))
    return list(found)[: pool * 2]


# Artist names tried at either end of unseparated text, up to this many words long.
MAX_ARTIST_WORDS = 4
BOUNDARY_POOL = 6


@lru_cache(maxsize=100_000)
def _folded_name(artist: str) -> str:
    return fold(artist)


def _artist_at_an_end(text: str, found: Sequence[Candidate]) -> bool:
    """Whether a candidate's whole credit already begins or ends the text: the boundary is known."""
    return any((name := _folded_name(c.artist)) and (text.startswith(name + " ") or text.endswith(" " + name))
               for c in found)


# A one-word name that begins more credits than this is too common to try as an artist.
COMMON_NAME = 200


def _common_name(conn: sqlite3.Connection, word: str) -> bool:
    return len(conn.execute("SELECT 1 FROM recording_fts WHERE recording_fts MATCH ? LIMIT ?",
                            ["artist_key : ^" + _quote(word), COMMON_NAME + 1]).fetchall()) > COMMON_NAME


def artist_boundaries(conn: sqlite3.Connection, words: Sequence[str]) -> list[int]:
    """Rows whose artist credit begins with the first or last words of the text, and that
    share a word with the rest.

    "tim mcgraw featuring faith hill meanwhile back at mamas": the catalog knows
    the artist boundary, so each run of up to five words at either end is tried
    as the start of a credit, and the rest ranked against that artist's titles
    (BM25 over only that artist's rows, so it stays cheap). A word the text
    ends with may be cut short, so it also matches as a prefix.
    """
    found: list[int] = []
    n = len(words)
    for k in range(1, min(MAX_ARTIST_WORDS, n - 1) + 1):
        for who, rest, rest_is_end in ((words[:k], words[k:], True), (words[-k:], words[:-k], False)):
            if all(w in STOP_WORDS for w in who) or len("".join(who)) < 3:
                continue
            if k == 1 and _common_name(conn, who[0]):
                continue  # "john", "lil": thousands of credits begin so; ranking them costs too much
            content = [w for w in dict.fromkeys(rest) if w not in STOP_WORDS][:MAX_WORDS] or list(rest)
            terms = [_quote(w) for w in content]
            if rest_is_end and len(rest[-1]) >= 2:
                terms.append(_quote(rest[-1] + "*"))
            expr = "artist_key : ^" + _quote(" ".join(who)) + " AND (" + " OR ".join(terms) + ")"
            found += [r for (r,) in conn.execute(
                "SELECT rowid FROM recording_fts WHERE recording_fts MATCH ? ORDER BY rank LIMIT ?",
                [expr, BOUNDARY_POOL])]
    return found


# Rows enough to tell whether one title or several begin some way; past it, "several".
STARTING_CAP = 200


def titles_starting(conn: sqlite3.Connection, start: str, artist: str | None = None,
                    cap: int = STARTING_CAP) -> list[tuple[str, str]] | None:
    """(title, artist) of the rows whose folded title begins with the folded words `start`, its
    last word perhaps cut ("how do you catch a g"), whose credit has every word of `artist`
    when given; None when more than `cap` rows do (too many to be sure of anything).

    For text cut off mid-title: it is sure only when one title begins that way. One FTS5
    phrase query anchored at the title's start (`^`), the last word a prefix.
    """
    words = fold(start).split()
    if not words:
        return None
    expr = "title_key : ^" + _quote(" ".join(words)) + " *"
    if artist and (names := fold(artist).split()):
        expr += " AND artist_key : (" + " AND ".join(_quote(w) for w in names) + ")"
    rows = conn.execute("SELECT title, artist FROM recordings WHERE id IN "
                        "(SELECT rowid FROM recording_fts WHERE recording_fts MATCH ? LIMIT ?)",
                        [expr, cap + 1]).fetchall()
    return None if len(rows) > cap else [(str(t), str(a)) for t, a in rows]


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
