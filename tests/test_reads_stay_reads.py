"""Commands a user sees as reads never change the database (new-user trial; issue #17 item 3).

`catalog search`, `catalog stats`, `identify`, `cue list` and `dump` used to open the
database read-write: an old database was migrated in place and a rollback-journal one was
switched to WAL, leaving -wal/-shm files. They open it read-only now, as `what` and `shows`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.migrations import MIGRATIONS

runner = CliRunner()

READS = [
    ["catalog", "search", "elastic heart"],
    ["catalog", "stats"],
    ["identify", "elastic heart sia", "--offline"],
    ["identify", "USRC11100001", "--offline"],
    ["cue", "list", "soundtrack", "3"],
    ["dump", "soundtrack", "--to", "{out}"],
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _args(args: list[str], tmp_path: Path) -> list[str]:
    return [a.replace("{out}", str(tmp_path / "dumped")) for a in args]


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_a_read_leaves_a_rollback_journal_database_byte_identical(shipped_db: Path, tmp_path: Path,
                                                                  args: list[str]) -> None:
    assert sqlite3.connect(shipped_db).execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    before = digest(shipped_db)
    result = runner.invoke(app, [*_args(args, tmp_path), "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    assert digest(shipped_db) == before
    assert not Path(f"{shipped_db}-wal").exists() and not Path(f"{shipped_db}-shm").exists()
    assert sqlite3.connect(shipped_db).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def _old_database(path: Path) -> Path:
    """A database made by the first release, with one show (as test_readonly builds one)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    MIGRATIONS[0].apply(conn)
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial', 'then')")
    conn.execute("INSERT INTO shows (slug, name) VALUES ('soundtrack', 'Soundtrack')")
    conn.close()
    return path


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_a_read_refuses_an_old_database_with_the_upgrade_command(tmp_path: Path, args: list[str]) -> None:
    path = _old_database(tmp_path / "old.sqlite")
    before = digest(path)
    result = runner.invoke(app, [*_args(args, tmp_path), "--db", str(path)])
    assert result.exit_code == 1
    assert "needs upgrading" in result.stderr and f"cuesheet upgrade --db {path}" in result.stderr
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]  # no -wal, -shm, dump folder


def test_catalog_stats_on_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    result = runner.invoke(app, ["catalog", "stats", "--db", str(path)])
    assert result.exit_code == 1
    assert f"database {path} is empty" in result.stderr
    assert path.stat().st_size == 0


def test_catalog_import_refuses_a_missing_database_unless_asked_to_create_it(tmp_path: Path) -> None:
    rows = tmp_path / "c.csv"
    rows.write_text("title,artist\nRoads,Portishead\n", encoding="utf-8")
    missing = tmp_path / "missing.sqlite"
    refused = runner.invoke(app, ["catalog", "import", str(rows), "--db", str(missing)])
    assert refused.exit_code == 1 and f"no database at {missing}" in refused.stderr
    assert "--create" in refused.stderr
    assert not missing.exists()
    made = runner.invoke(app, ["catalog", "import", str(rows), "--create", "--db", str(missing)])
    assert made.exit_code == 0, made.output
    found = runner.invoke(app, ["catalog", "search", "roads portishead", "--db", str(missing), "--json"])
    assert found.exit_code == 0 and '"Roads"' in found.stdout
