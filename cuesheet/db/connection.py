"""The database: where it is and how it is opened (read-write and migrated, or read-only).

Every read-write connection runs the migrations that are missing (`db.migrations`),
so an old `cues.sqlite` upgrades in place the first time a newer cuesheet opens it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from cuesheet.db.migrations import MIGRATIONS, applied_migrations, migrate, pending_migrations
from cuesheet.db.transactions import _retry_busy, busy_message, error_text, is_busy
from cuesheet.errors import CuesheetError
from cuesheet.notation.plural import plural
from cuesheet.db.transactions import busy_timeout_ms

if TYPE_CHECKING:  # imported in connect(): the viewer's read path opens plain sqlite3 (issue #13)
    import sqlite_utils

DEFAULT_DB = "cues.sqlite"
ENV_DB = "CUESHEET_DB"


def resolve_path(db: str | os.PathLike[str] | None) -> Path:
    """--db beats CUESHEET_DB beats ./cues.sqlite; each checked (files/read.py: env, check_path)
    so a 300-character name or a value with control characters is one plain line."""
    from cuesheet.notation.limits import check_path, env

    if db:
        return check_path(Path(db), "--db")
    value = env(ENV_DB)
    if value:
        return check_path(Path(value), ENV_DB)
    return Path(DEFAULT_DB)


def connect(path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False) -> sqlite_utils.Database:
    """open_connection() wrapped for sqlite-utils (imported here: the viewer's read path skips it)."""
    conn = open_connection(path, create=create, readonly=readonly)
    import sqlite_utils

    return sqlite_utils.Database(conn)


def open_connection(path: str | os.PathLike[str], *, create: bool = False,
                    readonly: bool = False) -> sqlite3.Connection:
    """Open a cuesheet database: read-write (migrated in place) or read-only (never changed).

    A missing file is a user mistake unless `create` is set: opening it would
    silently make an empty database and every question would answer "nothing".
    A file that is some other program's SQLite database is refused before
    anything is written to it (no tables of ours, no WAL switch).
    Read-only connections never migrate and never change the journal mode, so
    viewers can read a database on read-only media or one another user owns.
    """
    p = Path(path)
    memory = str(p) == ":memory:"
    if not create and not memory and not p.exists():
        raise CuesheetError(
            f"no database at {p}",
            remedy="run `cuesheet build` to build it from data/, or pass --db PATH / set CUESHEET_DB",
        )
    if not memory and p.exists() and not p.is_file():
        raise CuesheetError(f"{p} is not a database file", remedy="pass --db PATH to a cuesheet database")
    try:
        conn = _open_readonly(p) if readonly else _open_readwrite(p)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # UnicodeDecodeError: sqlite3 could not even decode the error text of a damaged file.
        raise open_error(p, exc, "open") from None
    try:
        _refuse_foreign(conn, p)
        if not readonly:
            def upgrade() -> None:
                # Switching to WAL is itself a write: only for a file that is ours (checked above).
                if not memory:
                    conn.execute("PRAGMA journal_mode = WAL").fetchall()
                migrate(conn)

            _retry_busy(conn, upgrade)
        else:
            pending = pending_migrations(conn)
            if pending:
                empty = not applied_migrations(conn)
                raise CuesheetError(
                    f"database {p} is empty" if empty
                    else f"database {p} needs upgrading ({len(pending)} migrations)",
                    remedy="run `cuesheet build` to build it" if empty
                    else f"run `cuesheet upgrade --db {p}` once (viewers open it read-only and never change it)",
                )
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        conn.close()
        if is_busy(exc):
            raise CuesheetError(busy_message(p)) from None
        if "readonly" in error_text(exc) or "read-only" in error_text(exc):
            raise CuesheetError(f"{p} is read-only and this command writes to it",
                                remedy="commands that only read (shows, what, search, check, export, identify, "
                                       "catalog search, cue list, dump) can still read it") from None
        raise open_error(p, exc, "read" if readonly else "open") from None
    except BaseException:
        conn.close()
        raise
    return conn


def open_error(p: Path, exc: BaseException, verb: str) -> CuesheetError:
    """Why `p` could not be opened: a full disk or a failing device is said as such; only an
    error about the file's content asks whether it is a cuesheet database at all."""
    text = error_text(exc)
    lower = text.lower()
    if "disk is full" in lower or "disk i/o" in lower or "unable to open" in lower or "out of memory" in lower:
        remedy = ("free some space on that disk; the database is unchanged" if "full" in lower
                  else "check the disk has space and its folder can be written; the database is unchanged")
        return CuesheetError(f"cannot {verb} {p}: {text}", remedy=remedy)
    return CuesheetError(f"cannot {verb} {p}: {text}", remedy=_NOT_OURS_REMEDY)


_NOT_OURS_REMEDY = "is it a cuesheet database? `cuesheet build` makes one; pass --db PATH to pick another"


def _open_readwrite(p: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are ours (transaction() below),
    # never opened behind our back by the sqlite3 module.
    conn = sqlite3.connect(str(p), check_same_thread=False, isolation_level=None)
    _settings(conn)
    return conn


def _open_readonly(p: Path) -> sqlite3.Connection:
    """mode=ro first; on read-only media (no -shm can be made beside a WAL file) immutable=1.

    immutable=1 tells SQLite the file cannot change while open, so it takes no
    locks and needs no -shm; right for a CD-ROM or a read-only mount, where no
    writer can exist.
    """
    if str(p) == ":memory:":
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _settings(conn)
        return conn
    uri = p.resolve().as_uri()
    last: sqlite3.DatabaseError | None = None
    for query in ("mode=ro", "immutable=1"):
        conn = sqlite3.connect(f"{uri}?{query}", uri=True, check_same_thread=False, isolation_level=None)
        try:
            _settings(conn)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
            if is_busy(exc):
                raise
        except BaseException:
            conn.close()
            raise
    assert last is not None
    raise last


# Pages read through a memory map instead of a read() call and a copy each: the word index's
# pages are most of what a catalog lookup touches (about 7 % of identify's time at 1 M rows).
MMAP_BYTES = 1 << 30


def _settings(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}").fetchall()


def is_ours(conn: sqlite3.Connection) -> bool:
    """A cuesheet database (our first migration recorded) or an empty one we may fill."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
    if not tables:
        return True
    return "m001_initial" in applied_migrations(conn)


def unknown_migrations(conn: sqlite3.Connection) -> list[str]:
    """Migrations recorded in the database that this cuesheet does not have: a newer cuesheet
    made or upgraded it, and this one would misread or (build) destroy what it added."""
    known = {m.name for m in MIGRATIONS}
    return sorted(applied_migrations(conn) - known)


def newer_error(p: Path, unknown: list[str]) -> CuesheetError:
    return CuesheetError(
        f"{p} was made by a newer cuesheet (its schema has {plural(len(unknown), 'migration')} this "
        f"version lacks: {', '.join(unknown[:3])}{', ...' if len(unknown) > 3 else ''}); nothing was changed",
        remedy="use the newer cuesheet that made it, or upgrade this one with pip install -U cuesheet")


def _refuse_foreign(conn: sqlite3.Connection, p: Path) -> None:
    unknown = unknown_migrations(conn)
    if unknown:
        raise newer_error(p, unknown)
    if not is_ours(conn):
        raise CuesheetError(
            f"{p} is not a cuesheet database (it has tables but no cuesheet migrations record); "
            "nothing was changed",
            remedy="pass --db PATH to a cuesheet database, or `cuesheet build --db NEW.sqlite` to make one",
        )


def upgrade(path: str | os.PathLike[str]) -> list[str]:
    """`cuesheet upgrade`: apply the missing migrations to an existing cuesheet database."""
    p = Path(path)
    try:
        connect(p, readonly=True).conn.close()
        return []
    except CuesheetError:
        pass  # needs upgrading (or is missing/foreign: the read-write open below says so)
    conn = sqlite3.connect(str(p), isolation_level=None) if p.exists() else None
    try:
        before = applied_migrations(conn) if conn is not None else set()
    except sqlite3.DatabaseError:
        before = set()
    finally:
        if conn is not None:
            conn.close()
    database = connect(p)
    database.conn.close()
    return [m.name for m in MIGRATIONS if m.name not in before]
