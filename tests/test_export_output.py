"""The atomic write every export goes through: the whole file or nothing, and no litter."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from cuesheet.errors import CuesheetError
from cuesheet.export import common
from cuesheet.export.rows import write_atomic


def test_writes_the_whole_text_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "list.m3u8"
    write_atomic(target, "#EXTM3U\nrow\r\n")
    with open(target, encoding="utf-8", newline="") as fh:
        assert fh.read() == "#EXTM3U\nrow\r\n"  # newlines untouched (CSV needs its CRLF)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["list.m3u8"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["list.csv"]


def test_a_failed_write_leaves_no_file_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(common.os, "fsync", disk_full)
    target = tmp_path / "list.xspf"
    with pytest.raises(CuesheetError, match="cannot write .*No space left on device"):
        write_atomic(target, "<playlist/>")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "list.json"
    target.write_text('{"old": true}')

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(common.os, "replace", refuse)
    with pytest.raises(CuesheetError, match="Permission denied"):
        write_atomic(target, '{"new": true}')
    assert target.read_text() == '{"old": true}'
    assert os.listdir(tmp_path) == ["list.json"]


def test_an_interrupt_mid_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(common.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "list.m3u8", "#EXTM3U\n")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("make", ["missing-folder", "is-a-folder"])
def test_bad_targets_are_one_clear_error(tmp_path: Path, make: str) -> None:
    target = tmp_path / "nope" / "x.m3u8" if make == "missing-folder" else tmp_path
    with pytest.raises(CuesheetError, match="cannot write"):
        write_atomic(target, "x")
    if make == "is-a-folder":
        assert os.listdir(tmp_path) == []
