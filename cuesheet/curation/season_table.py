"""`cue import --map/--mapping`: a wide season table (several shows and seasons in one file).

Curators get cue data as tables: a fan spreadsheet, a Wikipedia table, a production's list.
One row is one cue; a mapping says which column holds which field, so the next franchise
needs no code. Rows become the same model `build` reads from data/ (shows, episodes, cues,
songs, id claims), so a table and a cue sheet file are checked and stored alike:

- every problem (unknown column, a mapping naming a missing column, a duplicate row, an
  empty title, episode 0 ...) is reported as file:line: column, all in one run, and
  nothing is written when there is one;
- a row without an artist comes in with its title known; its song waits in review;
- the sources column becomes the show's sources (one per document: a Wikipedia article, a
  dataset's file at a commit) and each cue cites its row's; a row's locator inside a
  document ("(LS312)") is kept in the cue's notes;
- an id column (`claim.spotify`) is a source's claim, stored as such, never as a recording;
- importing the same table again changes nothing (rows are keyed by show, season, episode
  and cue number).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from cuesheet.curation import matcher, store
from cuesheet.db import history
from cuesheet.errors import InputError, InputErrors, ParseError
from cuesheet.files import dump
from cuesheet.files.read import read_text_lines
from cuesheet.model import LIP_SYNC_KINDS, Cue, Episode, IdClaim, Performer, Show, Song, Source
from cuesheet.notation import ids, limits
from cuesheet.notation.normalize import fold

# The fields a column may fill. `claim.<service>` is a recording id a source claims.
FIELDS = (
    "show", "season", "episode", "episode_title", "air_date", "cue", "title", "artist", "performers",
    "lip_sync", "winner", "eliminated", "sources", "scene", "notes",
    "claim.spotify", "claim.musicbrainz", "claim.isrc",
)
REQUIRED = ("show", "season", "episode", "title")
IGNORE = "-"  # `--map air_date=-`: a column the import reads past on purpose
# How several values share one cell, unless the mapping file's [split] says otherwise.
SPLIT = {"performers": "; ", "winner": ", ", "eliminated": ", ", "sources": " ; ", "title": " / ",
         "artist": " / ", "episode_title": None}
_KIND_WORDS = {fold(k): k for k in LIP_SYNC_KINDS}


@dataclass(frozen=True)
class ShowInfo:
    """What a table cannot say about a show: its slug, aliases fans type, franchise."""

    slug: str | None = None
    aliases: tuple[str, ...] = ()
    franchise: str | None = None
    year: int | None = None
    network: str | None = None


@dataclass
class Mapping:
    """Column -> field, from `--map col=field` or a mapping file (TOML or YAML)."""

    columns: dict[str, str]
    file: str = "--map"
    lines: dict[str, int] = field(default_factory=dict)  # where the mapping file names each column
    shows: dict[str, ShowInfo] = field(default_factory=dict)
    split: dict[str, str | None] = field(default_factory=lambda: dict(SPLIT))
    kind: str = "lip-sync"  # the cue kind of a one-song row
    usage: str | None = "VV"
    # Which of a row's sources state its claimed ids: refs containing this text (default: all).
    claim_sources: dict[str, str] = field(default_factory=dict)


# --- the mapping -----------------------------------------------------------------------------------


def parse_map_options(pairs: list[str]) -> Mapping:
    """`--map song_title=title --map air_date=-`."""
    columns: dict[str, str] = {}
    errors = []
    for i, pair in enumerate(pairs, start=1):
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            errors.append(InputError(f"expected COLUMN=FIELD, got {pair!r}", field=f"--map #{i}",
                                     remedy=f"fields: {', '.join(FIELDS)}, or - to ignore a column"))
            continue
        columns[column.strip()] = target.strip()
    mapping = Mapping(columns)
    errors += _field_errors(mapping)
    if errors:
        raise InputErrors(errors)
    return mapping


def read_mapping(path: Path, extra: list[str] | None = None) -> Mapping:
    """A mapping file: `[columns]` (column = field), optional `[shows."Name"]` (slug, aliases,
    franchise, year, network), `[split]` (field = separator) and `[cues]` (kind, usage).
    YAML files hold the same keys. `extra` (--map) adds to or overrides its columns."""
    file = str(path)
    text, errors = read_text_lines(path)
    if errors:
        raise InputErrors(errors)
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - tomllib and yaml raise their own kinds
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        m = re.search(r"line (\d+)", str(exc))
        raise InputErrors([InputError(f"cannot read the mapping: {str(exc).splitlines()[0]}", file=file,
                                      line=(line + 1) if line is not None else int(m.group(1)) if m else None)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise InputErrors([InputError("a mapping file needs a `columns` table (column = field)", file=file)])
    lines = _key_lines(text)
    columns = {str(k): str(v) for k, v in data["columns"].items()}
    shows = {}
    for name, info in (data.get("shows") or {}).items():
        info = info or {}
        aliases = info.get("aliases") or []
        shows[str(name)] = ShowInfo(info.get("slug"), tuple(str(a) for a in aliases), info.get("franchise"),
                                    info.get("year"), info.get("network"))
    split = dict(SPLIT)
    split.update({str(k): (str(v) if v else None) for k, v in (data.get("split") or {}).items()})
    cues = data.get("cues") or {}
    claim_sources = {str(k): str(v) for k, v in (data.get("claim_sources") or {}).items()}
    mapping = Mapping(columns, file, lines, shows, split, str(cues.get("kind", "lip-sync")), cues.get("usage", "VV"),
                      claim_sources)
    if extra:
        more = parse_map_options(extra)
        mapping.columns.update(more.columns)
    errors = _field_errors(mapping)
    if errors:
        raise InputErrors(errors)
    return mapping


def _key_lines(text: str) -> dict[str, int]:
    """The line naming each key (`song_title = "title"`, `"air date": -`), for located errors."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"""\s*(?:"([^"]+)"|'([^']+)'|([^\s=:#\[]+))\s*[=:]""", line)
        if m:
            out.setdefault(next(g for g in m.groups() if g), number)
    return out


def _field_errors(mapping: Mapping) -> list[InputError]:
    errors = []
    for column, target in mapping.columns.items():
        if target != IGNORE and target not in FIELDS:
            errors.append(InputError(f"{target!r} is not a field", file=mapping.file,
                                     line=mapping.lines.get(column), field=column,
                                     remedy=f"fields: {', '.join(FIELDS)}, or - to ignore the column"))
    targets = [t for t in mapping.columns.values() if t != IGNORE]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        errors.append(InputError(f"{target!r} is mapped from more than one column", file=mapping.file,
                                 field=target))
    for target in REQUIRED:
        if target not in targets:
            errors.append(InputError(f"no column is mapped to {target!r}, which every row needs",
                                     file=mapping.file, remedy=f"add `COLUMN = \"{target}\"` (or --map COLUMN={target})"))
    return errors


# --- the table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row as fields, with where it came from."""

    line: int
    values: dict[str, str]


@dataclass
class Table:
    """The table read into shows (model objects, ready to store) and the cues' lines."""

    file: str
    shows: list[Show]
    lines: dict[tuple[str, int, int, int], int]  # (show, season, episode, cue) -> line
    rows: int = 0


def read_table(path: Path, mapping: Mapping) -> Table:
    """Every row checked; InputErrors lists all problems in file, line and column order."""
    file = str(path)
    if not path.is_file():
        raise InputErrors([InputError("no such file", file=file)])
    text, errors = read_text_lines(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InputErrors([InputError("the table has no header row", file=file, line=1)]) from None
    header = [h.strip() for h in header]
    for number, name in enumerate(header, start=1):
        if name not in mapping.columns:
            errors.append(InputError(f"unknown column {name!r} (column {number}): the mapping does not say what it"
                                     " holds", file=file, line=1, field=name,
                                     remedy=f"map it (--map '{name}=FIELD', or '{name}=-' to ignore it)"))
    for column in mapping.columns:
        if column not in header:
            errors.append(InputError(f"the mapping names column {column!r}, which the table lacks",
                                     file=mapping.file, line=mapping.lines.get(column), field=column,
                                     remedy=f"{path.name} has {', '.join(header)}"))
    if errors:
        raise InputErrors(_ordered(errors))
    index = {mapping.columns[h]: i for i, h in enumerate(header) if mapping.columns.get(h, IGNORE) != IGNORE}
    rows = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(InputError(f"not valid CSV: {exc}", file=file, line=start))
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            errors.append(InputError(f"{len(cells)} cells, the header has {len(header)} columns", file=file,
                                     line=start))
            continue
        values = {f: (cells[i].strip() if i < len(cells) else "") for f, i in index.items()}
        rows.append(Row(start, values))
    table = _build(file, rows, mapping, errors)
    if errors:
        raise InputErrors(_ordered(errors))
    return table


def _ordered(errors: list[InputError]) -> list[InputError]:
    return sorted(errors, key=lambda e: (str(e.file or ""), e.line or 0, e.field or ""))


def _column(mapping: Mapping, target: str) -> str:
    """The table's name for a field, for messages about the table."""
    return next((c for c, t in mapping.columns.items() if t == target), target)


def _split(text: str, sep: str | None) -> list[str]:
    if not text:
        return []
    parts = text.split(sep) if sep else [text]
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _EpisodeDraft:
    season: int
    number: int
    title: str | None
    aliases: list[str]
    air_date: str | None
    line: int
    cues: dict[int, Cue] = field(default_factory=dict)


@dataclass
class _ShowDraft:
    name: str
    sources: dict[str, Source] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # a document's text -> its key
    episodes: dict[tuple[int, int], _EpisodeDraft] = field(default_factory=dict)


def _build(file: str, rows: list[Row], mapping: Mapping, errors: list[InputError]) -> Table:
    shows: dict[str, _ShowDraft] = {}
    lines: dict[tuple[str, int, int, int], int] = {}
    seen: dict[tuple[Any, ...], int] = {}
    col = lambda target: _column(mapping, target)  # noqa: E731
    for row in rows:
        v, line = row.values, row.line
        bad = False
        for target, text in v.items():
            problem = limits.text_problem(text, limits.CSV_FIELD) if text else None
            if problem:
                errors.append(InputError(problem, file=file, line=line, field=col(target)))
                bad = True
        numbers: dict[str, int] = {}
        for target, bounds in (("season", limits.SEASON), ("episode", limits.EPISODE), ("cue", limits.CUE_NUMBER)):
            if target not in v:
                continue
            if not v[target]:
                if target != "cue":
                    errors.append(InputError("is empty; every row needs it", file=file, line=line, field=col(target)))
                    bad = True
                continue
            try:
                numbers[target] = limits.parse_int(v[target], col(target), bounds, file=file, line=line)
            except InputError as exc:
                errors.append(exc)
                bad = True
        for target in ("show", "title"):
            if not v.get(target):
                errors.append(InputError("is empty; every row needs it", file=file, line=line, field=col(target)))
                bad = True
        kind = None
        if v.get("lip_sync"):
            kind = _KIND_WORDS.get(fold(v["lip_sync"]))
            if kind is None:
                errors.append(InputError(f"{v['lip_sync']!r} is not a lip-sync kind ({', '.join(LIP_SYNC_KINDS)})",
                                         file=file, line=line, field=col("lip_sync")))
                bad = True
        claims, claim_bad = _claims(v, file, line, mapping, errors)
        bad = bad or claim_bad
        air_date = v.get("air_date") or None
        if air_date and not re.fullmatch(r"\d{4}(-\d{2}){0,2}", air_date):
            errors.append(InputError(f"expected a date YYYY-MM-DD, got {air_date!r}", file=file, line=line,
                                     field=col("air_date")))
            bad = True
        identical = tuple(sorted(v.items()))
        if identical in seen:
            errors.append(InputError(f"repeats line {seen[identical]} exactly", file=file, line=line,
                                     field=col("title")))
            continue
        seen[identical] = line
        if bad:
            continue
        show = shows.setdefault(v["show"], _ShowDraft(v["show"]))
        key = (numbers["season"], numbers["episode"])
        titles = _split(v.get("episode_title", ""), mapping.split.get("episode_title"))
        ep = show.episodes.get(key)
        if ep is None:
            ep = show.episodes[key] = _EpisodeDraft(*key, titles[0] if titles else None, titles[1:], air_date, line)
        else:
            ep.title = ep.title or (titles[0] if titles else None)
            ep.aliases += [t for t in titles[1:] if t not in ep.aliases]
            ep.air_date = ep.air_date or air_date
        number = numbers.get("cue") or max(ep.cues, default=0) + 1
        where = (show.name, *key, number)
        if number in ep.cues:
            errors.append(InputError(f"{show.name} season {key[0]} episode {key[1]} has lip sync {number} already"
                                     f" (line {lines[where]})", file=file, line=line,
                                     field=col("cue") if "cue" in v else col("episode")))
            continue
        lines[where] = line
        source_keys, locators, by_ref = _row_sources(show, v.get("sources", ""), mapping)
        claimed = [(service, value, _claim_keys(service, source_keys, by_ref, mapping)) for service, value in claims]
        ep.cues[number] = _cue(number, v, mapping, kind, claimed, source_keys, locators)
    for show in shows.values():
        for ep in show.episodes.values():
            if not ep.title:
                errors.append(InputError(f"{show.name} season {ep.season} episode {ep.number} has no title on any"
                                         " row", file=file, line=ep.line, field=col("episode_title")))
    out = []
    for draft in shows.values():
        info = mapping.shows.get(draft.name, ShowInfo())
        episodes = tuple(Episode(season=e.season, number=e.number, title=e.title or "?", aliases=tuple(e.aliases),
                                 air_date=e.air_date, cues=tuple(e.cues[n] for n in sorted(e.cues)))
                         for e in sorted(draft.episodes.values(), key=lambda e: (e.season, e.number)))
        out.append(Show(slug=info.slug or slugify(draft.name), name=draft.name, aliases=info.aliases,
                        year=info.year, network=info.network, sources=tuple(draft.sources.values()),
                        episodes=episodes, franchise=info.franchise))
    return Table(file, out, lines, len(rows))


def _claims(v: dict[str, str], file: str, line: int, mapping: Mapping,
            errors: list[InputError]) -> tuple[list[tuple[str, str]], bool]:
    """The row's claimed ids, normalised; a malformed one is a located error."""
    check = {"spotify": ids.normalize_spotify_id, "musicbrainz": ids.normalize_mbid, "isrc": ids.normalize_isrc}
    out, bad = [], False
    for service, normalize in check.items():
        raw = v.get(f"claim.{service}")
        if not raw:
            continue
        try:
            out.append((service, normalize(raw)))
        except ParseError as exc:
            errors.append(InputError(exc.message, file=file, line=line, field=_column(mapping, f"claim.{service}")))
            bad = True
    return out, bad


def _claim_keys(service: str, keys: tuple[str, ...], by_ref: dict[str, str], mapping: Mapping) -> tuple[str, ...]:
    """The row's sources that state its claimed `service` id: those whose reference holds the
    mapping's `[claim_sources]` text (the dataset whose script matched the ids), else all."""
    wanted = mapping.claim_sources.get(service)
    if not wanted:
        return keys
    return tuple(key for ref, key in by_ref.items() if wanted in ref) or keys


def _cue(number: int, v: dict[str, str], mapping: Mapping, kind: str | None,
         claims: list[tuple[str, str, tuple[str, ...]]], sources: tuple[str, ...], locators: list[str]) -> Cue:
    """A row's cue: a medley (" / " in the title) is several songs in one cue."""
    titles = _split(v["title"], mapping.split.get("title"))
    artists = _split(v.get("artist", ""), mapping.split.get("artist"))
    if len(artists) != len(titles):
        artists = [v.get("artist", "").strip()] * len(titles)  # one credit for every part, or none
    id_claims = tuple(IdClaim(service, value, keys) for service, value, keys in claims if keys)
    songs = tuple(Song(title=t, artist=a, id_claims=id_claims if len(titles) == 1 else ())
                  for t, a in zip(titles, artists))
    performers = tuple(Performer(character=p) for p in _split(v.get("performers", ""), mapping.split.get("performers")))
    notes = [v["notes"]] if v.get("notes") else []
    if locators:
        notes.append("Row in its sources: " + "; ".join(locators) + ".")
    return Cue(
        number=number, kind="mashup" if len(songs) > 1 else mapping.kind, songs=songs, performers=performers,
        usage=mapping.usage, sources=sources, scene=v.get("scene") or None, notes=" ".join(notes) or None,
        lip_sync=kind, winners=tuple(_split(v.get("winner", ""), mapping.split.get("winner"))),
        eliminated=tuple(_split(v.get("eliminated", ""), mapping.split.get("eliminated"))),
    )


# --- sources -------------------------------------------------------------------------------------------

# "ref (LS312)": a row's place in a document, after a space (a URL's own "(season_4)" is not one).
_LOCATOR = re.compile(r"^(?P<doc>.*?\S)\s+\((?P<loc>[^()]*)\)\s*$")
_COMMIT = re.compile(r"@([0-9a-f]{7,40})")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "show"


def document(ref: str) -> tuple[str, Source, str | None]:
    """A source reference as a document (key, Source) and the row's locator in it.

    `https://en.wikipedia.org/wiki/Drag_Race_Italia_(season_1)` -> `wikipedia-drag-race-italia-season-1`;
    `owner/repo@commit:data/file.csv (LS312)` -> `repo-file`, locator `LS312`;
    `owner/repo:src/data/seasons/US-S04/episodes.json@commit (kind/winner)` -> `repo-us-s04`.
    """
    ref = ref.strip()
    locator = None
    m = _LOCATOR.match(ref)
    if m and m.group("doc"):
        ref, locator = m.group("doc").strip(), m.group("loc").strip()
    if re.match(r"https?://", ref):
        url = urlparse(ref)
        host = url.hostname or ""
        site = host.removeprefix("www.").split(".")
        site_name = site[-2] if len(site) >= 2 else site[0]
        if host.endswith("wikipedia.org"):
            site_name = "wikipedia"
        page = unquote(url.path.rstrip("/").rsplit("/", 1)[-1]).replace("_", " ")
        title = f"{'Wikipedia' if site_name == 'wikipedia' else host}, \"{page}\"" if page else host
        return slugify(f"{site_name} {page}"), Source(slugify(f"{site_name} {page}"), title, ref), locator
    repo, _, path = ref.partition(":")
    commit = _COMMIT.search(ref)
    repo_name = _COMMIT.sub("", repo).rsplit("/", 1)[-1]
    file_path = _COMMIT.sub("", path)
    parts = [p for p in file_path.split("/") if p]
    detail = ""
    if parts:
        parent = parts[-2] if len(parts) > 1 else ""
        detail = parent if parent and parent not in ("data", "src", "seasons") else parts[-1].rsplit(".", 1)[0]
    key = slugify(f"{repo_name} {detail}")
    url = None
    owner_repo = _COMMIT.sub("", repo)
    if commit and owner_repo.count("/") == 1 and file_path:
        url = f"https://github.com/{owner_repo}/blob/{commit.group(1)}/{file_path}"
    return key, Source(key, ref, url), locator


def _row_sources(show: _ShowDraft, cell: str,
                 mapping: Mapping) -> tuple[tuple[str, ...], list[str], dict[str, str]]:
    """The row's source keys, its locators ("drag-race-lip-sync-contestant LS312"), and ref -> key."""
    keys, locators, by_ref = [], [], {}
    for ref in _split(cell, mapping.split.get("sources")):
        key, source, locator = document(ref)
        known = show.refs.get(source.title or key)
        if known is None:
            base, n = key, 2
            while key in show.sources:
                key, n = f"{base}-{n}", n + 1
            show.sources[key] = replace(source, key=key)
            show.refs[source.title or key] = key
            known = key
        if known not in keys:
            keys.append(known)
        by_ref[ref] = known
        if locator:
            locators.append(f"{known} {locator}")
    return tuple(keys), locators, by_ref


# --- writing -----------------------------------------------------------------------------------------


@dataclass
class TableReport:
    file: str
    dry_run: bool
    rows: int = 0
    new_shows: list[str] = field(default_factory=list)
    new_sources: int = 0
    new_episodes: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    songs: int = 0
    id_claims: int = 0
    accepted: int = 0
    review: int = 0
    no_match: int = 0
    history_id: int | None = None
    clashes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "file", "dry_run", "rows", "new_shows", "new_sources", "new_episodes", "added", "replaced", "unchanged",
            "songs", "id_claims", "accepted", "review", "no_match", "history_id")}


class _DryRun(Exception):
    pass


def _same_cue(old: Cue, new: Cue) -> bool:
    """What the table states about a cue, the same in both (matching results aside)."""
    def facts(cue: Cue) -> tuple[Any, ...]:
        songs = tuple((s.title, s.artist, s.version, frozenset(s.id_claims), frozenset(s.sources or cue.sources))
                      for s in cue.songs)
        return (cue.kind, cue.lip_sync, cue.winners, cue.eliminated, cue.performers, cue.usage, cue.scene,
                cue.notes, songs)
    return facts(old) == facts(new)


def _show_id(conn: Any, show: Show) -> int | None:
    row = conn.execute("SELECT id FROM shows WHERE name = ? OR slug = ? ORDER BY name = ? DESC LIMIT 1",
                       [show.name, show.slug, show.name]).fetchone()
    return int(row[0]) if row else None


def _sources_in(conn: Any, show_id: int, show: Show, report: TableReport) -> dict[str, str]:
    """The show's sources for the table's documents: the same document keeps its key; a new
    one is added (under a free key). Returns table key -> database key."""
    have = {key: (title, url) for key, title, url in conn.execute(
        "SELECT key, title, url FROM sources WHERE show_id = ?", [show_id])}
    by_title = {title: key for key, (title, _) in have.items() if title}
    out = {}
    for source in show.sources:
        if source.title in by_title:
            out[source.key] = by_title[source.title]
            continue
        key, n = source.key, 2
        while key in have:
            key, n = f"{source.key}-{n}", n + 1
        conn.execute("INSERT INTO sources (show_id, key, title, url, date) VALUES (?, ?, ?, ?, ?)",
                     [show_id, key, source.title, source.url, source.date])
        have[key] = (source.title, source.url)
        report.new_sources += 1
        out[source.key] = key
    return out


def _rekey(cue: Cue, keys: dict[str, str]) -> Cue:
    def k(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(keys.get(x, x) for x in items)
    songs = tuple(replace(s, sources=k(s.sources), id_claims=tuple(replace(c, sources=k(c.sources))
                                                                  for c in s.id_claims)) for s in cue.songs)
    notes = cue.notes
    if notes:
        for old, new in keys.items():
            if old != new:
                notes = re.sub(rf"\b{re.escape(old)}\b", new, notes)
    return replace(cue, sources=k(cue.sources), songs=songs, notes=notes)


def import_table(conn: Any, table: Table, curator: str, *, replace_cues: bool = False, dry_run: bool = False,
                 match: bool = True) -> TableReport:
    """Store the table's shows, sources, episodes and cues in one transaction.

    A cue already there with the same facts is left alone (a second import changes
    nothing); one that differs is an error naming its line, unless `replace_cues`.
    """

    report = TableReport(table.file, dry_run, rows=table.rows)
    try:
        with history.recorded(conn, "cue import", curator) as change:
            errors: list[InputError] = []
            new_songs: list[int] = []
            for show in table.shows:
                show_id = _show_id(conn, show)
                if show_id is None:
                    show_id = store.insert_show(conn, replace(show, sources=(), episodes=()))
                    report.new_shows.append(show.name)
                else:
                    conn.executemany("INSERT OR IGNORE INTO show_aliases (show_id, alias) VALUES (?, ?)",
                                     [(show_id, a) for a in show.aliases])
                    if show.franchise:
                        conn.execute("UPDATE shows SET franchise = ? WHERE id = ? AND franchise IS NULL",
                                     [show.franchise, show_id])
                keys = _sources_in(conn, show_id, show, report)
                source_ids = store.source_ids(conn, show_id)
                for ep in show.episodes:
                    row = conn.execute("SELECT id FROM episodes WHERE show_id = ? AND season = ? AND number = ?",
                                       [show_id, ep.season, ep.number]).fetchone()
                    if row is None:
                        episode_id = store.insert_episode(conn, show_id, replace(ep, cues=()))
                        report.new_episodes += 1
                        existing: dict[int, Cue] = {}
                    else:
                        episode_id = int(row[0])
                        conn.executemany("INSERT OR IGNORE INTO episode_aliases (episode_id, alias) VALUES (?, ?)",
                                         [(episode_id, a) for a in ep.aliases])
                        existing = {c.number: c for c in dump.read_episode(conn, episode_id).cues}
                    for cue in ep.cues:
                        cue = _rekey(cue, keys)
                        old = existing.get(cue.number)
                        if old is not None and _same_cue(old, cue):
                            report.unchanged += 1
                            continue
                        if old is not None:
                            if not replace_cues:
                                errors.append(InputError(
                                    f"{show.name} S{ep.season:02d}E{ep.number:02d} already has lip sync {cue.number},"
                                    " with other facts", file=table.file,
                                    line=table.lines.get((show.name, ep.season, ep.number, cue.number)),
                                    remedy="pass --replace to replace it with the table's row"))
                                continue
                            conn.execute("DELETE FROM cues WHERE episode_id = ? AND number = ?", [episode_id, cue.number])
                            report.replaced += 1
                        else:
                            report.added += 1
                        cue_id = store.insert_cue(conn, episode_id, cue, source_ids)
                        new_songs += [r[0] for r in conn.execute(
                            "SELECT id FROM cue_songs WHERE cue_id = ? AND match_status = 'unmatched'", [cue_id])]
                        report.songs += len(cue.songs)
                        report.id_claims += sum(len(s.id_claims) for s in cue.songs)
            if errors:
                raise InputErrors(_ordered(errors))
            if match and new_songs:
                result = matcher.match_new(conn, new_songs)
                report.accepted, report.review, report.no_match = result.accepted, result.review, result.no_match
            change.summary = (f"imported {report.added + report.replaced} cues from {Path(table.file).name}"
                              f" into {len(table.shows)} shows")
            if dry_run:
                raise _DryRun()
    except _DryRun:
        return report
    report.history_id = change.id
    return report
