"""Editing what a show and its episodes say about themselves: an episode's completeness,
length, title, air date and notes; the show's characters and sources.

Before this, the only route was editing data/ and `build`, which throws the history away.
Each function validates first (every problem at once), then writes in one transaction
that is one history entry, so `undo` takes it back.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from cuesheet.curation import store
from cuesheet.db import history
from cuesheet.errors import CuesheetError, InputError, InputErrors, NotFound
from cuesheet.notation.timecode import format_time
from cuesheet.viewer.resolve import EpisodeRef, ShowRef

EPISODE_FIELDS = ("title", "air_date", "length_ms", "complete", "notes")
EPISODE_SETTABLE = (*EPISODE_FIELDS, "sources")  # sources: the keys of the show's sources
CHARACTER_FIELDS = ("full_name", "actor", "notes")
SOURCE_FIELDS = ("title", "url", "date")
SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


@dataclass(frozen=True)
class Done:
    summary: str
    history_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "history_id": self.history_id}


def _clean(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _date_errors(value: Any, field: str) -> list[InputError]:
    if value is not None and not _DATE.match(str(value)):
        return [InputError(f"expected a date YYYY-MM-DD (or YYYY, YYYY-MM), got {value!r}", field=field)]
    if value is not None and len(str(value)) == 10:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return [InputError(f"{value!r} is not a day of the calendar", field=field)]
    return []


def episode_errors(fields: dict[str, Any], names: dict[str, str] | None = None) -> list[InputError]:
    """Every problem with new values for an episode, named by field (or by `names`, so a
    command says `--air-date` where a file says `air_date`)."""
    name = (names or {}).get
    errors = [InputError(f"cannot set {k}", field=k, remedy=f"settable: {', '.join(EPISODE_SETTABLE)}")
              for k in fields if k not in EPISODE_SETTABLE]
    if "title" in fields and not fields["title"]:
        errors.append(InputError("an episode needs a title", field=name("title", "title")))
    if fields.get("length_ms") is not None and fields["length_ms"] <= 0:
        errors.append(InputError("must be more than 0", field=name("length", "length")))
    errors += _date_errors(fields.get("air_date"), name("air_date", "air_date"))
    return errors


def update_episode(conn: sqlite3.Connection, episode_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Write the values that differ; returns them. The caller holds the recorded transaction."""
    names = [k for k in fields if k in EPISODE_FIELDS]
    if not names:
        return {}
    row = conn.execute(f"SELECT {', '.join(names)} FROM episodes WHERE id = ?", [episode_id]).fetchone()
    new = {k: (int(v) if k == "complete" and v is not None else v) for k, v in fields.items() if k in names}
    old = dict(zip(names, row))
    changed = {k: v for k, v in new.items() if old[k] != v}
    if changed:
        conn.execute(f"UPDATE episodes SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
                     [*changed.values(), episode_id])
    return changed


def _short(value: Any) -> str:
    text = str(value)
    return repr(text[:40] + "…" if len(text) > 40 else text)


def _describe(changed: dict[str, Any], old: dict[str, Any] | None = None) -> str:
    """What changed, in words; text fields that had a value show it (`notes: 'old…' -> 'new'`),
    so a replaced note is seen before it is lost from view (undo brings it back)."""
    parts = []
    for k, v in changed.items():
        if old and old.get(k) and isinstance(v, str) and k == "notes" and v.startswith(old[k]):
            parts.append(f"notes: added {_short(v[len(old[k]):].strip())}")
        elif old and old.get(k) is not None and k in ("title", "air_date", "notes"):
            parts.append(f"{k.replace('_', ' ')}: {_short(old[k])} -> " + (_short(v) if v is not None else "cleared"))
        elif k == "complete":
            parts.append("complete" if v else "not complete")
        elif k == "length_ms":
            parts.append(f"length {format_time(v)}" if v is not None else "length cleared")
        elif v is None:
            parts.append(f"{k.replace('_', ' ')} cleared")
        else:
            text = str(v)
            parts.append(f"{k.replace('_', ' ')} {text[:40] + '…' if len(text) > 40 else text!r}")
    return ", ".join(parts)


def set_episode(conn: sqlite3.Connection, episode: EpisodeRef, fields: dict[str, Any], curator: str,
                *, names: dict[str, str] | None = None) -> Done:
    """Mark an episode complete (every cue known) or not, set its length, title, air date,
    notes, and the sources that state them (`sources`: show source keys; [] clears).
    `names` renames fields in errors (the command's options); `add_notes` is text added to
    the notes already there, so a researched note is not replaced by accident."""
    fields = {k: (_clean(v) if k != "sources" else list(v)) for k, v in fields.items()}
    if "add_notes" in fields:
        extra = fields.pop("add_notes")
        current = conn.execute("SELECT notes FROM episodes WHERE id = ?", [episode.id]).fetchone()[0]
        fields["notes"] = " ".join(filter(None, [current, extra])) or None
    errors = episode_errors(fields, names)
    known = store.source_ids(conn, episode.show.id)
    for key in fields.get("sources", []):
        if key not in known:
            errors.append(InputError(f"unknown source {key!r}", field=(names or {}).get("source", "source"),
                                     remedy=f"known: {', '.join(sorted(known)) or 'none'};"
                                            f" `cuesheet source add {episode.show.slug} KEY` adds one"))
    if errors:
        raise InputErrors(errors)
    label = f"{episode.show.name} {episode.code}"
    texts = ("title", "air_date", "notes")
    old = dict(zip(texts, conn.execute(f"SELECT {', '.join(texts)} FROM episodes WHERE id = ?",
                                       [episode.id]).fetchone()))
    with history.recorded(conn, "episode set", curator) as change:
        changed = update_episode(conn, episode.id, fields)
        if "sources" in fields and store.set_episode_sources(conn, episode.id,
                                                             [known[k] for k in fields["sources"]]):
            changed["sources"] = ", ".join(fields["sources"]) or None
        change.summary = f"set {label}: {_describe(changed, old)}"
        change.show_id, change.episode_id = episode.show.id, episode.id
    if change.id is None:
        return Done(f"{label} already has those values; nothing changed", None)
    return Done(change.summary, change.id)


# --- characters --------------------------------------------------------------------------------


def _character_id(conn: sqlite3.Connection, show: ShowRef, name: str) -> int | None:
    row = conn.execute("SELECT id FROM characters WHERE show_id = ? AND name = ? COLLATE NOCASE",
                       [show.id, name.strip()]).fetchone()
    return int(row[0]) if row else None


def add_character(conn: sqlite3.Connection, show: ShowRef, name: str, fields: dict[str, Any],
                  curator: str) -> Done:
    """A new character of the show (name, full name, actor, notes)."""
    name = (name or "").strip()
    fields = {k: _clean(v) for k, v in fields.items()}
    errors = [InputError(f"cannot set {k}", field=k) for k in fields if k not in CHARACTER_FIELDS]
    if not name:
        errors.append(InputError("a character needs a name", field="name"))
    if errors:
        raise InputErrors(errors)
    with history.recorded(conn, "character add", curator) as change:
        if _character_id(conn, show, name) is not None:
            raise CuesheetError(f"{show.name} already has a character {name!r}",
                                remedy=f"`cuesheet character edit {show.slug} {name!r} ...` changes it")
        cols = ["show_id", "name", *fields]
        conn.execute(f"INSERT INTO characters ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     [show.id, name, *fields.values()])
        actor = f" ({fields['actor']})" if fields.get("actor") else ""
        change.summary = f"added character {name}{actor} to {show.name}"
        change.show_id = show.id
    return Done(change.summary, change.id)


def edit_character(conn: sqlite3.Connection, show: ShowRef, name: str, fields: dict[str, Any],
                   curator: str, *, rename: str | None = None) -> Done:
    """Change a character's full name, actor or notes (or its name). Cue performers keep the
    name and actor they were entered with: a source stated them."""
    fields = {k: _clean(v) for k, v in fields.items()}
    errors = [InputError(f"cannot set {k}", field=k) for k in fields if k not in CHARACTER_FIELDS]
    if rename is not None and not rename.strip():
        errors.append(InputError("a character needs a name", field="rename"))
    if errors:
        raise InputErrors(errors)
    with history.recorded(conn, "character edit", curator) as change:
        cid = _character_id(conn, show, name)
        if cid is None:
            known = [n for (n,) in conn.execute("SELECT name FROM characters WHERE show_id = ? ORDER BY name",
                                                [show.id])]
            raise NotFound(f"{show.name} has no character {name!r}", remedy=f"known: {', '.join(known) or 'none'}")
        if rename:
            fields["name"] = rename.strip()
        if fields:
            conn.execute(f"UPDATE characters SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                         [*fields.values(), cid])
        change.summary = f"edited character {name} of {show.name}: {_describe(fields)}"
        change.show_id = show.id
    if change.id is None:
        return Done(f"{name} already has those values; nothing changed", None)
    return Done(change.summary, change.id)


# --- sources -----------------------------------------------------------------------------------


def set_source(conn: sqlite3.Connection, show: ShowRef, key: str, fields: dict[str, Any], curator: str,
               *, add: bool) -> Done:
    """Add a source cues can cite (`add`), or change one's title, URL or date."""
    key = (key or "").strip()
    fields = {k: _clean(v) for k, v in fields.items()}
    errors = [InputError(f"cannot set {k}", field=k) for k in fields if k not in SOURCE_FIELDS]
    if not SOURCE_KEY.match(key):
        errors.append(InputError(f"{key!r}: source keys use a-z, 0-9 and '-'", field="key"))
    errors += _date_errors(fields.get("date"), "date")
    if errors:
        raise InputErrors(errors)
    with history.recorded(conn, "source add" if add else "source edit", curator) as change:
        row = conn.execute("SELECT id FROM sources WHERE show_id = ? AND key = ?", [show.id, key]).fetchone()
        if add:
            if row is not None:
                raise CuesheetError(f"{show.name} already has a source {key!r}",
                                    remedy=f"`cuesheet source edit {show.slug} {key} ...` changes it")
            cols = ["show_id", "key", *fields]
            conn.execute(f"INSERT INTO sources ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         [show.id, key, *fields.values()])
            change.summary = f"added source {key} to {show.name}"
        else:
            if row is None:
                raise NotFound(f"{show.name} has no source {key!r}",
                               remedy=f"`cuesheet source add {show.slug} {key} --title ...` adds it")
            if fields:
                conn.execute(f"UPDATE sources SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                             [*fields.values(), row[0]])
            change.summary = f"edited source {key} of {show.name}: {_describe(fields)}"
        change.show_id = show.id
    if change.id is None:
        return Done(f"source {key} already has those values; nothing changed", None)
    return Done(change.summary, change.id)
