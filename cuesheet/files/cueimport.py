"""`cue import`: cue sheets from a file (data/ YAML, JSON or CSV), all or nothing.

Every format is turned into the YAML document shape and read by the same
checker as `build`, so a mistake is reported the same way everywhere: file,
line and field, every one of them before anything is written. The import is
one transaction and one history entry; a dry run does all of it, reports,
and rolls back.

CSV columns (header required; names as in the YAML format):
  season, episode              required: which episode
  cue                          the cue number; rows with the same number are the songs of
                               one cue (a mashup); blank: each row is a new cue numbered
                               after the last one
  episode_title                needed only when the episode is not in the database yet
  order, time_in, time_out, scene, performers, usage, kind, confidence, sources, notes
                               the cue's fields, from its first row; `performers` as
                               "Sam (Paul James); Nellie?" and `sources` as "bustle rsc-ep3"
  title, artist, version, text, song_performers, song_notes, heard
                               one song per row (title or text required); `heard` alone
                               (no title or text) is a song nobody has identified yet
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cuesheet.curation import matcher as matching
from cuesheet.curation import store
from cuesheet.curation.cues import parse_performers
from cuesheet.db import history, search_index
from cuesheet.errors import CuesheetError, InputError, InputErrors
from cuesheet.files.read import read_bytes, read_text_lines
from cuesheet.files.sheets import LineDict, LineList, _Checker, load_yaml, read_episode
from cuesheet.matching.persist import apply_matches, identify_songs
from cuesheet.model import Cue, Episode, Kind
from cuesheet.notation import limits
from cuesheet.notation.echo import listed
from cuesheet.notation.episodes import episode_code
from cuesheet.notation.normalize import repair_text
from cuesheet.notation.plural import plural
from cuesheet.viewer.resolve import ShowRef, find_show

FORMATS = ("yaml", "json", "csv")
CSV_COLUMNS = (
    "season", "episode", "episode_title", "cue", "order", "time_in", "time_out", "scene", "performers",
    "usage", "kind", "confidence", "sources", "notes", "title", "artist", "version", "text",
    "song_performers", "song_notes", "heard",
)
CUE_COLUMNS = ("order", "time_in", "time_out", "scene", "performers", "usage", "kind", "confidence",
               "sources", "notes")
# Songs matched per step of the progress bar.
MATCH_CHUNK = 50

Progress = Callable[[str, int, int], None]


@dataclass
class _Doc:
    """One episode's worth of cues from the file, with the lines to blame."""

    episode: Episode
    line: int
    cue_lines: dict[int, int]
    title_given: bool
    csv: bool = False
    given: frozenset[str] = frozenset()  # the episode fields the file states
    repaired: int = 0  # its values that were UTF-8 misread as Latin-1/cp1252 (`repair_text`)


@dataclass
class ImportReport:
    file: str
    show: str
    dry_run: bool
    new_episodes: list[str] = field(default_factory=list)
    updated_episodes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    songs: int = 0
    accepted: int = 0
    review: int = 0
    no_match: int = 0
    # Songs nobody has named (`match: unknown`): never matched, counted so the summary adds up.
    unidentified: int = 0
    # Values of the file that were UTF-8 misread as Latin-1/cp1252, imported repaired.
    repaired: int = 0
    history_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "file", "show", "dry_run", "new_episodes", "updated_episodes", "added", "replaced", "songs", "accepted",
            "review", "no_match", "unidentified", "repaired", "history_id")}


class _DryRun(Exception):
    pass


# --- reading ---------------------------------------------------------------------------------------


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"{fmt!r} is not a format cuesheet imports", field="--format",
                             remedy=f"use {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("yaml", "yml"):
        return "yaml"
    if suffix in FORMATS:
        return suffix
    raise InputError("cannot tell the format from the name", file=str(path),
                     remedy="name it .yaml, .json or .csv, or pass --format")


def _titles(conn: sqlite3.Connection, show: ShowRef) -> dict[tuple[int, int], str]:
    return {(s, n): t for s, n, t in conn.execute(
        "SELECT season, number, title FROM episodes WHERE show_id = ?", [show.id])}


def read_file(conn: sqlite3.Connection, path: Path, show: ShowRef, fmt: str | None = None,
              *, replace: bool = False) -> list[_Doc]:
    """The file's episodes as checked models; raises InputErrors with every problem, in file,
    line and field order: bytes that are not UTF-8 (by line), fields, and clashes with the
    database (an episode it lacks without a title, cue numbers taken unless `replace`)."""
    kind = detect_format(path, fmt)
    text, errors = read_text_lines(path)  # a missing file, a folder, /dev/zero: one located line
    if not text.strip(" \t\r\n\ufeff"):
        raise InputErrors([InputError("empty file", file=str(path),
                                      remedy="save the cues into it first" + (
                                          "; a CSV starts with a header such as season,episode,title,artist"
                                          if kind == "csv" else ""))])
    source_keys = set(store.source_ids(conn, show.id))
    titles = _titles(conn, show)
    try:
        if kind == "csv":
            raw, more = _csv_docs(conn, path, show, text)
        else:
            raw, more = _document_docs(path, kind, text)
    except InputErrors as exc:
        raise InputErrors(_in_order(errors + exc.errors)) from None
    except InputError as exc:
        raise InputErrors(_in_order(errors + [exc])) from None
    errors += more
    is_csv = kind == "csv"
    docs = []
    for d in raw:
        repaired = _repair_values(d)  # before the checks: only what is still a control character is one
        if getattr(d, "unplaced", False):  # a CSV row whose season or episode is wrong: its other
            c = _Checker(path)                # fields are still checked, so every error shows at once
            read_episode(d, c, source_keys)
            errors += [_as_column(e, str(path)) for e in c.errors if e.field != "title"]
            continue
        title_given = bool(d.get("title"))
        key = (d.get("season"), d.get("episode"))
        missing = False
        # Only whole numbers are looked up: `"season": [1]` is a list (unhashable), reported below.
        numeric = all(isinstance(k, int) and not isinstance(k, bool) for k in key)
        if not title_given and numeric and key in titles:
            d["title"] = titles[key]  # an existing episode needs no title in the file
        elif not title_given and numeric:
            missing = True
            code = episode_code(*key) if all(k >= 1 for k in key) else f"season {key[0]} episode {key[1]}"
            errors.append(InputError(
                f"{code} is not in the database; give its title to add it", file=str(path), line=d.line,
                field="episode_title" if is_csv else "title",
                remedy=f"{show.name} has {_known(titles)}"))
            d["title"] = "?"  # go on checking its cues
        c = _Checker(path)
        ep = read_episode(d, c, source_keys)
        errors += [_as_column(e, str(path)) for e in c.errors] if is_csv else c.errors
        if ep is None or missing:
            continue
        lines = {}
        for i, item in enumerate(d.get("cues") if isinstance(d.get("cues"), list) else []):
            if isinstance(item, dict) and isinstance(item.get("cue"), int):
                lines[item["cue"]] = (d["cues"].item_lines[i] if isinstance(d["cues"], LineList) else d.line)
        given = frozenset(k for k in ("air_date", "length", "complete", "notes", "aliases", "sources") if k in d)
        doc = _Doc(ep, d.line, lines, title_given, is_csv, given | ({"title"} if title_given else set()),
                   repaired)
        if not replace:
            errors += _taken(conn, show, path, doc)
        docs.append(doc)
    if errors:
        raise InputErrors(_in_order(errors))
    return docs


def _repair_values(node: Any) -> int:
    """Repair, in place, every text value of a read document (`repair_text`); how many changed.
    Keys are the format's own words and stay as written."""
    count = 0
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str):
            fixed = repair_text(value)
            if fixed != value:
                node[key] = fixed
                count += 1
        else:
            count += _repair_values(value)
    return count


def _known(titles: dict[tuple[int, int], str]) -> str:
    codes = [episode_code(s, n) for s, n in sorted(titles)]
    if not codes:
        return "no episodes yet"
    return f"{codes[0]}–{codes[-1]}" if len(codes) > 3 else ", ".join(codes)


def _taken(conn: sqlite3.Connection, show: ShowRef, path: Path, doc: _Doc) -> list[InputError]:
    """The file's cue numbers the episode already has (without --replace)."""
    ep = doc.episode
    have = {n for (n,) in conn.execute(
        """SELECT c.number FROM cues c JOIN episodes e ON e.id = c.episode_id
            WHERE e.show_id = ? AND e.season = ? AND e.number = ?""", [show.id, ep.season, ep.number])}
    code = episode_code(ep.season, ep.number)
    return [InputError(f"{code} already has cue {cue.number}", file=str(path),
                       line=doc.cue_lines.get(cue.number, doc.line), field="cue",
                       remedy="pass --replace to replace it, or leave the number out (CSV) / pick a free one")
            for cue in ep.cues if cue.number in have]


def _in_order(errors: list[InputError]) -> list[InputError]:
    """file:line:field order, as a curator fixes them top-down."""
    return sorted(errors, key=lambda e: (str(e.file or ""), e.line or 0, e.field or ""))


def _document_docs(path: Path, kind: str, text: str) -> tuple[list[LineDict], list[InputError]]:
    if kind == "json":
        deep = limits.yaml_depth_problem(text)
        if deep:
            raise InputErrors([InputError(deep[0], file=str(path), line=deep[1])])
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputErrors([InputError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno)]) from None
        except RecursionError:
            raise InputErrors([InputError(f"nested more than {limits.DEPTH} levels deep", file=str(path))]) from None
    data = load_yaml(path, text)  # JSON is YAML: one reader, with line numbers, for both
    items = data if isinstance(data, list) else [data]
    docs, errors = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            line = data.item_lines[i] if isinstance(data, LineList) else 1
            errors.append(InputError("expected an episode (season, episode, cues)", file=str(path), line=line,
                                     field=f"[{i}]" if isinstance(data, list) else None))
            continue
        docs.append(item)
    return docs, errors


def _line_dict(values: dict[str, Any], line: int) -> LineDict:
    d = LineDict(values)
    d.line = line
    d.key_lines = {k: line for k in values}
    return d


def _line_list(items: list[Any], lines: list[int], line: int) -> LineList:
    out = LineList(items)
    out.line = line
    out.item_lines = lines
    return out


def _csv_docs(conn: sqlite3.Connection, path: Path, show: ShowRef,
              text: str) -> tuple[list[LineDict], list[InputError]]:
    """CSV rows grouped into episode documents shaped like the YAML files."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    file = str(path)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:  # a header cell past the csv module's 131,072 characters
        raise InputErrors([InputError(f"not readable as CSV ({exc})", file=file, line=1, field="header")]) from None
    unknown = [c for c in header if c not in CSV_COLUMNS]
    missing = [c for c in ("season", "episode") if c not in header]
    if unknown or missing or not ({"title", "text", "heard"} & set(header)):
        problem = (f"unknown columns {listed(unknown)}" if unknown else f"missing columns {missing}" if missing
                   else "needs a title, text or heard column")
        raise InputErrors([InputError(f"{problem} (columns: {', '.join(CSV_COLUMNS)})", file=file, line=1,
                                      field="header")])
    errors: list[InputError] = []
    episodes: dict[tuple[int, int], dict[str, Any]] = {}
    cast = None
    next_free: dict[tuple[int, int], int] = {}
    for row in _csv_records(reader, file, errors):
        line = reader.line_num
        v = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        if not any(v.values()):
            continue
        if None in row:  # more cells than header columns
            errors.append(InputError("more cells than the header has columns", file=file, line=line))
            continue
        too_long = [k for k in CSV_COLUMNS if len(v[k]) > limits.CSV_FIELD]
        for name in too_long:
            errors.append(InputError(limits.text_problem(v[name], limits.CSV_FIELD) or "too long", file=file,
                                     line=line, field=name))
        if too_long:
            continue
        numbers = {}
        for name, bounds in (("season", limits.SEASON), ("episode", limits.EPISODE), ("cue", limits.CUE_NUMBER)):
            if v[name]:
                try:
                    numbers[name] = limits.parse_int(v[name], name, bounds, file=file, line=line)
                except InputError as exc:
                    errors.append(exc)
        key: tuple[Any, ...]
        if "season" not in numbers or "episode" not in numbers:
            for name in ("season", "episode"):
                if not v[name]:
                    errors.append(InputError("is required", file=file, line=line, field=name))
            key = ("unplaced", line)  # checked as an episode of its own, never written
            numbers.update(season=1, episode=1)
            next_free[key] = 1
        else:
            key = (numbers["season"], numbers["episode"])
        doc = episodes.setdefault(key, {"season": numbers["season"], "episode": numbers["episode"],
                                        "line": line, "cues": {}, "cue_lines": {}, "title": None,
                                        "unplaced": key[0] == "unplaced"})
        if v["episode_title"]:
            doc["title"] = doc["title"] or v["episode_title"]
        if key not in next_free:
            row_db = conn.execute(
                "SELECT coalesce(max(c.number), 0) FROM cues c JOIN episodes e ON e.id = c.episode_id"
                " WHERE e.show_id = ? AND e.season = ? AND e.number = ?", [show.id, *key]).fetchone()
            next_free[key] = int(row_db[0]) + 1
        number = numbers.get("cue")
        if number is None:
            number = max([next_free[key], *[n + 1 for n in doc["cues"] if isinstance(n, int)]])
            next_free[key] = number + 1
        song: dict[str, Any] = {k: v[k] for k in ("title", "artist", "version", "text", "heard") if v[k]}
        if v["song_notes"]:
            song["notes"] = v["song_notes"]
        if v["song_performers"]:
            try:
                if cast is None:
                    from cuesheet.curation.cues import characters

                    cast = characters(conn, show.id)
                song["performers"] = [_line_dict(_performer(p), line)
                                      for p in parse_performers(v["song_performers"], cast)]
            except InputError as exc:
                errors.append(InputError(exc.message.split(": ", 1)[-1], file=file, line=line,
                                         field="song_performers", remedy=exc.remedy))
        cue = doc["cues"].get(number)
        if cue is None:
            cue = {"cue": number, "songs": [], "song_lines": [], "line": line}
            for name in CUE_COLUMNS:
                if v[name]:
                    cue[name] = v[name]
            doc["cues"][number] = cue
        else:
            for name in CUE_COLUMNS:
                if v[name] and v[name] != cue.get(name):
                    errors.append(InputError(
                        f"differs from the cue's first row (line {cue['line']}); give cue fields once",
                        file=file, line=line, field=name))
        cue["songs"].append(_line_dict(song, line))
        cue["song_lines"].append(line)
    docs = []
    for doc in episodes.values():
        cues, lines = [], []
        for cue in doc["cues"].values():
            values = {k: val for k, val in cue.items() if k not in ("songs", "song_lines", "line")}
            if "sources" in values:
                values["sources"] = [s for s in re.split(r"[\s,;]+", values["sources"]) if s]
            if "performers" in values:
                try:
                    if cast is None:
                        from cuesheet.curation.cues import characters

                        cast = characters(conn, show.id)
                    values["performers"] = [_line_dict(_performer(p), cue["line"])
                                            for p in parse_performers(values["performers"], cast)]
                except InputError as exc:
                    errors.append(InputError(exc.message.split(": ", 1)[-1], file=file, line=cue["line"],
                                             field="performers", remedy=exc.remedy))
                    values.pop("performers")
            if "kind" not in values:
                values["kind"] = Kind.MASHUP.value if len(cue["songs"]) > 1 else Kind.LIP_SYNC.value
            values["songs"] = _line_list(cue["songs"], cue["song_lines"], cue["line"])
            cues.append(_line_dict(values, cue["line"]))
            lines.append(cue["line"])
        top = {"season": doc["season"], "episode": doc["episode"], "cues": _line_list(cues, lines, doc["line"])}
        if doc["title"]:
            top["title"] = doc["title"]
        made = _line_dict(top, doc["line"])
        made.unplaced = doc.get("unplaced", False)  # type: ignore[attr-defined]
        docs.append(made)
    return docs, errors


def _csv_records(reader: csv.DictReader, file: str, errors: list[InputError]) -> Any:  # type: ignore[type-arg]
    """The reader's rows; a row csv cannot read (a stray quote, a NUL) is one located error and the end."""
    while True:
        start = reader.line_num + 1  # the line the failing row starts on (line_num counts lines done)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(InputError(f"not valid CSV: {exc}", file=file, line=start))
            return
        yield row


def _performer(p: Any) -> dict[str, Any]:
    return {k: v for k, v in (("character", p.character), ("actor", p.actor), ("inferred", p.inferred)) if v}


_CSV_FIELD = re.compile(r"^(?:cues\[\d+\]\.)?(?:songs\[\d+\]\.)?(?P<rest>.*)$")


def _as_column(error: InputError, file: str) -> InputError:
    """A checker error about `cues[2].songs[0].title` is, in a CSV, about the column `title`."""
    if not error.field:
        return error
    prefix = ":".join(str(p) for p in (error.file, error.line) if p is not None) + ": " + error.field + ": "
    message = error.message[len(prefix):] if error.message.startswith(prefix) else error.message
    rest = _CSV_FIELD.match(error.field).group("rest")  # type: ignore[union-attr]
    if error.field == "title":
        rest = "episode_title"
    elif ".songs[" in error.field:
        rest = {"notes": "song_notes", "performers": "song_performers"}.get(rest.split(".")[0], rest)
    return InputError(message, file=file, line=error.line, field=rest or None, remedy=error.remedy)


# --- writing ------------------------------------------------------------------------------------------


def import_file(
    conn: sqlite3.Connection,
    path: Path,
    show: ShowRef,
    curator: str,
    *,
    fmt: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    match: bool = True,
    progress: Progress | None = None,
    again: bool = False,
) -> ImportReport:
    """Add the file's cues (creating missing episodes) in one transaction; match their songs.

    A cue number already in the episode is an error listing every clash,
    unless `replace` swaps the old cue for the file's.
    """
    docs = read_file(conn, path, show, fmt, replace=replace)
    digest = content_hash(path, detect_format(path, fmt))
    digests = (digest, file_hash(path))
    # With --replace, a file whose every cue has its number replaces those cues again: nothing doubles.
    again = again or (replace and _all_numbered(path, detect_format(path, fmt)))
    if not again:
        _refuse_seen(conn, path, digests)
    report = ImportReport(str(path), show.name, dry_run, repaired=sum(d.repaired for d in docs))
    total = sum(len(d.episode.cues) for d in docs)
    # Matching reads only: done before the write lock, so a large import holds it just to write.
    ahead = _identify_ahead(conn, docs, progress) if match else {}
    try:
        with history.recorded(conn, "cue import", curator) as change, search_index.deferred(conn):
            if not again:
                _refuse_seen(conn, path, digests)  # again under the write lock: two runs at once import once
            errors: list[InputError] = []
            song_ids: list[int] = []
            identified: list[tuple[int, Any]] = []
            sources = store.source_ids(conn, show.id)
            done = 0
            for index, doc in enumerate(docs):
                ep = doc.episode
                code = episode_code(ep.season, ep.number)
                row = conn.execute("SELECT id FROM episodes WHERE show_id = ? AND season = ? AND number = ?",
                                   [show.id, ep.season, ep.number]).fetchone()
                if row is None:
                    if not doc.title_given:
                        errors.append(InputError(f"{code} is not in the database; give its title to add it",
                                                 file=str(path), line=doc.line,
                                                 field="episode_title" if doc.csv else "title"))
                        continue
                    episode_id = store.insert_episode(conn, show.id, Episode(
                        ep.season, ep.number, ep.title, ep.aliases, ep.air_date, ep.length_ms, ep.complete,
                        ep.notes, sources=ep.sources))
                    report.new_episodes.append(f"{code} {ep.title}")
                else:
                    episode_id = int(row[0])
                    what = _update_episode(conn, episode_id, doc)
                    if what:
                        report.updated_episodes.append(f"{code}: {what}")
                for cue in ep.cues:
                    old = conn.execute("SELECT id FROM cues WHERE episode_id = ? AND number = ?",
                                       [episode_id, cue.number]).fetchone()
                    label = f"{code} cue {cue.number}: {_songs(cue)}"
                    if old is not None:
                        if not replace:
                            errors.append(InputError(
                                f"{code} already has cue {cue.number}", file=str(path),
                                line=doc.cue_lines.get(cue.number, doc.line), field="cue",
                                remedy="pass --replace to replace it, or leave the number out (CSV) / pick a free one"))
                            continue
                        conn.execute("DELETE FROM cues WHERE id = ?", [old[0]])
                        report.replaced.append(label)
                    else:
                        report.added.append(label)
                    cid = store.insert_cue(conn, episode_id, cue, sources)
                    for sid, position in conn.execute(
                            "SELECT id, position FROM cue_songs WHERE cue_id = ? AND recording_id IS NULL"
                            " AND match_status = 'unmatched'", [cid]):
                        known = ahead.get((index, cue.number, position))
                        if known is not None:
                            identified.append((sid, known))
                        else:
                            song_ids.append(sid)
                    report.songs += len(cue.songs)
                    report.unidentified += sum(1 for s in cue.songs if s.unknown)
                    done += 1
                    if progress:
                        progress("writing", done, total)
            if errors:
                raise InputErrors(errors)
            # In the same transaction as the cues: a run killed after its commit is refused next time.
            conn.execute("INSERT INTO imported_files (sha256, name, show_id, imported_at) VALUES (?, ?, ?, ?)",
                         [digest, path.name, show.id, history._now()])
            if match and identified:
                result = apply_matches(conn, identified)
                report.accepted += result.accepted
                report.review += result.review
                report.no_match += result.no_match
            if match and song_ids:  # identified ahead unless the file's songs were not what was read
                for start in range(0, len(song_ids), MATCH_CHUNK):
                    chunk = song_ids[start:start + MATCH_CHUNK]
                    result = matching.match_new(conn, chunk)
                    report.accepted += result.accepted
                    report.review += result.review
                    report.no_match += result.no_match
                    if progress:
                        progress("matching", min(start + MATCH_CHUNK, len(song_ids)), len(song_ids))
            change.summary = (f"imported {plural(len(report.added) + len(report.replaced), 'cue')} into {show.name}"
                              f" from {path.name}"
                              + (f"; set {plural(len(report.updated_episodes), 'episode')}" if report.updated_episodes
                                 else ""))
            change.show_id = show.id
            eps = {d.episode.number for d in docs}
            if len(docs) == 1 and len(eps) == 1:
                row = conn.execute("SELECT id FROM episodes WHERE show_id = ? AND season = ? AND number = ?",
                                   [show.id, docs[0].episode.season, docs[0].episode.number]).fetchone()
                change.episode_id = row[0] if row else None
            if dry_run:
                raise _DryRun()
    except _DryRun:
        return report
    report.history_id = change.id
    return report


def _identify_ahead(conn: sqlite3.Connection, docs: list[_Doc],
                    progress: Progress | None) -> dict[tuple[int, int, int], Any]:
    """Each song the import will hand to the matcher, identified against the local catalog
    before the write transaction: (file episode, cue number, song position) -> identification."""
    songs = []
    for index, doc in enumerate(docs):
        for cue in doc.episode.cues:
            for position, song in enumerate(cue.songs, start=1):
                if song.unknown or song.recording or song.rejected or song.candidates:
                    continue
                text_only = bool(song.text) and song.title == song.text and not song.artist
                songs.append(((index, cue.number, position), song.entered,
                              None if text_only else song.title or None, song.artist or None, song.version))
    sources = list(matching.Matcher.offline(conn).local)
    out: dict[tuple[int, int, int], Any] = {}
    for start in range(0, len(songs), MATCH_CHUNK):
        results, _ = identify_songs(songs[start:start + MATCH_CHUNK], sources)
        out.update(results)
        if progress:
            progress("matching", min(start + MATCH_CHUNK, len(songs)), len(songs))
    return out


def file_hash(path: Path) -> str:
    """The file's bytes (what databases before content digests recorded), read bounded."""
    return hashlib.sha256(read_bytes(path, limits.CUE_SHEET_FILE, "a cue sheet")).hexdigest()


def content_hash(path: Path, kind: str) -> str:
    """What the file says, not how it is saved: the same rows re-saved with other line
    endings, a BOM, columns in another order or other quoting give the same digest."""
    text, _ = read_text_lines(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if kind == "csv":
        rows = []
        try:
            for row in csv.DictReader(io.StringIO(text, newline="")):
                cells = sorted((k.strip(), v.strip()) for k, v in row.items()
                               if isinstance(k, str) and isinstance(v, str) and v.strip())
                if cells:
                    rows.append(cells)
        except csv.Error:
            return file_hash(path)
        canonical: Any = rows
    else:
        try:
            canonical = yaml.safe_load(text)
        except yaml.YAMLError:
            return file_hash(path)
    data = json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str)
    return "content:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def _all_numbered(path: Path, kind: str) -> bool:
    """Every cue of the file has its number (YAML and JSON cues always do; CSV rows may leave it out)."""
    if kind != "csv":
        return True
    data = read_bytes(path, limits.CUE_SHEET_FILE, "a cue sheet")
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        return all((row.get("cue") or "").strip() for row in rows if any((v or "").strip() for v in row.values()
                                                                           if isinstance(v, str)))
    except csv.Error:
        return False


def _refuse_seen(conn: sqlite3.Connection, path: Path, digests: tuple[str, ...]) -> None:
    """The same content imported before (whatever the file is called now, however it is
    saved) is refused; a byte digest is what imports before content digests recorded."""
    row = conn.execute(
        f"SELECT name, imported_at FROM imported_files WHERE sha256 IN ({','.join('?' * len(digests))})"
        " ORDER BY id DESC LIMIT 1", list(digests)).fetchone()
    if row is not None:
        same = "this file" if row[0] == path.name else f"the same rows (as {row[0]})"
        raise CuesheetError(
            f"{path}: {same} {'was' if row[0] == path.name else 'were'} already imported at {row[1]};"
            " importing them again would add their unnumbered cues a second time",
            remedy="pass --again to import it anyway, or `cuesheet undo` the first import")


def _update_episode(conn: sqlite3.Connection, episode_id: int, doc: _Doc) -> str:
    """An existing episode takes the fields the file states (title, air date, length,
    complete, notes; aliases are added). Returns what changed, for the report."""
    from cuesheet.curation.shows import _describe, update_episode

    ep = doc.episode
    names = {"title": "title", "air_date": "air_date", "length": "length_ms", "complete": "complete",
             "notes": "notes"}
    fields = {names[k]: getattr(ep, names[k]) for k in doc.given if k in names}
    changed = update_episode(conn, episode_id, fields)
    if "sources" in doc.given:
        keys = store.source_ids(conn, conn.execute("SELECT show_id FROM episodes WHERE id = ?",
                                                   [episode_id]).fetchone()[0])
        if store.set_episode_sources(conn, episode_id, [keys[k] for k in ep.sources]):
            changed["sources"] = ", ".join(ep.sources) or None
    added = 0
    if "aliases" in doc.given:
        for alias in ep.aliases:
            added += conn.execute("INSERT OR IGNORE INTO episode_aliases (episode_id, alias) VALUES (?, ?)",
                                  [episode_id, alias]).rowcount
    what = _describe(changed)
    if added:
        what = ", ".join(filter(None, [what, f"{added} alias{'es' if added > 1 else ''} added"]))
    return what


def _songs(cue: Cue) -> str:
    return " + ".join("an unidentified song" if s.unknown else f"{s.title} — {s.artist}" if s.artist else s.title
                      for s in cue.songs)


def show_for(conn: sqlite3.Connection, path: Path, show_text: str | None) -> ShowRef:
    """--show, else the show whose folder the file sits in (data/<slug>/s01e03.yaml)."""

    if show_text:
        return find_show(conn, show_text)
    # realpath, not resolve(): a loop of symlinks is then a file the reader refuses, not a RuntimeError.
    slug = Path(os.path.realpath(path)).parent.name
    row = conn.execute("SELECT id, slug, name FROM shows WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise CuesheetError(f"which show is {path.name} for?", remedy="pass --show NAME")
    return find_show(conn, row[1])
