"""MusicBrainz 20K (Leipzig): cluster 19,375 messy song records with the matcher.

    .venv/bin/python -m bench.mb20k [--pool 30] [--errors 15]

Published: ComEM (gpt-4o-mini) pairwise F1 0.528; exact normalised match 0.111.
Goal: pairwise F1 >= 0.80 without a language model.

The five sources of the benchmark each write a record their own way (the
`SourceID` column was dropped from this copy, so nothing here knows which
source a record came from):

    Alecrim                      | 118066     | [unknown] | Cantigas de roda        | (blank)
    [unknown] - Alecrim          | 118        | (blank)   | Cantigas de roda        | (blank)
    Alecrim (Cantigas de roda)   | 01:58      | [unknown] | Cantigas de roda        |
    Alecrim - Cantigas de roda   | 1.968      | [unknown] | (blank)                 |
    007-Alecrim                  | 1m 58sec   | [unknown] | Cantigas de roda (unknown) | null

`parse` turns each into fields with small rules a person would write after
reading the file (lengths in ms, s, m:ss, decimal minutes or "XmYsec"; years as
"75", "'05" or "2005"; a "NNN-" track number; an album in brackets after the
title or after a dash), and gives the matcher every plausible reading of a
" - " title (artist - title, or title - album) to score: the parser guesses,
the scores decide, as `identify` does with people's text.
"""

from __future__ import annotations

import argparse
import re
import time

from bench import datasets
from bench.clustering import Reading, Record, Scores, report_headline, run
from bench.datasets import MBRecord
from cuesheet.errors import ParseError
from cuesheet.notation.normalize import split_version
from cuesheet.notation.timecode import parse_time

_TRACK_NO = re.compile(r"^\d{2,4}-(?=\S)")
_ALBUM_YEAR = re.compile(r"^(.*?)\s*\((\d{4}|unknown)\)$")
_MIN_SEC = re.compile(r"^(\d+)m\s*(\d+)sec$")
_DECIMAL_MINUTES = re.compile(r"^\d+\.\d+$")
_DASH = " - "


def parse_length(text: str) -> int | None:
    """Milliseconds from "118066" (ms), "118" (s), "01:58", "1.968" (minutes), "1m 58sec"."""
    s = text.strip()
    if not s or s in ("unk.", "null", "unknown"):
        return None
    if m := _MIN_SEC.match(s):
        return (int(m.group(1)) * 60 + int(m.group(2))) * 1000
    if ":" in s:
        try:
            return parse_time(s.replace(" ", ""))
        except ParseError:
            return None
    if _DECIMAL_MINUTES.match(s):
        return round(float(s) * 60_000)
    digits = s.replace(" ", "")
    if digits.isdigit():
        n = int(digits)
        # No song runs 10,000 s (2.8 h); no song is 10 s long in milliseconds.
        return n if n >= 10_000 else n * 1000
    return None


def parse_year(text: str) -> int | None:
    """1975 from "75", "'75" or "1975"; None for "null", "2" and typos like "2901"."""
    s = text.strip().lstrip("'")
    if re.fullmatch(r"\d{2}", s):
        n = int(s)
        return 2000 + n if n <= 25 else 1900 + n
    if re.fullmatch(r"\d{4}", s) and 1900 <= int(s) <= 2025:
        return int(s)
    return None


_MISSING = frozenset({"", "null", "unk.", "unknown", "n/a", "n.a."})
_LENGTH_LIKE = re.compile(r"^[\d :.]+$|^\d+m\s*\d+sec$")
_TRAILING_GROUP = re.compile(r"^(.*\S)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)$")


def _value(text: str) -> str | None:
    """A field's text, or None for the file's missing-value markers ("null", "unk." ...)."""
    s = text.strip()
    return None if s.lower() in _MISSING else s


def readings(title: str, artist: str | None, album: str | None) -> list[Reading]:
    """Every plausible way to read a title, most literal first.

    A trailing bracket group may be the album ("Alecrim (Cantigas de roda)"),
    a " - " may divide artist - title (when no artist is given) or title -
    album; the first and the last dash are tried. Extra readings cost a
    comparison each: the best-scoring one counts.
    """
    out: list[Reading] = []

    def add(t: str, a: str | None, al: str | None) -> None:
        t = t.strip()
        if t and Reading(t, a, al) not in out:
            out.append(Reading(t, a, al))

    add(title, artist, album)
    m = _TRAILING_GROUP.match(title)
    # A version group ("(Dexter remix)") stays in the title, where the matcher reads it.
    if m and not split_version(f"x ({m.group(2)})")[1].raw:
        add(m.group(1), artist, album or m.group(2))
    dashes = [m.start() for m in re.finditer(re.escape(_DASH), title)]
    for cut in dict.fromkeys(dashes[:1] + dashes[-1:]):
        left, right = title[:cut], title[cut + len(_DASH):]
        if artist is None:
            add(right, left.strip(), album)
        add(left, artist, album or right.strip())
    return out


def _unsquash(title: str) -> str:
    """"Chronic_Future_-_Stop_Pretending", "Paul-Glass---Call-Your-Mummy": spaces put back.

    Only for titles without a single space, where "_" or "-" stood for one.
    """
    if " " in title:
        return title
    if "_" in title:
        return title.replace("_", " ")
    if "---" in title:
        return " - ".join(part.replace("-", " ") for part in title.split("---"))
    return title


def parse(r: MBRecord) -> Record:
    album = _value(r.album)
    year = parse_year(r.year)
    if album and (m := _ALBUM_YEAR.match(album)):
        album = m.group(1) or None
        if year is None and m.group(2).isdigit():
            year = int(m.group(2))
    artist = _value(r.artist)
    if artist and _LENGTH_LIKE.match(artist):  # a length slipped into the artist column
        artist = None
    title = _unsquash(_TRACK_NO.sub("", r.title.strip()))
    found = readings(title, artist, album) or [Reading(title, artist, album)]
    return Record(r.id, r.cluster, tuple(found), parse_length(r.length), year,
                  raw=f"{r.title} | {r.length} | {r.artist} | {r.album} | {r.year}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=30, help="rows the index returns per record")
    parser.add_argument("--errors", type=int, default=15, help="wrong pairs to list")
    parser.add_argument("--no-duration", action="store_true")
    parser.add_argument("--no-year", action="store_true")
    parser.add_argument("--no-album", action="store_true")
    args = parser.parse_args()
    raw = datasets.mb20k()
    records = [parse(r) for r in raw]
    print(f"MusicBrainz 20K: {len(records)} records, {len({r.gold for r in records})} clusters")
    scores = Scores({r.id: r for r in records}, use_duration=not args.no_duration,
                    use_year=not args.no_year, use_album=not args.no_album)
    start = time.perf_counter()
    result = run(records, pool=args.pool, scores=scores)
    found, real = result.blocking_recall()
    print(f"blocking: pool {args.pool}, {len(result.pairs)} pairs scored, "
          f"{found}/{real} true pairs among them ({found / real:.3f})")
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items())
          + f", {scores.calls} one-way scores")
    report_headline(result, started=start, show_errors=args.errors)


if __name__ == "__main__":
    main()
