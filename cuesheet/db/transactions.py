"""Writing safely: one operation, one transaction, and who holds the write lock when it is busy.

Every writer in cuesheet goes through `transaction`: BEGIN IMMEDIATE takes the lock
up front, a busy database is waited for by short polls, and a writer that waited the
whole timeout is told which process holds the lock.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesheet.errors import CuesheetError, DatabaseBusy

# Curators may run two processes at once (issue: two curators); a writer waits
# this long for the other's transaction instead of failing at once.
BUSY_TIMEOUT_MS = 10_000
# Tests of the busy message set this low rather than wait ten seconds.
ENV_BUSY_TIMEOUT = "CUESHEET_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    raw = os.environ.get(ENV_BUSY_TIMEOUT, "")[:10]
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 600_000 else BUSY_TIMEOUT_MS


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
    return DatabaseBusy(busy_message(path))


def busy_error(conn: sqlite3.Connection) -> CuesheetError:
    """"database is locked", said usefully: what holds the lock (when it left a note) and what to do."""
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
        return DatabaseBusy(f"the database is busy: {note['what']} (pid {note['pid']}) has held it "
                             f"since {note['since']}", remedy=str(note["remedy"]))
    return DatabaseBusy(
        f"the database is busy: another program has been writing it for over {BUSY_TIMEOUT_MS // 1000} s",
        remedy="run the command again in a moment; if it stays busy, look for another cuesheet command "
               "(or sqlite3 session) still open on this database")


# --- the schema ---------------------------------------------------------------

# The text a viewer searches for one cue: its songs (as entered, as identified,
# and the linked recording), performers, scene and episode titles. The FTS
