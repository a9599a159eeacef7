"""`cuesheet check`: lint the cue sheets in the database.

Errors are things a cue sheet must not contain (two cues on one number, a
cue without a song, times running backwards); warnings are work still to do
(unmatched songs, open source conflicts, episodes with no cues, times out of
order). `check` exits non-zero only on errors, so CI can run it on every
change without failing on a season that is honestly incomplete.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cuesheet.model import Kind, MatchStatus
from cuesheet.notation.episodes import episode_code
from cuesheet.notation.plural import noun
from cuesheet.notation.timecode import format_time
from cuesheet.viewer.resolve import episode_ref

ERROR, WARNING = "error", "warning"
# Each rule's code, severity and what it means; `check --json` carries the code.
RULES = {
    "duplicate-number": (ERROR, "two cues share a number in one episode"),
    "no-songs": (ERROR, "a cue without any song"),
    "mashup-one-song": (ERROR, "a mashup with fewer than two songs"),
    "time-reversed": (ERROR, "a cue that ends before it starts"),
    "lost-recording": (ERROR, "a song accepted or curated whose recording is gone"),
    "duplicate-cue": (WARNING, "the same song twice in one episode at the same time or scene"),
    "overlap": (WARNING, "two cues play at the same time"),
    "out-of-order": (WARNING, "cue numbers and times disagree on the order"),
    "unmatched": (WARNING, "a song not linked to a recording yet"),
    "review": (WARNING, "a song waiting in the review queue"),
    "unidentified": (WARNING, "a song nobody has identified yet (`cuesheet review unknown`)"),
    "no-artist": (WARNING, "a song without an artist"),
    "conflict": (WARNING, "sources disagree on a value"),
    "empty-episode": (WARNING, "an episode without cues"),
    "cue-sheet": (WARNING, "a cue a music cue sheet cannot be complete without (composers, times ...)"),
}
# Gap fields that `check` already reports in its own words (unmatched, review) or per
# episode elsewhere; the rest become one cue-sheet warning per cue.
_CUE_SHEET_FIELDS = ("composers", "publishers", "shares", "time", "usage")


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    show: str
    season: int | None
    episode: int | None
    cue: int | None
    message: str
    song: int | None = None  # cue_songs.id, for `review`

    @property
    def where(self) -> str:
        parts = [self.show]
        if self.season is not None and self.episode is not None:
            parts.append(episode_code(self.season, self.episode))
        if self.cue is not None:
            parts.append(f"cue {self.cue}")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "code": self.code, "show": self.show, "season": self.season,
            "episode": self.episode,
            "episode_code": episode_code(self.season, self.episode) if self.season and self.episode else None,
            "cue": self.cue, "song_id": self.song, "message": self.message,
        }


def check(
    conn: sqlite3.Connection, *, show_id: int | None = None, episode_id: int | None = None,
    cue_sheet: bool = True,
) -> list[Finding]:
    """Every finding, errors first, then by show, episode and cue.

    `cue_sheet`: also warn, one line per cue, about what a music cue sheet for
    rights reporting would lack (composers, publishers, shares, times, usage).
    """
    where, params = "WHERE 1", []
    if show_id is not None:
        where += " AND s.id = ?"
        params.append(show_id)
    if episode_id is not None:
        where += " AND e.id = ?"
        params.append(episode_id)
    episodes = conn.execute(
        f"SELECT e.id, s.name, e.season, e.number FROM episodes e JOIN shows s ON s.id = e.show_id {where}",
        params,
    ).fetchall()
    ep_info = {r[0]: (r[1], r[2], r[3]) for r in episodes}
    if not ep_info:
        return []
    marks = ",".join("?" * len(ep_info))
    ep_ids = list(ep_info)
    cues = conn.execute(
        f"""SELECT c.id, c.episode_id, c.number, c.time_in_ms, c.time_out_ms, c.kind, c.order_confirmed,
                   (SELECT count(*) FROM cue_songs cs WHERE cs.cue_id = c.id)
              FROM cues c WHERE c.episode_id IN ({marks}) ORDER BY c.episode_id, c.number""",
        ep_ids,
    ).fetchall()
    findings: list[Finding] = []

    def add(code: str, ep: int, cue: int | None, message: str, song: int | None = None) -> None:
        show, season, number = ep_info[ep]
        findings.append(Finding(RULES[code][0], code, show, season, number, cue, message, song))

    by_episode: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in cues:
        by_episode[row[1]].append(row)
    for ep, (show, season, number) in ep_info.items():
        rows = by_episode.get(ep, [])
        if not rows:
            add("empty-episode", ep, None, "no cues yet")
            continue
        seen: dict[int, int] = {}
        for _cid, _ep, n, t_in, t_out, kind, _confirmed, songs in rows:
            seen[n] = seen.get(n, 0) + 1
            if seen[n] == 2:
                add("duplicate-number", ep, n, f"cue number {n} is used more than once")
            if songs == 0:
                add("no-songs", ep, n, "has no song")
            elif kind == Kind.MASHUP and songs < 2:
                add("mashup-one-song", ep, n, f"is a mashup with {songs} song")
            if t_in is not None and t_out is not None and t_out < t_in:
                add("time-reversed", ep, n, f"ends at {format_time(t_out)}, before it starts at {format_time(t_in)}")
        _times(rows, lambda code, cue, msg: add(code, ep, cue, msg))
    _songs(conn, marks, ep_ids, add)
    _duplicates(conn, marks, ep_ids, add)
    _conflicts(conn, marks, ep_ids, add)
    if cue_sheet:
        _cue_sheet(conn, [ep for ep in ep_ids if by_episode.get(ep)], add)
    order = {ERROR: 0, WARNING: 1}
    findings.sort(key=lambda f: (order[f.severity], f.show, f.season or 0, f.episode or 0, f.cue or 0))
    return findings


def _times(rows: list[tuple[Any, ...]], add: Any) -> None:
    timed = [(n, t_in, t_out if t_out is not None else t_in) for _, _, n, t_in, t_out, *_ in rows
             if t_in is not None]
    by_number = sorted(timed)
    for (n1, in1, _), (n2, in2, _) in zip(by_number, by_number[1:]):
        if in2 < in1:
            add("out-of-order", n2, f"starts at {format_time(in2)}, before cue {n1} ({format_time(in1)})"
                                    " — `cuesheet cue renumber --by-time` orders them")
    by_time = sorted(timed, key=lambda t: (t[1], t[0]))
    for i, (n1, in1, out1) in enumerate(by_time):
        for n2, in2, out2 in by_time[i + 1:]:
            if in2 >= out1:
                break
            # Said of the cue that starts later, with its own times (numbers may run against time).
            add("overlap", n2, f"{_span(in2, out2, 'starts at', 'plays')} while cue {n1} plays "
                               f"({_span(in1, out1, 'from', '')})")


def _span(t_in: int, t_out: int, start: str, whole: str) -> str:
    """`plays 23:10–24:30`, or `starts at 30:00` for a cue without a time out (not `30:00–30:00`)."""
    if t_out == t_in:
        return f"{start} {format_time(t_in)}"
    return f"{whole} {format_time(t_in)}–{format_time(t_out)}".strip()


def _songs(conn: sqlite3.Connection, marks: str, ep_ids: list[int], add: Any) -> None:
    for song_id, ep, cue, position, text, title, artist, status, rec_id, heard in conn.execute(
        f"""SELECT cs.id, c.episode_id, c.number, cs.position, cs.text, cs.title, coalesce(r.artist, cs.artist),
                   cs.match_status, cs.recording_id, cs.heard
              FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id LEFT JOIN recordings r ON r.id = cs.recording_id
             WHERE c.episode_id IN ({marks}) ORDER BY c.episode_id, c.number, cs.position""",
        ep_ids,
    ):
        name = repr(title or text)
        if status in (MatchStatus.ACCEPTED, MatchStatus.CURATED) and rec_id is None:
            add("lost-recording", ep, cue, f"song {position} {name} is {status} but has no recording"
                f" (`cuesheet review set {song_id} ...` names it again)", song_id)
        elif status == MatchStatus.UNKNOWN:
            add("unidentified", ep, cue, f"song {position} is unidentified"
                + (f" (heard: {heard})" if heard else ""), song_id)
        elif status == MatchStatus.REVIEW:
            add("review", ep, cue, f"song {position} {name} waits for review (`cuesheet review`, id {song_id})",
                song_id)
        elif status in (MatchStatus.UNMATCHED, MatchStatus.NO_MATCH):
            why = "no match found" if status == MatchStatus.NO_MATCH else "not matched yet (`cuesheet match`)"
            add("unmatched", ep, cue, f"song {position} {name}: {why}", song_id)
        elif not artist:  # an unmatched song is already listed; matching gives it its artist
            add("no-artist", ep, cue, f"song {position} {name} has no artist", song_id)


def _duplicates(conn: sqlite3.Connection, marks: str, ep_ids: list[int], add: Any) -> None:
    """A cue entered twice (a file imported again under another name, two curators adding the
    same cue): the same song in one episode at the same time in, or in the same scene."""
    from cuesheet.notation.normalize import fold

    seen: dict[tuple[Any, ...], int] = {}
    for ep, cue, t_in, scene, rec_id, title, artist, text in conn.execute(
        f"""SELECT c.episode_id, c.number, c.time_in_ms, c.scene, cs.recording_id, cs.title, cs.artist, cs.text
              FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
             WHERE c.episode_id IN ({marks}) ORDER BY c.episode_id, c.number, cs.position""",
        ep_ids,
    ):
        song = ("rec", rec_id) if rec_id is not None else ("text", fold(title or text or ""), fold(artist or ""))
        if song[1] == "":
            continue  # an unidentified song is not the same as another one
        places = ([("time", t_in)] if t_in is not None else []) + ([("scene", fold(scene))] if scene else [])
        places = places or [("nowhere", None)]  # neither has a time or a scene: nothing tells them apart
        for place in places:
            first = seen.setdefault((ep, song, place), cue)
            if first != cue:
                what = {"time": "it starts at the same time", "scene": "it has the same scene"}.get(
                    place[0], "neither has a time or a scene")
                add("duplicate-cue", ep, cue, f"repeats cue {first}: the same song, and {what}"
                    " (`cuesheet cue rm` one of them, or `cuesheet undo` the change that added it)")
                break


def _conflicts(conn: sqlite3.Connection, marks: str, ep_ids: list[int], add: Any) -> None:
    rows = conn.execute(
        f"""SELECT c.episode_id, c.number, cl.cue_song_id, cl.field, cl.value, so.key
              FROM conflicts x JOIN cues c ON c.id = x.cue_id
              JOIN claims cl ON cl.cue_id = x.cue_id AND cl.cue_song_id IS x.cue_song_id AND cl.field = x.field
              JOIN sources so ON so.id = cl.source_id
             WHERE c.episode_id IN ({marks}) ORDER BY c.episode_id, c.number, cl.id""",
        ep_ids,
    ).fetchall()
    grouped: dict[tuple[int, int, int | None, str], dict[str, list[str]]] = defaultdict(dict)
    for ep, cue, song, field, value, key in rows:
        values = grouped[(ep, cue, song, field)]
        match = next((v for v in values if v.casefold() == (value or "").casefold()), value or "")
        values.setdefault(match, [])
        if key not in values[match]:
            values[match].append(key)
    for (ep, cue, song, field), values in grouped.items():
        text = " · ".join(f"{v} ({', '.join(keys)})" for v, keys in values.items())
        add("conflict", ep, cue, f"sources disagree on {field}: {text}", song)


def _cue_sheet(conn: sqlite3.Connection, ep_ids: list[int], add: Any) -> None:
    """One warning per episode: which cue-sheet facts are missing, and for which cues."""
    from cuesheet.export.cue_sheet import gaps

    for ep in ep_ids:
        missing: dict[tuple[str, str], list[int]] = defaultdict(list)
        for gap in gaps(conn, episode_ref(conn, ep)):
            if gap.cue is None or gap.field not in _CUE_SHEET_FIELDS:
                continue
            label = _gap_label(gap)
            if gap.cue not in missing[(gap.field, label)]:
                missing[(gap.field, label)].append(gap.cue)
        if missing:
            parts = [f"{label} ({noun(len(cues), 'cue')} {_ranges(sorted(cues))})"
                     for (_, label), cues in sorted(missing.items(),
                                                    key=lambda kv: (_CUE_SHEET_FIELDS.index(kv[0][0]), kv[0][1]))]
            add("cue-sheet", ep, None, "a music cue sheet would lack " + "; ".join(parts)
                + " (see `cuesheet export cuesheet`)")


def _gap_label(gap: Any) -> str:
    """What exactly is missing: "time out", not "time", for a cue whose start time is known."""
    if gap.field == "time":
        if gap.message.endswith(" missing"):
            return gap.message.removesuffix(" missing")  # "time in", "time out", "time in and time out"
        return "each mashup song's time"
    return str(gap.field)


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
