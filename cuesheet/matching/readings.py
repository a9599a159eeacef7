"""Reading song text: every plausible title/artist split of a query, and a candidate's title apart from its version.

Pure functions over strings; no connection, no scoring. The scorer tries every
reading and keeps the best, so a wrong reading costs a comparison, never a
wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cuesheet.notation.normalize import (
    Version,
    classify_version,
    fold,
    parse_query,
    split_artists,
    split_featured,
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


# Titles that name no song, as catalogs from other databases write an unknown one: empty or
# punctuation only ("...", "***"), "[unknown]", "[untitled]", "n.a.", "null", "unk.", a
# zero-padded track number ("005-", "04"), folded. ("Track 61" stays a title: audiobooks
# number their chapters so, and the number tells them apart.)
_NO_SONG = re.compile(r"^(?:|unknown(?: title)?|untitled(?: track)?|no title|null|none|unk|na|n a"
                      r"|0\d*[a-z]?)$")
# ... and a length in the raw text ("03:47", "1m 58sec").
_LENGTH = re.compile(r"(?i)^\s*(?:\d{1,2}:\d\d|\d+m\s*\d+\s*sec)\s*$")
# Credits that name nobody ("[unknown]", "null", "n.a.", "unk.", "Unknown Artist").
_NO_ONE = re.compile(r"^(?:unknown(?: artist)?|null|none|unk|na|n a|anonymous)$")


@lru_cache(maxsize=200_000)
def names_no_song(title: str) -> bool:
    """Whether a title (raw or folded) is a placeholder that tells no song from another.

    Such a title is unknown, not a title: two rows that both say "[unknown]" or
    "005-" are no more alike for it. Bare numbers without a leading zero stay
    titles ("7", "22", "1979" are songs).
    """
    return bool(_NO_SONG.match(folded(title)) or _LENGTH.match(title))


@lru_cache(maxsize=50_000)
def names_nobody(artist: str) -> bool:
    """Whether an artist credit is a placeholder ("[unknown]", "null"): no artist at all.

    An empty credit is not one: a catalog row without an artist often has it in its title.
    """
    return bool(_NO_ONE.match(folded(artist)))


def without_album(title: str, album: str | None) -> str:
    """A catalog title without its album, when it carries it at the end ("Title (Album)",
    "Title - Album", as records from other databases do); otherwise the title as it is.

    Only a bracket group or a dashed part that is the album word for word is taken off,
    so "Thriller" on *Thriller* and "Welcome to the Jungle" on *Jungle* stay whole.
    """
    if not album or not title:
        return title
    key = folded(album)
    if not key or key not in folded(title) or key == folded(title):
        return title
    for m in _ALBUM_CUT.finditer(title):
        rest = title[: m.start()].strip()
        if rest and folded(title[m.end():]) == key and folded(rest):
            return rest
    return title


_ALBUM_CUT = re.compile(r"\s*[(\[]|\s[-–—]\s")


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


# Unbracketed words of pasted video and scrobble titles that say nothing about the song:
# "Side By Side lyrics (Official Video)", "... music video HD".
_NOISE = re.compile(
    r"(?i)\b(?:official\s+)?(?:music\s+|lyrics?\s+)?video\b|\bofficial\s+(?:audio|visuali[sz]er)\b"
    r"|\blyrics?\b|\bvisuali[sz]er\b|\b(?:hd|hq|4k|1080p|720p)\b|\bexplicit\b"
)
# Unbracketed version words with a year or at the very end: "remastered 2011", "2009 remaster",
# "live 1985", "live at Wembley" (to the end), a last "mono"/"stereo"/"live".
_NOISE_VERSION = re.compile(
    r"(?i)\b(?:digitally\s+)?remaster(?:ed)?(?:\s+(?:19|20)\d\d)?\b|\b(?:19|20)\d\d\s+remaster(?:ed)?\b"
    r"|\blive\s+(?:19|20)\d\d\b|\blive\s+(?:at|in|from)\s+[^-–—()\[\]]*$|\b(?:mono|stereo|live)\s*$"
)
_DANGLING = re.compile(r"^[\s\-–—:|,]+|[\s\-–—:|,]+$")


def strip_noise(text: str) -> tuple[str, Version]:
    """The text without unbracketed noise and version words, and those words as a `Version`.

    Bracketed groups are left to `parse_query`, which already reads them. A text
    that would be emptied is returned as it was ("Live", "Video").
    """
    found: list[str] = []

    def take(m: re.Match[str]) -> str:
        found.append(m.group().strip())
        return " "

    rest = _NOISE.sub(take, text)
    rest = _NOISE_VERSION.sub(take, rest)
    rest = re.sub(r"[(\[{][\s,;/-]*[)\]}]", " ", rest)  # a group that held only noise
    if not found:
        return text, Version()
    # A dash left with nothing on one side ("Song lyrics - Artist" is fine; "Song - lyrics" is not).
    rest = " - ".join(p for p in (_DANGLING.sub("", part) for part in re.split(r"\s[-–—]\s", rest)) if p)
    rest = " ".join(rest.split())
    if len(folded(rest)) < 1:
        return text, Version()
    version = split_version("x (" + "; ".join(found) + ")")[1]
    return rest, Version(version.tags, version.year, "; ".join(found))


def _with(version: Version, extra: Version) -> Version:
    if not extra.raw:
        return version
    return Version(version.tags | extra.tags, version.year or extra.year,
                   "; ".join(p for p in (version.raw, extra.raw) if p))


_DASHES = re.compile(r"\s+(?:-{1,2}|[–—])\s+")
# A last bracket group, which may hold one more ("(Evil Urges (Instrumentals))").
_TRAILING_GROUP = re.compile(r"^(.*?\S)\s*[(\[](?:[^()\[\]]|[(\[][^()\[\]]*[)\]])*[)\]]\s*$")
_BARE_SPOTIFY = re.compile(r"^[0-9A-Za-z]{22}$")


def read_id(text: str) -> tuple[str, str] | None:
    """("mbid" | "spotify_id" | "isrc", the id) when the whole text is one id, else None.

    Accepted as people paste them: a MusicBrainz recording id or URL, a Spotify
    track id, `spotify:track:` URI or open.spotify.com URL, an ISRC with or
    without dashes. A bare 22-character word counts as a Spotify id only when it
    mixes digits or cases as generated ids do, so a long word is still a title.
    """
    from cuesheet.notation import ids
    from cuesheet.errors import CuesheetError

    raw = text.strip()
    if not raw or " " in raw:
        return None
    for key, check in (("mbid", ids.normalize_mbid), ("spotify_id", ids.normalize_spotify_id),
                       ("isrc", ids.normalize_isrc)):
        try:
            value = check(raw)
        except CuesheetError:
            continue
        if key == "spotify_id" and _BARE_SPOTIFY.match(raw) and raw.isalpha() and (raw.islower() or raw.isupper()):
            continue
        return key, value
    return None


# "05 - ", "12. ", "3) ", "07 " (zero-padded): a track number, not title words ("7 Seconds",
# "1999 - Prince" and "22 - Taylor Swift" are also read as they are).
_TRACK_NUMBER = re.compile(r"^\s*(?:\d{1,3}\s*(?:[-–—)]|\.(?=\s))\s*|0\d{1,2}\s+)(?:[-–—]\s+)?(?=\S)")


def _group_aside(title: str) -> tuple[str, str] | None:
    """(the text before a trailing group, the group) when the group names no version
    ("(2000 re-recording)" is one, "(The Best of John Denver)" is not), else None."""
    trailing = _TRAILING_GROUP.match(title)
    if not trailing:
        return None
    group = title[len(trailing.group(1)):].strip()[1:-1].strip()
    if not group or split_version(f"x ({group})")[1].raw or _NUMBERED_PART.match(group):
        return None
    return trailing.group(1), group


# A group that numbers a part of the work ("(Part 3)", "(No. 2)", "[Op. 27]") is title: the
# number rule must see it.
_NUMBERED_PART = re.compile(r"(?i)^(?:part|pt|no|nr|number|op|opus|vol|volume|chapter|act|book|movement|mvt)"
                            r"\.?\s*\d|^\d+$")
ACROSS_A_DASH = " (across a dash)"


# Word splits are tried for texts up to this many words (each split is one more reading).
MAX_SPLIT_WORDS = 14


def read_query(text: str, artist: str | None, duration_ms: int | None = None,
               album: str | None = None) -> list[Reading]:
    """parse_query's readings of the text (and of it without noise), plus every title/artist split.

    "elastic heart sia" has no separator, and "Inez Foxx Hurt By Love" has one
    that is part of the title, so the artist may be any run of words at either
    end; trying each split is cheaper than guessing, and the scores decide.
    An artist part keeps only its main name ("Bob Seger ft. Fleetwood Mac Rock
    And Roll" reads "bob seger" / "rock and roll").
    """
    out: list[Reading] = []
    seen: set[tuple[str, str | None, str | None]] = set()

    def add(title: str, who: str | None, version: Version, form: str, on: str | None = None) -> None:
        """`on`: an album the text names besides the one given (kept apart from the title)."""
        if who is not None and names_nobody(who):
            who = None  # "[unknown] - Alecrim": the title alone
        if on and title.endswith(" " + (album_key := folded(on))):
            title = title[: -len(album_key) - 1]  # the album written twice ("Title (Album) (Album)")
        key = (title, folded(who) if who else None, on)
        if title and key not in seen:
            seen.add(key)
            out.append(Reading(title, who, version, form, version.year, duration_ms, album or on))

    clean, noise = strip_noise(text)
    # A track number before the text ("05 - Title - Artist", "12. Title"), as file names and
    # exports from other databases write it: read without it too (the catalog has no
    # track numbers to weigh it against).
    numbered = _TRACK_NUMBER.match(clean)
    if numbered and len(folded(clean[numbered.end():])) >= 1:
        clean = clean[numbered.end():]
    texts = [(clean, noise), (text, Version())] if clean != text else [(text, Version())]
    for t, extra in texts:
        for r in parse_query(t, artist):
            add(folded(r.title), r.artist, _with(r.version, extra), r.form)
            # "Title (Album) - Artist": a trailing group of the title part that names no version
            # is read as the album too, and matched against the row's album.
            if (aside := _group_aside(r.title)) is not None:
                add(folded(aside[0]), r.artist, _with(r.version, extra), r.form + " (group aside)", aside[1])
    # "Artist - Title - Album" (scrobbles, file names): the middle part is the title;
    # "Title - Artist - Album" (exports that list the album after): the first is.
    parts = [p.strip() for p in _DASHES.split(clean) if p.strip()]
    if len(parts) == 3 and not artist:
        add(folded(split_version(parts[1])[0]), parts[0], noise, "artist-title-album", parts[2])
        add(folded(split_version(parts[0])[0]), parts[1], noise, "title-artist-album", parts[2])
        add(folded(split_version(parts[0])[0]), parts[2], noise, "title-album-artist", parts[1])
    # "Title (Album)": a trailing group that names no version may be the album.
    if (aside := _group_aside(clean)) is not None:
        for r in parse_query(aside[0], artist):
            add(folded(r.title), r.artist, _with(r.version, noise), r.form + " (group aside)", aside[1])
    if artist:
        return out
    core, version = split_version(clean)
    version = _with(_with(version, noise), Version())
    words = folded(core).split()
    # Text with a dash says where its parts end; a split that ignores it is only a guess (never sure).
    across = ACROSS_A_DASH if _DASHES.search(clean) else ""
    # Unbracketed trailing version words or a year: "both sides now joni mitchell 2000".
    words, tail = _peel(words)
    version = _with(version, tail)
    if version.raw and len(words) >= 1:
        add(" ".join(words), None, version, "words")
    if 2 <= len(words) <= MAX_SPLIT_WORDS:
        for k in range(1, len(words)):
            left, right = " ".join(words[:k]), " ".join(words[k:])
            if (who := _main_name(right)) is not None:
                title, tail = _peel(words[:k], keep=1)  # "elastic heart piano version | sia"
                add(_title_only(" ".join(title)), who, _with(version, tail), "words: title artist" + across)
            if (who := _main_name(left)) is not None:
                add(_title_only(right), who, version, "words: artist title" + across)
    return out


# A featured credit longer than this is more likely title words swallowed by "featuring".
_MAX_FEATURED_WORDS = 4


# A run of version words ends with one of these (or a year); anything else is not peeled,
# which saves the version patterns for most words.
_LAST_VERSION_WORDS = frozenset(
    "live version mix remix rmx edit acoustic piano remaster remastered demo mono stereo instrumental "
    "karaoke cover explicit clean edited unplugged extended stripped orchestral symphonic up slowed reverb "
    "nightcore rework bootleg concert recording recorded session sessions take".split())
_YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")


def _peel(words: list[str], keep: int = 2) -> tuple[list[str], Version]:
    rest, version = _peel_cached(tuple(words), keep)
    return list(rest), version


@lru_cache(maxsize=50_000)
def _peel_cached(words: tuple[str, ...], keep: int) -> tuple[tuple[str, ...], Version]:
    """Trailing words that only name a version ("piano version", "live", "2000"), taken off.

    Runs of up to three words are tried, each wholly version words (as a dash
    suffix must be), so "heart" never goes with "piano version".
    """
    version = Version()
    while len(words) > keep and (words[-1] in _LAST_VERSION_WORDS or _YEAR_WORD.match(words[-1])):
        for k in (3, 2, 1):
            if len(words) - k < keep:
                continue
            found = classify_version(" ".join(words[-k:]))
            if found is not None:
                tags, year = found
                version = _with(Version(tags, year, " ".join(words[-k:])), version)
                words = words[:-k]
                break
        else:
            break
    return tuple(words), version


@lru_cache(maxsize=50_000)
def _main_name(words: str) -> str | None:
    """The main name of an artist part; None when it names nobody ("the", "of the")."""
    if all(w in _NOT_NAMES for w in words.split()):
        return None
    credit = split_artists(words)
    if not credit.main:
        return words
    featured = len(words.split()) - len(credit.main[0].split())
    return credit.main[0] if featured <= _MAX_FEATURED_WORDS + 1 else words


_NOT_NAMES = frozenset("the a an and of in on to my me i you your is it be for with at by from feat ft "
                       "featuring x vs".split())


@lru_cache(maxsize=50_000)
def _title_only(words: str) -> str:
    return folded(split_featured(words)[0]) or words


def candidate_version(cand: Candidate) -> tuple[str, Version]:
    c_title, c_version = title_parts(cand.title)
    if cand.version:
        extra = split_version(f"x ({cand.version})")[1]
        c_version = Version(c_version.tags | extra.tags, c_version.year or extra.year,
                            "; ".join(p for p in (c_version.raw, cand.version) if p))
    return c_title, c_version
