"""The database: where it is, how it is opened, and its schema as numbered migrations.

Every connection runs the migrations that are missing, so an old `cues.sqlite`
upgrades in place the first time a newer cuesheet opens it. Each migration runs
in its own transaction and records itself in `_migrations`; running them again
does nothing.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cuesheet.errors import CuesheetError
from cuesheet.plural import plural

if TYPE_CHECKING:  # imported in connect(): the viewer's read path opens plain sqlite3 (issue #13)
    import sqlite_utils

DEFAULT_DB = "cues.sqlite"
ENV_DB = "CUESHEET_DB"
# Curators may run two processes at once (issue: two curators); a writer waits
# this long for the other's transaction instead of failing at once.
BUSY_TIMEOUT_MS = 10_000
# Tests of the busy message set this low rather than wait ten seconds.
ENV_BUSY_TIMEOUT = "CUESHEET_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    raw = os.environ.get(ENV_BUSY_TIMEOUT, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 600_000 else BUSY_TIMEOUT_MS

KINDS = ("lip-sync", "mashup", "cast-original", "background", "source")
CONFIDENCES = ("high", "medium", "low")
# 'unknown' (migration m040): a song plays and nobody has identified it; title/artist
# NULL, text '', what was heard in `heard`.
MATCH_STATUSES = ("unmatched", "accepted", "review", "no_match", "curated", "rejected", "unknown")
_MATCH_STATUSES_V1 = MATCH_STATUSES[:-1]  # what m001 created


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]
    # False for a table rebuild: dropping the old table must not cascade to its children.
    # Foreign keys are checked before the migration commits instead.
    foreign_keys: bool = True


MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register a migration; its function name (m001_...) is its record in `_migrations`."""
    MIGRATIONS.append(Migration(fn.__name__, fn))
    return fn


def rebuilding_migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register a migration that rebuilds a table: it runs with foreign keys off (checked at its end)."""
    MIGRATIONS.append(Migration(fn.__name__, fn, foreign_keys=False))
    return fn


def resolve_path(db: str | os.PathLike[str] | None) -> Path:
    """--db beats CUESHEET_DB beats ./cues.sqlite."""
    if db:
        return Path(db)
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env)
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
        raise CuesheetError(f"cannot open {p}: {error_text(exc)}", remedy=_NOT_OURS_REMEDY) from None
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
        raise CuesheetError(f"cannot read {p}: {error_text(exc)}", remedy=_NOT_OURS_REMEDY) from None
    except BaseException:
        conn.close()
        raise
    return conn


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


def _settings(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")


def is_ours(conn: sqlite3.Connection) -> bool:
    """A cuesheet database (our first migration recorded) or an empty one we may fill."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
    if not tables:
        return True
    return "m001_initial" in applied_migrations(conn)


def _refuse_foreign(conn: sqlite3.Connection, p: Path) -> None:
    if not is_ours(conn):
        raise CuesheetError(
            f"{p} is not a cuesheet database (it has tables but no cuesheet migrations record); "
            "nothing was changed",
            remedy="pass --db PATH to a cuesheet database, or `cuesheet build --db NEW.sqlite` to make one",
        )


def error_text(exc: BaseException) -> str:
    """An SQLite error as text, whatever bytes a damaged file put in it."""
    if isinstance(exc, UnicodeDecodeError):
        return "damaged database (its error text is not UTF-8)"
    try:
        text = str(exc)
    except UnicodeDecodeError:
        text = "damaged database (unreadable error text)"
    return text.encode("utf-8", "replace").decode("utf-8")


def is_busy(exc: BaseException) -> bool:
    text = error_text(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


# --- who holds the write lock ----------------------------------------------------------------
#
# SQLite cannot say which process holds a database's write lock, so a writer
# that takes it leaves a note beside the file (`cues.sqlite-holder`: pid,
# command, since when) and removes it when it lets go. A writer that waited
# the whole busy timeout reads the note and says who to wait for. A note
# left by a killed process names a pid that no longer exists and is ignored.


def holder_path(p: Path) -> Path:
    return Path(str(p) + "-holder")


def _db_file(conn: sqlite3.Connection) -> Path | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def _write_holder(p: Path | None) -> None:
    if p is None:
        return
    import json
    import sys
    import time

    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] not in ("", "-c", "-m") else "python"
    if program in ("cuesheet", "__main__.py"):
        command = " ".join(["cuesheet", *[a for a in sys.argv[1:3] if not a.startswith("-")]])
    else:
        command = f"{program} (a program using cuesheet)"
    try:
        holder_path(p).write_text(json.dumps(
            {"pid": os.getpid(), "command": command[:80], "since": time.strftime("%H:%M:%S")}))
    except OSError:
        pass


def _clear_holder(p: Path | None) -> None:
    if p is None:
        return
    try:
        import json

        if json.loads(holder_path(p).read_text()).get("pid") == os.getpid():
            holder_path(p).unlink()
    except (OSError, ValueError):
        pass


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def busy_message(p: Path | None) -> str:
    """"database is locked" with who holds it and what to do."""
    import json

    waited = f"waited {busy_timeout_ms() / 1000:g} s: "
    name = str(p) if p else "the database"
    holder = None
    if p is not None:
        try:
            holder = json.loads(holder_path(p).read_text())
        except (OSError, ValueError):
            holder = None
    if isinstance(holder, dict) and isinstance(holder.get("pid"), int) and pid_alive(holder["pid"]) \
            and holder["pid"] != os.getpid():
        return (f"{waited}{name} is busy: `{holder.get('command', 'cuesheet')}` (pid {holder['pid']}, since "
                f"{holder.get('since', '?')}) holds its write lock; run this again when it has finished, "
                f"or stop it (kill {holder['pid']}); nothing was written")
    return (f"{waited}{name} is busy: another program has been writing it (an sqlite3 shell, a browser "
            "of the file, or an older cuesheet); close it and run this again; nothing was written")


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


def applied_migrations(conn: sqlite3.Connection) -> set[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not exists:
        return set()
    return {row[0] for row in conn.execute("SELECT name FROM _migrations")}


def pending_migrations(conn: sqlite3.Connection) -> list[Migration]:
    done = applied_migrations(conn)
    return [m for m in MIGRATIONS if m.name not in done]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the missing migrations in order; returns the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied = []
    for m in pending_migrations(conn):
        if not m.foreign_keys:
            conn.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with transaction(conn):
                # A second process may have applied it while we waited for the lock.
                if m.name in applied_migrations(conn):
                    continue
                m.apply(conn)
                if not m.foreign_keys:
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise CuesheetError(f"migration {m.name} would break {plural(len(broken), 'reference')}")
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", [m.name]
                )
        finally:
            if not m.foreign_keys:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(m.name)
    return applied


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """executescript() without its implicit COMMIT, so a migration stays atomic."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip().strip(";").strip():
                conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One operation, one transaction: all of it lands or none of it does.

    BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the
    busy timeout instead of one failing half-way with "database is locked".
    Nested use joins the outer transaction.
    """
    if conn.in_transaction:
        yield conn
        return
    path = _db_file(conn)
    try:
        _begin_immediate(conn)
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise _busy(conn, path) from None
        raise
    _write_holder(path)
    try:
        yield conn
        for hook in _BEFORE_COMMIT.pop(id(conn), []):
            hook()
    except BaseException:
        conn.execute("ROLLBACK")
        _clear_holder(path)
        raise
    else:
        try:
            conn.execute("COMMIT")
        finally:
            _clear_holder(path)


def _retry_busy(conn: sqlite3.Connection, work: Callable[[], object], *, pause: tuple[float, float] = (0.001, 0.01),
                timeout_ms: int | None = None) -> None:
    """Run `work` again while SQLite answers "busy", until the connection's busy timeout has passed.

    Two processes opening a freshly built (rollback-journal) database at the same moment
    both hold a read lock and both want the file to themselves to switch it to WAL:
    SQLite breaks that deadlock by failing one at once, without its busy handler. The
    switch and the migrations are idempotent, so the loser simply tries again.
    """
    if timeout_ms is None:
        (timeout_ms,) = conn.execute("PRAGMA busy_timeout").fetchone()
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            work()
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or conn.in_transaction or time.monotonic() >= deadline:
                raise
            time.sleep(random.uniform(*pause))


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to the connection's busy timeout, by polling every few ms.

    SQLite's own busy handler sleeps up to 100 ms between tries; a writer that commits
    and begins again in a loop (a long `cue import`, a script adding cues) takes the lock
    back within microseconds, so a waiting curator could sleep through every gap and fail
    after the timeout (seen with two processes adding 500 cues each). Short jittered
    polls give each waiting writer its turn.
    """
    (timeout_ms,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        _retry_busy(conn, lambda: conn.execute("BEGIN IMMEDIATE"), pause=(0.0005, 0.004), timeout_ms=timeout_ms)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")


# Work to do inside a connection's next transaction, just before it commits (see before_commit).
_BEFORE_COMMIT: dict[int, list[Callable[[], None]]] = {}


def before_commit(conn: sqlite3.Connection, hook: Callable[[], None] | None) -> None:
    """Run `hook` inside this connection's next transaction, just before its COMMIT (None: forget it).

    For a caller that must write in the same transaction as library code that
    opens its own: history records `match`, whose transaction begins only after
    its slow searches, so no write lock is held while a service answers.
    """
    if hook is None:
        _BEFORE_COMMIT.pop(id(conn), None)
    else:
        _BEFORE_COMMIT.setdefault(id(conn), []).append(hook)


# Who holds the write lock, for the message of whoever waits for it (issue #17):
# a long writer (a catalog import's merge) leaves a note beside the database.
WRITER_NOTE = ".writer"


def main_file(conn: sqlite3.Connection) -> str:
    """The path of the connection's main database file ('' in memory)."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""


@contextmanager
def writer_note(conn: sqlite3.Connection, what: str, remedy: str) -> Iterator[None]:
    """Say beside the database what is writing it and what others should do meanwhile."""
    import json

    main = main_file(conn)
    path = Path(main + WRITER_NOTE) if main else None
    if path is not None:
        try:
            path.write_text(json.dumps({"what": what, "remedy": remedy, "pid": os.getpid(),
                                        "since": time.strftime("%H:%M:%S")}), encoding="utf-8")
        except OSError:
            path = None
    try:
        yield
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


def _busy(conn: sqlite3.Connection, path: Path | None) -> CuesheetError:
    """The busy message: a long writer's own note (busy_error, e.g. catalog import) when it left
    one, else the holder note every transaction leaves (busy_message)."""
    theirs = busy_error(conn)
    if "has held it since" in theirs.message:
        return theirs
    return CuesheetError(busy_message(path))


def busy_error(conn: sqlite3.Connection) -> CuesheetError:
    """"database is locked", said usefully: what holds the lock (when it left a note) and what to do."""
    import json

    main = main_file(conn)
    note: dict[str, object] = {}
    try:
        note = json.loads(Path(main + WRITER_NOTE).read_text(encoding="utf-8")) if main else {}
        pid = int(note.get("pid", 0))  # type: ignore[call-overload]
        if pid <= 0:
            raise ValueError(pid)
        os.kill(pid, 0)  # a note left by a killed writer says nothing
    except (OSError, ValueError, TypeError):
        note = {}
    if note:
        return CuesheetError(f"the database is busy: {note['what']} (pid {note['pid']}) has held it "
                             f"since {note['since']}", remedy=str(note["remedy"]))
    return CuesheetError(
        f"the database is busy: another program has been writing it for over {BUSY_TIMEOUT_MS // 1000} s",
        remedy="run the command again in a moment; if it stays busy, look for another cuesheet command "
               "(or sqlite3 session) still open on this database")


# --- the schema ---------------------------------------------------------------

# The text a viewer searches for one cue: its songs (as entered, as identified,
# and the linked recording), performers, scene and episode titles. The FTS
# table below is refreshed from this view by triggers, so the index cannot
# drift from the data whatever program writes it.
_CUE_DOC_VIEW = """
CREATE VIEW cue_doc AS
SELECT
  c.id AS cue_id,
  (SELECT group_concat(coalesce(s.title, '') || ' ' || coalesce(r.title, '') || ' '
                       || coalesce(s.text, '') || ' ' || coalesce(r.album, ''), ' / ')
     FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id
    WHERE s.cue_id = c.id) AS songs,
  (SELECT group_concat(coalesce(s.artist, '') || ' ' || coalesce(r.artist, ''), ' / ')
     FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id
    WHERE s.cue_id = c.id) AS artists,
  (SELECT group_concat(coalesce(p.character, '') || ' ' || coalesce(p.actor, ''), ' / ')
     FROM cue_performers p WHERE p.cue_id = c.id) AS performers,
  coalesce(c.scene, '') AS scene,
  e.title || ' ' || coalesce((SELECT group_concat(alias, ' / ') FROM episode_aliases a
                               WHERE a.episode_id = e.id), '') AS episode
FROM cues c JOIN episodes e ON e.id = c.episode_id
"""


# Migration 5 adds what a curator heard of each song (`cue_songs.heard`) to the scene column.
_CUE_DOC_VIEW_V2 = _CUE_DOC_VIEW.replace(
    "  coalesce(c.scene, '') AS scene,",
    "  coalesce(c.scene, '') || coalesce(' ' || (SELECT group_concat(s.heard, ' / ') FROM cue_songs s\n"
    "                                           WHERE s.cue_id = c.id AND s.heard IS NOT NULL), '') AS scene,",
)


def _refresh(cue_ids_sql: str) -> str:
    return f"""
  DELETE FROM cue_fts WHERE rowid IN ({cue_ids_sql});
  INSERT INTO cue_fts (rowid, songs, artists, performers, scene, episode)
    SELECT cue_id, songs, artists, performers, scene, episode FROM cue_doc
     WHERE cue_id IN ({cue_ids_sql});"""


_FTS_TRIGGERS = {
    "cues_ai": ("AFTER INSERT ON cues", _refresh("NEW.id")),
    "cues_au": ("AFTER UPDATE ON cues", _refresh("NEW.id")),
    "cues_ad": ("AFTER DELETE ON cues", "DELETE FROM cue_fts WHERE rowid = OLD.id;"),
    "cue_songs_ai": ("AFTER INSERT ON cue_songs", _refresh("NEW.cue_id")),
    "cue_songs_au": ("AFTER UPDATE ON cue_songs", _refresh("OLD.cue_id, NEW.cue_id")),
    "cue_songs_ad": ("AFTER DELETE ON cue_songs", _refresh("OLD.cue_id")),
    "cue_performers_ai": ("AFTER INSERT ON cue_performers", _refresh("NEW.cue_id")),
    "cue_performers_au": ("AFTER UPDATE ON cue_performers", _refresh("OLD.cue_id, NEW.cue_id")),
    "cue_performers_ad": ("AFTER DELETE ON cue_performers", _refresh("OLD.cue_id")),
    "episodes_au": (
        "AFTER UPDATE OF title ON episodes",
        _refresh("SELECT id FROM cues WHERE episode_id = NEW.id"),
    ),
    "episode_aliases_ai": (
        "AFTER INSERT ON episode_aliases",
        _refresh("SELECT id FROM cues WHERE episode_id = NEW.episode_id"),
    ),
    "episode_aliases_ad": (
        "AFTER DELETE ON episode_aliases",
        _refresh("SELECT id FROM cues WHERE episode_id = OLD.episode_id"),
    ),
    "recordings_au": (
        "AFTER UPDATE OF title, artist, album ON recordings",
        _refresh("SELECT cue_id FROM cue_songs WHERE recording_id = NEW.id"),
    ),
}


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    confidences = ", ".join(f"'{c}'" for c in CONFIDENCES)
    statuses = ", ".join(f"'{s}'" for s in _MATCH_STATUSES_V1)
    run_script(
        conn,
        f"""
CREATE TABLE shows (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  year INTEGER,
  network TEXT,
  notes TEXT
);
CREATE TABLE show_aliases (
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  PRIMARY KEY (show_id, alias)
);
-- Where facts come from: a dedicated song list, a recap, a review ...
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  show_id INTEGER REFERENCES shows(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  title TEXT,
  url TEXT,
  date TEXT,
  UNIQUE (show_id, key)
);
CREATE TABLE characters (
  id INTEGER PRIMARY KEY,
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  full_name TEXT,
  actor TEXT,
  notes TEXT,
  UNIQUE (show_id, name)
);
CREATE TABLE episodes (
  id INTEGER PRIMARY KEY,
  show_id INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
  season INTEGER NOT NULL CHECK (season >= 1),
  number INTEGER NOT NULL CHECK (number >= 1),
  title TEXT NOT NULL,
  air_date TEXT,
  length_ms INTEGER,
  -- A season is never assumed complete: 1 only when a curator says every cue is known.
  complete INTEGER NOT NULL DEFAULT 0,
  notes TEXT,
  UNIQUE (show_id, season, number)
);
CREATE TABLE episode_aliases (
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  PRIMARY KEY (episode_id, alias)
);
-- Recordings are the local catalog: one row per exact recording (the Chet
-- Baker take, not the Sinatra one), whatever source described it.
CREATE TABLE recordings (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  version TEXT,
  year INTEGER,
  duration_ms INTEGER,
  album TEXT,
  isrc TEXT,
  mbid TEXT,
  spotify_id TEXT,
  links TEXT,           -- JSON object: other listen links by name
  source TEXT NOT NULL DEFAULT 'catalog',
  row_key TEXT UNIQUE,  -- identity of an imported row, so re-imports do not duplicate
  added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX recordings_isrc ON recordings (isrc);
CREATE INDEX recordings_mbid ON recordings (mbid);
CREATE INDEX recordings_spotify_id ON recordings (spotify_id);
CREATE TABLE cues (
  id INTEGER PRIMARY KEY,
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number >= 1),
  -- 1 when the scene order is known; 0 when the number is a source list's order.
  order_confirmed INTEGER NOT NULL DEFAULT 0,
  time_in_ms INTEGER,
  time_out_ms INTEGER,
  fps REAL,
  scene TEXT,
  usage TEXT,
  kind TEXT NOT NULL CHECK (kind IN ({kinds})),
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT,
  UNIQUE (episode_id, number),
  CHECK (time_out_ms IS NULL OR time_in_ms IS NULL OR time_out_ms >= time_in_ms)
);
CREATE TABLE cue_songs (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,       -- the song as entered, messy as it was
  title TEXT,               -- the working identification
  artist TEXT,
  version TEXT,
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT,
  recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  match_status TEXT NOT NULL DEFAULT 'unmatched' CHECK (match_status IN ({statuses})),
  UNIQUE (cue_id, position)
);
CREATE INDEX cue_songs_recording ON cue_songs (recording_id);
CREATE TABLE cue_performers (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  cue_song_id INTEGER REFERENCES cue_songs(id) ON DELETE CASCADE,  -- a mashup part
  position INTEGER NOT NULL,
  character TEXT,
  actor TEXT,
  inferred INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cue_performers_cue ON cue_performers (cue_id);
-- Provenance: each row says "source S states that field F of this cue/song is V".
-- Disagreements are two claims with different values; none is ever dropped.
CREATE TABLE claims (
  id INTEGER PRIMARY KEY,
  cue_id INTEGER NOT NULL REFERENCES cues(id) ON DELETE CASCADE,
  cue_song_id INTEGER REFERENCES cue_songs(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  value TEXT,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  confidence TEXT CHECK (confidence IN ({confidences})),
  notes TEXT
);
CREATE INDEX claims_cue ON claims (cue_id);
CREATE VIEW conflicts AS
  SELECT cue_id, cue_song_id, field, count(DISTINCT lower(value)) AS n_values
    FROM claims GROUP BY cue_id, cue_song_id, field
  HAVING count(DISTINCT lower(value)) > 1;
CREATE VIRTUAL TABLE cue_fts USING fts5 (
  songs, artists, performers, scene, episode,
  tokenize = 'trigram'
);
{_CUE_DOC_VIEW};
"""
    )
    for name, (when, body) in _FTS_TRIGGERS.items():
        conn.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


@migration
def m002_matching(conn: sqlite3.Connection) -> None:
    """The matcher's index over recordings and the review queue's candidates.

    `title_key`/`artist_key` hold `normalize.fold` of title and artist, written
    by Python at insert time (SQLite's own folding knows neither anyascii's
    transliteration nor "ain't" == "aint"). The word index over them narrows a
    million recordings to a few hundred candidates; `recording_terms` gives
    each word's document frequency, so very common words can be left out of a
    query and misspelt ones looked up among the words that exist.
    """
    from cuesheet.normalize import fold

    conn.execute("ALTER TABLE recordings ADD COLUMN title_key TEXT")
    conn.execute("ALTER TABLE recordings ADD COLUMN artist_key TEXT")
    rows = conn.execute("SELECT id, title, artist FROM recordings").fetchall()
    conn.executemany(
        "UPDATE recordings SET title_key = ?, artist_key = ? WHERE id = ?",
        [(fold(title), fold(artist), rid) for rid, title, artist in rows],
    )
    run_script(
        conn,
        """
CREATE VIRTUAL TABLE recording_fts USING fts5 (
  title_key, artist_key,
  content = 'recordings', content_rowid = 'id',
  tokenize = 'unicode61'
);
CREATE VIRTUAL TABLE recording_terms USING fts5vocab (recording_fts, 'row');
-- No insert trigger: inserters call catalog.index_recordings, which indexes a
-- whole batch in one statement (a trigger costs five times as much per row).
CREATE TRIGGER recordings_fts_ad AFTER DELETE ON recordings BEGIN
  INSERT INTO recording_fts (recording_fts, rowid, title_key, artist_key)
    VALUES ('delete', OLD.id, OLD.title_key, OLD.artist_key);
END;
CREATE TRIGGER recordings_fts_au AFTER UPDATE OF title_key, artist_key ON recordings BEGIN
  INSERT INTO recording_fts (recording_fts, rowid, title_key, artist_key)
    VALUES ('delete', OLD.id, OLD.title_key, OLD.artist_key);
  INSERT INTO recording_fts (rowid, title_key, artist_key)
    VALUES (NEW.id, NEW.title_key, NEW.artist_key);
END;
ALTER TABLE cue_songs ADD COLUMN match_score REAL;
ALTER TABLE cue_songs ADD COLUMN matched_at TEXT;
-- Doubtful matches wait here with their candidates, best first, for the review queue.
CREATE TABLE match_candidates (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  rank INTEGER NOT NULL,
  score REAL NOT NULL,
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  album TEXT,
  year INTEGER,
  duration_ms INTEGER,
  version TEXT,
  ids TEXT,       -- JSON object: isrc, mbid, spotify_id
  links TEXT,     -- JSON object
  reasons TEXT,   -- JSON array of strings
  recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (cue_song_id, rank)
);
INSERT INTO recording_fts (recording_fts) VALUES ('rebuild');
"""
    )


@migration
def m003_sources(conn: sqlite3.Connection) -> None:
    """What online sources add to the database: their disagreements and the works behind songs.

    The response cache is not here: it lives in its own file (see cuesheet/cache.py),
    because `build` replaces this one wholesale.

    `recording_claims`: when MusicBrainz, Spotify and the catalog describe the same
    recording (joined by ISRC or id) with different titles, artists, years or ids,
    each value is kept with its source instead of one overwriting the other;
    `recording_conflicts` lists the fields that disagree.
    `works` / `work_credits` / `recording_works`: the compositions a recording
    performs, with composers, lyricists and publishers, for cue-sheet exports.
    """
    roles = "'composer', 'lyricist', 'writer', 'librettist', 'arranger', 'publisher'"
    run_script(
        conn,
        f"""
CREATE TABLE recording_claims (
  id INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  value TEXT,
  source TEXT NOT NULL,      -- 'musicbrainz', 'spotify', 'catalog', 'cue sheet' ...
  source_ref TEXT,           -- that source's id for what it described (MBID, Spotify id)
  added_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (recording_id, field, source, value)
);
CREATE INDEX recording_claims_recording ON recording_claims (recording_id);
CREATE VIEW recording_conflicts AS
  SELECT recording_id, field, count(DISTINCT lower(value)) AS n_values
    FROM recording_claims GROUP BY recording_id, field
  HAVING count(DISTINCT lower(value)) > 1;
CREATE TABLE works (
  id INTEGER PRIMARY KEY,
  mbid TEXT UNIQUE,
  title TEXT NOT NULL,
  iswc TEXT
);
CREATE TABLE work_credits (
  work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ({roles})),
  name TEXT NOT NULL,
  share REAL CHECK (share IS NULL OR (share >= 0 AND share <= 100)),
  society TEXT,              -- ASCAP, BMI, PRS ... where a curator or source knows it
  ipi TEXT,                  -- the party's IPI/CAE number
  mbid TEXT,                 -- the artist's or label's MusicBrainz id
  PRIMARY KEY (work_id, position)
);
CREATE TABLE recording_works (
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
  PRIMARY KEY (recording_id, work_id)
);
CREATE INDEX recording_works_work ON recording_works (work_id);
-- When works were last fetched for a recording: an empty answer is an answer too.
ALTER TABLE recordings ADD COLUMN works_checked_at TEXT;
"""
    )


@migration
def m004_history(conn: sqlite3.Connection) -> None:
    """Every curator change, undoable: who, when, what, and each row before and after.

    `changes` is a JSON list of {"table", "rowid", "before", "after"} row images
    (null for a row that did not exist), in the order the rows changed, so an
    undo replays it backwards. show_id/episode_id are plain numbers, not
    foreign keys: history outlives the rows it describes.
    """
    run_script(
        conn,
        """
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,             -- UTC, ISO 8601
  curator TEXT NOT NULL,
  action TEXT NOT NULL,         -- 'cue add', 'cue edit', 'review accept', 'undo' ...
  summary TEXT NOT NULL,
  show_id INTEGER,
  episode_id INTEGER,
  changes TEXT NOT NULL,
  undo_of INTEGER REFERENCES history(id),
  undone_by INTEGER REFERENCES history(id)
);
CREATE INDEX history_episode ON history (episode_id);
CREATE INDEX history_show ON history (show_id);
""",
    )


@migration
def m005_heard(conn: sqlite3.Connection) -> None:
    """`cue_songs.heard`: a few words a curator noted of a song (a lyric fragment, "female voice, 80s synth").

    It is what viewers half-remember and what an unidentified song is known by, so
    the search index reads it with the scene text. The view is replaced and the
    index refilled; the triggers name the view, so they follow.
    """
    conn.execute("ALTER TABLE cue_songs ADD COLUMN heard TEXT")
    conn.execute("DROP VIEW cue_doc")
    conn.execute(_CUE_DOC_VIEW_V2)
    conn.execute("DELETE FROM cue_fts")
    conn.execute(
        "INSERT INTO cue_fts (rowid, songs, artists, performers, scene, episode)"
        " SELECT cue_id, songs, artists, performers, scene, episode FROM cue_doc"
    )


@migration
def m010_canonical(conn: sqlite3.Connection) -> None:
    """What MusicBrainz's canonical dataset says of a recording beyond title, artist and album.

    `artist_mbids` (comma-separated, in credit order), `release_mbid` (the
    canonical release; its name is `album`) and `mb_score`, MetaBrainz's order of
    canonical releases: *lower* is more canonical (their mapping keeps, for each
    artist+title, the row with the smallest score). The recording MBID is `mbid`.
    """
    run_script(
        conn,
        """
ALTER TABLE recordings ADD COLUMN artist_mbids TEXT;
ALTER TABLE recordings ADD COLUMN release_mbid TEXT;
ALTER TABLE recordings ADD COLUMN mb_score INTEGER;
""",
    )


@migration
def m011_recording_vocab(conn: sqlite3.Connection) -> None:
    """`recording_vocab`: every word of the catalog's index, as a plain table.

    Typo correction looks up the words that share a query word's first two
    letters. Read from the FTS5 vocabulary table that costs a walk over every
    matching word's whole posting list ("th": 95 ms at 3 M rows, since "the" is
    in a third of them); here it is a range scan of a few hundred keys. Words
    are added by whoever indexes recordings (`importer.index_recordings`, the
    importer's merge); a word whose rows are all gone may linger, which costs
    nothing but a suggestion that finds no row.
    """
    conn.execute("CREATE TABLE recording_vocab (term TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("INSERT INTO recording_vocab SELECT term FROM recording_terms")


def _rebuild(conn: sqlite3.Connection, table: str, edit: Callable[[str], str]) -> None:
    """Re-create `table` from its own CREATE statement as `edit` changes it, keeping its rows,
    ids, indexes and triggers and the views over it (SQLite cannot ALTER a CHECK constraint).

    Runs inside the migration's transaction with foreign keys off (see Migration), so
    dropping the old table does not cascade to the rows that refer to it. Read from the
    schema as it is, so columns other migrations added survive.
    """
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    new_sql = edit(sql)
    if new_sql == sql:
        return
    dependents = conn.execute(
        """SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != ?
             AND (tbl_name = ? OR (type = 'view') OR (type = 'trigger'))""", [table, table]).fetchall()
    # Views (and triggers naming them) are dropped and re-made: renaming checks every view.
    views = [(t, n, q) for t, n, q in dependents if t == "view"]
    triggers = [(t, n, q) for t, n, q in dependents if t == "trigger"]
    indexes = [(t, n, q) for t, n, q in dependents if t == "index"]
    for _, name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    for _, name, _ in views:
        conn.execute(f'DROP VIEW "{name}"')
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{table}")'))
    temp = f"_{table}_rebuilt"
    conn.execute(new_sql.replace(f"CREATE TABLE {table}", f'CREATE TABLE "{temp}"', 1))
    conn.execute(f'INSERT INTO "{temp}" ({columns}) SELECT {columns} FROM "{table}"')
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "{temp}" RENAME TO "{table}"')
    for _, _, q in indexes + views + triggers:
        conn.execute(q)


def _widen_status(sql: str) -> str:
    old = ", ".join(f"'{s}'" for s in _MATCH_STATUSES_V1)
    new = ", ".join(f"'{s}'" for s in MATCH_STATUSES)
    if f"IN ({old})" not in sql:
        raise CuesheetError("cue_songs.match_status has an unexpected CHECK; cannot add 'unknown'")
    return sql.replace(f"IN ({old})", f"IN ({new})", 1)


@rebuilding_migration
def m040_unidentified(conn: sqlite3.Connection) -> None:
    """Songs nobody has identified yet, and every search tried for a song.

    `cue_songs.match_status` may be 'unknown': a song plays, no source names it; its
    title and artist are NULL, its text '' and what was heard of it is in `heard`.
    The CHECK constraint is widened by rebuilding the table in this transaction
    (indexes, the search index's triggers and the view they read are re-made).

    `song_searches`: each search a curator ran for a song (query, sources asked,
    when, who, the best candidate), so the next curator does not repeat it.
    """
    _rebuild(conn, "cue_songs", _widen_status)
    run_script(
        conn,
        """
CREATE TABLE song_searches (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  at TEXT NOT NULL,             -- UTC, ISO 8601
  curator TEXT NOT NULL,
  query TEXT NOT NULL,
  sources TEXT NOT NULL,        -- JSON array of the source names asked
  verdict TEXT,                 -- the matcher's verdict: accepted, review, no_match
  best_title TEXT,
  best_artist TEXT,
  best_score REAL,
  candidates INTEGER NOT NULL DEFAULT 0,
  notes TEXT
);
CREATE INDEX song_searches_song ON song_searches (cue_song_id);
""",
    )


@migration
def m041_episode_sources(conn: sqlite3.Connection) -> None:
    """`episode_sources`: the show's sources that state an episode's own facts (that every song
    is listed, its length), as `sources:` in an episode file and `episode set --source`."""
    run_script(
        conn,
        """
CREATE TABLE episode_sources (
  episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  PRIMARY KEY (episode_id, source_id)
);
CREATE INDEX episode_sources_source ON episode_sources (source_id);
""",
    )


@migration
def m050_imported_files(conn: sqlite3.Connection) -> None:
    """The files `cue import` has imported, by content hash.

    A `cue import` killed just after its commit and run again would add every
    unnumbered row a second time; the hash, written in the same transaction as
    the cues, makes the second run refuse (`--again` imports it anyway). The
    table is tracked by history, so `undo` of an import forgets its file.
    """
    run_script(
        conn,
        """
CREATE TABLE imported_files (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,          -- the file's name when it was imported, for the message
  show_id INTEGER,
  imported_at TEXT NOT NULL
);
CREATE INDEX imported_files_sha256 ON imported_files (sha256);
""",
    )


@migration
def m051_build_digests(conn: sqlite3.Connection) -> None:
    """What the files said when `build` made this database: one digest per show and per episode.

    The next `build` compares the database's content with these: an episode that
    no longer matches its digest was changed by a curator after the build, and
    replacing the database would lose that (unless the files now say the same).
    An edit to the files alone changes nothing here, so it never blocks a build.
    """
    conn.execute("CREATE TABLE build_digests (key TEXT PRIMARY KEY, digest TEXT NOT NULL)")


@migration
def m060_song_id_claims(conn: sqlite3.Connection) -> None:
    """`song_id_claims`: a recording id (Spotify track, MusicBrainz recording, ISRC) that a
    source claims for a cue's song, as `id_claims` in an episode file.

    A claim is not a fact: a script's match may be a cover, a karaoke track or another edit,
    so it is kept apart from `recordings` (what cuesheet believes) with the source that
    states it. The claims audit (#20) adds its verdict in a later migration.
    """
    run_script(
        conn,
        """
CREATE TABLE song_id_claims (
  id INTEGER PRIMARY KEY,
  cue_song_id INTEGER NOT NULL REFERENCES cue_songs(id) ON DELETE CASCADE,
  service TEXT NOT NULL,        -- spotify, musicbrainz, isrc
  external_id TEXT NOT NULL,    -- normalised: 22-character Spotify id, lower-case MBID, compact ISRC
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  UNIQUE (cue_song_id, service, external_id, source_id)
);
CREATE INDEX song_id_claims_song ON song_id_claims (cue_song_id);
CREATE INDEX song_id_claims_id ON song_id_claims (service, external_id);
""",
    )
