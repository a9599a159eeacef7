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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cuesheet.db import search_index
from cuesheet.db.crashpoints import checkpoint
from cuesheet.db.transactions import before_commit, transaction
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.model import MatchStatus
from cuesheet.notation.plural import plural

# The tables that hold a curator's work. Caches and the catalog import log are
# not curator changes; the FTS index follows its tables by its own triggers.
TRACKED = (
    "shows", "show_aliases", "sources", "characters", "episodes", "episode_aliases",
    "recordings", "cues", "cue_songs", "cue_performers", "claims", "match_candidates",
    "song_searches", "episode_sources",
    "song_id_claims",  # #20: a source's claim that a recording id is this song
    "cue_results",  # #20: who won a lip sync, who went home
    "claimed_tracks",  # #20: what a claimed id is (`catalog claims`), so undo takes an import back
    "imported_files",  # #17: undoing a `cue import` forgets its file too, so it may be imported again
)
# Columns a program stamps as it works (when a song was last matched, when a row was
# made): a later change to them alone is not work an undo would throw away.
BOOKKEEPING = frozenset({"matched_at", "created_at", "added_at", "works_checked_at"})
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

    Nested use joins the outer operation's entry, as transaction joins its
    transaction.
    """
    change = Change(action=action, curator=curator)
    if conn.in_transaction and _recording(conn):
        yield change
        return
    with transaction(conn):
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


@contextmanager
def recorded_around(
    conn: sqlite3.Connection, action: str, curator: str,
    summarize: Any = None,
) -> Iterator[Change]:
    """Record library code that opens its own transaction (`match` searches first, then
    writes), as one history entry written inside that transaction, just before it commits.

    `summarize(changes)` gives the summary from the rows changed, since the entry is
    written before the code returns. A second transaction inside is not recorded.
    """
    change = Change(action=action, curator=curator)
    if conn.in_transaction:
        raise RuntimeError("recorded_around runs outside a transaction")
    _install(conn)

    def finish() -> None:
        changes = _collect(conn)
        _uninstall(conn)
        change.rows = len(changes)
        if changes:
            summary = summarize(changes) if summarize else action
            cur = conn.execute(
                """INSERT INTO history (at, curator, action, summary, show_id, episode_id, changes)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [_now(), change.curator, change.action, summary, change.show_id, change.episode_id,
                 json.dumps(changes, ensure_ascii=False)],
            )
            change.id = int(cur.lastrowid)
            change.summary = summary

    before_commit(conn, finish)
    try:
        yield change
    finally:
        before_commit(conn, None)
        _uninstall(conn)


def record_added(conn: sqlite3.Connection, action: str, curator: str, summary: str, table: str,
                 first: int, last: int) -> int:
    """A change that added rows `first`..`last` of `table` (a catalog import of any size): one
    entry naming the range, written in the caller's transaction. `undo` expands it into the
    rows themselves."""
    change = {"table": table, "rowid": first, "last": last, "before": None, "after": None, "added": True}
    cur = conn.execute(
        "INSERT INTO history (at, curator, action, summary, changes) VALUES (?, ?, ?, ?, ?)",
        [_now(), curator, action, summary, json.dumps([change])])
    return int(cur.lastrowid)


def _expand(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ranges of added rows (`record_added`) as one change per row still there, with its image now."""
    if not any(ch.get("added") for ch in changes):
        return changes
    out = []
    for ch in changes:
        if not ch.get("added"):
            out.append(ch)
            continue
        cols = _columns(conn, ch["table"])
        for rowid, image in conn.execute(
            f"SELECT rowid, {_image(cols, ch['table'])} FROM main.{ch['table']} WHERE rowid BETWEEN ? AND ?",
            [ch["rowid"], ch["last"]],
        ):
            out.append({"table": ch["table"], "rowid": rowid, "before": None, "after": json.loads(image)})
    return out


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
    conn: sqlite3.Connection, entry_id: int | None, curator: str, *, force: bool = False,
    cue_id: int | None = None, keep_later: bool = False,
) -> Undone:
    """Put every row a change touched back as it was before it, in one transaction.

    Refused when a row has changed since (a later change, or a program that
    wrote without recording): undoing would silently throw that work away.
    Refused too when a row it would remove is still needed: a recording a
    later change linked another song to, or any row another one refers to.
    `force` restores anyway; songs that lose their recording go back to the
    matcher ('unmatched') instead of claiming a link they no longer have.

    `cue_id`: undo only that cue's rows of a larger change (one cue of an import).

    Rows the change added that later work stands on (an episode an import created, then a
    cue added to it) are never removed with that work: the undo is refused naming the later
    changes, or, with `keep_later`, those rows stay and only the rest is taken back.
    """
    # One transaction for the rows, the new entry and both entries' links: a kill between
    # them would leave rows restored while history says the change is still in effect.
    with transaction(conn):
        with recorded(conn, "undo", curator) as change:
            target = get(conn, entry_id) if entry_id is not None else last_undoable(conn)
            if target.undone_by is not None:
                raise CuesheetError(
                    f"change #{target.id} was already undone by #{target.undone_by}",
                    remedy=f"`cuesheet undo {target.undone_by}` redoes it",
                )
            changes = _expand(conn, target.changes) if cue_id is None else _cue_rows(target.changes, cue_id)
            if not changes:
                raise NotFound(f"change #{target.id} did not touch that cue",
                               remedy=f"`cuesheet history --id {target.id}` shows what it changed")
            kept = _later_work(conn, target, changes, keep_later)
            if kept:
                changes = [ch for ch in changes if (ch["table"], ch["rowid"]) not in kept]
            final: dict[tuple[str, int], dict[str, Any] | None] = {}
            for ch in changes:
                final[(ch["table"], ch["rowid"])] = ch["after"]
            conflicts = []
            columns = {t: _columns(conn, t) for t in {ch["table"] for ch in changes}}
            for (table, rowid), after in final.items():
                present = set(columns[table])
                keys = [k for k in (after or columns[table]) if k not in BOOKKEEPING and k in present]
                now = _current(conn, table, rowid, keys, present)
                if now != ({k: after[k] for k in keys} if after is not None else None):
                    conflicts.append(_describe(table, rowid, after, now))
            if conflicts and not force:
                later = _later_touching(conn, target)
                hint = (f"undo {', '.join(f'#{i}' for i in later)} first" if later
                        else "it was changed outside the history")
                raise CuesheetError(
                    f"cannot undo #{target.id}: {plural(len(conflicts), 'row')} changed since ({conflicts[0]})",
                    remedy=f"{hint}, or pass --force to restore the old rows anyway",
                )
            linked = _links_to_removed(conn, changes)
            conn.execute("PRAGMA defer_foreign_keys = ON")
            with search_index.deferred(conn):  # one refresh of the cues touched, not one per row
                for ch in reversed(changes):
                    _restore(conn, ch["table"], ch["rowid"], ch["before"], set(columns[ch["table"]]))
            orphans = _orphaned(conn, linked)
            dangling = _dangling(conn)
            if (orphans or dangling) and not force:
                what = [f"song #{sid} ({where}) is linked to {rec}" + (f" by #{by}" if by else "")
                        for sid, where, rec, by in orphans] + dangling
                later = sorted({by for *_, by in orphans if by}, reverse=True)
                raise CuesheetError(
                    f"cannot undo #{target.id}: it removes rows still in use: {'; '.join(what)}",
                    remedy=(f"undo {', '.join(f'#{i}' for i in later)} first, or " if later else "")
                    + "pass --force to undo anyway (those songs go back to the matcher)",
                )
            if orphans:
                conn.executemany(
                    "UPDATE cue_songs SET match_status = ?, match_score = NULL WHERE id = ?",
                    [(MatchStatus.UNMATCHED, sid) for sid, *_ in orphans])
                conflicts += [f"song #{sid} lost its recording {rec}; it is unmatched again"
                              for sid, _, rec, _ in orphans]
            if dangling:
                raise CuesheetError(f"cannot undo #{target.id}: {dangling[0]}",
                                    remedy="undo the later changes that use those rows first")
            part = "" if cue_id is None else " (one cue)"
            if kept:
                part += f" (kept {', '.join(sorted({_row_name(conn, t, r) for t, r in kept}))}: later work uses it)"
            change.summary = f"undo #{target.id}{part}: {target.summary}"
            change.show_id, change.episode_id = target.show_id, target.episode_id
        if change.id is None:
            raise CuesheetError(f"undoing #{target.id} changed nothing")
        checkpoint("undo-restored")  # rows restored, the new entry written, the links not yet
        if cue_id is None:
            conn.execute("UPDATE history SET undo_of = ? WHERE id = ?", [target.id, change.id])
            conn.execute("UPDATE history SET undone_by = ? WHERE id = ?", [change.id, target.id])
            if target.undo_of is not None:
                # Undoing an undo redoes the original: it is in effect again.
                conn.execute("UPDATE history SET undone_by = NULL WHERE id = ?", [target.undo_of])
        checkpoint("undo-linked")
    return Undone(target, change.id, change.rows, forced=bool(conflicts), conflicts=conflicts)


def cue_in_change(conn: sqlite3.Connection, entry_id: int | None, number: int,
                  find_episode: Callable[[str], Any]) -> int:
    """The id of cue `number` of an episode as the change left it. `find_episode(show_slug)`
    resolves the episode the curator named within the change's show (the caller's resolver:
    history sits below the viewer and does not read user text)."""
    target = get(conn, entry_id) if entry_id is not None else last_undoable(conn)
    if target.show_id is None:
        raise CuesheetError(f"change #{target.id} names no show", remedy="undo the whole change")
    slug = conn.execute("SELECT slug FROM shows WHERE id = ?", [target.show_id]).fetchone()
    if slug is None:
        raise NotFound(f"the show of change #{target.id} is gone", remedy="undo the whole change")
    ep = find_episode(slug[0])
    for ch in target.changes:
        img = ch["after"] or ch["before"] or {}
        if ch["table"] == "cues" and img.get("episode_id") == ep.id and img.get("number") == number:
            return int(ch["rowid"])
    raise NotFound(f"change #{target.id} did not touch {ep.show.name} {ep.code} cue {number}",
                   remedy=f"`cuesheet history --id {target.id}` shows what it changed")


def _cue_rows(changes: list[dict[str, Any]], cue_id: int) -> list[dict[str, Any]]:
    """The row changes that belong to one cue: the cue, its songs, performers, claims and
    candidates (recordings stay: other cues may use them)."""
    def image(ch: dict[str, Any]) -> dict[str, Any]:
        return ch["after"] or ch["before"] or {}

    songs = {ch["rowid"] for ch in changes if ch["table"] == "cue_songs" and image(ch).get("cue_id") == cue_id}
    out = []
    for ch in changes:
        t, img = ch["table"], image(ch)
        if ((t == "cues" and ch["rowid"] == cue_id)
                or (t in ("cue_songs", "cue_performers", "claims") and img.get("cue_id") == cue_id)
                or (t in ("match_candidates", "song_searches") and img.get("cue_song_id") in songs)):
            out.append(ch)
    return out


# Parents whose loss is handled row by row elsewhere: a song losing its recording goes back
# to the matcher (`_orphaned`); these are never "later work standing on" the change.
_SHARED_PARENTS = frozenset({"recordings"})


def _later_work(conn: sqlite3.Connection, target: Entry, changes: list[dict[str, Any]],
                keep: bool) -> set[tuple[str, int]]:
    """The rows the change added that rows outside it now refer to (a cue added since to an
    episode the change created). Refuses, naming the later changes, unless `keep`: then these
    rows (and whatever they stand on in the change) are what the undo leaves in place."""
    first: dict[tuple[str, int], Any] = {}
    last: dict[tuple[str, int], Any] = {}
    for ch in changes:
        first.setdefault((ch["table"], ch["rowid"]), ch["before"])
        last[(ch["table"], ch["rowid"])] = ch["after"]
    own = set(first)
    added: dict[str, set[int]] = {}
    for (table, rowid), before in first.items():
        if before is None and last[(table, rowid)] is not None and table not in _SHARED_PARENTS:
            added.setdefault(table, set()).add(rowid)
    if not added:
        return set()
    users: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for child in _tables(conn):
        for fk in conn.execute(f"PRAGMA main.foreign_key_list({child})").fetchall():
            parent, column = fk[2], fk[3]
            ids = sorted(added.get(parent, ()))
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                for rowid, pid in conn.execute(
                    f'SELECT rowid, "{column}" FROM main.{child} WHERE "{column}" IN ({",".join("?" * len(part))})',
                    part,
                ):
                    if (child, rowid) not in own:
                        users.setdefault((parent, pid), []).append((child, rowid))
    if not users:
        return set()
    if keep:
        return _with_ancestors(conn, set(users), own)
    later = _added_by(conn, target.id, {row for rows in users.values() for row in rows})
    parent, used = next(iter(users.items()))
    what = f"{_row_name(conn, *parent)} has later work ({_row_name(conn, *used[0])}"
    what += f" and {plural(sum(map(len, users.values())) - 1, 'more row')})" if sum(map(len, users.values())) > 1 else ")"
    by = f"undo {', '.join(f'#{i}' for i in later)} first, or " if later else ""
    raise CuesheetError(
        f"cannot undo #{target.id}: {what}" + (f", added by {', '.join(f'#{i}' for i in later)}" if later else ""),
        remedy=f"{by}`cuesheet undo {target.id} --keep-later` takes back only what is still #{target.id}'s")


def _with_ancestors(conn: sqlite3.Connection, rows: set[tuple[str, int]],
                    own: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Rows to keep, with the rows of the change they refer to (a kept cue keeps its episode)."""
    out, todo = set(), list(rows)
    while todo:
        table, rowid = todo.pop()
        if (table, rowid) in out:
            continue
        out.add((table, rowid))
        for fk in conn.execute(f"PRAGMA main.foreign_key_list({table})").fetchall():
            row = conn.execute(f'SELECT "{fk[3]}" FROM main.{table} WHERE rowid = ?', [rowid]).fetchone()
            if row and row[0] is not None and (fk[2], row[0]) in own:
                todo.append((fk[2], row[0]))
    return out


def _added_by(conn: sqlite3.Connection, after_id: int, rows: set[tuple[str, int]]) -> list[int]:
    """The changes after `after_id`, still in effect, that added any of these rows."""
    out = []
    for entry_id, changes in conn.execute(
        "SELECT id, changes FROM history WHERE id > ? AND undone_by IS NULL ORDER BY id DESC", [after_id]
    ):
        if any(ch["before"] is None and (ch["table"], ch["rowid"]) in rows for ch in json.loads(changes)):
            out.append(int(entry_id))
    return out


def _row_name(conn: sqlite3.Connection, table: str, rowid: int) -> str:
    """A row as a curator knows it: S01E11, S01E11 cue 2, else table and row."""
    if table == "episodes":
        row = conn.execute("SELECT season, number FROM episodes WHERE id = ?", [rowid]).fetchone()
        if row:
            return f"S{row[0]:02d}E{row[1]:02d}"
    if table == "cues":
        row = conn.execute("SELECT e.season, e.number, c.number FROM cues c JOIN episodes e ON e.id = c.episode_id"
                           " WHERE c.id = ?", [rowid]).fetchone()
        if row:
            return f"S{row[0]:02d}E{row[1]:02d} cue {row[2]}"
    if table == "cue_songs":
        row = conn.execute("SELECT cue_id, position FROM cue_songs WHERE id = ?", [rowid]).fetchone()
        if row:
            return f"{_row_name(conn, 'cues', row[0])} song {row[1]}"
    return f"{table} row {rowid}"


def _links_to_removed(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> dict[int, int]:
    """Songs now linked to a recording the undo will remove: song id -> recording id."""
    removed = [ch["rowid"] for ch in changes if ch["table"] == "recordings" and ch["before"] is None]
    if not removed:
        return {}
    marks = ",".join("?" * len(removed))
    return dict(conn.execute(
        f"SELECT id, recording_id FROM cue_songs WHERE recording_id IN ({marks})", removed).fetchall())


def _orphaned(conn: sqlite3.Connection, linked: dict[int, int]) -> list[tuple[int, str, str, int | None]]:
    """Of those songs, the ones the undo left claiming a link ('accepted'/'curated') without a
    recording: (song id, where it plays, the recording, the change that linked it)."""
    out = []
    for song_id, rec_id in linked.items():
        row = conn.execute(
            """SELECT s.recording_id, s.match_status, sh.name, e.season, e.number, c.number
                 FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
                 JOIN shows sh ON sh.id = e.show_id WHERE s.id = ?""", [song_id]).fetchone()
        if row is None or row[0] is not None or row[1] not in (MatchStatus.ACCEPTED, MatchStatus.CURATED):
            continue
        where = f"{row[2]} S{row[3]:02d}E{row[4]:02d} cue {row[5]}"
        out.append((song_id, where, f"recording #{rec_id}", _linked_by(conn, song_id, rec_id)))
    return out


def _linked_by(conn: sqlite3.Connection, song_id: int, rec_id: int) -> int | None:
    for entry_id, changes in conn.execute(
        "SELECT id, changes FROM history WHERE undone_by IS NULL ORDER BY id DESC"
    ):
        for ch in json.loads(changes):
            if (ch["table"] == "cue_songs" and ch["rowid"] == song_id and ch["after"]
                    and ch["after"].get("recording_id") == rec_id):
                return int(entry_id)
    return None


def _dangling(conn: sqlite3.Connection) -> list[str]:
    """Rows that would refer to a row the undo removed (checked before the deferred keys are)."""
    out = []
    for child in _tables(conn):  # the curator's tables only: the catalog's may be millions of rows
        out += [f"{table} row {rowid} refers to a removed {parent} row"
                for table, rowid, parent, _ in conn.execute(f"PRAGMA main.foreign_key_check({child})")]
    return out


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
        if table == "recordings":  # the word index has no insert trigger (importer.index_recordings)
            conn.execute("INSERT INTO recording_fts (rowid, title_key, artist_key)"
                         " SELECT id, title_key, artist_key FROM recordings WHERE id = ?", [rowid])


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
    fields = [k for k in expected if k in now and expected.get(k) != now.get(k)]
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
