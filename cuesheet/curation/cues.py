"""A curator's changes to cue sheets: add, edit, remove, move and renumber cues.

Each operation validates everything first (all problems at once), then
writes in one transaction that is also one history entry, so a failure or an
interrupt leaves the database as it was and every change can be undone.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cuesheet.curation import store
from cuesheet.curation.matcher import Matcher, match_new
from cuesheet.db import history
from cuesheet.errors import InputError, InputErrors, NotFound, NumberTaken
from cuesheet.matching import persist
from cuesheet.matching.persist import SongMatch
from cuesheet.model import CONFIDENCES, KINDS, USAGE_CODES, Cue, Kind, MatchStatus, Performer, Song, Usage
from cuesheet.notation import limits
from cuesheet.sources import Candidate
from cuesheet.viewer.resolve import EpisodeRef

# The usage code a cue of each kind usually has; offered as the default.
DEFAULT_USAGE = {
    Kind.LIP_SYNC: Usage.VV.value,
    Kind.MASHUP: Usage.VV.value,
    Kind.CAST_ORIGINAL: Usage.VV.value,
    Kind.BACKGROUND: Usage.BV.value,
    Kind.SOURCE: Usage.VS.value,
}


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def kind_named(text: str) -> str | None:
    """The kind a curator means: spaces, hyphens and case do not matter ("lipsync", "Lip sync",
    "cast original"), and an unambiguous start is enough ("lip", "bg" is not). None if unclear."""
    value = _squash(text)
    if not value:
        return None
    squashed = {_squash(k): k for k in KINDS}
    if value in squashed:
        return squashed[value]
    hits = [k for v, k in squashed.items() if v.startswith(value)]
    return hits[0] if len(hits) == 1 else None


def usage_named(text: str) -> str | None:
    """A usage code however it is typed ("vv", "V V", "v-v"); None if it is not one."""
    code = _squash(text).upper()
    return code if code in USAGE_CODES else None


# Renumbering parks cues above every real number first, so UNIQUE(episode, number)
# never sees two cues on one number half-way through.
_PARK = 1_000_000_000


@dataclass(frozen=True)
class SongDraft:
    """One song of a new cue and what the curator decided about it.

    `pick`: the candidate the curator chose (linked as 'curated').
    `review`: "none of these": the identification's candidates wait for review.
    `song.recording`: metadata typed by hand (a curated recording).
    None of them: the matcher decides as the song comes in.
    """

    song: Song
    pick: Candidate | None = None
    review: Any | None = None


@dataclass(frozen=True)
class CueDraft:
    """A cue before it is written; `number` None takes the next free number."""

    songs: tuple[SongDraft, ...]
    kind: str | None = None
    number: int | None = None
    order_confirmed: bool = True
    time_in_ms: int | None = None
    time_out_ms: int | None = None
    scene: str | None = None
    performers: tuple[Performer, ...] = ()
    usage: str | None = None
    confidence: str | None = None
    sources: tuple[str, ...] = ()
    notes: str | None = None

    @property
    def resolved_kind(self) -> str:
        return self.kind or (Kind.MASHUP.value if len(self.songs) > 1 else Kind.LIP_SYNC.value)


@dataclass(frozen=True)
class Done:
    """What an operation did: the cue(s) it touched and its history entry."""

    summary: str
    history_id: int | None
    cue_id: int | None = None
    number: int | None = None
    episode: EpisodeRef | None = None
    numbers: dict[int, int] = field(default_factory=dict)  # renumber/move: old -> new

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "history_id": self.history_id,
            "cue_id": self.cue_id,
            "cue": self.number,
            "show": self.episode.show.name if self.episode else None,
            "episode": self.episode.code if self.episode else None,
            "renumbered": {str(k): v for k, v in self.numbers.items()},
        }


# --- reading what curators type ----------------------------------------------------------

_PERFORMER = re.compile(r"^\s*(?P<who>[^()]+?)\s*(?:\((?P<actor>[^()]*)\))?\s*(?P<inferred>\?)?\s*$")


def characters(conn: sqlite3.Connection, show_id: int) -> dict[str, tuple[str, str | None]]:
    """Folded character name -> (name as written, actor), to complete what curators type."""
    return {
        name.casefold(): (name, actor)
        for name, actor in conn.execute("SELECT name, actor FROM characters WHERE show_id = ?", [show_id])
    }


def parse_performers(text: str | Sequence[str], cast: dict[str, tuple[str, str | None]] | None = None,
                     *, field_name: str = "performers") -> tuple[Performer, ...]:
    """`Sam (Paul James), Nellie?` -> performers; a known character gets its actor.

    A trailing `?` marks a performer no source states (inferred). Commas or
    semicolons separate; a list is taken item by item.
    """
    items = [text] if isinstance(text, str) else list(text)
    out = []
    for item in items:
        for part in re.split(r"[;,]", item):
            if not part.strip():
                continue
            m = _PERFORMER.match(part)
            if not m:
                raise InputError(f"{part.strip()!r} is not a performer", field=field_name,
                                 remedy="write Character (Actor), e.g. Sam (Paul James); end with ? if inferred")
            who, actor = m.group("who").strip(), (m.group("actor") or "").strip() or None
            known = (cast or {}).get(who.casefold())
            if known:
                who, actor = known[0], actor or known[1]
            out.append(Performer(character=who, actor=actor, inferred=bool(m.group("inferred"))))
    return tuple(out)


def format_performers(performers: Sequence[Performer]) -> str:
    parts = []
    for p in performers:
        text = p.character or ""
        if p.actor:
            text = f"{text} ({p.actor})" if text else f"({p.actor})"
        parts.append(text + ("?" if p.inferred else ""))
    return ", ".join(parts)


# --- finding cues ---------------------------------------------------------------------------


def next_number(conn: sqlite3.Connection, episode_id: int) -> int:
    return int(conn.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM cues WHERE episode_id = ?", [episode_id]
    ).fetchone()[0])


def cue_titles(conn: sqlite3.Connection, episode_id: int) -> list[tuple[int, str]]:
    """(number, first song's title) of an episode's cues, in order: what a curator adding the
    next cue is reminded of. A song nobody named reads "an unidentified song"."""
    return conn.execute(
        """SELECT c.number, coalesce(r.title, s.title, nullif(s.text, ''), 'an unidentified song') FROM cues c
           LEFT JOIN cue_songs s ON s.cue_id = c.id AND s.position = 1
           LEFT JOIN recordings r ON r.id = s.recording_id
           WHERE c.episode_id = ? ORDER BY c.number""", [episode_id]).fetchall()


def last_performers(conn: sqlite3.Connection, episode_id: int) -> str | None:
    """The last cue's performers as a curator types them (`Sam (Paul James), Nellie?`): the
    default a quick `cue add` offers, since a scene's performers often sing the next cue too."""
    rows = conn.execute(
        """SELECT p.character, p.actor, p.inferred FROM cue_performers p
            WHERE p.cue_song_id IS NULL AND p.cue_id = (SELECT id FROM cues WHERE episode_id = ?
                                                          ORDER BY number DESC LIMIT 1)
            ORDER BY p.position, p.id""", [episode_id]).fetchall()
    names = [(c or a or "") + (f" ({a})" if c and a else "") + ("?" if inferred else "") for c, a, inferred in rows]
    return ", ".join(n for n in names if n) or None


def cue_id(conn: sqlite3.Connection, episode: EpisodeRef, number: int) -> int:
    row = conn.execute("SELECT id FROM cues WHERE episode_id = ? AND number = ?", [episode.id, number]).fetchone()
    if row is None:
        numbers = [r[0] for r in conn.execute(
            "SELECT number FROM cues WHERE episode_id = ? ORDER BY number", [episode.id])]
        known = ", ".join(map(str, numbers)) if numbers else "none yet"
        raise NotFound(f"{episode.show.name} {episode.code} has no cue {number}", remedy=f"cues: {known}")
    return int(row[0])


def _label(episode: EpisodeRef, number: int) -> str:
    return f"{episode.show.name} {episode.code} cue {number}"


UNIDENTIFIED = "an unidentified song"


def _song_label(song: Song) -> str:
    if song.unknown:
        return UNIDENTIFIED + (f" (heard: {song.heard})" if song.heard else "")
    return f"{song.title} — {song.artist}" if song.artist else (song.title or song.text or "?")


def draft_label(d: SongDraft) -> str:
    """The song as the curator identified it: the pick, the typed recording, or the text."""
    if d.song.unknown:
        return _song_label(d.song)
    if d.pick is not None:
        return f"{d.pick.title} — {d.pick.artist}"
    if d.song.recording is not None:
        return f"{d.song.recording.title} — {d.song.recording.artist}"
    return _song_label(d.song)


# --- validation -----------------------------------------------------------------------------


def validate(conn: sqlite3.Connection, episode: EpisodeRef, draft: CueDraft) -> list[InputError]:
    """Every problem with a draft, named by field, so the curator fixes them all at once."""
    errors: list[InputError] = []
    if not draft.songs:
        errors.append(InputError("a cue needs at least one song", field="song"))
    kind = draft.resolved_kind
    if kind not in KINDS:
        errors.append(InputError(f"{kind!r} is not one of {', '.join(KINDS)}", field="kind"))
    if kind == Kind.MASHUP and len(draft.songs) < 2:
        errors.append(InputError("a mashup needs two or more songs", field="kind"))
    if draft.usage and draft.usage.upper() not in USAGE_CODES:
        errors.append(InputError(f"{draft.usage!r} is not a usage code ({', '.join(USAGE_CODES)})",
                                 field="usage"))
    if draft.confidence and draft.confidence not in CONFIDENCES:
        errors.append(InputError(f"{draft.confidence!r} is not one of {', '.join(CONFIDENCES)}",
                                 field="confidence"))
    if draft.number is not None and draft.number < 1:
        errors.append(InputError(f"must be 1 or more, got {draft.number}", field="number"))
    if (draft.time_in_ms is not None and draft.time_out_ms is not None
            and draft.time_out_ms < draft.time_in_ms):
        errors.append(InputError("is before the time in", field="time_out"))
    known = set(store.source_ids(conn, episode.show.id))
    for key in draft.sources:
        if key not in known:
            errors.append(InputError(
                f"unknown source {key!r}", field="source",
                remedy=f"known: {', '.join(sorted(known)) or 'none (add them to show.yaml)'}"))
    for i, s in enumerate(draft.songs, start=1):
        if s.song.unknown:
            if (s.song.title or s.song.text or s.song.artist or s.song.recording or s.pick
                    or s.review is not None):
                errors.append(InputError("an unidentified song has no title, artist or pick;"
                                         " say what was heard with --heard", field=f"song {i}"))
        elif not (s.song.title or s.song.text or "").strip():
            errors.append(InputError("a song needs its text or a title (or --unknown with --heard"
                                     " for a song nobody has identified)", field=f"song {i}"))
    errors += _limit_errors(draft)
    return errors


def _limit_errors(draft: CueDraft) -> list[InputError]:
    """The limits every path applies (notation/limits.py): ranges, lengths, control characters."""
    out = []
    checks: list[tuple[str, Any, int]] = [("scene", draft.scene, limits.TEXT), ("notes", draft.notes, limits.TEXT)]
    for i, s in enumerate(draft.songs, start=1):
        checks += [(f"song {i}", s.song.text, limits.TEXT), (f"song {i} title", s.song.title, limits.NAME),
                   (f"song {i} artist", s.song.artist, limits.NAME), (f"song {i} version", s.song.version, limits.NAME)]
    checks += [("performer", p.character, limits.NAME) for p in draft.performers]
    checks += [("performer", p.actor, limits.NAME) for p in draft.performers]
    for name, value, limit in checks:
        problem = limits.text_problem(value, limit) if isinstance(value, str) else None
        if problem:
            out.append(InputError(problem, field=name))
    if draft.number is not None and draft.number >= 1:
        problem = limits.int_problem(draft.number, limits.CUE_NUMBER)
        if problem:
            out.append(InputError(problem, field="number"))
    for name, ms in (("time_in", draft.time_in_ms), ("time_out", draft.time_out_ms)):
        problem = limits.time_problem(ms) if ms is not None else None
        if problem:
            out.append(InputError(problem, field=name))
    return out


def _model_cue(draft: CueDraft, number: int) -> Cue:
    kind = draft.resolved_kind
    return Cue(
        number=number,
        kind=kind,
        songs=tuple(s.song for s in draft.songs),
        order_confirmed=draft.order_confirmed,
        time_in_ms=draft.time_in_ms,
        time_out_ms=draft.time_out_ms,
        scene=_clean(draft.scene),
        performers=draft.performers,
        usage=draft.usage.upper() if draft.usage else None,
        confidence=draft.confidence,
        sources=draft.sources,
        notes=_clean(draft.notes),
    )


# --- add ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A draft checked and matched in memory: what `write` stores, in one transaction."""

    draft: CueDraft
    matches: tuple[SongMatch | None, ...]  # one per song; None: the song's own state (see store)


def resolve(conn: sqlite3.Connection, episode: EpisodeRef, draft: CueDraft, *, match: bool = True,
            matcher: Matcher | None = None) -> Resolved:
    """Check a draft (every problem at once) and decide each song's match before any write:
    the curator's pick, candidates kept for review, or the local catalog's answer."""
    errors = validate(conn, episode, draft)
    if errors:
        raise InputErrors(errors)
    local = (matcher or Matcher.offline(conn)).local
    return Resolved(draft, tuple(_song_match(s, local, match) for s in draft.songs))


def _song_match(s: SongDraft, local: Sequence[Any], match: bool) -> SongMatch | None:
    if s.song.recording is not None or s.song.unknown:
        return None  # typed by hand (store makes it curated), or nobody knows it yet
    if s.pick is not None:
        return persist.picked(s.pick)
    if s.review is not None:
        return persist.kept_for_review(s.review)
    if not match:
        return None
    title, artist = store.stored_names(s.song)
    return persist.matched(persist.identify_song(local, title, artist, s.song.version, s.song.entered))


def write(conn: sqlite3.Connection, episode: EpisodeRef, resolved: Resolved, curator: str, *,
          shift: bool = False) -> Done:
    """Write one resolved cue with its songs and their match state, in one transaction.

    The number is chosen inside the transaction, so two curators adding at
    once get different numbers. A taken number is an error unless `shift`
    moves that cue and the ones after it up by one.
    """
    draft = resolved.draft
    with history.recorded(conn, "cue add", curator) as change:
        number = draft.number or next_number(conn, episode.id)
        if number > limits.CUE_NUMBER.high:
            raise InputError(f"{_label(episode, number - 1)} is the last number a cue may have",
                             field="number", remedy="pass -n with a free number")
        taken = conn.execute(
            "SELECT 1 FROM cues WHERE episode_id = ? AND number = ?", [episode.id, number]
        ).fetchone()
        if taken:
            if not shift:
                free = next_number(conn, episode.id)
                raise NumberTaken(
                    f"{_label(episode, number)} already exists", number=number, free=free,
                    remedy=f"take {free}, or insert before it with --shift",
                )
            _shift_up(conn, episode.id, number)
        sources = store.source_ids(conn, episode.show.id)
        new_id = store.insert_cue(conn, episode.id, _model_cue(draft, number), sources, resolved.matches)
        songs = " + ".join(draft_label(s) for s in draft.songs)
        change.summary = f"added {_label(episode, number)}: {songs}"
        change.show_id, change.episode_id = episode.show.id, episode.id
    return Done(change.summary, change.id, new_id, number, episode)


def add_cue(
    conn: sqlite3.Connection,
    episode: EpisodeRef,
    draft: CueDraft,
    curator: str,
    *,
    shift: bool = False,
    match: bool = True,
) -> Done:
    """Resolve a draft and write it: `resolve` then `write`."""
    return write(conn, episode, resolve(conn, episode, draft, match=match), curator, shift=shift)


def _shift_up(conn: sqlite3.Connection, episode_id: int, start: int) -> None:
    conn.execute("UPDATE cues SET number = number + ? WHERE episode_id = ? AND number >= ?",
                 [_PARK, episode_id, start])
    conn.execute("UPDATE cues SET number = number - ? + 1 WHERE episode_id = ? AND number >= ?",
                 [_PARK, episode_id, _PARK])


# --- edit -----------------------------------------------------------------------------------------

CUE_FIELDS = ("time_in_ms", "time_out_ms", "scene", "usage", "kind", "confidence", "notes",
              "order_confirmed")
SONG_FIELDS = ("title", "artist", "version", "text", "notes", "heard")


@dataclass(frozen=True)
class CueEdit:
    """Changes to one cue. Fields left out of `fields` stay as they are; a None value clears."""

    fields: dict[str, Any] = field(default_factory=dict)
    performers: tuple[Performer, ...] | None = None
    # song position (1-based) -> {title|artist|version|text|notes: value}
    songs: dict[int, dict[str, Any]] = field(default_factory=dict)
    add_songs: tuple[SongDraft, ...] = ()
    remove_songs: tuple[int, ...] = ()


def edit_cue(
    conn: sqlite3.Connection, episode: EpisodeRef, number: int, edit: CueEdit, curator: str
) -> Done:
    """Change fields of a cue and its songs; the result must still be a valid cue.

    Editing a song's title, artist or version corrects our transcription: the
    source statements that backed the old value follow it, and a link the
    matcher made is redone (a curator's own decision is kept).
    """
    # Cue sheet files cannot keep edge spaces, so neither does the database.
    edit = CueEdit(
        fields={k: _clean(v) for k, v in edit.fields.items()},
        performers=edit.performers,
        songs={p: {k: _clean(v) for k, v in vals.items()} for p, vals in edit.songs.items()},
        add_songs=edit.add_songs,
        remove_songs=edit.remove_songs,
    )
    unknown = [k for k in edit.fields if k not in CUE_FIELDS]
    if unknown:
        raise InputError(f"cannot edit {', '.join(unknown)}", field="field",
                         remedy=f"editable: {', '.join(CUE_FIELDS)}")
    with history.recorded(conn, "cue edit", curator) as change:
        cid = cue_id(conn, episode, number)
        row = conn.execute(
            f"SELECT {', '.join(CUE_FIELDS)} FROM cues WHERE id = ?", [cid]).fetchone()
        current = dict(zip(CUE_FIELDS, row))
        new = {**current, **edit.fields}
        positions = [r[0] for r in conn.execute(
            "SELECT position FROM cue_songs WHERE cue_id = ? ORDER BY position", [cid])]
        errors = []
        for pos in list(edit.songs) + list(edit.remove_songs):
            if pos not in positions:
                errors.append(InputError(f"the cue has no song {pos} (songs: {positions})", field="song"))
        remaining = len(positions) - len(set(edit.remove_songs)) + len(edit.add_songs)
        draft = CueDraft(
            songs=tuple(SongDraft(Song(title="x", artist="")) for _ in range(remaining)),
            kind=new["kind"], number=number, time_in_ms=new["time_in_ms"],
            time_out_ms=new["time_out_ms"], usage=new["usage"], confidence=new["confidence"],
        )
        errors += validate(conn, episode, draft)
        for i, s in enumerate(edit.add_songs, start=1):
            if not s.song.unknown and not (s.song.title or s.song.text or "").strip():
                errors.append(InputError("a song needs its text or a title", field=f"add-song {i}"))
        if errors:
            raise InputErrors(errors)
        changed = {k: v for k, v in edit.fields.items() if current[k] != v}
        if "usage" in changed and changed["usage"]:
            changed["usage"] = changed["usage"].upper()
        if changed:
            sets = ", ".join(f"{k} = ?" for k in changed)
            conn.execute(f"UPDATE cues SET {sets} WHERE id = ?", [*changed.values(), cid])
        if "confidence" in changed:
            # Songs that had the cue's confidence (given with it, or none of their own) follow it,
            # as a file that states it once on the cue reads back.
            conn.execute("UPDATE cue_songs SET confidence = ? WHERE cue_id = ? AND (confidence IS ? OR confidence IS NULL)",
                         [changed["confidence"], cid, current["confidence"]])
        if "scene" in changed:
            _follow_claims(conn, cid, None, "scene", current["scene"], changed["scene"])
        now = _performers(conn, cid)
        if edit.performers is not None and tuple(edit.performers) != now:
            conn.execute("DELETE FROM cue_performers WHERE cue_id = ? AND cue_song_id IS NULL", [cid])
            store._insert_performers(conn, cid, None, edit.performers)
        rematch = []
        for pos, values in edit.songs.items():
            bad = [k for k in values if k not in SONG_FIELDS]
            if bad:
                raise InputError(f"cannot edit a song's {', '.join(bad)}", field="song",
                                 remedy=f"editable: {', '.join(SONG_FIELDS)}")
            sid, *old = conn.execute(
                f"SELECT id, {', '.join(SONG_FIELDS)}, match_status FROM cue_songs"
                " WHERE cue_id = ? AND position = ?", [cid, pos]).fetchone()
            before = dict(zip(SONG_FIELDS, old[:-1]))
            diff = {k: v for k, v in values.items() if before[k] != v}
            if not diff:
                continue
            conn.execute(f"UPDATE cue_songs SET {', '.join(f'{k} = ?' for k in diff)} WHERE id = ?",
                         [*diff.values(), sid])
            for name in ("title", "artist", "version"):
                if name in diff:
                    _follow_claims(conn, cid, sid, name, before[name], diff[name])
            if {"title", "artist", "version", "text"} & set(diff) and old[-1] not in (MatchStatus.CURATED, MatchStatus.REJECTED):
                # A title for an unidentified song identifies it: the matcher takes it from here.
                persist.unlink(conn, sid)
                rematch.append(sid)
        for pos in sorted(set(edit.remove_songs), reverse=True):
            conn.execute("DELETE FROM cue_songs WHERE cue_id = ? AND position = ?", [cid, pos])
        if edit.remove_songs:
            _compact_positions(conn, cid)
        if edit.add_songs:
            cue = _cue_for_songs(conn, cid, number, new["kind"])
            sources = store.source_ids(conn, episode.show.id)
            start = (conn.execute("SELECT coalesce(max(position), 0) FROM cue_songs WHERE cue_id = ?",
                                  [cid]).fetchone()[0])
            local = Matcher.offline(conn).local
            for i, s in enumerate(edit.add_songs, start=start + 1):
                store.insert_song(conn, cid, i, s.song, cue, sources, _song_match(s, local, True))
        if rematch:
            match_new(conn, rematch)
        change.summary = f"edited {_label(episode, number)}"
        change.show_id, change.episode_id = episode.show.id, episode.id
    if change.id is None:
        return Done(f"{_label(episode, number)} already has those values; nothing changed", None, cid,
                    number, episode)
    return Done(change.summary, change.id, cid, number, episode)


def _performers(conn: sqlite3.Connection, cid: int) -> tuple[Performer, ...]:
    return tuple(Performer(c, a, bool(i)) for c, a, i in conn.execute(
        "SELECT character, actor, inferred FROM cue_performers WHERE cue_id = ? AND cue_song_id IS NULL"
        " ORDER BY position", [cid]))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _cue_for_songs(conn: sqlite3.Connection, cid: int, number: int, kind: str) -> Cue:
    """The cue's provenance, as store.insert_song needs it for a song added later."""
    keys = tuple(k for (k,) in conn.execute(
        """SELECT DISTINCT so.key FROM claims cl JOIN sources so ON so.id = cl.source_id
            WHERE cl.cue_id = ? AND cl.cue_song_id IS NULL AND cl.field = 'scene' ORDER BY cl.id""",
        [cid]))
    confidence = conn.execute("SELECT confidence FROM cues WHERE id = ?", [cid]).fetchone()[0]
    return Cue(number=number, kind=kind, songs=(), confidence=confidence, sources=keys)


def _follow_claims(conn: sqlite3.Connection, cid: int, song_id: int | None, name: str,
                   old: str | None, new: str | None) -> None:
    if old is None:
        return
    if new is None:
        conn.execute("DELETE FROM claims WHERE cue_id = ? AND cue_song_id IS ? AND field = ? AND value = ?",
                     [cid, song_id, name, old])
    else:
        conn.execute("UPDATE claims SET value = ? WHERE cue_id = ? AND cue_song_id IS ? AND field = ?"
                     " AND value = ?", [new, cid, song_id, name, old])


def _compact_positions(conn: sqlite3.Connection, cid: int) -> None:
    ids = [r[0] for r in conn.execute("SELECT id FROM cue_songs WHERE cue_id = ? ORDER BY position", [cid])]
    conn.execute("UPDATE cue_songs SET position = position + ? WHERE cue_id = ?", [_PARK, cid])
    conn.executemany("UPDATE cue_songs SET position = ? WHERE id = ?",
                     [(i, sid) for i, sid in enumerate(ids, start=1)])


# --- remove, move, renumber ----------------------------------------------------------------------


def remove_cue(conn: sqlite3.Connection, episode: EpisodeRef, number: int, curator: str) -> Done:
    """Delete a cue with its songs, performers and claims; other numbers stay as they are."""
    with history.recorded(conn, "cue rm", curator) as change:
        cid = cue_id(conn, episode, number)
        titles = [t for (t,) in conn.execute(
            "SELECT coalesce(r.title, s.title, s.text) FROM cue_songs s"
            " LEFT JOIN recordings r ON r.id = s.recording_id WHERE s.cue_id = ? ORDER BY s.position", [cid])]
        conn.execute("DELETE FROM cues WHERE id = ?", [cid])
        change.summary = f"removed {_label(episode, number)}: {' + '.join(titles)}"
        change.show_id, change.episode_id = episode.show.id, episode.id
    return Done(change.summary, change.id, cid, number, episode)


def move_cue(
    conn: sqlite3.Connection,
    episode: EpisodeRef,
    number: int,
    curator: str,
    *,
    to: int | None = None,
    to_episode: EpisodeRef | None = None,
) -> Done:
    """Give a cue another place: number `to` in its episode (the cues between shift
    by one), or another episode (`to` there, else its next free number)."""
    if to is None and to_episode is None:
        raise InputError("say where to: a cue number, another episode, or both", field="to")
    if to is not None and to < 1:
        raise InputError(f"must be 1 or more, got {to}", field="to")
    target = to_episode or episode
    with history.recorded(conn, "cue move", curator) as change:
        cid = cue_id(conn, episode, number)
        numbers: dict[int, int] = {}
        before = _numbers(conn, episode.id)
        conn.execute("UPDATE cues SET number = ? WHERE id = ?", [_PARK - 1, cid])
        if target.id == episode.id:
            dest = min(to or number, max(before.values() or [number]))
            if dest > number:
                _shift(conn, episode.id, number + 1, dest, -1)
            elif dest < number:
                _shift(conn, episode.id, dest, number - 1, +1)
        else:
            dest = to or next_number(conn, target.id)
            if conn.execute("SELECT 1 FROM cues WHERE episode_id = ? AND number = ?",
                            [target.id, dest]).fetchone():
                _shift_up(conn, target.id, dest)
            conn.execute("UPDATE cues SET episode_id = ? WHERE id = ?", [target.id, cid])
        conn.execute("UPDATE cues SET number = ? WHERE id = ?", [dest, cid])
        after = _numbers(conn, episode.id)
        numbers = {before[i]: n for i, n in after.items() if before.get(i) != n}
        where = f" in {target.show.name} {target.code}" if target.id != episode.id else ""
        change.summary = f"moved {_label(episode, number)} to {dest}{where}"
        change.show_id, change.episode_id = episode.show.id, episode.id
    if change.id is None:
        return Done(f"{_label(episode, number)} is already there; nothing changed", None, cid, number, episode)
    return Done(change.summary, change.id, cid, dest, target, numbers)


def _numbers(conn: sqlite3.Connection, episode_id: int) -> dict[int, int]:
    return dict(conn.execute("SELECT id, number FROM cues WHERE episode_id = ?", [episode_id]).fetchall())


def _shift(conn: sqlite3.Connection, episode_id: int, first: int, last: int, by: int) -> None:
    conn.execute("UPDATE cues SET number = number + ? WHERE episode_id = ? AND number BETWEEN ? AND ?",
                 [_PARK, episode_id, first, last])
    conn.execute("UPDATE cues SET number = number - ? + ? WHERE episode_id = ? AND number BETWEEN ? AND ?",
                 [_PARK, by, episode_id, _PARK + first, _PARK + last])


def renumber(
    conn: sqlite3.Connection, episode: EpisodeRef, curator: str, *, by_time: bool = False
) -> Done:
    """Number an episode's cues 1, 2, 3 ... in their order (or by time in, untimed cues
    keeping their place after the timed ones), closing gaps."""
    with history.recorded(conn, "cue renumber", curator) as change:
        order = "time_in_ms IS NULL, time_in_ms, number" if by_time else "number"
        rows = conn.execute(
            f"SELECT id, number FROM cues WHERE episode_id = ? ORDER BY {order}", [episode.id]).fetchall()
        mapping = {old: new for new, (_, old) in enumerate(rows, start=1) if old != new}
        if mapping:
            conn.execute("UPDATE cues SET number = number + ? WHERE episode_id = ?", [_PARK, episode.id])
            conn.executemany("UPDATE cues SET number = ? WHERE id = ?",
                             [(new, cid) for new, (cid, _) in enumerate(rows, start=1)])
        how = " by time" if by_time else ""
        change.summary = f"renumbered {episode.show.name} {episode.code}{how}: " + (
            ", ".join(f"{a}→{b}" for a, b in sorted(mapping.items())) or "no change")
        change.show_id, change.episode_id = episode.show.id, episode.id
    if change.id is None:
        return Done(f"{episode.show.name} {episode.code} is already numbered 1–{len(rows)}; nothing changed",
                    None, episode=episode)
    return Done(change.summary, change.id, episode=episode, numbers=mapping)


__all__ = [
    "CueDraft", "CueEdit", "DEFAULT_USAGE", "Done", "SongDraft", "add_cue", "characters", "cue_id",
    "edit_cue", "format_performers", "move_cue", "next_number", "parse_performers", "remove_cue",
    "renumber", "validate",
]
