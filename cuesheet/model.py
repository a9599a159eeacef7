"""The cue sheet as plain data: what a curator writes and what `build` stores.

These dataclasses are the shape of the YAML files (see docs/cue-sheet-format.md)
and of `cue import`; the database tables mirror them one to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# The named states below are StrEnums: each member equals its string, so SQL parameters, JSON
# and comparisons with what a file or a row says stay as they were.


class Usage(StrEnum):
    """Cue-sheet usage codes (formats.md section 4); a lip-sync is a visual vocal."""

    VV = "VV"
    VI = "VI"
    BV = "BV"
    BI = "BI"
    MT = "MT"
    ET = "ET"
    OT = "OT"
    CT = "CT"
    TH = "TH"
    VS = "VS"
    FV = "FV"
    FI = "FI"
    BG = "BG"


USAGE_CODES: dict[str, str] = {
    Usage.VV.value: "visual vocal",
    Usage.VI.value: "visual instrumental",
    Usage.BV.value: "background vocal",
    Usage.BI.value: "background instrumental",
    Usage.MT.value: "main title",
    Usage.ET.value: "end title",
    Usage.OT.value: "opening theme",
    Usage.CT.value: "closing theme",
    Usage.TH.value: "theme",
    Usage.VS.value: "visual source",
    Usage.FV.value: "featured vocal",
    Usage.FI.value: "featured instrumental",
    Usage.BG.value: "background",
}
SONG_FIELDS = ("title", "artist", "version")


class Kind(StrEnum):
    """What a cue is."""

    LIP_SYNC = "lip-sync"
    MASHUP = "mashup"
    CAST_ORIGINAL = "cast-original"
    BACKGROUND = "background"
    SOURCE = "source"


class Confidence(StrEnum):
    """How sure the curator (or a source) is."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class MatchStatus(StrEnum):
    """Where a cue song stands with the matcher. UNKNOWN: a song plays and nobody has identified
    it (title/artist NULL, text '', what was heard of it in `heard`)."""

    UNMATCHED = "unmatched"
    ACCEPTED = "accepted"
    REVIEW = "review"
    NO_MATCH = "no_match"
    CURATED = "curated"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """The matcher's decision about its best candidate (a MatchStatus once stored)."""

    ACCEPTED = "accepted"
    REVIEW = "review"
    NO_MATCH = "no_match"


class ClaimVerdict(StrEnum):
    """`accepted`: the id plays in playlists; `review`: it waits for a curator; `rejected`: a curator said no."""

    ACCEPTED = "accepted"
    REVIEW = "review"
    REJECTED = "rejected"


class ClaimKind(StrEnum):
    """What the claimed track is, compared with the credited song."""

    SAME = "same recording"
    EDIT = "another edit"
    VERSION = "another version"
    PERFORMER = "another performer"
    SONG = "another song"
    UNCLEAR = "unclear"


# The values as plain strings, in order: messages ("one of ..."), file checks, SQL CHECKs.
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
CONFIDENCES: tuple[str, ...] = tuple(c.value for c in Confidence)
MATCH_STATUSES: tuple[str, ...] = tuple(s.value for s in MatchStatus)


@dataclass(frozen=True)
class Source:
    key: str
    title: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Character:
    name: str
    full_name: str | None = None
    actor: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Performer:
    character: str | None = None
    actor: str | None = None
    inferred: bool = False


@dataclass(frozen=True)
class Claim:
    """Another value for a song field, as another source states it."""

    field: str
    value: str
    sources: tuple[str, ...]
    notes: str | None = None


# Services whose recording ids a source may claim for a song (`id_claims` in a cue sheet).
ID_SERVICES = ("spotify", "musicbrainz", "isrc")


@dataclass(frozen=True)
class IdClaim:
    """A recording id a source says is this song: a claim to check, not a fact.

    A matcher's script (like the Drag Race dataset's Spotify ids) can point at a cover,
    a karaoke track or another edit; the claim is kept with its sources so an audit can
    accept or reject it, and only an accepted claim may reach a playlist.
    """

    service: str
    id: str
    sources: tuple[str, ...]
    # A curator's decision ('accepted' or 'rejected') and who made it; None leaves the
    # verdict to the claims audit, which recomputes it on every build.
    verdict: str | None = None
    decided_by: str | None = None


@dataclass(frozen=True)
class RecordingRef:
    """A recording pinned by hand in a cue sheet (a curator's decision)."""

    title: str
    artist: str
    version: str | None = None
    album: str | None = None
    year: int | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    mbid: str | None = None
    spotify_id: str | None = None


@dataclass(frozen=True)
class KeptCandidate:
    """A candidate waiting with a song for review, as a search or the matcher left it: carried by
    the files so a build puts the queue back as it was (a search's online results included)."""

    score: float
    title: str
    artist: str
    source: str
    album: str | None = None
    year: int | None = None
    duration_ms: int | None = None
    version: str | None = None
    ids: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    reasons: tuple[str, ...] = ()
    probability: float | None = None


@dataclass(frozen=True)
class KeptSearch:
    """A search a curator ran for a song (kept so the next curator does not repeat it)."""

    at: str
    curator: str
    query: str
    sources: tuple[str, ...] = ()
    verdict: str | None = None
    best_title: str | None = None
    best_artist: str | None = None
    best_score: float | None = None
    candidates: int = 0


@dataclass(frozen=True)
class Song:
    title: str
    artist: str
    version: str | None = None
    text: str | None = None
    performers: tuple[Performer, ...] = ()
    sources: tuple[str, ...] = ()
    confidence: str | None = None
    notes: str | None = None
    claims: tuple[Claim, ...] = ()
    recording: RecordingRef | None = None
    # A curator turned down every candidate: the matcher leaves the song alone.
    rejected: bool = False
    # The matcher linked `recording` (not a curator): dumped so a build links it the same way.
    accepted: bool = False
    # What was heard of it ("female voice, 80s synth, chorus 'hold on'").
    heard: str | None = None
    # A song plays and nobody has identified it: no title, artist or text; `heard` describes it.
    unknown: bool = False
    # The review queue's candidates (best first) and the searches tried, when the files carry them.
    candidates: tuple[KeptCandidate, ...] = ()
    searches: tuple[KeptSearch, ...] = ()
    # Recording ids sources claim for the song (checked by the claims audit, never trusted as such).
    id_claims: tuple[IdClaim, ...] = ()

    @property
    def entered(self) -> str:
        """The text as the curator typed it; title and artist when they gave parts ('' if unknown)."""
        if self.unknown:
            return ""
        return self.text or entered_text(self.title, self.artist)


def entered_text(title: str | None, artist: str | None) -> str:
    """`Title - Artist`, or the title alone: no dangling ' - ' that a YAML file cannot keep."""
    return f"{title} - {artist}" if artist else (title or "")


# What a lip sync decides (Drag Race and its franchise): who goes home, who wins the week or the crown.
LIP_SYNC_KINDS = ("for-your-life", "for-the-win", "for-the-crown", "smackdown")


@dataclass(frozen=True)
class Cue:
    number: int
    kind: str
    songs: tuple[Song, ...]
    order_confirmed: bool = False
    time_in_ms: int | None = None
    time_out_ms: int | None = None
    scene: str | None = None
    performers: tuple[Performer, ...] = ()
    usage: str | None = None
    confidence: str | None = None
    sources: tuple[str, ...] = ()
    notes: str | None = None
    # A contest lip sync: its kind, and who won and who went home (spoilers: shown only on request).
    lip_sync: str | None = None
    winners: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Episode:
    season: int
    number: int
    title: str
    aliases: tuple[str, ...] = ()
    air_date: str | None = None
    length_ms: int | None = None
    complete: bool = False
    notes: str | None = None
    cues: tuple[Cue, ...] = ()
    # The show's sources that state the episode's own facts (every song listed, its length).
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Show:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    year: int | None = None
    network: str | None = None
    notes: str | None = None
    sources: tuple[Source, ...] = ()
    characters: tuple[Character, ...] = ()
    episodes: tuple[Episode, ...] = field(default=())
    # Shows of one family (Drag Race US, UK, All Stars ...) are grouped under this name.
    franchise: str | None = None


# --- works: the compositions recordings perform, with who wrote and published them ---------

# MusicBrainz relationship names a work credit may have.
ROLES = ("composer", "lyricist", "writer", "librettist", "arranger", "publisher")


@dataclass(frozen=True)
class WorkCredit:
    role: str  # one of ROLES
    name: str
    share: float | None = None  # per cent of its side, when a source states it
    mbid: str | None = None  # the artist's or label's MusicBrainz id
    society: str | None = None  # ASCAP, BMI, PRS ...
    ipi: str | None = None  # IPI/CAE number

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.name, "share": self.share, "mbid": self.mbid,
                "society": self.society, "ipi": self.ipi}


@dataclass(frozen=True)
class Work:
    title: str
    mbid: str | None = None
    iswc: str | None = None
    credits: tuple[WorkCredit, ...] = field(default_factory=tuple)

    def names(self, *roles: str) -> list[str]:
        return [c.name for c in self.credits if c.role in roles]

    @property
    def composers(self) -> list[str]:
        return self.names("composer", "writer")

    @property
    def lyricists(self) -> list[str]:
        return self.names("lyricist", "librettist", "writer")

    @property
    def publishers(self) -> list[str]:
        return self.names("publisher")

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "mbid": self.mbid, "iswc": self.iswc,
                "credits": [c.to_json() for c in self.credits]}
