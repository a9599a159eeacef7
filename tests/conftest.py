"""Shared fixtures: every test runs with its own home, config and database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


def pytest_report_header(config: pytest.Config) -> str:
    return f"sqlite {sqlite3.sqlite_version}"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the user's config, credentials, proxies or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("COLUMNS", "200")
    for name in list(__import__("os").environ):
        upper = name.upper()
        if upper.startswith(("CUESHEET_", "SPOTIPY_")) or upper in (
            "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
        ):
            monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def shipped_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database `cuesheet build` makes from the shipped data/, built once per run."""
    from cuesheet.build import build

    path = tmp_path_factory.mktemp("shipped") / "cues.sqlite"
    build(DATA, path)
    return path


@pytest.fixture
def shipped_db(shipped_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the shipped database a test may change."""
    path = tmp_path / "cues.sqlite"
    shutil.copy(shipped_db_file, path)
    return path


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A small show with times, for timecode questions (the shipped data has none)."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "minishow", target)
    return target


@pytest.fixture
def mini_db(mini_data: Path, tmp_path: Path) -> Path:
    from cuesheet.build import build

    path = tmp_path / "mini.sqlite"
    build(mini_data, path)
    return path
