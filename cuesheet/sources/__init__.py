"""Metadata sources behind one small interface: text in, candidate recordings out.

The local catalog, MusicBrainz and Spotify all answer `search` with the same
`Candidate`s, so `identify` and `match` treat them alike and the scorer never
knows where a candidate came from except by its `source` name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class SongQuery:
    """One reading of what the user typed, already split into parts."""

    title: str
    artist: str | None = None
    duration_ms: int | None = None
    album: str | None = None
    isrc: str | None = None


@dataclass(frozen=True)
class Candidate:
    title: str
    artist: str
    source: str  # "catalog", "musicbrainz", "spotify"
    album: str | None = None
    year: int | None = None
    duration_ms: int | None = None
    version: str | None = None
    # isrc, mbid, spotify_id when known
    ids: dict[str, str] = field(default_factory=dict)
    # spotify / musicbrainz / other listen links
    links: dict[str, str] = field(default_factory=dict)
    # the local recordings row, when the candidate is (or was stored as) one
    recording_id: int | None = None
    # the source's own relevance (MusicBrainz ext:score / 100, FTS rank ...), 0..1
    source_score: float | None = None


class Source(Protocol):
    """What every metadata source provides."""

    name: str

    def search(self, query: SongQuery, *, limit: int = 10) -> list[Candidate]:
        """Candidates for one reading of a query, best first by the source's own order."""
        ...

    def lookup(self, source_id: str) -> Candidate | None:
        """One recording by this source's id (MBID, Spotify id, local row id)."""
        ...


class SourceSkipped(Exception):
    """A source that cannot be asked right now (offline, no credentials): say why, go on."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with both arguments (Exception pickles only the message): `identify --jobs`
        # answers carry these from the worker processes.
        return (type(self), (self.source, self.reason))
