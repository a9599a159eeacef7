"""Every curator change recorded, and undone, row by row.

A change is captured by temporary triggers that live only on the connection
making it and only for the length of the operation: whatever rows the
operation touches, directly or through a cascade, land in the log with their
image before and after. Nothing is reconstructed by hand, so a new column or
a new table of cue data is recorded without this module knowing about it
(add the table to TRACKED).

`undo` replays a change's row images backwards in one transaction, and is
itself a recorded change, so undoing an undo redoes.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cuesheet import db
from cuesheet.errors import CuesheetError, NotFound

# The tables that hold a curator's work. Caches and the catalog import log are
# not curator changes; the FTS index follows its tables by its own triggers.
TRACKED = (
    "shows", "show_aliases", "sources", "characters", "episodes", "episode_aliases",
    "recordings", "cues", "cue_songs", "cue_performers", "claims", "match_candidates",
    "imported_files",  # #17: undoing a `cue import` forgets its file too, so it may be imported again
)
_LOG = "temp._history_log"
_PREFIX = "_history_"


def who(curator: str | None = None) -> str:
    """The curator's name: the configured one, else the login name."""
    if curator and curator.strip():
        return curator.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown"


@dataclass
class Change:
    """What the caller says about the change being recorded; the rows come from the triggers."""

    action: str
    curator: str
    summary: str = ""
    show_id: int | None = None
    episode_id: int | None = None
    # Set after the operation: the history id (None when nothing changed).
    id: int | None = None
    rows: int = 0


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    curator: str
    action: str
    summary: str
    show_id: int | None
    episode_id: int | None
    changes: list[dict[str, Any]]
    undo_of: int | None
    undone_by: int | None
    show: str | None = None
    episode: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "curator": self.curator,
            "action": self.action,
            "summary": self.summary,
            "show": self.show,
            "episode": self.episode,
            "undo_of": self.undo_of,
            "undone_by": self.undone_by,
            "changes": self.changes,
        }


def _tables(conn: sqlite3.Connection) -> list[str]:
    present = {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    return [t for t in TRACKED if t in present]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]


def _image(columns: list[str], alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in columns) + ")"


def _install(conn: sqlite3.Connection) -> None:
    """Log triggers on this connection, created once and switched on per operation.

    Creating them per operation costs a schema change each time (~10 ms);
    switched off, they cost one lookup of a one-row temp table per write.
    """
    if not _installed(conn):
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _history_log (seq INTEGER PRIMARY KEY,"
                     " tbl TEXT NOT NULL, rid INTEGER NOT NULL, before TEXT, after TEXT)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _history_on (on_ INTEGER NOT NULL)")
        conn.execute("DELETE FROM temp._history_on")
        conn.execute("INSERT INTO temp._history_on VALUES (0)")
        for table in _tables(conn):
            cols = _columns(conn, table)
            new, old = _image(cols, "NEW"), _image(cols, "OLD")
            bodies = {
                "ai": ("AFTER INSERT", f"NEW.rowid, NULL, {new}"),
                "au": ("AFTER UPDATE", f"NEW.rowid, {old}, {new}"),
                "ad": ("AFTER DELETE", f"OLD.rowid, {old}, NULL"),
            }
            for suffix, (when, values) in bodies.items():
                conn.execute(
                    f"CREATE TEMP TRIGGER {_PREFIX}{table}_{suffix} {when} ON main.{table}"
                    f" WHEN (SELECT on_ FROM _history_on) BEGIN"
                    f" INSERT INTO _history_log (tbl, rid, before, after) VALUES ('{table}', {values}); END"
                )
    conn.execute(f"DELETE FROM {_LOG}")
    conn.execute("UPDATE temp._history_on SET on_ = 1")


def _uninstall(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE temp._history_on SET on_ = 0")
    conn.execute(f"DELETE FROM {_LOG}")


def _installed(conn: sqlite3.Connection) -> bool:
    return conn.execute(
        "SELECT 1 FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE '\\_history\\_%' ESCAPE '\\'"
    ).fetchone() is not None


def _recording(conn: sqlite3.Connection) -> bool:
    if not _installed(conn):
        return False
    return bool(conn.execute("SELECT on_ FROM temp._history_on").fetchone()[0])


def _collect(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT tbl, rid, before, after FROM {_LOG} ORDER BY seq").fetchall()
    changes = []
    first: dict[tuple[str, int], Any] = {}
    last: dict[tuple[str, int], Any] = {}
    for table, rid, before, after in rows:
        b = json.loads(before) if before else None
        a = json.loads(after) if after else None
        if b == a:  # an UPDATE that set what was there
            continue
        first.setdefault((table, rid), b)
        last[(table, rid)] = a
        changes.append({"table": table, "rowid": rid, "before": b, "after": a})
    # A row that ended as it began (a cue parked and put back) did not change.
    same = {key for key in first if first[key] == last[key]}
    return [ch for ch in changes if (ch["table"], ch["rowid"]) not in same]


@contextmanager
def recorded(conn: sqlite3.Connection, action: str, curator: str) -> Iterator[Change]:
    """One operation, one transaction, one history entry (none if nothing changed).

    Nested use joins the outer operation's entry, as db.transaction joins its
    transaction.
    """
    change = Change(action=action, curator=curator)
    if conn.in_transaction and _recording(conn):
        yield change
        return
    with db.transaction(conn):
        _install(conn)
        try:
            yield change
            changes = _collect(conn)
        finally:
            _uninstall(conn)
        change.rows = len(changes)
        if changes:
            cur = conn.execute(
                """INSERT INTO history (at, curator, action, summary, show_id, episode_id, changes)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [_now(), change.curator, change.action, change.summary or action, change.show_id,
                 change.episode_id, json.dumps(changes, ensure_ascii=False)],
            )
            change.id = int(cur.lastrowid)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# --- reading -------------------------------------------------------------------------


_SELECT = """SELECT h.id, h.at, h.curator, h.action, h.summary, h.show_id, h.episode_id, h.changes,
                    h.undo_of, h.undone_by, s.name,
                    CASE WHEN e.id IS NULL THEN NULL
                         ELSE printf('S%02dE%02d', e.season, e.number) END
               FROM history h LEFT JOIN shows s ON s.id = h.show_id
               LEFT JOIN episodes e ON e.id = h.episode_id"""


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(
        id=row[0], at=row[1], curator=row[2], action=row[3], summary=row[4], show_id=row[5],
        episode_id=row[6], changes=json.loads(row[7]), undo_of=row[8], undone_by=row[9],
        show=row[10], episode=row[11],
    )


def entries(
    conn: sqlite3.Connection,
    *,
    show_id: int | None = None,
    episode_id: int | None = None,
    limit: int | None = 20,
) -> list[Entry]:
    """The latest changes first, optionally for one show or episode."""
    sql, params = _SELECT + " WHERE 1", []
    if show_id is not None:
        sql += " AND h.show_id = ?"
        params.append(show_id)
    if episode_id is not None:
        sql += " AND h.episode_id = ?"
        params.append(episode_id)
    sql += " ORDER BY h.id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_entry(r) for r in conn.execute(sql, params)]


def get(conn: sqlite3.Connection, entry_id: int) -> Entry:
    row = conn.execute(_SELECT + " WHERE h.id = ?", [entry_id]).fetchone()
    if row is None:
        raise NotFound(f"no change #{entry_id} in the history", remedy="`cuesheet history` lists them")
    return _entry(row)


# --- undo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undone:
    undone: Entry
    entry_id: int  # the new history entry that records the undo
    rows: int
    forced: bool = False
    conflicts: list[str] = field(default_factory=list)


def last_undoable(conn: sqlite3.Connection) -> Entry:
    """The latest change still in effect that is not itself an undo: what plain `undo` reverses."""
    row = conn.execute(
        _SELECT + " WHERE h.undone_by IS NULL AND h.undo_of IS NULL ORDER BY h.id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise NotFound("nothing to undo", remedy="`cuesheet history` lists the changes")
    return _entry(row)


def _current(conn: sqlite3.Connection, table: str, rowid: int, keys: list[str],
             present: set[str]) -> dict[str, Any] | None:
    cols = [k for k in keys if k in present]
    row = conn.execute(f"SELECT {_image(cols, table)} FROM main.{table} WHERE rowid = ?", [rowid]).fetchone()
    return json.loads(row[0]) if row else None


def undo(
    conn: sqlite3.Connection, entry_id: int | None, curator: str, *, force: bool = False
) -> Undone:
    """Put every row a change touched back as it was before it, in one transaction.

    Refused when a row has changed since (a later change, or a program that
    wrote without recording): undoing would silently throw that work away.
    `force` restores anyway.
    """
    with recorded(conn, "undo", curator) as change:
        target = get(conn, entry_id) if entry_id is not None else last_undoable(conn)
        if target.undone_by is not None:
            raise CuesheetError(
                f"change #{target.id} was already undone by #{target.undone_by}",
                remedy=f"`cuesheet undo {target.undone_by}` redoes it",
            )
        final: dict[tuple[str, int], dict[str, Any] | None] = {}
        for ch in target.changes:
            final[(ch["table"], ch["rowid"])] = ch["after"]
        conflicts = []
        columns = {t: _columns(conn, t) for t in {ch["table"] for ch in target.changes}}
        for (table, rowid), after in final.items():
            keys = list((after or {}).keys()) or columns[table]
            now = _current(conn, table, rowid, keys, set(columns[table]))
            if now != after:
                conflicts.append(_describe(table, rowid, after, now))
        if conflicts and not force:
            later = _later_touching(conn, target)
            hint = (f"undo {', '.join(f'#{i}' for i in later)} first" if later
                    else "it was changed outside the history")
            raise CuesheetError(
                f"cannot undo #{target.id}: {len(conflicts)} row(s) changed since ({conflicts[0]})",
                remedy=f"{hint}, or pass --force to restore the old rows anyway",
            )
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for ch in reversed(target.changes):
            _restore(conn, ch["table"], ch["rowid"], ch["before"], set(columns[ch["table"]]))
        change.summary = f"undo #{target.id}: {target.summary}"
        change.show_id, change.episode_id = target.show_id, target.episode_id
    if change.id is None:
        raise CuesheetError(f"undoing #{target.id} changed nothing")
    with db.transaction(conn):
        conn.execute("UPDATE history SET undo_of = ? WHERE id = ?", [target.id, change.id])
        conn.execute("UPDATE history SET undone_by = ? WHERE id = ?", [change.id, target.id])
        if target.undo_of is not None:
            # Undoing an undo redoes the original: it is in effect again.
            conn.execute("UPDATE history SET undone_by = NULL WHERE id = ?", [target.undo_of])
    return Undone(target, change.id, change.rows, forced=bool(conflicts), conflicts=conflicts)


def _restore(conn: sqlite3.Connection, table: str, rowid: int, before: dict[str, Any] | None,
             present: set[str]) -> None:
    if before is None:
        conn.execute(f"DELETE FROM main.{table} WHERE rowid = ?", [rowid])
        return
    cols = [c for c in before if c in present]
    exists = conn.execute(f"SELECT 1 FROM main.{table} WHERE rowid = ?", [rowid]).fetchone()
    if exists:
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        conn.execute(f"UPDATE main.{table} SET {sets} WHERE rowid = ?", [*(before[c] for c in cols), rowid])
    else:
        names = ", ".join(['rowid', *(f'"{c}"' for c in cols)])
        marks = ", ".join("?" * (len(cols) + 1))
        conn.execute(f"INSERT INTO main.{table} ({names}) VALUES ({marks})", [rowid, *(before[c] for c in cols)])


def _later_touching(conn: sqlite3.Connection, target: Entry) -> list[int]:
    rows = {(ch["table"], ch["rowid"]) for ch in target.changes}
    later = []
    for entry_id, changes, undone_by in conn.execute(
        "SELECT id, changes, undone_by FROM history WHERE id > ? ORDER BY id DESC", [target.id]
    ):
        if undone_by is not None:
            continue
        if any((ch["table"], ch["rowid"]) in rows for ch in json.loads(changes)):
            later.append(entry_id)
    return later


def _describe(table: str, rowid: int, expected: dict[str, Any] | None, now: dict[str, Any] | None) -> str:
    if now is None:
        return f"{table} row {rowid} is gone"
    if expected is None:
        return f"{table} row {rowid} was added again"
    fields = [k for k in expected if expected.get(k) != now.get(k)]
    return f"{table} row {rowid}: {', '.join(fields)}"


def net(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One change per row, from its first image to its last: what a person wants to read
    (the raw list, with a renumber's parking steps, is what undo replays)."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for ch in changes:
        key = (ch["table"], ch["rowid"])
        if key in rows:
            rows[key]["after"] = ch["after"]
        else:
            rows[key] = dict(ch)
    return [ch for ch in rows.values() if ch["before"] != ch["after"]]


def diff(change: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields one row change altered: {field: (before, after)}."""
    before, after = change["before"] or {}, change["after"] or {}
    return {k: (before.get(k), after.get(k)) for k in {**before, **after} if before.get(k) != after.get(k)}
