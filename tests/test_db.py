from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesheet.db.connection import connect, resolve_path
from cuesheet.db.migrations import MIGRATIONS, migrate
from cuesheet.db.transactions import BUSY_TIMEOUT_MS, transaction
from cuesheet.errors import CuesheetError


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def test_fresh_database_has_the_whole_schema(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for table in ("shows", "show_aliases", "sources", "characters", "episodes", "episode_aliases",
                  "recordings", "cues", "cue_songs", "cue_performers", "claims", "cue_fts",
                  "conflicts", "cue_doc", "_migrations"):
        assert table in names
    assert columns(conn, "cues") == [
        "id", "episode_id", "number", "order_confirmed", "time_in_ms", "time_out_ms", "fps",
        "scene", "usage", "kind", "confidence", "notes", "lip_sync",
    ]
    assert columns(conn, "cue_results") == ["id", "cue_id", "position", "result", "contestant"]  # m070 (#20)
    assert "franchise" in columns(conn, "shows")
    assert columns(conn, "song_id_claims")[:5] == ["id", "cue_song_id", "service", "external_id", "source_id"]
    assert columns(conn, "cue_songs")[:10] == [
        "id", "cue_id", "position", "text", "title", "artist", "version", "confidence", "notes",
        "recording_id",
    ]
    for col in ("title", "artist", "version", "year", "duration_ms", "album", "isrc", "mbid",
                "spotify_id", "links"):
        assert col in columns(conn, "recordings")
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"cues_ai", "cue_songs_au", "cue_performers_ad", "episodes_au", "recordings_au"} <= triggers
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert applied == [m.name for m in MIGRATIONS]
    assert applied[0] == "m001_initial"


def test_connection_settings(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    connect(path, create=True).conn.close()
    conn = connect(path).conn
    assert migrate(conn) == []
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)


def test_old_database_upgrades_in_place(tmp_path: Path) -> None:
    """A database made by the first release gets the later migrations on open, data kept."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    MIGRATIONS[0].apply(conn)
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial', 'then')")
    conn.execute("INSERT INTO shows (slug, name) VALUES ('old', 'Old Show')")
    conn.close()
    upgraded = connect(path).conn
    assert upgraded.execute("SELECT name FROM shows").fetchall() == [("Old Show",)]
    applied = [r[0] for r in upgraded.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert applied == [m.name for m in MIGRATIONS]


def test_missing_database_is_one_line_with_a_remedy(tmp_path: Path) -> None:
    with pytest.raises(CuesheetError) as info:
        connect(tmp_path / "nope.sqlite")
    assert "cuesheet build" in str(info.value)
    assert not (tmp_path / "nope.sqlite").exists()


def test_resolve_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_path(None) == Path("cues.sqlite")
    monkeypatch.setenv("CUESHEET_DB", str(tmp_path / "env.sqlite"))
    assert resolve_path(None) == tmp_path / "env.sqlite"
    assert resolve_path(tmp_path / "flag.sqlite") == tmp_path / "flag.sqlite"


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    with pytest.raises(RuntimeError):
        with transaction(conn):
            conn.execute("INSERT INTO shows (slug, name) VALUES ('a', 'A')")
            raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM shows").fetchone()[0] == 0


def _fts(conn: sqlite3.Connection, text: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT rowid FROM cue_fts WHERE cue_fts MATCH ?", [f'"{text}"'])]


def test_fts_follows_every_table_it_indexes(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    conn.execute("INSERT INTO shows (id, slug, name) VALUES (1, 's', 'S')")
    conn.execute("INSERT INTO episodes (id, show_id, season, number, title) VALUES (1, 1, 1, 1, 'Pilot')")
    conn.execute("INSERT INTO cues (id, episode_id, number, kind, scene) VALUES (7, 1, 1, 'lip-sync', 'rooftop dance')")
    assert _fts(conn, "rooftop") == [7]
    assert _fts(conn, "pilot") == [7]
    conn.execute("INSERT INTO cue_songs (cue_id, position, text, title, artist) VALUES (7, 1, 'x', 'Elastic Heart', 'Sia')")
    assert _fts(conn, "elastic") == [7]
    conn.execute("UPDATE cue_songs SET title = 'Chandelier'")
    assert _fts(conn, "elastic") == [] and _fts(conn, "chandelier") == [7]
    conn.execute("INSERT INTO cue_performers (cue_id, position, character, actor) VALUES (7, 1, 'Nellie', 'Callie Hernandez')")
    assert _fts(conn, "hernandez") == [7]
    conn.execute("INSERT INTO recordings (id, title, artist, album) VALUES (3, 'Chandelier', 'Sia', '1000 Forms of Fear')")
    conn.execute("UPDATE cue_songs SET recording_id = 3")
    assert _fts(conn, "forms of fear") == [7]
    conn.execute("UPDATE recordings SET album = 'Other Album'")
    assert _fts(conn, "forms of fear") == [] and _fts(conn, "other album") == [7]
    conn.execute("UPDATE episodes SET title = 'Opening Night'")
    assert _fts(conn, "pilot") == [] and _fts(conn, "opening night") == [7]
    conn.execute("INSERT INTO episode_aliases VALUES (1, 'First One')")
    assert _fts(conn, "first one") == [7]
    conn.execute("DELETE FROM cues WHERE id = 7")
    assert _fts(conn, "rooftop") == []


def test_sources_schema(tmp_path: Path) -> None:
    """m003: recording claims from online sources, and works with their credits for cue sheets."""
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    assert columns(conn, "recording_claims") == [
        "id", "recording_id", "field", "value", "source", "source_ref", "added_at"]
    assert columns(conn, "works") == ["id", "mbid", "title", "iswc"]
    assert columns(conn, "work_credits") == [
        "work_id", "position", "role", "name", "share", "society", "ipi", "mbid"]
    assert columns(conn, "recording_works") == ["recording_id", "work_id"]
    assert "works_checked_at" in columns(conn, "recordings")
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert "recording_conflicts" in views
    conn.execute("INSERT INTO works (id, title) VALUES (1, 'Smile')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO work_credits (work_id, position, role, name) VALUES (1, 1, 'singer', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO work_credits (work_id, position, role, name, share) "
                     "VALUES (1, 1, 'composer', 'x', 120)")


def test_history_table(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    assert columns(conn, "history") == [
        "id", "at", "curator", "action", "summary", "show_id", "episode_id", "changes", "undo_of",
        "undone_by",
    ]
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(history)")}
    assert {"history_episode", "history_show"} <= indexes


def test_heard_words_are_searched_with_the_scene(tmp_path: Path) -> None:
    """m005: what a curator heard of a song is found like scene text, and follows edits."""
    conn = connect(tmp_path / "x.sqlite", create=True).conn
    conn.execute("INSERT INTO shows (id, slug, name) VALUES (1, 's', 'S')")
    conn.execute("INSERT INTO episodes (id, show_id, season, number, title) VALUES (1, 1, 1, 1, 'Pilot')")
    conn.execute("INSERT INTO cues (id, episode_id, number, kind, scene) VALUES (7, 1, 1, 'lip-sync', 'rooftop dance')")
    conn.execute("INSERT INTO cue_songs (cue_id, position, text, heard) VALUES (7, 1, '', 'hold on im coming')")
    assert _fts(conn, "hold on") == [7] and _fts(conn, "rooftop") == [7]
    conn.execute("UPDATE cue_songs SET heard = 'female voice, 80s synth'")
    assert _fts(conn, "hold on") == [] and _fts(conn, "80s synth") == [7]


def test_heard_migration_indexes_existing_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for m in MIGRATIONS[:4]:
        m.apply(conn)
        conn.execute("INSERT INTO _migrations VALUES (?, 'then')", [m.name])
    conn.execute("INSERT INTO shows (id, slug, name) VALUES (1, 's', 'S')")
    conn.execute("INSERT INTO episodes (id, show_id, season, number, title) VALUES (1, 1, 1, 1, 'Pilot')")
    conn.execute("INSERT INTO cues (id, episode_id, number, kind, scene) VALUES (7, 1, 1, 'lip-sync', 'rooftop dance')")
    conn.close()
    upgraded = connect(path).conn
    assert "heard" in columns(upgraded, "cue_songs")
    assert _fts(upgraded, "rooftop") == [7]
