"""Claimed recording ids for curators: the audit run over the database, the `review claims`
listing, a curator's accept or reject, and the import of what claimed tracks are.

The judging itself is `matching.claims.audit_claim` (pure); the rows are written by
`cuesheet.curation.store` (claims and claimed tracks are written there and nowhere else). The
audit runs in bulk and offline: after `build`, after a claims import, and for the songs
a curator's change touches. A curator's decision is final for the audit.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cuesheet.curation import store
from cuesheet.db import history
from cuesheet.errors import CuesheetError, InputError, InputErrors, NotFound
from cuesheet.matching.claims import Audit, ClaimedTrack, ClaimKind, ClaimVerdict, audit_claim
from cuesheet.notation import ids
from cuesheet.notation.episodes import episode_code

VERDICTS = tuple(v.value for v in ClaimVerdict)
SERVICES = ("spotify", "musicbrainz", "isrc")
NO_DETAILS = ("the track's own title and artist are not known yet: "
              "`cuesheet catalog claims FILE` brings them in")


# --- the audit over the database ------------------------------------------------------------------


def audit(conn: sqlite3.Connection, song_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Audit every claim no curator decided (or those of `song_ids`); counts by verdict.

    The caller holds the transaction. Each distinct (credited song, track) pair is judged
    once, so a popular id claimed by many songs costs one comparison per song text.
    """
    sql = """SELECT ic.id, coalesce(s.title, s.text), s.artist, ic.service, ic.external_id,
                    t.title, t.artist, t.album, t.release_date, t.duration_ms
               FROM song_id_claims ic JOIN cue_songs s ON s.id = ic.cue_song_id
               LEFT JOIN claimed_tracks t ON t.service = ic.service AND t.external_id = ic.external_id
              WHERE ic.decided_by IS NULL"""
    args: list[Any] = []
    if song_ids is not None:
        if not song_ids:
            return {}
        sql += f" AND ic.cue_song_id IN ({','.join('?' * len(song_ids))})"
        args = list(song_ids)
    judged: dict[tuple[Any, ...], Audit] = {}
    rows = []
    counts: dict[str, int] = {}
    for row_id, title, artist, service, ext, t_title, t_artist, album, date, length in conn.execute(sql, args):
        key = (title, artist, service, ext, t_title, t_artist, album)
        if key not in judged:
            judged[key] = (audit_claim(title or "", artist, ClaimedTrack(service, ext, t_title, t_artist, album,
                                                                         date, length))
                           if t_title and t_artist else
                           Audit(ClaimVerdict.REVIEW, ClaimKind.UNCLEAR, (NO_DETAILS,)))
        a = judged[key]
        rows.append((row_id, a.verdict.value, a.kind.value, json.dumps(list(a.reasons), ensure_ascii=False)))
        counts[a.verdict.value] = counts.get(a.verdict.value, 0) + 1
    store.set_claim_audits(conn, rows)
    return counts


# --- the listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimItem:
    """One claim on one song: where the song plays, what it is credited as, what the id is."""

    song_id: int
    show: str
    show_id: int
    episode_id: int
    season: int
    episode: int
    episode_title: str
    cue: int
    title: str | None
    artist: str | None
    service: str
    external_id: str
    sources: list[str]
    verdict: str
    kind: str | None
    reasons: list[str]
    decided_by: str | None
    decided_at: str | None
    track: ClaimedTrack | None = None
    row_ids: list[int] = field(default_factory=list)

    @property
    def code(self) -> str:
        return episode_code(self.season, self.episode)

    @property
    def label(self) -> str:
        return f"{self.show} {self.code} cue {self.cue}"

    @property
    def url(self) -> str | None:
        if self.service == "spotify":
            return ids.spotify_url(self.external_id)
        if self.service == "musicbrainz":
            return ids.musicbrainz_url(self.external_id)
        return None

    def to_json(self) -> dict[str, Any]:
        t = self.track
        return {
            "song_id": self.song_id, "show": self.show, "season": self.season, "episode": self.episode,
            "code": self.code, "episode_title": self.episode_title, "cue": self.cue,
            "title": self.title, "artist": self.artist,
            "claim": {
                "service": self.service, "id": self.external_id, "url": self.url,
                "title": t.title if t else None, "artist": t.artist if t else None,
                "album": t.album if t else None, "release_date": t.release_date if t else None,
                "duration_ms": t.duration_ms if t else None, "sources": self.sources,
            },
            "verdict": self.verdict, "kind": self.kind, "reasons": self.reasons,
            "decided_by": self.decided_by, "decided_at": self.decided_at,
        }


_LIST_SQL = """
SELECT ic.id, s.id, sh.name, sh.id, e.id, e.season, e.number, e.title, c.number,
       coalesce(s.title, s.text), s.artist, ic.service, ic.external_id, so.key,
       ic.verdict, ic.kind, ic.reasons, ic.decided_by, ic.decided_at,
       t.title, t.artist, t.album, t.release_date, t.duration_ms
  FROM song_id_claims ic JOIN cue_songs s ON s.id = ic.cue_song_id
  JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id JOIN shows sh ON sh.id = e.show_id
  JOIN sources so ON so.id = ic.source_id
  LEFT JOIN claimed_tracks t ON t.service = ic.service AND t.external_id = ic.external_id"""


def listing(conn: sqlite3.Connection, *, show_id: int | None = None, episode_id: int | None = None,
            season: int | None = None, verdicts: Iterable[str] = (), song_ids: Iterable[int] = ()
            ) -> list[ClaimItem]:
    """Every claim (one item per song and id, its sources together), in broadcast order."""
    where, args = [], []
    for column, value in (("sh.id", show_id), ("e.id", episode_id), ("e.season", season)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    verdicts, song_ids = list(verdicts), list(song_ids)
    if verdicts:
        where.append(f"ic.verdict IN ({','.join('?' * len(verdicts))})")
        args += verdicts
    if song_ids:
        where.append(f"s.id IN ({','.join('?' * len(song_ids))})")
        args += song_ids
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY sh.name, e.season, e.number, c.number, s.position, ic.service, ic.external_id, ic.id"
    items: dict[tuple[int, str, str], ClaimItem] = {}
    for (row_id, song_id, show, sid, eid, season_, number, ep_title, cue, title, artist, service, ext, key,
         verdict, kind, reasons, by, at, t_title, t_artist, album, date, length) in conn.execute(sql, args):
        found = items.get((song_id, service, ext))
        if found is not None:
            found.row_ids.append(row_id)
            if key not in found.sources:
                found.sources.append(key)
            continue
        track = ClaimedTrack(service, ext, t_title, t_artist, album, date, length) if t_title else None
        items[(song_id, service, ext)] = ClaimItem(
            song_id, show, sid, eid, season_, number, ep_title, cue, title, artist, service, ext, [key],
            verdict, kind, json.loads(reasons) if reasons else [], by, at, track, [row_id])
    return list(items.values())


# --- a curator's decision -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimDecision:
    summary: str
    history_id: int | None
    items: list[ClaimItem]
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "history_id": self.history_id, "verdict": self.verdict,
                "songs": [it.song_id for it in self.items],
                "claims": [{"song_id": it.song_id, "service": it.service, "id": it.external_id}
                           for it in self.items]}


def decide(conn: sqlite3.Connection, song_ids: Sequence[int], verdict: str, curator: str, *,
           service: str | None = None, external_id: str | None = None) -> ClaimDecision:
    """Accept or reject the claims of these songs (all of their ids, or the one named), as one change."""
    if verdict not in (ClaimVerdict.ACCEPTED, ClaimVerdict.REJECTED):
        raise CuesheetError(f"a curator accepts or rejects a claim, not {verdict!r}")
    items = listing(conn, song_ids=song_ids)
    if service:
        items = [it for it in items if it.service == service]
    if external_id:
        items = [it for it in items if it.external_id == external_id]
    missing = [i for i in dict.fromkeys(song_ids) if not any(it.song_id == i for it in items)]
    if missing:
        which = ", ".join(f"#{i}" for i in missing)
        raise NotFound(f"no id claim on song {which}" + (f" for {service}" if service else "")
                       + (f" with id {external_id}" if external_id else ""),
                       remedy="`cuesheet review claims` lists every claim with its song id")
    row_ids = [r for it in items for r in it.row_ids]
    at = now()
    reason = json.dumps([f"{verdict} by {curator}"])
    with history.recorded(conn, f"review {'accept' if verdict == ClaimVerdict.ACCEPTED else 'reject'} claim",
                          curator) as change:
        store.decide_claims(conn, row_ids, verdict, curator, at, reason)
        first = items[0]
        what = (f"{first.service} {first.external_id} for {first.label} ({first.title})" if len(items) == 1
                else f"{len(items)} claims")
        change.summary = f"{verdict} {what}"
        change.show_id = first.show_id if len({it.show_id for it in items}) == 1 else None
        change.episode_id = first.episode_id if len({it.episode_id for it in items}) == 1 else None
    return ClaimDecision(change.summary, change.id, listing(conn, song_ids=song_ids), verdict)


# --- what claimed ids are: the details of the tracks ----------------------------------------------

# The columns of a claimed-tracks file, as `dump` writes them; `--map` names others.
TRACK_FIELDS = ("id", "title", "artist", "album", "release_date", "duration_ms", "source")
REQUIRED_FIELDS = ("id", "title", "artist")


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`COLUMN=FIELD` pairs (`--map`, as `cue import --map` writes them) as {field: column}.

    `-` as the field reads past a column; a column the mapping does not name is read
    only when its header is a field's own name.
    """
    mapping: dict[str, str] = {}
    for i, pair in enumerate(pairs, start=1):
        column, sep, name = pair.partition("=")
        column, name = column.strip(), name.strip()
        if not sep or not name or not column:
            raise InputError(f"expected COLUMN=FIELD, got {pair!r}", field=f"--map #{i}",
                             remedy=f"fields: {', '.join(TRACK_FIELDS)}, or - to ignore a column")
        if name == "-":
            continue
        if name not in TRACK_FIELDS:
            raise InputError(f"{name!r} is not a field of a claimed track", field=f"--map #{i}",
                             remedy=f"fields: {', '.join(TRACK_FIELDS)}")
        mapping[name] = column
    return mapping


def read_mapping(path: Path, extra: Iterable[str] = ()) -> dict[str, str]:
    """A mapping file's `columns` table (column = field), TOML or YAML, as `cue import
    --mapping` reads it; `extra` (--map) adds to it. Returns {field: column}."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the mapping: {exc}", file=file) from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - tomllib and yaml raise their own kinds
        raise InputError(f"cannot read the mapping: {str(exc).splitlines()[0]}", file=file) from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise InputError("a mapping file needs a `columns` table (column = field)", file=file)
    pairs = [f"{column}={name}" for column, name in data["columns"].items()]
    try:
        return parse_mapping([*pairs, *extra])
    except InputError as exc:
        raise InputError(exc.message.split(": ", 1)[-1], file=file, remedy=exc.remedy) from None


@dataclass(frozen=True)
class TrackRow:
    track: ClaimedTrack
    source: str | None


def read_track_rows(path: Path, service: str, mapping: dict[str, str] | None = None) -> list[TrackRow]:
    """The tracks a CSV file describes (columns by `mapping`, else the file's own names).

    Every bad row (unknown id, empty title, a length that is not a number, the same id
    twice with other details) is reported at once as file:line:column, before anything
    is written.
    """
    if service not in SERVICES:
        raise CuesheetError(f"{service!r} is not a service", remedy=f"use {', '.join(SERVICES)}")
    check = {"spotify": ids.normalize_spotify_id, "musicbrainz": ids.normalize_mbid, "isrc": ids.normalize_isrc}
    columns = {f: (mapping or {}).get(f, f) for f in TRACK_FIELDS}
    file = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CuesheetError(f"cannot read {file}: {exc.strerror}") from None
    errors: list[InputError] = []
    out: list[TrackRow] = []
    seen: dict[str, tuple[int, ClaimedTrack]] = {}
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputErrors([InputError(f"not a CSV file: {exc}", file=file, line=1)]) from None
        if not header:
            raise InputErrors([InputError("the file is empty: a header line comes first", file=file, line=1)])
        header = [h.strip() for h in header]
        where = {c: i for i, c in enumerate(header)}
        absent = [f"{f} (column {columns[f]!r})" if columns[f] != f else f
                  for f in TRACK_FIELDS if columns[f] not in where and (f in REQUIRED_FIELDS or f in (mapping or {}))]
        if absent:
            raise InputErrors([InputError(f"no column for {', '.join(absent)}; the header has "
                                          f"{', '.join(header)}", file=file, line=1,
                                          remedy="name the columns with --map FIELD=COLUMN")])
        try:
            for record in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                values = {f: (record[where[columns[f]]].strip() if columns[f] in where
                              and where[columns[f]] < len(record) else "") for f in TRACK_FIELDS}

                def bad(f: str, message: str) -> None:
                    errors.append(InputError(message, file=file, line=line,
                                             field=f"{columns[f]} (column {where[columns[f]] + 1})"))

                try:
                    external_id = check[service](values["id"])
                except CuesheetError as exc:
                    bad("id", exc.message)
                    continue
                for f in ("title", "artist"):
                    if not values[f]:
                        bad(f, "is empty: a claimed track names its " + f)
                length = None
                if values["duration_ms"]:
                    if not values["duration_ms"].isdigit():
                        bad("duration_ms", f"{values['duration_ms']!r} is not a whole number of milliseconds")
                    else:
                        length = int(values["duration_ms"])
                if not values["title"] or not values["artist"]:
                    continue
                track = ClaimedTrack(service, external_id, values["title"], values["artist"],
                                     values["album"] or None, values["release_date"] or None, length)
                earlier = seen.get(external_id)
                if earlier is not None:
                    if earlier[1] != track:
                        bad("id", f"{external_id} is described differently on line {earlier[0]}")
                    continue
                seen[external_id] = (line, track)
                out.append(TrackRow(track, values["source"] or None))
        except (csv.Error, UnicodeDecodeError) as exc:
            errors.append(InputError(f"cannot read the row: {exc}", file=file, line=reader.line_num))
    if errors:
        raise InputErrors(errors)
    return out


@dataclass(frozen=True)
class TracksImport:
    file: str
    tracks: int
    new: int
    changed: int
    verdicts: dict[str, int]
    history_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "tracks": self.tracks, "new": self.new, "changed": self.changed,
                "verdicts": self.verdicts, "history_id": self.history_id}


def import_tracks(conn: sqlite3.Connection, path: Path, service: str, curator: str,
                  mapping: dict[str, str] | None = None) -> TracksImport:
    """Bring in what claimed ids are, then audit every claim again: one change, undoable."""
    rows = read_track_rows(path, service, mapping)
    with history.recorded(conn, "catalog claims", curator) as change:
        new = changed = 0
        for source in dict.fromkeys(r.source for r in rows):
            n, c = store.upsert_claimed_tracks(conn, [r.track for r in rows if r.source == source], source)
            new, changed = new + n, changed + c
        verdicts = audit(conn)
        change.summary = f"claimed tracks from {path.name}: {new} new, {changed} changed"
    return TracksImport(str(path), len(rows), new, changed, verdicts, change.id)


def track_rows(conn: sqlite3.Connection) -> dict[str, list[list[str]]]:
    """Every claimed track by service, as rows of a claimed-tracks file (header first), for `dump`."""
    out: dict[str, list[list[str]]] = {}
    for service, ext, title, artist, album, date, length, source in conn.execute(
            """SELECT service, external_id, title, artist, album, release_date, duration_ms, source
                 FROM claimed_tracks ORDER BY service, source, external_id"""):
        out.setdefault(service, [list(TRACK_FIELDS)]).append(
            [ext, title, artist, album or "", date or "", "" if length is None else str(length), source or ""])
    return out


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
