"""A music cue sheet for one episode, as performing-rights organisations expect it.

There is no single mandated file format (formats.md section 4): societies and
portals (ASCAP, BMI, PRS, RapidCue ...) all ask for a header naming the
production and episode, then one row per use of a work: sequence, cue id,
title, composers and publishers with roles, societies and shares, performer,
usage code, timing and time in/out. cuesheet writes that as CSV (a header
block, a blank line, then the table, the layout of spreadsheet templates) or
JSON.

A cue sheet is only as good as its gaps are visible: `gaps()` lists what this
one cannot be complete without (composers, publishers, times, unmatched songs,
usage codes), for the export's stderr and for `cuesheet check`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cuesheet import __version__
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.export.credits import Credit, episode_facts, works_for_recordings
from cuesheet.export.output import write_output
from cuesheet.export.tabular import check_raw, csv_text
from cuesheet.model import USAGE_CODES, Kind, MatchStatus, Usage
from cuesheet.notation.plural import noun, plural
from cuesheet.notation.timecode import format_duration, format_time
from cuesheet.viewer import resolve
from cuesheet.viewer.answers import SongAnswer, completeness, sheet_answers
from cuesheet.viewer.resolve import EpisodeRef, find_episode, find_show

FORMATS = ("csv", "json")
# Lines of gap detail on stderr before "... and N more": enough for an episode, not a flood.
DETAIL_LINES = 8
# formats.md: US practice has writers sum to 100 and publishers sum to 100 on
# their own; some sheets split the whole between both sides. We say which.
SHARES_BASIS = "writers 100 / publishers 100"
SHARE_TOLERANCE = 0.01
# A lip-sync is a visual vocal (the performance is seen on screen): the only
# usage safe to infer from the kind of cue. Every other kind needs a curator.
USAGE_FROM_KIND = {Kind.LIP_SYNC: Usage.VV.value, Kind.MASHUP: Usage.VV.value}


@dataclass(frozen=True)
class Gap:
    """Something a cue sheet for this episode cannot be complete without."""

    code: str  # episode code, S01E03
    cue: int | None  # None for the episode as a whole
    part: int | None  # the song inside a mashup, 1-based
    song: str | None
    field: str  # composers, publishers, shares, time, match, usage, cues
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.code + (f" cue {self.cue}" if self.cue is not None else "")
        if self.part is not None:
            where += f" song {self.part}"
        song = f" {self.song}:" if self.song else ":"
        return f"{where}{song} {self.message}"


@dataclass(frozen=True)
class CueSheetRow:
    seq: int
    cue_id: str  # 1M04: episode number, M, cue number (letters for a mashup's songs)
    cue: int
    part: int
    title: str
    iswc: str | None
    composers: tuple[Credit, ...]
    publishers: tuple[Credit, ...]
    artist: str | None
    isrc: str | None
    usage: str | None
    usage_inferred: bool
    time_in_ms: int | None
    time_out_ms: int | None
    notes: tuple[str, ...]

    @property
    def duration_ms(self) -> int | None:
        if self.time_in_ms is None or self.time_out_ms is None:
            return None
        return self.time_out_ms - self.time_in_ms

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "cue_id": self.cue_id,
            "cue": self.cue,
            "part": self.part,
            "title": self.title,
            "iswc": self.iswc,
            "composers": [c.to_json() for c in self.composers],
            "publishers": [c.to_json() for c in self.publishers],
            "artist": self.artist,
            "isrc": self.isrc,
            "usage": self.usage,
            "usage_meaning": USAGE_CODES.get(self.usage or "", None),
            "usage_inferred": self.usage_inferred,
            "time_in": clock(self.time_in_ms),
            "time_out": clock(self.time_out_ms),
            "duration": format_duration(self.duration_ms) if self.duration_ms is not None else None,
            "time_in_ms": self.time_in_ms,
            "time_out_ms": self.time_out_ms,
            "duration_ms": self.duration_ms,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class MusicCueSheet:
    production: str
    network: str | None
    season: int
    episode: int
    code: str
    episode_title: str
    air_date: str | None
    length_ms: int | None
    complete: bool
    rows: tuple[CueSheetRow, ...]
    gaps: tuple[Gap, ...]
    prepared: datetime | None = None
    prepared_by: str = f"cuesheet {__version__}"

    @property
    def total_music_ms(self) -> int | None:
        """Music time of the cues whose in and out are known (a mashup's cue counted once)."""
        seen: dict[int, int] = {}
        for row in self.rows:
            if row.duration_ms is not None:
                seen[row.cue] = row.duration_ms
        return sum(seen.values()) if seen else None

    def header(self) -> dict[str, Any]:
        return {
            "production": self.production,
            "network": self.network,
            "season": self.season,
            "episode": self.episode,
            "episode_code": self.code,
            "episode_title": self.episode_title,
            "air_date": self.air_date,
            "length": format_time(self.length_ms) if self.length_ms is not None else None,
            "total_music": format_duration(self.total_music_ms) if self.total_music_ms is not None else None,
            "music_uses": len(self.rows),
            "complete": self.complete,
            "shares": SHARES_BASIS,
            "prepared_by": self.prepared_by,
            "date_prepared": self.prepared.date().isoformat() if self.prepared else None,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "header": self.header(),
            "rows": [r.to_json() for r in self.rows],
            "gaps": [g.to_json() for g in self.gaps],
        }


def clock(ms: int | None) -> str | None:
    """`00:12:30`: the hh:mm:ss of a timecode, without frames (the frame rate is rarely known)."""
    if ms is None:
        return None
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def build(
    conn: sqlite3.Connection, show_text: str, episode_text: str, *, prepared: datetime | None = None
) -> MusicCueSheet:
    """The cue sheet of one episode, read through the viewer's query layer."""
    show = find_show(conn, show_text)
    episode = find_episode(conn, show, episode_text)
    return from_episode(conn, episode, prepared=prepared)


def from_episode(
    conn: sqlite3.Connection, episode: EpisodeRef, *, prepared: datetime | None = None
) -> MusicCueSheet:
    facts = episode_facts(conn, episode)
    answers = sheet_answers(conn, episode.show, episode=episode)
    works = works_for_recordings(
        conn, [s.recording_id for a in answers for s in a.songs if s.recording_id is not None]
    )
    rows: list[CueSheetRow] = []
    gaps: list[Gap] = []
    if not answers:
        gaps.append(Gap(episode.code, None, None, None, "cues", "no cues known for this episode"))
    elif not facts.complete:
        # The one wording every page uses (viewer.answers.completeness).
        said = completeness(len(answers), sum(len(a.songs) for a in answers), False)
        gaps.append(Gap(episode.code, None, None, None, "cues", said))
    unconfirmed = [a.cue for a in answers if not a.order_confirmed]
    if unconfirmed:
        gaps.append(Gap(episode.code, None, None, None, "order",
                        f"{len(unconfirmed)} of {plural(len(answers), 'cue')} {noun(len(unconfirmed), 'is')} numbered in a source's list "
                        "order, not the order of use"))
    for a in answers:
        timed = a.time_in_ms is not None and a.time_out_ms is not None
        for part, song in enumerate(a.songs, start=1):
            many = len(a.songs) > 1
            label_part = part if many else None
            title = song.title or song.text
            song_works = works.get(song.recording_id, []) if song.recording_id is not None else []
            credits = [Credit.of(c) for w in song_works for c in w.credits]
            composers = tuple(c for c in credits if not c.publisher)
            publishers = tuple(c for c in credits if c.publisher)
            usage = a.usage
            inferred = False
            if not usage and a.kind in USAGE_FROM_KIND:
                usage, inferred = USAGE_FROM_KIND[a.kind], True
            notes: list[str] = []

            def gap(field_name: str, message: str, note: bool = True) -> None:
                gaps.append(Gap(a.code, a.cue, label_part, title, field_name, message))
                if note:
                    notes.append(message)

            if song.recording_id is None:
                gap("match", _match_gap(song))
            if not composers:
                gap("composers", "composers missing (no MusicBrainz work known for this recording)",
                    note=bool(publishers))
            if not publishers:
                gap("publishers", "publishers missing", note=bool(composers))
            if not composers and not publishers:
                # Blank cells, never a word a society's import could take for a name.
                notes.append("composers and publishers missing")
            for side, parties in (("writer", composers), ("publisher", publishers)):
                shares = [c.share for c in parties]
                if parties and None not in shares and abs(sum(shares) - 100) > SHARE_TOLERANCE:  # type: ignore[arg-type]
                    gap("shares", f"{side} shares sum to {sum(shares):g}, not 100")  # type: ignore[arg-type]
            if not usage:
                gap("usage", f"no usage code for this {a.kind} cue (VV, BV, BI, MT, ET ...)")
            if not timed:
                missing = " and ".join(
                    n for n, v in (("time in", a.time_in_ms), ("time out", a.time_out_ms)) if v is None
                )
                gap("time", f"{missing} missing")
            elif many:
                gap("time", f"mashup: each song's part of the cue's "
                            f"{format_duration(a.time_out_ms - a.time_in_ms)} is unknown")  # type: ignore[operator]
            if inferred:
                notes.append(f"usage {usage} inferred from the {a.kind} kind")
            if a.conflicts:
                fields = sorted({c["field"] for c in a.conflicts})
                notes.append("sources disagree on " + ", ".join(fields))
            suffix = chr(ord("a") + part - 1) if many and part <= 26 else ""
            rows.append(
                CueSheetRow(
                    seq=len(rows) + 1,
                    cue_id=f"{a.episode}M{a.cue:02d}{suffix}",
                    cue=a.cue,
                    part=part,
                    title=song_works[0].title if len(song_works) == 1 else title,
                    iswc=song_works[0].iswc if len(song_works) == 1 else None,
                    composers=composers,
                    publishers=publishers,
                    artist=song.artist,
                    isrc=song.ids.get("isrc"),
                    usage=usage,
                    usage_inferred=inferred,
                    time_in_ms=a.time_in_ms,
                    time_out_ms=a.time_out_ms,
                    notes=tuple(notes),
                )
            )
    return MusicCueSheet(
        production=episode.show.name,
        network=facts.network,
        season=episode.season,
        episode=episode.number,
        code=episode.code,
        episode_title=episode.title,
        air_date=facts.air_date,
        length_ms=facts.length_ms,
        complete=facts.complete,
        rows=tuple(rows),
        gaps=tuple(gaps),
        prepared=prepared,
    )


def gaps(conn: sqlite3.Connection, episode: EpisodeRef) -> list[Gap]:
    """What a cue sheet for this episode cannot be complete without; for `cuesheet check`."""
    return list(from_episode(conn, episode).gaps)


# --- rendering -------------------------------------------------------------------------

COLUMNS = (
    "seq", "cue_id", "title", "iswc", "composers", "publishers", "performer", "isrc", "usage",
    "time_in", "time_out", "duration", "notes",
)


def credits_text(credits: tuple[Credit, ...]) -> str:
    """`A. Writer (CA, ASCAP, 50); B. Writer (C, PRS, 50)`, the layout of formats.md's sample; blank when unknown."""
    if not credits:
        return ""
    parts = []
    for c in credits:
        facts = [c.role] + [x for x in (c.society,) if x]
        if c.ipi:
            facts.append(f"IPI {c.ipi}")
        if c.share is not None:
            facts.append(f"{c.share:g}")
        parts.append(f"{c.name} ({', '.join(facts)})")
    return "; ".join(parts)


def render_csv(sheet: MusicCueSheet, *, raw: bool = False) -> str:
    """The header block, a blank line, the table; through the one CSV writer (formula-safe)."""
    lines: list[list[Any]] = [["field", "value"]]
    for key, value in sheet.header().items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append([key, value])
    lines.append([])
    lines.append(list(COLUMNS))
    for row in sheet.rows:
        data = row.to_json()
        lines.append([
            row.seq, row.cue_id, row.title, row.iswc, credits_text(row.composers),
            credits_text(row.publishers), row.artist, row.isrc, row.usage,
            data["time_in"], data["time_out"], data["duration"], "; ".join(row.notes),
        ])
    return csv_text(lines, raw=raw)


# Why a column can be empty in every row of a sheet: what the data lacks.
EMPTY_BECAUSE = {
    "iswc": "no MusicBrainz work with an ISWC is stored for these songs",
    "composers": "no MusicBrainz work with credits is stored for these songs",
    "publishers": "no MusicBrainz work with credits is stored for these songs",
    "performer": "no artist is known for these songs",
    "isrc": "no ISRC is known for these recordings",
    "usage": "no usage code was given or could be inferred",
    "time_in": "the sources give no times",
    "time_out": "the sources give no times",
    "duration": "the sources give no times",
}


def _cell(row: CueSheetRow, column: str) -> Any:
    data = row.to_json()
    return {
        "composers": data["composers"], "publishers": data["publishers"], "performer": row.artist,
    }.get(column, data.get(column))


def empty_columns(sheets: list[MusicCueSheet]) -> dict[str, str]:
    """The table columns blank in every row of these sheets, each with the reason the data gives."""
    rows = [r for s in sheets for r in s.rows]
    if not rows:
        return {}
    return {c: why for c, why in EMPTY_BECAUSE.items() if not any(_cell(r, c) for r in rows)}


def empty_columns_line(sheets: list[MusicCueSheet]) -> str | None:
    """`empty columns: iswc (...); composers, publishers (...)`: one line, columns of one reason together."""
    empty = empty_columns(sheets)
    if not empty:
        return None
    by_reason: dict[str, list[str]] = {}
    for column, why in empty.items():
        by_reason.setdefault(why, []).append(column)
    return "empty columns: " + "; ".join(f"{', '.join(cols)} ({why})" for why, cols in by_reason.items())


def render_json(sheet: MusicCueSheet) -> str:
    return json.dumps(sheet.to_json(), ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class CueSheetExport:
    text: str
    sheet: MusicCueSheet
    format: str
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


def _format(fmt: str | None, output: Path | None) -> str:
    suffix = output.suffix.lstrip(".") if output is not None and not output.is_dir() else ""
    key = (fmt or suffix or "csv").lower()
    if key not in FORMATS:
        raise CuesheetError(f"unknown cue sheet format {key!r}", remedy="use csv or json")
    return key


def _render(sheet: MusicCueSheet, key: str, raw: bool) -> str:
    check_raw(key, raw)
    return render_csv(sheet, raw=raw) if key == "csv" else render_json(sheet)


def export_cuesheet(
    conn: sqlite3.Connection,
    show: str,
    episode: str,
    *,
    fmt: str | None = None,
    output: Path | None = None,
    raw: bool = False,
    prepared: datetime | None = None,
) -> CueSheetExport:
    """Build, render and (with `output`) write one episode's music cue sheet."""
    key = _format(fmt, output)
    sheet = build(conn, show, episode, prepared=prepared or datetime.now(timezone.utc))
    if not sheet.rows:
        raise NotFound(
            f"no cues known yet for {sheet.production} {sheet.code} \"{sheet.episode_title}\"",
            remedy="a cue sheet needs at least one cue; curators add them with `cuesheet cue add`",
        )
    text = _render(sheet, key, raw)
    if output is not None:
        write_output(output, text)
    empty = empty_columns_line([sheet])
    return CueSheetExport(text, sheet, key, output, ([empty] if empty else []) + summarize(sheet.gaps))


@dataclass(frozen=True)
class SeasonExport:
    """A season's cue sheets: one file per episode in one folder, as societies take them."""

    files: list[CueSheetExport]
    without_cues: list[str]  # episode codes with no cue, so no sheet
    notes: list[str]


def season_file_name(sheet: MusicCueSheet, slug: str, key: str) -> str:
    """`soundtrack-S01E03-cuesheet.csv`: sorts by episode, says what it is."""
    return f"{slug}-{sheet.code}-cuesheet.{key}"


def export_cuesheet_season(
    conn: sqlite3.Connection,
    show_text: str,
    season: int,
    folder: Path,
    *,
    fmt: str | None = None,
    raw: bool = False,
    prepared: datetime | None = None,
) -> SeasonExport:
    """One cue sheet per episode of SEASON, written into FOLDER (made if its parent exists).

    A cue sheet is filed per episode, so a season is a folder of files, not one
    file. Episodes without cues get no file and are named in the notes; a
    season where no episode has cues is an error.
    """
    if folder.exists() and not folder.is_dir():
        raise CuesheetError(f"cannot write the season's cue sheets to {folder}: it is a file, not a folder",
                            remedy="--season writes one file per episode; give -o a folder")
    if not folder.exists() and folder.suffix.lower() in (".csv", ".json"):
        raise CuesheetError(f"cannot write the season's cue sheets to {folder}: that is a file name",
                            remedy="--season writes one file per episode; give -o a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise CuesheetError(f"cannot write the season's cue sheets to {folder}: {folder.parent} does not exist",
                            remedy="--season writes one file per episode into -o FOLDER; its parent must exist")
    key = _format(fmt, None)
    show = find_show(conn, show_text)
    episodes = [e for e in resolve.episodes(conn, show) if e["season"] == season]
    if not episodes:
        seasons = sorted({e["season"] for e in resolve.episodes(conn, show)})
        raise NotFound(f"{show.name} has no season {season}",
                       remedy="seasons: " + (", ".join(map(str, seasons)) or "none yet"))
    when = prepared or datetime.now(timezone.utc)
    sheets = [from_episode(conn, find_episode(conn, show, e["code"]), prepared=when)
              for e in episodes]
    with_cues = [s for s in sheets if s.rows]
    without = [s.code for s in sheets if not s.rows]
    if not with_cues:
        raise NotFound(f"no cues known yet for {show.name} season {season}",
                       remedy="a cue sheet needs at least one cue; curators add them with `cuesheet cue add`")
    texts = [(s, _render(s, key, raw)) for s in with_cues]
    if not folder.exists():
        try:
            folder.mkdir()  # one level only: a typo in a parent folder is still an error
        except OSError as exc:
            raise CuesheetError(f"cannot make the folder {folder}: {exc.strerror}") from None
    files = []
    for sheet, text in texts:
        path = folder / season_file_name(sheet, show.slug, key)
        write_output(path, text)
        files.append(CueSheetExport(text, sheet, key, path, []))
    notes = []
    empty = empty_columns_line(with_cues)
    if empty:
        notes.append(empty)
    notes += summarize([g for s in with_cues for g in s.gaps])
    if without:
        notes.append(f"no cues known, no file: {', '.join(without)}")
    return SeasonExport(files, without, notes)


def summarize(found: tuple[Gap, ...] | list[Gap]) -> list[str]:
    """A few lines for stderr: how many songs lack each fact, then the details worth reading."""
    if not found:
        return []
    labels = {
        "composers": "composers",
        "publishers": "publishers",
        "shares": "shares that sum to 100",
        "time": "exact timing",
        "match": "an identified recording",
        "usage": "a usage code",
    }
    counts: dict[str, int] = {}
    for g in found:
        if g.field in labels:
            counts[g.field] = counts.get(g.field, 0) + 1
    lines = []
    if counts:
        lines.append("missing: " + ", ".join(
            f"{labels[k]} for {plural(n, 'song')}" for k, n in counts.items()))
    detail = [f"  {g}" for g in found if g.field in ("match", "time", "usage", "cues", "order")]
    if len(detail) > DETAIL_LINES:
        more = len(detail) - DETAIL_LINES + 1
        detail = detail[: DETAIL_LINES - 1] + [f"  ... and {more} more (--format json lists every gap)"]
    return lines + detail


def _match_gap(song: SongAnswer) -> str:
    """Why a song has no recording, with the command that helps: `cuesheet match` never
    touches an unidentified song (it has no words to search for), so that one goes to review."""
    if song.status == MatchStatus.REVIEW:
        return "a doubtful match waits in `cuesheet review`"
    if song.unidentified:
        return ("song not identified yet (see `cuesheet review unknown`; `cuesheet review search` "
                "tries new words)")
    if song.status == MatchStatus.REJECTED:  # `cuesheet match` does not try a rejected song again
        return "a curator rejected every candidate (pin a recording with `cuesheet review set`)"
    return "no recording linked yet (run `cuesheet match`, or pin one with `cuesheet review set`)"
