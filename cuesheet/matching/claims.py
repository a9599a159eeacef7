"""Auditing a claimed recording id: is the track a source names the song credited on the show?

A source (a fan dataset's script, a curator's spreadsheet) may claim that a song is
Spotify track X. The track's own title, artist and album say what X really is; this
module compares them with the credited song, offline, and says in words why the id
is the same recording (a remaster, a compilation, an artist alias) or not (a radio
edit, a live take, a karaoke track, another song). Pure functions over values: the
readers of `matching.readings` and the artist and version rules of `matching.score`
do the comparing, so a claim is judged by the rules a match is.

Only a claim found to be the same recording is accepted; every other kind waits for
a curator (`review claims`), who may accept or reject it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cuesheet.matching.readings import folded, strip_the
from cuesheet.matching.score import artist_similarity, title_similarity
from cuesheet.model import ClaimKind, ClaimVerdict
from cuesheet.notation.normalize import Version, split_artists, split_featured, split_version


@dataclass(frozen=True)
class ClaimedTrack:
    """A track as its service names it (Spotify's title, artist, album, date)."""

    service: str
    id: str
    title: str
    artist: str
    album: str | None = None
    release_date: str | None = None
    duration_ms: int | None = None


@dataclass(frozen=True)
class Audit:
    verdict: ClaimVerdict
    kind: ClaimKind
    reasons: tuple[str, ...]


# Tags of a version that are the same performance released again: a remaster, the soundtrack
# or cast album it is on, a store's explicit/clean flag, the album or original mix, a mono or
# stereo master.
SAME_TAGS = frozenset({"remaster", "from-series", "explicit", "clean", "album version", "mono", "stereo"})
# Another cut of the same performance: shorter, longer or edited for radio or a single.
EDIT_TAGS = frozenset({"radio edit", "single version", "edit", "extended"})
# Someone else sings it.
PERFORMER_TAGS = frozenset({"karaoke", "cover"})

# Words of a title, artist or album that mark a track made to sound like someone else's:
# karaoke and backing tracks, tributes, "in the style of", "made famous by", reproductions,
# ringtones.
_IMITATION = re.compile(
    r"(?i)\bkaraoke\b|\bin the style of\b|\b(?:as )?made famous by\b|\boriginally (?:performed|recorded) by\b"
    r"|\btribute\b|\bsound-?alike\b|\breproduction\b|\bbacking track\b|\bringtones?\b|\bhit tones\b"
    r"|\bcover(?:s| version)\b|\b(?:made|as) popular by\b")
# Album words of a compilation: the recording is the same, only the release differs.
_COMPILATION = re.compile(
    r"(?i)\b(?:greatest hits|best of|the best|collection|anthology|essentials?|hits|gold|"
    r"mixtape|now that'?s|millennium|masters|classics|vol\.?|volume|boxset|box set|the very best)\b")
_DELUXE = re.compile(r"(?i)\b(?:deluxe|expanded|anniversary|special|remaster(?:ed)?|bonus)\b")
# Spotify writes a track's version after " - ": "Title - Radio Edit", "Title - 2011 Remaster".
_SPOTIFY_SUFFIX = re.compile(r"\s[-–—]\s")
# Cuts named by the record's size: "7\" Mix", "12 Inch Version" (another edit, not a remix).
_INCH_CUT = re.compile(r"(?i)\b(7|12)\s*(?:\"|''|”|-?inch|in\.)(?:\s+(?:mix|version|edit|single))?(?=\W|$)")
# "SuperModel f/Shirley Q. Liquor": a featured credit written the short way.
_F_SLASH = re.compile(r"(?i)\s+f/\s*")
_CAST_ALBUM = re.compile(r"(?i)\boriginal (?:broadway |london |west end |off-broadway )?cast\b")
# Leetspeak in stage names: P!nk, Ke$ha, BO$$.
_LEET = str.maketrans({"!": "i", "$": "s", "@": "a"})
# "and" in the languages of the shows: Sonia y Selena, Al Bano e Romina.
_AND = re.compile(r"\b(?:y|e|et|und|en|og|och)\b")


def audit_claim(title: str, artist: str | None, track: ClaimedTrack) -> Audit:
    """Compare a credited song (`title` as credited, `artist` credit) with a claimed track."""
    reasons: list[str] = []
    credited_title, credited_version = _title_and_version(title)
    track_title, track_version = _title_and_version(track.title, service_suffix=True)
    imitation = _imitation(track)
    if imitation:
        return Audit(ClaimVerdict.REVIEW, ClaimKind.PERFORMER,
                     (f"another performer: {imitation}, not the credited {artist or 'artist'}'s recording",))
    title_fit, title_reason = _title_fit(credited_title, track_title)
    artist_fit, artist_reason = _artist_fit(artist, track.artist)
    if title_fit == "other" or (title_fit == "doubt" and artist_fit == "other"):
        # Another title by another act ("Save Me a Last Dance" by Ell Dog for Selena's
        # "Last Dance") is another song, even when a few words are shared.
        why = f"another song: {title_reason}"
        if artist_fit == "other":
            why += f", by {track.artist}"
        return Audit(ClaimVerdict.REVIEW, ClaimKind.SONG, (why,))
    if artist_fit == "other":
        return Audit(ClaimVerdict.REVIEW, ClaimKind.PERFORMER,
                     (f"another performer: {artist_reason}",))
    kind, version_reason = _version_fit(credited_version, track_version, folded(title))
    if kind is not ClaimKind.SAME:
        return Audit(ClaimVerdict.REVIEW, kind, (version_reason,))
    if title_fit == "doubt":
        return Audit(ClaimVerdict.REVIEW, ClaimKind.UNCLEAR, (f"the titles differ: {title_reason}",))
    if artist_fit == "unknown":
        return Audit(ClaimVerdict.REVIEW, ClaimKind.UNCLEAR, (artist_reason,))
    reasons.append("same title" if not title_reason else f"same song: {title_reason}")
    reasons.append(artist_reason)
    if version_reason:
        reasons.append(version_reason)
    reasons += _release_notes(track.album)
    return Audit(ClaimVerdict.ACCEPTED, ClaimKind.SAME, tuple(reasons))


# --- titles -------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _title_and_version(title: str, *, service_suffix: bool = False) -> tuple[str, Version]:
    """The title without featured credits and version words, and the version.

    A service's " - " suffix is always a version there ("Absolutely Not - Chanel Club
    Extended Mix Edit"), so with `service_suffix` it is read as one even when some of its
    words name no version (the remixer's): the words the version readers know decide its tags.
    """
    text = _CAST_ALBUM.sub("Original Cast Recording", _F_SLASH.sub(" feat. ", title))
    text = _INCH_CUT.sub(lambda m: "Single Version" if m.group(1) == "7" else "Extended Version", text)
    tail = ""
    if service_suffix:
        parts = _SPOTIFY_SUFFIX.split(text, maxsplit=1)
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            text, tail = parts
    rest, version = split_version(split_featured(text)[0])
    if tail:
        tags = split_version(f"x ({tail})")[1]
        version = Version(version.tags | tags.tags, version.year or tags.year,
                          "; ".join(p for p in (tail, version.raw) if p))
    return split_featured(rest)[0], version


def _title_fit(credited: str, track: str) -> tuple[str, str]:
    """("same" | "doubt" | "other", why) for two version-free titles."""
    a, b = folded(credited), folded(track)
    if a == b:
        return "same", ""
    a_bare, b_bare = _without_groups(credited), _without_groups(track)
    if a_bare and a_bare == b_bare or a_bare == b or b_bare == a:
        # "This Will Be (An Everlasting Love)", "(It Takes) Two to Make It Right".
        return "same", f"{track!r} with or without its bracketed words"
    if strip_the(a) == strip_the(b) or _leet(a) == _leet(b) or folded(track.translate(_LEET)) == a:
        return "same", f"{track!r} is written differently"
    similar = title_similarity(a, b)
    if similar >= 0.9:
        return "same", f"{track!r} is spelt differently"
    if _contains(a, b) or _contains(b, a):
        return "doubt", f"{track!r} and {credited!r} share only some words"
    return "other", f"{track!r} is not {credited!r}"


def _without_groups(title: str) -> str:
    return folded(re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*", " ", title))


def _leet(text: str) -> str:
    return text.replace(" ", "")


def _contains(short: str, long: str) -> bool:
    return bool(short) and f" {short} " in f" {long} "


# --- artists ------------------------------------------------------------------------------------


def _artist_fit(credited: str | None, track_artist: str) -> tuple[str, str]:
    """("same" | "unknown" | "other", why): the track's artist against any main act of the credit."""
    if not credited or not credited.strip():
        return "unknown", "no credited artist to compare the track's with"
    names = _credited_names(credited)
    track_keys = _artist_keys(track_artist)
    for name in names:
        keys = _artist_keys(name)
        if keys & track_keys:
            if folded(name) == folded(track_artist):
                return "same", f"same artist ({track_artist})"
            return "same", f"the artist alias {track_artist!r} for {name!r}"
    for name in names:
        if artist_similarity(name, track_artist) >= 0.9:
            return "same", f"the artist {track_artist!r} spelt differently from {name!r}"
    for name in names:
        alias = _alias(name, track_artist)
        if alias:
            return "same", alias
    return "other", f"the track is by {track_artist}, the song is credited to {credited}"


@lru_cache(maxsize=20_000)
def _credited_names(credited: str) -> tuple[str, ...]:
    """Every act a show's credit names: "Salt-n-Pepa, En Vogue" and the main acts of a "ft." credit."""
    credit = split_artists(credited.strip("( "))
    names = list(credit.main)
    return tuple(dict.fromkeys(n.strip("( ") for n in names if n.strip("( ")))


@lru_cache(maxsize=20_000)
def _artist_keys(name: str) -> frozenset[str]:
    """Ways to write one act alike: folded, without "the", leetspeak read ("P!nk"), "y"/"e" as "and"."""
    keys = {strip_the(folded(name)), strip_the(folded(name.translate(_LEET)))}
    keys |= {_AND.sub("and", k) for k in keys}
    keys |= {k.replace(" ", "") for k in keys}
    return frozenset(k for k in keys if k)


def _alias(credited: str, track_artist: str) -> str:
    """A stage name that is part of the other: "WILLOW" for "Willow Smith", "Wynonna" for
    "Wynonna Judd", "Cristina "La Veneno"" for "La Veneno". Whole words only, and only a
    name's first words or a quoted nickname, so "Jessie" is not "Jessie Ware"'s "Ware"."""
    a, b = strip_the(folded(credited)), strip_the(folded(track_artist))
    if not a or not b:
        return ""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if long.startswith(short + " ") and len(short) >= 4:
        return f"the artist alias {track_artist!r} for {credited!r}"
    quoted = re.findall(r"[\"“”'‘’«»]([^\"“”'‘’«»]+)[\"“”'‘’«»]", track_artist + " " + credited)
    if any(strip_the(folded(q)) in (a, b) for q in quoted):
        return f"the artist alias {track_artist!r} for {credited!r}"
    return ""


# --- versions -----------------------------------------------------------------------------------


def _version_fit(credited: Version, track: Version, credited_title: str = "") -> tuple[ClaimKind, str]:
    """The kind of take the track is, against the version the credit names (usually none).

    `credited_title` (folded) may name the mix in words no version reader knows ("Supermodel
    (El Lay Toya Jam)"): a track suffix whose every word is in it is the same mix.
    """
    c_tags, t_tags = credited.tags - SAME_TAGS, track.tags - SAME_TAGS
    if track.raw and not t_tags and not credited.raw:
        words = _descriptor(track.raw).split()
        if words and set(words) <= set(credited_title.split()):
            return ClaimKind.SAME, f"the same mix, named in the credited title ({track.raw})"
    same_words = sorted(track.tags & SAME_TAGS)
    if t_tags & PERFORMER_TAGS and not c_tags & PERFORMER_TAGS:
        return ClaimKind.PERFORMER, f"another performer: the track is a {_named(t_tags & PERFORMER_TAGS)}"
    if c_tags == t_tags:
        if c_tags and not _same_descriptor(credited, track):
            return ClaimKind.VERSION, (f"another version: the track is {track.raw!r},"
                                       f" the song {credited.raw!r}")
        if track.raw and not track.tags and not _same_descriptor(credited, track):
            return ClaimKind.VERSION, f"another version: the track names a version, {track.raw!r}"
        if same_words:
            return ClaimKind.SAME, f"the same recording released again ({track.raw})"
        return ClaimKind.SAME, ""
    extra, missing = t_tags - c_tags, c_tags - t_tags
    if extra & EDIT_TAGS and not extra - EDIT_TAGS and not missing:
        return ClaimKind.EDIT, f"another edit: the track is the {_named(extra)} ({track.raw!r})"
    if missing and not extra:
        if missing <= EDIT_TAGS:
            return ClaimKind.EDIT, f"another edit: the song is the {credited.raw!r}, the track the plain cut"
        return ClaimKind.VERSION, f"another version: the song is the {credited.raw!r}, the track the plain one"
    if extra <= EDIT_TAGS and missing <= {"remix"} and _same_descriptor(credited, track):
        return ClaimKind.EDIT, f"another edit of the mix: the track is {track.raw!r}, the song {credited.raw!r}"
    return ClaimKind.VERSION, f"another version: the track is {_named(extra or t_tags)} ({track.raw!r})" + (
        f", the song {credited.raw!r}" if credited.raw else "")


def _same_descriptor(a: Version, b: Version) -> bool:
    """Both versions name the same remixer, venue or edit ("Gomi and RasJek Edit" / "Gomi & RasJek Edit")."""
    da, db = _descriptor(a.raw), _descriptor(b.raw)
    if not da or not db:
        return not da and not db or bool(set(da.split()) & set(db.split()))
    return da == db or set(da.split()) <= set(db.split()) or set(db.split()) <= set(da.split())


_KIND_WORDS = frozenset(
    "remix remixed mix rmx rework edit version live at in from on the of recorded performed radio single "
    "album extended club dub vocal instrumental acoustic unplugged demo mono stereo remaster remastered "
    "cover original explicit clean edited and dance anthem".split())


def _descriptor(raw: str) -> str:
    return " ".join(w for w in folded(raw).split() if w not in _KIND_WORDS and not w.isdigit())


def _named(tags: frozenset[str] | set[str]) -> str:
    return " and ".join(sorted(tags))


# --- performers and releases --------------------------------------------------------------------


def _imitation(track: ClaimedTrack) -> str:
    """Why the track is an imitation (karaoke, tribute, "in the style of"), or ''."""
    for what, text in (("title", track.title), ("artist", track.artist), ("album", track.album or "")):
        m = _IMITATION.search(text)
        if m:
            return f"an imitation ({m.group()!r} in its {what}: {text!r})"
    return ""


def _release_notes(album: str | None) -> list[str]:
    """What the release says without changing the recording: a compilation, a deluxe edition."""
    if not album:
        return []
    if _COMPILATION.search(album):
        return [f"on a compilation ({album})"]
    if _DELUXE.search(album):
        return [f"on a reissue ({album})"]
    return []
