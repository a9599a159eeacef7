"""The rows every playlist format is made of, and where each track lives.

Rows come from the viewer's query layer (`sheet_answers`), so an export
holds exactly what `cuesheet what` shows. Format modules only turn rows into
text; none of them touches the database.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cuesheet.errors import CuesheetError
from cuesheet.model import Kind, MatchStatus
from cuesheet.notation import ids
from cuesheet.notation.plural import plural
from cuesheet.viewer.answers import Answer, sheet_answers
from cuesheet.viewer.resolve import find_episode, find_show_season

CREATOR = "cuesheet"
HOME = "https://github.com/cuesheet/cuesheet"

# Why a song was left out of a playlist, as counted on stderr.
LEFT_OUT_ORIGINAL = "cast original (--no-originals)"
LEFT_OUT_UNMATCHED = "unmatched (--matched-only)"
# Nobody knows the song: nothing to play or look up, in any format (the cue sheet still lists it).
LEFT_OUT_UNIDENTIFIED = "unidentified song (not a playable track)"
UNMATCHED_REASONS = {
    MatchStatus.REVIEW: "a doubtful match waits in the review queue",
    MatchStatus.NO_MATCH: "no recording found in the catalog",
    MatchStatus.REJECTED: "a curator rejected the match",
    MatchStatus.UNKNOWN: "nobody has identified the song yet",
}


@dataclass(frozen=True)
class ExportRow:
    """One song use in a playlist: a cue, or one song of a mashup."""

    position: int
    show: str
    season: int
    episode: int
    code: str
    episode_title: str
    cue: int
    part: int  # 1-based song number inside the cue (a mashup has several)
    parts: int
    kind: str
    usage: str | None
    confidence: str | None
    scene: str | None
    title: str
    artist: str | None
    album: str | None
    year: int | None
    version: str | None
    duration_ms: int | None
    isrc: str | None
    mbid: str | None
    spotify_id: str | None
    time_in_ms: int | None
    time_out_ms: int | None
    performers: tuple[str, ...]
    status: str
    matched: bool  # linked to a catalog recording
    original: bool  # a cast original: sung by the cast, maybe on no streaming service
    recording_id: int | None = None

    @property
    def spotify_uri(self) -> str | None:
        return ids.spotify_uri(self.spotify_id) if self.spotify_id else None

    @property
    def links(self) -> dict[str, str]:
        """Where to listen, by `ids.listen_links`: the one rule the viewer and every format share."""
        return ids.listen_links(self.title, self.artist, spotify_id=self.spotify_id, mbid=self.mbid)

    @property
    def identifiers(self) -> list[str]:
        """The known ids as URLs (MusicBrainz recording, Spotify track); never a search."""
        links = self.links
        return [links[k] for k in ("musicbrainz", "spotify") if k in links]

    @property
    def location(self) -> str | None:
        """Where the track lives, the same in every format: Spotify first (it plays in a
        browser), else MusicBrainz, else a Spotify search for the words, else None (an
        unidentified song with no words has nothing to search for)."""
        links = self.links
        for key in ("spotify", "musicbrainz", "spotify_search"):
            if key in links:
                return links[key]
        return None

    @property
    def location_is_search(self) -> bool:
        return self.location is not None and not self.identifiers

    @property
    def real(self) -> bool:
        """A real track: a Spotify or MusicBrainz id (a linked recording's, or an accepted claim's)."""
        return bool(self.identifiers)

    @property
    def display(self) -> str:
        """`Artist - Title`, the EXTINF convention; the title alone when no artist is known."""
        return f"{self.artist} - {self.title}" if self.artist else self.title

    @property
    def cue_label(self) -> str:
        """`S01E01 cue 2` or `S01E01 cue 2 (2/3)` for a mashup part: how people find it again."""
        label = f"{self.code} cue {self.cue}"
        return label + (f" ({self.part}/{self.parts})" if self.parts > 1 else "")

    @property
    def unmatched_reason(self) -> str | None:
        """Why no recording is linked, in the words of the match status; None when one is."""
        if self.matched:
            return None
        return UNMATCHED_REASONS.get(self.status, "no recording identified yet")

    @property
    def note(self) -> str | None:
        notes = []
        if not self.title:
            notes.append("unidentified song")
        if self.original:
            notes.append("cast original")
        if not self.matched and self.real:
            notes.append("the id is a source's claim, accepted by the claims audit")
        elif not self.matched:
            notes.append(f"unmatched: {self.unmatched_reason}")
        return "; ".join(notes) or None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("recording_id")
        out["performers"] = list(self.performers)
        out["spotify_uri"] = self.spotify_uri
        out["location"] = self.location
        out["location_is_search"] = self.location_is_search
        out["real"] = self.real
        out["identifiers"] = self.identifiers
        out["links"] = self.links
        out["note"] = self.note
        return out


@dataclass(frozen=True)
class Playlist:
    """The songs of an episode, a season or a whole show, ready for any format."""

    title: str
    show: str
    scope: str  # "S01E01", "season 1" or "all episodes"
    rows: tuple[ExportRow, ...]
    left_out: dict[str, int] = field(default_factory=dict)
    generated: datetime | None = None

    @property
    def unmatched(self) -> int:
        return sum(1 for r in self.rows if not r.matched)

    @property
    def real(self) -> int:
        """Tracks with a real id (Spotify or MusicBrainz): they play, the others are searches."""
        return sum(1 for r in self.rows if r.real)

    @property
    def searches(self) -> int:
        return sum(1 for r in self.rows if r.location_is_search)

    def real_text(self) -> str:
        """How many tracks are real, in the words every export uses: '29 of 32 tracks are real ...'."""
        text = f"{self.real} of {plural(len(self.rows), 'track')} {'is' if self.real == 1 else 'are'} real" \
               " (a Spotify or MusicBrainz id)"
        if self.searches:
            text += f", {plural(self.searches, 'search page')}"
        return text

    def summary(self) -> str:
        """One line for stderr: what went in, what stayed out and why."""
        parts = [plural(len(self.rows), "song")]
        if self.unmatched:
            parts.append(f"{self.unmatched} unmatched kept with a note")
        parts += [left_out_text(why, n) for why, n in self.left_out.items()]
        return ", ".join(parts)

    def empty_reason(self) -> str:
        """Why a playlist has no songs: every one left out by a filter, or none known."""
        if set(self.left_out) == {LEFT_OUT_UNIDENTIFIED}:
            n = self.left_out[LEFT_OUT_UNIDENTIFIED]
            which = "its only song is" if n == 1 else f"all {n} of its songs are"
            return (f"no playable track: {which} unidentified (see `cuesheet review unknown`)")
        if self.left_out:
            return "every song was left out (" + ", ".join(
                left_out_text(why, n) for why, n in self.left_out.items()) + ")"
        return f"no songs known for {self.scope}"


def left_out_text(why: str, n: int) -> str:
    """`1 cast original (--no-originals) left out`, `2 cast originals (...) left out`,
    `1 unidentified song (not a playable track) left out`."""
    if n != 1 and why == LEFT_OUT_ORIGINAL:
        why = why.replace("cast original", "cast originals", 1)
    if n != 1 and why == LEFT_OUT_UNIDENTIFIED:
        why = why.replace("unidentified song", "unidentified songs", 1).replace("a playable track", "playable tracks")
    return f"{n} {why} left out"


def select(
    conn: sqlite3.Connection,
    show_text: str,
    episode_text: str | None = None,
    *,
    season: int | None = None,
    originals: bool = True,
    matched_only: bool = False,
    generated: datetime | None = None,
) -> Playlist:
    """The playlist for SHOW [EPISODE | season N], through the viewer's query layer."""
    if episode_text is not None and season is not None:
        raise CuesheetError("give an episode or --season, not both")
    named = find_show_season(conn, show_text)  # "all stars 7": the season inside the name
    show = named.show
    if episode_text is None and season is None:
        season = named.season
    episode = find_episode(conn, show, episode_text, named.season) if episode_text is not None else None
    answers = sheet_answers(conn, show, episode=episode, season=season)
    if episode is not None:
        title, scope = f"{show.name} {episode.code} – {episode.title}", episode.code
    elif season is not None:
        title, scope = f"{show.name} season {season}", f"season {season}"
    else:
        title, scope = f"{show.name}: all episodes", "all episodes"
    rows, left_out = playlist_rows(answers, originals=originals, matched_only=matched_only)
    return Playlist(title, show.name, scope, tuple(rows), left_out, generated)


def playlist_rows(
    answers: list[Answer], *, originals: bool = True, matched_only: bool = False
) -> tuple[list[ExportRow], dict[str, int]]:
    """Cues to rows: a mashup gives each of its songs; filtered songs are counted, not lost."""
    rows: list[ExportRow] = []
    left_out: Counter[str] = Counter()
    for a in answers:
        for part, song in enumerate(a.songs, start=1):
            original = a.kind == Kind.CAST_ORIGINAL
            matched = song.recording_id is not None
            if song.unidentified:
                left_out[LEFT_OUT_UNIDENTIFIED] += 1
                continue
            if original and not originals:
                left_out[LEFT_OUT_ORIGINAL] += 1
                continue
            if matched_only and not matched:
                left_out[LEFT_OUT_UNMATCHED] += 1
                continue
            people = song.performers or a.performers
            rows.append(
                ExportRow(
                    position=len(rows) + 1,
                    show=a.show,
                    season=a.season,
                    episode=a.episode,
                    code=a.code,
                    episode_title=a.episode_title,
                    cue=a.cue,
                    part=part,
                    parts=len(a.songs),
                    kind=a.kind,
                    usage=a.usage,
                    confidence=song.confidence or a.confidence,
                    scene=a.scene,
                    title=one_line(song.title or song.text or ""),
                    artist=one_line(song.artist) if song.artist else None,
                    album=song.album,
                    year=song.year,
                    version=song.version,
                    duration_ms=round(song.duration * 1000) if song.duration else None,
                    isrc=song.ids.get("isrc"),
                    mbid=song.ids.get("mbid"),
                    spotify_id=song.ids.get("spotify_id"),
                    time_in_ms=a.time_in_ms,
                    time_out_ms=a.time_out_ms,
                    performers=tuple(_person(p) for p in people),
                    status=song.status,
                    matched=matched,
                    original=original,
                    recording_id=song.recording_id,
                )
            )
    return rows, dict(left_out)


def _person(p: dict[str, Any]) -> str:
    who = p.get("character") or p.get("actor") or "?"
    if p.get("character") and p.get("actor"):
        who = f"{p['character']} ({p['actor']})"
    return who


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Line breaks would end an M3U entry early and control characters break XML; titles need neither."""
    return " ".join(CONTROL.sub(" ", text).split())
