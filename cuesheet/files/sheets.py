"""Cue sheet files (YAML, one per episode) read into the model, with every error located.

A curator's typo must come back as `data/soundtrack/s01e03.yaml:41: cues[2].kind: ...`,
so the YAML is loaded node by node with line numbers kept, and validation
collects every problem in a file set before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from cuesheet.errors import InputError, InputErrors, ParseError
from cuesheet.files.read import read_text
from cuesheet.model import (
    CONFIDENCES,
    ID_SERVICES,
    KINDS,
    SONG_FIELDS,
    USAGE_CODES,
    Character,
    Claim,
    Cue,
    Episode,
    LIP_SYNC_KINDS,
    IdClaim,
    KeptCandidate,
    KeptSearch,
    Kind,
    MatchStatus,
    Performer,
    RecordingRef,
    Show,
    Song,
    Source,
)
from cuesheet.notation import limits, timecode

SHOW_FILE = "show.yaml"
EPISODE_FILE = re.compile(r"^s(\d{2,})e(\d{2,})\.ya?ml$")
SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --- YAML with line numbers ---------------------------------------------------


class LineDict(dict):
    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


class _Lines:
    """Loader behaviour that remembers lines, and reads `2:15` as text.

    YAML 1.1 reads `2:15` as the base-60 integer 135; in a cue sheet it is a
    time, and the timecode parser must see it as typed.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)  # type: ignore[attr-defined]
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if not isinstance(key, str):
                key = str(key)
            result[key] = self.construct_object(value_node, deep=True)  # type: ignore[attr-defined]
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)  # type: ignore[attr-defined]
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:
        if ":" in node.value:
            return node.value
        return super().construct_yaml_int(node)  # type: ignore[misc]

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float | str:
        if ":" in node.value:
            return node.value
        return super().construct_yaml_float(node)  # type: ignore[misc]


class _Loader(_Lines, yaml.SafeLoader):
    """The pure-Python SafeLoader with lines: its error messages are the ones users see."""


# libyaml's parser when PyYAML has it: eight times faster, and data/ holds 500 episode files
# (#20). A file it refuses is read again by _Loader, so errors are reported exactly as before.
_FastLoader: Any = type("_FastLoader", (_Lines, yaml.CSafeLoader), {}) if hasattr(yaml, "CSafeLoader") else None

for _cls in filter(None, (_Loader, _FastLoader)):
    _cls.add_constructor("tag:yaml.org,2002:map", _Lines.construct_mapping)
    _cls.add_constructor("tag:yaml.org,2002:seq", _Lines.construct_sequence)
    _cls.add_constructor("tag:yaml.org,2002:int", _Lines.construct_yaml_int)
    _cls.add_constructor("tag:yaml.org,2002:float", _Lines.construct_yaml_float)


def load_yaml(path: Path, text: str | None = None) -> Any:
    """The YAML (or JSON) document with line numbers; `text` when the caller decoded it already."""
    text = read_text(path, limits.CUE_SHEET_FILE, "a cue sheet") if text is None else text
    deep = limits.yaml_depth_problem(text)
    if deep:
        raise InputError(deep[0], file=str(path), line=deep[1])
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - CSafeLoader subclass
        except (yaml.YAMLError, RecursionError):
            pass  # read again below, for the error as the Python parser words it
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except RecursionError:
        raise InputError(f"nested too deeply (more than {limits.DEPTH} levels)", file=str(path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(f"not valid YAML: {exc.problem or exc}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=str(path)) from None


# --- validation ----------------------------------------------------------------


class _Checker:
    """Reads fields out of LineDicts, collecting errors instead of stopping at the first."""

    def __init__(self, file: Path) -> None:
        self.file = str(file)
        self.errors: list[InputError] = []

    def error(self, message: str, line: int | None, field: str) -> None:
        self.errors.append(InputError(message, file=self.file, line=line, field=field))

    def mapping(self, value: Any, where: str, line: int | None) -> LineDict | None:
        if not isinstance(value, dict):
            self.error(f"expected a mapping (key: value lines), got {_kind(value)}", line, where)
            return None
        return value  # type: ignore[return-value]

    def keys(self, d: LineDict, allowed: Iterable[str], where: str) -> None:
        allowed = set(allowed)
        for key in d:
            if key not in allowed:
                self.error(
                    f"unknown key {limits.short(key)!r} (known: {', '.join(sorted(allowed))})",
                    _line(d, key),
                    _join(where, key),
                )

    def text(self, d: LineDict, key: str, where: str, *, required: bool = False) -> str | None:
        value = d.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error("is required", _line(d, key), _join(where, key))
            return None
        if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(f"expected text, got {_kind(value)}", _line(d, key), _join(where, key))
            return None
        problem = limits.text_problem(value, limits.limit_for(key))
        if problem:
            self.error(problem, _line(d, key), _join(where, key))
            return None
        return value.strip()

    def integer(
        self, d: LineDict, key: str, where: str, *, required: bool = False, minimum: int = 1,
        bounds: limits.Range | None = None,
    ) -> int | None:
        value = d.get(key)
        if value is None:
            if required:
                self.error("is required", _line(d, key), _join(where, key))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"expected a whole number, got {value!r}", _line(d, key), _join(where, key))
            return None
        if value < minimum:
            self.error(f"must be {minimum} or more, got {limits.short(str(value))}", _line(d, key),
                       _join(where, key))
            return None
        problem = limits.int_problem(value, bounds or limits.Range(minimum, 10**9, "a number"))
        if problem:
            self.error(problem, _line(d, key), _join(where, key))
            return None
        return value

    def boolean(self, d: LineDict, key: str, where: str, default: bool = False) -> bool:
        value = d.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(f"expected true or false, got {value!r}", _line(d, key), _join(where, key))
            return default
        return value

    def choice(self, d: LineDict, key: str, where: str, choices: Iterable[str]) -> str | None:
        value = self.text(d, key, where)
        if value is None:
            return None
        choices = tuple(choices)
        if value not in choices:
            self.error(
                f"{value!r} is not one of {', '.join(choices)}", _line(d, key), _join(where, key)
            )
            return None
        return value

    def strings(self, d: LineDict, key: str, where: str) -> tuple[str, ...]:
        value = d.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.error("expected a list of text", _line(d, key), _join(where, key))
            return ()
        out = tuple(str(v).strip() for v in value if str(v).strip())
        for item in out:
            problem = limits.text_problem(item, limits.NAME)
            if problem:
                self.error(problem, _line(d, key), _join(where, key))
                return ()
        return out

    def time(self, d: LineDict, key: str, where: str) -> int | None:
        value = d.get(key)
        if value is None:
            return None
        if len(str(value)) > 40:
            self.error(f"{limits.short(str(value))!r} is not a time", _line(d, key), _join(where, key))
            return None
        try:
            ms = timecode.parse_time(str(value))
        except ParseError as exc:
            self.error(exc.message, _line(d, key), _join(where, key))
            return None
        problem = limits.time_problem(ms)
        if problem:
            self.error(problem, _line(d, key), _join(where, key))
            return None
        return ms

    def items(self, d: LineDict, key: str, where: str) -> list[tuple[int, Any, int]]:
        value = d.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"expected a list, got {_kind(value)}", _line(d, key), _join(where, key))
            return []
        lines = getattr(value, "item_lines", [_line(d, key)] * len(value))
        return [(i, item, lines[i]) for i, item in enumerate(value)]


def _line(d: Any, key: str) -> int | None:
    return getattr(d, "key_lines", {}).get(key) or getattr(d, "line", None)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, name in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "text")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# --- the files -------------------------------------------------------------------

SHOW_KEYS = ("show", "slug", "franchise", "aliases", "year", "network", "notes", "sources", "characters")
EPISODE_KEYS = (
    "season", "episode", "title", "aliases", "air_date", "length", "complete", "sources", "notes", "cues",
)
CUE_KEYS = (
    "cue", "order", "time_in", "time_out", "scene", "performers", "usage", "kind", "lip_sync", "winner",
    "eliminated", "confidence", "sources", "notes", "songs",
)
SONG_KEYS = (
    "title", "artist", "version", "text", "performers", "sources", "confidence", "notes",
    "claims", "recording", "match", "heard", "id_claims", "candidates", "searches",
)
CANDIDATE_KEYS = ("title", "artist", "source", "score", "probability", "album", "year", "duration", "version",
                  "ids", "links", "reasons")
SEARCH_KEYS = ("at", "curator", "query", "sources", "verdict", "candidates", "best")
RECORDING_KEYS = (
    "title", "artist", "version", "album", "year", "duration", "isrc", "mbid", "spotify_id",
)


def read_show_dir(folder: Path) -> Show:
    """One show: its show.yaml and every sNNeNN.yaml beside it. Raises InputErrors."""
    show_path = folder / SHOW_FILE
    if not show_path.exists():
        raise InputErrors([InputError(f"missing {SHOW_FILE}", file=str(folder))])
    errors: list[InputError] = []
    try:
        show = _read_show(show_path, folder.name, errors)
    except InputError as exc:
        raise InputErrors([exc]) from None
    source_keys = {s.key for s in show.sources}
    episodes: list[Episode] = []
    seen: dict[tuple[int, int], Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name == SHOW_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        if not EPISODE_FILE.match(path.name):
            errors.append(
                InputError("episode files are named sNNeNN.yaml (e.g. s01e03.yaml)", file=str(path))
            )
            continue
        try:
            episode = read_episode_file(path, source_keys, errors)
        except InputError as exc:
            errors.append(exc)
            continue
        if episode is None:
            continue
        key = (episode.season, episode.number)
        if key in seen:
            errors.append(
                InputError(
                    f"season {key[0]} episode {key[1]} is also in {seen[key].name}",
                    file=str(path),
                    field="episode",
                )
            )
        seen[key] = path
        episodes.append(episode)
    if errors:
        raise InputErrors(errors)
    episodes.sort(key=lambda e: (e.season, e.number))
    return Show(**{**show.__dict__, "episodes": tuple(episodes)})


def read_data_dir(root: Path) -> list[Show]:
    """Every show folder under data/ (a folder holding show.yaml)."""
    if not root.is_dir():
        raise InputError("not a folder", file=str(root), remedy="pass --from DIR with cue sheets")
    # Dot folders are not shows: a dump's temporary folder (.soundtrack.dump-123) is one.
    folders = sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / SHOW_FILE).exists())
    if not folders:
        raise InputError(
            f"no show folders (a folder with {SHOW_FILE})", file=str(root),
            remedy="see docs/cue-sheet-format.md",
        )
    shows, errors = [], []
    for folder in folders:
        try:
            shows.append(read_show_dir(folder))
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    return shows


def _read_show(path: Path, default_slug: str, errors: list[InputError]) -> Show:
    c = _Checker(path)
    d = c.mapping(load_yaml(path), "", 1)
    if d is None:
        errors.extend(c.errors)
        return Show(slug=default_slug, name=default_slug)
    c.keys(d, SHOW_KEYS, "")
    sources = []
    raw_sources = d.get("sources") or {}
    if c.mapping(raw_sources, "sources", _line(d, "sources")) is not None:
        for key, value in raw_sources.items():
            where = f"sources.{key}"
            if not SOURCE_KEY.match(key):
                c.error("source keys use a-z, 0-9 and '-'", _line(raw_sources, key), where)
            entry = c.mapping(value, where, _line(raw_sources, key))
            if entry is None:
                continue
            c.keys(entry, ("title", "url", "date"), where)
            sources.append(
                Source(key, c.text(entry, "title", where), c.text(entry, "url", where),
                       c.text(entry, "date", where))
            )
    characters = []
    for i, item, line in c.items(d, "characters", ""):
        where = f"characters[{i}]"
        entry = c.mapping(item, where, line)
        if entry is None:
            continue
        c.keys(entry, ("name", "full_name", "actor", "notes"), where)
        name = c.text(entry, "name", where, required=True)
        if name:
            characters.append(
                Character(name, c.text(entry, "full_name", where), c.text(entry, "actor", where),
                          c.text(entry, "notes", where))
            )
    slug = c.text(d, "slug", "") or default_slug
    show = Show(
        slug=slug,
        name=c.text(d, "show", "", required=True) or slug,
        aliases=c.strings(d, "aliases", ""),
        year=c.integer(d, "year", "", minimum=1900, bounds=limits.SHOW_YEAR),
        network=c.text(d, "network", ""),
        notes=c.text(d, "notes", ""),
        sources=tuple(sources),
        characters=tuple(characters),
        franchise=c.text(d, "franchise", ""),
    )
    errors.extend(c.errors)
    return show


def read_episode_file(
    path: Path, source_keys: set[str] | None, errors: list[InputError]
) -> Episode | None:
    """An episode file; problems go to `errors`. `source_keys=None` skips the source check."""
    c = _Checker(path)
    d = c.mapping(load_yaml(path), "", 1)
    if d is None:
        errors.extend(c.errors)
        return None
    episode = read_episode(d, c, source_keys)
    errors.extend(c.errors)
    return episode


def read_episode(d: LineDict, c: _Checker, source_keys: set[str] | None) -> Episode | None:
    c.keys(d, EPISODE_KEYS, "")
    season = c.integer(d, "season", "", required=True, bounds=limits.SEASON)
    number = c.integer(d, "episode", "", required=True, bounds=limits.EPISODE)
    title = c.text(d, "title", "", required=True)
    cues: list[Cue] = []
    numbers: dict[int, int | None] = {}
    for i, item, line in c.items(d, "cues", ""):
        cue = _read_cue(item, f"cues[{i}]", line, c, source_keys)
        # A number used twice is found even when the other cue has errors of its own.
        cue_no = cue.number if cue is not None else item.get("cue") if isinstance(item, dict) else None
        if isinstance(cue_no, int) and not isinstance(cue_no, bool):
            if cue_no in numbers:
                c.error(
                    f"cue number {cue_no} is used twice (also on line {numbers[cue_no]})",
                    line, f"cues[{i}].cue",
                )
            numbers[cue_no] = line
        if cue is not None:
            cues.append(cue)
    air_date = d.get("air_date")
    if air_date is not None and not isinstance(air_date, dt.date):
        if not (isinstance(air_date, str) and re.fullmatch(r"\d{4}(-\d{2}){0,2}", air_date)):
            c.error(f"expected a date YYYY-MM-DD, got {air_date!r}", _line(d, "air_date"), "air_date")
            air_date = None
    if season is None or number is None or title is None:
        return None
    return Episode(
        season=season,
        number=number,
        title=title,
        aliases=c.strings(d, "aliases", ""),
        air_date=str(air_date) if air_date is not None else None,
        length_ms=c.time(d, "length", ""),
        complete=c.boolean(d, "complete", ""),
        notes=c.text(d, "notes", ""),
        cues=tuple(sorted(cues, key=lambda q: q.number)),
        sources=_sources(d, "", c, source_keys),
    )


def _read_cue(
    item: Any, where: str, line: int, c: _Checker, source_keys: set[str] | None
) -> Cue | None:
    d = c.mapping(item, where, line)
    if d is None:
        return None
    c.keys(d, CUE_KEYS, where)
    number = c.integer(d, "cue", where, required=True, bounds=limits.CUE_NUMBER)
    kind = c.choice(d, "kind", where, KINDS)
    if "kind" not in d:
        c.error("is required", line, f"{where}.kind")
    usage = c.text(d, "usage", where)
    if usage is not None and usage.upper() not in USAGE_CODES:
        c.error(f"{usage!r} is not a usage code ({', '.join(USAGE_CODES)})",
                _line(d, "usage"), f"{where}.usage")
    order = c.choice(d, "order", where, ("confirmed", "list"))
    time_in = c.time(d, "time_in", where)
    time_out = c.time(d, "time_out", where)
    if time_in is not None and time_out is not None and time_out < time_in:
        c.error("is before time_in", _line(d, "time_out"), f"{where}.time_out")
    sources = _sources(d, where, c, source_keys)
    songs = []
    for i, song_item, song_line in c.items(d, "songs", where):
        song = _read_song(song_item, f"{where}.songs[{i}]", song_line, c, source_keys)
        if song is not None:
            songs.append(song)
    if "songs" not in d or not d.get("songs"):
        c.error("a cue needs at least one song", line, f"{where}.songs")
    if kind == Kind.MASHUP and len(d["songs"] if isinstance(d.get("songs"), list) else []) < 2:
        c.error("a mashup needs two or more songs", _line(d, "kind"), f"{where}.kind")
    if number is None or kind is None:
        return None
    return Cue(
        number=number,
        kind=kind,
        songs=tuple(songs),
        order_confirmed=order == "confirmed",
        time_in_ms=time_in,
        time_out_ms=time_out,
        scene=c.text(d, "scene", where),
        performers=_performers(d, where, c),
        usage=usage.upper() if usage else None,
        confidence=c.choice(d, "confidence", where, CONFIDENCES),
        sources=sources,
        notes=c.text(d, "notes", where),
        lip_sync=c.choice(d, "lip_sync", where, LIP_SYNC_KINDS),
        winners=c.strings(d, "winner", where),
        eliminated=c.strings(d, "eliminated", where),
    )


def _read_song(
    item: Any, where: str, line: int, c: _Checker, source_keys: set[str] | None
) -> Song | None:
    if isinstance(item, str):
        # A bare string is the song as heard; matching identifies it later.
        problem = limits.text_problem(item, limits.TEXT)
        if problem:
            c.error(problem, line, where)
            return None
        return Song(title=item.strip(), artist="", text=item.strip()) if item.strip() else None
    d = c.mapping(item, where, line)
    if d is None:
        return None
    c.keys(d, SONG_KEYS, where)
    title = c.text(d, "title", where)
    artist = c.text(d, "artist", where)
    text = c.text(d, "text", where)
    heard = c.text(d, "heard", where)
    status = c.choice(d, "match", where, (MatchStatus.REJECTED.value, MatchStatus.UNKNOWN.value,
                                          MatchStatus.ACCEPTED.value))
    unknown = status == MatchStatus.UNKNOWN or (not title and not text and heard is not None)
    if unknown:
        for name in ("title", "artist", "text", "recording"):
            if d.get(name) is not None:
                c.error("an unidentified song (match: unknown) has no " + name
                        + "; say what was heard in `heard`", _line(d, name), f"{where}.{name}")
        return Song(title="", artist="", heard=heard, unknown=True, version=c.text(d, "version", where),
                    performers=_performers(d, where, c), sources=_sources(d, where, c, source_keys),
                    confidence=c.choice(d, "confidence", where, CONFIDENCES),
                    notes=c.text(d, "notes", where), searches=_searches(d, where, c))
    if not title and not text:
        c.error("is required (or give the song as heard in `text`, or `heard` and match: unknown"
                " for a song nobody has identified)", line, f"{where}.title")
        return None
    claims = []
    for i, claim_item, claim_line in c.items(d, "claims", where):
        cw = f"{where}.claims[{i}]"
        cd = c.mapping(claim_item, cw, claim_line)
        if cd is None:
            continue
        c.keys(cd, ("field", "value", "sources", "notes"), cw)
        field = c.choice(cd, "field", cw, SONG_FIELDS)
        value = c.text(cd, "value", cw, required=True)
        claim_sources = _sources(cd, cw, c, source_keys)
        if not claim_sources:
            c.error("a claim names the sources that state it", claim_line, f"{cw}.sources")
        if field and value:
            claims.append(Claim(field, value, claim_sources, c.text(cd, "notes", cw)))
    return Song(
        title=title or text or "",
        artist=artist or "",
        version=c.text(d, "version", where),
        text=text,
        performers=_performers(d, where, c),
        sources=_sources(d, where, c, source_keys),
        confidence=c.choice(d, "confidence", where, CONFIDENCES),
        notes=c.text(d, "notes", where),
        claims=tuple(claims),
        recording=_recording(d, where, c),
        rejected=status == MatchStatus.REJECTED,
        accepted=status == MatchStatus.ACCEPTED and d.get("recording") is not None,
        heard=heard,
        candidates=_candidates(d, where, c),
        searches=_searches(d, where, c),
        id_claims=_id_claims(d, where, c, source_keys),
    )


def _id_claims(d: LineDict, where: str, c: _Checker, source_keys: set[str] | None) -> tuple[IdClaim, ...]:
    """`id_claims: [{service: spotify, id: ..., sources: [...]}]`: ids sources claim for the song."""
    from cuesheet.notation import ids

    check = {"spotify": ids.normalize_spotify_id, "musicbrainz": ids.normalize_mbid, "isrc": ids.normalize_isrc}
    out = []
    for i, item, line in c.items(d, "id_claims", where):
        cw = f"{where}.id_claims[{i}]"
        cd = c.mapping(item, cw, line)
        if cd is None:
            continue
        c.keys(cd, ("service", "id", "sources", "verdict", "decided_by"), cw)
        service = c.choice(cd, "service", cw, ID_SERVICES)
        if "service" not in cd:
            c.error("is required", line, f"{cw}.service")
        raw = c.text(cd, "id", cw, required=True)
        claim_sources = _sources(cd, cw, c, source_keys)
        if not claim_sources:
            c.error("a claim names the sources that state it", line, f"{cw}.sources")
        if not service or not raw:
            continue
        try:
            value = check[service](raw)
        except ParseError as exc:
            c.error(exc.message, _line(cd, "id"), f"{cw}.id")
            continue
        # A curator's decision on the claim (`review accept/reject --claim`); the audit decides the rest.
        verdict = c.choice(cd, "verdict", cw, ("accepted", "rejected"))
        decided_by = c.text(cd, "decided_by", cw)
        if verdict and not decided_by:
            c.error("a decided claim names who decided it", _line(cd, "verdict"), f"{cw}.decided_by")
        out.append(IdClaim(service, value, claim_sources, verdict, decided_by if verdict else None))
    return tuple(out)


def _number(c: _Checker, d: LineDict, key: str, where: str) -> float | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        c.error(f"expected a number from 0 to 1, got {limits.short(str(value))!r}", _line(d, key), _join(where, key))
        return None
    return float(value)


def _texts(c: _Checker, d: LineDict, key: str, where: str) -> tuple[str, ...]:
    """A list of free text (a candidate's reasons): each item as long as a note may be."""
    value = d.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.error("expected a list of text", _line(d, key), _join(where, key))
        return ()
    for item in value:
        problem = limits.text_problem(item, limits.TEXT)
        if problem:
            c.error(problem, _line(d, key), _join(where, key))
            return ()
    return tuple(value)


def _pairs(c: _Checker, d: LineDict, key: str, where: str) -> tuple[tuple[str, str], ...]:
    value = d.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in value.items()):
        c.error("expected a mapping of names to text", _line(d, key), _join(where, key))
        return ()
    return tuple((k, str(v)) for k, v in value.items())


def _candidates(d: LineDict, where: str, c: _Checker) -> tuple[KeptCandidate, ...]:
    """The review queue's candidates for the song, best first, as `dump` carries them."""
    out = []
    for i, item, line in c.items(d, "candidates", where):
        cw = f"{where}.candidates[{i}]"
        cd = c.mapping(item, cw, line)
        if cd is None:
            continue
        c.keys(cd, CANDIDATE_KEYS, cw)
        title, artist = c.text(cd, "title", cw, required=True), c.text(cd, "artist", cw)
        source, score = c.text(cd, "source", cw, required=True), _number(c, cd, "score", cw)
        if score is None and cd.get("score") is None:
            c.error("is required", _line(cd, "score"), f"{cw}.score")
        if title and source and score is not None:
            out.append(KeptCandidate(
                score, title, artist or "", source, album=c.text(cd, "album", cw),
                year=c.integer(cd, "year", cw, minimum=1000, bounds=limits.YEAR),
                duration_ms=c.time(cd, "duration", cw), version=c.text(cd, "version", cw),
                ids=_pairs(c, cd, "ids", cw), links=_pairs(c, cd, "links", cw),
                reasons=_texts(c, cd, "reasons", cw), probability=_number(c, cd, "probability", cw)))
    return tuple(out)


def _searches(d: LineDict, where: str, c: _Checker) -> tuple[KeptSearch, ...]:
    """The searches curators tried for the song, oldest first."""
    out = []
    for i, item, line in c.items(d, "searches", where):
        sw = f"{where}.searches[{i}]"
        sd = c.mapping(item, sw, line)
        if sd is None:
            continue
        c.keys(sd, SEARCH_KEYS, sw)
        at, curator = c.text(sd, "at", sw, required=True), c.text(sd, "curator", sw, required=True)
        query = c.text(sd, "query", sw, required=True)
        best = c.mapping(sd.get("best"), f"{sw}.best", _line(sd, "best")) if sd.get("best") is not None else None
        if best is not None:
            c.keys(best, ("title", "artist", "score"), f"{sw}.best")
        if at and curator and query:
            out.append(KeptSearch(
                at, curator, query, c.strings(sd, "sources", sw), c.text(sd, "verdict", sw),
                c.text(best, "title", f"{sw}.best") if best is not None else None,
                c.text(best, "artist", f"{sw}.best") if best is not None else None,
                _number(c, best, "score", f"{sw}.best") if best is not None else None,
                c.integer(sd, "candidates", sw, minimum=0) or 0))
    return tuple(out)


def _recording(d: LineDict, where: str, c: _Checker) -> RecordingRef | None:
    if d.get("recording") is None:
        return None
    rw = f"{where}.recording"
    rd = c.mapping(d["recording"], rw, _line(d, "recording"))
    if rd is None:
        return None
    c.keys(rd, RECORDING_KEYS, rw)
    title = c.text(rd, "title", rw, required=True)
    artist = c.text(rd, "artist", rw, required=True)
    if not title or not artist:
        return None
    from cuesheet.notation import ids

    values: dict[str, Any] = {}
    for key, check in (("isrc", ids.normalize_isrc), ("mbid", ids.normalize_mbid),
                       ("spotify_id", ids.normalize_spotify_id)):
        raw = c.text(rd, key, rw)
        if raw:
            try:
                values[key] = check(raw)
            except ParseError as exc:
                c.error(exc.message, _line(rd, key), f"{rw}.{key}")
    return RecordingRef(
        title=title,
        artist=artist,
        version=c.text(rd, "version", rw),
        album=c.text(rd, "album", rw),
        year=c.integer(rd, "year", rw, minimum=1000, bounds=limits.YEAR),
        duration_ms=c.time(rd, "duration", rw),
        **values,
    )


def _performers(d: LineDict, where: str, c: _Checker) -> tuple[Performer, ...]:
    out = []
    for i, item, line in c.items(d, "performers", where):
        pw = f"{where}.performers[{i}]"
        if isinstance(item, str):
            problem = limits.text_problem(item, limits.NAME)
            if problem:
                c.error(problem, line, pw)
                continue
            out.append(Performer(character=item.strip()))
            continue
        pd = c.mapping(item, pw, line)
        if pd is None:
            continue
        c.keys(pd, ("character", "actor", "inferred"), pw)
        character, actor = c.text(pd, "character", pw), c.text(pd, "actor", pw)
        if not character and not actor:
            c.error("give a character or an actor", line, pw)
            continue
        out.append(Performer(character, actor, c.boolean(pd, "inferred", pw)))
    return tuple(out)


def _sources(
    d: LineDict, where: str, c: _Checker, source_keys: set[str] | None
) -> tuple[str, ...]:
    keys = c.strings(d, "sources", where)
    if source_keys is not None:
        for key in keys:
            if key not in source_keys:
                c.error(f"unknown source {key!r} (add it to show.yaml sources)",
                        _line(d, "sources"), f"{where}.sources" if where else "sources")
    return keys
