"""Fixtures the export tests share: the tiny fixture show, built once per run and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES


@pytest.fixture(scope="session")
def tiny_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cuesheet.build import build

    path = tmp_path_factory.mktemp("tiny") / "tiny.sqlite"
    build(FIXTURES / "exportshow", path)
    return path


@pytest.fixture
def tiny_db(tiny_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/exportshow built into a database."""
    path = tmp_path / "tiny.sqlite"
    shutil.copy(tiny_db_file, path)
    return path
