"""Reading song text: every plausible title/artist split of a query, and a candidate's title apart from its version.

Pure functions over strings; no connection, no scoring. The scorer tries every
reading and keeps the best, so a wrong reading costs a comparison, never a
wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cuesheet.normalize import (
    QueryReading,
    Version,
    fold,
    parse_query,
    split_version,
)
from cuesheet.sources import Candidate

_BRACKETED = re.compile(r"[(\[{]|\s[-–—]\s")


@lru_cache(maxsize=200_000)
def title_parts(title: str) -> tuple[str, Version]:
    """Folded title without version words, and the version; cheap for plain titles."""
    if _BRACKETED.search(title):
        clean, version = split_version(title)
        clean = re.sub(r"(?i)[(\[]\s*(?:feat|ft|featuring|with)\b.*?[)\]]|\s(?:feat|ft)\.?\s.*$", "", clean)
        return folded(clean), version
    return folded(title), Version()


@lru_cache(maxsize=200_000)
def folded(text: str) -> str:
    return fold(text)


def strip_the(folded: str) -> str:
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


@dataclass(frozen=True)
class Reading:
    title: str          # folded, version-free
    artist: str | None  # as typed
    version: Version
    form: str
    year: int | None = None
    duration_ms: int | None = None
    album: str | None = None


def read_query(text: str, artist: str | None, duration_ms: int | None = None,
              album: str | None = None) -> list[Reading]:
    """parse_query's readings, plus every title/artist split of an unseparated text.

    "elastic heart sia" has no separator, so the artist may be any run of words
    at either end; trying each split is cheaper than guessing, and the scores
    decide.
    """
    out: list[Reading] = []
    seen: set[tuple[str, str | None]] = set()

    def add(title: str, who: str | None, version: Version, form: str) -> None:
        key = (title, folded(who) if who else None)
        if title and key not in seen:
            seen.add(key)
            out.append(Reading(title, who, version, form, version.year, duration_ms, album))

    for r in parse_query(text, artist):
        add(folded(r.title), r.artist, r.version, r.form)
        if r.form == "words" and r.artist is None:
            words = folded(r.title).split()
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


def candidate_version(cand: Candidate) -> tuple[str, Version]:
    c_title, c_version = title_parts(cand.title)
    if cand.version:
        extra = split_version(f"x ({cand.version})")[1]
        c_version = Version(c_version.tags | extra.tags, c_version.year or extra.year,
                            "; ".join(p for p in (c_version.raw, cand.version) if p))
    return c_title, c_version
