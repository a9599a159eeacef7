"""`cuesheet build`: a database from the cue sheet files, all or nothing.

The new database is written beside the target under a temporary name and
renamed over it only when every file loaded and every row went in, so a bad
file leaves the existing database exactly as it was.

The database it replaces may hold a curator's work (`cue add`, `review accept`)
that was never dumped to the files; replacing it would lose that work without a
word. So the old database is compared with what the files say, under its write
lock (no writer is half-way through a transaction when it is replaced), and the
build refuses unless forced. Temp files of a build that was killed are removed
by the next one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cuesheet.files import sheets
from cuesheet.files.dump import LOCAL_CATALOG, catalog_key
from cuesheet.curation import claims, store
from cuesheet.errors import CuesheetError, InputErrors
from cuesheet.notation.plural import plural
from cuesheet.recordings import importer
from cuesheet.db.connection import connect, is_ours, newer_error, unknown_migrations
from cuesheet.db.transactions import busy_message, is_busy, pid_alive, transaction


@dataclass(frozen=True)
class BuildReport:
    path: str
    shows: int
    episodes: int
    cues: int
    songs: int
    recordings: int
    linked: int
    cleaned: list[str] = field(default_factory=list)


def build(source_dir: Path, dest: Path, *, force: bool = False) -> BuildReport:
    """Build `dest` from the files; refuses to replace curator work not in them unless `force`."""
    shows = sheets.read_data_dir(source_dir)  # raises InputErrors before any write
    catalog_files = sorted((source_dir / "catalog").glob("*.csv")) if (source_dir / "catalog").is_dir() else []
    catalog_rows = _read_catalog(catalog_files)
    claimed = _read_claimed_tracks(source_dir / CLAIMS_DIR)
    if dest.exists():
        # Refuse early (before minutes of building) for a file that is not ours; the lock comes later.
        _check_ours(dest)
    cleaned = clean_stale_temps(dest)
    tmp = dest.with_name(f".{dest.name}.build-{os.getpid()}")
    _remove(tmp)
    try:
        database = connect(tmp, create=True)
        conn = database.conn
        with transaction(conn):
            # The catalog first: a recording an episode file pins (a curator's pick, dumped) is
            # then found by its ids or text instead of added twice, which would make every
            # other cue matching it a tie for review.
            importer.insert_rows(conn, catalog_rows)
            for show in shows:
                store.insert_show(conn, show)
            for rows in claimed:
                for source in dict.fromkeys(r.source for r in rows):
                    store.upsert_claimed_tracks(conn, [r.track for r in rows if r.source == source], source)
            claims.audit(conn)  # every claimed id judged against its song, offline
            linked = _match_offline(conn)
        counts = {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("shows", "episodes", "cues", "cue_songs", "recordings")
        }
        new_content = _content(conn)
        new_recordings = recording_identities(conn)
        new_tracks = claimed_tracks(conn)
        with transaction(conn):
            conn.executemany("INSERT INTO build_digests (key, digest) VALUES (?, ?)",
                             sorted(digests(new_content).items()))
            # The last catalog row the build wrote: any row above it came later (a `catalog import`).
            conn.execute("INSERT INTO build_digests (key, digest) SELECT ?, coalesce(max(id), 0) FROM recordings",
                         [BUILT_RECORDINGS])
        # A self-contained file: no -wal beside it to go stale after the rename.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        _replace(tmp, dest, new_content, source_dir, force=force, new_recordings=new_recordings,
                 new_tracks=new_tracks)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            _remove(Path(str(tmp) + suffix))
    return BuildReport(
        path=str(dest),
        shows=counts["shows"],
        episodes=counts["episodes"],
        cues=counts["cues"],
        songs=counts["cue_songs"],
        recordings=counts["recordings"],
        linked=linked,
        cleaned=cleaned,
    )


def check_files(source_dir: Path) -> list[Any]:
    """What a merge of data/ broke, for a pull request's CI: every error `build` would refuse
    with (raised as InputErrors: two cues on one number, a cue citing a source key that is
    gone, ...), then what `check` finds in the database those files make (the same song twice
    in one episode ...). That database is built in a temporary folder and thrown away."""
    import tempfile

    from cuesheet.curation import check

    with tempfile.TemporaryDirectory(prefix="cuesheet-check-") as tmp:
        dest = Path(tmp) / "check.sqlite"
        build(source_dir, dest)
        conn = connect(dest).conn
        try:
            return check.check(conn, cue_sheet=False)
        finally:
            conn.close()


def _check_ours(dest: Path) -> None:
    conn = sqlite3.connect(dest.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        unknown = unknown_migrations(conn)
        ours = is_ours(conn)
    except sqlite3.DatabaseError:
        unknown, ours = [], False
    finally:
        conn.close()
    if unknown:
        raise newer_error(dest, unknown)
    if not ours:
        raise CuesheetError(f"{dest} is not a cuesheet database; build will not replace it",
                            remedy="pass --db PATH to build somewhere else")


def _content(conn: sqlite3.Connection) -> dict[str, Any]:
    from cuesheet.files import dump

    return dump.content(conn)


def _replace(tmp: Path, dest: Path, new_content: dict[str, Any] | None, source_dir: Path, *, force: bool,
             new_recordings: set[str] | None = None, new_tracks: set[tuple[Any, ...]] | None = None) -> None:
    """Rename the new database over the old one while holding the old one's write lock."""
    if not dest.exists():
        os.replace(tmp, dest)
        return
    old = connect(dest).conn  # ours (checked), migrated so its content can be read
    try:
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # a busy reader: the lock below still waits for writers
        try:
            old.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise CuesheetError(busy_message(dest)) from None
            raise
        try:
            if not force and new_content is not None:
                work = curator_work(old, new_content, source_dir)
                if new_recordings is not None:
                    work += catalog_work(old, new_recordings)
                if new_tracks is not None:
                    work += claimed_work(old, new_tracks)
                if work:
                    raise CuesheetError(
                        f"{dest} holds curator work that is not in {source_dir}: {'; '.join(work)}",
                        remedy=f"run `cuesheet dump --db {dest} --to {source_dir}` first to keep it, "
                        "or pass --force to replace it anyway")
            # No writer can be mid-transaction now; the old -wal/-shm would be stale beside the new file.
            for suffix in ("-wal", "-shm"):
                _remove(Path(str(dest) + suffix))
            os.replace(tmp, dest)
        finally:
            old.execute("ROLLBACK")
    finally:
        old.close()


def digests(content: dict[str, Any]) -> dict[str, str]:
    """One digest per show and per episode of `dump.content` (its dataclasses repr deterministically)."""
    import hashlib

    out = {}
    for slug, c in content.items():
        out[slug] = hashlib.sha256(repr(c["show"]).encode()).hexdigest()
        for code, ep in c["episodes"].items():
            out[f"{slug}/{code}"] = hashlib.sha256(repr(ep).encode()).hexdigest()
    return out


def curator_work(old: sqlite3.Connection, new_content: dict[str, Any], source_dir: Path) -> list[str]:
    """What the old database says that the files do not and that changed after its build:
    shows, episodes, cues (with curated links and rejections), and history entries newer
    than the newest file. A database built before digests were kept is compared whole."""
    out: list[str] = []
    built = dict(old.execute("SELECT key, digest FROM build_digests").fetchall())
    curated = old.execute("SELECT 1 FROM history LIMIT 1").fetchone() is not None
    # A database built before digests were kept, with no change ever recorded in its history,
    # holds only what older files said: the files win (a `git pull` then `make` must not refuse).
    old_content = _content(old) if built or curated else {}
    now = digests(old_content)
    for slug, o in old_content.items():
        n = new_content.get(slug)
        if built and built.get(slug) == now[slug] and all(
                built.get(f"{slug}/{code}") == now[f"{slug}/{code}"] for code in o["episodes"]) \
                and len([k for k in built if k.startswith(slug + "/")]) == len(o["episodes"]):
            continue  # untouched since the build: whatever the files say now wins
        if n is None:
            out.append(f"show {slug}")
            continue
        if o["show"] != n["show"] and not (built and built.get(slug) == now[slug]):
            out.append(f"{slug}: the show's details")
        for code, ep in o["episodes"].items():
            nep = n["episodes"].get(code)
            if built and built.get(f"{slug}/{code}") == now[f"{slug}/{code}"]:
                continue  # this episode is as built
            if nep is None:
                out.append(f"{slug} {code} (whole episode)")
                continue
            if ep == nep:
                continue
            theirs = {c.number: c for c in nep.cues}
            changed = [str(c.number) for c in ep.cues if theirs.get(c.number) != c]
            mine = {c.number for c in ep.cues}
            changed += [f"{num} (removed)" for num in theirs if num not in mine]
            out.append(f"{slug} {code} cue {', '.join(changed)}" if changed else f"{slug} {code} details")
    for key in built:
        slug, _, code = key.partition("/")
        if code and key not in now and code in new_content.get(slug, {}).get("episodes", {}):
            out.append(f"{slug} {code} (removed from the database)")
    newest = _newest_mtime(source_dir)
    later = [at for (at,) in old.execute("SELECT at FROM history WHERE undone_by IS NULL")
             if _after(at, newest)]
    if later:
        out.append(f"{len(later)} history entr{'y' if len(later) == 1 else 'ies'} newer than the files")
    return out


# build_digests' key for the highest recording id a build wrote (not a show: no slug starts with @).
BUILT_RECORDINGS = "@recordings"


def recording_identities(conn: sqlite3.Connection) -> set[str]:
    """What makes a catalog row the same row in two databases: its import key, else its ids, else its
    text; and what `dump` writes it as (a canonical row dumped to data/catalog is the same row)."""
    out = set()
    for row_key, mbid, spotify_id, title_key, artist_key, title, artist, album, year in conn.execute(
            "SELECT row_key, mbid, spotify_id, title_key, artist_key, title, artist, album, year FROM recordings"):
        out.add(_identity(row_key, mbid, spotify_id, title_key, artist_key))
        out.add(_dumped_as(title, artist, album, year))
    return out


def _dumped_as(title: str, artist: str, album: str | None, year: int | None) -> str:
    return "dump:" + "\x1f".join(str(x) for x in catalog_key(title, artist or "", album, year))


def _identity(row_key: str | None, mbid: str | None, spotify_id: str | None,
              title_key: str | None, artist_key: str | None) -> str:
    if row_key:
        return f"key:{row_key}"
    if mbid:
        return f"mbid:{mbid}"
    if spotify_id:
        return f"spotify:{spotify_id}"
    return f"text:{title_key}\x1f{artist_key}"


def catalog_work(old: sqlite3.Connection, new_recordings: set[str]) -> list[str]:
    """Catalog rows the old database has and the build would not: a `catalog import` since the
    build, or recordings a curator looked up online. `dump` writes them to data/catalog, which
    is the remedy the refusal names."""
    marker = old.execute("SELECT digest FROM build_digests WHERE key = ?", [BUILT_RECORDINGS]).fetchone()
    if marker is not None:
        since, params = "id > ?", [int(marker[0])]
    else:
        # Built before the marker was kept: rows added a second or more after the build's first row.
        (built_at,) = old.execute("SELECT datetime(min(added_at), '+1 second') FROM recordings").fetchone()
        since, params = "added_at > ?", [built_at or ""]
    lost = [(title, artist) for row_key, mbid, sid, tk, ak, title, artist, album, year in old.execute(
        "SELECT row_key, mbid, spotify_id, title_key, artist_key, title, artist, album, year FROM recordings"
        f" WHERE {since}", params)
        if _identity(row_key, mbid, sid, tk, ak) not in new_recordings
        and _dumped_as(title, artist, album, year) not in new_recordings]
    if not lost:
        return []
    title, artist = lost[0]
    return [f"{plural(len(lost), 'catalog recording')} the files lack (e.g. {title} — {artist};"
            " `cuesheet dump` writes them to data/catalog/local.csv)"]


def claimed_tracks(conn: sqlite3.Connection) -> set[tuple[Any, ...]]:
    """What a database says claimed ids are (`claimed_tracks`), row ids aside."""
    return set(conn.execute("SELECT service, external_id, title, artist, album, release_date, duration_ms, source"
                            " FROM claimed_tracks").fetchall())


def claimed_work(old: sqlite3.Connection, new_tracks: set[tuple[Any, ...]]) -> list[str]:
    """Claimed tracks the old database describes and the files do not (a `catalog claims` not dumped)."""
    lost = claimed_tracks(old) - new_tracks
    if not lost:
        return []
    return [f"{plural(len(lost), 'claimed track')} the files lack (after `cuesheet catalog claims`, "
            "`dump` writes them to data/claims/)"]


def _newest_mtime(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*.y*ml")] + [p.stat().st_mtime for p in folder.rglob("*.csv")]
    return max(times, default=0.0)


def _after(at: str, mtime: float) -> bool:
    try:
        when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp() > mtime


_TEMP = re.compile(r"\.build-(\d+)(?:-wal|-shm|-journal|-holder)?$")


def clean_stale_temps(dest: Path) -> list[str]:
    """Remove `.cues.sqlite.build-PID*` left by a build that was killed (its pid is gone)."""
    removed = []
    for path in dest.parent.glob(f".{dest.name}.build-*"):
        m = _TEMP.search(path.name)
        if m and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
            _remove(path)
            removed.append(str(path))
    return sorted(removed)


# What claimed ids are (`cuesheet catalog claims`, dumped): data/claims/<service>.csv.
CLAIMS_DIR = "claims"


def _read_claimed_tracks(folder: Path) -> list[list[claims.TrackRow]]:
    """Each claimed-tracks file's rows; every bad row of every file reported before anything is written."""
    out: list[list[claims.TrackRow]] = []
    errors = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        try:
            out.append(claims.read_track_rows(path, path.stem))
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        raise InputErrors(errors)
    return out


def _read_catalog(files: list[Path]) -> list[importer.CatalogRow]:
    """The shipped catalog's rows; every bad row of every file reported before anything is written."""
    rows: list[importer.CatalogRow] = []
    errors = []
    # The shipped files first, then what `dump` carried (so the shipped rows keep their ids).
    for path in sorted(files, key=lambda p: (p.name == LOCAL_CATALOG, p.name)):
        try:
            rows += importer.read_csv(path)
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        raise InputErrors(errors)
    return rows


def _match_offline(conn: sqlite3.Connection) -> int:
    """Match the cue songs against the catalog, offline.

    Sure matches are linked; doubtful ones (two releases of "Elastic Heart")
    wait in the review queue with their candidates.
    """
    from cuesheet.matching import match_songs
    from cuesheet.sources.catalog import CatalogSource

    # Only songs the files leave open: one a file gives its review candidates (dumped after a
    # curator's search) waits with exactly those.
    return match_songs(conn, [CatalogSource(conn)], statuses=("unmatched",)).accepted


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
