"""The response cache: every online answer kept in SQLite, so a second run works offline.

Why a file of its own (`responses.sqlite` in the user cache directory) and not a
table in `cues.sqlite`: `cuesheet build` replaces the database file wholesale,
so a cache inside it would be thrown away on every build; one cache serves every
database (the shipped one, a curator's, a test's); and `cache clear` can never
touch curated data. It holds only what the services answered, keyed by source
and the normalised request: no credentials, tokens or headers ever reach it
(`put` refuses a body that contains a configured secret).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cuesheet.errors import CuesheetError

# Bump when the table changes; an older cache file is simply emptied and rebuilt,
# since everything in it can be fetched again.
SCHEMA_VERSION = 1
DAY = 86400.0


@dataclass(frozen=True)
class CacheEntry:
    source: str
    key: str
    body: Any
    fetched_at: float

    def age_days(self, now: float | None = None) -> float:
        return ((now or time.time()) - self.fetched_at) / DAY


@dataclass(frozen=True)
class SourceStats:
    source: str
    entries: int
    fresh: int
    stale: int
    oldest: str | None
    newest: str | None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class CacheStats:
    path: str
    exists: bool
    bytes: int
    ttl_days: float
    sources: tuple[SourceStats, ...]

    @property
    def entries(self) -> int:
        return sum(s.entries for s in self.sources)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "exists": self.exists,
            "bytes": self.bytes,
            "ttl_days": self.ttl_days,
            "entries": self.entries,
            "sources": [s.to_json() for s in self.sources],
        }


def normalise_key(*parts: object) -> str:
    """One request as a cache key: parts joined, whitespace collapsed, case folded.

    The sources build their requests from already-folded text, so this only
    guards against two spellings of the same request filling two rows.
    """
    return " ".join(" ".join(str(p).split()) for p in parts if p is not None and p != "").casefold()


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Cache:
    """Cached responses with a time-to-live; stale entries stay until cleared (offline fallback)."""

    def __init__(self, path: Path | str, *, ttl_days: float = 30.0, secrets: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self.ttl_days = ttl_days
        self._secrets = tuple(s for s in secrets if s)
        self._conn: sqlite3.Connection | None = None

    # The file is opened on first use, so commands that never go online never create it.
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout = 10000")
                if str(self.path) != ":memory:":
                    conn.execute("PRAGMA journal_mode = WAL")
                self._ensure_schema(conn)
            except (OSError, sqlite3.DatabaseError) as exc:
                raise CuesheetError(
                    f"cannot open the response cache {self.path}: {exc}",
                    remedy="set CUESHEET_CACHE_PATH to a writable file, or run `cuesheet cache clear`",
                ) from None
            self._conn = conn
        return self._conn

    @staticmethod
    def _ensure_schema(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DROP TABLE IF EXISTS responses")
            conn.execute(
                """CREATE TABLE responses (
                     source TEXT NOT NULL,
                     key TEXT NOT NULL,
                     body TEXT NOT NULL,          -- the parsed answer as JSON
                     fetched_at REAL NOT NULL,    -- unix time
                     PRIMARY KEY (source, key)
                   ) WITHOUT ROWID"""
            )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def is_fresh(self, entry: CacheEntry, now: float | None = None) -> bool:
        return entry.age_days(now) < self.ttl_days

    def get(self, source: str, key: str) -> CacheEntry | None:
        """The stored answer, fresh or stale; the caller decides whether stale will do."""
        if not self.path.exists() and self._conn is None:
            return None
        row = self._db().execute(
            "SELECT body, fetched_at FROM responses WHERE source = ? AND key = ?", [source, key]
        ).fetchone()
        if row is None:
            return None
        try:
            body = json.loads(row[0])
        except ValueError:
            return None  # a damaged row is a miss; the next fetch overwrites it
        return CacheEntry(source, key, body, float(row[1]))

    def put(self, source: str, key: str, body: Any, *, now: float | None = None) -> None:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if any(secret in text or secret in key for secret in self._secrets):
            # A service echoing a credential back must not get it written to disk.
            return
        self._db().execute(
            "INSERT OR REPLACE INTO responses (source, key, body, fetched_at) VALUES (?, ?, ?, ?)",
            [source, key, text, now if now is not None else time.time()],
        )

    def stats(self, now: float | None = None) -> CacheStats:
        now = now or time.time()
        exists = self.path.exists()
        sources: list[SourceStats] = []
        if exists:
            cutoff = now - self.ttl_days * DAY
            rows = self._db().execute(
                """SELECT source, count(*), sum(fetched_at > ?), min(fetched_at), max(fetched_at)
                     FROM responses GROUP BY source ORDER BY source""",
                [cutoff],
            ).fetchall()
            for source, n, fresh, oldest, newest in rows:
                sources.append(SourceStats(source, n, int(fresh or 0), n - int(fresh or 0),
                                           _iso(oldest), _iso(newest)))
        size = 0
        for suffix in ("", "-wal"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                size += p.stat().st_size
        return CacheStats(str(self.path), exists, size, self.ttl_days, tuple(sources))

    def clear(self, *, source: str | None = None, stale_only: bool = False,
              now: float | None = None) -> int:
        """Delete entries (all, one source's, or only the stale ones); returns how many."""
        if not self.path.exists():
            return 0
        where, params = [], []
        if source:
            where.append("source = ?")
            params.append(source)
        if stale_only:
            where.append("fetched_at <= ?")
            params.append((now or time.time()) - self.ttl_days * DAY)
        sql = "DELETE FROM responses" + (" WHERE " + " AND ".join(where) if where else "")
        conn = self._db()
        count = conn.execute(sql, params).rowcount
        if not where:
            conn.execute("VACUUM")
        return max(count, 0)


def open_cache(config: Any) -> Cache:
    """The cache a `Config` points at, with its TTL and its secrets to keep out."""
    return Cache(config.cache_file(), ttl_days=config.cache_ttl_days, secrets=config.secrets())


def cache_stats(config: Any) -> CacheStats:
    """`cache stats`: what the configured cache holds, per source."""
    return open_cache(config).stats()


def clear_cache(config: Any, *, source: str | None = None, stale_only: bool = False) -> int:
    """`cache clear`: drop cached answers (all, one source's, or the stale ones); returns how many."""
    return open_cache(config).clear(source=source, stale_only=stale_only)
