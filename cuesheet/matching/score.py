"""Scores: named components (title, artist, version, duration, year, album) per candidate.

In the manner of beets' `Distance`: every candidate gets named components,
each a similarity in 0..1, combined with the weights of one frozen `Weights`.
There is one artist scorer (`artist_similarity` and its vectorised twin
`_artist_rows` share `_artist_keys`, `_word_coverage` and the cap), and every
component is also a human-readable reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from cuesheet.notation import ids
from cuesheet.matching.readings import (
    ACROSS_A_DASH,
    Reading,
    candidate_version,
    folded,
    names_no_song,
    names_nobody,
    strip_the,
    title_parts,
    without_album,
)
from cuesheet.notation.normalize import (
    Version,
    fold,
    split_artists,
    split_version,
)
from cuesheet.sources import Candidate


@dataclass(frozen=True)
class Weights:
    """Component weights and verdict thresholds, in one place, passed in explicitly.

    Title and artist carry the identification; version, duration, year and
    album only choose between takes of the same song, so they weigh less and
    count only when both sides know them. A missing artist counts as
    `missing_artist` similarity: with the defaults a title alone scores at most
    0.8, below `accept`, because a title alone cannot tell covers apart.
    """

    title: float = 3.0
    artist: float = 2.0
    version: float = 0.6
    duration: float = 0.6
    year: float = 0.4
    album: float = 0.3
    # An album a query names ("Title (Album) - Artist", "Artist - Title - Album") is evidence the
    # person had that release in hand: it weighs more than between two records, enough that
    # the take on that album stands out from the same song on another (`gap`).
    query_album: float = 0.6
    missing_artist: float = 0.5
    # A title that names no song ("[unknown]", "005-", "n.a.") on either side counts as this
    # alike: unknown, as a missing artist is (queries only; such a match is never accepted).
    missing_title: float = 0.5
    accept: float = 0.88
    review: float = 0.62
    # The runner-up (another recording) must trail by this much for a sure match.
    gap: float = 0.04


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    components: dict[str, float]
    reasons: list[str]
    reading: str = ""
    # Share of the candidate's title the query gave, when it gave only its start.
    coverage: float = 1.0
    # That start, folded, when the query gave only the start of the candidate's title ("" else).
    cut: str = ""
    artist_given: bool = True
    # Share of title words swapped for others: missing from the candidate's title *and* the
    # candidate's missing from the query's ("First Dance" for "First Place"), typos allowed.
    swapped: float = 0.0
    # Words in the title as read from the query.
    reading_words: int = 0
    # Calibrated chance that this (the best) candidate is the song meant; set by the verdict.
    probability: float | None = None
    # False when the query's or the candidate's title is a placeholder (`names_no_song`).
    title_known: bool = True
    # Set when the candidate's title is only the start of the query's (a catalog title cut
    # short), or its artist was read from its album (a row without an artist): good enough
    # to rank, never to accept.
    doubt: str = ""

    def to_json(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "title": c.title,
            "artist": c.artist,
            "album": c.album,
            "year": c.year,
            "duration": round(c.duration_ms / 1000) if c.duration_ms else None,
            "version": c.version or (split_version(c.title)[1].raw or None),
            "score": round(self.score, 3),
            "source": c.source,
            # Every source that described this recording (the first is `source`).
            "sources": list(dict.fromkeys([c.source, *(o.source for o in getattr(c, "also", ()))])),
            "ids": dict(c.ids),
            # The one listen-link rule (`ids.listen_links`), as `what`/`search` give: a known id's
            # page, else a search page; the source's own links are kept.
            "links": ids.listen_links(c.title, c.artist, spotify_id=c.ids.get("spotify_id"),
                                      mbid=c.ids.get("mbid"), extra=c.links),
            "reasons": list(self.reasons),
            **({"probability": round(self.probability, 4)} if self.probability is not None else {}),
        }


_FEAT_CUT = re.compile(r" (?:feat|ft|featuring|with|x|vs|and) ")


@lru_cache(maxsize=200_000)
def _artist_keys(artist: str) -> tuple[str, str]:
    """The whole credit and its first main name, both folded without a leading "the"."""
    full = strip_the(folded(artist))
    main = strip_the(_FEAT_CUT.split(full, maxsplit=1)[0])
    return full, main


@lru_cache(maxsize=100_000)
def lead_artist(artist: str) -> str:
    """The first named act of a credit, folded: "Sia, Diplo" and "Sia feat. Diplo" both give "sia"."""
    main = split_artists(artist).main
    if not main:
        return strip_the(folded(artist))
    return strip_the(folded(main[1] if len(main) > 1 else main[0]))


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100.0


def title_similarity(query_title: str, candidate_title: str) -> float:
    """Folded titles alike letter by letter, and numbered alike when both are numbered.

    "Track 47" and "Track 61", "Kapitel 01" and "Kapitel 35", "Piano Sonata
    No. 2" and "No. 3" differ by a character or two but are different
    pieces; numbers are compared in order, as far as the shorter list goes
    ("Symphony 5" still fits "Symphony No. 5, Op. 67").
    """
    return _number_rule(query_title, candidate_title, _similar(query_title, candidate_title))


def _number_rule(query_title: str, candidate_title: str, similar: float) -> float:
    if similar > _NUMBER_PENALTY:
        a, b = _numbers(query_title), _numbers(candidate_title)
        if a and b and any(x != y and not _digit_typo(x, y) for x, y in zip(a, b)):
            similar = min(similar, _NUMBER_PENALTY)
    return similar


def _digit_typo(a: str, b: str) -> bool:
    """"49"/"499", "894"/"984", "12"/"21": a slip of the fingers, not another number.

    A changed digit ("No. 2"/"No. 3") is another number: that is the case to catch.
    """
    if len(a) == len(b):
        return sorted(a) == sorted(b)
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))


# A title whose numbers disagree is at best this similar: with the artist right, that
# is review, never accepted.
_NUMBER_PENALTY = 0.5


@lru_cache(maxsize=200_000)
def _numbers(folded: str) -> tuple[str, ...]:
    # As written, less leading zeros: "Kapitel 01" is "Kapitel 1".
    return tuple(w.lstrip("0") or "0" for w in folded.split() if w.isdigit())


def artist_similarity(query_artist: str, candidate_artist: str) -> float:
    """Best of the whole credit and its first main name ("Sia" vs "Sia feat. The Weeknd").

    Capped by how much of the query's name the candidate's credit has word
    for word (typos allowed): "Beth Swift" and "Meredith Swift" are alike
    letter by letter, but they are two people, and a title by the wrong one
    must not be accepted.
    """
    q = strip_the(folded(query_artist))
    full, main = _artist_keys(candidate_artist)
    return _artist_rules(q, full, max(_similar(q, full), _similar(q, main)))


def _artist_rules(q: str, full: str, best: float) -> float:
    """The rules on top of letter similarity, shared by `artist_similarity` and `_artist_rows`
    so the vectorised scores and the reasons can never disagree."""
    if best < 0.85 and _named_in(q, full):
        # Named in a shared credit ("Garfunkel" in "Simon and Garfunkel"): good, not exact.
        best = 0.85
    if 0.5 < best < 1.0:  # the cap can only lower it; below 0.5 it decides nothing
        coverage = _word_coverage(q, full)
        if coverage < 1.0:
            # One name word of three missing ("Connie Top" vs "Connie Winstons") must
            # already keep an exact title out of `accept`.
            best = min(best, _MISSING_WORD_CAP * coverage)
    return best


_MISSING_WORD_CAP = 0.9
# Words that join names in a credit; alone they name nobody ("the" in "Taylor Swift
# Featuring The National").
_CREDIT_WORDS = frozenset("the and with feat ft featuring a of x vs".split())


def _named_in(query: str, credit: str) -> bool:
    return len(query) >= 3 and query not in _CREDIT_WORDS and f" {query} " in f" {credit} "


# A query word counts as present when a credit word is this close: rapidfuzz ratio
# "jon"/"john" 86, "daina"/"diana" 80, "badn"/"band" 75 pass, "hards"/"wizards" 67 and
# "beth"/"meredith" 50 do not; or one swap of letters ("atb"/"tab", Damerau 0.67), which
# "hards"/"wizards" (0.57) and "beth"/"meredith" (0.38) are not.
_WORD_MATCH = 75
_SWAP_MATCH = 0.66


@lru_cache(maxsize=200_000)
def _word_coverage(query: str, credit: str) -> float:
    """Share of the query name's letters in words the credit also has, typos allowed.

    A word also counts when it begins a credit word ("h" for "ha"), is part of
    the credit written without spaces ("tony" in "TonyRice"), or the credit's
    words run together in it ("katehurleey" ~ "kate hurley").
    """
    words = query.split()
    total = sum(len(w) for w in words)
    if not total:
        return 0.0
    credit_words = credit.split()
    compact = credit.replace(" ", "")
    covered = 0
    for w in words:
        if (w in credit_words or (len(w) >= 4 and (w in compact or fuzz.ratio(w, compact) >= _WORD_MATCH))
                or any(c.startswith(w) or fuzz.ratio(w, c) >= _WORD_MATCH
                       or DamerauLevenshtein.normalized_similarity(w, c) >= _SWAP_MATCH
                       for c in credit_words)):
            covered += len(w)
    return covered / total


# Tags that name the same performance (a remaster, the soundtrack release of it).
_SAME_PERFORMANCE = frozenset({"remaster", "from-series", "album version", "single version",
                               "explicit", "clean"})


def version_similarity(query: Version, candidate: Version) -> float:
    """How well a candidate's version fits the one asked for.

    A plain query prefers the plain recording but accepts a remaster or a
    soundtrack release of it almost fully; a live or karaoke take is a
    different recording, so it scores lower. A query that names a version
    ("live") is poorly served by the studio cut.
    """
    q = query.tags - _SAME_PERFORMANCE
    c = candidate.tags - _SAME_PERFORMANCE
    if query.year and candidate.year and query.year != candidate.year:
        year_factor = 0.8
    else:
        year_factor = 1.0
    if not q and not c:
        base = 1.0 if query.tags == candidate.tags else 0.95
    elif q == c:
        # Same kind of take; if both also say whose or where ("Dexter remix" vs
        # "Dave Clarke remix", "live at Wembley" vs "live in Paris"), those must agree.
        dq, dc = _descriptor(query), _descriptor(candidate)
        base = 0.5 if dq and dc and _similar(dq, dc) < 0.6 else 1.0
    elif not q:
        base = 0.6
    elif not c:
        base = 0.45
    elif q & c:
        base = 0.7
    else:
        base = 0.3
    return base * year_factor


# Words that only say what kind of take a version is; what is left names the remixer,
# the venue or the occasion.
_KIND_WORDS = frozenset(
    "remix remixed mix rmx rework bootleg edit version live at in from on the of recorded performed "
    "radio single album extended club dub vocal instrumental acoustic unplugged demo mono stereo "
    "remaster remastered karaoke cover original explicit clean edited piano orchestral symphonic "
    "sped speed up slowed down reverb nightcore".split()
)


@lru_cache(maxsize=50_000)
def _descriptor_of(raw: str) -> str:
    return " ".join(w for w in fold(raw).split() if w not in _KIND_WORDS and not w.isdigit())


def _descriptor(version: Version) -> str:
    return _descriptor_of(version.raw) if version.raw else ""


def duration_similarity(a_ms: int, b_ms: int) -> float:
    diff = abs(a_ms - b_ms) / 1000
    if diff <= 3:
        return 1.0
    if diff >= 30:
        return 0.0
    return round(1.0 - (diff - 3) / 27, 3)


# --- scoring -----------------------------------------------------------------------------


def _components(reading: Reading, cand: Candidate, c_title: str, c_version: Version, w: Weights,
                title: float | None = None, artist: float | None = None) -> dict[str, float]:
    if artist is None:
        artist = artist_similarity(reading.artist, cand.artist) if reading.artist else w.missing_artist
    comps = {"title": title_similarity(reading.title, c_title) if title is None else title,
             "artist": artist,
             "version": version_similarity(reading.version, c_version)}
    if reading.duration_ms and cand.duration_ms:
        comps["duration"] = duration_similarity(reading.duration_ms, cand.duration_ms)
    if reading.year and cand.year:
        comps["year"] = 1.0 if reading.year == cand.year else 0.0
    if reading.album and cand.album:
        comps["album"] = _similar(folded(reading.album), folded(cand.album))
    return comps


# The start of a title: at least this many letters, and then worth this much plus the rest
# in proportion to how much of the title it covers.
_PARTIAL_MIN = 3
_PARTIAL_BASE = 0.7


def partial_title(query_title: str, candidate_title: str) -> float | None:
    """The share of `candidate_title` that `query_title` is the start of, or None.

    People cut titles short ("Children Of", "since i fell") or paste them cut
    mid-word ("White Bucks And Sadd"); a flat fuzzy ratio punishes that as
    much as a different title. Only for queries, never between records.
    """
    if (len(query_title) >= _PARTIAL_MIN and len(query_title) < len(candidate_title)
            and candidate_title.startswith(query_title)):
        return len(query_title) / len(candidate_title)
    return None


def cut_title(query_title: str, candidate_title: str) -> float | None:
    """The share of the query's title that `candidate_title`, ending on a whole word, is the
    start of, or None: a catalog title cut short ("You're" for "You're the Love of My Life",
    as some databases store them). Only for queries with an artist: it ranks the artist's
    cut row above their other songs, and such a match is never accepted."""
    if candidate_title and query_title.startswith(candidate_title + " "):
        return len(candidate_title) / len(query_title)
    return None


def _cut_similarity(coverage: float, w: Weights) -> float:
    """A title cut short says little beyond its start: a little more than an unknown one."""
    return round(w.missing_title + 0.2 * coverage, 4)


# A title that is only a short number may be a track number written where the title goes.
_TRACK_NUMBER = re.compile(r"^\d{1,3}$")


def swapped_words(query_title: str, candidate_title: str) -> float:
    """How much of the title was swapped for other words: the smaller of the two sides' shares
    of letters in words the other side lacks (typos and a cut-short last word allowed).

    Extra words on one side only are album names, versions or a title given in part;
    words missing on both sides are another title by the same act.
    """
    if query_title == candidate_title:
        return 0.0
    return round(min(1 - _word_coverage(query_title, candidate_title),
                     1 - _word_coverage(candidate_title, query_title)), 3)


def _partial_similarity(coverage: float) -> float:
    return _PARTIAL_BASE + (1 - _PARTIAL_BASE) * coverage


def _weighted(comps: dict[str, float], w: Weights) -> float:
    weights = {"title": w.title, "artist": w.artist, "version": w.version, "duration": w.duration,
               "year": w.year, "album": w.album}
    return sum(weights[k] * v for k, v in comps.items()) / sum(weights[k] for k in comps)


def _reasons(reading: Reading, cand: Candidate, comps: dict[str, float], c_title: str,
             c_version: Version) -> list[str]:
    """The components in words, best read by a person deciding whether to trust the match."""
    reasons = [f"title {comps['title']:.2f}: {reading.title!r} ~ {c_title!r}"]
    if reading.artist:
        reasons.append(f"artist {comps['artist']:.2f}: {folded(reading.artist)!r} ~ {folded(cand.artist)!r}")
    else:
        reasons.append(f"artist {comps['artist']:.2f}: not given")
    if comps["version"] < 1.0 or reading.version.tags or c_version.tags:
        asked = ", ".join(sorted(reading.version.tags)) or "plain"
        has = ", ".join(sorted(c_version.tags)) or "plain"
        reasons.append(f"version {comps['version']:.2f}: asked {asked}, candidate {has}")
    if "duration" in comps:
        apart = abs((reading.duration_ms or 0) - (cand.duration_ms or 0)) / 1000
        reasons.append(f"duration {comps['duration']:.2f}: {apart:.0f} s apart")
    if "year" in comps:
        reasons.append(f"year {comps['year']:.2f}: asked {reading.year}, candidate {cand.year}")
    if "album" in comps:
        reasons.append(f"album {comps['album']:.2f}: {reading.album!r} ~ {cand.album!r}")
    reasons.append(f"read as {reading.form}")
    return reasons


def _similarity_rows(queries: Sequence[str], choices: list[str]) -> list[list[float]]:
    """Similarity (as `_similar`) of each query to every choice, each row in two C calls."""
    matrix = []
    for q in queries:
        row = [0.0] * len(choices)
        if q:
            for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
                for _, value, i in process.extract(q, choices, scorer=scorer, limit=None):
                    if value > row[i]:
                        row[i] = value
        matrix.append([v / 100.0 for v in row])
    return matrix


def _artist_rows(artists: Sequence[str], credits: Sequence[str]) -> list[list[float]]:
    """`artist_similarity` of each queried artist to every candidate credit, vectorised."""
    keys = [_artist_keys(c) for c in credits]
    fulls = _similarity_rows([strip_the(folded(a)) for a in artists], [k[0] for k in keys])
    mains = _similarity_rows([strip_the(folded(a)) for a in artists], [k[1] for k in keys])
    rows = []
    for a, full_row, main_row in zip(artists, fulls, mains):
        q = strip_the(folded(a))
        rows.append([_artist_rules(q, full, max(f, m)) if max(f, m) < 1.0 else 1.0
                     for (full, _main), f, m in zip(keys, full_row, main_row)])
    return rows


def score_candidates(readings: Sequence[Reading], candidates: Sequence[Candidate],
                     weights: Weights = DEFAULT_WEIGHTS, keep: int = 12) -> list[Scored]:
    """The `keep` best candidates, each scored by its best reading, best first.

    Title and artist similarities are computed for all pairs at once (in C,
    one call per reading); the weighted sum over every pair is plain
    arithmetic, and the full breakdown with reasons is built only for the
    candidates that are kept.
    """
    w = weights
    if not candidates or not readings:
        return []
    readings = _plausible(readings, candidates)
    parts = [_query_parts(c) for c in candidates]
    titles = _similarity_rows([r.title for r in readings], [p[0] for p in parts])
    for r, row in zip(readings, titles):  # the number rule of title_similarity, where it can bite
        if _numbers(r.title):
            for ci, p in enumerate(parts):
                if row[ci] > _NUMBER_PENALTY:
                    row[ci] = _number_rule(r.title, p[0], row[ci])
        for ci, p in enumerate(parts):  # a title given only in part ("since i fell")
            if row[ci] < 1.0 and (coverage := partial_title(r.title, p[0])):
                row[ci] = max(row[ci], _partial_similarity(coverage))
        for ci, p in enumerate(parts):  # a catalog title cut short ("You're" for "You're the ...")
            if r.artist and row[ci] < 1.0 and (coverage := cut_title(r.title, p[0])):
                row[ci] = max(row[ci], _cut_similarity(coverage, w))
    # Placeholder titles ("[unknown]", "005-") are unknown: neither alike nor unlike anything;
    # a bare track number ("7", "12") may be one, so it is at least as alike as unknown.
    unknown_c = [names_no_song(c.title) or names_no_song(p[0]) for c, p in zip(candidates, parts)]
    unknown_r = [names_no_song(r.title) for r in readings]
    number_c = [bool(_TRACK_NUMBER.match(p[0])) for p in parts]
    number_r = [bool(_TRACK_NUMBER.match(r.title)) for r in readings]
    if any(unknown_c) or any(unknown_r) or any(number_c) or any(number_r):
        for ri, row in enumerate(titles):
            for ci in range(len(row)):
                if unknown_r[ri] or unknown_c[ci]:
                    row[ci] = w.missing_title
                elif number_r[ri] or number_c[ci]:
                    row[ci] = max(row[ci], w.missing_title)
    artist_names = list(dict.fromkeys(r.artist for r in readings if r.artist))
    # A row without an artist may have it in its album column (columns shifted in an export).
    from_album = [not folded(c.artist) and bool(c.album) for c in candidates]
    credits = [c.album or "" if shifted else c.artist for c, shifted in zip(candidates, from_album)]
    artist_rows = dict(zip(artist_names, _artist_rows(artist_names, credits)))
    for ci, cand in enumerate(candidates):  # a credit that names nobody is no artist at all
        if names_nobody(cand.artist):
            for row in artist_rows.values():
                row[ci] = w.missing_artist
    versions: dict[Version, list[float]] = {}
    for r in readings:
        if r.version not in versions:
            versions[r.version] = [version_similarity(r.version, p[1]) for p in parts]
    best: list[tuple[float, int, int]] = []  # (total, candidate index, reading index)
    for ci, cand in enumerate(candidates):
        top = (-1.0, ci, 0)
        for ri, r in enumerate(readings):
            num = w.title * titles[ri][ci] + w.version * versions[r.version][ci]
            den = w.title + w.artist + w.version
            num += w.artist * (artist_rows[r.artist][ci] if r.artist else w.missing_artist)
            if r.duration_ms and cand.duration_ms:
                num += w.duration * duration_similarity(r.duration_ms, cand.duration_ms)
                den += w.duration
            if r.year and cand.year:
                num += w.year * (r.year == cand.year)
                den += w.year
            if r.album and cand.album:
                num += w.query_album * _similar(folded(r.album), folded(cand.album))
                den += w.query_album
            if num / den > top[0]:
                top = (num / den, ci, ri)
        best.append(top)
    # Ties: the source's own relevance score (for the catalog, MetaBrainz's canonical release
    # first), then ids; never the order a source listed them in.
    best.sort(key=lambda b: (-b[0], candidates[b[1]].source, -(candidates[b[1]].source_score or 0.0),
                             candidates[b[1]].recording_id or 0))
    scored = []
    # Room for duplicates: several sources (and several readings) describe one recording.
    for total, ci, ri in best[: keep * 3]:
        cand, r = candidates[ci], readings[ri]
        c_title, c_version = parts[ci]
        comps = _components(r, cand, c_title, c_version, w, title=titles[ri][ci],
                            artist=artist_rows[r.artist][ci] if r.artist else None)
        coverage = partial_title(r.title, c_title) or 1.0
        reasons = _reasons(r, cand, comps, c_title, c_version)
        known = not (unknown_r[ri] or unknown_c[ci])
        if not known:
            reasons[0] = (f"title unknown ({comps['title']:.2f}): {r.title!r} ~ {c_title!r}, "
                          "a placeholder names no song")
        doubt = ""
        if r.form.endswith(ACROSS_A_DASH):
            doubt = "read by guessing where the artist ends, across the dash the text has"
        if r.artist and from_album[ci]:
            doubt = "the candidate has no artist; its album was read as one"
            reasons[1] = f"artist {comps['artist']:.2f}: {folded(r.artist)!r} ~ album {folded(cand.album or '')!r}"
        if (r.artist and (cut := cut_title(r.title, c_title))
                and comps["title"] == _cut_similarity(cut, w) > _similar(r.title, c_title)):
            doubt = "the candidate's title is only the start of the one asked for (cut short?)"
            reasons.insert(1, f"candidate's title cut short? {c_title!r} begins {r.title!r}")
        if coverage < 1.0:
            reasons.insert(1, f"title given in part: {coverage:.0%} of it")
        # Only the best one's swapped words feed the verdict: not worth computing for the rest.
        swapped = swapped_words(r.title, c_title) if not scored else 0.0
        scored.append(Scored(cand, round(total, 4), comps, reasons, r.form, coverage,
                             r.title if coverage < 1.0 else "", r.artist is not None,
                             swapped, len(r.title.split()), title_known=known, doubt=doubt))
    return _merge_same(scored)[:keep]


def _query_parts(cand: Candidate) -> tuple[str, Version]:
    """`candidate_version`, without the album a catalog title carries at its end ("Title (Album)")."""
    title = without_album(cand.title, cand.album)
    return candidate_version(cand if title == cand.title else replace(cand, title=title))


def _plausible(readings: Sequence[Reading], candidates: Sequence[Candidate]) -> Sequence[Reading]:
    """The readings worth scoring: a guessed word split ("words: ...") only when a word of its
    artist part starts like a word of some candidate's credit (typos keep their first letters).

    Unseparated text of n words has 2(n-1) splits; most name nobody the candidates know,
    and scoring their artists is the dearest part of scoring.
    """
    heads = {word[:3] for c in candidates for word in _artist_keys(c.artist)[0].split()}
    return [r for r in readings
            if not r.form.startswith("words:") or r.artist is None
            or any(word[:3] in heads for word in folded(r.artist).split() if word not in _CREDIT_WORDS)]


@lru_cache(maxsize=200_000)
def _main_artist(artist: str) -> str | None:
    main = split_artists(artist).main
    return main[0] if main else None


def score_record(title: str, artist: str | None, candidate: Candidate, *,
                 duration_ms: int | None = None, album: str | None = None,
                 year: int | None = None, weights: Weights = DEFAULT_WEIGHTS) -> Scored:
    """One candidate scored against a record whose title and artist are already apart.

    For comparing catalog rows with each other (duplicates, the benchmarks in
    bench/): a record's fields say which part is the title, so no readings are
    guessed, and the record's title is cleaned exactly as a candidate's is
    (version words and feat. credits out), which keeps the score symmetric up
    to the artist credit. Only the first main name of `artist` is compared,
    as a query's would be.
    """
    clean, version = title_parts(title)
    reading = Reading(clean, _main_artist(artist) if artist else None, version, "record",
                       year or version.year, duration_ms, album)
    c_title, c_version = candidate_version(candidate)
    comps = _components(reading, candidate, c_title, c_version, weights)
    return Scored(candidate, round(_weighted(comps, weights), 4), comps,
                  _reasons(reading, candidate, comps, c_title, c_version), reading.form)


def _identity(c: Candidate) -> set[str]:
    return {f"{k}:{v}" for k, v in c.ids.items() if k in ("isrc", "mbid", "spotify_id")}


# Two lengths this close are one recording described twice (rounding, a second of silence).
SAME_LENGTH_MS = 3_000


def same_recording(a: Candidate, b: Candidate) -> bool:
    """Whether two candidates describe one recording, so neither is the other's rival.

    A shared id settles it. Otherwise the title (without version words), the
    main artist and the version must agree, and so must year and length when
    both sides know them. Two rows of the *same* source also need the same
    length: a source listing two recordings without lengths (the catalog's two
    "Elastic Heart" releases) is taken at its word that they differ.
    """
    ids_a, ids_b = _identity(a), _identity(b)
    if ids_a & ids_b:
        return True
    for key in ("isrc", "mbid", "spotify_id"):
        if a.ids.get(key) and b.ids.get(key) and a.ids[key] != b.ids[key] and key != "isrc":
            return False
    title_a, version_a = candidate_version(a)
    title_b, version_b = candidate_version(b)
    if title_a != title_b or version_a.tags != version_b.tags:
        return False
    if lead_artist(a.artist) != lead_artist(b.artist):
        return False
    if a.year and b.year and a.year != b.year:
        return False
    if a.duration_ms and b.duration_ms:
        return abs(a.duration_ms - b.duration_ms) <= SAME_LENGTH_MS
    return a.source != b.source


def _merge_same(scored: list[Scored]) -> list[Scored]:
    """One entry per recording: another source's description of it joins the better-scored one.

    The joined candidate keeps both sources' ids and links (the Chet Baker take
    with its MBID *and* its Spotify id), and the other description travels in
    `also`, so saving it records any disagreement.
    """
    from cuesheet.sources.crosslink import combine

    out: list[Scored] = []
    members: list[set[str]] = []  # sources already joined into each entry
    for s in scored:
        ident = _identity(s.candidate)
        for i, kept in enumerate(out):
            if (ident & _identity(kept.candidate)) or (
                    s.candidate.source not in members[i] and same_recording(kept.candidate, s.candidate)):
                out[i] = replace(kept, candidate=combine(kept.candidate, s.candidate))
                members[i].add(s.candidate.source)
                break
        else:
            out.append(s)
            members.append({s.candidate.source})
    return out
