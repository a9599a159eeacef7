"""`cuesheet dump`: the database back into data/ cue sheet files, for review in git.

The files say what `build` needs to make the same database again: a song's
sources and confidence are written only where they differ from its cue's,
statements other sources make stay as `claims`, a curator's recording choice
becomes `recording:` and a rejection `match: rejected`. Links the matcher
made are written only when `build` could not make them again from its catalog
(data/catalog/*.csv): `recording:` with `match: accepted`.

A file whose content is already what the database holds is left untouched,
and one that differs is patched (cuesheet.files.roundtrip): only its changed cues,
fields, sources and characters are rewritten, comments and layout kept, so
after a curator's session `git diff` shows only what changed.
"""

from __future__ import annotations

import errno
import glob
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from cuesheet.crashpoints import checkpoint
from cuesheet.curation.claims import track_rows
from cuesheet.db.transactions import pid_alive
from cuesheet.errors import CuesheetError, InputErrors, NotFound
from cuesheet.export.tabular import csv_text
from cuesheet.files import sheets
from cuesheet.model import (
    Character,
    Claim,
    Cue,
    Episode,
    IdClaim,
    KeptCandidate,
    KeptSearch,
    MatchStatus,
    Performer,
    RecordingRef,
    Show,
    Song,
    Source,
    entered_text,
)
from cuesheet.notation.limits import check_path
from cuesheet.notation.normalize import fold
from cuesheet.notation.timecode import format_time

WIDTH = 88


# --- database -> model -----------------------------------------------------------------------


def _performers(rows: list[tuple[Any, ...]]) -> tuple[Performer, ...]:
    return tuple(Performer(character, actor, bool(inferred)) for character, actor, inferred in rows)


CatalogKeys = frozenset[tuple[str, str, str, int | None]]


def catalog_key(title: str, artist: str, album: str | None, year: int | None) -> tuple[str, str, str, int | None]:
    """What makes a catalog row the same recording for `build` (its catalog is loaded first)."""
    return fold(title), fold(artist), (album or "").casefold(), year


# The catalog rows a database holds beyond the files' (a `catalog import`, recordings looked up
# online): `dump` keeps them here so `build` loads them like the shipped catalog.
LOCAL_CATALOG = "local.csv"


def build_catalog(dest: Path, *, without: str | None = None) -> CatalogKeys:
    """The recordings `build` will load from dest/catalog/*.csv before the episodes
    (`without`: leaving that file out)."""
    from cuesheet.recordings import importer

    folder = dest / "catalog"
    keys = set()
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.name == without:
            continue
        try:
            rows = importer.read_csv(path)
        except InputErrors:
            continue  # build will say what is wrong with it
        keys |= {catalog_key(r.title, r.artist, r.album, r.year) for r in rows}
    return frozenset(keys)


def read_show(conn: sqlite3.Connection, show_id: int, catalog: CatalogKeys | None = None) -> Show:
    """One show with every episode, as the cue sheet files describe it.

    `catalog`: the recordings the build catalog holds. A link the matcher made to a
    recording outside it is written (`recording:` with `match: accepted`), since the
    build's matcher could not make it again; None writes no matcher links.
    """
    row = conn.execute("SELECT slug, name, year, network, notes, franchise FROM shows WHERE id = ?",
                       [show_id]).fetchone()
    if row is None:
        raise NotFound(f"no show #{show_id}")
    slug, name, year, network, notes, franchise = row
    aliases = tuple(a for (a,) in conn.execute(
        "SELECT alias FROM show_aliases WHERE show_id = ? ORDER BY rowid", [show_id]))
    sources = tuple(Source(*r) for r in conn.execute(
        "SELECT key, title, url, date FROM sources WHERE show_id = ? ORDER BY id", [show_id]))
    characters = tuple(Character(*r) for r in conn.execute(
        "SELECT name, full_name, actor, notes FROM characters WHERE show_id = ? ORDER BY id", [show_id]))
    episodes = tuple(read_episode(conn, eid, catalog) for (eid,) in conn.execute(
        "SELECT id FROM episodes WHERE show_id = ? ORDER BY season, number", [show_id]))
    return Show(slug, name, aliases, year, network, notes, sources, characters, episodes, franchise)


def read_episode(conn: sqlite3.Connection, episode_id: int, catalog: CatalogKeys | None = None) -> Episode:
    season, number, title, air_date, length_ms, complete, notes = conn.execute(
        "SELECT season, number, title, air_date, length_ms, complete, notes FROM episodes WHERE id = ?",
        [episode_id]).fetchone()
    aliases = tuple(a for (a,) in conn.execute(
        "SELECT alias FROM episode_aliases WHERE episode_id = ? ORDER BY rowid", [episode_id]))
    ep_sources = tuple(k for (k,) in conn.execute(
        """SELECT so.key FROM episode_sources es JOIN sources so ON so.id = es.source_id
            WHERE es.episode_id = ? ORDER BY es.rowid""", [episode_id]))
    cue_rows = conn.execute(
        """SELECT id, number, kind, order_confirmed, time_in_ms, time_out_ms, scene, usage, confidence, notes,
                  lip_sync
             FROM cues WHERE episode_id = ? ORDER BY number""", [episode_id]).fetchall()
    cue_ids = [r[0] for r in cue_rows]
    marks = ",".join("?" * len(cue_ids))
    performers: dict[tuple[int, int | None], list[tuple[Any, ...]]] = defaultdict(list)
    claims: dict[tuple[int, int | None], list[tuple[Any, ...]]] = defaultdict(list)
    songs: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    id_claims: dict[int, tuple[IdClaim, ...]] = {}
    results: dict[tuple[int, str], list[str]] = defaultdict(list)
    if cue_ids:
        id_claims = _id_claims(conn, marks, cue_ids)
        for cid, result, contestant in conn.execute(
            f"SELECT cue_id, result, contestant FROM cue_results WHERE cue_id IN ({marks}) ORDER BY cue_id, position",
                cue_ids):
            results[(cid, result)].append(contestant)
        for cid, sid, character, actor, inferred in conn.execute(
            f"""SELECT cue_id, cue_song_id, character, actor, inferred FROM cue_performers
                 WHERE cue_id IN ({marks}) ORDER BY cue_id, position, id""", cue_ids):
            performers[(cid, sid)].append((character, actor, inferred))
        for cid, sid, fld, value, key, notes_ in conn.execute(
            f"""SELECT cl.cue_id, cl.cue_song_id, cl.field, cl.value, so.key, cl.notes
                  FROM claims cl JOIN sources so ON so.id = cl.source_id
                 WHERE cl.cue_id IN ({marks}) ORDER BY cl.id""", cue_ids):
            claims[(cid, sid)].append((fld, value, key, notes_))
        for row in conn.execute(
            f"""SELECT s.cue_id, s.id, s.text, s.title, s.artist, s.version, s.confidence, s.notes,
                       s.match_status, r.title, r.artist, r.version, r.album, r.year, r.duration_ms,
                       r.isrc, r.mbid, r.spotify_id, s.heard
                  FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id
                 WHERE s.cue_id IN ({marks}) ORDER BY s.cue_id, s.position""", cue_ids):
            songs[row[0]].append(row[1:])
    kept = _kept(conn, [s[0] for rows in songs.values() for s in rows])
    cues = []
    for cid, n, kind, confirmed, t_in, t_out, scene, usage, confidence, cue_notes, lip_sync in cue_rows:
        scene_keys = _unique(k for f, _, k, _ in claims[(cid, None)] if f == "scene")
        built = [(replace(song, id_claims=id_claims.get(s[0], ())), own) for s in songs[cid]
                 for song, own in [_song(s, claims[(cid, s[0])], performers[(cid, s[0])], catalog, kept.get(s[0]))]]
        # Without a scene the cue's sources live only in its songs' statements.
        keys = scene_keys if scene else _unique(k for _, own in built for k in own)
        cue_songs = tuple(
            replace(song, sources=() if own == keys else own,
                    confidence=None if song.confidence == confidence else song.confidence)
            for song, own in built
        )
        cues.append(Cue(
            number=n, kind=kind, songs=cue_songs, order_confirmed=bool(confirmed), time_in_ms=t_in,
            time_out_ms=t_out, scene=scene, performers=_performers(performers[(cid, None)]), usage=usage,
            confidence=confidence, sources=keys, notes=cue_notes, lip_sync=lip_sync,
            winners=tuple(results[(cid, "won")]), eliminated=tuple(results[(cid, "eliminated")]),
        ))
    return Episode(season, number, title, aliases, air_date, length_ms, bool(complete), notes, tuple(cues),
                   ep_sources)


def _id_claims(conn: sqlite3.Connection, marks: str, cue_ids: list[int]) -> dict[int, tuple[IdClaim, ...]]:
    """Each song's id claims, one per (service, id) with every source stating it, in stored order."""
    grouped: dict[int, dict[tuple[str, str], list[str]]] = defaultdict(dict)
    decided: dict[tuple[int, str, str], tuple[str, str]] = {}
    for sid, service, external_id, key, verdict, decided_by in conn.execute(
        f"""SELECT ic.cue_song_id, ic.service, ic.external_id, so.key, ic.verdict, ic.decided_by
              FROM song_id_claims ic JOIN cue_songs s ON s.id = ic.cue_song_id
              JOIN sources so ON so.id = ic.source_id
             WHERE s.cue_id IN ({marks}) ORDER BY ic.id""", cue_ids):
        keys = grouped[sid].setdefault((service, external_id), [])
        if key not in keys:
            keys.append(key)
        if decided_by:  # a curator's decision is kept in the files; the audit's is recomputed
            decided[(sid, service, external_id)] = (verdict, decided_by)
    return {sid: tuple(IdClaim(service, ext, tuple(keys), *decided.get((sid, service, ext), (None, None)))
                       for (service, ext), keys in by.items())
            for sid, by in grouped.items()}


def _kept(conn: sqlite3.Connection, song_ids: list[int]) -> dict[int, tuple[list[KeptCandidate], list[KeptSearch]]]:
    """Each song's waiting candidates (best first) and searches (oldest first)."""
    out: dict[int, tuple[list[KeptCandidate], list[KeptSearch]]] = {}
    for start in range(0, len(song_ids), 500):
        part = song_ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for (sid, score, title, artist, source, album, year, duration, version, ids_, links, reasons,
             probability) in conn.execute(
            f"""SELECT cue_song_id, score, title, artist, source, album, year, duration_ms, version, ids, links,
                       reasons, probability FROM match_candidates WHERE cue_song_id IN ({marks})
                 ORDER BY cue_song_id, rank""", part):
            out.setdefault(sid, ([], []))[0].append(KeptCandidate(
                score, title, artist, source, album, year, duration, version,
                tuple(json.loads(ids_ or "{}").items()), tuple(json.loads(links or "{}").items()),
                tuple(json.loads(reasons or "[]")), probability))
        for sid, at, curator, query, sources, verdict, b_title, b_artist, b_score, count in conn.execute(
            f"""SELECT cue_song_id, at, curator, query, sources, verdict, best_title, best_artist, best_score,
                       candidates FROM song_searches WHERE cue_song_id IN ({marks}) ORDER BY cue_song_id, id""",
                part):
            out.setdefault(sid, ([], []))[1].append(KeptSearch(
                at, curator, query, tuple(json.loads(sources or "[]")), verdict, b_title, b_artist, b_score,
                count or 0))
    return out


def _carried(status: str, candidates: list[KeptCandidate], searches: list[KeptSearch],
             catalog: CatalogKeys | None) -> tuple[KeptCandidate, ...]:
    """The candidates a file must carry: a build matching the song again against the same catalog
    makes the rest itself. A curator's search, a source other than the catalog, a recording the
    build catalog lacks, or a rejected song's record of what was turned down cannot be made again."""
    if not candidates or status not in ("review", "rejected"):
        return ()
    if status == "rejected" or searches:
        return tuple(candidates)
    for c in candidates:
        if c.source != "catalog" or (catalog is not None
                                      and catalog_key(c.title, c.artist, c.album, c.year) not in catalog):
            return tuple(candidates)
    return ()


def _song(row: tuple[Any, ...], claims: list[tuple[Any, ...]],
          performers: list[tuple[Any, ...]], catalog: CatalogKeys | None = None,
          kept: tuple[list[KeptCandidate], list[KeptSearch]] | None = None) -> tuple[Song, tuple[str, ...]]:
    """A song and its own sources: those stating every one of its own values."""
    (_sid, text, title, artist, version, confidence, notes, status,
     r_title, r_artist, r_version, album, year, duration, isrc, mbid, spotify_id, heard) = row
    own_values = {f: v for f, v in (("title", title), ("artist", artist), ("version", version)) if v}
    if status == MatchStatus.UNKNOWN:
        own_values["match"] = "unknown"  # store's claim that a source places an unnamed song
    by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for f, v, k, n in claims:
        if n is None and own_values.get(f) == v:
            by_key[k].add((f, v))
    own = tuple(k for k in _unique(k for _, _, k, _ in claims) if by_key[k] == set(own_values.items()))
    rest: dict[tuple[str, str, str | None], list[str]] = {}
    for f, v, k, n in claims:
        if k in own and n is None and own_values.get(f) == v:
            continue
        rest.setdefault((f, v, n), [])
        if k not in rest[(f, v, n)]:
            rest[(f, v, n)].append(k)
    recording = None
    carried = (status == MatchStatus.ACCEPTED and r_title is not None and catalog is not None
               and catalog_key(r_title, r_artist, album, year) not in catalog)
    if (status == MatchStatus.CURATED or carried) and r_title:
        recording = RecordingRef(r_title, r_artist, r_version, album, year, duration, isrc, mbid, spotify_id)
    # Texts stored before entered_text dropped the dangling ' - ' count as entered too.
    entered = {entered_text(title, artist), f"{title} - {artist or ''}"}
    song = Song(
        title=title or text,
        artist=artist or "",
        version=version,
        text=None if text in entered else text,
        performers=_performers(performers),
        sources=own,
        confidence=confidence,
        notes=notes,
        claims=tuple(Claim(f, v, tuple(keys), n) for (f, v, n), keys in rest.items()),
        recording=recording,
        rejected=status == MatchStatus.REJECTED,
        accepted=status == MatchStatus.ACCEPTED and recording is not None,
        heard=heard,
        unknown=status == MatchStatus.UNKNOWN,
        candidates=_carried(status, *(kept or ([], [])), catalog),
        searches=tuple(kept[1]) if kept else (),
    )
    if song.unknown:
        song = replace(song, title="", artist="", text=None, candidates=())
    return song, own


def _unique(items: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- model -> YAML ---------------------------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "\n" in text or len(text) > WIDTH:
        return False
    if re.search(r"[:#]\s|\s#|:$|^[-?:,\[\]{}#&*!|>'\"%@`]", text) or text in ("-", "~"):
        return False
    try:
        return yaml.load(f"k: {text}", Loader=sheets._Loader)["k"] == text  # noqa: S506
    except yaml.YAMLError:
        return False


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if _plain_ok(text) else _quoted(text)


def _folded(text: str, indent: int) -> list[str] | None:
    """`>-` block lines for long prose, or None when folding would not read back the same."""
    if "\n" in text or "  " in text or text != text.strip():
        return None
    width = max(WIDTH - indent, 40)
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    pad = " " * indent
    block = [pad + ln for ln in lines]
    try:
        back = yaml.load("k: >-\n" + "\n".join("  " + ln for ln in lines), Loader=sheets._Loader)  # noqa: S506
    except yaml.YAMLError:
        return None
    return block if back == {"k": text} else None


def _key_value(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    head = f"{pad}{key}:"
    if isinstance(value, str) and not _plain_ok(value):
        if len(head) + 1 + len(_quoted(value)) > WIDTH:
            block = _folded(value, indent + 2)
            if block:
                return [head + " >-", *block]
        return [f"{head} {_quoted(value)}"]
    return [f"{head} {_scalar(value)}"]


def _flow(items: list[Any]) -> str | None:
    parts = [_scalar(x) for x in items]
    if all(isinstance(x, str) and _plain_ok(x) and not re.search(r"[,\[\]{}]", x) for x in items):
        return "[" + ", ".join(parts) + "]"
    return None


def _mapping(d: dict[str, Any], indent: int) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for key, value in d.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            out += _mapping(value, indent + 2)
        elif isinstance(value, list):
            flow = _flow(value) if value and not any(isinstance(v, dict) for v in value) else None
            if not value:
                out.append(f"{pad}{key}: []")
            elif flow and len(pad) + len(key) + 2 + len(flow) <= WIDTH:
                out.append(f"{pad}{key}: {flow}")
            else:
                out.append(f"{pad}{key}:")
                out += _sequence(value, indent + 2)
        else:
            out += _key_value(key, value, indent)
    return out


def _sequence(items: list[Any], indent: int) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for item in items:
        if isinstance(item, dict):
            sub = _mapping(item, indent + 2)
            out.append(pad + "- " + sub[0][indent + 2:])
            out += sub[1:]
        else:
            out.append(f"{pad}- {_scalar(item)}")
    return out


def _time(ms: int | None) -> str | None:
    """Lossless: whole seconds as 2:15 / 1:02:03, else with milliseconds."""
    if ms is None:
        return None
    if ms % 1000 == 0:
        return format_time(ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _drop_empty(d: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k in keep or v not in (None, (), [], {}, "")}


def _performer_docs(performers: tuple[Performer, ...]) -> list[Any]:
    """A performer known by one name (a contestant) is that name; others a mapping."""
    return [p.character if p.character and not p.actor and not p.inferred
            else _drop_empty({"character": p.character, "actor": p.actor, "inferred": p.inferred}, keep=("inferred",))
            for p in performers]


def _song_doc(song: Song) -> Any:
    if (song.text and song.title == song.text and not song.artist and not song.version and not song.performers
            and not song.sources and not song.confidence and not song.notes and not song.claims
            and not song.recording and not song.rejected and not song.heard and not song.id_claims
            and not song.searches and not song.candidates):
        return song.text  # a bare string: the song as heard
    if song.unknown:
        return _drop_empty({
            "heard": song.heard, "match": "unknown", "version": song.version,
            "performers": _performer_docs(song.performers), "sources": list(song.sources),
            "confidence": song.confidence, "notes": song.notes, "searches": _search_docs(song.searches),
        })
    doc: dict[str, Any] = {
        "title": song.title, "artist": song.artist or None, "version": song.version, "text": song.text,
        "heard": song.heard, "performers": _performer_docs(song.performers), "sources": list(song.sources),
        "confidence": song.confidence, "notes": song.notes,
    }
    if song.recording:
        r = song.recording
        doc["recording"] = _drop_empty({
            "title": r.title, "artist": r.artist, "version": r.version, "album": r.album, "year": r.year,
            "duration": _time(r.duration_ms), "isrc": r.isrc, "mbid": r.mbid, "spotify_id": r.spotify_id,
        })
    if song.rejected and not song.recording:
        doc["match"] = "rejected"
    if song.accepted and song.recording:
        doc["match"] = "accepted"  # the matcher's link, not a curator's pin
    doc["claims"] = [_drop_empty({"field": c.field, "value": c.value, "sources": list(c.sources),
                                  "notes": c.notes}) for c in song.claims]
    doc["id_claims"] = [_drop_empty({"service": c.service, "id": c.id, "sources": list(c.sources),
                                     "verdict": c.verdict, "decided_by": c.decided_by}) for c in song.id_claims]
    doc["candidates"] = [_drop_empty({
        "title": c.title, "artist": c.artist, "source": c.source, "score": c.score, "probability": c.probability,
        "album": c.album, "year": c.year, "duration": _time(c.duration_ms), "version": c.version,
        "ids": dict(c.ids), "links": dict(c.links), "reasons": list(c.reasons)}, keep=("artist",))
        for c in song.candidates]
    doc["searches"] = _search_docs(song.searches)
    return _drop_empty(doc, keep=("title",))


def _search_docs(searches: tuple[KeptSearch, ...]) -> list[dict[str, Any]]:
    return [_drop_empty({
        "at": x.at, "curator": x.curator, "query": x.query, "sources": list(x.sources), "verdict": x.verdict,
        "candidates": x.candidates,
        "best": _drop_empty({"title": x.best_title, "artist": x.best_artist, "score": x.best_score})},
        keep=("candidates",)) for x in searches]


def episode_yaml(episode: Episode) -> str:
    cues = []
    for cue in episode.cues:
        cues.append(_drop_empty({
            "cue": cue.number,
            "order": "confirmed" if cue.order_confirmed else "list",
            "time_in": _time(cue.time_in_ms),
            "time_out": _time(cue.time_out_ms),
            "scene": cue.scene,
            "performers": _performer_docs(cue.performers),
            "usage": cue.usage,
            "kind": cue.kind,
            "lip_sync": cue.lip_sync,
            "winner": list(cue.winners),
            "eliminated": list(cue.eliminated),
            "confidence": cue.confidence,
            "sources": list(cue.sources),
            "notes": cue.notes,
            "songs": [_song_doc(s) for s in cue.songs],
        }, keep=("songs",)))
    doc = _drop_empty({
        "season": episode.season,
        "episode": episode.number,
        "title": episode.title,
        "aliases": list(episode.aliases),
        "air_date": episode.air_date,
        "length": _time(episode.length_ms),
        "complete": episode.complete,
        "sources": list(episode.sources),
        "notes": episode.notes,
        "cues": cues,
    }, keep=("complete", "cues"))
    lines = _mapping(doc, 0)
    if episode.air_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", episode.air_date):
        lines = [f"air_date: {episode.air_date}" if ln.startswith("air_date: ") else ln for ln in lines]
    return "\n".join(lines) + "\n"


def show_yaml(show: Show) -> str:
    doc = _drop_empty({
        "show": show.name,
        "slug": show.slug,
        "franchise": show.franchise,
        "aliases": list(show.aliases),
        "year": show.year,
        "network": show.network,
        "notes": show.notes,
        "sources": {s.key: _drop_empty({"title": s.title, "url": s.url, "date": s.date}) for s in show.sources},
        "characters": [_drop_empty({"name": c.name, "full_name": c.full_name, "actor": c.actor, "notes": c.notes})
                       for c in show.characters],
    })
    lines = _mapping(doc, 0)
    # An empty source entry needs an explicit empty mapping to stay a mapping.
    lines = [ln + " {}" if re.fullmatch(r"  [a-z0-9-]+:", ln) and i + 1 < len(lines)
             and not lines[i + 1].startswith("    ") else ln for i, ln in enumerate(lines)]
    if lines and re.fullmatch(r"  [a-z0-9-]+:", lines[-1]):
        lines[-1] += " {}"
    return "\n".join(lines) + "\n"


# --- comparing with the files already there ----------------------------------------------------


def _normal_episode(ep: Episode) -> Episode:
    """What build would store: song defaults resolved, cue sources kept only where stored."""
    cues = []
    for cue in ep.cues:
        songs = tuple(
            replace(s, sources=s.sources or cue.sources, confidence=s.confidence or cue.confidence,
                    text=s.entered, title="" if s.unknown else s.title or s.text or "",
                    rejected=s.rejected and s.recording is None)
            for s in cue.songs
        )
        cues.append(replace(cue, songs=songs, sources=cue.sources if cue.scene else ()))
    return replace(ep, cues=tuple(cues), air_date=str(ep.air_date) if ep.air_date else None)


def _same_episode_file(path: Path, episode: Episode) -> bool:
    if not path.exists():
        return False
    errors: list[Any] = []
    try:
        on_disk = sheets.read_episode_file(path, None, errors)
    except Exception:  # noqa: BLE001 - an unreadable file is simply rewritten
        return False
    return not errors and on_disk is not None and _normal_episode(on_disk) == _normal_episode(episode)


def _same_show_file(folder: Path, show: Show) -> bool:
    path = folder / sheets.SHOW_FILE
    if not path.exists():
        return False
    errors: list[Any] = []
    try:
        on_disk = sheets._read_show(path, folder.name, errors)
    except Exception:  # noqa: BLE001
        return False
    return not errors and replace(on_disk, episodes=()) == replace(show, episodes=())


# --- writing ------------------------------------------------------------------------------------------


@dataclass
class DumpReport:
    folder: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"folder": self.folder, "written": self.written, "unchanged": self.unchanged}


def _write(path: Path, text: str) -> None:
    """Whole file or nothing: a temporary file renamed over the old one (UTF-8)."""
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    """Whole file or nothing, byte for byte (a CSV's CRLF line ends kept)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_back_episode(path: Path, text: str) -> Episode | None:
    errors: list[Any] = []
    c = sheets._Checker(path)
    d = c.mapping(sheets.load_yaml(path, text), "", 1)
    episode = sheets.read_episode(d, c, None) if d is not None else None
    return None if c.errors or errors else episode


def episode_text(path: Path, episode: Episode) -> str:
    """The episode file's new text: the file on disk patched where it differs (only the
    changed cues and fields rewritten, comments and layout kept), or written whole when
    there is no readable file to patch. A patch that would not read back as `episode`
    is not used."""
    whole = episode_yaml(episode)
    if not path.exists():
        return whole
    errors: list[Any] = []
    try:
        on_disk = sheets.read_episode_file(path, None, errors)
        if errors or on_disk is None:
            return whole
        from cuesheet.files import roundtrip

        old_text = path.read_text(encoding="utf-8")
        doc, fresh = roundtrip.load(old_text), roundtrip.load(whole)
        a, b = _normal_episode(on_disk), _normal_episode(episode)
        fields = {"season": "season", "number": "episode", "title": "title", "aliases": "aliases",
                  "air_date": "air_date", "length_ms": "length", "complete": "complete", "notes": "notes",
                  "sources": "sources"}
        roundtrip.patch_fields(doc, fresh, [k for attr, k in fields.items() if getattr(a, attr) != getattr(b, attr)],
                               sheets.EPISODE_KEYS)
        old, new = {c.number: c for c in a.cues}, {c.number: c for c in b.cues}
        cues = roundtrip.patch_items(
            doc.get("cues"), fresh["cues"], lambda node: node.get("cue") if hasattr(node, "get") else None,
            changed={n for n in new if old.get(n) != new[n]}, gone=set(old) - set(new))
        roundtrip.set_key(doc, "cues", cues, sheets.EPISODE_KEYS)
        text = roundtrip.dumps(doc)
        back = _read_back_episode(path, text)
    except Exception:  # noqa: BLE001 - a file this cannot patch is written whole
        return whole
    if back is None or _normal_episode(back) != b:
        return whole
    return text


def show_text(path: Path, show: Show) -> str:
    """show.yaml's new text: changed fields, sources and characters patched in place (its
    comments kept), or written whole when there is nothing readable to patch."""
    whole = show_yaml(show)
    if not path.exists():
        return whole
    errors: list[Any] = []
    try:
        on_disk = sheets._read_show(path, path.parent.name, errors)
        if errors:
            return whole
        from cuesheet.files import roundtrip

        doc, fresh = roundtrip.load(path.read_text(encoding="utf-8")), roundtrip.load(whole)
        fields = {"name": "show", "slug": "slug", "aliases": "aliases", "year": "year", "network": "network",
                  "notes": "notes", "franchise": "franchise"}
        roundtrip.patch_fields(doc, fresh, [k for attr, k in fields.items()
                                            if getattr(on_disk, attr) != getattr(show, attr)], sheets.SHOW_KEYS)
        old_src, new_src = {x.key: x for x in on_disk.sources}, {x.key: x for x in show.sources}
        if old_src != new_src:
            roundtrip.set_key(doc, "sources", roundtrip.patch_mapping(
                doc.get("sources"), fresh.get("sources") or {}, {k for k in new_src if old_src.get(k) != new_src[k]},
                set(old_src) - set(new_src)), sheets.SHOW_KEYS)
        old_ch, new_ch = {x.name: x for x in on_disk.characters}, {x.name: x for x in show.characters}
        if old_ch != new_ch:
            roundtrip.set_key(doc, "characters", roundtrip.patch_items(
                doc.get("characters"), fresh.get("characters") or [],
                lambda node: node.get("name") if hasattr(node, "get") else None,
                {k for k in new_ch if old_ch.get(k) != new_ch[k]}, set(old_ch) - set(new_ch)), sheets.SHOW_KEYS)
        text = roundtrip.dumps(doc)
        # Read back from a private temporary folder, never beside the show's files.
        with tempfile.TemporaryDirectory(prefix="cuesheet-dump-") as scratch:
            tmp = Path(scratch) / sheets.SHOW_FILE
            tmp.write_text(text, encoding="utf-8")
            back = sheets._read_show(tmp, path.parent.name, errors)
    except Exception:  # noqa: BLE001 - a file this cannot patch is written whole
        return whole
    if errors or replace(back, episodes=()) != replace(show, episodes=()):
        return whole
    return text


def dump(conn: sqlite3.Connection, dest: Path, *, show_id: int | None = None) -> DumpReport:
    """Write every show (or one) under dest/<slug>/; files already saying the same are left alone.

    Each show's folder is replaced whole: its new files are written into a sibling
    temporary folder (a copy of the old one, changed files rewritten, read back as
    `build` would), which is then swapped in by one rename. A dump killed at any
    point leaves the old files or the new ones, never a mix; a folder it cannot
    write (a file, a read-only folder, a device, a full disk) is one plain error
    and no temporary file is left behind.
    """
    ids = [show_id] if show_id is not None else [r[0] for r in conn.execute("SELECT id FROM shows ORDER BY slug")]
    if not ids:
        raise NotFound("the database has no shows to dump")
    check_path(dest, "--to")
    _check_target(dest)
    report = DumpReport(str(dest))
    created = not dest.exists()
    try:
        try:
            if show_id is None:
                _dump_catalog(conn, dest, report)
        except OSError as exc:
            raise _dump_error(dest / "catalog", exc) from None
        _dump_shows(conn, dest, ids, report)
        try:
            _dump_claimed_tracks(conn, dest, report)
        except OSError as exc:
            raise _dump_error(dest / "claims", exc) from None
    except BaseException:
        if created and not any(dest.rglob("*.yaml")):
            shutil.rmtree(dest, ignore_errors=True)  # the folder this dump made, left empty
        raise
    return report


def _dump_shows(conn: sqlite3.Connection, dest: Path, ids: list[int], report: DumpReport) -> None:
    for sid in ids:
        show = read_show(conn, sid, build_catalog(dest))
        folder = dest / show.slug
        _recover(folder)
        texts: dict[str, str] = {}
        path = folder / sheets.SHOW_FILE
        if _same_show_file(folder, show):
            report.unchanged.append(str(path))
        else:
            texts[path.name] = show_text(path, show)
        for ep in show.episodes:
            path = folder / f"s{ep.season:02d}e{ep.number:02d}.yaml"
            if _same_episode_file(path, ep):
                report.unchanged.append(str(path))
            else:
                texts[path.name] = episode_text(path, ep)
        if texts:
            _replace_folder(folder, texts)
            report.written += [str(folder / name) for name in texts]


def _check_target(dest: Path) -> None:
    """The folder to dump into: an existing folder, or a new name whose parent is one."""
    if os.path.islink(dest) and not dest.exists():
        raise CuesheetError(f"cannot dump into {dest}: it is a symbolic link to nothing",
                            remedy="give a folder (or remove the link)")
    if dest.exists() and not dest.is_dir():
        raise CuesheetError(f"cannot dump into {dest}: it is not a folder",
                            remedy="--to names a folder; dump writes one folder per show into it")
    if not dest.exists() and not dest.parent.is_dir():
        raise CuesheetError(f"cannot dump into {dest}: {dest.parent} does not exist", remedy="create it first")


# A temporary folder beside the show's, named for the process that owns it: a killed dump's
# is recognised (its process is gone) and removed, or put back, by the next dump.
_TEMP = ".{slug}.dump-{pid}"
_OLD = ".{slug}.old-{pid}"


def _replace_folder(folder: Path, texts: dict[str, str]) -> None:
    """Write `texts` (file name -> text) into a copy of `folder` and swap it in."""
    tmp = folder.with_name(_TEMP.format(slug=folder.name, pid=os.getpid()))
    try:
        try:
            if folder.is_dir():
                shutil.copytree(folder, tmp, symlinks=True)
            else:
                tmp.mkdir(parents=True)
            for name, text in texts.items():
                _write_file(tmp / name, text)
            _fsync_dir(tmp)
        except OSError as exc:
            raise _dump_error(folder, exc) from None
        try:
            sheets.read_show_dir(tmp)  # what was written must read back, before it replaces anything
        except InputErrors as exc:  # pragma: no cover - a bug in this module, not a user mistake
            raise RuntimeError(f"dump wrote files build cannot read: {exc}") from exc
        checkpoint("dump-written")
        try:
            _swap(tmp, folder)
        except OSError as exc:
            raise _dump_error(folder, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _swap(tmp: Path, folder: Path) -> None:
    """Put `tmp` where `folder` is, in one step where the system allows (Linux renameat2's
    RENAME_EXCHANGE); else two renames, the old folder kept aside until the new one is in
    place (a dump killed between them is put right by the next one, `_recover`)."""
    if not folder.exists():
        os.rename(tmp, folder)
    elif os.environ.get("CUESHEET_TEST_KILL_AT") != "dump-swapping" and _exchange(tmp, folder):
        # (The crash test of the two-rename way asks for it by its kill point.)
        pass  # tmp now holds the old files; the caller removes it
    else:
        old = folder.with_name(_OLD.format(slug=folder.name, pid=os.getpid()))
        os.rename(folder, old)
        checkpoint("dump-swapping")
        os.rename(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(folder.parent)
    checkpoint("dump-swapped")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done != 0:
        err = ctypes.get_errno()
        if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            return False  # a file system without the exchange: two renames instead
        raise OSError(err, os.strerror(err), str(b))
    return True


def _recover(folder: Path) -> None:
    """Leftovers of a killed dump beside `folder`: its old folder put back if the new one never
    arrived, temporary folders removed."""
    parent = folder.parent
    if not parent.is_dir():
        return
    for pattern in (_OLD, _TEMP):
        for leftover in parent.glob(pattern.format(slug=glob.escape(folder.name), pid="*")):
            pid = leftover.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or pid_alive(int(pid)):
                continue
            if pattern == _OLD and not folder.exists():
                os.rename(leftover, folder)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _dump_error(folder: Path, exc: OSError) -> CuesheetError:
    why = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "over the disk quota",
           errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
           errno.EPERM: "permission denied", errno.ENAMETOOLONG: "the name is too long"}.get(
        exc.errno or 0, exc.strerror or str(exc))
    return CuesheetError(f"cannot dump into {folder.parent}: {why}; the files there are unchanged")


def catalog_csv(conn: sqlite3.Connection, shipped: CatalogKeys) -> str:
    """The catalog rows `build` would not make from the shipped files: one row per line, in title,
    artist, album, year order (stable, so two curators' dumps merge line by line). Recordings a
    song links to are left out: its episode file carries them (`recording:`)."""
    from cuesheet.recordings.importer import COLUMNS

    rows = []
    for title, artist, album, year, duration, isrc, mbid, spotify_id in conn.execute(
        """SELECT title, artist, album, year, duration_ms, isrc, mbid, spotify_id FROM recordings r
            WHERE NOT EXISTS (SELECT 1 FROM cue_songs s WHERE s.recording_id = r.id)"""
    ):
        if catalog_key(title, artist or "", album, year) in shipped:
            continue
        rows.append((title, artist or "", album or "", "" if year is None else str(year), _time(duration) or "",
                     isrc or "", mbid or "", spotify_id or ""))
    if not rows:
        return ""
    # Data, not a spreadsheet export: cells exactly as stored (raw), one row per line.
    return csv_text([COLUMNS, *sorted(set(rows), key=lambda r: (fold(r[0]), fold(r[1]), r))], raw=True, newline="\n")


def _dump_catalog(conn: sqlite3.Connection, dest: Path, report: DumpReport) -> None:
    path = dest / "catalog" / LOCAL_CATALOG
    text = catalog_csv(conn, build_catalog(dest, without=LOCAL_CATALOG))
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if text == old:
        if path.exists():
            report.unchanged.append(str(path))
        return
    if text:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, text)
    else:
        path.unlink()
    report.written.append(str(path))


def _dump_claimed_tracks(conn: sqlite3.Connection, dest: Path, report: DumpReport) -> None:
    """What claimed ids are, one CSV per service under dest/claims/, as `build` reads them back."""
    for service, rows in track_rows(conn).items():
        text = csv_text(rows, raw=True)  # a data file read back by `build`: cells exactly as they are
        path = dest / "claims" / f"{service}.csv"
        if path.exists() and path.read_bytes() == text.encode("utf-8"):
            report.unchanged.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_bytes(path, text.encode("utf-8"))
        report.written.append(str(path))


# --- what must survive a dump and a build -------------------------------------------------------------


def content(conn: sqlite3.Connection) -> dict[str, Any]:
    """The database's cue sheet content without row ids: equal for two databases that say the same."""
    out: dict[str, Any] = {}
    for (sid,) in conn.execute("SELECT id FROM shows ORDER BY slug"):
        show = read_show(conn, sid)
        episodes = {}
        for ep in show.episodes:
            episodes[f"s{ep.season:02d}e{ep.number:02d}"] = _normal_episode(ep)
        out[show.slug] = {"show": replace(show, episodes=()), "episodes": episodes,
                          "links": _links(conn, sid)}
    return out


def _links(conn: sqlite3.Connection, show_id: int) -> list[tuple[Any, ...]]:
    """Each song's match status and recording, by its place in the show."""
    return conn.execute(
        """SELECT e.season, e.number, c.number, s.position, s.match_status, r.title, r.artist, r.version,
                  r.album, r.year, r.duration_ms, r.isrc, r.mbid, r.spotify_id
             FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
             LEFT JOIN recordings r ON r.id = s.recording_id
            WHERE e.show_id = ? ORDER BY 1, 2, 3, 4""", [show_id]).fetchall()

