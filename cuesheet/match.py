"""Scores and verdicts: which recording a piece of messy song text names, and how sure.

In the manner of beets' `Distance`: every candidate gets named components
(title, artist, version, duration, year, album), each a similarity in 0..1,
combined with the weights of one frozen `Weights` passed in explicitly. The
verdict comes from thresholds plus the gap to the runner-up, so two equally
good takes (Sia's 2013 and 2014 "Elastic Heart") go to review rather than one
being picked by chance. Every component is also a human-readable reason.

The text is read every plausible way (`normalize.parse_query`: artist - title,
title - artist, title by artist, words in any order); each reading is scored
against every candidate and the best reading wins, so a wrong reading costs
a comparison, never a wrong answer.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from cuesheet import ids
from cuesheet.normalize import (
    QueryReading, Version, fold, parse_query, split_artists, split_mashup, split_version,
)
from cuesheet.sources import Candidate, SongQuery, Source, SourceSkipped

VERDICTS = ("accepted", "review", "no_match")


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
    missing_artist: float = 0.5
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
        }


@dataclass(frozen=True)
class Identification:
    """What one query was found to be. `parts` is set when it read best as a mashup."""

    query: str
    verdict: str
    candidates: list[Scored]
    parts: list[Identification] = field(default_factory=list)
    skipped: list[SourceSkipped] = field(default_factory=list)

    @property
    def best(self) -> Scored | None:
        return self.candidates[0] if self.candidates else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "query": self.query,
            "verdict": self.verdict,
            "candidates": [s.to_json() for s in self.candidates],
        }
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        if self.skipped:
            out["skipped"] = [str(s) for s in self.skipped]
        return out


# --- components --------------------------------------------------------------------------

_BRACKETED = re.compile(r"[(\[{]|\s[-–—]\s")
_FEAT_CUT = re.compile(r" (?:feat|ft|featuring|with|x|vs|and) ")


@lru_cache(maxsize=200_000)
def _title_parts(title: str) -> tuple[str, Version]:
    """Folded title without version words, and the version; cheap for plain titles."""
    if _BRACKETED.search(title):
        clean, version = split_version(title)
        clean = re.sub(r"(?i)[(\[]\s*(?:feat|ft|featuring|with)\b.*?[)\]]|\s(?:feat|ft)\.?\s.*$", "", clean)
        return _fold(clean), version
    return _fold(title), Version()


@lru_cache(maxsize=200_000)
def _fold(text: str) -> str:
    return fold(text)


def _strip_the(folded: str) -> str:
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


@lru_cache(maxsize=200_000)
def _artist_keys(artist: str) -> tuple[str, str]:
    """The whole credit and its first main name, both folded without a leading "the"."""
    full = _strip_the(_fold(artist))
    main = _strip_the(_FEAT_CUT.split(full, maxsplit=1)[0])
    return full, main


@lru_cache(maxsize=100_000)
def _lead_artist(artist: str) -> str:
    """The first named act of a credit, folded: "Sia, Diplo" and "Sia feat. Diplo" both give "sia"."""
    main = split_artists(artist).main
    if not main:
        return _strip_the(_fold(artist))
    return _strip_the(_fold(main[1] if len(main) > 1 else main[0]))


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
    q = _strip_the(_fold(query_artist))
    full, main = _artist_keys(candidate_artist)
    best = max(_similar(q, full), _similar(q, main))
    if best < 1.0 and len(q) >= 3 and (f" {q} " in f" {full} "):
        # Named in a shared credit ("Garfunkel" in "Simon and Garfunkel"): good, not exact.
        best = max(best, 0.85)
    if 0.5 < best < 1.0:  # the cap can only lower it; below 0.5 it decides nothing
        coverage = _word_coverage(q, full)
        if coverage < 1.0:
            # One name word of three missing ("Connie Top" vs "Connie Winstons") must
            # already keep an exact title out of `accept`.
            best = min(best, _MISSING_WORD_CAP * coverage)
    return best


_MISSING_WORD_CAP = 0.9


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
    "remaster remastered karaoke cover original explicit clean edited".split()
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


@dataclass(frozen=True)
class _Reading:
    title: str          # folded, version-free
    artist: str | None  # as typed
    version: Version
    form: str
    year: int | None = None
    duration_ms: int | None = None
    album: str | None = None


def _readings(text: str, artist: str | None, duration_ms: int | None = None,
              album: str | None = None) -> list[_Reading]:
    """parse_query's readings, plus every title/artist split of an unseparated text.

    "elastic heart sia" has no separator, so the artist may be any run of words
    at either end; trying each split is cheaper than guessing, and the scores
    decide.
    """
    out: list[_Reading] = []
    seen: set[tuple[str, str | None]] = set()

    def add(title: str, who: str | None, version: Version, form: str) -> None:
        key = (title, _fold(who) if who else None)
        if title and key not in seen:
            seen.add(key)
            out.append(_Reading(title, who, version, form, version.year, duration_ms, album))

    for r in parse_query(text, artist):
        add(_fold(r.title), r.artist, r.version, r.form)
        if r.form == "words" and r.artist is None:
            words = _fold(r.title).split()
            version = r.version
            # Unbracketed trailing version words or a year: "both sides now joni mitchell 2000".
            while len(words) > 2:
                tail = split_version(f"x ({words[-1]})")[1]
                if not (tail.tags or tail.year):
                    break
                version = Version(version.tags | tail.tags, version.year or tail.year,
                                  "; ".join(p for p in (version.raw, words[-1]) if p))
                words = words[:-1]
            if version != r.version:
                add(" ".join(words), None, version, "words")
            r = QueryReading(r.title, r.artist, version, r.featured, r.form)
            if 2 <= len(words) <= 12:
                for k in range(1, len(words)):
                    add(" ".join(words[:k]), " ".join(words[k:]), r.version, "words: title artist")
                    add(" ".join(words[k:]), " ".join(words[:k]), r.version, "words: artist title")
    return out


def _candidate_version(cand: Candidate) -> tuple[str, Version]:
    c_title, c_version = _title_parts(cand.title)
    if cand.version:
        extra = split_version(f"x ({cand.version})")[1]
        c_version = Version(c_version.tags | extra.tags, c_version.year or extra.year,
                            "; ".join(p for p in (c_version.raw, cand.version) if p))
    return c_title, c_version


def _components(reading: _Reading, cand: Candidate, c_title: str, c_version: Version, w: Weights,
                title: float | None = None) -> dict[str, float]:
    comps = {"title": title_similarity(reading.title, c_title) if title is None else title,
             "artist": artist_similarity(reading.artist, cand.artist) if reading.artist else w.missing_artist,
             "version": version_similarity(reading.version, c_version)}
    if reading.duration_ms and cand.duration_ms:
        comps["duration"] = duration_similarity(reading.duration_ms, cand.duration_ms)
    if reading.year and cand.year:
        comps["year"] = 1.0 if reading.year == cand.year else 0.0
    if reading.album and cand.album:
        comps["album"] = _similar(_fold(reading.album), _fold(cand.album))
    return comps


def _weighted(comps: dict[str, float], w: Weights) -> float:
    weights = {"title": w.title, "artist": w.artist, "version": w.version, "duration": w.duration,
               "year": w.year, "album": w.album}
    return sum(weights[k] * v for k, v in comps.items()) / sum(weights[k] for k in comps)


def _reasons(reading: _Reading, cand: Candidate, comps: dict[str, float], c_title: str,
             c_version: Version) -> list[str]:
    """The components in words, best read by a person deciding whether to trust the match."""
    reasons = [f"title {comps['title']:.2f}: {reading.title!r} ~ {c_title!r}"]
    if reading.artist:
        reasons.append(f"artist {comps['artist']:.2f}: {_fold(reading.artist)!r} ~ {_fold(cand.artist)!r}")
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
    fulls = _similarity_rows([_strip_the(_fold(a)) for a in artists], [k[0] for k in keys])
    mains = _similarity_rows([_strip_the(_fold(a)) for a in artists], [k[1] for k in keys])
    rows = []
    for a, full_row, main_row in zip(artists, fulls, mains):
        q = _strip_the(_fold(a))
        row = [max(f, m) for f, m in zip(full_row, main_row)]
        if len(q) >= 3:
            padded = f" {q} "
            for i, (full, _main) in enumerate(keys):
                if row[i] < 0.85 and padded in f" {full} ":
                    row[i] = 0.85
        for i, (full, _main) in enumerate(keys):  # the word-coverage cap of artist_similarity
            if 0.5 < row[i] < 1.0:
                coverage = _word_coverage(q, full)
                if coverage < 1.0:
                    row[i] = min(row[i], _MISSING_WORD_CAP * coverage)
        rows.append(row)
    return rows


def score_candidates(readings: Sequence[_Reading], candidates: Sequence[Candidate],
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
    parts = [_candidate_version(c) for c in candidates]
    titles = _similarity_rows([r.title for r in readings], [p[0] for p in parts])
    for r, row in zip(readings, titles):  # the number rule of title_similarity, where it can bite
        if _numbers(r.title):
            for ci, p in enumerate(parts):
                if row[ci] > _NUMBER_PENALTY:
                    row[ci] = _number_rule(r.title, p[0], row[ci])
    artist_names = list(dict.fromkeys(r.artist for r in readings if r.artist))
    artist_rows = dict(zip(artist_names, _artist_rows(artist_names, [c.artist for c in candidates])))
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
                num += w.album * _similar(_fold(r.album), _fold(cand.album))
                den += w.album
            if num / den > top[0]:
                top = (num / den, ci, ri)
        best.append(top)
    # Ties: the source's own order (for the catalog, MetaBrainz's canonical release first), then ids.
    best.sort(key=lambda b: (-b[0], candidates[b[1]].source, -(candidates[b[1]].source_score or 0.0),
                             candidates[b[1]].recording_id or 0))
    scored = []
    # Room for duplicates: several sources (and several readings) describe one recording.
    for total, ci, ri in best[: keep * 3]:
        cand, r = candidates[ci], readings[ri]
        c_title, c_version = parts[ci]
        comps = _components(r, cand, c_title, c_version, w, title=titles[ri][ci])
        scored.append(Scored(cand, round(total, 4), comps, _reasons(r, cand, comps, c_title, c_version),
                             r.form))
    return _merge_same(scored)[:keep]


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
    clean, version = _title_parts(title)
    reading = _Reading(clean, _main_artist(artist) if artist else None, version, "record",
                       year or version.year, duration_ms, album)
    c_title, c_version = _candidate_version(candidate)
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
    title_a, version_a = _candidate_version(a)
    title_b, version_b = _candidate_version(b)
    if title_a != title_b or version_a.tags != version_b.tags:
        return False
    if _lead_artist(a.artist) != _lead_artist(b.artist):
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
                out[i] = Scored(combine(kept.candidate, s.candidate), kept.score, kept.components,
                                kept.reasons, kept.reading)
                members[i].add(s.candidate.source)
                break
        else:
            out.append(s)
            members.append({s.candidate.source})
    return out


def verdict(scored: Sequence[Scored], weights: Weights = DEFAULT_WEIGHTS) -> str:
    """accepted: above `accept` and ahead of the first *other* recording by `gap`.

    A duplicate of the best (a source listing one recording twice, same
    length) is not a rival; a second take or another artist's cover is.
    """
    if not scored or scored[0].score < weights.review:
        return "no_match"
    if scored[0].score >= weights.accept:
        best = scored[0].candidate
        runner_up = next((s.score for s in scored[1:] if not same_recording(best, s.candidate)), 0.0)
        if scored[0].score - runner_up >= weights.gap:
            return "accepted"
    return "review"


def gather(sources: Sequence[Source], readings: Sequence[_Reading], text: str,
           artist: str | None, limit: int) -> tuple[list[Candidate], list[SourceSkipped]]:
    """Ask every source; a source that cannot answer is skipped with its reason."""
    candidates: list[Candidate] = []
    skipped: list[SourceSkipped] = []
    for source in sources:
        try:
            if source.name == "catalog":
                # The catalog's word index takes every word at once, whatever the reading.
                candidates += source.search(SongQuery(title=text, artist=artist), limit=limit)
                continue
            seen: set[tuple[str, str | None]] = set()
            # A curator's title and artist are one query; free text is tried three ways
            # (each costs a request, and online services allow about one a second).
            # The word-split guesses ("words: ...") are for scoring only: online services
            # search free text themselves, so unseparated text is one request.
            typed = [r for r in readings if not r.form.startswith("words:")]
            tries = typed[:1] if typed and typed[0].form == "given-artist" else typed[:3]
            for r in tries:
                if (r.title, r.artist) in seen:
                    continue
                seen.add((r.title, r.artist))
                candidates += source.search(
                    SongQuery(title=r.title, artist=r.artist, duration_ms=r.duration_ms), limit=limit
                )
        except SourceSkipped as exc:
            skipped.append(exc)
    # Several readings often bring back the same rows.
    unique: dict[tuple[object, ...], Candidate] = {}
    for c in candidates:
        key = (c.source, c.recording_id, tuple(sorted(c.ids.items())), c.title, c.artist, c.album, c.year)
        unique.setdefault(key, c)
    candidates = list(unique.values())
    return candidates, skipped


def identify(text: str, sources: Sequence[Source], *, artist: str | None = None,
             duration_ms: int | None = None, album: str | None = None,
             weights: Weights = DEFAULT_WEIGHTS, limit: int = 5,
             mashups: bool = True) -> Identification:
    """Find what `text` names among the sources' candidates and say how sure that is.

    Mashup text ("A / B", "A x B") is split only when every part matches on its
    own at least as well as review and better, on average, than the whole.
    """
    readings = _readings(text, artist, duration_ms, album)
    candidates, skipped = gather(sources, readings, text, artist, max(limit, 10))
    # Two more than shown: the runner-up decides the verdict, and a merged duplicate
    # must not leave the list short.
    scored = score_candidates(readings, candidates, weights, keep=limit + 2)
    whole = Identification(text, verdict(scored, weights), scored[:limit], skipped=skipped)
    if not mashups:
        return whole
    parts_text = split_mashup(text)
    if not parts_text:
        return whole
    parts = [identify(p, sources, artist=None, weights=weights, limit=limit, mashups=False)
             for p in parts_text]
    best_parts = [p.best.score if p.best else 0.0 for p in parts]
    whole_best = whole.best.score if whole.best else 0.0
    if min(best_parts) < weights.review or sum(best_parts) / len(best_parts) <= whole_best:
        return whole
    order = {v: i for i, v in enumerate(VERDICTS)}
    worst = max((p.verdict for p in parts), key=order.__getitem__)
    tops = [p.candidates[0] for p in parts]
    all_skipped = skipped + [s for p in parts for s in p.skipped if str(s) not in map(str, skipped)]
    return Identification(text, worst, tops, parts=parts, skipped=all_skipped)


# --- the database side: match cue songs, keep the review queue ------------------------------


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
    from cuesheet.sources.crosslink import save_candidate

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
    from cuesheet.db import transaction

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
            best = Scored(linked, ident.best.score, ident.best.components, ident.best.reasons,
                          ident.best.reading)
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
